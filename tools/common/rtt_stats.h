/*
 * rtt_stats.h - round-trip times: count, min, max, mean, mdev and
 * percentiles. Exact up to a million samples, then from a histogram
 * whose buckets are at most 1/128 of their value wide.
 */
#ifndef OUROBUS_TOOLS_RTT_STATS_H
#define OUROBUS_TOOLS_RTT_STATS_H

#include <stddef.h>
#include <stdint.h>

#define RTT_STATS_EXACT_MAX (1u << 20) /* samples kept one by one */

struct rtt_stats {
    uint64_t n;
    uint64_t min; /* ns */
    uint64_t max;
    double mean; /* Welford's running mean and sum of squared deviations */
    double m2;
    uint64_t *hist;  /* bucket counts, RTT_HIST_BUCKETS of them */
    uint64_t *exact; /* the samples while n <= exact_max; NULL after */
    size_t exact_cap;
    size_t exact_max;
    int sorted;
};

/* 0 or -ENOMEM. */
int rtt_stats_init(struct rtt_stats *st);

/* The same with a smaller exact limit (tests of the histogram path). */
int rtt_stats_init_exact(struct rtt_stats *st, size_t exact_max);

void rtt_stats_fini(struct rtt_stats *st);

/* Add one RTT in ns. */
void rtt_stats_add(struct rtt_stats *st, uint64_t ns);

/* Mean in ns (0 without samples). */
double rtt_stats_mean(const struct rtt_stats *st);

/* Standard deviation in ns (what ping calls mdev); 0 with < 2 samples. */
double rtt_stats_mdev(const struct rtt_stats *st);

/* The p-th percentile (0 < p <= 100) in ns, nearest rank: the smallest
 * sample with at least p % of the samples at or below it. Exact while
 * the samples are kept, else the middle of its histogram bucket (clamped
 * to min and max). 0 without samples. */
double rtt_stats_percentile(struct rtt_stats *st, double p);

#endif
