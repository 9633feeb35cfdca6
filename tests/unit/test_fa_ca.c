/*
 * test_fa_ca.c - MB-ECN congestion avoidance, sender side: slow start,
 * additive increase, multiplicative decrease, the pacer, a lost last
 * update, a periodic congestion signal, and two flows through one
 * simulated bottleneck that marks ECN by its queue length.
 */
#include "fa_ca.h"
#include "tap.h"

#define MS 1000000ull
#define S  1000000000ull

/* Send as fast as the pacer lets, in pkt-byte packets, until end. */
static uint64_t greedy(struct fa_ca *c, uint64_t *now, uint64_t end, size_t pkt)
{
    uint64_t bytes = 0;

    for (int i = 0; i < 10000000 && *now < end; i++) {
        uint64_t w = fa_ca_send(c, pkt, *now);

        if (w == 0)
            bytes += pkt;
        else
            *now += w;
    }
    return bytes;
}

static void test_slow_start(void)
{
    struct fa_ca c;
    uint64_t now = 0, prev;
    int down = 0, exact = 0;

    fa_ca_init(&c, 0);
    is(fa_ca_rate(&c), FA_CA_RATE_INIT, "starts at FA_CA_RATE_INIT");
    is(fa_ca_window(&c), FA_CA_RATE_INIT / 100, "window: one slot at that rate");
    for (int k = 1; k <= 8; k++) {
        prev = fa_ca_rate(&c);
        greedy(&c, &now, (uint64_t)k * FA_CA_SLOT_NS + MS, 1000);
        down += fa_ca_rate(&c) < prev;
        exact += fa_ca_rate(&c) == FA_CA_RATE_INIT << k;
    }
    is(down, 0, "no signal: the rate never falls");
    is(exact, 8, "slow start doubles per slot (8 slots: x256)");
    greedy(&c, &now, S, 65536);
    is(fa_ca_rate(&c), FA_CA_RATE_MAX, "and grows to FA_CA_RATE_MAX in 1 s");

    fa_ca_init(&c, 0);
    fa_ca_tick(&c, 10 * S);
    is(fa_ca_rate(&c), FA_CA_RATE_INIT, "an idle flow does not grow");
    now = 10 * S;
    greedy(&c, &now, 10 * S + 3 * FA_CA_SLOT_NS + MS, 1000);
    is(fa_ca_rate(&c), FA_CA_RATE_INIT << 3, "... and grows once it sends");
}

static void test_aimd(void)
{
    struct fa_ca c;
    uint64_t now = 0, r0, r1;

    fa_ca_init(&c, 0);
    greedy(&c, &now, 5 * FA_CA_SLOT_NS + MS, 1000); /* 32 MiB/s */
    r0 = fa_ca_rate(&c);
    fa_ca_update(&c, FA_CA_ECE_FULL, now);
    is(fa_ca_rate(&c), r0 / 2, "the first signal ends slow start: half at once");
    greedy(&c, &now, 6 * FA_CA_SLOT_NS + MS, 1000);
    is(fa_ca_rate(&c), r0 / 4, "a full level halves the rate per slot");
    fa_ca_update(&c, FA_CA_ECE_FULL / 2, now);
    r0 = fa_ca_rate(&c);
    greedy(&c, &now, 7 * FA_CA_SLOT_NS + MS, 1000);
    is(fa_ca_rate(&c), r0 - r0 / 4, "half the level: a quarter off per slot");
    fa_ca_update(&c, 60000, now);
    r0 = fa_ca_rate(&c);
    greedy(&c, &now, 8 * FA_CA_SLOT_NS + MS, 1000);
    is(fa_ca_rate(&c), r0 / 2, "a level above FA_CA_ECE_FULL: still at most half");
    fa_ca_update(&c, 0, now);
    r0 = fa_ca_rate(&c);
    greedy(&c, &now, 58 * FA_CA_SLOT_NS + MS, 1000);
    r1 = fa_ca_rate(&c);
    is(r1 - r0, 50 * FA_CA_AI, "level 0: FA_CA_AI per slot (50 slots)");
    for (int i = 0; i < 200; i++) {
        fa_ca_update(&c, FA_CA_ECE_FULL, now);
        fa_ca_tick(&c, now += FA_CA_SLOT_NS);
    }
    is(fa_ca_rate(&c), FA_CA_RATE_MIN, "never below FA_CA_RATE_MIN");
}

