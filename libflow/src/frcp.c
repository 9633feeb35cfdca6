/*
 * frcp.c - FRCP of one flow: the sender (runs, window, retransmission with
 * an RTT estimate and selective acks), the timers (keepalive, peer timeout,
 * Delta-t expiry) and the flow's life. The receiver is in frcp_rx.c.
 */
#include "frcp_priv.h"

#include <assert.h>
#include <errno.h>
#include <ourobus/errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void frcp_cfg_default(struct frcp_cfg *cfg, bool reliable)
{
    assert(cfg);
    memset(cfg, 0, sizeof(*cfg));
    cfg->reliable = reliable;
    cfg->mpl_ns = 100 * FRCP_MS;
    cfg->a_ns = 10000 * FRCP_MS;
    cfg->r_ns = 120000 * FRCP_MS;
    cfg->keepalive_ns = 120000 * FRCP_MS;
    cfg->ack_delay_ns = 10 * FRCP_MS;
    cfg->isn = -1;
}

static uint64_t snd_inact(const struct frcp *f)
{
    return 3 * f->cfg.mpl_ns + f->cfg.a_ns + f->cfg.r_ns;
}

/* xorshift64*: seqnos only need to differ between runs. */
static uint32_t next_isn(struct frcp *f)
{
    if (f->cfg.isn >= 0)
        return (uint32_t)f->cfg.isn;
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return (uint32_t)((f->rng * 2685821657736338717ull) >> 32);
}

struct frcp *frcp_new(const struct frcp_cfg *cfg, const struct frcp_ops *ops, void *ctx,
                      uint64_t now)
{
    struct frcp *f;

    assert(cfg && ops && ops->tx && ops->deliver && ops->release);
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    f->cfg = *cfg;
    f->ops = *ops;
    f->ctx = ctx;
    f->rng = cfg->seed;
    if (f->rng == 0) {
        if (sodium_init() < 0) {
            free(f);
            errno = ENOSYS;
            return NULL;
        }
        randombytes_buf(&f->rng, sizeof(f->rng));
        f->rng |= 1;
    }
    f->last_tx = f->last_rx = now;
    f->rto = f->rto_base = FRCP_RTO_INIT;
    f->ack_due = FRCP_NEVER;
    return f;
}

void frcp_destroy(struct frcp **p)
{
    struct frcp *f;

    assert(p);
    f = *p;
    if (f == NULL)
        return;
    for (uint32_t i = 0; i < FRCP_RTXQ_SIZE; i++)
        if (f->rtxq[i].used)
            f->ops.release(f->ctx, f->rtxq[i].ref);
    frcp_rx_flush(f);
    free(f);
    *p = NULL;
}

static void emit(struct frcp *f, uint64_t now, const struct frcp_hdr *h, uint64_t ref,
                 size_t len)
{
    uint8_t buf[FRCP_HDR_MAX];
    int n = frcp_hdr_encode(h, buf, sizeof(buf));

    assert(n > 0);
    f->ops.tx(f->ctx, buf, (size_t)n, ref, len);
    f->last_tx = now;
}

/* A packet without data: an ack, a keepalive or a rendez-vous probe. */
void frcp_send_ctl(struct frcp *f, uint64_t now, uint8_t flags)
{
    struct frcp_hdr h = {.flags = flags, .seqno = f->snd_nxt};

    frcp_fill_ack(f, &h);
    emit(f, now, &h, FRCP_NOREF, 0);
}

/* DRF marks a packet a receiver without state may start from: the first
 * of a run, and (as in the reference) one sent when everything before it is
 * acked, for a receiver that forgot the run up to MPL before the sender did.
 * A reliable flow marks no other, so that a packet that overtakes the first
 * cannot start the receiver past it; an unreliable run marks every packet
 * until acked, as its first packet may never arrive. */
static bool drf_on(const struct frcp *f, uint32_t seq)
{
    if (seq == f->run_isn || seq == f->snd_una)
        return true;
    return !f->cfg.reliable && f->drf;
}

