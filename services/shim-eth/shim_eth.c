/*
 * shim_eth.c - the Ethernet shim's lifecycle and main loop: bootstrap on an
 * interface, the data threads, management messages, link state, the timer.
 */
#include "shim_eth.h"

#include "deadline.h"
#include "eth_link.h"
#include "log.h"

#include <czmq.h>
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MGMT_PER_TURN 256 /* management messages handled per wake-up */

int shim_eth_init(struct shim_eth *s, struct service *svc, enum ipcp_type type)
{
    memset(s, 0, sizeof(*s));
    s->svc = svc;
    s->type = type;
    s->sock.fd = -1;
    s->link_fd = -1;
    s->timer = -1;
    s->stop_fd = -1;
    s->eps = ep_table_new();
    if (s->eps == NULL)
        goto fail_eps;
    s->names = name_cache_new(SHIM_ETH_NAMES_MAX, SHIM_ETH_NAME_TTL_MS * 1000000ull);
    if (s->names == NULL)
        goto fail_names;
    s->mq = mgmt_queue_new(SHIM_ETH_MGMT_QUEUE);
    if (s->mq == NULL)
        goto fail_mq;
    s->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->stop_fd < 0)
        goto fail_stop;
    return 0;
fail_stop:
    mgmt_queue_destroy(&s->mq);
fail_mq:
    name_cache_destroy(&s->names);
fail_names:
    ep_table_destroy(&s->eps);
fail_eps:
    log_err("out of memory");
    return -ENOMEM;
}

int shim_eth_send_mgmt(struct shim_eth *s, const uint8_t *dst, const struct eth_mgmt *m)
{
    uint8_t frame[ETH_FRAME_HDR_MAX + ETH_MGMT_MAX + ETH_FRAME_MIN];
    size_t hl = eth_fmt_hdr_len(&s->sock.fmt);
    int len;

    len = eth_mgmt_encode(m, frame + hl, sizeof(frame) - hl);
    if (len < 0)
        return len;
    eth_frame_write(&s->sock.fmt, frame, dst, s->sock.mac, ETH_EID_MGMT, (uint16_t)len);
    len += (int)hl;
    if (len < ETH_FRAME_MIN) {
        memset(frame + len, 0, (size_t)(ETH_FRAME_MIN - len));
        len = ETH_FRAME_MIN;
    }
    return eth_sock_send(&s->sock, frame, (size_t)len);
}

/* ---- main loop handlers ---------------------------------------------- */

static int on_mgmt(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct shim_eth *s = arg;
    struct mgmt_item it;
    int n = 0;

    mgmt_queue_ack(s->mq);
    while (n < MGMT_PER_TURN && mgmt_queue_take(s->mq, &it) == 1) {
        n++;
        log_dbg("%s from %02x:%02x:%02x:%02x:%02x:%02x", eth_mgmt_code_str(it.msg.code),
                it.src[0], it.src[1], it.src[2], it.src[3], it.src[4], it.src[5]);
        switch (it.msg.code) {
        case ETH_MGMT_NAME_QUERY_REQ:
        case ETH_MGMT_NAME_QUERY_REPLY:
            eth_names_on_mgmt(s, &it);
            break;
        default:
            eth_alloc_on_mgmt(s, &it);
            break;
        }
    }
    if (n == MGMT_PER_TURN)
        mgmt_queue_kick(s->mq); /* more next turn: let other handlers run */
    return 0;
}

static void max_sdu_update(struct shim_eth *s, uint32_t mtu)
{
    size_t sdu = eth_fmt_max_sdu(&s->sock.fmt, mtu);

    if (s->pool != NULL && sdu > pool_max_len(s->pool))
        sdu = pool_max_len(s->pool);
    s->sock.mtu = mtu;
    atomic_store(&s->max_sdu, (uint32_t)sdu);
    if (s->dev != NULL)
        ipcp_dev_set_state(s->dev, IPCP_STATE_OPERATIONAL, s->conf.layer_info.name,
                           (uint32_t)sdu);
}

static void link_changed(struct shim_eth *s, const struct eth_link *st)
{
    if (st->mtu != 0 && st->mtu != s->sock.mtu) {
        log_info("%s: MTU %u -> %u", s->sock.dev, s->sock.mtu, st->mtu);
        max_sdu_update(s, st->mtu);
    }
    if (st->up == s->link_up)
        return;
    s->link_up = st->up;
    log_info("%s: link %s: %zu flows %s", s->sock.dev, st->up ? "up" : "down",
             ep_table_count(s->eps), st->up ? "up again" : "down");
    if (s->dev != NULL)
        eth_alloc_set_down(s, !st->up);
}