static void test_lost_update(void)
{
    struct fa_ca c;
    uint64_t now = 0, r0;

    fa_ca_init(&c, 0);
    greedy(&c, &now, 3 * FA_CA_SLOT_NS + MS, 1000);
    fa_ca_update(&c, 100, now);
    greedy(&c, &now, (3 + FA_CA_ECE_TTL - 1) * FA_CA_SLOT_NS + MS, 1000);
    ok(c.ece == 100 && c.increases == 3, "a level not refreshed holds for a while");
    r0 = fa_ca_rate(&c);
    greedy(&c, &now, (3 + FA_CA_ECE_TTL + 4) * FA_CA_SLOT_NS + MS, 1000);
    ok(c.ece == 0 && fa_ca_rate(&c) > r0,
       "after FA_CA_ECE_TTL slots and FA_CA_ECE_PKTS packets: taken as 0, growth again");
}

static void test_pacing(void)
{
    struct fa_ca c;
    uint64_t now = 0, bytes, want = 0, w;
    int bad = 0;

    fa_ca_init(&c, 0);
    greedy(&c, &now, 4 * FA_CA_SLOT_NS, 1000);
    fa_ca_update(&c, 1, now); /* out of slow start: a steady, known ramp */
    fa_ca_update(&c, 0, now);
    now = 5 * FA_CA_SLOT_NS;
    fa_ca_tick(&c, now);
    greedy(&c, &now, now + FA_CA_SLOT_NS, 1000); /* drain the burst */
    for (int k = 0; k < 100; k++) {
        uint64_t end = now + FA_CA_SLOT_NS;

        w = fa_ca_window(&c);
        bytes = greedy(&c, &now, end, 1000);
        want += w;
        bad += bytes + 2000 < w || bytes > w + 2000;
        now = end;
    }
    is(bad, 0, "each slot sends its window within two packets (100 slots)");
    fa_ca_init(&c, 0);
    c.tokens = -1000;
    w = fa_ca_send(&c, 1000, 0);
    is(w, 1000 * S / FA_CA_RATE_INIT + 1, "in debt: the wait pays the debt at the rate");
    (void)want;
}

/* A signal of level 2048 from 5 ms into every 10th slot for 20 ms. */
static void test_periodic(void)
{
    struct fa_ca c;
    uint64_t now = 0, peaks[200];
    double fixed = 8.0 * FA_CA_AI / (1.0 - 0.75 * 0.75), last, spread;
    int n = 0;

    fa_ca_init(&c, 0);
    for (uint64_t t = 100 * MS; t < 20 * S && n < 200; t += 100 * MS) {
        greedy(&c, &now, t + 5 * MS, 1000);
        peaks[n++] = fa_ca_rate(&c);
        fa_ca_update(&c, 2048, now);
        greedy(&c, &now, t + 25 * MS, 1000);
        fa_ca_update(&c, 0, now);
    }
    last = (double)peaks[n - 1];
    spread = 0;
    for (int i = n - 50; i < n; i++) {
        double d = (double)peaks[i] - last;

        spread = d < 0 ? -d > spread ? -d : spread : d > spread ? d : spread;
    }
    diag("periodic signal: peak %.0f B/s, fixed point %.0f B/s, spread %.0f", last, fixed,
         spread);
    ok(spread < 0.01 * last, "a periodic signal: the peaks settle (last 50 within 1%%)");
    ok(last > 0.95 * fixed && last < 1.05 * fixed,
       "... at the AIMD fixed point 8 AI / (1 - 0.75^2) within 5%%");
}

/* ---- two flows through one bottleneck ---- */

#define SIM_STEP  100000ull   /* 100 us */
#define SIM_CAP   12500000ull /* bottleneck: 100 Mbit/s in bytes/s */
#define SIM_PKT   1000u
#define SIM_QMAX  2000u     /* packets the bottleneck queue holds */
#define SIM_DELAY (20 * MS) /* bottleneck -> receiver -> sender */
#define SIM_RING  8192u

struct sim_flow {
    struct fa_ca ca;
    bool on;
    uint64_t start;
    uint16_t ece; /* receiver side */
    uint32_t marked;
    uint64_t upd_at[SIM_RING]; /* FLOW_UPDATEs in flight, in order */
    uint16_t upd_ece[SIM_RING];
    uint32_t upd_head, upd_len;
    uint64_t delivered;  /* bytes, in the measured window */
    uint64_t per_5s[12]; /* bytes delivered in each 5 s of the run */
};

struct sim {
    struct sim_flow f[2];
    uint8_t q_flow[SIM_RING];
    uint8_t q_mark[SIM_RING];
    uint32_t q_head, q_len;
    uint64_t credit, drops, q_sum, q_samples, q_max;
};

static void sim_update(struct sim_flow *f, uint64_t now)
{
    if (f->upd_len == SIM_RING)
        return;
    f->upd_at[(f->upd_head + f->upd_len) % SIM_RING] = now + SIM_DELAY;
    f->upd_ece[(f->upd_head + f->upd_len) % SIM_RING] = f->ece;
    f->upd_len++;
}

