/*
 * eth_stats.h - the shim's counters: frames and bytes each way and every
 * drop by its reason. Each counter has one writing thread; the main loop
 * logs the drops at most once a second, when they changed.
 */
#ifndef OUROBUS_ETH_STATS_H
#define OUROBUS_ETH_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum eth_drop {
    ETH_DROP_SHORT = 0,  /* rx: too short, lengths that do not fit */
    ETH_DROP_TYPE,       /* rx: another ethertype or SAP */
    ETH_DROP_OTHER_HOST, /* rx: for another MAC address */
    ETH_DROP_EID,        /* rx: an endpoint id with no flow (or from another MAC) */
    ETH_DROP_MGMT,       /* rx: a malformed management message */
    ETH_DROP_MGMT_QUEUE, /* rx: the main loop's queue of management messages is full */
    ETH_DROP_RING_FULL,  /* rx: the application's ring is full */
    ETH_DROP_NO_BUF,     /* rx: the packet pool has no block */
    ETH_DROP_TRUNC,      /* rx: larger than the receive buffers */
    ETH_DROP_TX_BIG,     /* tx: larger than the layer's max SDU */
    ETH_DROP_TX_ERR,     /* tx: the interface refused it (down, ...) */
    ETH_DROP_REASONS
};

struct eth_stats {
    _Atomic uint64_t rx_frames;
    _Atomic uint64_t rx_bytes;
    _Atomic uint64_t tx_frames;
    _Atomic uint64_t tx_bytes;
    _Atomic uint64_t drop[ETH_DROP_REASONS];
};

/* Add n to a counter this thread alone writes: no locked instruction. */
static inline void eth_stat_add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* The short name of a drop reason in the log line ("short", "type", ...). */
const char *eth_drop_name(enum eth_drop d);

/* Total drops. */
uint64_t eth_stats_drops(const struct eth_stats *s);

/* Write "dropped N: short=a type=b ..." (every reason) into buf. */
int eth_stats_format(const struct eth_stats *s, char *buf, size_t len);

#endif