static int on_link(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct shim_eth *s = arg;
    struct eth_link st = {.up = s->link_up, .mtu = s->sock.mtu};
    int r = eth_link_read(s->link_fd, s->sock.ifindex, &st);

    if (r == -ENOBUFS) {
        /* Messages were lost: ask the interface itself. */
        if (eth_sock_link(&s->sock, &st.up, &st.mtu) < 0)
            return 0;
        r = 1;
    }
    if (r > 0)
        link_changed(s, &st);
    return 0;
}

static void stats_log(struct shim_eth *s)
{
    char line[512];
    uint64_t drops = eth_stats_drops(&s->stats);

    if (drops == s->drops_logged)
        return;
    s->drops_logged = drops;
    eth_stats_format(&s->stats, line, sizeof(line));
    log_info("%s: %s", s->sock.dev, line);
}

static int on_tick(zloop_t *loop, int timer_id, void *arg)
{
    struct shim_eth *s = arg;

    eth_alloc_tick(s, now_ns());
    if (++s->ticks % (1000 / SHIM_ETH_TICK_MS) == 0)
        stats_log(s);
    return 0;
}

/* ---- data threads ------------------------------------------------------ */

static void threads_signal_stop(struct shim_eth *s)
{
    uint64_t one = 1;
    ssize_t r;

    atomic_store(&s->stop, true);
    r = write(s->stop_fd, &one, sizeof(one));
    (void)r;
}

static int threads_start(struct shim_eth *s)
{
    int err;

    atomic_store(&s->stop, false);
    err = pthread_create(&s->rx, NULL, eth_rx_main, s);
    if (err != 0)
        goto fail_rx;
    err = pthread_create(&s->tx, NULL, eth_tx_main, s);
    if (err != 0)
        goto fail_tx;
    s->threads_on = true;
    return 0;
fail_tx:
    threads_signal_stop(s);
    pthread_join(s->rx, NULL);
fail_rx:
    log_err("cannot start the data threads: %s", strerror(err));
    return -err;
}

static void threads_stop(struct shim_eth *s)
{
    if (!s->threads_on)
        return;
    threads_signal_stop(s);
    pthread_join(s->rx, NULL);
    pthread_join(s->tx, NULL);
    s->threads_on = false;
}

/* Operational: tell the IRM, start the data threads. Needs s->dev. */
static int go_live(struct shim_eth *s)
{
    bool up;
    uint32_t mtu;

    if (eth_sock_link(&s->sock, &up, &mtu) < 0) {
        up = true;
        mtu = s->sock.mtu;
    }
    s->link_up = up;
    max_sdu_update(s, mtu);
    if (!up)
        eth_alloc_set_down(s, true);
    return threads_start(s);
}

int shim_eth_attach(struct shim_eth *s, struct ipcp_dev *dev)
{
    s->dev = dev;
    s->pool = ipcp_dev_pool(dev);
    s->evq = ipcp_dev_evq(dev);
    return s->booted ? go_live(s) : 0;
}

/* ---- bootstrap --------------------------------------------------------- */

static int loop_add(struct shim_eth *s)
{
    zloop_t *loop = service_loop(s->svc);
    zmq_pollitem_t mq = {.fd = mgmt_queue_fd(s->mq), .events = ZMQ_POLLIN};
    zmq_pollitem_t nl = {.fd = s->link_fd, .events = ZMQ_POLLIN};

    if (zloop_poller(loop, &mq, on_mgmt, s) < 0)
        return -ENOMEM;
    if (zloop_poller(loop, &nl, on_link, s) < 0)
        goto fail_nl;
    s->timer = zloop_timer(loop, SHIM_ETH_TICK_MS, 0, on_tick, s);
    if (s->timer < 0)
        goto fail_timer;
    return 0;
fail_timer:
    zloop_poller_end(loop, &nl);
fail_nl:
    zloop_poller_end(loop, &mq);
    return -ENOMEM;
}

