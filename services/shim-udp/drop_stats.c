/*
 * drop_stats.c - drop counters and their once-a-second log lines.
 */
#include "drop_stats.h"

#include "log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void drop_stats_init(struct drop_stats *s)
{
    memset(s, 0, sizeof(*s));
}

const char *drop_reason_str(enum drop_reason r)
{
    static const char *const why[DROP_COUNT] = {
        [DROP_SHORT] = "shorter than an endpoint id",
        [DROP_UNKNOWN_EID] = "for an unknown endpoint id",
        [DROP_BAD_MGMT] = "a bad management message",
        [DROP_TOO_BIG] = "bigger than the layer's packets",
        [DROP_WRONG_PEER] = "not from the flow's peer",
        [DROP_RING_FULL] = "the application's ring is full",
        [DROP_NO_BLOCK] = "no free block in the packet pool",
        [DROP_MGMT_QUEUE] = "too many management messages at once",
    };

    return (unsigned)r < DROP_COUNT ? why[r] : "?";
}

void drop_stats_count(struct drop_stats *s, enum drop_reason r, const struct udp_addr *from)
{
    struct drop_counter *c = &s->c[r];
    uint32_t q = atomic_load_explicit(&c->seq, memory_order_relaxed);
    uint32_t period = atomic_load_explicit(&s->period, memory_order_relaxed);
    bool fresh = c->period != period;

    atomic_store_explicit(&c->n, atomic_load_explicit(&c->n, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    if (from == NULL || (!fresh && c->from.len != 0 && udp_addr_equal(&c->from, from)))
        return;
    atomic_store_explicit(&c->seq, q + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    c->others = !fresh && c->from.len != 0;
    c->from = *from;
    c->period = period;
    atomic_store_explicit(&c->seq, q + 2, memory_order_release);
}

/* Malformed ones say so, the rest say why they could not be delivered. */
static bool malformed(enum drop_reason r)
{
    return r == DROP_SHORT || r == DROP_UNKNOWN_EID || r == DROP_BAD_MGMT;
}

uint64_t drop_stats_report(struct drop_stats *s)
{
    uint64_t total = 0;

    for (int r = 0; r < DROP_COUNT; r++) {
        struct drop_counter *c = &s->c[r];
        uint64_t n = atomic_load_explicit(&c->n, memory_order_relaxed);
        char who[UDP_ADDR_STRLEN + 24] = "";
        struct udp_addr from;
        bool others;
        uint32_t q;

        if (n == c->reported)
            continue;
        /* The sender as the counting thread last wrote it, whole. */
        do {
            q = atomic_load_explicit(&c->seq, memory_order_acquire);
            from = c->from;
            others = c->others;
            atomic_thread_fence(memory_order_acquire);
        } while ((q & 1) != 0 || q != atomic_load_explicit(&c->seq, memory_order_relaxed));
        if (from.len != 0) {
            char a[UDP_ADDR_STRLEN];

            snprintf(who, sizeof(who), " from %s%s", udp_addr_str(&from, a, sizeof(a)),
                     others ? " and others" : "");
        }
        log_warn("dropped %" PRIu64 " %s%s (%s)", n - c->reported,
                 malformed(r) ? "malformed datagrams" : "datagrams", who,
                 drop_reason_str((enum drop_reason)r));
        total += n - c->reported;
        c->reported = n;
    }
    if (total > 0)
        atomic_fetch_add_explicit(&s->period, 1, memory_order_relaxed);
    return total;
}
