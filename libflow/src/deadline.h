/*
 * deadline.h - monotonic time in nanoseconds and deadlines built from
 * relative timeouts, shared by the rings, the event queue and the bus.
 */
#ifndef OUROBUS_DEADLINE_H
#define OUROBUS_DEADLINE_H

#include <stdint.h>
#include <time.h>

/* No deadline: wait forever. */
#define DEADLINE_NONE UINT64_MAX

/* CLOCK_MONOTONIC now, in ns. */
static inline uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Deadline for a relative timeout; NULL means DEADLINE_NONE. */
static inline uint64_t deadline_after(const struct timespec *timeo)
{
    if (timeo == NULL)
        return DEADLINE_NONE;
    return now_ns() + (uint64_t)timeo->tv_sec * 1000000000ull + (uint64_t)timeo->tv_nsec;
}

/* Deadline for a relative timeout in ms; a negative value means none. */
static inline uint64_t deadline_after_ms(int64_t ms)
{
    if (ms < 0)
        return DEADLINE_NONE;
    return now_ns() + (uint64_t)ms * 1000000ull;
}

/* Milliseconds left until the deadline (0 when past, -1 when none). */
static inline int64_t deadline_left_ms(uint64_t deadline)
{
    uint64_t now;

    if (deadline == DEADLINE_NONE)
        return -1;
    now = now_ns();
    return deadline > now ? (int64_t)((deadline - now + 999999) / 1000000) : 0;
}

static inline struct timespec ns_to_timespec(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
                          .tv_nsec = (long)(ns % 1000000000ull)};
    return ts;
}

#endif
