/*
 * eth_stats.c - names and the log line of the Ethernet shim's counters.
 */
#include "eth_stats.h"

#include <stdio.h>

static const char *const names[ETH_DROP_REASONS] = {
    [ETH_DROP_SHORT] = "short",         [ETH_DROP_TYPE] = "type",
    [ETH_DROP_OTHER_HOST] = "host",     [ETH_DROP_EID] = "endpoint",
    [ETH_DROP_MGMT] = "mgmt",           [ETH_DROP_MGMT_QUEUE] = "mgmt_queue",
    [ETH_DROP_RING_FULL] = "ring_full", [ETH_DROP_NO_BUF] = "no_buf",
    [ETH_DROP_TRUNC] = "truncated",     [ETH_DROP_TX_BIG] = "tx_big",
    [ETH_DROP_TX_ERR] = "tx_error",
};

const char *eth_drop_name(enum eth_drop d)
{
    return d < ETH_DROP_REASONS ? names[d] : "?";
}

uint64_t eth_stats_drops(const struct eth_stats *s)
{
    uint64_t n = 0;

    for (int i = 0; i < ETH_DROP_REASONS; i++)
        n += atomic_load_explicit(&s->drop[i], memory_order_relaxed);
    return n;
}

int eth_stats_format(const struct eth_stats *s, char *buf, size_t len)
{
    size_t at;
    int n;

    n = snprintf(buf, len, "rx %llu frames, tx %llu frames, dropped %llu:",
                 (unsigned long long)atomic_load(&s->rx_frames),
                 (unsigned long long)atomic_load(&s->tx_frames),
                 (unsigned long long)eth_stats_drops(s));
    if (n < 0 || (size_t)n >= len)
        return n;
    at = (size_t)n;
    for (int i = 0; i < ETH_DROP_REASONS && at < len; i++) {
        n = snprintf(
            buf + at, len - at, " %s=%llu", names[i],
            (unsigned long long)atomic_load_explicit(&s->drop[i], memory_order_relaxed));
        if (n < 0)
            return n;
        at += (size_t)n;
    }
    return (int)at;
}
