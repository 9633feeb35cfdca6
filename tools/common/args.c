/*
 * args.c - numbers on the command line: plain decimal digits, an optional
 * fraction, a unit; no signs, exponents or hex, so "-1" or "1e6" is a mistake.
 */
#include "args.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define DURATION_MAX_NS (100ull * 24 * 3600 * NS_PER_S)

struct decimal {
    uint64_t ip;       /* integer part */
    uint64_t frac;     /* fraction digits as an integer */
    uint64_t frac_div; /* 10^(number of fraction digits kept) */
};

/* Digits, then optionally '.' and digits. Returns the rest of the string,
 * or NULL when there is no number or the integer part overflows. */
static const char *decimal_scan(const char *s, struct decimal *d, bool *overflow)
{
    const char *p = s;
    bool digits = false;

    d->ip = 0;
    d->frac = 0;
    d->frac_div = 1;
    *overflow = false;
    while (*p >= '0' && *p <= '9') {
        uint64_t v = (uint64_t)(*p - '0');
        if (d->ip > (UINT64_MAX - v) / 10)
            *overflow = true;
        else
            d->ip = d->ip * 10 + v;
        digits = true;
        p++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            /* Nine digits are more precision than any option needs. */
            if (d->frac_div < 1000000000ull) {
                d->frac = d->frac * 10 + (uint64_t)(*p - '0');
                d->frac_div *= 10;
            }
            digits = true;
            p++;
        }
    }
    return digits ? p : NULL;
}

/* d * mult, rounded to the nearest integer. -ERANGE on overflow. */
static int decimal_scale(const struct decimal *d, uint64_t mult, uint64_t *out)
{
    long double f;
    uint64_t whole, part;

    if (d->ip != 0 && mult > UINT64_MAX / d->ip)
        return -ERANGE;
    whole = d->ip * mult;
    f = (long double)d->frac * (long double)mult / (long double)d->frac_div;
    part = (uint64_t)(f + 0.5L);
    if (whole > UINT64_MAX - part)
        return -ERANGE;
    *out = whole + part;
    return 0;
}

int args_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    struct decimal d;
    bool overflow;
    const char *rest;

    assert(out != NULL);
    if (s == NULL)
        return -EINVAL;
    rest = decimal_scan(s, &d, &overflow);
    if (rest == NULL || *rest != '\0' || strchr(s, '.') != NULL)
        return -EINVAL;
    if (overflow || d.ip < min || d.ip > max)
        return -ERANGE;
    *out = d.ip;
    return 0;
}

int args_parse_size(const char *s, size_t min, size_t max, size_t *out)
{
    struct decimal d;
    bool overflow;
    const char *rest;
    uint64_t mult = 1, v;

    assert(out != NULL);
    if (s == NULL)
        return -EINVAL;
    rest = decimal_scan(s, &d, &overflow);
    if (rest == NULL)
        return -EINVAL;
    if (strcmp(rest, "k") == 0 || strcmp(rest, "K") == 0)
        mult = 1024;
    else if (strcmp(rest, "m") == 0 || strcmp(rest, "M") == 0)
        mult = 1024 * 1024;
    else if (*rest != '\0')
        return -EINVAL;
    if (mult == 1 && d.frac_div != 1)
        return -EINVAL; /* "1.5" bytes */
    if (overflow || decimal_scale(&d, mult, &v) < 0)
        return -ERANGE;
    if (v < min || v > max)
        return -ERANGE;
    *out = (size_t)v;
    return 0;
}

int args_parse_rate(const char *s, uint64_t *bps)
{
    struct decimal d;
    bool overflow;
    const char *rest;
    uint64_t mult = 1, v;

    assert(bps != NULL);
    if (s == NULL)
        return -EINVAL;
    rest = decimal_scan(s, &d, &overflow);
    if (rest == NULL)
        return -EINVAL;
    switch (*rest) {
    case 'k':
    case 'K':
        mult = 1000ull;
        rest++;
        break;
    case 'M':
        mult = 1000000ull;
        rest++;
        break;
    case 'G':
        mult = 1000000000ull;
        rest++;
        break;
    case 'T':
        mult = 1000000000000ull;
        rest++;
        break;
    default:
        break;
    }
    if (*rest != '\0' && strcmp(rest, "b/s") != 0 && strcmp(rest, "bps") != 0)
        return -EINVAL;
    if (overflow || decimal_scale(&d, mult, &v) < 0)
        return -ERANGE;
    if (v == 0)
        return -ERANGE;
    *bps = v;
    return 0;
}

int args_parse_duration(const char *s, uint64_t unit_ns, uint64_t *ns)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", NS_PER_US},
        {"ms", NS_PER_MS},
        {"s", NS_PER_S},
        {"m", 60 * NS_PER_S},
        {"min", 60 * NS_PER_S},
        {"h", 3600 * NS_PER_S},
    };
    struct decimal d;
    bool overflow;
    const char *rest;
    uint64_t mult = 0, v;

    assert(ns != NULL);
    if (s == NULL || unit_ns == 0)
        return -EINVAL;
    rest = decimal_scan(s, &d, &overflow);
    if (rest == NULL)
        return -EINVAL;
    if (*rest == '\0') {
        mult = unit_ns;
    } else {
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strcmp(rest, units[i].name) == 0)
                mult = units[i].ns;
        if (mult == 0)
            return -EINVAL;
    }
    if (overflow || decimal_scale(&d, mult, &v) < 0 || v > DURATION_MAX_NS)
        return -ERANGE;
    *ns = v;
    return 0;
}
