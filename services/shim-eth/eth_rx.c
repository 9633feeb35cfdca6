/*
 * eth_rx.c - the receive thread: recvmmsg straight into packet-pool blocks,
 * a batch at a time; demultiplex by endpoint id and hand each block to its
 * flow's application without a copy; management messages go to the main loop.
 */
#include "shim_eth.h"

#include "deadline.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define RX_SLACK   64   /* bytes of a receive buffer beyond MTU + header */
#define RX_IDLE_MS 1000 /* poll timeout: a look at the stop flag */

/* One receive buffer: a pool block, or scratch memory when the pool is dry
 * (the frame is read and dropped, so the socket never clogs). */
struct rx_slot {
    uint64_t off; /* 0: scratch */
    uint8_t *buf;
    uint32_t cap;
    uint32_t head0; /* the block's data bounds as allocated */
    uint32_t tail0;
};

struct rx {
    struct shim_eth *s;
    struct ep_reader *reader;
    struct rx_slot slot[SHIM_ETH_BATCH];
    struct iovec iov[SHIM_ETH_BATCH];
    struct mmsghdr msg[SHIM_ETH_BATCH];
    uint8_t *scratch;
    uint32_t scratch_cap;
    uint64_t drop[ETH_DROP_REASONS];
    uint64_t frames;
    uint64_t bytes;
    struct spin yield; /* the yielding poll before a sleep */
};

static uint32_t buf_cap(struct shim_eth *s)
{
    return atomic_load_explicit(&s->max_sdu, memory_order_relaxed) + ETH_FRAME_HDR_MAX +
           RX_SLACK;
}

static void refill(struct rx *r)
{
    struct shim_eth *s = r->s;
    uint32_t cap = buf_cap(s);

    for (int i = 0; i < SHIM_ETH_BATCH; i++) {
        struct rx_slot *sl = &r->slot[i];
        if (sl->off == 0 && pool_alloc(s->pool, cap, &sl->off) == 0) {
            struct pool_blk *b = pool_blk(s->pool, sl->off);
            sl->buf = pool_blk_data(s->pool, sl->off);
            sl->cap = cap;
            sl->head0 = b->head;
            sl->tail0 = b->tail;
        } else if (sl->off == 0) {
            sl->buf = r->scratch + (size_t)i * r->scratch_cap;
            sl->cap = r->scratch_cap;
        }
        r->iov[i].iov_base = sl->buf;
        r->iov[i].iov_len = sl->cap;
        memset(&r->msg[i].msg_hdr, 0, sizeof(r->msg[i].msg_hdr));
        r->msg[i].msg_hdr.msg_iov = &r->iov[i];
        r->msg[i].msg_hdr.msg_iovlen = 1;
    }
}

static void rx_mgmt(struct rx *r, const struct eth_frame *fr, const uint8_t *buf)
{
    struct mgmt_item it;

    if (eth_mgmt_decode(buf + fr->hdr_len, fr->len, r->s->hash_len, &it.msg) < 0) {
        r->drop[ETH_DROP_MGMT]++;
        return;
    }
    memcpy(it.src, fr->src, ETH_MAC_LEN);
    if (mgmt_queue_put(r->s->mq, &it) < 0)
        r->drop[ETH_DROP_MGMT_QUEUE]++;
}

static void rx_data(struct rx *r, struct rx_slot *sl, const struct eth_frame *fr)
{
    struct shim_eth *s = r->s;
    struct eth_flow *ef = ep_table_by_eid(s->eps, fr->eid);
    struct pool_blk *b;
    uint32_t st;
    int err;

    if (ef == NULL) {
        r->drop[ETH_DROP_EID]++;
        return;
    }
    /* Read the state first: once it is past RESOLVING and ARRIVING, the
     * flow and the peer's MAC were written before it (release/acquire). */
    st = eth_flow_state(ef);
    if (st == ETH_FLOW_RESOLVING || st == ETH_FLOW_ARRIVING ||
        memcmp(ef->peer_mac, fr->src, ETH_MAC_LEN) != 0) {
        r->drop[ETH_DROP_EID]++;
        return;
    }
    if (sl->off == 0) {
        r->drop[ETH_DROP_NO_BUF]++;
        return;
    }
    b = pool_blk(s->pool, sl->off);
    b->head = sl->head0 + fr->hdr_len;
    b->tail = b->head + fr->len;
    err = np1_flow_write(s->dev, ef->f, sl->off);
    if (err == 0) {
        r->frames++;
        r->bytes += fr->len;
        sl->off = 0; /* the application's now */
        return;
    }
    b->head = sl->head0;
    b->tail = sl->tail0;
    r->drop[err == -EAGAIN ? ETH_DROP_RING_FULL : ETH_DROP_EID]++;
}

