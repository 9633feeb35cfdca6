/*
 * tap.h - a minimal Test Anything Protocol producer for the unit tests.
 * Header-only: each test program includes it once and is run by prove.
 */
#ifndef OUROBUS_TAP_H
#define OUROBUS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_planned = -1;
static int tap_run;
static int tap_failed;

/* Announce how many tests will run. */
static inline void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

/* Print a diagnostic line (to stderr, as prove expects). */
__attribute__((format(printf, 1, 2))) static inline void diag(const char *fmt, ...)
{
    va_list ap;

    fputs("# ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

static inline bool tap_vok(bool pass, const char *fmt, va_list ap)
{
    ++tap_run;
    if (!pass)
        ++tap_failed;
    printf("%sok %d - ", pass ? "" : "not ", tap_run);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    return pass;
}

/* One test: passes when cond is true. Returns cond. */
__attribute__((format(printf, 2, 3))) static inline bool ok(bool cond, const char *fmt, ...)
{
    va_list ap;
    bool r;

    va_start(ap, fmt);
    r = tap_vok(cond, fmt, ap);
    va_end(ap);
    return r;
}

/* One test comparing two integers; prints both on failure. */
#define is(got, want, ...)                                                                     \
    ({                                                                                         \
        long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);                       \
        bool tap_r_ = ok(tap_g_ == tap_w_, __VA_ARGS__);                                       \
        if (!tap_r_)                                                                           \
            diag("  got: %lld, expected: %lld (%s:%d)", tap_g_, tap_w_, __FILE__, __LINE__);   \
        tap_r_;                                                                                \
    })

/* One test comparing two strings. */
#define is_str(got, want, ...)                                                                 \
    ({                                                                                         \
        const char *tap_g_ = (got), *tap_w_ = (want);                                          \
        bool tap_r_ = ok(tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0, __VA_ARGS__);        \
        if (!tap_r_)                                                                           \
            diag("  got: '%s', expected: '%s' (%s:%d)", tap_g_ ? tap_g_ : "(null)",            \
                 tap_w_ ? tap_w_ : "(null)", __FILE__, __LINE__);                              \
        tap_r_;                                                                                \
    })

/* Skip n tests, giving the reason. */
static inline void skip(int n, const char *why)
{
    for (int i = 0; i < n; i++) {
        ++tap_run;
        printf("ok %d # skip %s\n", tap_run, why);
    }
    fflush(stdout);
}

/* Skip the whole program (before plan). */
static inline void skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    fflush(stdout);
    exit(0);
}

/* Finish: prints the plan if none was given; exit status = failures. */
static inline int done(void)
{
    if (tap_planned < 0)
        printf("1..%d\n", tap_run);
    else if (tap_planned != tap_run)
        diag("planned %d tests but ran %d", tap_planned, tap_run);
    fflush(stdout);
    if (tap_planned >= 0 && tap_planned != tap_run)
        return 255;
    return tap_failed > 254 ? 254 : tap_failed;
}

/* Stop at once with a reason; prove reports it. */
__attribute__((noreturn, format(printf, 1, 2))) static inline void bail_out(const char *fmt,
                                                                            ...)
{
    va_list ap;

    fputs("Bail out! ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    exit(255);
}

#endif
