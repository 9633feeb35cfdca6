/*
 * server.c - the operf server: a thread per flow counts the packets (and
 * in a bi test echoes them), reports to the client once a second and at
 * the end, and prints what the flow carried when it ends.
 */
#include "operf.h"

#include "accept_loop.h"
#include "flow_error.h"
#include "flow_setup.h"
#include "flow_threads.h"
#include "operf_msg.h"
#include "seq_count.h"
#include "tool_time.h"

#include <ourobus/dev.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define READ_TICK_NS  (100 * NS_PER_MS)
#define WRITE_TIMEO   (1 * NS_PER_S)
#define REPORT_PERIOD (100 * NS_PER_MS) /* the client's lines are at most this stale */

struct perf_flow {
    int fd;
    const atomic_int *stop;
    struct seq_count sc;
    uint64_t bytes;
    uint64_t t_first; /* first and last data packet */
    uint64_t t_last;
    uint64_t echo_dropped;
    bool bi;
    bool ended;     /* the client's end marker came */
    bool printed;   /* the flow's line is out */
    uint64_t total; /* what the client says it sent */
    uint64_t next_report;
    uint64_t ival_start;
    uint64_t ival_packets;
    uint64_t ival_bytes;
};

static uint64_t perf_flow_lost(const struct perf_flow *pf)
{
    return pf->ended ? seq_count_lost_of(&pf->sc, pf->total) : seq_count_lost(&pf->sc);
}

static int perf_flow_report(struct perf_flow *pf, uint64_t now, bool final)
{
    struct operf_msg m = {
        .type = OPERF_REPORT,
        .flags = final ? OPERF_F_FINAL : 0,
        .packets = pf->sc.received,
        .bytes = pf->bytes,
        .lost = perf_flow_lost(pf),
        .ival_ns = now - pf->ival_start,
        .ival_packets = pf->ival_packets,
        .ival_bytes = pf->ival_bytes,
    };
    uint8_t buf[OPERF_REPORT_LEN];
    ssize_t n;

    operf_msg_encode(buf, &m);
    pf->ival_start = now;
    pf->ival_packets = 0;
    pf->ival_bytes = 0;
    n = flow_write(pf->fd, buf, sizeof(buf));
    return n < 0 && n != -ETIMEDOUT && n != -EAGAIN ? (int)n : 0;
}

static void perf_flow_print(struct perf_flow *pf, int err)
{
    double secs = pf->t_last > pf->t_first ? (double)(pf->t_last - pf->t_first) / 1e9 : 0;
    uint64_t lost = perf_flow_lost(pf), rx = pf->sc.received;
    char why[128];

    if (pf->printed)
        return;
    pf->printed = true;
    flockfile(stdout); /* one line, whatever the other flows print */
    printf("flow %d: %s test, %.3f s, %llu packets, %llu bytes, %.2f Mb/s, lost %llu (%.3g%%)",
           pf->fd, pf->bi ? "bi" : "uni", secs, (unsigned long long)rx,
           (unsigned long long)pf->bytes, secs > 0 ? (double)pf->bytes * 8 / secs / 1e6 : 0,
           (unsigned long long)lost, seq_loss_pct(lost, rx + lost));
    if (pf->bi)
        printf(", %llu echoes dropped", (unsigned long long)pf->echo_dropped);
    if (!pf->ended)
        printf(" (no end marker: %s)",
               err ? flow_error_str(err, why, sizeof(why)) : "server stopped");
    printf("\n");
    funlockfile(stdout);
}

/* One packet of len bytes from the client. 0 or a flow error. */
static int perf_flow_take(struct perf_flow *pf, uint8_t *buf, size_t len, uint64_t now)
{
    struct operf_msg m;
    ssize_t n;

    if (operf_msg_decode(buf, len, &m) < 0)
        return 0;
    if (m.type == OPERF_END) {
        pf->ended = true;
        pf->total = m.seq;
        perf_flow_print(pf, 0);
        return perf_flow_report(pf, now, true);
    }
    if (m.type != OPERF_DATA)
        return 0;
    if (pf->t_first == 0) {
        pf->t_first = now;
        pf->ival_start = now;
        pf->next_report = now + REPORT_PERIOD;
    }
    pf->t_last = now;
    seq_count_add(&pf->sc, m.seq);
    pf->bytes += len;
    pf->ival_packets++;
    pf->ival_bytes += len;
    if (!(m.flags & OPERF_F_ECHO))
        return 0;
    pf->bi = true;
    n = flow_write(pf->fd, buf, len);
    if (n == -ETIMEDOUT || n == -EAGAIN)
        pf->echo_dropped++;
    else if (n < 0)
        return (int)n;
    return 0;
}

static void perf_flow_loop(void *arg)
{
    struct perf_flow *pf = arg;
    size_t cap = OPERF_MAX_SIZE + 1;
    uint8_t *buf = malloc(cap);
    int err = buf == NULL ? -ENOMEM : 0;

    flow_rcvtimeo_set(pf->fd, READ_TICK_NS);
    flow_sndtimeo_set(pf->fd, WRITE_TIMEO);
    seq_count_init(&pf->sc);
    while (err == 0 && !atomic_load(pf->stop)) {
        ssize_t n = flow_read_packet(pf->fd, buf, cap);
        uint64_t now = mono_ns();

        if (n >= 0)
            err = perf_flow_take(pf, buf, (size_t)n, now);
        else if (n != -ETIMEDOUT && n != -EAGAIN && n != -EMSGSIZE)
            err = (int)n;
        if (err == 0 && pf->t_first && !pf->ended && now >= pf->next_report) {
            err = perf_flow_report(pf, now, false);
            pf->next_report += REPORT_PERIOD;
            if (pf->next_report < now)
                pf->next_report = now + REPORT_PERIOD;
        }
    }
    perf_flow_print(pf, err);
    flow_dealloc(pf->fd);
    free(buf);
    free(pf);
}

struct perf_server {
    const atomic_int *stop;
    struct flow_threads threads;
};

static void on_flow(void *ctx, int fd, const qosspec_t *qs)
{
    struct perf_server *s = ctx;
    struct perf_flow *pf = calloc(1, sizeof(*pf));
    int r;

    if (pf == NULL) {
        fprintf(stderr, "operf: out of memory for flow %d\n", fd);
        flow_dealloc(fd);
        return;
    }
    pf->fd = fd;
    pf->stop = s->stop;
    printf("flow %d: new\n", fd);
    r = flow_threads_spawn(&s->threads, perf_flow_loop, pf);
    if (r < 0) {
        fprintf(stderr, "operf: no thread for flow %d\n", fd);
        flow_dealloc(fd);
        free(pf);
    }
}

static void on_tick(void *ctx)
{
    struct perf_server *s = ctx;

    flow_threads_reap(&s->threads);
}

int operf_server_run(const atomic_int *stop)
{
    struct perf_server s = {.stop = stop};
    struct accept_loop al = {
        .prog = "operf", .stop = stop, .on_flow = on_flow, .on_tick = on_tick, .ctx = &s};
    int status;

    printf("operf server: counting packets, a thread per flow\n");
    status = accept_loop_run(&al);
    flow_threads_join(&s.threads);
    return status;
}
