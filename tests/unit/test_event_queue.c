/*
 * test_event_queue.c - the per-process event queue: order, bad input,
 * overflow reported (never silent), several posting processes, a slot
 * claimed by a poster that died, wake-ups and timeouts.
 */
#include "child.h"
#include "deadline.h"
#include "event_queue.h"
#include "tap.h"

#include <sched.h>

#define MS 1000000ull

static struct evq *evq_new(uint32_t slots)
{
    struct evq *q = shared_alloc(evq_size(slots));

    if (q == NULL || evq_init(q, slots) != 0)
        bail_out("cannot make an event queue");
    return q;
}

static void test_order(void)
{
    struct evq *q = evq_new(16);
    struct evq_event ev;
    bool good = true;

    is(evq_init(q, 12), -EINVAL, "12 slots refused");
    evq_init(q, 16);
    is(evq_check(q, evq_size(16)), 0, "a laid-out queue checks");
    is(evq_next(q, &ev), 0, "empty: no event");
    for (uint32_t i = 0; i < 40; i++) {
        if (evq_post(q, 100 + i, EVQ_FLOW_PKT) != 0)
            good = false;
        if (i % 3 == 0 && evq_post(q, EVQ_FLOW_MAX, EVQ_FLOW_PEER) != 0)
            good = false;
        if (evq_next(q, &ev) != 1 || ev.flow != 100 + i || ev.type != EVQ_FLOW_PKT)
            good = false;
        if (i % 3 == 0 &&
            (evq_next(q, &ev) != 1 || ev.flow != EVQ_FLOW_MAX || ev.type != EVQ_FLOW_PEER))
            good = false;
    }
    ok(good, "events come out in order with their flow id and type, around the ring");
    is(evq_post(q, EVQ_FLOW_MAX + 1, EVQ_FLOW_PKT), -EINVAL, "a flow id too large: -EINVAL");
    is(evq_post(q, 1, 0), -EINVAL, "no type: -EINVAL");
    is(evq_post(q, 1, EVQ_OVERFLOW), -EINVAL, "posting the overflow type: -EINVAL");
    is(evq_lost(q), 0, "nothing lost so far");
    munmap(q, evq_size(16));
}

static void test_overflow(void)
{
    struct evq *q = evq_new(8);
    struct evq_event ev;
    int refused = 0;
    bool order = true;

    for (uint32_t i = 0; i < 13; i++)
        if (evq_post(q, i, EVQ_FLOW_PKT) == -ENOSPC)
            refused++;
    is(refused, 5, "8 slots: 5 of 13 posts refused with -ENOSPC, without blocking");
    is(evq_lost(q), 5, "and counted as lost");
    ok(evq_next(q, &ev) == 1 && ev.type == EVQ_OVERFLOW, "the reader hears of it first");
    for (uint32_t i = 0; i < 8; i++)
        if (evq_next(q, &ev) != 1 || ev.flow != i || ev.type != EVQ_FLOW_PKT)
            order = false;
    ok(order, "then the 8 events that fit, in order");
    is(evq_next(q, &ev), 0, "then nothing");
    evq_post(q, 50, EVQ_FLOW_UP);
    ok(evq_next(q, &ev) == 1 && ev.flow == 50 && ev.type == EVQ_FLOW_UP,
       "after draining, posting works again and no stale overflow is repeated");
    munmap(q, evq_size(8));
}

struct poster {
    struct evq *q;
    uint32_t id;
    uint32_t count;
    volatile uint32_t *refused; /* per poster */
};

static int poster_child(void *arg)
{
    struct poster *p = arg;
    uint32_t refused = 0;

    for (uint32_t i = 0; i < p->count; i++) {
        /* flow = poster id in the top bits, sequence below */
        uint32_t flow = p->id << 18 | (i & 0x3ffff);
        if (evq_post(p->q, flow, EVQ_FLOW_PKT) == -ENOSPC)
            refused++;
        if ((i & 255) == 255)
            sched_yield(); /* interleave with the reader */
    }
    p->refused[p->id] = refused;
    return 0;
}

