/*
 * test_tools_stats.c - RTT statistics (min, max, mean, mdev, nearest-rank
 * percentiles, exact and from the histogram), loss from sequence numbers,
 * and the pacer's schedule.
 */
#include "pacer.h"
#include "rtt_stats.h"
#include "seq_count.h"
#include "tap.h"

#include <math.h>

static bool near(double got, double want, double rel)
{
    return fabs(got - want) <= rel * want;
}

static void test_empty(void)
{
    struct rtt_stats st;

    is(rtt_stats_init(&st), 0, "init");
    is(st.n, 0, "empty: no samples");
    ok(rtt_stats_mean(&st) == 0.0, "empty: mean 0");
    ok(rtt_stats_mdev(&st) == 0.0, "empty: mdev 0");
    ok(rtt_stats_percentile(&st, 50) == 0.0, "empty: p50 0");
    rtt_stats_fini(&st);
}

static void test_exact(void)
{
    struct rtt_stats st;

    rtt_stats_init(&st);
    /* 1..100 us, added out of order. */
    for (uint64_t i = 0; i < 100; i++)
        rtt_stats_add(&st, ((i * 37) % 100 + 1) * 1000);
    is(st.n, 100, "exact: 100 samples");
    is(st.min, 1000, "exact: min 1 us");
    is(st.max, 100000, "exact: max 100 us");
    ok(near(rtt_stats_mean(&st), 50500.0, 1e-9), "exact: mean 50.5 us");
    /* Population standard deviation of 1..100 is sqrt((100^2 - 1) / 12). */
    ok(near(rtt_stats_mdev(&st), 1000.0 * sqrt(9999.0 / 12.0), 1e-9), "exact: mdev (%.3f)",
       rtt_stats_mdev(&st));
    ok(rtt_stats_percentile(&st, 50) == 50000.0, "exact: p50 is the 50th sample");
    ok(rtt_stats_percentile(&st, 99) == 99000.0, "exact: p99 is the 99th sample");
    ok(rtt_stats_percentile(&st, 99.5) == 100000.0, "exact: p99.5 rounds the rank up");
    ok(rtt_stats_percentile(&st, 1) == 1000.0, "exact: p1 is the smallest");
    ok(rtt_stats_percentile(&st, 100) == 100000.0, "exact: p100 is the max");
    rtt_stats_add(&st, 500);
    ok(rtt_stats_percentile(&st, 0.5) == 500.0, "exact: adding after a percentile re-sorts");
    rtt_stats_fini(&st);
}

static void test_small(void)
{
    struct rtt_stats st;

    rtt_stats_init(&st);
    rtt_stats_add(&st, 412000);
    ok(rtt_stats_percentile(&st, 50) == 412000.0 && rtt_stats_percentile(&st, 99) == 412000.0,
       "one sample: every percentile is that sample");
    ok(rtt_stats_mdev(&st) == 0.0, "one sample: mdev 0");
    rtt_stats_add(&st, 2000);
    rtt_stats_add(&st, 4000);
    rtt_stats_add(&st, 4000);
    rtt_stats_add(&st, 5000);
    /* 2, 4, 4, 5, 412 us: p50 is the 3rd (4 us), p99 the 5th. */
    ok(rtt_stats_percentile(&st, 50) == 4000.0, "five samples: p50");
    ok(rtt_stats_percentile(&st, 99) == 412000.0, "five samples: p99");
    rtt_stats_fini(&st);

    rtt_stats_init(&st);
    for (int i = 0; i < 4; i++)
        rtt_stats_add(&st, i % 2 ? 4000 : 2000);
    ok(near(rtt_stats_mdev(&st), 1000.0, 1e-9), "mdev of 2,4,2,4 us is 1 us");
    rtt_stats_fini(&st);
}

static void test_histogram(void)
{
    struct rtt_stats st;
    double p50, p99;

    is(rtt_stats_init_exact(&st, 1000), 0, "histogram: init with 1000 exact samples");
    /* 100000 samples: 1..100000 ns, so p50 = 50000 and p99 = 99000. */
    for (uint64_t i = 1; i <= 100000; i++)
        rtt_stats_add(&st, i);
    ok(st.exact == NULL, "histogram: the exact samples are given up");
    p50 = rtt_stats_percentile(&st, 50);
    p99 = rtt_stats_percentile(&st, 99);
    ok(near(p50, 50000.0, 1.0 / 128), "histogram: p50 within 1/128 (%.1f)", p50);
    ok(near(p99, 99000.0, 1.0 / 128), "histogram: p99 within 1/128 (%.1f)", p99);
    ok(near(rtt_stats_mean(&st), 50000.5, 1e-9), "histogram: the mean stays exact");
    ok(rtt_stats_percentile(&st, 100) == 100000.0, "histogram: p100 is the max");
    rtt_stats_fini(&st);

    rtt_stats_init_exact(&st, 0);
    for (int i = 0; i < 10; i++)
        rtt_stats_add(&st, 200);
    ok(rtt_stats_percentile(&st, 50) == 200.0, "histogram: small values are exact");
    rtt_stats_add(&st, 3000000000ull);
    for (int i = 0; i < 1000; i++)
        rtt_stats_add(&st, 7777777);
    p50 = rtt_stats_percentile(&st, 50);
    ok(near(p50, 7777777.0, 1.0 / 256), "histogram: large values within 1/256 (%.1f)", p50);
    ok(rtt_stats_percentile(&st, 0.5) >= 200.0, "histogram: never below the min");
    rtt_stats_fini(&st);
}

static void test_seq(void)
{
    struct seq_count sc;

    seq_count_init(&sc);
    for (uint64_t s = 0; s < 10; s++)
        if (s != 3 && s != 4)
            seq_count_add(&sc, s);
    is(sc.received, 8, "seq: 8 received");
    is(seq_count_lost(&sc), 2, "seq: 2 lost in the gap");
    seq_count_add(&sc, 4);
    is(seq_count_lost(&sc), 1, "seq: a late packet is not lost");
    is(sc.reordered, 1, "seq: and counts as reordered");
    is(seq_count_lost_of(&sc, 12), 3, "seq: the tail the sender reports is lost too");
    is(seq_count_lost_of(&sc, 5), 1, "seq: a total below the highest seen is ignored");
    ok(near(seq_loss_pct(1, 200), 0.5, 1e-12), "seq: 1 of 200 is 0.5 %%");
    ok(seq_loss_pct(0, 0) == 0.0, "seq: nothing sent, no loss");
}

static void test_pacer(void)
{
    struct pacer p;

    /* 1500 B at 12 Mb/s: one packet every 1 ms. */
    pacer_init_rate(&p, 12000000, 1500, PACE_SPIN, 1000);
    is(pacer_due_ns(&p, 0), 1000, "pacer: packet 0 at t0");
    is(pacer_due_ns(&p, 3), 1000 + 3000000, "pacer: packet 3 at t0 + 3 ms");
    pacer_init_interval(&p, 0, PACE_SLEEP, 5);
    is(pacer_due_ns(&p, 1000), 5, "pacer: no interval, every packet at once");
    is(pacer_wait(&p, 1000, NULL), 0, "pacer: a due packet does not wait");
}

int main(void)
{
    plan(5 + 11 + 5 + 9 + 8 + 4);
    test_empty();
    test_exact();
    test_small();
    test_histogram();
    test_seq();
    test_pacer();
    return done();
}
