/*
 * frcp.c - FRCP state machine of one flow: sender (runs, window, retransmission
 * with RTT estimate and selective acks), receiver (reorder queue, delayed and
 * piggybacked acks, flow control), keepalives and Delta-t expiry.
 */
#include "frcp.h"

#include <assert.h>
#include <errno.h>
#include <ourobus/errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

#define FRCP_RTO_INIT   (1000 * MS)
#define FRCP_RTO_MIN    (1 * MS)
#define FRCP_RTO_MAX    (60000 * MS)
#define FRCP_RDVS_NS    (100 * MS) /* rendez-vous probe period */
#define FRCP_ACK_EVERY  4          /* in-order packets per delayed ack */
#define FRCP_DUPTHRESH  3          /* selectively acked packets past a hole */
#define FRCP_WIN_UPDATE (FRCP_RQ_SIZE / 4)
#define NEVER           UINT64_MAX

struct rtx_ent {
    uint64_t ref;
    uint64_t sent_at;  /* last (re)transmission */
    uint64_t first_at; /* first transmission: the R timer */
    uint64_t rto_at;   /* retransmission deadline */
    uint32_t len;
    uint16_t ntx;
    uint8_t sacked;
    uint8_t used;
};

struct rq_ent {
    uint64_t ref;
    uint32_t seq;
    uint32_t off;
    uint32_t len;
    uint32_t used;
};

struct frcp {
    struct frcp_cfg cfg;
    struct frcp_ops ops;
    void *ctx;
    uint64_t rng;
    int err;
    bool closing;
    uint64_t last_tx; /* any packet */
    uint64_t last_rx; /* any valid packet */

    /* Sender. */
    bool snd_run;
    bool drf;         /* unreliable: DRF on data until an ack shows the receiver's state */
    uint32_t run_isn; /* reliable: the first seqno of the run carries DRF */
    bool win_closed;
    uint32_t snd_nxt;
    uint32_t snd_una;
    uint32_t snd_rwe;
    uint64_t last_tx_data;
    uint64_t last_rdvs;
    uint64_t srtt;
    uint64_t rttvar;
    uint64_t rto;      /* rto_base, doubled per backoff */
    uint64_t rto_base; /* from the estimator */

    /* Receiver. */
    bool rcv_run;
    uint32_t rcv_nxt;
    uint32_t unread;   /* delivered, not yet consumed */
    uint32_t held_ooo; /* in the reorder queue */
    uint32_t adv_rwe;  /* last window edge sent */
    uint32_t ack_pending;
    uint64_t ack_due;
    uint64_t last_rx_data;

    struct frcp_stats st;
    struct rtx_ent rtxq[FRCP_RTXQ_SIZE];
    struct rq_ent rq[FRCP_RQ_SIZE];
};

static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int frcp_hdr_encode(const struct frcp_hdr *h, uint8_t *buf, size_t cap)
{
    size_t len = (h->flags & FRCP_F_SACK) ? FRCP_HDR_MAX : FRCP_HDR_LEN;

    assert(h && buf);
    if (cap < len)
        return -EMSGSIZE;
    buf[0] = h->flags;
    buf[1] = (uint8_t)(h->window >> 16);
    buf[2] = (uint8_t)(h->window >> 8);
    buf[3] = (uint8_t)h->window;
    put32(buf + 4, h->seqno);
    put32(buf + 8, h->ackno);
    if (h->flags & FRCP_F_SACK) {
        put32(buf + 12, (uint32_t)(h->sack >> 32));
        put32(buf + 16, (uint32_t)h->sack);
    }
    return (int)len;
}

int frcp_hdr_decode(struct frcp_hdr *h, const uint8_t *buf, size_t len)
{
    assert(h && (buf || len == 0));
    if (len < FRCP_HDR_LEN)
        return -EBADMSG;
    h->flags = buf[0];
    /* Fragmentation is not implemented; window and sack need an ackno. */
    if (h->flags & (FRCP_F_FFGM | FRCP_F_MFGM))
        return -EPROTO;
    if ((h->flags & (FRCP_F_FC | FRCP_F_SACK)) && !(h->flags & FRCP_F_ACK))
        return -EPROTO;
    h->window = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
    h->seqno = get32(buf + 4);
    h->ackno = get32(buf + 8);
    h->sack = 0;
    if (!(h->flags & FRCP_F_SACK))
        return FRCP_HDR_LEN;
    if (len < FRCP_HDR_MAX)
        return -EBADMSG;
    h->sack = (uint64_t)get32(buf + 12) << 32 | get32(buf + 16);
    return FRCP_HDR_MAX;
}

void frcp_cfg_default(struct frcp_cfg *cfg, bool reliable)
{
    assert(cfg);
    memset(cfg, 0, sizeof(*cfg));
    cfg->reliable = reliable;
    cfg->mpl_ns = 100 * MS;
    cfg->a_ns = 10000 * MS;
    cfg->r_ns = 120000 * MS;
    cfg->keepalive_ns = 120000 * MS;
    cfg->ack_delay_ns = 10 * MS;
    cfg->isn = -1;
}

