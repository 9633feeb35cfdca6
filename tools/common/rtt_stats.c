/*
 * rtt_stats.c - Welford's mean and variance, nearest-rank percentiles over
 * the kept samples, and a log-linear histogram once there are too many.
 */
#include "rtt_stats.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

/*
 * Histogram layout: values below 256 have a bucket each; above, each
 * power of two [2^k, 2^(k+1)) is cut into 128 equal buckets, so a bucket
 * spans at most 1/128 of its lower bound.
 */
#define HIST_SUB     128
#define HIST_BUCKETS (HIST_SUB + 57 * HIST_SUB)

static size_t hist_index(uint64_t v)
{
    int msb, shift;

    if (v < 2 * HIST_SUB)
        return (size_t)v;
    msb = 63 - __builtin_clzll(v);
    shift = msb - 7;
    return (size_t)(HIST_SUB + shift * HIST_SUB + (int)((v >> shift) - HIST_SUB));
}

static void hist_bounds(size_t idx, uint64_t *low, uint64_t *width)
{
    size_t shift, sub;

    if (idx < 2 * HIST_SUB) {
        *low = idx;
        *width = 1;
        return;
    }
    shift = (idx - HIST_SUB) / HIST_SUB;
    sub = HIST_SUB + (idx - HIST_SUB) % HIST_SUB;
    *low = (uint64_t)sub << shift;
    *width = 1ull << shift;
}

int rtt_stats_init_exact(struct rtt_stats *st, size_t exact_max)
{
    assert(st != NULL);
    *st = (struct rtt_stats){.min = UINT64_MAX, .exact_max = exact_max};
    st->hist = calloc(HIST_BUCKETS, sizeof(*st->hist));
    if (st->hist == NULL)
        return -ENOMEM;
    st->exact_cap = 1024;
    st->exact = malloc(st->exact_cap * sizeof(*st->exact));
    if (st->exact == NULL) {
        free(st->hist);
        st->hist = NULL;
        return -ENOMEM;
    }
    return 0;
}

int rtt_stats_init(struct rtt_stats *st)
{
    return rtt_stats_init_exact(st, RTT_STATS_EXACT_MAX);
}

void rtt_stats_fini(struct rtt_stats *st)
{
    free(st->hist);
    free(st->exact);
    st->hist = NULL;
    st->exact = NULL;
}

/* Keep v one by one while allowed; give the array up when full or when
 * it cannot grow (the histogram takes over). */
static void exact_keep(struct rtt_stats *st, uint64_t v)
{
    if (st->exact == NULL)
        return;
    if (st->n > st->exact_max) {
        free(st->exact);
        st->exact = NULL;
        return;
    }
    if (st->n > st->exact_cap) {
        size_t cap = st->exact_cap * 2;
        uint64_t *p;

        if (cap > st->exact_max)
            cap = st->exact_max;
        p = realloc(st->exact, cap * sizeof(*p));
        if (p == NULL) {
            free(st->exact);
            st->exact = NULL;
            return;
        }
        st->exact = p;
        st->exact_cap = cap;
    }
    st->exact[st->n - 1] = v;
    st->sorted = 0;
}

void rtt_stats_add(struct rtt_stats *st, uint64_t ns)
{
    double delta;

    assert(st != NULL && st->hist != NULL);
    st->n++;
    if (ns < st->min)
        st->min = ns;
    if (ns > st->max)
        st->max = ns;
    delta = (double)ns - st->mean;
    st->mean += delta / (double)st->n;
    st->m2 += delta * ((double)ns - st->mean);
    st->hist[hist_index(ns)]++;
    exact_keep(st, ns);
}

double rtt_stats_mean(const struct rtt_stats *st)
{
    return st->n ? st->mean : 0.0;
}

double rtt_stats_mdev(const struct rtt_stats *st)
{
    if (st->n < 2)
        return 0.0;
    return sqrt(st->m2 / (double)st->n);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

double rtt_stats_percentile(struct rtt_stats *st, double p)
{
    uint64_t rank, seen = 0;

    assert(st != NULL);
    if (st->n == 0)
        return 0.0;
    if (p <= 0.0)
        return (double)st->min;
    if (p >= 100.0)
        return (double)st->max;
    rank = (uint64_t)ceil(p / 100.0 * (double)st->n);
    if (rank < 1)
        rank = 1;
    if (st->exact != NULL) {
        if (!st->sorted) {
            qsort(st->exact, (size_t)st->n, sizeof(*st->exact), cmp_u64);
            st->sorted = 1;
        }
        return (double)st->exact[rank - 1];
    }
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += st->hist[i];
        if (seen >= rank) {
            uint64_t low, width;
            double mid;

            hist_bounds(i, &low, &width);
            mid = (double)low + (double)(width - 1) / 2.0;
            if (mid < (double)st->min)
                mid = (double)st->min;
            if (mid > (double)st->max)
                mid = (double)st->max;
            return mid;
        }
    }
    return (double)st->max;
}
