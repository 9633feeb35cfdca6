/*
 * bench ring - the shared-memory data path between two processes against
 * bare futex, busy-poll and UDP baselines measured in the same run.
 */
#include "baselines.h"
#include "proc.h"
#include "ring_path.h"
#include "rtt_rounds.h"
#include "stats.h"
#include "waiter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: bench/run ring [--quick]\n"
               "  Ping-pong one packet through a pair of rings (median round trip) and\n"
               "  stream packets one way (packets/s), 64 B and 1400 B, with the reader's\n"
               "  spin on and off, beside a bare futex ping-pong, a busy-poll ping-pong\n"
               "  and UDP on 127.0.0.1. --quick: fewer samples, under 30 s.\n");
}

enum { JOB_FUTEX, JOB_BUSY, JOB_UDP, JOB_RING };

static int job_round(const struct rtt_job *j, size_t n, struct samples *s)
{
    switch (j->kind) {
    case JOB_FUTEX:
        return base_futex_rtt(n, s);
    case JOB_BUSY:
        return base_busy_rtt(n, s);
    case JOB_UDP:
        return base_udp_rtt(n, j->size, s);
    default:
        return ring_path_rtt(n, j->size, j->spin, s);
    }
}

static void stream(struct report *r, const char *name, double secs, size_t size, uint32_t spin,
                   const char *note, int ring)
{
    double pps = 0;
    size_t count = 0;
    int err;

    progress("%s: %.1f s of %zu B packets", name, secs, size);
    err = ring ? ring_path_stream(secs, size, spin, &pps, &count)
               : base_udp_stream(secs, size, &pps, &count);
    if (err == 0)
        report_rate(r, name, pps, count, size, note);
    else
        fprintf(stderr, "bench ring: %s failed\n", name);
}

int main(int argc, char **argv)
{
    static struct report rep;
    size_t slow = 100000, fast = 200000;
    double secs = 2.0;
    int rounds = 5;
    uint32_t spin = spin_default_ns();
    char title[256];

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            slow = 20000;
            fast = 100000;
            secs = 0.5;
            rounds = 2;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench ring: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (bench_cpus() < 2)
        fprintf(stderr, "bench ring: one CPU only: the figures will not mean much\n");

    {
        struct rtt_job jobs[] = {
            {.name = "futex_rtt",
             .note = "bare futex ping-pong (baseline)",
             .kind = JOB_FUTEX,
             .n = slow,
             .run = job_round},
            {.name = "busy_rtt",
             .note = "bare busy-poll ping-pong (baseline)",
             .kind = JOB_BUSY,
             .n = fast,
             .run = job_round},
            {.name = "udp_rtt",
             .note = "UDP 127.0.0.1 ping-pong, 64 B (baseline)",
             .size = 64,
             .kind = JOB_UDP,
             .n = slow,
             .run = job_round},
            {.name = "udp_rtt_1400",
             .note = "UDP ping-pong, 1400 B (baseline)",
             .size = 1400,
             .kind = JOB_UDP,
             .n = slow,
             .run = job_round},
            {.name = "ring_rtt",
             .note = "ring round trip, 64 B, spin off",
             .size = 64,
             .kind = JOB_RING,
             .n = slow,
             .run = job_round},
            {.name = "ring_rtt_1400",
             .note = "ring round trip, 1400 B, spin off",
             .size = 1400,
             .kind = JOB_RING,
             .n = slow,
             .run = job_round},
            {.name = "ring_rtt_spin",
             .note = "ring round trip, 64 B, spin on",
             .size = 64,
             .spin = spin,
             .kind = JOB_RING,
             .n = fast,
             .run = job_round},
            {.name = "ring_rtt_spin_1400",
             .note = "ring round trip, 1400 B, spin on",
             .size = 1400,
             .spin = spin,
             .kind = JOB_RING,
             .n = fast,
             .run = job_round},
        };
        rtt_rounds_run(&rep, jobs, (int)(sizeof(jobs) / sizeof(jobs[0])), rounds, "ring");
    }
    stream(&rep, "udp_stream_64", secs, 64, 0, "UDP one-way stream, 64 B (baseline)", 0);
    stream(&rep, "udp_stream_1400", secs, 1400, 0, "UDP one-way stream, 1400 B (baseline)", 0);
    stream(&rep, "ring_stream_64", secs, 64, spin, "ring one-way stream, 64 B, spin on", 1);
    stream(&rep, "ring_stream_1400", secs, 1400, spin, "ring one-way stream, 1400 B, spin on",
           1);
    stream(&rep, "ring_stream_64_nospin", secs, 64, 0, "ring stream, 64 B, spin off", 1);

    snprintf(title, sizeof(title),
             "bench ring: two processes pinned to two CPUs; latencies are medians of the\n"
             "round trips (p99 beside them), rates are counted at the reader; reader spin\n"
             "bound %u ns; every packet is allocated, copied in, copied out and freed",
             spin);
    report_table(&rep, title);
    report_ratio(&rep, "ring_rtt", "futex_rtt");
    report_ratio(&rep, "ring_rtt_spin", "busy_rtt");
    report_ratio(&rep, "ring_stream_64", "udp_stream_64");
    report_ratio(&rep, "ring_rtt_1400", "futex_rtt");
    report_ratio(&rep, "ring_rtt_spin_1400", "busy_rtt");
    report_ratio(&rep, "ring_stream_1400", "udp_stream_1400");
    report_ratio(&rep, "ring_rtt", "udp_rtt");
    report_ratio(&rep, "ring_rtt_spin", "udp_rtt");
    return 0;
}
