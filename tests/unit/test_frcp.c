/*
 * test_frcp.c - FRCP between two ends over a deterministic simulated
 * channel (delay, jitter that reorders, loss, duplication, a serialising
 * link), driven by one timer wheel: transfers arrive complete, in order,
 * exactly once at 0/1/10/30 % loss; the receiver window is never overrun;
 * the RTT estimate converges; a dead peer is detected within the keepalive
 * timeout; Delta-t expiry starts a new run; the header codec refuses every
 * truncated header. Goodput per loss rate is reported as diag lines.
 */
#include "frcp.h"
#include "tap.h"
#include "timerwheel.h"

#include <errno.h>
#include <ourobus/errno.h>

#define US 1000ull
#define MS 1000000ull
#define S  1000000000ull

#define QMAX      4096
#define PKT_LEN   1400
#define MAX_STEPS 20000000

struct pkt {
    uint64_t at;
    uint64_t ref;
    uint32_t len;
    uint8_t to;
    uint8_t hlen;
    uint8_t hdr[FRCP_HDR_MAX];
};

struct sim;

struct end {
    struct sim *s;
    int id;
    struct frcp *f;
    struct tw_timer t;
    bool dead;
    uint64_t released;
};

struct sim {
    /* channel */
    uint32_t loss_pct;  /* per packet, both directions */
    uint32_t dup_pml;   /* duplicates, per mille */
    uint64_t delay;     /* one way */
    uint64_t jitter;    /* uniform 0..jitter extra: reorders */
    uint64_t ser;       /* per packet on the link */
    uint64_t busy[2];   /* link free again, per direction */
    struct pkt q[QMAX]; /* in flight */
    int nq;
    uint64_t qdrops;
    uint64_t rng;
    uint64_t now;
    struct timerwheel *tw;
    struct end e[2];
    /* the application: end 0 writes, end 1 reads */
    uint32_t total;
    uint32_t next_send;
    uint32_t received;
    uint64_t expect;
    uint32_t order_err;
    uint32_t app_unread;
    uint32_t consume_per_ms; /* 0: at once */
    uint64_t consume_pause_until;
    uint64_t next_consume;
    uint32_t max_held;
    uint64_t last_delivery;
    bool reliable;
    bool keep_open; /* no close at the end of a transfer */
    /* the reverse stream (bidirectional test): end 1 writes, end 0 reads */
    uint32_t r_total;
    uint32_t r_next_send;
    uint32_t r_received;
    uint64_t r_expect;
    uint32_t r_order_err;
    uint32_t r_unread;
};

