/*
 * rtt_rounds.h - round-trip figures measured in several rounds, each round
 * running every figure once, so that load that comes and goes on a shared
 * machine weighs on the baselines and on ourobus alike.
 */
#ifndef OUROBUS_BENCH_RTT_ROUNDS_H
#define OUROBUS_BENCH_RTT_ROUNDS_H

#include "stats.h"

struct rtt_job {
    const char *name;
    const char *note;
    size_t n; /* round trips in all */
    /* One round: n round trips added to s. 0 or -1. */
    int (*run)(const struct rtt_job *job, size_t n, struct samples *s);
    size_t size;   /* for run: bytes per packet */
    uint32_t spin; /* for run: the reader's spin bound */
    int kind;      /* for run: which path */
    struct samples s;
    int failed;
};

/* Run the jobs in rounds and report each as a latency figure. */
void rtt_rounds_run(struct report *r, struct rtt_job *jobs, int njobs, int rounds,
                    const char *bench);

#endif
