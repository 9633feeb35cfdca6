/*
 * mgmt_link.c - a companion's end of its management rings: attach through
 * routing's bus, send with the mgmt prefix, receive what routing delivers.
 */
#include "mgmt_link.h"

#include "bus_client.h"
#include "deadline.h"
#include "mgmt_msg.h"
#include "routing.pb.h"
#include "run_folder.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int ask(struct mgmt_link *l, const char *node, const char *ipcp, uint64_t eid,
               const char *who, int timeout_ms, routing_mgmt_rings_t *rep)
{
    routing_mgmt_attach_t req = {.eid = eid};
    struct run_folder rf;
    char ep[RUN_PATH_MAX + 128], file[300], ident[96];
    struct bus_client *bc;
    int err;

    err = run_folder_for_client(&rf, node);
    snprintf(file, sizeof(file), "routing.%s.ctl", ipcp);
    if (err == 0)
        err = run_folder_endpoint(&rf, file, ep, sizeof(ep));
    if (err < 0)
        return err;
    snprintf(ident, sizeof(ident), "%s.%d", who, (int)getpid());
    bc = bus_client_new(ep, ident);
    if (bc == NULL)
        return -ENOMEM;
    err = bus_client_call_pb(bc, ROUTING_METHOD_MGMT_ATTACH, ROUTING_MGMT_ATTACH_FIELDS, &req,
                             ROUTING_MGMT_RINGS_FIELDS, rep, timeout_ms);
    bus_client_destroy(&bc);
    if (err < 0)
        return err;
    l->self = rep->addr;
    l->addr_size = rep->addr_size;
    l->eid_size = rep->eid_size;
    l->hash_len = rep->hash_len;
    return 0;
}

int mgmt_link_attach(struct mgmt_link *l, const char *node, const char *ipcp, uint64_t eid,
                     const char *who, int timeout_ms)
{
    routing_mgmt_rings_t rep = ROUTING_MGMT_RINGS_INIT_ZERO;
    int err;

    memset(l, 0, sizeof(*l));
    l->eid = eid;
    err = ask(l, node, ipcp, eid, who, timeout_ms, &rep);
    if (err == 0)
        err = pool_attach(rep.pool, &l->pool);
    if (err == 0)
        err = ring_shm_attach(&l->tx, rep.tx);
    if (err == 0)
        err = ring_shm_attach(&l->rx, rep.rx);
    if (err < 0)
        mgmt_link_detach(l);
    return err;
}

int mgmt_link_refresh(struct mgmt_link *l, const char *node, const char *ipcp, const char *who,
                      int timeout_ms)
{
    routing_mgmt_rings_t rep = ROUTING_MGMT_RINGS_INIT_ZERO;

    return ask(l, node, ipcp, l->eid, who, timeout_ms, &rep);
}

void mgmt_link_detach(struct mgmt_link *l)
{
    if (l->rx.ring != NULL)
        ring_shm_detach(&l->rx);
    if (l->tx.ring != NULL)
        ring_shm_detach(&l->tx);
    if (l->pool != NULL)
        pool_detach(&l->pool);
}

int mgmt_link_send(struct mgmt_link *l, uint64_t dst, const void *buf, size_t len)
{
    uint64_t off;
    uint8_t *p;
    int err;

    if (dst == 0)
        return -EINVAL;
    if (len > 65535)
        return -EMSGSIZE;
    if (pool_alloc(l->pool, MGMT_PREFIX_LEN + len, &off) < 0)
        return -EAGAIN;
    p = pool_blk_data(l->pool, off);
    mgmt_prefix_encode(dst, p, MGMT_PREFIX_LEN);
    if (len > 0)
        memcpy(p + MGMT_PREFIX_LEN, buf, len);
    pool_blk_give(l->pool, off, l->tx.ring->tag);
    err = ring_push(l->tx.ring, off);
    if (err < 0) {
        pool_blk_take(l->pool, off);
        pool_free(l->pool, off);
        return -EAGAIN;
    }
    return 0;
}

int mgmt_link_recv(struct mgmt_link *l, void *buf, size_t cap, size_t *len, uint64_t deadline)
{
    struct spin sp;

    spin_init(&sp, spin_default_ns());
    for (;;) {
        uint64_t off;
        size_t n;
        int err = ring_pop_wait(l->rx.ring, &off, deadline, &sp);

        if (err < 0)
            return err == -EAGAIN ? -ETIMEDOUT : err;
        if (!pool_blk_valid(l->pool, off))
            continue;
        pool_blk_take(l->pool, off);
        n = pool_blk_len(l->pool, off);
        memcpy(buf, pool_blk_data(l->pool, off), n < cap ? n : cap);
        *len = n;
        pool_free(l->pool, off);
        return 0;
    }
}
