/*
 * shim_rx.c - the UDP shim's receive thread: recvmmsg straight into pool
 * blocks kept ready in a batch, then each datagram to its flow's
 * application (np1_flow_write, which never waits) or, for endpoint id 0,
 * to the main loop. Nothing here blocks but recvmmsg: a full ring, an empty
 * pool or a flood of garbage is a counted drop, never a stall.
 */
#include "shim.h"

#include "deadline.h"
#include "log.h"
#include "udp_msg.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RX_BATCH 32

struct rx {
    struct shim *s;
    uint64_t blk[RX_BATCH]; /* ready blocks; 0: none */
    struct mmsghdr msg[RX_BATCH];
    struct iovec iov[RX_BATCH];
    struct sockaddr_in6 from[RX_BATCH]; /* fits an IPv4 one too */
    size_t blk_len;                     /* what a receive block must hold */
};

/* Has sa (a datagram's sender) the address and port of a? */
static inline bool same_sender(const struct udp_addr *a, const struct sockaddr_in6 *sa)
{
    if (a->sa.sa_family != sa->sin6_family)
        return false;
    if (a->sa.sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        return in->sin_port == a->v4.sin_port && in->sin_addr.s_addr == a->v4.sin_addr.s_addr;
    }
    return sa->sin6_port == a->v6.sin6_port &&
           memcmp(&sa->sin6_addr, &a->v6.sin6_addr, sizeof(sa->sin6_addr)) == 0;
}

static void count(struct rx *rx, enum drop_reason r, int i)
{
    struct udp_addr from;

    if (udp_addr_from_sa(&from, (struct sockaddr *)&rx->from[i],
                         rx->msg[i].msg_hdr.msg_namelen))
        drop_stats_count(&rx->s->drops, r, &from);
    else
        drop_stats_count(&rx->s->drops, r, NULL);
}

/* Fill the empty slots with fresh blocks; the number of leading slots
 * ready (they stay packed at the front). */
static int refill(struct rx *rx)
{
    int n = 0;

    for (int i = 0; i < RX_BATCH; i++) {
        if (rx->blk[i] == 0 && pool_alloc(rx->s->pool, rx->blk_len, &rx->blk[i]) < 0)
            break;
        n++;
    }
    return n;
}

/* Ready slot i for a datagram: data from the default headroom, as long as
 * the block is. */
static void arm(struct rx *rx, int i)
{
    struct pool_blk *b = pool_blk(rx->s->pool, rx->blk[i]);

    b->head = POOL_BLK_HDR + POOL_HEADROOM;
    b->tail = b->size - POOL_TAILROOM;
    rx->iov[i].iov_base = (uint8_t *)b + b->head;
    rx->iov[i].iov_len = b->tail - b->head;
    rx->msg[i].msg_hdr = (struct msghdr){
        .msg_name = &rx->from[i],
        .msg_namelen = sizeof(rx->from[i]),
        .msg_iov = &rx->iov[i],
        .msg_iovlen = 1,
    };
}

/* Datagram i is in its block: hand it on, or count why not. True when the
 * block is gone from the batch. */
static bool deliver(struct rx *rx, int i)
{
    struct shim *s = rx->s;
    uint64_t off = rx->blk[i];
    struct pool_blk *b = pool_blk(s->pool, off);
    const uint8_t *d = (const uint8_t *)b + b->head;
    size_t len = rx->msg[i].msg_len;
    struct udp_flow *f;
    uint32_t eid;
    int st;

    if (rx->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
        count(rx, DROP_TOO_BIG, i);
        return false;
    }
    if (udp_data_parse(d, len, &eid) < 0) {
        count(rx, DROP_SHORT, i);
        return false;
    }
    b->tail = b->head + (uint32_t)len;
    if (eid == UDP_EID_MGMT) {
        struct udp_mgmt m;
        struct udp_addr from;

        if (udp_mgmt_parse(d, len, &m) < 0 ||
            !udp_addr_from_sa(&from, (struct sockaddr *)&rx->from[i],
                              rx->msg[i].msg_hdr.msg_namelen)) {
            count(rx, DROP_BAD_MGMT, i);
            return false;
        }
        if (mgmt_queue_push(s->mq, off, &from) < 0) {
            count(rx, DROP_MGMT_QUEUE, i);
            return false;
        }
        return true;
    }
    f = ep_table_by_eid(s->eps, eid);
    if (f == NULL) {
        count(rx, DROP_UNKNOWN_EID, i);
        return false;
    }
    st = udp_flow_state(f);
    if (st == UDP_FLOW_OPEN
            ? !same_sender(&f->peer, &rx->from[i])
            : st != UDP_FLOW_PENDING || !same_sender(&f->req_to, &rx->from[i])) {
        count(rx, st == UDP_FLOW_CLOSED ? DROP_UNKNOWN_EID : DROP_WRONG_PEER, i);
        return false;
    }
    pool_blk_pop_head(s->pool, off, UDP_EID_LEN);
    switch (np1_flow_write(s->dev, f->np1, off)) {
    case 0:
        return true;
    case -EAGAIN:
        count(rx, DROP_RING_FULL, i);
        return false;
    default: /* the application is gone; its flow goes soon */
        count(rx, DROP_UNKNOWN_EID, i);
        return false;
    }
}

