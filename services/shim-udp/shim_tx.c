/*
 * shim_tx.c - the UDP shim's send thread: waits on the IPCP's event queue
 * (an event per packet an application wrote), keeps a list of the flows
 * that have packets and serves them in turn, a batch at a time: takes
 * their packets (np1_flow_read: the applications' own blocks), puts the
 * endpoint id into each block's headroom and sends them with sendmmsg,
 * straight from the pool. No copy, no lock.
 */
#include "shim.h"

#include "deadline.h"
#include "log.h"
#include "udp_msg.h"

#include <errno.h>
#include <netinet/udp.h>
#include <ourobus/errno.h>
#include <stdlib.h>
#include <string.h>

#define TX_BATCH      32           /* datagrams per sendmmsg */
#define TX_PER_TURN   TX_BATCH     /* packets of one flow before the next flow's turn */
#define TX_ACTIVE     4096         /* flows served in turn; more wait for their next event */
#define TX_WAKE_MS    1000         /* look at the stop flag at least this often */
#define TX_STOP_FID   EVQ_FLOW_MAX /* no flow has it: the wake-up at stop */
#define UDP_GSO_SEGS  TX_BATCH     /* datagrams per GSO message (the kernel allows 64) */
#define UDP_GSO_BYTES 65000u       /* and their bytes, under the IP limit */

