/*
 * test_routing_pff.c - the forwarding function: lookups per cube, table
 * limits, LFA switching at once when the primary is down, ECMP stable per
 * flow and spread over flows, and readers looking up while a writer keeps
 * publishing new tables (freed after a grace period, as the daemon does).
 */
#include "graph.h"
#include "pff.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static struct pff_table *one(uint64_t dst, int nh, int alt)
{
    struct pff_table *t = pff_table_new(4);

    pff_table_add(t, dst, (int[]){nh}, 1, alt);
    return t;
}

static void test_basic(void)
{
    struct pff *p = pff_new();
    struct pff_table *t = pff_table_new(3), *old;
    int bad = 0;

    is(pff_lookup(p, QOS_CUBE_BE, 5, 1), -EHOSTUNREACH, "an empty PFF: no route");
    is(pff_table_add(t, 5, (int[]){7}, 1, -1), 0, "a route to 5 over 7");
    is(pff_table_add(t, 6, (int[]){8}, 1, -1), 0, "a route to 6 over 8");
    is(pff_table_add(t, 5, (int[]){9}, 1, -1), -EEXIST, "5 again: -EEXIST");
    is(pff_table_add(t, 9, (int[]){PFF_NHOP_IDS}, 1, -1), -EINVAL,
       "an id out of range: -EINVAL");
    is(pff_table_add(t, 9, (int[]){1}, 1, -2), -EINVAL, "an alternate of -2: -EINVAL");
    is(pff_table_add(t, 7, (int[]){1}, 1, -1), 0, "a third route");
    is(pff_table_add(t, 8, (int[]){1}, 1, -1), -ENOSPC, "a fourth in a table of 3: -ENOSPC");
    is(pff_table_size(t), 3, "three destinations");
    old = pff_publish(p, QOS_CUBE_VIDEO, t);
    ok(old == NULL, "published for video; nothing replaced");
    is(pff_lookup(p, QOS_CUBE_VIDEO, 5, 1), 7, "video: 5 goes over 7");
    is(pff_lookup(p, QOS_CUBE_VIDEO, 6, 1), 8, "video: 6 goes over 8");
    is(pff_lookup(p, QOS_CUBE_VIDEO, 4, 1), -EHOSTUNREACH, "video: no route to 4");
    is(pff_lookup(p, QOS_CUBE_BE, 5, 1), -EHOSTUNREACH, "best effort has its own table");
    is(pff_lookup(p, (uint8_t)QOS_CUBE_MAX, 5, 1), -EHOSTUNREACH, "an unknown cube: no route");
    pff_set_down(p, 7, true);
    is(pff_lookup(p, QOS_CUBE_VIDEO, 5, 1), -EHOSTUNREACH, "7 down, no alternate: no route");
    pff_set_down(p, 7, false);
    is(pff_lookup(p, QOS_CUBE_VIDEO, 5, 1), 7, "7 up again");
    /* A table filled to its limit still finds every entry and misses. */
    t = pff_table_new(1000);
    for (uint64_t d = 1; d <= 1000; d++)
        pff_table_add(t, d * 7919, (int[]){(int)(d % PFF_NHOP_IDS)}, 1, -1);
    pff_table_free(&old);
    old = pff_publish(p, QOS_CUBE_BE, t);
    for (uint64_t d = 1; d <= 1000; d++)
        bad += pff_lookup(p, QOS_CUBE_BE, d * 7919, 0) != (int)(d % PFF_NHOP_IDS);
    for (uint64_t d = 1; d <= 1000; d++)
        bad += pff_lookup(p, QOS_CUBE_BE, d * 7919 + 1, 0) != -EHOSTUNREACH;
    is(bad, 0, "1000 routes: each found, 1000 others missed");
    ok(old == NULL, "nothing was published for best effort before");
    pff_destroy(&p);
    ok(p == NULL, "destroy frees the published tables and sets the pointer to NULL");
}

