/*
 * test_shim_udp_ep_table.c - the UDP shim's endpoint table: endpoint ids
 * with generations, look-ups by endpoint id, flow id and peer, restores,
 * a full table; and lock-free look-ups racing adds and removes with the
 * grace periods of qsbr (a freed flow is poisoned: a reader that still held
 * it would see the poison).
 */
#include "ep_table.h"
#include "qsbr.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static struct udp_flow *flow(uint32_t fid)
{
    struct udp_flow *f = calloc(1, sizeof(*f));

    f->fid = fid;
    f->timer = -1;
    return f;
}

static void count_one(void *arg, struct udp_flow *f)
{
    (void)f;
    (*(int *)arg)++;
}

static void test_basics(void)
{
    struct ep_table *t = ep_table_new();
    struct udp_flow *a = flow(7), *b = flow(7 + EP_FID_BUCKETS), *c = flow(9), *r = flow(11);
    struct in_addr ip;
    uint32_t old;
    int n = 0;

    inet_pton(AF_INET, "10.0.0.2", &ip);
    ok(t != NULL, "a table");
    is(ep_table_add(t, a), 0, "add a flow");
    ok(a->eid != 0 && (a->eid & 0xffff) != 0, "... it gets an endpoint id (%#x)", a->eid);
    is(ep_table_add(t, b), 0, "add a flow whose id shares a bucket");
    ok(ep_table_by_eid(t, a->eid) == a && ep_table_by_eid(t, b->eid) == b,
       "both found by endpoint id");
    ok(ep_table_by_fid(t, 7) == a && ep_table_by_fid(t, 7 + EP_FID_BUCKETS) == b,
       "both found by flow id");
    ok(ep_table_by_fid(t, 8) == NULL && ep_table_by_eid(t, 0) == NULL &&
           ep_table_by_eid(t, a->eid + 0x10000) == NULL,
       "no flow 8, no endpoint 0, not a's slot in another generation");
    udp_addr_set(&a->peer, AF_INET, &ip, 3435);
    a->peer_eid = 42;
    ep_table_index_peer(t, a);
    ok(ep_table_by_peer(t, &a->peer, 42) == a, "found by its peer and the peer's endpoint id");
    udp_addr_set_port(&a->peer, 3436);
    ok(ep_table_by_peer(t, &a->peer, 42) == NULL, "... not by another port");
    udp_addr_set_port(&a->peer, 3435);
    ok(ep_table_by_peer(t, &a->peer, 43) == NULL, "... not by another endpoint id");
    ep_table_foreach(t, count_one, &n);
    is(n, 2, "foreach sees both");
    n = 0;
    ep_table_foreach_peer(t, count_one, &n);
    is(n, 1, "foreach_peer sees the one indexed by its peer");

    old = a->eid;
    ep_table_remove(t, a);
    ok(ep_table_by_eid(t, old) == NULL && ep_table_by_fid(t, 7) == NULL &&
           ep_table_by_peer(t, &a->peer, 42) == NULL,
       "removed: gone by every key");
    ok(ep_table_by_fid(t, 7 + EP_FID_BUCKETS) == b, "... the other of its bucket stays");
    is(ep_table_reserve(t, c), 0, "reserve an endpoint id");
    ok(ep_table_by_eid(t, c->eid) == NULL, "... a reserved id finds no flow");
    ep_table_publish(t, c);
    ok(ep_table_by_eid(t, c->eid) == c && ep_table_by_fid(t, 9) == c, "... published: found");

    /* A restart gives the ids back. */
    is(ep_table_reserve_eid(t, r, old), 0, "reserve a's old id (a restart)");
    ep_table_publish(t, r);
    ok(ep_table_by_eid(t, old) == r, "... found under it");
    is(ep_table_reserve_eid(t, a, old), -EEXIST, "the same id twice: -EEXIST");
    is(ep_table_reserve_eid(t, a, 0x50000), -EINVAL, "slot 0: -EINVAL");
    ep_table_remove(t, r);
    is(ep_table_reserve_eid(t, a, old), 0, "free again: a takes it back");
    ep_table_publish(t, a);
    is(t->count, 3, "three ids taken");
    ep_table_remove(t, a);
    ep_table_remove(t, b);
    ep_table_remove(t, c);
    is(t->count, 0, "none after the removes");
    free(a);
    free(b);
    free(c);
    free(r);
    ep_table_destroy(&t);
    ok(t == NULL, "destroy NULLs the pointer");
}

