/*
 * test_timerwheel.c - the hashed timing wheel: firing never early and at
 * most a tick late, re-arm and cancel, timers several turns ahead, long
 * gaps, callbacks that re-arm, the next deadline, and many random timers
 * against a brute-force model.
 */
#include "tap.h"
#include "timerwheel.h"

#define MS 1000000ull

struct rec {
    struct tw_timer t;
    uint64_t fired_at;
    int fires;
};

static void on_fire(struct tw_timer *t, void *arg, uint64_t now)
{
    struct rec *r = arg;

    (void)t;
    r->fired_at = now;
    r->fires++;
}

static void test_basic(void)
{
    struct timerwheel *tw = timerwheel_new(MS, 64, 1000 * MS);
    struct rec a = {0}, b = {0}, c = {0};

    ok(tw != NULL, "a wheel of 64 slots of 1 ms");
    ok(timerwheel_new(MS, 63, 0) == NULL, "63 slots refused");
    ok(timerwheel_new(0, 64, 0) == NULL, "a zero tick refused");
    is(timerwheel_next(tw), UINT64_MAX, "empty: no next deadline");
    tw_timer_init(&a.t);
    tw_timer_init(&b.t);
    tw_timer_init(&c.t);
    timerwheel_add(tw, &a.t, 1005 * MS + 1, on_fire, &a);
    timerwheel_add(tw, &b.t, 1200 * MS, on_fire, &b); /* > one turn ahead */
    timerwheel_add(tw, &c.t, 1010 * MS, on_fire, &c);
    is(timerwheel_count(tw), 3, "three pending");
    is(timerwheel_next(tw), 1005 * MS + 1, "next deadline is the earliest");
    is(timerwheel_advance(tw, 1005 * MS), 0, "nothing fires before its time");
    is(timerwheel_advance(tw, 1006 * MS), 1, "it fires within a tick");
    ok(a.fires == 1 && a.fired_at >= 1005 * MS + 1, "never early");
    timerwheel_cancel(tw, &c.t);
    ok(!tw_timer_pending(&c.t), "cancelled");
    timerwheel_cancel(tw, &c.t);
    is(timerwheel_count(tw), 1, "cancel twice is harmless");
    is(timerwheel_next(tw), 1200 * MS, "a timer of a later turn is found");
    is(timerwheel_advance(tw, 1199 * MS), 0, "a later-turn timer waits for its turn");
    is(c.fires, 0, "a cancelled timer never fires");
    timerwheel_add(tw, &b.t, 1300 * MS, on_fire, &b);
    is(timerwheel_count(tw), 1, "re-arming a pending timer moves it");
    is(timerwheel_advance(tw, 1250 * MS), 0, "not at the old time");
    is(timerwheel_advance(tw, 5000 * MS), 1, "a long gap fires it once");
    timerwheel_add(tw, &a.t, 10, on_fire, &a);
    is(timerwheel_advance(tw, 5001 * MS), 1, "a due time in the past fires next");
    timerwheel_add(tw, &a.t, 6000 * MS, on_fire, &a);
    timerwheel_destroy(&tw);
    ok(tw == NULL, "destroy NULLs the pointer");
    timerwheel_destroy(&tw);
}

struct again {
    struct tw_timer t;
    struct timerwheel *tw;
    int fires;
};

static void on_again(struct tw_timer *t, void *arg, uint64_t now)
{
    struct again *g = arg;

    if (++g->fires < 10)
        timerwheel_add(g->tw, t, now + 3 * MS, on_again, g);
}

static void test_rearm_in_callback(void)
{
    struct timerwheel *tw = timerwheel_new(MS, 16, 0);
    struct again g = {.tw = tw};

    tw_timer_init(&g.t);
    timerwheel_add(tw, &g.t, 3 * MS, on_again, &g);
    for (uint64_t t = 0; t <= 100 * MS; t += MS)
        timerwheel_advance(tw, t);
    is(g.fires, 10, "a callback re-arming its timer fires 10 times, 3 ms apart");
    timerwheel_destroy(&tw);
}

#define NT 2000

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_random(void)
{
    static struct rec r[NT];
    static uint64_t due[NT];
    static bool live[NT];
    struct timerwheel *tw = timerwheel_new(MS, 256, 0);
    bool early = false, late = false, lost = false, next_ok = true;
    uint64_t now = 0;

    for (int i = 0; i < NT; i++) {
        tw_timer_init(&r[i].t);
        due[i] = rnd() % (2000 * MS); /* up to ~8 turns ahead */
        live[i] = true;
        timerwheel_add(tw, &r[i].t, due[i], on_fire, &r[i]);
    }
    for (int i = 0; i < NT; i += 7) {
        timerwheel_cancel(tw, &r[i].t);
        live[i] = false;
    }
    for (int step = 0; step < 5000 && timerwheel_count(tw) > 0; step++) {
        uint64_t want = UINT64_MAX;

        for (int i = 0; i < NT; i++)
            if (live[i] && r[i].fires == 0 && due[i] < want)
                want = due[i];
        if (timerwheel_next(tw) != want)
            next_ok = false;
        now += rnd() % (3 * MS);
        timerwheel_advance(tw, now);
        for (int i = 0; i < NT; i++) {
            if (r[i].fires && r[i].fired_at < due[i])
                early = true;
            if (live[i] && r[i].fires == 0 && now >= due[i] + MS)
                late = true;
        }
    }
    for (int i = 0; i < NT; i++)
        if (r[i].fires != (live[i] ? 1 : 0))
            lost = true;
    ok(!early, "%d random timers: none early", NT);
    ok(!late, "none more than a tick late");
    ok(!lost, "each live timer fired exactly once, no cancelled one");
    ok(next_ok, "the next deadline always matches a brute-force model");
    timerwheel_destroy(&tw);
}

int main(void)
{
    plan(24);
    test_basic();
    test_rearm_in_callback();
    test_random();
    return done();
}