static void test_lfa(void)
{
    struct pff *p = pff_new();
    struct pff_table *old = pff_publish(p, QOS_CUBE_BE, one(5, 10, 11));

    is(pff_lookup(p, QOS_CUBE_BE, 5, 1), 10, "LFA: the primary while it is up");
    pff_set_down(p, 10, true);
    ok(pff_is_down(p, 10), "the primary marked down");
    is(pff_lookup(p, QOS_CUBE_BE, 5, 1), 11, "... the very next lookup takes the alternate");
    pff_set_down(p, 11, true);
    is(pff_lookup(p, QOS_CUBE_BE, 5, 1), -EHOSTUNREACH, "both down: no route");
    pff_set_down(p, 10, false);
    is(pff_lookup(p, QOS_CUBE_BE, 5, 1), 10, "the primary up again: back to it");
    pff_table_free(&old);
    pff_destroy(&p);
}

static void test_ecmp(void)
{
    struct pff *p = pff_new();
    struct pff_table *t = pff_table_new(1), *old;
    int count[2] = {0, 0}, same = 1, moved = 0, nh;

    pff_table_add(t, 5, (int[]){20, 21}, 2, -1);
    old = pff_publish(p, QOS_CUBE_BE, t);
    for (uint64_t eid = 64; eid < 64 + 1000; eid++) {
        nh = pff_lookup(p, QOS_CUBE_BE, 5, eid);
        if (nh == 20 || nh == 21)
            count[nh - 20]++;
        for (int k = 0; k < 10; k++)
            same &= pff_lookup(p, QOS_CUBE_BE, 5, eid) == nh;
    }
    ok(same, "ECMP: every packet of a flow takes the same next hop");
    ok(count[0] + count[1] == 1000, "... always one of the two");
    ok(count[0] > 400 && count[1] > 400, "... 1000 flows spread over both (%d / %d)", count[0],
       count[1]);
    is(pff_flow_hash(5, 77), pff_flow_hash(5, 77), "the flow hash is a function of the flow");
    ok(pff_flow_hash(5, 77) != pff_flow_hash(6, 77), "... and of its destination");

    /* A new table with the same routes: flows keep their next hop. */
    nh = pff_lookup(p, QOS_CUBE_BE, 5, 99);
    t = pff_table_new(1);
    pff_table_add(t, 5, (int[]){20, 21}, 2, -1);
    pff_table_free(&old);
    old = pff_publish(p, QOS_CUBE_BE, t);
    is(pff_lookup(p, QOS_CUBE_BE, 5, 99), nh, "a republished table keeps a flow on its path");

    pff_set_down(p, 20, true);
    for (uint64_t eid = 64; eid < 64 + 100; eid++)
        moved += pff_lookup(p, QOS_CUBE_BE, 5, eid) != 21;
    is(moved, 0, "20 down: every flow goes over 21");
    pff_table_free(&old);
    pff_destroy(&p);
}

/* From the database to a packet: a triangle's LFA routes, neighbour
 * address a reached over N-1 flow 100 + a, the primary failing. */
static void test_from_graph(void)
{
    struct lsdb *db = lsdb_new(60000);
    struct pff *p = pff_new();
    struct pff_table *t, *old;
    struct graph_route *r;
    size_t n;

    for (uint64_t v = 1; v <= 3; v++) {
        struct lsa l = {.origin = v, .seqno = 1, .n_links = 2};

        l.links[0] = (struct lsa_link){.addr = v % 3 + 1, .metric = 1};
        l.links[1] = (struct lsa_link){.addr = (v + 1) % 3 + 1, .metric = 1};
        lsdb_insert(db, &l, 0);
    }
    graph_routes(db, 1, GRAPH_LFA, &r, &n);
    t = pff_table_new(n);
    for (size_t i = 0; i < n; i++) {
        int nh = (int)(100 + r[i].nhops[0]);

        pff_table_add(t, r[i].dst, &nh, 1, r[i].alt ? (int)(100 + r[i].alt) : -1);
    }
    graph_routes_free(&r);
    old = pff_publish(p, QOS_CUBE_VOICE, t);
    is(pff_lookup(p, QOS_CUBE_VOICE, 2, 64), 102, "triangle: 2 over the flow to 2");
    pff_set_down(p, 102, true);
    is(pff_lookup(p, QOS_CUBE_VOICE, 2, 64), 103, "... that flow down: over 3 at once");
    is(pff_lookup(p, QOS_CUBE_VOICE, 3, 64), 103, "... 3 is still direct");
    pff_table_free(&old);
    pff_destroy(&p);
    lsdb_destroy(&db);
}