static uint64_t snd_inact(const struct frcp *f)
{
    return 3 * f->cfg.mpl_ns + f->cfg.a_ns + f->cfg.r_ns;
}

static uint64_t rcv_inact(const struct frcp *f)
{
    return 2 * f->cfg.mpl_ns + f->cfg.a_ns + f->cfg.r_ns;
}

static uint32_t rcv_rwe(const struct frcp *f)
{
    return f->rcv_nxt + (FRCP_RQ_SIZE - f->unread);
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
    f->ack_due = NEVER;
    return f;
}

static void rq_flush(struct frcp *f)
{
    for (uint32_t i = 0; i < FRCP_RQ_SIZE && f->held_ooo > 0; i++) {
        if (f->rq[i].used) {
            f->rq[i].used = 0;
            f->held_ooo--;
            f->ops.release(f->ctx, f->rq[i].ref);
        }
    }
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
    rq_flush(f);
    free(f);
    *p = NULL;
}

/* Fill the receiver's part of an outgoing header; it acks everything. */
static void fill_ack(struct frcp *f, struct frcp_hdr *h)
{
    uint32_t rwe;

    if (!f->rcv_run)
        return;
    rwe = rcv_rwe(f);
    h->flags |= FRCP_F_ACK | FRCP_F_FC;
    h->ackno = f->rcv_nxt;
    h->window = rwe & 0xffffff;
    if (f->cfg.reliable && f->held_ooo > 0) {
        h->flags |= FRCP_F_SACK;
        h->sack = 0;
        for (uint32_t i = 0; i < 64; i++) {
            uint32_t s = f->rcv_nxt + 1 + i;

            if (!seq_lt(s, rwe))
                break;
            if (f->rq[s % FRCP_RQ_SIZE].used && f->rq[s % FRCP_RQ_SIZE].seq == s)
                h->sack |= 1ull << i;
        }
    }
    f->adv_rwe = rwe;
    f->ack_pending = 0;
    f->ack_due = NEVER;
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
static void send_ctl(struct frcp *f, uint64_t now, uint8_t flags)
{
    struct frcp_hdr h = {.flags = flags, .seqno = f->snd_nxt};

    fill_ack(f, &h);
    emit(f, now, &h, FRCP_NOREF, 0);
}

static void ack_now(struct frcp *f, uint64_t now)
{
    f->st.tx_ack++;
    send_ctl(f, now, 0);
}

/* A reliable run marks only its first packet, so that the receiver starts
 * exactly there even if later packets overtake it; an unreliable run marks
 * every packet until acked, as its first packet may never arrive. */
static bool drf_on(const struct frcp *f, uint32_t seq)
{
    return f->cfg.reliable ? seq == f->run_isn : f->drf;
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
    h.flags = FRCP_F_DATA | (drf_on(f, seq) ? FRCP_F_DRF : 0);
    h.seqno = seq;
    fill_ack(f, &h);
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

    h.flags = FRCP_F_DATA | (drf_on(f, seq) ? FRCP_F_DRF : 0);
    h.seqno = seq;
    fill_ack(f, &h);
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
            rtt_sample(f, now - sample_sent);
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
        rtt_sample(f, now - sample_sent);
    if (!any_sack)
        return;
    /* A hole with DUPTHRESH packets held past it, sent more than an RTT
     * plus a reordering allowance (RTT / 4) ago, is lost: resend it now
     * instead of waiting for its RTO. */
    for (uint32_t s = f->snd_una; seq_lt(s, high) && (int32_t)(high - s) >= FRCP_DUPTHRESH;
         s++) {
        struct rtx_ent *e = &f->rtxq[s % FRCP_RTXQ_SIZE];
        uint64_t wait = f->srtt ? f->srtt + f->srtt / 4 : FRCP_RTO_INIT;

        if (e->used && !e->sacked && now - e->sent_at >= wait) {
            retransmit(f, now, s);
            f->st.tx_fast_rtx++;
        }
    }
}

static void deliver(struct frcp *f, uint64_t ref, uint32_t off, uint32_t len)
{
    f->unread++;
    f->st.rx_delivered++;
    f->ops.deliver(f->ctx, ref, off, len);
}

static void ack_later(struct frcp *f, uint64_t now)
{
    if (++f->ack_pending >= FRCP_ACK_EVERY)
        ack_now(f, now);
    else if (f->ack_due == NEVER)
        f->ack_due = now + f->cfg.ack_delay_ns;
}

static int process_data(struct frcp *f, uint64_t now, const struct frcp_hdr *h, uint64_t ref,
                        uint32_t off, uint32_t len)
{
    uint32_t seq = h->seqno;
    bool filled = false;
    int32_t d;

    if (!f->rcv_run) {
        /* Delta-t: without state only the first packet of a run is taken. */
        if (!(h->flags & FRCP_F_DRF)) {
            f->st.rx_no_run++;
            return 0;
        }
        f->rcv_run = true;
        f->rcv_nxt = seq;
        f->adv_rwe = rcv_rwe(f);
        f->st.rx_runs++;
    }
    f->last_rx_data = now;
    d = (int32_t)(seq - f->rcv_nxt);
    if (d < 0) {
        if (f->cfg.reliable) {
            f->st.rx_dup++;
            ack_now(f, now); /* our ack may have been lost */
        } else {
            f->st.rx_late++;
        }
        return 0;
    }
    if (!seq_lt(seq, rcv_rwe(f))) {
        f->st.rx_beyond++;
        ack_now(f, now);
        return 0;
    }
    f->st.rx_data++;
    if (!f->cfg.reliable) {
        /* In order without retransmission: skip the gap; later arrivals
         * from it are late and dropped. */
        f->st.rx_gap += (uint32_t)d;
        f->rcv_nxt = seq + 1;
        deliver(f, ref, off, len);
        ack_later(f, now);
        return 1;
    }
    if (d > 0) {
        struct rq_ent *q = &f->rq[seq % FRCP_RQ_SIZE];

        if (q->used) {
            f->st.rx_data--;
            f->st.rx_dup++;
            ack_now(f, now);
            return 0;
        }
        *q = (struct rq_ent){.ref = ref, .seq = seq, .off = off, .len = len, .used = 1};
        /* A new hole is told at once (with the selective ack); later
         * packets past it as in-order ones, every FRCP_ACK_EVERY. */
        if (f->held_ooo++ == 0)
            ack_now(f, now);
        else
            ack_later(f, now);
        return 1;
    }
    f->rcv_nxt++;
    deliver(f, ref, off, len);
    while (f->held_ooo > 0) {
        struct rq_ent *q = &f->rq[f->rcv_nxt % FRCP_RQ_SIZE];

        if (!q->used)
            break;
        assert(q->seq == f->rcv_nxt);
        q->used = 0;
        f->held_ooo--;
        f->rcv_nxt++;
        deliver(f, q->ref, q->off, q->len);
        filled = true;
    }
    /* Progress past a hole is told at once: the sender's window waits on it. */
    if (filled)
        ack_now(f, now);
    else
        ack_later(f, now);
    return 1;
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
        ack_now(f, now);
    if (!(h.flags & FRCP_F_DATA))
        return 0;
    return process_data(f, now, &h, ref, (uint32_t)n, (uint32_t)(len - (size_t)n));
}

void frcp_consumed(struct frcp *f, uint64_t now, uint32_t n)
{
    assert(f);
    f->unread -= n < f->unread ? n : f->unread;
    /* Tell a sender that may be stalled once the window grew enough. */
    if (f->rcv_run && !f->err && rcv_rwe(f) - f->adv_rwe >= FRCP_WIN_UPDATE)
        ack_now(f, now);
}

static bool outstanding(const struct frcp *f)
{
    return f->cfg.reliable && f->snd_una != f->snd_nxt;
}

uint64_t frcp_next_deadline(const struct frcp *f)
{
    uint64_t d = NEVER;

    assert(f);
    if (f->err)
        return NEVER;
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
    if (f->cfg.keepalive_ns && now - f->last_rx >= f->cfg.keepalive_ns) {
        f->err = -EFLOWPEER;
        return;
    }
    if (outstanding(f)) {
        for (uint32_t s = f->snd_una; s != f->snd_nxt; s++) {
            struct rtx_ent *e = &f->rtxq[s % FRCP_RTXQ_SIZE];

            if (!e->used)
                continue;
            if (now - e->first_at >= f->cfg.r_ns) {
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
    if (f->ack_due != NEVER && now >= f->ack_due)
        ack_now(f, now);
    if (f->win_closed && now - f->last_rdvs >= FRCP_RDVS_NS) {
        f->last_rdvs = now;
        f->st.tx_rdvs++;
        send_ctl(f, now, FRCP_F_RDVS);
    }
    if (f->cfg.keepalive_ns && now - f->last_tx >= f->cfg.keepalive_ns / 4) {
        f->st.tx_keepalive++;
        send_ctl(f, now, 0);
    }
    if (f->rcv_run && now - f->last_rx_data >= rcv_inact(f)) {
        rq_flush(f);
        f->rcv_run = false;
        f->ack_due = NEVER;
        f->ack_pending = 0;
    }
    if (f->snd_run && !outstanding(f) && now - f->last_tx_data >= snd_inact(f)) {
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
        ack_now(f, now);
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

uint32_t frcp_rx_held(const struct frcp *f)
{
    assert(f);
    return f->unread + f->held_ooo;
}

const struct frcp_stats *frcp_stats(const struct frcp *f)
{
    assert(f);
    return &f->st;
}
