/*
 * stream_rounds.h - one-way stream figures measured in interleaved rounds,
 * as rtt_rounds does for round trips: each round runs every stream once,
 * each figure is its median round.
 */
#ifndef OUROBUS_BENCH_STREAM_ROUNDS_H
#define OUROBUS_BENCH_STREAM_ROUNDS_H

#include "stats.h"

#define STREAM_ROUNDS_MAX 16

struct stream_job {
    const char *name;
    const char *note;
    int kind; /* for run: which path */
    /* One stream of size-byte packets for about secs: packets/s at the
     * receiver, or a negative value when it failed. */
    double (*run)(const struct stream_job *job, double secs, size_t size);
    double pps[STREAM_ROUNDS_MAX];
    int n;
};

/* Run the jobs in rounds (at most STREAM_ROUNDS_MAX) and report each as a
 * rate figure. */
void stream_rounds_run(struct report *r, struct stream_job *jobs, int njobs, int rounds,
                       double secs, size_t size, const char *bench);

#endif