static void start_run(struct frcp *f)
{
    f->snd_run = true;
    f->snd_nxt = f->snd_una = f->run_isn = next_isn(f);
    f->snd_rwe = f->snd_nxt + FRCP_START_WINDOW;
    f->drf = true;
    f->win_closed = false;
    f->st.tx_runs++;
}

static bool window_open(const struct frcp *f)
{
    if (!seq_lt(f->snd_nxt, f->snd_rwe))
        return false;
    return !f->cfg.reliable || f->snd_nxt - f->snd_una < FRCP_RTXQ_SIZE;
}

bool frcp_can_send(const struct frcp *f)
{
    assert(f);
    if (f->err || f->closing)
        return false;
    return !f->snd_run || window_open(f);
}

int frcp_send(struct frcp *f, uint64_t now, uint64_t ref, size_t len, uint8_t *hdr, size_t cap)
{
    struct frcp_hdr h = {0};
    uint32_t seq;
    bool drf;
    int n;

    assert(f && hdr);
    if (f->err)
        return f->err;
    if (f->closing)
        return -EPIPE;
    if (cap < FRCP_HDR_MAX || len > UINT32_MAX)
        return -EMSGSIZE;
    if (!f->snd_run)
        start_run(f);
    if (!window_open(f)) {
        /* Only the peer's window needs a probe; our own queue drains on acks. */
        if (!seq_lt(f->snd_nxt, f->snd_rwe) && !f->win_closed) {
            f->win_closed = true;
            f->last_rdvs = now;
        }
        return -EAGAIN;
    }
    seq = f->snd_nxt++;
    drf = drf_on(f, seq);
    h.flags = FRCP_F_DATA | (drf ? FRCP_F_DRF : 0);
    h.seqno = seq;
    frcp_fill_ack(f, &h);
    n = frcp_hdr_encode(&h, hdr, cap);
    assert(n > 0);
    if (f->cfg.reliable) {
        struct rtx_ent *e = &f->rtxq[seq % FRCP_RTXQ_SIZE];

        assert(!e->used);
        *e = (struct rtx_ent){.ref = ref,
                              .sent_at = now,
                              .first_at = now,
                              .rto_at = now + f->rto,
                              .len = (uint32_t)len,
                              .ntx = 1,
                              .drf = drf,
                              .used = 1};
    }
    f->last_tx = f->last_tx_data = now;
    f->st.tx_data++;
    return n;
}

static void retransmit(struct frcp *f, uint64_t now, uint32_t seq)
{
    struct rtx_ent *e = &f->rtxq[seq % FRCP_RTXQ_SIZE];
    struct frcp_hdr h = {0};

    h.flags = FRCP_F_DATA | (e->drf ? FRCP_F_DRF : 0);
    h.seqno = seq;
    frcp_fill_ack(f, &h);
    emit(f, now, &h, e->ref, e->len);
    e->sent_at = now;
    e->rto_at = now + f->rto;
    if (e->ntx < UINT16_MAX)
        e->ntx++;
}

/* RFC 6298 estimator; the RTO also covers the peer's delayed ack. */
static void rtt_sample(struct frcp *f, uint64_t r)
{
    uint64_t var;

    if (r == 0)
        r = 1;
    if (f->srtt == 0) {
        f->srtt = r;
        f->rttvar = r / 2;
    } else {
        uint64_t delta = f->srtt > r ? f->srtt - r : r - f->srtt;

        f->rttvar = (3 * f->rttvar + delta) / 4;
        f->srtt = (7 * f->srtt + r) / 8;
    }
    var = 4 * f->rttvar;
    f->rto_base = f->srtt + (var > FRCP_RTO_MIN ? var : FRCP_RTO_MIN) + f->cfg.ack_delay_ns;
    if (f->rto_base > FRCP_RTO_MAX)
        f->rto_base = FRCP_RTO_MAX;
    f->rto = f->rto_base;
}

