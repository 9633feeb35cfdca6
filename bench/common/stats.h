/*
 * stats.h - round-trip samples and their median/percentiles, rates, and the
 * benchmark's output: a readable table, then one "ratio a/b value" line per
 * figure the issues name.
 */
#ifndef OUROBUS_BENCH_STATS_H
#define OUROBUS_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct samples {
    uint64_t *ns;
    size_t n;
    size_t cap;
};

int samples_init(struct samples *s, size_t cap);
void samples_free(struct samples *s);

static inline void samples_add(struct samples *s, uint64_t ns)
{
    if (s->n < s->cap)
        s->ns[s->n++] = ns;
}

/* The q-quantile (0..1) in ns; sorts the samples. */
double samples_quantile(struct samples *s, double q);

/* One measured figure: a latency (median RTT, ns) or a rate (packets/s). */
struct figure {
    char name[48];
    double value; /* ns for latencies, packets/s for rates */
    double p99;   /* latencies: 99th percentile, ns */
    size_t count; /* round trips or packets behind it */
    int is_rate;
    size_t pkt_size;  /* bytes per packet (rates: for Mb/s) */
    const char *unit; /* a plain value (report_value): its unit */
    const char *note;
};

struct report {
    struct figure fig[64];
    int n;
};

void report_latency(struct report *r, const char *name, struct samples *s, const char *note);
void report_rate(struct report *r, const char *name, double pps, size_t count, size_t size,
                 const char *note);
/* A figure that is neither a latency nor a packet rate (a memory size, a
 * rate of operations): value in unit, over count operations or samples. */
void report_value(struct report *r, const char *name, double value, const char *unit,
                  size_t count, const char *note);
const struct figure *report_find(const struct report *r, const char *name);

/* Print the table of every figure. */
void report_table(const struct report *r, const char *title);

/* Print "ratio a/b value" (a over b, both by name); a missing figure prints
 * "ratio a/b nan" and returns -1. */
int report_ratio(const struct report *r, const char *a, const char *b);

/* Print "ratio a/<b> value": a over the number b (a target, not a figure). */
int report_ratio_to(const struct report *r, const char *a, double b);

/* A progress line on stderr (the benchmark runs long; stdout stays clean). */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
