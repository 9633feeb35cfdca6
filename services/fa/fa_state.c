/*
 * fa_state.c - what the fa's threads share: sending a message to a peer
 * FA, the side state of a flow, look-ups by the IRM's flow id, endpoint
 * ids for the table, and bus clients and the call that ends an allocation.
 */
#include "fa.h"

#include "log.h"
#include "routing.pb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

struct bus_client *fa_client(struct fa *fa, const char *ep, const char *tag)
{
    char ident[96];
    uint64_t n;

    pthread_mutex_lock(&fa->lock);
    n = ++fa->ident;
    pthread_mutex_unlock(&fa->lock);
    snprintf(ident, sizeof(ident), "fa.%s.%d.%s.%" PRIu64, fa->name, (int)getpid(), tag, n);
    return bus_client_new(ep, ident);
}

int fa_rand_eid(void *arg, uint64_t *out)
{
    struct fa *fa = arg;
    unsigned size = atomic_load(&fa->eid_size);
    uint64_t mask = size == 0 || size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;

    /* ids 0..15 are the layer's reserved endpoints (docs/unicast.md) */
    for (int i = 0; i < 1000; i++) {
        uint64_t v;

        if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
            return -errno;
        v &= mask;
        if (v >= 16) {
            *out = v;
            return 0;
        }
    }
    return -EAGAIN;
}

int fa_send_msg(struct fa *fa, uint64_t dst, const struct fa_msg *m)
{
    uint8_t buf[FA_MSG_MAX];
    int len = fa_msg_encode(m, buf, sizeof(buf));
    int err;

    if (len < 0) {
        log_warn("cannot encode a %s: %s", fa_msg_type_str(m->type), strerror(-len));
        return len;
    }
    err = mgmt_link_send(&fa->link, dst, buf, (size_t)len);
    if (err < 0)
        log_dbg("%s to %" PRIu64 " not sent: %s", fa_msg_type_str(m->type), dst,
                strerror(-err));
    return err;
}

struct fa_side *fa_side_get(struct fa *fa, uint64_t eid, uint64_t now)
{
    struct fa_side *s;

    for (size_t i = 0; i < fa->n_side; i++)
        if (fa->side[i].eid == eid)
            return &fa->side[i];
    if (fa->n_side == fa->cap_side) {
        size_t cap = fa->cap_side == 0 ? 16 : fa->cap_side * 2;
        struct fa_side *n = realloc(fa->side, cap * sizeof(*n));

        if (n == NULL)
            return NULL;
        fa->side = n;
        fa->cap_side = cap;
    }
    s = &fa->side[fa->n_side++];
    memset(s, 0, sizeof(*s));
    s->eid = eid;
    fa_ca_init(&s->ca, now);
    return s;
}

void fa_side_drop(struct fa *fa, uint64_t eid)
{
    for (size_t i = 0; i < fa->n_side; i++) {
        if (fa->side[i].eid == eid) {
            fa->side[i] = fa->side[--fa->n_side];
            return;
        }
    }
}

void fa_forget(struct fa *fa, struct fa_flow *f, uint64_t now)
{
    fa_resend_cancel(fa->resend, f->eid);
    fa_side_drop(fa, f->eid);
    fa_table_remove(fa->table, f, now);
}

void fa_release(struct fa *fa, struct fa_flow *f, uint64_t now)
{
    struct fa_msg d = {.type = FA_FLOW_DEALLOC, .s_eid = f->eid, .d_eid = f->peer_eid};
    uint64_t dst = f->peer_addr, eid = f->eid;
    uint8_t buf[FA_DEALLOC_LEN];

    fa_send_msg(fa, dst, &d);
    fa_forget(fa, f, now);
    /* the peer ignores the copies: one lost packet does not leave it a
     * dead flow until its keepalive notices */
    if (fa_msg_encode(&d, buf, sizeof(buf)) == (int)sizeof(buf))
        fa_resend_add(fa->resend, eid, dst, buf, sizeof(buf), now + FA_DEALLOC_NS,
                      FA_DEALLOC_NS, 2, now + 3 * FA_DEALLOC_NS);
}

struct find {
    uint32_t flow_id;
    uint64_t eid;
};

static void find_flow(void *arg, const struct fa_flow *f)
{
    struct find *k = arg;

    if (k->eid != 0 || f->flow_id != k->flow_id)
        return;
    if (f->state == FA_ALLOCATED || (f->state == FA_PENDING && f->outbound))
        k->eid = f->eid;
}

struct fa_flow *fa_by_flow_id(struct fa *fa, uint32_t flow_id)
{
    struct find k = {.flow_id = flow_id};

    fa_table_foreach(fa->table, find_flow, &k);
    return k.eid != 0 ? fa_table_by_eid(fa->table, k.eid) : NULL;
}

int fa_routing_reply(struct bus_client *bc, uint32_t flow_id, int response, uint64_t local_eid,
                     uint64_t peer_addr, uint64_t peer_eid, uint8_t cube)
{
    routing_flow_reply_t m = ROUTING_FLOW_REPLY_INIT_ZERO;
    int err;

    m.flow_id = flow_id;
    m.response = response;
    if (response == 0) {
        m.has_binding = true;
        m.binding.flow_id = flow_id;
        m.binding.local_eid = local_eid;
        m.binding.peer_addr = peer_addr;
        m.binding.peer_eid = peer_eid;
        m.binding.cube = cube;
    }
    err = bus_client_call_pb(bc, ROUTING_METHOD_FLOW_ALLOC_REPLY, ROUTING_FLOW_REPLY_FIELDS, &m,
                             NULL, NULL, FA_CALL_MS);
    if (err < 0)
        log_warn("flow %" PRIu32 ": routing did not take the outcome (%d): %s", flow_id,
                 response, strerror(-err));
    return err;
}
