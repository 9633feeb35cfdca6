/*
 * stats.c - medians, rates, the table and the ratio lines.
 */
#include "stats.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int samples_init(struct samples *s, size_t cap)
{
    s->ns = calloc(cap, sizeof(*s->ns));
    s->n = 0;
    s->cap = s->ns ? cap : 0;
    return s->ns ? 0 : -1;
}

void samples_free(struct samples *s)
{
    free(s->ns);
    s->ns = NULL;
    s->n = s->cap = 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

double samples_quantile(struct samples *s, double q)
{
    size_t i;

    if (s->n == 0)
        return NAN;
    qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
    i = (size_t)(q * (double)(s->n - 1) + 0.5);
    return (double)s->ns[i];
}

static struct figure *add(struct report *r, const char *name)
{
    struct figure *f;

    if (r->n >= (int)(sizeof(r->fig) / sizeof(r->fig[0])))
        return NULL;
    f = &r->fig[r->n++];
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", name);
    return f;
}

void report_latency(struct report *r, const char *name, struct samples *s, const char *note)
{
    struct figure *f = add(r, name);

    if (f == NULL)
        return;
    f->value = samples_quantile(s, 0.5);
    f->p99 = samples_quantile(s, 0.99);
    f->count = s->n;
    f->note = note;
}

void report_rate(struct report *r, const char *name, double pps, size_t count, size_t size,
                 const char *note)
{
    struct figure *f = add(r, name);

    if (f == NULL)
        return;
    f->value = pps;
    f->count = count;
    f->is_rate = 1;
    f->pkt_size = size;
    f->note = note;
}

void report_value(struct report *r, const char *name, double value, const char *unit,
                  size_t count, const char *note)
{
    struct figure *f = add(r, name);

    if (f == NULL)
        return;
    f->value = value;
    f->count = count;
    f->unit = unit;
    f->note = note;
}

const struct figure *report_find(const struct report *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->fig[i].name, name) == 0)
            return &r->fig[i];
    return NULL;
}

void report_table(const struct report *r, const char *title)
{
    printf("%s\n\n", title);
    printf("%-22s %14s %14s %12s  %s\n", "figure", "value", "p99 / Mb/s", "samples", "what");
    printf("%-22s %14s %14s %12s  %s\n", "------", "-----", "----------", "-------", "----");
    for (int i = 0; i < r->n; i++) {
        const struct figure *f = &r->fig[i];
        char v[32], x[32];
        if (f->unit != NULL) {
            /* a count as a count, a size or a rate to two places while small */
            int places = f->value == (double)(uint64_t)f->value || f->value >= 100 ? 0 : 2;

            snprintf(v, sizeof(v), "%.*f %s", places, f->value, f->unit);
            snprintf(x, sizeof(x), "-");
        } else if (f->is_rate) {
            snprintf(v, sizeof(v), "%.3f Mpps", f->value / 1e6);
            snprintf(x, sizeof(x), "%.0f Mb/s", f->value * (double)f->pkt_size * 8 / 1e6);
        } else {
            snprintf(v, sizeof(v), "%.2f us", f->value / 1e3);
            snprintf(x, sizeof(x), "%.2f us", f->p99 / 1e3);
        }
        printf("%-22s %14s %14s %12zu  %s\n", f->name, v, x, f->count, f->note ? f->note : "");
    }
    printf("\n");
}

int report_ratio(const struct report *r, const char *a, const char *b)
{
    const struct figure *fa = report_find(r, a), *fb = report_find(r, b);

    if (fa == NULL || fb == NULL || fb->value == 0) {
        printf("ratio %s/%s nan\n", a, b);
        return -1;
    }
    printf("ratio %s/%s %.3f\n", a, b, fa->value / fb->value);
    return 0;
}

int report_ratio_to(const struct report *r, const char *a, double b)
{
    const struct figure *fa = report_find(r, a);

    if (fa == NULL || b == 0) {
        printf("ratio %s/%g nan\n", a, b);
        return -1;
    }
    printf("ratio %s/%g %.3f\n", a, b, fa->value / b);
    return 0;
}

void progress(const char *fmt, ...)
{
    va_list ap;

    fputs("  .. ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