static void process_ack(struct frcp *f, uint64_t now, const struct frcp_hdr *h)
{
    uint32_t ack = h->ackno;
    uint32_t high = 0;
    bool any_sack = false;
    uint64_t sample_sent = 0; /* send time of the packet timed by this ack */
    bool timeable = true;

    if (!f->snd_run)
        return;
    if (seq_lt(f->snd_nxt, ack)) {
        f->st.rx_bad++; /* acks what was never sent */
        return;
    }
    if (seq_lt(ack, f->snd_una))
        return; /* stale: reordered behind a newer ack */
    if (seq_lt(f->snd_una, ack)) {
        /* Progress ends a back-off, as in Linux: samples are rare when
         * most acks cover a retransmission. */
        f->drf = false;
        f->rto = f->rto_base;
        while (seq_lt(f->snd_una, ack)) {
            struct rtx_ent *e = &f->rtxq[f->snd_una % FRCP_RTXQ_SIZE];

            if (f->cfg.reliable && e->used) {
                /* Karn, widened: no sample from an ack that covers a
                 * retransmitted or selectively acked packet, as it may
                 * have waited for a hole to fill. */
                if (e->ntx != 1 || e->sacked)
                    timeable = false;
                else if (f->snd_una + 1 == ack && timeable)
                    sample_sent = e->sent_at;
                e->used = 0;
                f->ops.release(f->ctx, e->ref);
            }
            f->snd_una++;
        }
    }
    if (h->flags & FRCP_F_FC) {
        uint32_t rwe = ack + ((h->window - ack) & 0xffffff);

        if (seq_lt(f->snd_rwe, rwe))
            f->snd_rwe = rwe;
        if (f->win_closed && seq_lt(f->snd_nxt, f->snd_rwe))
            f->win_closed = false;
    }
    if (!(h->flags & FRCP_F_SACK) || !f->cfg.reliable) {
        if (sample_sent)
            rtt_sample(f, now > sample_sent ? now - sample_sent : 0);
        return;
    }
    for (uint32_t i = 0; i < 64; i++) {
        uint32_t s = ack + 1 + i;
        struct rtx_ent *e = &f->rtxq[s % FRCP_RTXQ_SIZE];

        if (!seq_lt(s, f->snd_nxt))
            break;
        if (!(h->sack & (1ull << i)))
            continue;
        if (e->used)
            e->sacked = 1;
        high = s;
        any_sack = true;
    }
    if (sample_sent)
        rtt_sample(f, now > sample_sent ? now - sample_sent : 0);
    if (!any_sack)
        return;
    /* A hole with DUPTHRESH packets held past it, sent more than an RTT
     * plus a reordering allowance (RTT / 4) ago, is lost: resend it now
     * instead of waiting for its RTO. */
    for (uint32_t s = f->snd_una; seq_lt(s, high) && (int32_t)(high - s) >= FRCP_DUPTHRESH;
         s++) {
        struct rtx_ent *e = &f->rtxq[s % FRCP_RTXQ_SIZE];
        uint64_t wait = f->srtt ? f->srtt + f->srtt / 4 : FRCP_RTO_INIT;

        if (e->used && !e->sacked && now >= e->sent_at + wait) {
            retransmit(f, now, s);
            f->st.tx_fast_rtx++;
        }
    }
}

int frcp_recv(struct frcp *f, uint64_t now, const uint8_t *pkt, size_t len, uint64_t ref)
{
    struct frcp_hdr h;
    int n;

    assert(f && (pkt || len == 0));
    n = frcp_hdr_decode(&h, pkt, len);
    if (n < 0) {
        f->st.rx_bad++;
        return n;
    }
    if (len - (size_t)n > UINT32_MAX) {
        f->st.rx_bad++;
        return -EMSGSIZE;
    }
    if (f->err)
        return 0;
    f->last_rx = now;
    if (h.flags & FRCP_F_ACK)
        process_ack(f, now, &h);
    if (h.flags & FRCP_F_RDVS)
        frcp_ack_now(f, now);
    if (!(h.flags & FRCP_F_DATA))
        return 0;
    return frcp_rx_data(f, now, &h, ref, (uint32_t)n, (uint32_t)(len - (size_t)n));
}

static bool outstanding(const struct frcp *f)
{
    return f->cfg.reliable && f->snd_una != f->snd_nxt;
}

