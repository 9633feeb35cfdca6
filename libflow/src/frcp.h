/*
 * frcp.h - FRCP, the end-to-end Flow and Retransmission Control Protocol of
 * one flow, as a state machine: no I/O, no threads, no allocation per packet.
 *
 * Packets are named by a caller's reference (a pool block offset or any
 * cookie): FRCP keeps references in its retransmission and reorder queues
 * and hands them back through the ops. Time is passed in (ns, monotonic);
 * frcp_next_deadline() and frcp_tick() let one timer wheel per process
 * serve all flows. See docs/frcp.md.
 *
 * Header (network byte order), 12 bytes, 20 with a selective ack:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------+-----------------------------------------------+
 *   |     flags     |   window: right window edge, low 24 bits      |
 *   +---------------+-----------------------------------------------+
 *   |                       sequence number                         |
 *   +---------------------------------------------------------------+
 *   |                    acknowledgement number                     |
 *   +---------------------------------------------------------------+
 *   |     selective ack: bit i = ackno + 1 + i is held (SACK only)  |
 *   |                          (64 bits)                            |
 *   +---------------------------------------------------------------+
 */
#ifndef OUROBUS_FRCP_H
#define OUROBUS_FRCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRCP_HDR_LEN 12
#define FRCP_HDR_MAX 20 /* with the selective ack */

#define FRCP_F_DATA 0x01 /* carries data, seqno valid */
#define FRCP_F_DRF  0x02 /* data run flag: a packet of a new run */
#define FRCP_F_ACK  0x04 /* ackno valid */
#define FRCP_F_FC   0x08 /* window valid (only with ACK) */
#define FRCP_F_RDVS 0x10 /* rendez-vous: the sender's window is closed */
#define FRCP_F_FFGM 0x20 /* first fragment: reserved, refused */
#define FRCP_F_MFGM 0x40 /* more fragments: reserved, refused */
#define FRCP_F_SACK 0x80 /* a 64-bit selective-ack bitmap follows */

#define FRCP_RQ_SIZE      256 /* receiver window and reorder queue, packets */
#define FRCP_RTXQ_SIZE    256 /* packets in flight at most */
#define FRCP_START_WINDOW 64  /* window of a new run before the first ack */
#define FRCP_NOREF        UINT64_MAX

struct frcp_hdr {
    uint8_t flags;
    uint32_t window; /* 24 bits on the wire */
    uint32_t seqno;
    uint32_t ackno;
    uint64_t sack;
};

/* Write h into buf; returns its length or -EMSGSIZE. */
int frcp_hdr_encode(const struct frcp_hdr *h, uint8_t *buf, size_t cap);

/* Read a header from the len bytes at buf; returns its length, -EBADMSG if
 * truncated, -EPROTO for a flag combination FRCP refuses. */
int frcp_hdr_decode(struct frcp_hdr *h, const uint8_t *buf, size_t len);

struct frcp_cfg {
    bool reliable;         /* retransmission and linger (QoS loss 0) */
    uint64_t mpl_ns;       /* the layer's maximum packet lifetime */
    uint64_t a_ns;         /* Delta-t A: longest an ack is held */
    uint64_t r_ns;         /* Delta-t R: longest a packet is retransmitted */
    uint64_t keepalive_ns; /* peer timeout, 0 = off; keepalive at 1/4 */
    uint64_t ack_delay_ns; /* delayed ack */
    int64_t isn;           /* first seqno of every run; < 0: random */
    uint64_t seed;         /* the seqno generator; 0: from the system */
};

/* What the flow's owner does for FRCP. They run inside frcp_* calls and
 * must not call back into the same flow (queue the work instead). */
struct frcp_ops {
    /* Send a packet: the header, then (ref != FRCP_NOREF) len bytes of
     * data of ref. A retransmission passes a ref FRCP still keeps. */
    void (*tx)(void *ctx, const uint8_t *hdr, size_t hdr_len, uint64_t ref, size_t len);
    /* In order to the application: data at off in ref, len bytes; ref now
     * belongs to the application, which calls frcp_consumed() once read. */
    void (*deliver)(void *ctx, uint64_t ref, size_t off, size_t len);
    /* FRCP no longer needs ref (acked, or dropped from the reorder queue). */
    void (*release)(void *ctx, uint64_t ref);
};