static uint64_t rnd(struct sim *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

static void chan_put(struct sim *s, int from, const uint8_t *hdr, size_t hlen, uint64_t ref,
                     size_t len)
{
    int copies = 1;
    uint64_t start;

    if (s->e[from].dead || s->e[!from].dead)
        return;
    if (rnd(s) % 100 < s->loss_pct)
        return;
    if (rnd(s) % 1000 < s->dup_pml)
        copies = 2;
    start = s->busy[from] > s->now ? s->busy[from] : s->now;
    s->busy[from] = start + s->ser;
    for (int c = 0; c < copies; c++) {
        struct pkt *p;

        if (s->nq == QMAX) {
            s->qdrops++;
            return;
        }
        p = &s->q[s->nq++];
        p->at = start + s->ser + s->delay + (s->jitter ? rnd(s) % s->jitter : 0) +
                (uint64_t)c * (s->jitter + 1);
        p->ref = ref;
        p->len = (uint32_t)len;
        p->to = (uint8_t)!from;
        p->hlen = (uint8_t)hlen;
        memcpy(p->hdr, hdr, hlen);
    }
}

static void on_timer(struct tw_timer *t, void *arg, uint64_t now);

static void rearm(struct end *e)
{
    uint64_t d;

    if (e->dead)
        return;
    d = frcp_next_deadline(e->f);
    if (d == UINT64_MAX)
        timerwheel_cancel(e->s->tw, &e->t);
    else
        timerwheel_add(e->s->tw, &e->t, d, on_timer, e);
}

static void on_timer(struct tw_timer *t, void *arg, uint64_t now)
{
    struct end *e = arg;

    (void)t;
    frcp_tick(e->f, now);
    rearm(e);
}

static void op_tx(void *ctx, const uint8_t *hdr, size_t hdr_len, uint64_t ref, size_t len)
{
    struct end *e = ctx;

    chan_put(e->s, e->id, hdr, hdr_len, ref, len);
}

static void op_deliver(void *ctx, uint64_t ref, size_t off, size_t len)
{
    struct end *e = ctx;
    struct sim *s = e->s;

    (void)off;
    if (e->id == 0) {
        if (len != PKT_LEN || ref != s->r_expect)
            s->r_order_err++;
        s->r_expect = ref + 1;
        s->r_received++;
        s->r_unread++;
        return;
    }
    if (len != PKT_LEN || (s->reliable ? ref != s->expect : ref < s->expect))
        s->order_err++;
    s->expect = ref + 1;
    s->received++;
    s->app_unread++;
    s->last_delivery = s->now;
    if (frcp_rx_held(e->f) > s->max_held)
        s->max_held = frcp_rx_held(e->f);
}

static void op_release(void *ctx, uint64_t ref)
{
    struct end *e = ctx;

    (void)ref;
    e->released++;
}

static const struct frcp_ops ops = {op_tx, op_deliver, op_release};

static void sim_init(struct sim *s, const struct frcp_cfg *cfg, uint32_t loss_pct,
                     uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->loss_pct = loss_pct;
    s->dup_pml = 10;
    s->delay = 5 * MS;
    s->jitter = 1 * MS;
    s->ser = 10 * US;
    s->rng = seed;
    s->now = 1 * S;
    s->reliable = cfg->reliable;
    s->tw = timerwheel_new(100 * US, 1024, s->now);
    if (s->tw == NULL)
        bail_out("no timer wheel");
    for (int i = 0; i < 2; i++) {
        struct frcp_cfg c = *cfg;

        c.seed = seed + (uint64_t)i + 1;
        s->e[i].s = s;
        s->e[i].id = i;
        tw_timer_init(&s->e[i].t);
        s->e[i].f = frcp_new(&c, &ops, &s->e[i], s->now);
        if (s->e[i].f == NULL)
            bail_out("frcp_new failed");
        rearm(&s->e[i]);
    }
    s->next_consume = s->now;
}

static void sim_fini(struct sim *s)
{
    for (int i = 0; i < 2; i++)
        frcp_destroy(&s->e[i].f);
    timerwheel_destroy(&s->tw);
}

/* Write as much as the window takes, on end id. */
static void app_write_end(struct sim *s, int id, uint32_t *next, uint32_t total)
{
    struct end *e = &s->e[id];
    uint8_t hdr[FRCP_HDR_MAX];

    while (*next < total && !e->dead) {
        int n = frcp_send(e->f, s->now, *next, PKT_LEN, hdr, sizeof(hdr));

        if (n < 0)
            break;
        chan_put(s, id, hdr, (size_t)n, *next, PKT_LEN);
        (*next)++;
    }
    rearm(e);
}

static void app_write(struct sim *s)
{
    app_write_end(s, 0, &s->next_send, s->total);
    if (s->r_total)
        app_write_end(s, 1, &s->r_next_send, s->r_total);
}

static void app_read(struct sim *s)
{
    uint32_t n = s->app_unread;

    if (s->r_unread) {
        frcp_consumed(s->e[0].f, s->now, s->r_unread);
        s->r_unread = 0;
        rearm(&s->e[0]);
    }
    if (s->now < s->consume_pause_until)
        return;
    if (s->consume_per_ms && n > s->consume_per_ms)
        n = s->consume_per_ms;
    if (n == 0)
        return;
    s->app_unread -= n;
    frcp_consumed(s->e[1].f, s->now, n);
    rearm(&s->e[1]);
}

/* Run until done(s) or the simulated time reaches until. */
static void sim_run(struct sim *s, uint64_t until, bool (*finished)(struct sim *))
{
    for (long step = 0; step < MAX_STEPS && !finished(s); step++) {
        uint64_t t = UINT64_MAX, w;
        int first = -1;

        app_write(s);
        for (int i = 0; i < s->nq; i++)
            if (s->q[i].at < t) {
                t = s->q[i].at;
                first = i;
            }
        w = timerwheel_next(s->tw);
        if (w != UINT64_MAX) {
            w = (w + 100 * US - 1) / (100 * US) * (100 * US); /* the tick it fires in */
            if (w < t) {
                t = w;
                first = -1;
            }
        }
        if (s->consume_per_ms && s->next_consume < t) {
            t = s->next_consume;
            first = -1;
        }
        if (t >= until)
            break;
        if (t > s->now)
            s->now = t;
        if (first >= 0) {
            struct pkt p = s->q[first];
            struct end *e = &s->e[p.to];
            uint8_t buf[FRCP_HDR_MAX];

            s->q[first] = s->q[--s->nq];
            if (e->dead)
                continue;
            memcpy(buf, p.hdr, p.hlen);
            /* The payload stays by reference; the header is what is parsed. */
            if (frcp_recv(e->f, s->now, buf, p.hlen + (size_t)p.len, p.ref) < 0)
                bail_out("a valid header refused");
            rearm(e);
        }
        timerwheel_advance(s->tw, s->now);
        if (s->consume_per_ms == 0) {
            app_read(s);
        } else if (s->now >= s->next_consume) {
            app_read(s);
            s->next_consume = s->now + MS;
        }
    }
}

static bool transfer_done(struct sim *s)
{
    if (s->next_send == s->total && !s->e[0].dead && !s->keep_open)
        frcp_close(s->e[0].f, s->now);
    return s->next_send == s->total && frcp_drained(s->e[0].f) && s->nq == 0 &&
           s->app_unread == 0;
}

static bool both_done(struct sim *s)
{
    if (s->next_send == s->total)
        frcp_close(s->e[0].f, s->now);
    if (s->r_next_send == s->r_total)
        frcp_close(s->e[1].f, s->now);
    return s->next_send == s->total && s->r_next_send == s->r_total &&
           frcp_drained(s->e[0].f) && frcp_drained(s->e[1].f) && s->nq == 0 &&
           s->app_unread == 0 && s->r_unread == 0;
}

static bool never_done(struct sim *s)
{
    (void)s;
    return false;
}

static void test_transfer(uint32_t loss, uint32_t n)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    const struct frcp_stats *tx, *rx;
    uint64_t t0;
    double secs;
    uint8_t hdr[FRCP_HDR_MAX];

    frcp_cfg_default(&cfg, true);
    if (loss == 10)
        cfg.isn = 0xffffff00; /* the seqnos wrap during this run */
    sim_init(s, &cfg, loss, 0x9e3779b97f4a7c15ull + loss);
    s->total = n;
    t0 = s->now;
    sim_run(s, t0 + 3600 * S, transfer_done);
    tx = frcp_stats(s->e[0].f);
    rx = frcp_stats(s->e[1].f);
    secs = (double)(s->last_delivery - t0) / 1e9;
    is(s->received, n, "%u%% loss: all %u packets delivered", loss, n);
    is(s->order_err, 0, "%u%% loss: in order, exactly once", loss);
    ok(frcp_drained(s->e[0].f) && s->e[0].released == n,
       "%u%% loss: after close the sender lingered until all %u were acked", loss, n);
    ok(rx->rx_beyond == 0 && s->max_held <= FRCP_RQ_SIZE,
       "%u%% loss: receiver window never overrun (held at most %u of %u)", loss, s->max_held,
       FRCP_RQ_SIZE);
    is(frcp_send(s->e[0].f, s->now, 0, PKT_LEN, hdr, sizeof(hdr)), -EPIPE,
       "%u%% loss: no write after close", loss);
    diag("loss %2u%%: goodput %.0f pkt/s = %.1f Mb/s (1400 B), %.2f s simulated; "
         "rtx %llu, fast rtx %llu, backoffs %llu, dup %llu, acks %llu, srtt %.2f ms",
         loss, n / secs, n * PKT_LEN * 8.0 / secs / 1e6, secs, (unsigned long long)tx->tx_rtx,
         (unsigned long long)tx->tx_fast_rtx, (unsigned long long)tx->rto_backoff,
         (unsigned long long)rx->rx_dup, (unsigned long long)rx->tx_ack,
         frcp_srtt(s->e[0].f) / 1e6);
    if (loss == 0) {
        uint64_t srtt = frcp_srtt(s->e[0].f);

        /* Path: 2 x (5 ms + 0..1 ms jitter + 10 us), plus a delayed ack. */
        ok(srtt >= 10 * MS && srtt <= 22 * MS, "RTT estimate converged: %.2f ms", srtt / 1e6);
        ok(frcp_rto(s->e[0].f) < 100 * MS, "RTO came down from 1 s to %.1f ms",
           frcp_rto(s->e[0].f) / 1e6);
        is(tx->tx_rtx, 0, "no loss: no timeout retransmission");
    }
    if (loss >= 10)
        ok(tx->tx_fast_rtx > 0, "%u%% loss: selective acks trigger fast retransmissions", loss);
    if (loss == 1)
        ok(rx->rx_dup > 0, "duplicates dropped and counted (%llu)",
           (unsigned long long)rx->rx_dup);
    sim_fini(s);
    free(s);
}

