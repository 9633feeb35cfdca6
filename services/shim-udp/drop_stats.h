/*
 * drop_stats.h - what the UDP shim drops, counted by reason with the
 * sender's address, and told in the log at most once a second per reason:
 *   dropped 12 malformed datagrams from 10.0.0.9:4000 (shorter than an endpoint id)
 * One thread counts (the receive thread), one thread reports (the main
 * loop); counting is a few plain stores, no lock.
 */
#ifndef OUROBUS_DROP_STATS_H
#define OUROBUS_DROP_STATS_H

#include "udp_addr.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum drop_reason {
    DROP_SHORT = 0,   /* shorter than an endpoint id */
    DROP_UNKNOWN_EID, /* for no flow of ours */
    DROP_BAD_MGMT,    /* a management message that breaks the rules */
    DROP_TOO_BIG,     /* bigger than the layer's packets */
    DROP_WRONG_PEER,  /* for a flow, from another address than its peer's */
    DROP_RING_FULL,   /* the application does not keep up */
    DROP_NO_BLOCK,    /* the packet pool is empty */
    DROP_MGMT_QUEUE,  /* management messages come faster than handled */
    DROP_COUNT
};

struct drop_counter {
    _Atomic uint64_t n;
    _Atomic uint32_t seq; /* odd while the writer updates from / others */
    struct udp_addr from; /* the last sender */
    bool others;          /* more than one sender since the last report */
    uint32_t period;      /* the counter's: the report period of from/others */
    uint64_t reported;    /* the reporter's: n at its last line */
};

struct drop_stats {
    struct drop_counter c[DROP_COUNT];
    _Atomic uint32_t period; /* the reporter's: one more after each report */
};

void drop_stats_init(struct drop_stats *s);

/* The counting thread: one dropped datagram from (NULL: unknown). */
void drop_stats_count(struct drop_stats *s, enum drop_reason r, const struct udp_addr *from);

/* The reporting thread: log a line per reason that grew since the last
 * call. Returns the number of datagrams in those lines. */
uint64_t drop_stats_report(struct drop_stats *s);

static inline uint64_t drop_stats_get(struct drop_stats *s, enum drop_reason r)
{
    return atomic_load_explicit(&s->c[r].n, memory_order_relaxed);
}

/* "shorter than an endpoint id", ... */
const char *drop_reason_str(enum drop_reason r);

#endif
