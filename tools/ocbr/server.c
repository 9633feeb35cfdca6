/*
 * server.c - the ocbr server: a thread per flow counts packets and bytes,
 * finds losses from the sequence numbers, prints a line per interval and
 * one when the flow ends (the client left, or was silent too long).
 */
#include "ocbr.h"

#include "accept_loop.h"
#include "flow_error.h"
#include "flow_setup.h"
#include "flow_threads.h"
#include "seq_count.h"
#include "tool_time.h"

#include <ourobus/dev.h>

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_TICK_NS (100 * NS_PER_MS)

struct cbr_flow {
    int fd;
    const struct ocbr_server_opts *o;
    const atomic_int *stop;
    struct seq_count sc;
    uint64_t bytes;
    uint64_t t_start; /* accepted */
    uint64_t t_first; /* first and last packet */
    uint64_t t_last;
    uint64_t ival_start;
    uint64_t ival_packets;
    uint64_t ival_bytes;
    uint64_t ival_lost; /* lost at the start of the interval */
};

static void cbr_flow_interval(struct cbr_flow *cf, uint64_t now)
{
    double secs = (double)(now - cf->ival_start) / 1e9;
    uint64_t lost = seq_count_lost(&cf->sc);

    printf("flow %d: %8.3f s: %llu packets, %.1f packets/s, %.2f Mb/s, lost %lld\n", cf->fd,
           (double)(now - cf->t_start) / 1e9, (unsigned long long)cf->ival_packets,
           (double)cf->ival_packets / secs, (double)cf->ival_bytes * 8 / secs / 1e6,
           (long long)(lost - cf->ival_lost));
    cf->ival_start = now;
    cf->ival_packets = 0;
    cf->ival_bytes = 0;
    cf->ival_lost = lost;
}

static void cbr_flow_summary(const struct cbr_flow *cf, const char *why)
{
    double secs = cf->t_last > cf->t_first ? (double)(cf->t_last - cf->t_first) / 1e9 : 0;
    uint64_t rx = cf->sc.received, lost = seq_count_lost(&cf->sc);

    flockfile(stdout); /* one line, whatever the other flows print */
    printf("flow %d: ended (%s): %llu packets, %llu bytes in %.3f s", cf->fd, why,
           (unsigned long long)rx, (unsigned long long)cf->bytes, secs);
    if (secs > 0)
        printf(", %.1f packets/s, %.2f Mb/s", (double)rx / secs,
               (double)cf->bytes * 8 / secs / 1e6);
    printf(", lost %llu (%.3g%%), %llu out of order\n", (unsigned long long)lost,
           seq_loss_pct(lost, rx + lost), (unsigned long long)cf->sc.reordered);
    funlockfile(stdout);
}

static void cbr_flow_take(struct cbr_flow *cf, const uint8_t *buf, size_t len, uint64_t now)
{
    uint64_t seq;

    if (len < OCBR_HDR_LEN)
        return;
    memcpy(&seq, buf, sizeof(seq));
    seq_count_add(&cf->sc, be64toh(seq));
    cf->bytes += len;
    cf->ival_packets++;
    cf->ival_bytes += len;
    if (cf->t_first == 0)
        cf->t_first = now;
    cf->t_last = now;
}

static void cbr_flow_loop(void *arg)
{
    struct cbr_flow *cf = arg;
    uint8_t *buf = malloc(OCBR_MAX_SIZE + 1);
    uint64_t next, last_rx;
    char why[128] = "server stopped";

    if (buf == NULL) {
        snprintf(why, sizeof(why), "out of memory");
        goto out;
    }
    flow_rcvtimeo_set(cf->fd, READ_TICK_NS);
    cf->t_start = cf->ival_start = last_rx = mono_ns();
    next = cf->t_start + cf->o->interval_ns;
    while (!atomic_load(cf->stop)) {
        ssize_t n = flow_read_packet(cf->fd, buf, OCBR_MAX_SIZE + 1);
        uint64_t now = mono_ns();

        if (n >= 0) {
            cbr_flow_take(cf, buf, (size_t)n, now);
            last_rx = now;
        } else if (n != -ETIMEDOUT && n != -EAGAIN && n != -EMSGSIZE) {
            flow_error_str((int)n, why, sizeof(why));
            break;
        }
        if (now >= next) {
            cbr_flow_interval(cf, now);
            next += cf->o->interval_ns;
            if (next < now)
                next = now + cf->o->interval_ns;
        }
        if (now - last_rx >= cf->o->timeout_ns) {
            snprintf(why, sizeof(why), "nothing for %.3f s", (double)cf->o->timeout_ns / 1e9);
            break;
        }
    }
out:
    cbr_flow_summary(cf, why);
    flow_dealloc(cf->fd);
    free(buf);
    free(cf);
}

struct cbr_server {
    const struct ocbr_server_opts *o;
    const atomic_int *stop;
    struct flow_threads threads;
};

static void on_flow(void *ctx, int fd, const qosspec_t *qs)
{
    struct cbr_server *s = ctx;
    struct cbr_flow *cf = calloc(1, sizeof(*cf));

    if (cf != NULL) {
        cf->fd = fd;
        cf->o = s->o;
        cf->stop = s->stop;
        seq_count_init(&cf->sc);
        printf("flow %d: new\n", fd);
    }
    if (cf == NULL || flow_threads_spawn(&s->threads, cbr_flow_loop, cf) < 0) {
        fprintf(stderr, "ocbr: cannot serve flow %d\n", fd);
        flow_dealloc(fd);
        free(cf);
    }
}

static void on_tick(void *ctx)
{
    struct cbr_server *s = ctx;

    flow_threads_reap(&s->threads);
}

int ocbr_server_run(const struct ocbr_server_opts *o, const atomic_int *stop)
{
    struct cbr_server s = {.o = o, .stop = stop};
    struct accept_loop al = {
        .prog = "ocbr", .stop = stop, .on_flow = on_flow, .on_tick = on_tick, .ctx = &s};
    int status;

    printf("ocbr server: a report per flow every %.3f s, flows silent for %.3f s closed\n",
           (double)o->interval_ns / 1e9, (double)o->timeout_ns / 1e9);
    status = accept_loop_run(&al);
    flow_threads_join(&s.threads);
    return status;
}