static void test_bidirectional(void)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    const struct frcp_stats *s0, *s1;

    frcp_cfg_default(&cfg, true);
    sim_init(s, &cfg, 1, 11);
    s->total = s->r_total = 10000;
    sim_run(s, s->now + 600 * S, both_done);
    s0 = frcp_stats(s->e[0].f);
    s1 = frcp_stats(s->e[1].f);
    ok(s->received == 10000 && s->r_received == 10000,
       "both ways at 1%% loss: %u and %u of 10000 delivered", s->received, s->r_received);
    ok(s->order_err == 0 && s->r_order_err == 0, "both in order, exactly once");
    ok(s0->tx_ack + s1->tx_ack < (s0->tx_data + s1->tx_data) / 2,
       "acks ride on data: %llu pure acks for %llu data packets",
       (unsigned long long)(s0->tx_ack + s1->tx_ack),
       (unsigned long long)(s0->tx_data + s1->tx_data));
    sim_fini(s);
    free(s);
}

static void test_flow_control(void)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    uint64_t t0;
    double rate;

    frcp_cfg_default(&cfg, true);
    sim_init(s, &cfg, 0, 42);
    s->total = 5000;
    s->consume_per_ms = 5; /* 5000 packets/s */
    t0 = s->now;
    s->consume_pause_until = t0 + 500 * MS; /* the reader sleeps first */
    sim_run(s, t0 + 600 * S, transfer_done);
    rate = 5000 / ((double)(s->last_delivery - t0) / 1e9);
    is(s->received, 5000, "slow reader: all delivered");
    is(s->order_err, 0, "slow reader: in order");
    ok(s->max_held <= FRCP_RQ_SIZE && frcp_stats(s->e[1].f)->rx_beyond == 0,
       "slow reader: the sender never overran the window (held at most %u)", s->max_held);
    ok(frcp_stats(s->e[0].f)->tx_rdvs > 0, "a closed window sent rendez-vous probes (%llu)",
       (unsigned long long)frcp_stats(s->e[0].f)->tx_rdvs);
    ok(rate < 5000 * 1.1, "delivery paced by the reader (%.0f pkt/s)", rate);
    sim_fini(s);
    free(s);
}