uint64_t frcp_next_deadline(const struct frcp *f)
{
    uint64_t d = FRCP_NEVER;

    assert(f);
    if (f->err)
        return FRCP_NEVER;
    if (f->cfg.keepalive_ns) {
        d = min64(d, f->last_rx + f->cfg.keepalive_ns);
        d = min64(d, f->last_tx + f->cfg.keepalive_ns / 4);
    }
    d = min64(d, f->ack_due);
    if (f->win_closed)
        d = min64(d, f->last_rdvs + FRCP_RDVS_NS);
    if (f->rcv_run)
        d = min64(d, f->last_rx_data + rcv_inact(f));
    if (f->snd_run && !outstanding(f))
        d = min64(d, f->last_tx_data + snd_inact(f));
    if (outstanding(f)) {
        for (uint32_t s = f->snd_una; s != f->snd_nxt; s++) {
            const struct rtx_ent *e = &f->rtxq[s % FRCP_RTXQ_SIZE];

            if (!e->used)
                continue;
            d = min64(d, e->first_at + f->cfg.r_ns);
            if (!e->sacked)
                d = min64(d, e->rto_at);
        }
    }
    return d;
}

void frcp_tick(struct frcp *f, uint64_t now)
{
    bool timed_out = false;

    assert(f);
    if (f->err)
        return;
    if (f->cfg.keepalive_ns && now >= f->last_rx + f->cfg.keepalive_ns) {
        f->err = -EFLOWPEER;
        return;
    }
    if (outstanding(f)) {
        for (uint32_t s = f->snd_una; s != f->snd_nxt; s++) {
            struct rtx_ent *e = &f->rtxq[s % FRCP_RTXQ_SIZE];

            if (!e->used)
                continue;
            if (now >= e->first_at + f->cfg.r_ns) {
                f->err = -EFLOWDOWN;
                return;
            }
            if (e->sacked || now < e->rto_at)
                continue;
            /* Past the selective-ack horizon the receiver may hold the
             * packet: wait for the acks the retransmissions below bring. */
            if (s - f->snd_una > 64) {
                e->rto_at = now + f->rto;
                continue;
            }
            retransmit(f, now, s);
            f->st.tx_rtx++;
            timed_out = true;
        }
        /* Back off once per tick, however many packets timed out. */
        if (timed_out && f->rto < FRCP_RTO_MAX) {
            f->rto = min64(2 * f->rto, FRCP_RTO_MAX);
            f->st.rto_backoff++;
        }
    }
    if (f->ack_due != FRCP_NEVER && now >= f->ack_due)
        frcp_ack_now(f, now);
    if (f->win_closed && now >= f->last_rdvs + FRCP_RDVS_NS) {
        f->last_rdvs = now;
        f->st.tx_rdvs++;
        frcp_send_ctl(f, now, FRCP_F_RDVS);
    }
    if (f->cfg.keepalive_ns && now >= f->last_tx + f->cfg.keepalive_ns / 4) {
        f->st.tx_keepalive++;
        frcp_send_ctl(f, now, 0);
    }
    if (f->rcv_run && now >= f->last_rx_data + rcv_inact(f)) {
        frcp_rx_flush(f);
        f->rcv_run = false;
        f->ack_due = FRCP_NEVER;
        f->ack_pending = 0;
    }
    if (f->snd_run && !outstanding(f) && now >= f->last_tx_data + snd_inact(f)) {
        f->snd_run = false;
        f->win_closed = false;
    }
}

void frcp_close(struct frcp *f, uint64_t now)
{
    assert(f);
    if (f->closing)
        return;
    f->closing = true;
    f->win_closed = false;
    if (f->rcv_run && !f->err)
        frcp_ack_now(f, now);
}

bool frcp_drained(const struct frcp *f)
{
    assert(f);
    return f->err != 0 || !outstanding(f);
}

int frcp_error(const struct frcp *f)
{
    assert(f);
    return f->err;
}

uint64_t frcp_srtt(const struct frcp *f)
{
    assert(f);
    return f->srtt;
}

uint64_t frcp_rto(const struct frcp *f)
{
    assert(f);
    return f->rto;
}

const struct frcp_stats *frcp_stats(const struct frcp *f)
{
    assert(f);
    return &f->st;
}
