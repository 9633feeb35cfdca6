/*
 * rtt_rounds.c - interleaved rounds of round-trip figures.
 */
#include "rtt_rounds.h"

#include <stdio.h>

void rtt_rounds_run(struct report *r, struct rtt_job *jobs, int njobs, int rounds,
                    const char *bench)
{
    for (int j = 0; j < njobs; j++)
        samples_init(&jobs[j].s, jobs[j].n);
    for (int round = 0; round < rounds; round++) {
        progress("round trips, round %d of %d", round + 1, rounds);
        for (int j = 0; j < njobs; j++)
            if (!jobs[j].failed &&
                jobs[j].run(&jobs[j], jobs[j].n / (size_t)rounds, &jobs[j].s) != 0)
                jobs[j].failed = 1;
    }
    for (int j = 0; j < njobs; j++) {
        if (jobs[j].failed)
            fprintf(stderr, "bench %s: %s failed\n", bench, jobs[j].name);
        else
            report_latency(r, jobs[j].name, &jobs[j].s, jobs[j].note);
        samples_free(&jobs[j].s);
    }
}
