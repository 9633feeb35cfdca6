/*
 * test_directory_dht.c - one DHT node driven by hand: what it sends on
 * bootstrap, how it answers FIND_NODE and FIND_VALUE, STORE and REMOVE
 * (only a publisher removes), what it drops, queries answered locally or
 * failing, and the ping that decides a full bucket's stale contact.
 */
#include "dht.h"
#include "tap.h"

#include <errno.h>

#define L  32
#define ME 1

struct outbox {
    size_t n;
    uint64_t to[64];
    struct dht_msg m[64];
};

static struct outbox box;

static int capture(void *ctx, uint64_t to, const uint8_t *buf, size_t len)
{
    (void)ctx;
    if (box.n < 64) {
        box.to[box.n] = to;
        if (dht_msg_decode(buf, len, L, &box.m[box.n]) != 0)
            box.m[box.n].code = 0;
        box.n++;
    }
    return 0;
}

struct answer {
    int calls;
    int err;
    size_t n;
    uint64_t addr;
};

static void on_answer(void *ctx, const uint8_t *key, int err, const struct dht_value *v,
                      size_t n)
{
    struct answer *a = ctx;

    (void)key;
    a->calls++;
    a->err = err;
    a->n = n;
    a->addr = n > 0 ? v[0].addr : 0;
}

static size_t encode(struct dht_msg *m, uint8_t *buf)
{
    int n = dht_msg_encode(m, buf, DHT_MSG_MAX);

    if (n < 0)
        bail_out("test message does not encode");
    return (size_t)n;
}

static struct dht_msg from_peer(uint8_t code, uint64_t addr, uint8_t id0, const uint8_t *key)
{
    struct dht_msg m;

    memset(&m, 0, sizeof(m));
    m.code = code;
    m.cookie = 42;
    m.src_addr = addr;
    m.id_len = L;
    m.src_id[0] = id0;
    m.src_id[1] = (uint8_t)addr;
    memcpy(m.key, key, L);
    return m;
}

