/*
 * test_ring.c - the SPSC ring: order and wrap-around, full and empty,
 * blocking with timeouts, wake-ups across processes with and without the
 * spin, 10 million offsets between two processes, states, and kill -9 of
 * either side ending the other's blocked call.
 */
#include "child.h"
#include "deadline.h"
#include "ring.h"
#include "tap.h"

#include <string.h>

#define MS 1000000ull

static struct ring *ring_new(uint32_t slots)
{
    struct ring *r = shared_alloc(ring_size(slots));

    if (r == NULL || ring_init(r, slots, 1) != 0)
        bail_out("cannot make a ring");
    return r;
}

static void test_basic(void)
{
    struct ring *r = ring_new(8);
    uint64_t v = 0;
    bool order = true;
    int pushed = 0;

    is(ring_init(r, 6, 0), -EINVAL, "6 slots (not a power of two) refused");
    is(ring_init(r, 1u << 21, 0), -EINVAL, "too many slots refused");
    ring_init(r, 8, 1);
    is(ring_check(r, ring_size(8)), 0, "a laid-out ring checks");
    is(ring_check(r, ring_size(8) - 8), -EINVAL, "a ring bigger than its memory does not");
    is(ring_pop(r, &v), -EAGAIN, "empty: -EAGAIN");
    while (ring_push(r, (uint64_t)pushed + 1) == 0)
        pushed++;
    is(pushed, 8, "holds exactly its 8 slots");
    is(ring_count(r), 8, "count says 8");
    is(ring_push(r, 99), -EAGAIN, "full: -EAGAIN");
    /* Wrap around many times at every fill level. */
    for (uint64_t next = 1, in = 9; in < 5000; in++) {
        if (ring_pop(r, &v) != 0 || v != next++)
            order = false;
        if (ring_push(r, in) != 0)
            order = false;
        if (in % 7 == 0) {
            if (ring_pop(r, &v) != 0 || v != next++)
                order = false;
            if (ring_push(r, ++in) != 0)
                order = false;
        }
    }
    ok(order, "5000 pushes and pops around the ring keep FIFO order");
    {
        uint64_t b[16];
        int n = ring_pop_burst(r, b, 16);
        is(n, 8, "a burst pops all 8 queued");
        ok(n == 8 && b[7] == b[0] + 7, "in order");
        is(ring_pop_burst(r, b, 16), -EAGAIN, "a burst from an empty ring: -EAGAIN");
    }
    munmap(r, ring_size(8));
}

static void test_timeouts(void)
{
    struct ring *r = ring_new(4);
    struct spin sp;
    uint64_t v, t0, dt;

    spin_init(&sp, 20000);
    t0 = now_ns();
    is(ring_pop_wait(r, &v, now_ns() + 100 * MS, &sp), -ETIMEDOUT,
       "a read on an empty ring times out");
    dt = now_ns() - t0;
    ok(dt >= 99 * MS && dt < 400 * MS, "at its deadline (%llu ms)",
       (unsigned long long)(dt / MS));
    is(ring_pop_wait(r, &v, now_ns(), NULL), -ETIMEDOUT,
       "a deadline of now is a non-blocking read");
    for (int i = 1; i <= 4; i++)
        ring_push(r, (uint64_t)i);
    t0 = now_ns();
    is(ring_push_wait(r, 5, now_ns() + 50 * MS, NULL), -ETIMEDOUT,
       "a write on a full ring times out");
    dt = now_ns() - t0;
    ok(dt >= 49 * MS && dt < 400 * MS, "at its deadline (%llu ms)",
       (unsigned long long)(dt / MS));
    munmap(r, ring_size(4));
}

struct pc {
    struct ring *r;
    uint64_t count;
    uint32_t spin_ns;
    int delay_ms;
    volatile uint64_t pushed_ns; /* when the last push started */
};

static int producer(void *arg)
{
    struct pc *a = arg;
    struct spin sp;

    spin_init(&sp, a->spin_ns);
    if (a->delay_ms)
        usleep((unsigned)a->delay_ms * 1000);
    for (uint64_t i = 1; i <= a->count; i++) {
        if (i == a->count)
            a->pushed_ns = now_ns();
        if (ring_push_wait(a->r, i, DEADLINE_NONE, &sp) != 0)
            return 1;
    }
    return 0;
}

/* Reads count offsets; exit 0 only if they are exactly 1..count in order. */
static int consumer(void *arg)
{
    struct pc *a = arg;
    struct spin sp;
    uint64_t v;

    spin_init(&sp, a->spin_ns);
    for (uint64_t i = 1; i <= a->count; i++) {
        if (ring_pop_wait(a->r, &v, now_ns() + 10000 * MS, &sp) != 0)
            return 1;
        if (v != i)
            return 2;
    }
    return ring_pop(a->r, &v) == -EAGAIN ? 0 : 3;
}

static void test_wakeup(uint32_t spin_ns)
{
    struct pc *a = shared_alloc(sizeof(*a));
    struct spin sp;
    uint64_t v = 0, dt;
    pid_t pid;

    *a = (struct pc){.r = ring_new(16), .count = 1, .spin_ns = 0, .delay_ms = 50};
    spin_init(&sp, spin_ns);
    pid = child_run(producer, a);
    is(ring_pop_wait(a->r, &v, now_ns() + 5000 * MS, &sp), 0,
       "a sleeping reader (spin %u ns) is woken by a write in another process", spin_ns);
    dt = now_ns() - a->pushed_ns;
    ok(v == 1 && a->pushed_ns != 0 && dt < 20 * MS, "with the packet, %llu us after the write",
       (unsigned long long)(dt / 1000));
    is(child_wait(pid, 5000), 0, "the writer exits cleanly");
    munmap(a->r, ring_size(16));
    munmap(a, sizeof(*a));
}

