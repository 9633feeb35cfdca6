/*
 * stream_rounds.c - interleaved rounds of one-way streams.
 */
#include "stream_rounds.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void stream_rounds_run(struct report *r, struct stream_job *jobs, int njobs, int rounds,
                       double secs, size_t size, const char *bench)
{
    if (rounds > STREAM_ROUNDS_MAX)
        rounds = STREAM_ROUNDS_MAX;
    for (int round = 0; round < rounds; round++) {
        progress("streams of %zu B packets, round %d of %d (%.1f s each)", size, round + 1,
                 rounds, secs);
        for (int j = 0; j < njobs; j++) {
            double pps = jobs[j].run(&jobs[j], secs, size);

            if (pps > 0)
                jobs[j].pps[jobs[j].n++] = pps;
            else
                fprintf(stderr, "bench %s: %s failed in round %d\n", bench, jobs[j].name,
                        round + 1);
        }
    }
    for (int j = 0; j < njobs; j++) {
        double med;

        if (jobs[j].n == 0)
            continue;
        qsort(jobs[j].pps, (size_t)jobs[j].n, sizeof(double), cmp_double);
        med = jobs[j].pps[jobs[j].n / 2];
        report_rate(r, jobs[j].name, med, (size_t)(med * secs), size, jobs[j].note);
    }
}