static void test_unreliable(void)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    const struct frcp_stats *rx;

    frcp_cfg_default(&cfg, false);
    sim_init(s, &cfg, 10, 7);
    s->jitter = 30 * US; /* reorders a few neighbours */
    s->total = 5000;
    sim_run(s, s->now + 60 * S, transfer_done);
    rx = frcp_stats(s->e[1].f);
    is(s->next_send, 5000, "unreliable: all written");
    is(s->order_err, 0, "unreliable: what arrives is delivered in order, once");
    ok(s->received > 5000 * 6 / 10 && s->received < 5000, "unreliable: most delivered (%u)",
       s->received);
    ok(rx->rx_late > 0, "late packets dropped (%llu)", (unsigned long long)rx->rx_late);
    ok(frcp_stats(s->e[0].f)->tx_rtx == 0 && frcp_stats(s->e[0].f)->tx_fast_rtx == 0,
       "unreliable: no retransmission");
    sim_fini(s);
    free(s);
}

static void test_peer_death(void)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    uint64_t t_dead, t_err = 0;
    uint8_t hdr[FRCP_HDR_MAX];

    frcp_cfg_default(&cfg, true);
    cfg.keepalive_ns = 2 * S;
    sim_init(s, &cfg, 0, 99);
    s->total = 1000;
    sim_run(s, s->now + 60 * S, transfer_done);
    is(s->received, 1000, "keepalive flow: transfer done");
    sim_run(s, s->now + 10 * S, never_done);
    ok(frcp_error(s->e[0].f) == 0 && frcp_error(s->e[1].f) == 0,
       "10 s idle (5 x the timeout): keepalives keep both ends up");
    ok(frcp_stats(s->e[0].f)->tx_keepalive > 0, "keepalives were sent (%llu)",
       (unsigned long long)frcp_stats(s->e[0].f)->tx_keepalive);
    t_dead = s->now;
    s->e[1].dead = true;
    timerwheel_cancel(s->tw, &s->e[1].t);
    for (int i = 0; i < 100000 && frcp_error(s->e[0].f) == 0; i++) {
        uint64_t w = timerwheel_next(s->tw);

        if (w == UINT64_MAX)
            break;
        s->now = (w + 100 * US - 1) / (100 * US) * (100 * US);
        timerwheel_advance(s->tw, s->now);
        t_err = s->now;
    }
    is(frcp_error(s->e[0].f), -EFLOWPEER, "the dead peer is detected");
    ok(t_err - t_dead <= 2 * S + 1 * MS, "within the keepalive timeout (%.3f s)",
       (t_err - t_dead) / 1e9);
    is(frcp_send(s->e[0].f, s->now, 0, 1, hdr, sizeof(hdr)), -EFLOWPEER,
       "writes then fail with -EFLOWPEER");
    is(frcp_next_deadline(s->e[0].f), UINT64_MAX, "an errored flow has no timers");
    sim_fini(s);
    free(s);
}

