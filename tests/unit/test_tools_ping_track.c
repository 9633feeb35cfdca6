/*
 * test_tools_ping_track.c - oping's book of pings: replies in order, out
 * of order, twice, late (after their loss), losses after the timeout,
 * ids widened from 32 bits, and the window's flow control.
 */
#include "ping_track.h"
#include "tap.h"

static void test_replies(void)
{
    struct ping_track t;
    uint64_t id = 99;

    is(ping_track_init(&t), 0, "init");
    for (int i = 0; i < 4; i++)
        ping_track_next(&t, 1000 + (uint64_t)i);
    is(ping_track_reply(&t, 0), PING_IN_ORDER, "0: in order");
    is(ping_track_reply(&t, 2), PING_IN_ORDER, "2: in order (1 still pending)");
    is(ping_track_reply(&t, 1), PING_OUT_OF_ORDER, "1 after 2: out of order");
    is(ping_track_reply(&t, 1), PING_DUPLICATE, "1 again: duplicate");
    is(ping_track_reply(&t, 7), PING_BOGUS, "7: never sent");
    is(t.received, 3, "3 distinct replies");
    ok(!ping_track_done(&t), "3 still pending");
    ok(!ping_track_expire(&t, 1500, 1000, &id), "nothing lost before the timeout");
    ok(ping_track_expire(&t, 2003, 1000, &id), "3 lost after the timeout");
    is(id, 3, "the lost one is 3");
    ok(!ping_track_expire(&t, 2003, 1000, &id), "only once");
    ok(ping_track_done(&t), "every ping settled");
    is(ping_track_reply(&t, 3), PING_LATE, "3 comes after all: late");
    is(ping_track_reply(&t, 3), PING_DUPLICATE, "3 again: duplicate");
    is(t.received, 4, "the late one counts as received");
    is(t.out_of_order, 1, "1 out of order");
    is(t.late, 1, "1 late");
    is(t.duplicates, 2, "2 duplicates");
    ping_track_fini(&t);
}

static void test_window(void)
{
    struct ping_track t;
    uint64_t id;
    int n = 0;

    ping_track_init(&t);
    while (ping_track_has_room(&t))
        ping_track_next(&t, 0), n++;
    is(n, PING_TRACK_WINDOW / 2, "half a window in flight at most");
    ping_track_reply(&t, 0);
    ok(ping_track_has_room(&t), "a reply to the oldest makes room");
    while (ping_track_expire(&t, 10, 5, &id))
        ;
    ok(ping_track_done(&t), "the rest expires");
    /* Far beyond the window: the slots are reused. */
    for (int i = 0; i < 3 * PING_TRACK_WINDOW; i++) {
        id = ping_track_next(&t, 100);
        ping_track_reply(&t, id);
    }
    is(ping_track_reply(&t, id), PING_DUPLICATE, "reused slots still find duplicates");
    is(ping_track_reply(&t, 5), PING_STALE, "an id from long ago is stale");
    is(ping_track_widen(&t, (uint32_t)id), id, "widen: a recent id");
    ping_track_fini(&t);
}

static void test_widen(void)
{
    struct ping_track t;

    ping_track_init(&t);
    atomic_store(&t.check, 0x1fffffff0ull);
    atomic_store(&t.sent, 0x200000010ull);
    is(ping_track_widen(&t, 0xfffffff5u), 0x1fffffff5ull, "widen: just below the wrap");
    is(ping_track_widen(&t, 0x00000005u), 0x200000005ull, "widen: just past the wrap");
    atomic_store(&t.check, 3);
    is(ping_track_widen(&t, 0xffffffffu), 0xffffffffull, "widen: never below 0");
    ping_track_fini(&t);
}

int main(void)
{
    plan(19 + 6 + 3);
    test_replies();
    test_window();
    test_widen();
    return done();
}
