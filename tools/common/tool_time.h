/*
 * tool_time.h - the clocks the tools measure with: CLOCK_MONOTONIC for
 * intervals and RTTs, CLOCK_REALTIME for time-of-day stamps.
 */
#ifndef OUROBUS_TOOLS_TOOL_TIME_H
#define OUROBUS_TOOLS_TOOL_TIME_H

#include <stdint.h>
#include <time.h>

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_S  1000000000ull

static inline uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t real_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline struct timespec ns_to_ts(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
                          .tv_nsec = (long)(ns % 1000000000ull)};
    return ts;
}

/* Sleep until the monotonic time t (ns); a signal may end it early. */
static inline void sleep_until_ns(uint64_t t)
{
    struct timespec ts = ns_to_ts(t);

    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

#endif