static void test_stream(uint64_t count, uint32_t spin_ns, uint32_t slots)
{
    struct pc a = {.r = ring_new(slots), .count = count, .spin_ns = spin_ns};
    pid_t prod, cons;
    uint64_t t0 = now_ns();
    int ps, cs;

    cons = child_run(consumer, &a);
    prod = child_run(producer, &a);
    ps = child_wait(prod, 120000);
    cs = child_wait(cons, 120000);
    is(ps, 0, "writer pushed %llu offsets (spin %u ns)", (unsigned long long)count, spin_ns);
    is(cs, 0, "reader got all %llu in order, no loss, no duplicate (%llu ms)",
       (unsigned long long)count, (unsigned long long)((now_ns() - t0) / MS));
    munmap(a.r, ring_size(slots));
}

static void test_states(void)
{
    struct ring *r = ring_new(8);
    uint64_t v;

    ring_push(r, 1);
    ring_set_state(r, RING_DOWN);
    is(ring_push(r, 2), -EFLOWDOWN, "a down flow refuses writes: -EFLOWDOWN");
    is(ring_pop(r, &v), 0, "queued data is still read when the flow goes down");
    is(ring_pop(r, &v), -EFLOWDOWN, "then -EFLOWDOWN");
    ring_clear_state(r, RING_DOWN);
    is(ring_push(r, 3), 0, "up again: writes work");
    ring_set_state(r, RING_PROD_GONE);
    ok(ring_pop(r, &v) == 0 && v == 3, "the gone writer's last packet is delivered");
    is(ring_pop(r, &v), -EFLOWPEER, "then -EFLOWPEER");
    ring_clear_state(r, RING_PROD_GONE);
    ring_set_state(r, RING_CONS_GONE);
    is(ring_push(r, 4), -EFLOWPEER, "no reader: writes fail -EFLOWPEER");
    munmap(r, ring_size(8));
}

/* Blocks in a read (or a write on a full ring) and exits with the error
 * it got, in ms since it blocked in shared memory. */
struct blocked {
    struct ring *r;
    bool write;
    volatile int ready;
    volatile uint64_t ended_ns;
};

static int blocked_child(void *arg)
{
    struct blocked *b = arg;
    uint64_t v = 0;
    int err;

    b->ready = 1;
    if (b->write)
        err = ring_push_wait(b->r, 42, now_ns() + 10000 * MS, NULL);
    else
        err = ring_pop_wait(b->r, &v, now_ns() + 10000 * MS, NULL);
    b->ended_ns = now_ns();
    return err == -EFLOWPEER ? 0 : err == -EFLOWDOWN ? 10 : err == -ETIMEDOUT ? 11 : 12;
}

static int idle_child(void *arg)
{
    (void)arg;
    pause();
    return 0;
}

/* The parent is the reaper: it sees the death and marks the ring, as the
 * IRM does for a flow. */
static void test_kill_peer(bool reader_blocked)
{
    struct blocked *b = shared_alloc(sizeof(*b));
    pid_t blocked, victim;
    uint64_t killed;

    b->r = ring_new(4);
    b->write = !reader_blocked;
    if (b->write)
        for (int i = 1; i <= 4; i++)
            ring_push(b->r, (uint64_t)i);
    victim = child_run(idle_child, NULL);
    blocked = child_run(blocked_child, b);
    wait_flag(&b->ready, 5000);
    usleep(20000); /* let it fall asleep in the futex */
    killed = now_ns();
    child_kill9(victim);
    ring_set_state(b->r, reader_blocked ? RING_PROD_GONE : RING_CONS_GONE);
    is(child_wait(blocked, 5000), 0, "kill -9 of the %s ends the blocked %s with -EFLOWPEER",
       reader_blocked ? "writer" : "reader", reader_blocked ? "read" : "write");
    ok(b->ended_ns > killed && b->ended_ns - killed < 100 * MS, "at once (%llu us)",
       (unsigned long long)((b->ended_ns - killed) / 1000));
    munmap(b->r, ring_size(4));
    munmap(b, sizeof(*b));
}

static void collect(void *ctx, uint64_t off)
{
    *(uint64_t *)ctx += off;
}

static void test_drain(void)
{
    struct ring *r = ring_new(8);
    uint64_t sum = 0;

    ring_push(r, 10);
    ring_push(r, 20);
    ring_push(r, 30);
    is(ring_drain(r, collect, &sum), 3, "drain finds the 3 queued offsets");
    is(sum, 60, "and hands each to the callback");
    is(ring_count(r), 0, "the ring is empty after");
    munmap(r, ring_size(8));
}

/* Offsets per stream: fewer under the sanitizers (several times slower,
 * and a 2-slot ring hands over the CPU at every offset). */
#if defined(__SANITIZE_ADDRESS__)
#define STREAM_N 2000000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STREAM_N 2000000
#endif
#endif
#ifndef STREAM_N
#define STREAM_N 10000000
#endif

int main(void)
{
    plan(43);
    test_basic();
    test_timeouts();
    test_wakeup(0);
    test_wakeup(20000);
    test_stream(STREAM_N, 20000, 1024);
    test_stream(STREAM_N / 5, 20000, 2); /* a hand-over per offset */
    test_stream(200000, 0, 64);
    test_states();
    test_kill_peer(true);
    test_kill_peer(false);
    test_drain();
    return done();
}