struct frcp_stats {
    uint64_t tx_data;      /* new data packets */
    uint64_t tx_rtx;       /* retransmissions on timeout */
    uint64_t tx_fast_rtx;  /* retransmissions on a selective ack */
    uint64_t tx_ack;       /* pure acks */
    uint64_t tx_keepalive; /* keepalives */
    uint64_t tx_rdvs;      /* rendez-vous probes */
    uint64_t rx_data;      /* data packets taken (delivered or queued) */
    uint64_t rx_delivered; /* handed to the application */
    uint64_t rx_dup;       /* duplicates dropped */
    uint64_t rx_late;      /* unreliable: arrived after a later one, dropped */
    uint64_t rx_gap;       /* unreliable: seqnos skipped */
    uint64_t rx_beyond;    /* beyond the receiver window, dropped */
    uint64_t rx_no_run;    /* no receiver state and no DRF, dropped */
    uint64_t rx_bad;       /* bad header or acknowledgement */
    uint64_t rto_backoff;  /* RTO doublings */
    uint32_t tx_runs;      /* data runs started by the sender */
    uint32_t rx_runs;      /* data runs started at the receiver */
};

struct frcp;

/* Defaults after the reference: MPL 100 ms, A 10 s, R 120 s, keepalive
 * 120 s, delayed ack 10 ms, random seqnos. */
void frcp_cfg_default(struct frcp_cfg *cfg, bool reliable);

/* A new FRCP instance at time now. NULL on failure (errno). */
struct frcp *frcp_new(const struct frcp_cfg *cfg, const struct frcp_ops *ops, void *ctx,
                      uint64_t now);

/* Release every reference still kept, free, NULL *p. Accepts NULL. */
void frcp_destroy(struct frcp **p);

/* Send the data of ref (len bytes): writes its header into hdr (cap >=
 * FRCP_HDR_MAX), returns the header's length. A reliable flow keeps ref
 * until ops->release. -EAGAIN if the window is closed, -EPIPE after
 * frcp_close, -EFLOWPEER / -EFLOWDOWN in an error state. */
int frcp_send(struct frcp *f, uint64_t now, uint64_t ref, size_t len, uint8_t *hdr, size_t cap);

/* A packet from the peer: len bytes at pkt, named ref. Returns 1 if FRCP
 * took ref (delivered or queued), 0 if the caller keeps (frees) it, a
 * negative errno for a bad header. */
int frcp_recv(struct frcp *f, uint64_t now, const uint8_t *pkt, size_t len, uint64_t ref);

/* The application read n delivered packets: the receiver window opens. */
void frcp_consumed(struct frcp *f, uint64_t now, uint32_t n);

/* The earliest time frcp_tick() has work, UINT64_MAX if none. */
uint64_t frcp_next_deadline(const struct frcp *f);

/* Run the timers due at now: retransmission, delayed ack, rendez-vous,
 * keepalive, peer timeout, Delta-t expiry. */
void frcp_tick(struct frcp *f, uint64_t now);

/* Close: no more sends; a final ack goes out. Keep ticking and receiving
 * until frcp_drained() (linger). */
void frcp_close(struct frcp *f, uint64_t now);

/* True when nothing sent waits for an ack (or the flow is in error). */
bool frcp_drained(const struct frcp *f);

/* 0, -EFLOWPEER (peer silent for the keepalive timeout) or -EFLOWDOWN (a
 * packet unacknowledged for R). */
int frcp_error(const struct frcp *f);

/* Whether frcp_send would accept a packet now. */
bool frcp_can_send(const struct frcp *f);

/* Smoothed RTT and current RTO, ns (0 RTT: no sample yet). */
uint64_t frcp_srtt(const struct frcp *f);
uint64_t frcp_rto(const struct frcp *f);

/* Packets held by the receiver: delivered but unread, plus queued. */
uint32_t frcp_rx_held(const struct frcp *f);

const struct frcp_stats *frcp_stats(const struct frcp *f);

#endif