/* The receiver forgets the run while the sender still keeps it (up to MPL
 * apart by design; here much longer): the next write, sent with nothing
 * outstanding, carries DRF and restarts the receiver. */
static void test_delta_t_skew(void)
{
    struct frcp_cfg cfg, rcfg;
    struct sim *s = calloc(1, sizeof(*s));

    frcp_cfg_default(&cfg, true);
    cfg.mpl_ns = 10 * MS;
    cfg.a_ns = 50 * MS;
    cfg.r_ns = 2 * S;
    cfg.keepalive_ns = 400 * MS;
    sim_init(s, &cfg, 1, 23);
    rcfg = cfg;
    rcfg.r_ns = 1 * S;
    rcfg.seed = 77;
    frcp_destroy(&s->e[1].f);
    s->e[1].f = frcp_new(&rcfg, &ops, &s->e[1], s->now);
    if (s->e[1].f == NULL)
        bail_out("frcp_new failed");
    rearm(&s->e[1]);
    s->keep_open = true;
    s->total = 500;
    sim_run(s, s->now + 60 * S, transfer_done);
    sim_run(s, s->now + 1500 * MS, never_done); /* receiver forgets, sender not */
    s->total = 1000;
    sim_run(s, s->now + 60 * S, transfer_done);
    is(s->received, 1000, "receiver forgot the run first: the rest still delivered");
    is(s->order_err, 0, "in order");
    ok(frcp_stats(s->e[0].f)->tx_runs == 1 && frcp_stats(s->e[1].f)->rx_runs == 2,
       "the sender's run went on; the receiver restarted on a DRF packet");
    is(frcp_error(s->e[0].f), 0, "no error");
    sim_fini(s);
    free(s);
}

static void test_flow_down(void)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    const struct frcp_stats *st;
    uint64_t t0;

    frcp_cfg_default(&cfg, true);
    cfg.r_ns = 5 * S;
    cfg.keepalive_ns = 0;
    sim_init(s, &cfg, 100, 17); /* nothing gets through */
    s->total = 10;
    t0 = s->now;
    sim_run(s, t0 + 60 * S, never_done);
    st = frcp_stats(s->e[0].f);
    is(frcp_error(s->e[0].f), -EFLOWDOWN, "unacked for R: the flow goes down");
    ok(s->now - t0 >= 5 * S && s->now - t0 <= 5 * S + MS,
       "at R after the first transmission (%.3f s)", (s->now - t0) / 1e9);
    ok(st->tx_rtx >= 20 && st->rto_backoff >= 2 && frcp_rto(s->e[0].f) >= 4 * S,
       "retransmitted on timeout with back-off: %llu rtx, %llu back-offs, RTO %.0f s",
       (unsigned long long)st->tx_rtx, (unsigned long long)st->rto_backoff,
       frcp_rto(s->e[0].f) / 1e9);
    sim_fini(s);
    free(s);
}

