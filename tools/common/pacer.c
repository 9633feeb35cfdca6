/*
 * pacer.c - absolute schedule with three ways to wait. The hybrid wakes
 * up early because a sleep overshoots by tens of microseconds.
 */
#include "pacer.h"

#include "tool_time.h"

#include <assert.h>
#include <errno.h>

#define PACE_SLEEP_SLICE_NS 100000000ull /* check the stop flag this often */
#define PACE_EARLY_NS       60000ull     /* hybrid: spin the last 60 us */

void pacer_init_rate(struct pacer *p, uint64_t rate_bps, size_t size, enum pace_mode mode,
                     uint64_t t0)
{
    p->t0 = t0;
    p->mode = mode;
    p->interval_ns = rate_bps ? (double)size * 8.0 * 1e9 / (double)rate_bps : 0.0;
}

void pacer_init_interval(struct pacer *p, uint64_t interval_ns, enum pace_mode mode,
                         uint64_t t0)
{
    p->t0 = t0;
    p->mode = mode;
    p->interval_ns = (double)interval_ns;
}

uint64_t pacer_due_ns(const struct pacer *p, uint64_t k)
{
    return p->t0 + (uint64_t)(p->interval_ns * (double)k);
}

int pacer_wait(const struct pacer *p, uint64_t k, const atomic_int *stop)
{
    uint64_t due = pacer_due_ns(p, k);
    uint64_t now = mono_ns();

    assert(p != NULL);
    while (now < due) {
        uint64_t left = due - now;

        if (stop != NULL && atomic_load_explicit(stop, memory_order_relaxed))
            return -EINTR;
        if (p->mode == PACE_SLEEP || (p->mode == PACE_HYBRID && left > PACE_EARLY_NS)) {
            uint64_t until = p->mode == PACE_SLEEP ? due : due - PACE_EARLY_NS;

            if (until - now > PACE_SLEEP_SLICE_NS)
                until = now + PACE_SLEEP_SLICE_NS;
            sleep_until_ns(until);
        }
        /* PACE_SPIN and the hybrid's last stretch: read the clock again. */
        now = mono_ns();
    }
    return 0;
}