static void rx_frame(struct rx *r, struct rx_slot *sl, const struct mmsghdr *m)
{
    struct shim_eth *s = r->s;
    struct eth_frame fr;
    int err;

    if (m->msg_hdr.msg_flags & MSG_TRUNC) {
        r->drop[ETH_DROP_TRUNC]++;
        return;
    }
    err = eth_frame_parse(&s->sock.fmt, sl->buf, m->msg_len, &fr);
    if (err < 0) {
        r->drop[err == -EPROTOTYPE ? ETH_DROP_TYPE : ETH_DROP_SHORT]++;
        return;
    }
    if (memcmp(fr.dst, s->sock.mac, ETH_MAC_LEN) != 0 &&
        memcmp(fr.dst, eth_broadcast, ETH_MAC_LEN) != 0) {
        r->drop[ETH_DROP_OTHER_HOST]++;
        return;
    }
    if (fr.eid == ETH_EID_MGMT)
        rx_mgmt(r, &fr, sl->buf);
    else
        rx_data(r, sl, &fr);
}

static void publish(struct rx *r)
{
    struct eth_stats *st = &r->s->stats;

    if (r->frames != 0) {
        eth_stat_add(&st->rx_frames, r->frames);
        eth_stat_add(&st->rx_bytes, r->bytes);
        r->frames = r->bytes = 0;
    }
    for (int i = 0; i < ETH_DROP_REASONS; i++) {
        if (r->drop[i] != 0) {
            eth_stat_add(&st->drop[i], r->drop[i]);
            r->drop[i] = 0;
        }
    }
}

/* Nothing to read: sleep until a frame or the stop signal. */
static void rx_wait(struct rx *r)
{
    struct pollfd p[2] = {{.fd = r->s->sock.fd, .events = POLLIN},
                          {.fd = r->s->stop_fd, .events = POLLIN}};
    uint64_t t0 = now_ns();

    /* Yield-poll first (the receiving application shares our CPU), then
     * sleep in the kernel. */
    while (yield_turn(&r->yield, t0))
        if (poll(p, 1, 0) > 0)
            goto out;
    poll(p, 2, RX_IDLE_MS);
out:
    spin_learn(&r->yield, now_ns() - t0);
}

static void rx_loop(struct rx *r)
{
    struct shim_eth *s = r->s;
    int n;

    while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        refill(r);
        n = recvmmsg(s->sock.fd, r->msg, SHIM_ETH_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ENETDOWN) {
                log_warn("%s: receive: %s", s->sock.dev, strerror(errno));
                nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
            }
            if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
                rx_wait(r);
            continue;
        }
        ep_read_begin(r->reader);
        for (int i = 0; i < n; i++)
            rx_frame(r, &r->slot[i], &r->msg[i]);
        ep_read_end(r->reader);
        publish(r);
        /* A short batch emptied the socket: sleep without asking again. */
        if (n < SHIM_ETH_BATCH)
            rx_wait(r);
    }
}

void *eth_rx_main(void *arg)
{
    struct shim_eth *s = arg;
    struct rx *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        log_err("receive thread: out of memory");
        return NULL;
    }
    r->s = s;
    spin_init(&r->yield, yield_default_ns());
    r->reader = ep_table_reader(s->eps, SHIM_ETH_READER_RX);
    /* Scratch buffers fit the largest frame an MTU change may bring. */
    r->scratch_cap = 65536;
    r->scratch = malloc((size_t)SHIM_ETH_BATCH * r->scratch_cap);
    if (r->scratch == NULL) {
        log_err("receive thread: out of memory");
        free(r);
        return NULL;
    }
    rx_loop(r);
    for (int i = 0; i < SHIM_ETH_BATCH; i++)
        if (r->slot[i].off != 0)
            pool_free(s->pool, r->slot[i].off);
    free(r->scratch);
    free(r);
    return NULL;
}