/* Readers look up as forwarding threads do and report a quiescent point
 * after each lookup; the writer publishes and frees the old table once
 * every reader has passed one. */
#define READERS    2
#define SWAPS_MAX  1000000
#define SWAPS_MIN  100
#define RUN_S      0.3
#define DEADLINE_S 10

struct race {
    struct pff *p;
    _Atomic bool stop;
    _Atomic uint64_t quiescent[READERS];
    _Atomic uint64_t bad;
    _Atomic uint64_t lookups;
};

struct reader_arg {
    struct race *r;
    int id;
};

static void *reader(void *arg)
{
    struct reader_arg *a = arg;
    struct race *r = a->r;
    uint64_t n = 0;

    while (!atomic_load(&r->stop) && n < 100000000) {
        int nh = pff_lookup(r->p, QOS_CUBE_BE, 5, n);

        /* Every table routes 5 over 1 or 2: anything else is a torn or freed table. */
        if (nh != 1 && nh != 2)
            atomic_fetch_add(&r->bad, 1);
        atomic_fetch_add(&r->quiescent[a->id], 1);
        n++;
    }
    atomic_fetch_add(&r->lookups, n);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_race(void)
{
    struct race r = {.p = pff_new()};
    struct reader_arg args[READERS];
    pthread_t th[READERS];
    double start = now_s(), deadline = start + DEADLINE_S;
    int swaps = 0, timed_out = 0;
    struct pff_table *old;

    old = pff_publish(r.p, QOS_CUBE_BE, one(5, 1, -1));
    ok(old == NULL, "race: a first table");
    for (int i = 0; i < READERS; i++) {
        args[i] = (struct reader_arg){.r = &r, .id = i};
        pthread_create(&th[i], NULL, reader, &args[i]);
    }
    /* At least RUN_S seconds and SWAPS_MIN swaps (a loaded machine may
     * need longer for the grace periods), at most DEADLINE_S. */
    for (swaps = 0;
         swaps < SWAPS_MAX && !timed_out && (now_s() < start + RUN_S || swaps < SWAPS_MIN);
         swaps++) {
        uint64_t seen[READERS];

        old = pff_publish(r.p, QOS_CUBE_BE, one(5, 1 + (swaps + 1) % 2, -1));
        for (int i = 0; i < READERS; i++)
            seen[i] = atomic_load(&r.quiescent[i]);
        /* Grace period: every reader past a quiescent point since the swap. */
        for (int i = 0; i < READERS; i++)
            while (atomic_load(&r.quiescent[i]) == seen[i] && !timed_out) {
                /* Two cores, three threads: let the readers run. */
                nanosleep(&(struct timespec){.tv_nsec = 20000}, NULL);
                timed_out = now_s() > deadline;
            }
        pff_table_free(&old);
    }
    atomic_store(&r.stop, true);
    for (int i = 0; i < READERS; i++)
        pthread_join(th[i], NULL);
    ok(!timed_out && swaps >= SWAPS_MIN, "race: %d swaps, each grace period within %d s", swaps,
       DEADLINE_S);
    is(atomic_load(&r.bad), 0, "race: %llu lookups, every one saw a whole table",
       (unsigned long long)atomic_load(&r.lookups));
    pff_destroy(&r.p);
}

int main(void)
{
    plan(20 + 5 + 7 + 3 + 3);
    test_basic();
    test_lfa();
    test_ecmp();
    test_from_graph();
    test_race();
    return done();
}