static void test_posters(uint32_t slots, const char *what)
{
    struct evq *q = evq_new(slots);
    volatile uint32_t *refused = shared_alloc(4 * sizeof(uint32_t));
    struct poster ps[4];
    uint32_t last[4] = {0}, got = 0, overflows = 0, total_refused = 0;
    uint32_t count = 100000;
    struct evq_event ev;
    struct spin sp;
    bool order = true;
    pid_t pids[4];
    int exited = 0;

    spin_init(&sp, 20000);
    for (uint32_t i = 0; i < 4; i++) {
        ps[i] = (struct poster){q, i, count, refused};
        pids[i] = child_run(poster_child, &ps[i]);
    }
    for (uint64_t end = now_ns() + 30000 * MS; now_ns() < end;) {
        int r = evq_wait(q, &ev, now_ns() + 200 * MS, &sp);
        if (r == -ETIMEDOUT)
            break;
        if (ev.type == EVQ_OVERFLOW) {
            overflows++;
            continue;
        }
        uint32_t id = ev.flow >> 18, seq = ev.flow & 0x3ffff;
        /* Per poster, events come in the order posted (gaps = refused). */
        if (last[id] != 0 && seq <= (last[id] & 0x3ffff) && seq != 0)
            order = false;
        last[id] = ev.flow | 0x80000000u;
        got++;
    }
    for (int i = 0; i < 4; i++)
        exited += child_wait(pids[i], 5000) == 0;
    for (int i = 0; i < 4; i++)
        total_refused += refused[i];
    is(exited, 4, "%s: 4 processes posted %u events each", what, count);
    is(got + total_refused, 4 * count,
       "%s: every event was read or refused (%u read, %u refused)", what, got, total_refused);
    ok(total_refused == 0 || overflows > 0, "%s: refusals were reported to the reader (%u)",
       what, overflows);
    is(evq_lost(q), total_refused, "%s: the lost count matches", what);
    ok(order, "%s: each poster's events in its order", what);
    munmap((void *)refused, 4 * sizeof(uint32_t));
    munmap(q, evq_size(slots));
}

static void test_dead_poster(void)
{
    struct evq *q = evq_new(16);
    struct evq_event ev;
    uint64_t t0;
    int r;

    /* A poster claimed a position and died before filling it. */
    atomic_fetch_add(&q->tail, 1);
    evq_post(q, 7, EVQ_FLOW_DEALLOC);
    is(evq_next(q, &ev), 0, "an event behind an unfilled slot waits");
    t0 = now_ns();
    r = evq_wait(q, &ev, now_ns() + 2000 * MS, NULL);
    ok(r == 1 && ev.type == EVQ_OVERFLOW, "after the stall limit the slot is reported lost");
    ok(now_ns() - t0 < 500 * MS, "within %llu ms", (unsigned long long)((now_ns() - t0) / MS));
    ok(evq_next(q, &ev) == 1 && ev.flow == 7 && ev.type == EVQ_FLOW_DEALLOC,
       "and the event behind it comes next");
    is(evq_lost(q), 1, "one loss counted");
    munmap(q, evq_size(16));
}

struct late {
    struct evq *q;
    volatile uint64_t posted_ns;
};

static int late_child(void *arg)
{
    struct late *l = arg;

    usleep(50000);
    l->posted_ns = now_ns();
    return evq_post(l->q, 3, EVQ_FLOW_ALLOC) == 0 ? 0 : 1;
}

static void test_wait(void)
{
    struct late *l = shared_alloc(sizeof(*l));
    struct evq_event ev;
    uint64_t t0, dt;
    pid_t pid;

    l->q = evq_new(16);
    t0 = now_ns();
    is(evq_wait(l->q, &ev, now_ns() + 100 * MS, NULL), -ETIMEDOUT, "an empty queue times out");
    dt = now_ns() - t0;
    ok(dt >= 99 * MS && dt < 400 * MS, "at its deadline (%llu ms)",
       (unsigned long long)(dt / MS));
    pid = child_run(late_child, l);
    ok(evq_wait(l->q, &ev, now_ns() + 5000 * MS, NULL) == 1 && ev.flow == 3 &&
           ev.type == EVQ_FLOW_ALLOC,
       "a sleeping reader is woken by a post from another process");
    dt = now_ns() - l->posted_ns;
    ok(l->posted_ns != 0 && dt < 20 * MS, "%llu us after the post",
       (unsigned long long)(dt / 1000));
    is(child_wait(pid, 5000), 0, "the poster exits cleanly");
    munmap(l->q, evq_size(16));
    munmap(l, sizeof(*l));
}

int main(void)
{
    plan(34);
    test_order();
    test_overflow();
    test_posters(1u << 16, "big queue");
    test_posters(64, "small queue");
    test_dead_poster();
    test_wait();
    return done();
}
