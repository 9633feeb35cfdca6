/*
 * client_print.c - what the operf client prints: a header, a line every
 * second (what was sent, what arrived, loss so far) and the summary.
 */
#include "client.h"

#include "tool_time.h"

#include <stdio.h>

static double mbps(double bps)
{
    return bps / 1e6;
}

static void print_pct(double pct)
{
    if (pct == 0.0 || pct == 100.0)
        printf("%.0f%%", pct);
    else
        printf("%.3g%%", pct);
}

void client_print_start(const struct client *c)
{
    const struct operf_opts *o = c->o;

    printf("operf: %s test to %s, %zu-byte packets, ", o->bi ? "bi" : "uni", o->name, o->size);
    if (o->flood)
        printf("flooding");
    else
        printf("%.3f Mb/s", mbps((double)o->rate_bps));
    printf(", %.3f s\n", (double)o->duration_ns / 1e9);
}

void client_print_progress(struct client *c, unsigned int k, struct progress_mark *mark)
{
    uint64_t now = mono_ns();
    uint64_t sent = atomic_load(&c->sent), sent_bytes = atomic_load(&c->sent_bytes);
    uint64_t rx, rx_bytes, rx_time, lost;
    double tx_bps = 0, rx_bps = 0;

    if (now > mark->t)
        tx_bps = (double)(sent_bytes - mark->sent_bytes) * 8e9 / (double)(now - mark->t);
    if (c->o->bi) {
        rx = atomic_load(&c->echoed);
        rx_bytes = atomic_load(&c->echoed_bytes);
        rx_time = now;
        lost = atomic_load(&c->echo_lost);
    } else {
        rx = atomic_load(&c->rep_packets);
        rx_bytes = atomic_load(&c->rep_bytes);
        rx_time = atomic_load(&c->rep_time_ns);
        lost = atomic_load(&c->rep_lost);
    }
    /* The rate over the receiver's own clock: for a uni test, the time the
     * server's reports cover. */
    if (rx_time > mark->rx_time) {
        rx_bps = (double)(rx_bytes - mark->rx_bytes) * 8e9 / (double)(rx_time - mark->rx_time);
        rate_range_add(&c->rx_range, rx_bps);
    }
    printf("%4u s: sent %llu packets, %.2f Mb/s; %s %llu packets, %.2f Mb/s; lost %llu (", k,
           (unsigned long long)sent, mbps(tx_bps), c->o->bi ? "echoed" : "server got",
           (unsigned long long)rx, mbps(rx_bps), (unsigned long long)lost);
    print_pct(seq_loss_pct(lost, rx + lost));
    printf(")\n");
    mark->t = now;
    mark->sent_bytes = sent_bytes;
    mark->rx_bytes = rx_bytes;
    mark->rx_time = rx_time;
}

void client_print_summary(const struct client *c)
{
    const struct operf_opts *o = c->o;
    uint64_t sent = atomic_load(&c->sent), sent_bytes = atomic_load(&c->sent_bytes);
    uint64_t t_end = atomic_load(&c->t_send_end);
    double secs = t_end > c->t0 ? (double)(t_end - c->t0) / 1e9 : 0;
    const struct rate_range *range = &c->rx_range;
    uint64_t rx, rx_bytes, lost;
    const char *note;

    if (o->bi) {
        rx = atomic_load(&c->echoed);
        rx_bytes = atomic_load(&c->echoed_bytes);
        note = "echoed back";
    } else {
        rx = atomic_load(&c->rep_packets);
        rx_bytes = atomic_load(&c->rep_bytes);
        note = atomic_load(&c->rep_final)   ? "counted by the server"
               : atomic_load(&c->rep_n) > 0 ? "the server's last report: no final one"
                                            : "no report from the server";
    }
    lost = sent > rx ? sent - rx : 0;
    printf("--- operf %s test to %s: %zu-byte packets, %.3f s ---\n", o->bi ? "bi" : "uni",
           o->name, o->size, secs);
    printf("sent:       %llu packets, %llu bytes, %.2f Mb/s\n", (unsigned long long)sent,
           (unsigned long long)sent_bytes, secs > 0 ? mbps((double)sent_bytes * 8 / secs) : 0);
    printf("received:   %llu packets, %llu bytes, %.2f Mb/s (%s)\n", (unsigned long long)rx,
           (unsigned long long)rx_bytes, secs > 0 ? mbps((double)rx_bytes * 8 / secs) : 0,
           note);
    printf("lost:       %llu packets (", (unsigned long long)lost);
    print_pct(seq_loss_pct(lost, sent));
    printf(")\n");
    if (range->n > 0)
        printf("per second: min %.2f Mb/s, max %.2f Mb/s received (%u s)\n",
               mbps(range->min_bps), mbps(range->max_bps), range->n);
    else
        printf("per second: no full second measured\n");
}