/* The pool is empty: take datagrams off the socket anyway (they would
 * only age there) and count them. */
static void discard(struct rx *rx)
{
    static uint8_t sink[RX_BATCH][64];
    struct mmsghdr m[RX_BATCH];
    struct iovec v[RX_BATCH];
    struct timespec pause = {0, 1000000};
    int n;

    for (int i = 0; i < RX_BATCH; i++) {
        v[i] = (struct iovec){sink[i], sizeof(sink[i])};
        m[i].msg_hdr = (struct msghdr){.msg_name = &rx->from[i],
                                       .msg_namelen = sizeof(rx->from[i]),
                                       .msg_iov = &v[i],
                                       .msg_iovlen = 1};
    }
    n = recvmmsg(rx->s->fd, m, RX_BATCH, MSG_DONTWAIT, NULL);
    for (int i = 0; i < n; i++) {
        rx->msg[i].msg_hdr.msg_namelen = m[i].msg_hdr.msg_namelen;
        count(rx, DROP_NO_BLOCK, i);
    }
    if (n <= 0)
        nanosleep(&pause, NULL); /* blocks come back as applications read */
}

void *shim_rx_main(void *arg)
{
    struct shim *s = arg;
    struct rx *rx = calloc(1, sizeof(*rx));
    struct spin ysp;

    if (rx == NULL) {
        log_err("receive thread: out of memory");
        return NULL;
    }
    spin_init(&ysp, yield_default_ns());
    rx->s = s;
    rx->blk_len = s->max_sdu + UDP_EID_LEN;
    while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        int ready = refill(rx);
        int n, keep;

        if (ready == 0) {
            discard(rx);
            continue;
        }
        for (int i = 0; i < ready; i++)
            arm(rx, i);
        qsbr_offline(&s->qsbr, SHIM_RX_READER);
        n = recvmmsg(s->fd, rx->msg, (unsigned)ready, MSG_DONTWAIT, NULL);
        if (n < 0 && errno == EAGAIN) {
            /* Nothing yet: yield-poll (the receiving application shares
             * our CPU), then sleep in the kernel. */
            uint64_t t0 = now_ns();

            while (yield_turn(&ysp, t0) &&
                   (n = recvmmsg(s->fd, rx->msg, (unsigned)ready, MSG_DONTWAIT, NULL)) < 0 &&
                   errno == EAGAIN)
                ;
            if (n < 0 && errno == EAGAIN)
                n = recvmmsg(s->fd, rx->msg, (unsigned)ready, MSG_WAITFORONE, NULL);
            spin_learn(&ysp, now_ns() - t0);
        }
        qsbr_online(&s->qsbr, SHIM_RX_READER);
        if (n <= 0) {
            if (n < 0 && errno != EINTR && errno != EAGAIN &&
                !atomic_load_explicit(&s->stop, memory_order_relaxed)) {
                log_err("receive: %s", strerror(errno));
                usleep(10000);
            }
            continue;
        }
        for (int i = 0; i < n; i++)
            if (deliver(rx, i))
                rx->blk[i] = 0;
        /* Pack the blocks left to the front. */
        keep = 0;
        for (int i = 0; i < RX_BATCH; i++) {
            uint64_t b = rx->blk[i];

            rx->blk[i] = 0;
            if (b != 0)
                rx->blk[keep++] = b;
        }
    }
    qsbr_offline(&s->qsbr, SHIM_RX_READER);
    for (int i = 0; i < RX_BATCH; i++)
        if (rx->blk[i] != 0)
            pool_free(s->pool, rx->blk[i]);
    free(rx);
    return NULL;
}