/* The receiver's half of MB-ECN, as in reference-notes 4.9: a level that
 * rises with marks and decays without them, reported on change. */
static void sim_receive(struct sim_flow *f, uint8_t mark, uint64_t now)
{
    if (mark > 0) {
        bool first = f->ece == 0;
        uint32_t e = f->ece - f->ece / 32 + mark;

        f->ece = e > UINT16_MAX ? UINT16_MAX : (uint16_t)e;
        if (first || ++f->marked % 8 == 0)
            sim_update(f, now);
    } else if (f->ece > 0) {
        f->ece >>= 2;
        if (f->ece == 0)
            sim_update(f, now);
    }
}

static void sim_step(struct sim *s, uint64_t now, uint64_t from)
{
    for (int i = 0; i < 2; i++) {
        struct sim_flow *f = &s->f[i];

        if (!f->on && now >= f->start) {
            fa_ca_init(&f->ca, now);
            f->on = true;
        }
        if (!f->on)
            continue;
        while (f->upd_len > 0 && f->upd_at[f->upd_head] <= now) {
            fa_ca_update(&f->ca, f->upd_ece[f->upd_head], now);
            f->upd_head = (f->upd_head + 1) % SIM_RING;
            f->upd_len--;
        }
        for (int k = 0; k < 256 && fa_ca_send(&f->ca, SIM_PKT, now) == 0; k++) {
            uint32_t m = s->q_len >> 4; /* queues of 16 and more mark */

            if (s->q_len == SIM_QMAX) {
                s->drops++;
                continue;
            }
            s->q_flow[(s->q_head + s->q_len) % SIM_RING] = (uint8_t)i;
            s->q_mark[(s->q_head + s->q_len) % SIM_RING] = m > 255 ? 255 : (uint8_t)m;
            s->q_len++;
        }
    }
    s->credit += SIM_CAP * SIM_STEP / S;
    while (s->q_len > 0 && s->credit >= SIM_PKT) {
        struct sim_flow *f = &s->f[s->q_flow[s->q_head]];

        sim_receive(f, s->q_mark[s->q_head], now);
        if (now >= from)
            f->delivered += SIM_PKT;
        if (now / (5 * S) < 12)
            f->per_5s[now / (5 * S)] += SIM_PKT;
        s->q_head = (s->q_head + 1) % SIM_RING;
        s->q_len--;
        s->credit -= SIM_PKT;
    }
    if (s->q_len == 0 && s->credit > SIM_PKT)
        s->credit = SIM_PKT; /* an idle link banks nothing */
    if (now >= from) {
        s->q_sum += s->q_len;
        s->q_samples++;
        s->q_max = s->q_len > s->q_max ? s->q_len : s->q_max;
    }
}

static void test_bottleneck(void)
{
    static struct sim s;
    const uint64_t end = 60 * S, from = 40 * S;
    double a, b, util, ratio;

    s.f[0].start = 0;
    s.f[1].start = 10 * S; /* the second flow joins a link the first has filled */
    for (uint64_t now = 0; now < end; now += SIM_STEP)
        sim_step(&s, now, from);
    a = (double)s.f[0].delivered / (double)((end - from) / S);
    b = (double)s.f[1].delivered / (double)((end - from) / S);
    util = (a + b) / (double)SIM_CAP;
    ratio = a > b ? b / a : a / b;
    diag("bottleneck 100 Mbit/s, 20 ms feedback, 40-60 s: flow A %.2f MB/s, flow B %.2f MB/s",
         a / 1e6, b / 1e6);
    diag("  ratio %.3f, utilisation %.1f%%, queue mean %.1f max %llu pkts, drops %llu", ratio,
         util * 100, (double)s.q_sum / (double)s.q_samples, (unsigned long long)s.q_max,
         (unsigned long long)s.drops);
    for (int w = 0; w < 12; w++)
        diag("  %2d-%2d s: A %5.2f MB/s  B %5.2f MB/s", 5 * w, 5 * w + 5,
             (double)s.f[0].per_5s[w] / 5e6, (double)s.f[1].per_5s[w] / 5e6);
    ok(ratio >= 0.8, "two flows through one bottleneck: within 20%% of each other (%.3f)",
       ratio);
    ok(util > 0.85, "... and they fill it (%.1f%%)", util * 100);
    ok((double)s.q_sum / (double)s.q_samples < SIM_QMAX / 4, "... with a short queue");
}

int main(void)
{
    test_slow_start();
    test_aimd();
    test_lost_update();
    test_pacing();
    test_periodic();
    test_bottleneck();
    return done();
}
