/*
 * frcp_priv.h - the state of an FRCP flow, shared by the sender and timers
 * (frcp.c) and the receiver (frcp_rx.c). Not for use outside FRCP.
 */
#ifndef OUROBUS_FRCP_PRIV_H
#define OUROBUS_FRCP_PRIV_H

#include "frcp.h"

#define FRCP_MS 1000000ull

#define FRCP_RTO_INIT   (1000 * FRCP_MS)
#define FRCP_RTO_MIN    (1 * FRCP_MS)
#define FRCP_RTO_MAX    (60000 * FRCP_MS)
#define FRCP_RDVS_NS    (100 * FRCP_MS) /* rendez-vous probe period */
#define FRCP_ACK_EVERY  4               /* in-order packets per delayed ack */
#define FRCP_DUPTHRESH  3               /* selectively acked packets past a hole */
#define FRCP_WIN_UPDATE (FRCP_RQ_SIZE / 4)
#define FRCP_NEVER      UINT64_MAX

struct rtx_ent {
    uint64_t ref;
    uint64_t sent_at;  /* last (re)transmission */
    uint64_t first_at; /* first transmission: the R timer */
    uint64_t rto_at;   /* retransmission deadline */
    uint32_t len;
    uint16_t ntx;
    uint8_t sacked;
    uint8_t drf; /* sent with DRF: so are its retransmissions */
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

static inline uint64_t rcv_inact(const struct frcp *f)
{
    return 2 * f->cfg.mpl_ns + f->cfg.a_ns + f->cfg.r_ns;
}

static inline uint32_t rcv_rwe(const struct frcp *f)
{
    return f->rcv_nxt + (FRCP_RQ_SIZE - f->unread);
}

/* frcp.c */
void frcp_send_ctl(struct frcp *f, uint64_t now, uint8_t flags);

/* frcp_rx.c */
void frcp_fill_ack(struct frcp *f, struct frcp_hdr *h);
void frcp_ack_now(struct frcp *f, uint64_t now);
void frcp_rx_flush(struct frcp *f);
int frcp_rx_data(struct frcp *f, uint64_t now, const struct frcp_hdr *h, uint64_t ref,
                 uint32_t off, uint32_t len);

#endif
