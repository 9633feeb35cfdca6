/*
 * frcp_rx.c - the receiver side of FRCP: the reorder queue, in-order
 * delivery, duplicates, the receiver window (flow control) and acks, delayed,
 * immediate or riding on data.
 */
#include "frcp_priv.h"

#include <assert.h>
#include <errno.h>

void frcp_rx_flush(struct frcp *f)
{
    for (uint32_t i = 0; i < FRCP_RQ_SIZE && f->held_ooo > 0; i++) {
        if (f->rq[i].used) {
            f->rq[i].used = 0;
            f->held_ooo--;
            f->ops.release(f->ctx, f->rq[i].ref);
        }
    }
}

/* Fill the receiver's part of an outgoing header; it acks everything. */
void frcp_fill_ack(struct frcp *f, struct frcp_hdr *h)
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
    f->ack_due = FRCP_NEVER;
}

void frcp_ack_now(struct frcp *f, uint64_t now)
{
    f->st.tx_ack++;
    frcp_send_ctl(f, now, 0);
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
        frcp_ack_now(f, now);
    else if (f->ack_due == FRCP_NEVER)
        f->ack_due = now + f->cfg.ack_delay_ns;
}

int frcp_rx_data(struct frcp *f, uint64_t now, const struct frcp_hdr *h, uint64_t ref,
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
            frcp_ack_now(f, now); /* our ack may have been lost */
        } else {
            f->st.rx_late++;
        }
        return 0;
    }
    if (!seq_lt(seq, rcv_rwe(f))) {
        f->st.rx_beyond++;
        frcp_ack_now(f, now);
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
            frcp_ack_now(f, now);
            return 0;
        }
        *q = (struct rq_ent){.ref = ref, .seq = seq, .off = off, .len = len, .used = 1};
        /* A new hole is told at once (with the selective ack); later
         * packets past it as in-order ones, every FRCP_ACK_EVERY. */
        if (f->held_ooo++ == 0)
            frcp_ack_now(f, now);
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
        frcp_ack_now(f, now);
    else
        ack_later(f, now);
    return 1;
}

void frcp_consumed(struct frcp *f, uint64_t now, uint32_t n)
{
    assert(f);
    f->unread -= n < f->unread ? n : f->unread;
    /* Tell a sender that may be stalled once the window grew enough. */
    if (f->rcv_run && !f->err && rcv_rwe(f) - f->adv_rwe >= FRCP_WIN_UPDATE)
        frcp_ack_now(f, now);
}

uint32_t frcp_rx_held(const struct frcp *f)
{
    assert(f);
    return f->unread + f->held_ooo;
}
