/*
 * pacer.h - send packet k at t0 + k * interval: a constant bit rate (or a
 * ping interval) kept on an absolute schedule, so a late packet does not
 * shift the ones after it.
 */
#ifndef OUROBUS_TOOLS_PACER_H
#define OUROBUS_TOOLS_PACER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum pace_mode {
    PACE_HYBRID = 0, /* sleep until just before a packet is due, then spin */
    PACE_SLEEP,      /* only sleep: least CPU, least precise */
    PACE_SPIN,       /* only spin: one CPU busy, most precise */
};

struct pacer {
    uint64_t t0;        /* monotonic ns of packet 0 */
    double interval_ns; /* between two packets */
    enum pace_mode mode;
};

/* Packets of size bytes at rate bit/s. */
void pacer_init_rate(struct pacer *p, uint64_t rate_bps, size_t size, enum pace_mode mode,
                     uint64_t t0);

/* One packet every interval_ns (0: no pacing). */
void pacer_init_interval(struct pacer *p, uint64_t interval_ns, enum pace_mode mode,
                         uint64_t t0);

/* When packet k is due (monotonic ns). */
uint64_t pacer_due_ns(const struct pacer *p, uint64_t k);

/* Wait until packet k is due. 0, or -EINTR as soon as *stop is set
 * (checked at least every 100 ms). */
int pacer_wait(const struct pacer *p, uint64_t k, const atomic_int *stop);

#endif