struct tx {
    struct shim *s;
    bool gso; /* UDP_SEGMENT works here */
    int n;    /* packets in the batch */
    uint64_t blk[TX_BATCH];
    struct iovec iov[TX_BATCH];   /* each packet: endpoint id + payload */
    struct udp_addr to[TX_BATCH]; /* a copy: the flow may go once we are offline */
    int nmsg;
    struct mmsghdr msg[TX_BATCH];
    union {
        char buf[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } ctl[TX_BATCH];
    /* Flows with packets, served in turn: by id, looked up at each turn,
     * so that nothing is held across a quiescent point. */
    uint32_t active[TX_ACTIVE];
    int nactive;
};

/* Can packet j join a GSO message of packets first..j-1? Same peer, same
 * size (the kernel cuts the message in equal segments), within 64 KiB. */
static bool same_segment(const struct tx *tx, int first, int j)
{
    size_t seg = tx->iov[first].iov_len;

    return tx->iov[j].iov_len == seg && (size_t)(j - first + 1) * seg <= UDP_GSO_BYTES &&
           j - first < UDP_GSO_SEGS && udp_addr_equal(&tx->to[j], &tx->to[first]);
}

/* Lay the batch out as messages: with GSO, a run of packets of one size to
 * one peer is one message the kernel cuts into datagrams (one route
 * look-up, one socket buffer); else a message per packet. */
static void build(struct tx *tx)
{
    tx->nmsg = 0;
    for (int i = 0; i < tx->n;) {
        struct msghdr *h = &tx->msg[tx->nmsg].msg_hdr;
        int j = i + 1;

        while (tx->gso && j < tx->n && same_segment(tx, i, j))
            j++;
        *h = (struct msghdr){
            .msg_name = &tx->to[i].sa,
            .msg_namelen = tx->to[i].len,
            .msg_iov = &tx->iov[i],
            .msg_iovlen = (size_t)(j - i),
        };
        if (j - i > 1) {
            struct cmsghdr *c;

            h->msg_control = tx->ctl[tx->nmsg].buf;
            h->msg_controllen = sizeof(tx->ctl[tx->nmsg].buf);
            c = CMSG_FIRSTHDR(h);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            *(uint16_t *)(void *)CMSG_DATA(c) = (uint16_t)tx->iov[i].iov_len;
        }
        tx->nmsg++;
        i = j;
    }
}

/* Message k was refused for its GSO: go on without, from its first packet. */
static bool gso_refused(struct tx *tx, int k, int err)
{
    int first;

    if (tx->msg[k].msg_hdr.msg_control == NULL ||
        (err != EINVAL && err != EIO && err != ENOPROTOOPT && err != EOPNOTSUPP))
        return false;
    log_info("UDP segmentation offload refused (%s): a message per datagram from now on",
             strerror(err));
    tx->gso = false;
    first = (int)(tx->msg[k].msg_hdr.msg_iov - tx->iov);
    tx->n -= first;
    memmove(tx->iov, tx->iov + first, (size_t)tx->n * sizeof(tx->iov[0]));
    memmove(tx->to, tx->to + first, (size_t)tx->n * sizeof(tx->to[0]));
    build(tx);
    return true;
}

/* Send the batch, then give its blocks back to the pool. */
static void flush(struct tx *tx)
{
    struct shim *s = tx->s;
    int nblk = tx->n;
    int done = 0;

    build(tx);
    while (done < tx->nmsg) {
        int r = sendmmsg(s->fd, tx->msg + done, (unsigned)(tx->nmsg - done), 0);

        if (r > 0) {
            done += r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (gso_refused(tx, done, errno)) {
            done = 0;
        } else {
            /* tx->msg[done] failed (no route, too big, ...): skip it. */
            if (atomic_fetch_add_explicit(&s->tx_errors, tx->msg[done].msg_hdr.msg_iovlen,
                                          memory_order_relaxed) == 0)
                log_warn("send: %s (counted from now on)", strerror(errno));
            done++;
        }
    }
    for (int i = 0; i < nblk; i++)
        pool_free(s->pool, tx->blk[i]);
    tx->n = 0;
}

/* Take up to TX_PER_TURN packets of f into the batch; false when f has no
 * more (or cannot send). */
static bool drain(struct tx *tx, struct udp_flow *f)
{
    struct shim *s = tx->s;

    if (udp_flow_state(f) != UDP_FLOW_OPEN)
        return false; /* its packets wait in the ring until it opens (shim_tx_kick) */
    for (int k = 0; k < TX_PER_TURN; k++) {
        uint64_t off;
        uint8_t *hdr;
        int i;

        if (tx->n == TX_BATCH)
            flush(tx);
        if (np1_flow_read(s->dev, f->np1, &off) < 0)
            return false;
        hdr = pool_blk_push_head(s->pool, off, UDP_EID_LEN);
        if (hdr == NULL) { /* no headroom: not a block from the pool's allocator */
            pool_free(s->pool, off);
            atomic_fetch_add_explicit(&s->tx_errors, 1, memory_order_relaxed);
            continue;
        }
        udp_data_put_eid(hdr, f->peer_eid);
        i = tx->n++;
        tx->blk[i] = off;
        tx->to[i] = f->peer;
        tx->iov[i] = (struct iovec){hdr, pool_blk_len(s->pool, off)};
    }
    return true;
}

/* Put f in the list of flows to serve (once). */
static void activate(struct tx *tx, struct udp_flow *f)
{
    if (f->tx_queued || tx->nactive == TX_ACTIVE)
        return; /* a flow left out comes back with its next event */
    f->tx_queued = true;
    tx->active[tx->nactive++] = f->fid;
}

static void activate_any(void *arg, struct udp_flow *f)
{
    activate(arg, f);
}

static void handle(struct tx *tx, const struct evq_event *ev)
{
    struct udp_flow *f;

    if (ev->type & EVQ_OVERFLOW) { /* events were lost: look at every flow */
        ep_table_foreach(tx->s->eps, activate_any, tx);
        return;
    }
    if ((ev->type & EVQ_FLOW_PKT) == 0)
        return;
    f = ep_table_by_fid(tx->s->eps, ev->flow);
    if (f != NULL)
        activate(tx, f);
}

/* One turn of every active flow; those that ran dry leave the list. */
static void serve(struct tx *tx)
{
    int keep = 0;

    for (int i = 0; i < tx->nactive; i++) {
        struct udp_flow *f = ep_table_by_fid(tx->s->eps, tx->active[i]);

        if (f == NULL)
            continue; /* gone */
        if (drain(tx, f))
            tx->active[keep++] = tx->active[i];
        else
            f->tx_queued = false;
    }
    tx->nactive = keep;
}

void *shim_tx_main(void *arg)
{
    struct shim *s = arg;
    struct tx *tx = calloc(1, sizeof(*tx));
    struct spin sp, ysp;

    if (tx == NULL) {
        log_err("send thread: out of memory");
        return NULL;
    }
    tx->s = s;
    tx->gso =
        getenv("OUROBUS_SHIM_UDP_GSO") == NULL || atoi(getenv("OUROBUS_SHIM_UDP_GSO")) != 0;
    spin_init(&sp, spin_default_ns());
    spin_init(&ysp, yield_default_ns());
    /* Packets may wait from before a restart: look at every flow once. */
    qsbr_online(&s->qsbr, SHIM_TX_READER);
    ep_table_foreach(s->eps, activate_any, tx);
    while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        struct evq_event ev;

        if (tx->nactive == 0) {
            uint64_t t0 = now_ns();
            int r;

            qsbr_offline(&s->qsbr, SHIM_TX_READER);
            /* Yield-poll first: the application that sends is on our CPU. */
            while ((r = evq_next(s->evq, &ev)) == 0 && yield_turn(&ysp, t0))
                ;
            if (r == 0)
                r = evq_wait(s->evq, &ev, deadline_after_ms(TX_WAKE_MS), &sp);
            spin_learn(&ysp, now_ns() - t0);
            qsbr_online(&s->qsbr, SHIM_TX_READER);
            if (r != 1)
                continue;
            handle(tx, &ev);
        }
        while (evq_next(s->evq, &ev) == 1)
            handle(tx, &ev);
        serve(tx);
        flush(tx);
        qsbr_quiescent(&s->qsbr, SHIM_TX_READER);
    }
    for (int i = 0; i < tx->nactive; i++) {
        struct udp_flow *f = ep_table_by_fid(s->eps, tx->active[i]);

        if (f != NULL)
            f->tx_queued = false;
    }
    qsbr_offline(&s->qsbr, SHIM_TX_READER);
    free(tx);
    return NULL;
}

void shim_tx_kick(struct shim *s, uint32_t fid)
{
    evq_post(s->evq, fid, EVQ_FLOW_PKT);
}

void shim_tx_wake(struct shim *s)
{
    evq_post(s->evq, TX_STOP_FID, EVQ_FLOW_PKT);
}
