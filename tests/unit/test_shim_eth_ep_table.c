/*
 * test_shim_eth_ep_table.c - the Ethernet shim's endpoint tables: endpoint id
 * allocation (all 65535 of them, no early reuse), the flow-id and peer
 * indexes, iteration, read sections, and the per-flow blob.
 */
#include "deadline.h"
#include "ep_table.h"
#include "event_queue.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t mac_b[6] = {2, 0, 0, 0, 0, 0xb};

static void test_eids(void)
{
    struct ep_table *t = ep_table_new();
    struct eth_flow *a = eth_flow_new(), *b = eth_flow_new(), *c = eth_flow_new();
    struct eth_flow *r = eth_flow_new();

    ok(ep_table_add(t, a) == 0 && a->eid == 1, "the first endpoint id is 1 (0: management)");
    ok(ep_table_add(t, b) == 0 && b->eid == 2, "then 2");
    ok(ep_table_by_eid(t, 1) == a && ep_table_by_eid(t, 2) == b, "found by endpoint id");
    ok(ep_table_by_eid(t, 0) == NULL && ep_table_by_eid(t, 3) == NULL, "0 and 3: none");
    ep_table_del(t, a);
    ok(ep_table_by_eid(t, 1) == NULL && a->in == 0, "deleted");
    ok(ep_table_add(t, c) == 0 && c->eid == 3, "a freed id is not given again at once");
    is(ep_table_count(t), 2, "two in use");

    r->eid = 2;
    is(ep_table_add_at(t, r), -EEXIST, "a restored flow on a used id: refused");
    r->eid = 0;
    is(ep_table_add_at(t, r), -EINVAL, "a restored flow on id 0: refused");
    r->eid = 40000;
    ok(ep_table_add_at(t, r) == 0 && ep_table_by_eid(t, 40000) == r, "restored at 40000");

    uint32_t seen[4], n = 0;
    for (uint32_t e = ep_table_next(t, 1); e != 0 && n < 4; e = ep_table_next(t, e + 1))
        seen[n++] = e;
    ok(n == 3 && seen[0] == 2 && seen[1] == 3 && seen[2] == 40000, "iteration: 2, 3, 40000");
    is(ep_table_next(t, 40001), 0, "nothing after 40000");
    is(ep_table_next(t, 70000), 0, "past the end: nothing");

    ep_table_del(t, b);
    ep_table_del(t, c);
    ep_table_del(t, r);
    is(ep_table_count(t), 0, "empty again");
    ep_table_destroy(&t);
    ok(t == NULL, "destroy NULLs the pointer");
    free(a);
    free(b);
    free(c);
    free(r);
}

static void test_full(void)
{
    struct ep_table *t = ep_table_new();
    struct eth_flow *fl = calloc(EP_EIDS, sizeof(*fl));
    struct eth_flow extra = {0};
    int fails = 0, dups = 0;
    uint8_t *seen = calloc(EP_EIDS, 1);

    for (uint32_t i = 0; i < EP_EIDS - 1; i++) {
        if (ep_table_add(t, &fl[i]) < 0)
            fails++;
        else if (seen[fl[i].eid]++ != 0 || fl[i].eid == 0)
            dups++;
    }
    ok(fails == 0 && dups == 0, "65535 flows get 65535 distinct ids");
    is(ep_table_add(t, &extra), -ENOSPC, "the 65536th: no id left");
    ep_table_del(t, &fl[1000]);
    ok(ep_table_add(t, &extra) == 0 && extra.eid == fl[1000].eid, "a freed one is given");
    ep_table_destroy(&t);
    free(fl);
    free(seen);
}