static void test_node(void)
{
    struct dht_params p;
    uint8_t me[L], key[L], buf[DHT_MSG_MAX];
    struct dht *d;
    struct dht_msg m;
    struct dht_stats st;
    struct answer a = {0};
    size_t n;

    memset(me, 0, L);
    memset(key, 0x77, L);
    dht_params_default(&p);
    ok(p.id_len == 32 && p.k == 8 && p.alpha == 3 && p.t_expire == 86400 &&
           p.t_refresh == 900 && p.t_replicate == 900 && p.t_response == 2000,
       "defaults: 32-byte ids, k 8, alpha 3, 86400/900/900 s, 2 s");
    ok(dht_new(&p, me, 0, capture, NULL) == NULL, "address 0 is refused");
    p.alpha = 0;
    ok(dht_new(&p, me, ME, capture, NULL) == NULL, "alpha 0 is refused");
    dht_params_default(&p);
    p.id_len = 8;
    ok(dht_new(&p, me, ME, capture, NULL) == NULL, "8-byte ids are refused");
    dht_params_default(&p);
    d = dht_new(&p, me, ME, capture, NULL);
    ok(d != NULL, "a node with id 0 at address 1");

    is(dht_query(d, key, 1000, on_answer, &a), 0, "a query with no contacts");
    ok(a.calls == 1 && a.err == -ENOENT, "... fails at once with -ENOENT");
    is(dht_bootstrap(d, ME, 1000), -EINVAL, "bootstrapping through ourselves is refused");
    box.n = 0;
    is(dht_bootstrap(d, 9, 1000), 0, "bootstrap through address 9");
    ok(box.n == 1 && box.to[0] == 9 && box.m[0].code == DHT_FIND_NODE_REQ &&
           memcmp(box.m[0].key, me, L) == 0 && box.m[0].cookie != 0,
       "... sends FIND_NODE_REQ for our own id");
    box.n = 0;
    dht_tick(d, 3000);
    ok(box.n == 1 && box.to[0] == 9 && box.m[0].code == DHT_FIND_NODE_REQ,
       "unanswered for 2 s: asked again");

    /* Malformed, spoofed and self-sent messages are dropped. */
    m = from_peer(DHT_FIND_NODE_REQ, 5, 0x80, key);
    n = encode(&m, buf);
    is(dht_recv(d, buf, n - 1, 5, 3000), -EBADMSG, "a truncated message is dropped");
    is(dht_recv(d, buf, n, 6, 3000), -EBADMSG,
       "a sender address other than the source: dropped");
    m.src_id[0] = 0;
    m.src_id[1] = 0;
    n = encode(&m, buf);
    is(dht_recv(d, buf, n, 5, 3000), -EBADMSG, "a message claiming our own id: dropped");
    dht_get_stats(d, &st);
    is(st.msgs_bad, 3, "three bad messages counted");
    is(dht_contacts(d), 0, "none of them made a contact");

    /* STORE from node 5; node 6 asks FIND_VALUE and gets it with contacts. */
    m = from_peer(DHT_STORE, 5, 0x80, key);
    m.n_values = 1;
    m.values[0] = (struct dht_value){5, 100};
    n = encode(&m, buf);
    is(dht_recv(d, buf, n, 5, 3000), 0, "STORE of address 5 from node 5");
    is(dht_contacts(d), 1, "node 5 is now a contact");
    box.n = 0;
    m = from_peer(DHT_FIND_VALUE_REQ, 6, 0x40, key);
    n = encode(&m, buf);
    is(dht_recv(d, buf, n, 6, 4000), 0, "FIND_VALUE_REQ from node 6");
    ok(box.n == 1 && box.to[0] == 6 && box.m[0].code == DHT_FIND_VALUE_RSP &&
           box.m[0].cookie == 42 && box.m[0].n_values == 1 && box.m[0].values[0].addr == 5 &&
           box.m[0].values[0].ttl == 99,
       "... answered with address 5, 99 s left, the cookie echoed");
    ok(box.m[0].n_contacts == 2, "... and our 2 contacts");
    a.calls = 0;
    is(dht_query(d, key, 4000, on_answer, &a), 0, "a local query");
    ok(a.calls == 1 && a.err == 0 && a.n == 1 && a.addr == 5, "... answered at once: 5");

    /* REMOVE: only of the sender's own address. */
    m = from_peer(DHT_REMOVE, 6, 0x40, key);
    m.n_values = 1;
    m.values[0] = (struct dht_value){5, 0};
    n = encode(&m, buf);
    dht_recv(d, buf, n, 6, 4000);
    a.calls = 0;
    dht_query(d, key, 4000, on_answer, &a);
    ok(a.calls == 1 && a.err == 0 && a.addr == 5, "node 6 cannot remove node 5's address");
    m = from_peer(DHT_REMOVE, 5, 0x80, key);
    m.n_values = 1;
    m.values[0] = (struct dht_value){5, 0};
    n = encode(&m, buf);
    dht_recv(d, buf, n, 5, 4000);
    box.n = 0;
    a.calls = 0;
    dht_query(d, key, 4000, on_answer, &a);
    ok(a.calls == 0 && box.n == 2, "node 5 removes it: the query goes to the 2 contacts");
    m = from_peer(DHT_STORE, 6, 0x40, key);
    m.n_values = 1;
    m.values[0] = (struct dht_value){5, 100};
    n = encode(&m, buf);
    dht_recv(d, buf, n, 6, 4100);
    m = from_peer(DHT_FIND_VALUE_RSP, 6, 0x40, key);
    m.cookie = box.m[0].cookie;
    n = encode(&m, buf);
    dht_recv(d, buf, n, 6, 4100);
    m = from_peer(DHT_FIND_VALUE_RSP, 5, 0x80, key);
    m.cookie = box.m[0].cookie;
    n = encode(&m, buf);
    dht_recv(d, buf, n, 5, 4100);
    ok(a.calls == 1 && a.err == -ENOENT,
       "a late copy is refused (tombstone); both contacts answer empty: -ENOENT");
    dht_get_stats(d, &st);
    is(st.queries_failed, 2, "two failed queries counted");
    dht_destroy(&d);
    ok(d == NULL, "destroy clears the pointer");
}

static void test_full_bucket(void)
{
    struct dht_params p;
    uint8_t me[L], key[L], buf[DHT_MSG_MAX];
    struct dht *d;
    struct dht_msg m;
    size_t n;

    memset(me, 0, L);
    memset(key, 0x11, L);
    dht_params_default(&p);
    p.k = 1;
    d = dht_new(&p, me, ME, capture, NULL);
    m = from_peer(DHT_STORE, 5, 0x80, key);
    m.n_values = 1;
    m.values[0] = (struct dht_value){5, 100};
    n = encode(&m, buf);
    dht_recv(d, buf, n, 5, 1000);
    box.n = 0;
    m = from_peer(DHT_STORE, 7, 0x81, key);
    m.n_values = 1;
    m.values[0] = (struct dht_value){7, 100};
    n = encode(&m, buf);
    dht_recv(d, buf, n, 7, 1000);
    ok(box.n == 1 && box.to[0] == 5 && box.m[0].code == DHT_FIND_NODE_REQ,
       "k = 1, bucket full: node 5, the oldest, is pinged");
    is(dht_contacts(d), 1, "node 7 waits");
    box.n = 0;
    dht_tick(d, 2999);
    is(box.n, 0, "no answer yet at 1.999 s");
    dht_tick(d, 3000);
    box.n = 0;
    key[0] = 0x80;
    memset(key + 1, 0, L - 1);
    m = from_peer(DHT_FIND_NODE_REQ, 9, 0x20, key);
    n = encode(&m, buf);
    dht_recv(d, buf, n, 9, 3000);
    ok(box.n == 1 && box.m[0].n_contacts == 1 && box.m[0].contacts[0].addr == 7,
       "node 5 missed the ping: node 7 took its place (the closest to 0x80..)");
    dht_destroy(&d);
}