static void test_delta_t(void)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    struct frcp_hdr h = {.flags = FRCP_F_DATA, .seqno = 12345};
    uint8_t pkt[64] = {0};
    uint64_t no_run;
    int n;

    frcp_cfg_default(&cfg, true);
    cfg.mpl_ns = 10 * MS;
    cfg.a_ns = 50 * MS;
    cfg.r_ns = 2 * S;
    cfg.keepalive_ns = 400 * MS;
    sim_init(s, &cfg, 1, 5);
    s->keep_open = true;
    s->total = 1000;
    sim_run(s, s->now + 60 * S, transfer_done);
    is(s->received, 1000, "run 1 delivered");
    sim_run(s, s->now + 3 * S, never_done); /* > 3 MPL + A + R idle */
    is(frcp_stats(s->e[0].f)->tx_runs, 1, "one sender run so far");
    n = frcp_hdr_encode(&h, pkt, sizeof(pkt));
    no_run = frcp_stats(s->e[1].f)->rx_no_run;
    is(frcp_recv(s->e[1].f, s->now, pkt, (size_t)n + 10, 777), 0,
       "an expired receiver refuses data without DRF");
    is(frcp_stats(s->e[1].f)->rx_no_run, no_run + 1, "and counts it");
    s->total = 2000;
    s->e[0].released = 0;
    sim_run(s, s->now + 60 * S, transfer_done);
    is(s->received, 2000, "run 2 delivered after the expiry, without a handshake");
    is(s->order_err, 0, "in order across the runs");
    is(frcp_stats(s->e[0].f)->tx_runs, 2, "the sender started a new run");
    is(frcp_stats(s->e[1].f)->rx_runs, 2, "the receiver took it on its DRF");
    is(frcp_error(s->e[0].f), 0, "keepalives kept the peer alive meanwhile");
    sim_fini(s);
    free(s);
}

static void test_codec(void)
{
    struct frcp_hdr h = {.flags = FRCP_F_DATA | FRCP_F_ACK | FRCP_F_FC,
                         .window = 0xabcdef,
                         .seqno = 0x01020304,
                         .ackno = 0xa0b0c0d0};
    struct frcp_hdr d;
    uint8_t buf[FRCP_HDR_MAX];
    bool trunc = true;
    int n;

    n = frcp_hdr_encode(&h, buf, sizeof(buf));
    is(n, 12, "a header is 12 bytes");
    ok(buf[0] == 0x0d && buf[1] == 0xab && buf[3] == 0xef && buf[4] == 0x01 && buf[7] == 0x04 &&
           buf[8] == 0xa0 && buf[11] == 0xd0,
       "in network byte order");
    ok(frcp_hdr_decode(&d, buf, 12) == 12 && d.flags == h.flags && d.window == h.window &&
           d.seqno == h.seqno && d.ackno == h.ackno,
       "decodes back");
    for (size_t len = 0; len < 12; len++)
        if (frcp_hdr_decode(&d, buf, len) != -EBADMSG)
            trunc = false;
    h.flags |= FRCP_F_SACK;
    h.sack = 0x8000000000000001ull;
    is(frcp_hdr_encode(&h, buf, 19), -EMSGSIZE, "no room: -EMSGSIZE");
    is(frcp_hdr_encode(&h, buf, sizeof(buf)), 20, "with a selective ack: 20 bytes");
    ok(frcp_hdr_decode(&d, buf, 20) == 20 && d.sack == h.sack, "the sack bitmap decodes");
    for (size_t len = 0; len < 20; len++)
        if (frcp_hdr_decode(&d, buf, len) != -EBADMSG)
            trunc = false;
    ok(trunc, "every truncated header (0..11, and 12..19 with SACK) is -EBADMSG");
    buf[0] = FRCP_F_DATA | FRCP_F_FFGM;
    is(frcp_hdr_decode(&d, buf, 20), -EPROTO, "fragments refused");
    buf[0] = FRCP_F_FC;
    is(frcp_hdr_decode(&d, buf, 20), -EPROTO, "a window without an ack refused");
    buf[0] = FRCP_F_SACK;
    is(frcp_hdr_decode(&d, buf, 20), -EPROTO, "a sack without an ack refused");
}

static void test_recv_bad(void)
{
    struct frcp_cfg cfg;
    struct sim *s = calloc(1, sizeof(*s));
    uint8_t buf[FRCP_HDR_MAX] = {FRCP_F_DATA | FRCP_F_DRF};
    bool all = true;

    frcp_cfg_default(&cfg, true);
    sim_init(s, &cfg, 0, 3);
    for (size_t len = 0; len < FRCP_HDR_LEN; len++)
        if (frcp_recv(s->e[1].f, s->now, buf, len, 1) != -EBADMSG)
            all = false;
    ok(all, "the receiver refuses every truncated packet");
    is(frcp_stats(s->e[1].f)->rx_bad, FRCP_HDR_LEN, "and counts each");
    is(s->received, 0, "nothing delivered");
    sim_fini(s);
    free(s);
}

int main(void)
{
    plan(75);
    test_codec();
    test_recv_bad();
    test_transfer(0, 20000);
    test_transfer(1, 20000);
    test_transfer(10, 20000);
    test_transfer(30, 20000);
    test_bidirectional();
    test_flow_control();
    test_unreliable();
    test_peer_death();
    test_delta_t();
    test_delta_t_skew();
    test_flow_down();
    return done();
}
