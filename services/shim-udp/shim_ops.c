/*
 * shim_ops.c - what the IPCP library asks of the UDP shim (struct
 * ipcp_ops): bootstrap (the socket, the resolver), names, queries, and
 * flows (handed to shim_mgmt.c); and the start and stop of the data
 * threads.
 */
#include "shim.h"

#include "hash.h"
#include "log.h"
#include "udp_socket.h"

#include <errno.h>
#include <inttypes.h>
#include <ourobus/errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int shim_bootstrap(void *ctx, const struct ipcp_config *conf)
{
    struct shim *s = ctx;
    char a[UDP_ADDR_STRLEN];
    int hl;
    int fd;

    if (conf->type != s->type || conf->udp.af != s->af)
        return -EINVAL;
    if (s->booted) /* the IRM daemon asks again after a restart: the same layer */
        return strcmp(conf->layer_info.name, s->conf.layer_info.name) == 0 ? 0 : -EIPCPSTATE;
    hl = hash_len(conf->layer_info.dir_hash_algo);
    if (hl <= 0 || hl > (int)UDP_HASH_MAX)
        return -EINVAL;
    udp_addr_set(&s->local, conf->udp.af, &conf->udp.ip, conf->udp.port);
    fd = udp_socket_open(&s->local);
    if (fd < 0) {
        log_err("cannot bind %s: %s", udp_addr_str(&s->local, a, sizeof(a)), strerror(-fd));
        return fd;
    }
    s->res = resolver_new(&conf->udp, conf->layer_info.dir_hash_algo);
    if (s->res == NULL) {
        close(fd);
        return -ENOMEM;
    }
    s->fd = fd;
    s->conf = *conf;
    s->algo = conf->layer_info.dir_hash_algo;
    s->hlen = (size_t)hl;
    s->max_sdu = udp_socket_max_sdu(s->af, s->mtu_opt != 0 ? s->mtu_opt
                                                           : udp_socket_link_mtu(&s->local));
    s->booted = true;
    log_info("layer %s: bound to %s, packets up to %" PRIu32 " bytes, %" PRIu32 " static peers",
             conf->layer_info.name, udp_addr_str(&s->local, a, sizeof(a)), s->max_sdu,
             conf->udp.n_peers);
    /* After a restart ipcp_dev_new calls this before it returns: main
     * starts the threads then. */
    return s->dev != NULL ? shim_start(s) : 0;
}

static int shim_reg(void *ctx, const uint8_t *hash, size_t len)
{
    struct shim *s = ctx;

    if (len == 0 || len > UDP_HASH_MAX)
        return -EINVAL;
    for (size_t i = 0; i < s->nregs; i++)
        if (memcmp(s->regs[i], hash, len) == 0)
            return 0;
    if (s->nregs == s->capregs) {
        size_t cap = s->capregs ? 2 * s->capregs : 16;
        void *p = realloc(s->regs, cap * sizeof(*s->regs));

        if (p == NULL)
            return -ENOMEM;
        s->regs = p;
        s->capregs = cap;
    }
    memset(s->regs[s->nregs], 0, UDP_HASH_MAX);
    memcpy(s->regs[s->nregs++], hash, len);
    return 0;
}

static int shim_unreg(void *ctx, const uint8_t *hash, size_t len)
{
    struct shim *s = ctx;

    for (size_t i = 0; i < s->nregs; i++) {
        if (len <= UDP_HASH_MAX && memcmp(s->regs[i], hash, len) == 0) {
            memcpy(s->regs[i], s->regs[--s->nregs], UDP_HASH_MAX);
            return 0;
        }
    }
    return 0;
}

static int shim_query(void *ctx, const uint8_t *hash, size_t len, int timeout_ms)
{
    struct shim *s = ctx;
    struct udp_addr a;

    if (!s->booted)
        return -EIPCPSTATE;
    return resolver_lookup(s->res, hash, len, timeout_ms, &a) == 0 ? 0 : -ENAME;
}

static int shim_flow_alloc(void *ctx, struct np1_flow *f, const uint8_t *hash, size_t len,
                           int timeout_ms)
{
    return shim_mgmt_alloc(ctx, f, hash, len, timeout_ms);
}

static void shim_flow_dealloc(void *ctx, struct np1_flow *f)
{
    shim_mgmt_dealloc(ctx, f);
}

static int shim_flow_restore(void *ctx, struct np1_flow *f, const void *blob, size_t len)
{
    return shim_mgmt_restore(ctx, f, blob, len);
}

const struct ipcp_ops shim_ops = {
    .bootstrap = shim_bootstrap,
    .reg = shim_reg,
    .unreg = shim_unreg,
    .query = shim_query,
    .flow_alloc = shim_flow_alloc,
    .flow_dealloc = shim_flow_dealloc,
    .flow_restore = shim_flow_restore,
};

int shim_start(struct shim *s)
{
    int err;

    if (s->running || !s->booted)
        return 0;
    s->pool = ipcp_dev_pool(s->dev);
    s->evq = ipcp_dev_evq(s->dev);
    atomic_store(&s->stop, false);
    err = shim_mgmt_init(s);
    if (err < 0)
        goto fail_mgmt;
    err = -pthread_create(&s->rx_thread, NULL, shim_rx_main, s);
    if (err < 0)
        goto fail_rx;
    err = -pthread_create(&s->tx_thread, NULL, shim_tx_main, s);
    if (err < 0)
        goto fail_tx;
    s->running = true;
    err =
        ipcp_dev_set_state(s->dev, IPCP_STATE_OPERATIONAL, s->conf.layer_info.name, s->max_sdu);
    if (err < 0)
        log_warn("the IRM daemon did not take the state: %s", strerror(-err));
    return 0;
fail_tx:
    atomic_store(&s->stop, true);
    shutdown(s->fd, SHUT_RD);
    pthread_join(s->rx_thread, NULL);
fail_rx:
    shim_mgmt_fini(s);
fail_mgmt:
    log_err("cannot start the data threads: %s", strerror(-err));
    return err;
}

void shim_stop(struct shim *s)
{
    if (!s->running)
        return;
    atomic_store(&s->stop, true);
    shutdown(s->fd, SHUT_RD); /* ends the receive thread's recvmmsg */
    shim_tx_wake(s);
    pthread_join(s->rx_thread, NULL);
    pthread_join(s->tx_thread, NULL);
    shim_mgmt_fini(s);
    s->running = false;
}