static int bootstrap(void *ctx, const struct ipcp_config *conf)
{
    struct shim_eth *s = ctx;
    struct eth_fmt fmt = {
        .framing = ETH_FRAMING_DIX, .ethertype = ETH_DIX_TYPE, .sap = ETH_LLC_SAP};
    int err;

    if (s->booted) {
        /* A retried request for the same layer is fine. */
        if (conf->type == s->conf.type && strcmp(conf->eth.dev, s->conf.eth.dev) == 0 &&
            strcmp(conf->layer_info.name, s->conf.layer_info.name) == 0)
            return 0;
        log_err("already bootstrapped in layer %s", s->conf.layer_info.name);
        return -EIPCPSTATE;
    }
    if (conf->type != s->type) {
        log_err("a bootstrap for another IPCP type (%d)", (int)conf->type);
        return -EIPCPTYPE;
    }
    err = hash_len(conf->layer_info.dir_hash_algo);
    if (err < 0)
        return err;
    s->hash_len = (size_t)err;
    if (s->type == IPCP_ETH_LLC) {
        fmt.framing = ETH_FRAMING_LLC;
    } else if (conf->eth.ethertype != 0) {
        if (conf->eth.ethertype < ETH_TYPE_MIN) {
            log_err("ethertype 0x%04x: an ethertype is at least 0x0600", conf->eth.ethertype);
            return -EINVAL;
        }
        fmt.ethertype = conf->eth.ethertype;
    }
    err = eth_sock_open(&s->sock, conf->eth.dev, &fmt);
    if (err < 0)
        return err;
    s->link_fd = eth_link_open();
    if (s->link_fd < 0) {
        err = s->link_fd;
        log_err("cannot watch the link state (netlink): %s", strerror(-err));
        goto fail_link;
    }
    err = loop_add(s);
    if (err < 0)
        goto fail_loop;
    s->conf = *conf;
    s->booted = true;
    if (fmt.framing == ETH_FRAMING_LLC)
        log_info("layer %s over %s (%02x:%02x:%02x:%02x:%02x:%02x), 802.2 LLC SAP 0x%02x, "
                 "MTU %u",
                 conf->layer_info.name, s->sock.dev, s->sock.mac[0], s->sock.mac[1],
                 s->sock.mac[2], s->sock.mac[3], s->sock.mac[4], s->sock.mac[5], fmt.sap,
                 s->sock.mtu);
    else
        log_info("layer %s over %s (%02x:%02x:%02x:%02x:%02x:%02x), DIX ethertype 0x%04x, "
                 "MTU %u",
                 conf->layer_info.name, s->sock.dev, s->sock.mac[0], s->sock.mac[1],
                 s->sock.mac[2], s->sock.mac[3], s->sock.mac[4], s->sock.mac[5], fmt.ethertype,
                 s->sock.mtu);
    if (s->dev == NULL)
        return 0; /* a restart: ipcp_dev_new is still running, attach goes live */
    err = go_live(s);
    if (err < 0)
        goto fail_live;
    return 0;
fail_live:
    s->booted = false;
    zloop_timer_end(service_loop(s->svc), s->timer);
    s->timer = -1;
fail_loop:
    close(s->link_fd);
    s->link_fd = -1;
fail_link:
    eth_sock_close(&s->sock);
    return err;
}

void shim_eth_stop(struct shim_eth *s)
{
    threads_stop(s);
    s->stopping = true;
}

void shim_eth_fini(struct shim_eth *s)
{
    threads_stop(s);
    if (s->link_fd >= 0)
        close(s->link_fd);
    eth_sock_close(&s->sock);
    if (s->stop_fd >= 0)
        close(s->stop_fd);
    /* Our records of the flows; the flows themselves (gone with ipcp_dev
     * by now) stay with the IRM daemon for the next process. */
    for (uint32_t e = ep_table_next(s->eps, 1); e != 0; e = ep_table_next(s->eps, e + 1)) {
        struct eth_flow *ef = ep_table_by_eid(s->eps, (uint16_t)e);
        ep_table_del(s->eps, ef);
        eth_flow_destroy(&ef);
    }
    eth_names_clear(s);
    mgmt_queue_destroy(&s->mq);
    name_cache_destroy(&s->names);
    ep_table_destroy(&s->eps);
}

const struct ipcp_ops shim_eth_ops = {
    .bootstrap = bootstrap,
    .reg = eth_names_reg,
    .unreg = eth_names_unreg,
    .query = eth_names_query,
    .flow_alloc = eth_alloc_flow,
    .flow_dealloc = eth_alloc_dealloc,
    .flow_restore = eth_alloc_restore,
};