/* Publish through one contact: FIND_NODE for the key, then STORE to the
 * node that answered; unpublish sends it REMOVE of our own address. */
static void test_publish(void)
{
    struct dht_params p;
    uint8_t me[L], key[L], buf[DHT_MSG_MAX];
    struct dht *d;
    struct dht_msg m;
    struct answer a = {0};
    size_t n;

    memset(me, 0, L);
    memset(key, 0x99, L);
    dht_params_default(&p);
    d = dht_new(&p, me, ME, capture, NULL);
    is(dht_unpublish(d, key, 1000), -ENOENT, "unpublish of a key never published: -ENOENT");
    m = from_peer(DHT_FIND_NODE_REQ, 5, 0x80, key);
    n = encode(&m, buf);
    dht_recv(d, buf, n, 5, 1000);
    box.n = 0;
    is(dht_publish(d, key, ME, 1000), 0, "publish our address under key");
    ok(box.n == 1 && box.to[0] == 5 && box.m[0].code == DHT_FIND_NODE_REQ &&
           memcmp(box.m[0].key, key, L) == 0,
       "... a FIND_NODE lookup of the key asks node 5");
    is(dht_pending(d), 1, "... one lookup in progress");
    m = from_peer(DHT_FIND_NODE_RSP, 5, 0x80, key);
    m.cookie = box.m[0].cookie;
    n = encode(&m, buf);
    box.n = 0;
    dht_recv(d, buf, n, 5, 1010);
    ok(box.n == 1 && box.to[0] == 5 && box.m[0].code == DHT_STORE && box.m[0].n_values == 1 &&
           box.m[0].values[0].addr == ME && box.m[0].values[0].ttl == 86400,
       "node 5 answers: it gets a STORE of address 1 for 86400 s");
    is(dht_pending(d), 0, "the lookup is over");
    dht_query(d, key, 1020, on_answer, &a);
    ok(a.calls == 1 && a.addr == ME, "our own query is answered locally");
    is(dht_publish(d, key, 7, 1020), 0, "publish another address, 7, under the key");
    box.n = 0;
    dht_tick(d, 1020 + 900 * 1000);
    ok(box.n == 1 && box.m[0].code == DHT_FIND_NODE_REQ, "900 s later: republished (lookup)");
    m.cookie = box.m[0].cookie;
    n = encode(&m, buf);
    box.n = 0;
    dht_recv(d, buf, n, 5, 1020 + 900 * 1000 + 5);
    ok(box.n == 1 && box.m[0].code == DHT_STORE && box.m[0].n_values == 2,
       "... both addresses stored again");
    box.n = 0;
    is(dht_unpublish(d, key, 2000 * 1000), 0, "unpublish");
    m.cookie = box.m[0].cookie;
    n = encode(&m, buf);
    box.n = 0;
    dht_recv(d, buf, n, 5, 2000 * 1000 + 5);
    ok(box.n == 1 && box.m[0].code == DHT_REMOVE && box.m[0].n_values == 1 &&
           box.m[0].values[0].addr == ME && box.m[0].values[0].ttl == 0,
       "... REMOVE of our own address only goes to node 5");
    a.calls = 0;
    box.n = 0;
    dht_query(d, key, 2000 * 1000 + 10, on_answer, &a);
    ok(a.calls == 0 && box.n == 1 && box.m[0].code == DHT_FIND_VALUE_REQ,
       "our store no longer answers: the query asks the network");
    is(dht_unpublish(d, key, 2000 * 1000 + 20), -ENOENT, "unpublish again: -ENOENT");
    dht_destroy(&d);
}

int main(void)
{
    test_node();
    test_full_bucket();
    test_publish();
    return done();
}
