/*
 * eth_tx.c - the send thread: wait on the IPCP's event queue, take one packet
 * per packet event (so flows share the link in the order they wrote), push
 * the Ethernet and shim headers into each block's headroom, sendmmsg a batch.
 * An event may be lost (before a restart, on an overflow): a packet event
 * takes one more packet if there is one, and every flow is looked at after
 * an overflow, a restore, and when the thread idles.
 */
#include "shim_eth.h"

#include "deadline.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define TX_IDLE_MS  100 /* evq wait timeout: a look at the stop flag, a rescan */
#define EVENT_TAKE  2   /* packets per packet event: one, and one that lost its event */
#define RESCAN_TAKE 8   /* packets per flow per turn of a rescan */

struct tx {
    struct shim_eth *s;
    struct ep_reader *reader;
    struct spin spin;
    struct spin yield; /* the yielding poll before evq_wait */
    uint64_t off[SHIM_ETH_BATCH];
    struct iovec iov[SHIM_ETH_BATCH];
    struct mmsghdr msg[SHIM_ETH_BATCH];
    int n;
    size_t hdr_len;
    bool rescan;     /* events were lost: look at every flow */
    bool found;      /* this rescan pass found packets */
    uint32_t cursor; /* where the rescan goes on */
    uint64_t drop[ETH_DROP_REASONS];
};

/* Frame block off for ef into the batch. */
static void tx_add(struct tx *r, struct eth_flow *ef, uint64_t off)
{
    struct shim_eth *s = r->s;
    size_t len = pool_blk_len(s->pool, off);
    uint8_t *hdr;

    if (len > atomic_load_explicit(&s->max_sdu, memory_order_relaxed)) {
        r->drop[ETH_DROP_TX_BIG]++;
        pool_free(s->pool, off);
        return;
    }
    hdr = pool_blk_push_head(s->pool, off, r->hdr_len);
    if (hdr == NULL) {
        r->drop[ETH_DROP_TX_ERR]++;
        pool_free(s->pool, off);
        return;
    }
    eth_frame_write(&s->sock.fmt, hdr, ef->peer_mac, s->sock.mac, ef->peer_eid, (uint16_t)len);
    r->iov[r->n].iov_base = hdr;
    r->iov[r->n].iov_len = r->hdr_len + len;
    r->off[r->n++] = off;
}

/* Take up to max packets of ef; returns how many. */
static int tx_take(struct tx *r, struct eth_flow *ef, int max)
{
    uint64_t off;
    int got = 0;

    if (eth_flow_state(ef) != ETH_FLOW_UP)
        return 0;
    while (got < max && r->n < SHIM_ETH_BATCH && np1_flow_read(r->s->dev, ef->f, &off) == 0) {
        tx_add(r, ef, off);
        got++;
    }
    return got;
}

static void tx_event(struct tx *r, const struct evq_event *ev)
{
    struct eth_flow *ef;

    if (ev->type & EVQ_OVERFLOW) {
        r->rescan = true;
        return;
    }
    if (!(ev->type & EVQ_FLOW_PKT))
        return;
    ef = ep_table_by_id(r->s->eps, ev->flow);
    if (ef != NULL)
        tx_take(r, ef, EVENT_TAKE);
}

/* One turn of a rescan over every flow, fair to each, until the batch is
 * full; it ends after a whole pass that found nothing. */
static void tx_rescan(struct tx *r)
{
    struct ep_table *t = r->s->eps;

    while (r->n < SHIM_ETH_BATCH) {
        uint32_t e = ep_table_next(t, r->cursor);
        struct eth_flow *ef;

        if (e == 0) {
            if (!r->found) {
                r->rescan = false;
                r->cursor = 1;
                return;
            }
            r->found = false;
            r->cursor = 1;
            continue;
        }
        ef = ep_table_by_eid(t, (uint16_t)e);
        if (ef != NULL && tx_take(r, ef, RESCAN_TAKE) > 0)
            r->found = true;
        r->cursor = e + 1;
    }
}

static void tx_send(struct tx *r)
{
    struct shim_eth *s = r->s;
    uint64_t bytes = 0;
    int i = 0, sent = 0;

    for (int k = 0; k < r->n; k++) {
        memset(&r->msg[k].msg_hdr, 0, sizeof(r->msg[k].msg_hdr));
        r->msg[k].msg_hdr.msg_iov = &r->iov[k];
        r->msg[k].msg_hdr.msg_iovlen = 1;
        bytes += r->iov[k].iov_len;
    }
    while (i < r->n) {
        int k = sendmmsg(s->sock.fd, &r->msg[i], (unsigned int)(r->n - i), MSG_NOSIGNAL);
        if (k > 0) {
            i += k;
            sent += k;
            continue;
        }
        if (errno == EINTR)
            continue;
        /* Down, or blocked past SO_SNDTIMEO: this frame is lost. */
        bytes -= r->iov[i].iov_len;
        r->drop[ETH_DROP_TX_ERR]++;
        i++;
    }
    for (int k = 0; k < r->n; k++)
        pool_free(s->pool, r->off[k]);
    r->n = 0;
    eth_stat_add(&s->stats.tx_frames, (uint64_t)sent);
    eth_stat_add(&s->stats.tx_bytes, bytes);
    for (int d = 0; d < ETH_DROP_REASONS; d++) {
        if (r->drop[d] != 0) {
            eth_stat_add(&s->stats.drop[d], r->drop[d]);
            r->drop[d] = 0;
        }
    }
}

static void tx_loop(struct tx *r)
{
    struct shim_eth *s = r->s;
    struct evq_event ev;
    int got;

    while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        got = 0;
        if (atomic_exchange_explicit(&s->rescan, false, memory_order_acq_rel))
            r->rescan = true;
        if (!r->rescan) {
            uint64_t t0 = now_ns();

            /* Yield-poll first: the application that sends is on our CPU. */
            while ((got = evq_next(s->evq, &ev)) == 0 && yield_turn(&r->yield, t0))
                ;
            if (got == 0)
                got = evq_wait(s->evq, &ev, now_ns() + TX_IDLE_MS * 1000000ull, &r->spin);
            spin_learn(&r->yield, now_ns() - t0);
            if (got != 1) {
                r->rescan = true; /* idle: a look at every flow */
                continue;
            }
        }
        ep_read_begin(r->reader);
        if (got == 1)
            tx_event(r, &ev);
        while (r->n < SHIM_ETH_BATCH && evq_next(s->evq, &ev) == 1)
            tx_event(r, &ev);
        if (r->rescan)
            tx_rescan(r);
        ep_read_end(r->reader);
        if (r->n > 0)
            tx_send(r);
    }
}

void *eth_tx_main(void *arg)
{
    struct shim_eth *s = arg;
    struct tx *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        log_err("send thread: out of memory");
        return NULL;
    }
    r->s = s;
    r->reader = ep_table_reader(s->eps, SHIM_ETH_READER_TX);
    r->hdr_len = eth_fmt_hdr_len(&s->sock.fmt);
    spin_init(&r->spin, spin_default_ns());
    spin_init(&r->yield, yield_default_ns());
    /* Packets may wait from before a restart, their events long taken. */
    r->rescan = true;
    r->cursor = 1;
    tx_loop(r);
    free(r);
    return NULL;
}