static void test_indexes(void)
{
    struct ep_table *t = ep_table_new();
    struct eth_flow a = {0}, b = {0}, c = {0};

    a.flow_id = 0;
    b.flow_id = 1024;
    c.flow_id = EVQ_FLOW_MAX;
    ok(ep_table_bind_id(t, &a) == 0 && ep_table_bind_id(t, &b) == 0 &&
           ep_table_bind_id(t, &c) == 0,
       "flow ids 0, 1024 and 2^22-1 indexed");
    ok(ep_table_by_id(t, 0) == &a && ep_table_by_id(t, 1024) == &b &&
           ep_table_by_id(t, EVQ_FLOW_MAX) == &c,
       "found by flow id");
    ok(ep_table_by_id(t, 1) == NULL && ep_table_by_id(t, 5000) == NULL &&
           ep_table_by_id(t, EVQ_FLOW_MAX + 1) == NULL,
       "others: none (beyond 2^22 too)");
    struct eth_flow big = {.flow_id = EVQ_FLOW_MAX + 1};
    is(ep_table_bind_id(t, &big), -EINVAL, "a flow id beyond 2^22: refused");

    memcpy(a.peer_mac, mac_a, 6);
    a.peer_eid = 7;
    memcpy(b.peer_mac, mac_b, 6);
    b.peer_eid = 7;
    memcpy(c.peer_mac, mac_a, 6);
    c.peer_eid = 8;
    ep_table_bind_peer(t, &a);
    ep_table_bind_peer(t, &b);
    ep_table_bind_peer(t, &c);
    ok(ep_table_by_peer(t, mac_a, 7) == &a && ep_table_by_peer(t, mac_b, 7) == &b &&
           ep_table_by_peer(t, mac_a, 8) == &c,
       "found by (peer MAC, peer endpoint id)");
    ok(ep_table_by_peer(t, mac_b, 8) == NULL, "another pair: none");
    ep_table_del(t, &a);
    ok(ep_table_by_peer(t, mac_a, 7) == NULL && ep_table_by_id(t, 0) == NULL,
       "deleted from both indexes");
    ok(ep_table_by_peer(t, mac_a, 8) == &c && ep_table_by_id(t, EVQ_FLOW_MAX) == &c,
       "the others stay");
    ep_table_destroy(&t);
}

struct reader_arg {
    struct ep_table *t;
    _Atomic int inside;
};

static void *reader(void *arg)
{
    struct reader_arg *r = arg;
    struct ep_reader *rd = ep_table_reader(r->t, 0);

    ep_read_begin(rd);
    atomic_store(&r->inside, 1);
    usleep(100000);
    ep_read_end(rd);
    return NULL;
}

static void test_sync(void)
{
    struct reader_arg r = {.t = ep_table_new()};
    pthread_t th;
    uint64_t t0;

    t0 = now_ns();
    ep_table_sync(r.t);
    ok(now_ns() - t0 < 10000000ull, "no reader inside: sync returns at once");
    pthread_create(&th, NULL, reader, &r);
    while (!atomic_load(&r.inside))
        usleep(1000);
    t0 = now_ns();
    ep_table_sync(r.t);
    ok(now_ns() - t0 >= 50000000ull, "a reader inside: sync waits until it leaves");
    pthread_join(th, NULL);
    ep_table_destroy(&r.t);
}

static void test_blob(void)
{
    struct eth_flow a = {0}, b = {0};
    uint8_t blob[ETH_FLOW_BLOB_LEN];

    a.eid = 0x1234;
    a.peer_eid = 0xfedc;
    memcpy(a.peer_mac, mac_b, 6);
    eth_flow_blob_write(&a, blob);
    ok(eth_flow_blob_read(&b, blob, sizeof(blob)) == 0 && b.eid == a.eid &&
           b.peer_eid == a.peer_eid && memcmp(b.peer_mac, mac_b, 6) == 0,
       "a blob reads back");
    is(eth_flow_blob_read(&b, blob, sizeof(blob) - 1), -EINVAL, "a short blob: refused");
    is(eth_flow_blob_read(&b, NULL, 0), -EINVAL, "no blob: refused");
    blob[0] = 9;
    is(eth_flow_blob_read(&b, blob, sizeof(blob)), -EINVAL, "another version: refused");
    blob[0] = 1;
    blob[2] = blob[3] = 0;
    is(eth_flow_blob_read(&b, blob, sizeof(blob)), -EINVAL, "endpoint 0: refused");
}

int main(void)
{
    plan(15 + 3 + 8 + 2 + 5);
    test_eids();
    test_full();
    test_indexes();
    test_sync();
    test_blob();
    return done();
}
