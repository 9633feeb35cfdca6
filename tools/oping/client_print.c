/*
 * client_print.c - what the oping client prints: a line per pong or lost
 * ping, then the summary with percentiles. Times are in ms with three
 * decimals; the summary switches to us when the mean is below 0.1 ms.
 */
#include "client.h"

#include "seq_count.h"
#include "tool_time.h"

#include <stdio.h>

static const char *const kind_flag[] = {
    [PING_IN_ORDER] = "",      [PING_OUT_OF_ORDER] = " (out of order)",
    [PING_LATE] = " (late)",   [PING_DUPLICATE] = " (DUP!)",
    [PING_STALE] = " (stale)", [PING_BOGUS] = " (bogus)",
};

static void print_stamp(const struct client *c)
{
    uint64_t t;

    if (!c->o->timeofday)
        return;
    t = real_ns();
    printf("[%llu.%06llu] ", (unsigned long long)(t / NS_PER_S),
           (unsigned long long)(t % NS_PER_S / 1000));
}

void client_print_start(const struct client *c)
{
    if (c->o->quiet)
        return;
    print_stamp(c);
    printf("oping %s: %zu bytes per ping, qos %s\n", c->o->name, c->o->size, c->o->qos_name);
}

void client_print_reply(const struct client *c, uint64_t id, size_t bytes, uint64_t rtt_ns,
                        int kind)
{
    if (c->o->quiet)
        return;
    print_stamp(c);
    printf("%zu bytes from %s: seq=%llu time=%.3f ms%s\n", bytes, c->o->name,
           (unsigned long long)id, (double)rtt_ns / 1e6, kind_flag[kind]);
}

void client_print_lost(const struct client *c, uint64_t id, uint64_t timeout_ns)
{
    if (c->o->quiet)
        return;
    print_stamp(c);
    printf("no reply from %s: seq=%llu lost (no pong within %.0f ms)\n", c->o->name,
           (unsigned long long)id, (double)timeout_ns / 1e6);
}

static void print_pct(double pct)
{
    if (pct == 0.0 || pct == 100.0)
        printf("%.0f%%", pct);
    else
        printf("%.3g%%", pct);
}

void client_print_summary(struct client *c)
{
    uint64_t sent = atomic_load(&c->track.sent);
    uint64_t rcvd = c->track.received;
    uint64_t span = c->t_start && c->t_end > c->t_start ? c->t_end - c->t_start : 0;
    struct rtt_stats *st = &c->rtt;
    double div = 1e6;
    const char *unit = "ms";

    printf("--- %s ping statistics ---\n", c->o->name);
    printf("%llu packets sent, %llu received, ", (unsigned long long)sent,
           (unsigned long long)rcvd);
    print_pct(seq_loss_pct(sent > rcvd ? sent - rcvd : 0, sent));
    printf(" packet loss, time %.3f s\n", (double)span / 1e9);
    printf("%llu out of order, %llu late, %llu duplicates\n",
           (unsigned long long)c->track.out_of_order, (unsigned long long)c->track.late,
           (unsigned long long)c->track.duplicates);
    if (st->n == 0)
        return;
    if (rtt_stats_mean(st) < 100000.0) {
        div = 1e3;
        unit = "us";
    }
    printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f %s\n", (double)st->min / div,
           rtt_stats_mean(st) / div, (double)st->max / div, rtt_stats_mdev(st) / div, unit);
    printf("rtt p50/p99 = %.3f/%.3f %s\n", rtt_stats_percentile(st, 50) / div,
           rtt_stats_percentile(st, 99) / div, unit);
}