static void test_full(void)
{
    struct ep_table *t = ep_table_new();
    static struct udp_flow fs[EP_SLOTS];
    struct udp_flow extra = {.fid = 1};
    int added = 0;

    for (uint32_t i = 0; i < EP_SLOTS - 1; i++) {
        fs[i].fid = i;
        added += ep_table_add(t, &fs[i]) == 0;
    }
    is(added, (int)EP_SLOTS - 1, "65535 flows fit");
    is(ep_table_add(t, &extra), -ENOSPC, "the next one: -ENOSPC");
    ep_table_remove(t, &fs[100]);
    is(ep_table_add(t, &extra), 0, "one removed: room again");
    ok(extra.eid != fs[100].eid && (extra.eid & 0xffff) == (fs[100].eid & 0xffff),
       "... in its slot, in the next generation");
    ep_table_destroy(&t);
}

/* ---- lock-free readers against a writer ---- */

#define POISON 0xdeadbeefu

struct race {
    struct ep_table *t;
    struct qsbr q;
    _Atomic int stop, started;
    _Atomic uint64_t seen, bad;
};

static void *reader(void *arg)
{
    struct race *r = arg;
    int i = 0;

    qsbr_online(&r->q, 0);
    atomic_store(&r->started, 1);
    while (!atomic_load(&r->stop)) {
        for (uint32_t fid = 0; fid < 64; fid++) {
            struct udp_flow *f = ep_table_by_fid(r->t, fid);

            if (f == NULL)
                continue;
            atomic_fetch_add(&r->seen, 1);
            /* Hold it a while, as a data thread does for a batch. */
            for (int k = 0; k < 50; k++)
                __asm__ __volatile__("" ::: "memory");
            if (*(volatile uint32_t *)&f->fid != fid ||
                *(volatile uint32_t *)&f->peer_eid == POISON)
                atomic_fetch_add(&r->bad, 1);
        }
        qsbr_quiescent(&r->q, 0);
        if (++i % 64 == 0) { /* sometimes offline, as before a blocking call */
            qsbr_offline(&r->q, 0);
            qsbr_online(&r->q, 0);
        }
    }
    qsbr_offline(&r->q, 0);
    return NULL;
}

static void test_race(void)
{
    struct race r = {.t = ep_table_new()};
    struct udp_flow *live[64] = {0};
    static struct udp_flow *dead[1 << 16];
    pthread_t th;
    uint64_t freed = 0;

    qsbr_init(&r.q);
    pthread_create(&th, NULL, reader, &r);
    while (!atomic_load(&r.started))
        usleep(100);
    for (int round = 0; round < 20000 || atomic_load(&r.seen) < 100000; round++) {
        uint32_t fid = (uint32_t)rand() % 64;

        if (live[fid] == NULL) {
            live[fid] = flow(fid);
            ep_table_add(r.t, live[fid]);
        } else {
            struct udp_flow *f = live[fid];

            ep_table_remove(r.t, f);
            qsbr_synchronize(&r.q);
            /* Kept poisoned (not reused) until the end: a reader still
             * holding it would see the poison. */
            f->fid = POISON;
            f->peer_eid = POISON;
            live[fid] = NULL;
            if (freed < sizeof(dead) / sizeof(dead[0]))
                dead[freed++] = f;
            else
                free(f);
        }
    }
    atomic_store(&r.stop, 1);
    pthread_join(th, NULL);
    ok(atomic_load(&r.seen) > 0, "the reader found flows (%llu look-ups hit, %llu frees)",
       (unsigned long long)atomic_load(&r.seen), (unsigned long long)freed);
    is(atomic_load(&r.bad), 0, "it never saw a freed flow");
    for (int i = 0; i < 64; i++)
        free(live[i]);
    for (uint64_t i = 0; i < freed; i++)
        free(dead[i]);
    ep_table_destroy(&r.t);
}

int main(void)
{
    plan(25 + 4 + 2);
    test_basics();
    test_full();
    test_race();
    return tap_failed != 0;
}
