/*
 * test_routing_fwd.c - the forwarding decision: deliver what is ours
 * whatever its TTL, forward with a TTL above 1 to the PFF's next hop of the
 * packet's cube, drop (with the right reason) what has no route, no TTL
 * left or a broken header; and the PFF's grace period.
 */
#include "fwd.h"
#include "pff.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static struct pff *make_pff(void)
{
    struct pff *p = pff_new();
    struct pff_table *t = pff_table_new(4);
    int nh = 5;

    pff_table_add(t, 40, &nh, 1, -1);
    nh = 7;
    pff_table_add(t, 41, &nh, 1, -1);
    pff_table_free((struct pff_table *[]){pff_publish(p, QOS_CUBE_BE, t)});
    return p;
}

static void test_decide(void)
{
    struct pff *p = make_pff();
    struct dt_hdr h = {.dst = 17, .cube = QOS_CUBE_BE, .ttl = 1, .eid = 4};
    struct fwd_verdict v;

    v = fwd_decide(&h, 17, p);
    is(v.action, FWD_DELIVER, "ours with TTL 1: delivered");
    h.dst = 40;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_DROP && v.reason == FWD_DROP_TTL, "transit with TTL 1: dropped (ttl)");
    h.ttl = 2;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_FORWARD && v.nhop == 5, "transit with TTL 2: forwarded to next hop 5");
    h.dst = 41;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_FORWARD && v.nhop == 7, "another dst: its own next hop 7");
    h.dst = 99;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_DROP && v.reason == FWD_DROP_NOROUTE, "unknown dst: dropped (noroute)");
    h.dst = 40;
    h.cube = QOS_CUBE_VOICE;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_DROP && v.reason == FWD_DROP_NOROUTE,
       "a cube without a table: dropped (noroute)");
    h.cube = QOS_CUBE_MAX;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_DROP && v.reason == FWD_DROP_BADHDR, "unknown cube: dropped (badhdr)");
    h.cube = QOS_CUBE_BE;
    pff_set_down(p, 5, true);
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_DROP && v.reason == FWD_DROP_NOROUTE,
       "next hop down: dropped (noroute)");
    pff_set_down(p, 5, false);
    h.ttl = 0;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_DROP && v.reason == FWD_DROP_BADHDR, "TTL 0: dropped (badhdr)");
    h.ttl = 9;
    h.dst = 0;
    v = fwd_decide(&h, 17, p);
    ok(v.action == FWD_DROP && v.reason == FWD_DROP_BADHDR, "dst 0: dropped (badhdr)");
    pff_destroy(&p);
}

static void test_names(void)
{
    int distinct = 1;

    for (int i = 0; i < FWD_DROP_REASONS; i++)
        for (int j = i + 1; j < FWD_DROP_REASONS; j++)
            distinct &= strcmp(fwd_drop_name(i), fwd_drop_name(j)) != 0;
    ok(distinct, "every drop reason has its own name");
    is_str(fwd_drop_name(FWD_DROP_TTL), "ttl", "the TTL counter is 'ttl'");
    is_str(fwd_drop_name(FWD_DROP_REASONS), "?", "out of range: '?'");
}

static void test_grace(void)
{
    struct pff *p = make_pff();
    struct pff_table *t = pff_table_new(1), *old;

    pff_enter(p, 3);
    ok(pff_lookup(p, QOS_CUBE_BE, 40, 0) == 5, "a reader inside looks up");
    pff_leave(p, 3);
    old = pff_publish(p, QOS_CUBE_BE, t);
    pff_synchronize(p); /* nobody inside: returns at once */
    pff_table_free(&old);
    ok(old == NULL, "the old table freed after the grace period");
    is(pff_lookup(p, QOS_CUBE_BE, 40, 0), -EHOSTUNREACH, "the new (empty) table is in use");
    pff_destroy(&p);
}

struct inside {
    struct pff *p;
    _Atomic int entered, left;
};

static void *reader(void *arg)
{
    struct inside *in = arg;
    struct timespec ts = {0, 50 * 1000 * 1000};

    pff_enter(in->p, 9);
    atomic_store(&in->entered, 1);
    nanosleep(&ts, NULL);
    atomic_store(&in->left, 1);
    pff_leave(in->p, 9);
    return NULL;
}

static void test_wait(void)
{
    struct inside in = {.p = make_pff()};
    struct timespec ts = {0, 1000 * 1000};
    pthread_t t;

    pthread_create(&t, NULL, reader, &in);
    for (int i = 0; i < 5000 && !atomic_load(&in.entered); i++)
        nanosleep(&ts, NULL);
    pff_synchronize(in.p);
    ok(atomic_load(&in.left), "pff_synchronize waits for a reader inside to leave");
    pthread_join(t, NULL);
    pff_destroy(&in.p);
}

int main(void)
{
    plan(10 + 3 + 3 + 1);
    test_decide();
    test_names();
    test_grace();
    test_wait();
    return done();
}
