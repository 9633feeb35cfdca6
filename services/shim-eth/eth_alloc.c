/*
 * eth_alloc.c - flow allocation in an Ethernet layer: FLOW_REQ (resent until
 * answered or timed out), FLOW_REPLY, FLOW_DEALLOC, and flows restored after
 * a restart. Runs on the main loop.
 */
#include "shim_eth.h"

#include "deadline.h"
#include "log.h"

#include <errno.h>
#include <string.h>

#define MS             1000000ull
#define REQ_TRIES      4   /* a FLOW_REQ is sent at most this many times */
#define REQ_GAP_MIN_MS 100 /* between two sends of a FLOW_REQ */
#define REQ_GAP_MAX_MS 1000
#define QUERY_GAP_MS   (SHIM_ETH_QUERY_MS / 2)
#define ALLOC_MS       20000 /* an allocation without a timeout */

static void pend_add(struct shim_eth *s, struct eth_flow *ef)
{
    ef->pend_next = s->pending;
    s->pending = ef;
    ef->pending = true;
}

static void pend_del(struct shim_eth *s, struct eth_flow *ef)
{
    struct eth_flow **pp = &s->pending;

    if (!ef->pending)
        return;
    while (*pp != NULL && *pp != ef)
        pp = &(*pp)->pend_next;
    if (*pp == ef)
        *pp = ef->pend_next;
    ef->pend_next = NULL;
    ef->pending = false;
}

void eth_alloc_free(struct shim_eth *s, struct eth_flow *ef)
{
    pend_del(s, ef);
    ep_table_del(s->eps, ef);
    ep_table_sync(s->eps);
    if (ef->f != NULL && ef->f->priv == ef)
        ef->f->priv = NULL;
    eth_flow_destroy(&ef);
}

static int send_msg(struct shim_eth *s, const uint8_t *dst, uint8_t code, uint16_t seid,
                    uint16_t deid, const qosspec_t *qos, int response, const uint8_t *hash,
                    size_t hash_len)
{
    struct eth_mgmt m;
    int err;

    memset(&m, 0, sizeof(m));
    m.code = code;
    m.seid = seid;
    m.deid = deid;
    if (qos != NULL)
        m.qos = *qos;
    m.response = response;
    if (hash != NULL) {
        memcpy(m.hash, hash, hash_len);
        m.hash_len = (uint16_t)hash_len;
    }
    err = shim_eth_send_mgmt(s, dst, &m);
    if (err < 0)
        log_dbg("%s: %s", eth_mgmt_code_str(code), strerror(-err));
    return err;
}

static void send_req(struct shim_eth *s, struct eth_flow *ef, uint64_t now)
{
    uint64_t left = ef->deadline > now ? ef->deadline - now : 0;
    uint64_t gap = left / REQ_TRIES;

    if (gap < REQ_GAP_MIN_MS * MS)
        gap = REQ_GAP_MIN_MS * MS;
    if (gap > REQ_GAP_MAX_MS * MS)
        gap = REQ_GAP_MAX_MS * MS;
    send_msg(s, ef->peer_mac, ETH_MGMT_FLOW_REQ, ef->eid, 0, &ef->qos, 0, ef->hash,
             ef->hash_len);
    ef->tries++;
    ef->next_tx = now + gap;
}

static void send_query(struct shim_eth *s, struct eth_flow *ef, uint64_t now)
{
    send_msg(s, eth_broadcast, ETH_MGMT_NAME_QUERY_REQ, 0, 0, NULL, 0, ef->hash, ef->hash_len);
    ef->next_tx = now + QUERY_GAP_MS * MS;
}

/* Our allocation failed: f ends, and ops->flow_dealloc frees ef (now or
 * later), so ef is not touched after the call. */
static void alloc_fail(struct shim_eth *s, struct eth_flow *ef, int err)
{
    struct np1_flow *f = ef->f;

    pend_del(s, ef);
    eth_flow_set_state(ef, ETH_FLOW_ENDING);
    if (ipcp_flow_alloc_reply(s->dev, f, err, 0, NULL, 0) < 0)
        log_dbg("flow %u: the IRM daemon had given up on it", f->id);
}

int eth_alloc_flow(void *ctx, struct np1_flow *f, const uint8_t *hash, size_t len,
                   int timeout_ms)
{
    struct shim_eth *s = ctx;
    struct eth_flow *ef;
    uint64_t now = now_ns();
    int err;

    if (!s->booted)
        return -EIPCPSTATE;
    if (len != s->hash_len)
        return -EINVAL;
    ef = eth_flow_new();
    if (ef == NULL)
        return -ENOMEM;
    ef->f = f;
    ef->flow_id = f->id;
    ef->qos = f->qos;
    memcpy(ef->hash, hash, len);
    ef->hash_len = (uint16_t)len;
    ef->deadline = now + (timeout_ms > 0 ? (uint64_t)timeout_ms : ALLOC_MS) * MS;
    ef->query_end = now + SHIM_ETH_QUERY_MS * MS;
    if (ef->query_end > ef->deadline)
        ef->query_end = ef->deadline;
    err = ep_table_add(s->eps, ef);
    if (err < 0) {
        log_warn("no endpoint id left for flow %u", f->id);
        eth_flow_destroy(&ef);
        return err;
    }
    err = ep_table_bind_id(s->eps, ef);
    if (err < 0) {
        ep_table_del(s->eps, ef);
        eth_flow_destroy(&ef);
        return err;
    }
    f->priv = ef;
    pend_add(s, ef);
    if (name_cache_get(s->names, hash, len, now, ef->peer_mac) == 0) {
        eth_flow_set_state(ef, ETH_FLOW_REQUESTED);
        send_req(s, ef, now);
    } else {
        eth_flow_set_state(ef, ETH_FLOW_RESOLVING);
        send_query(s, ef, now);
    }
    log_dbg("flow %u: endpoint %u, %s", f->id, ef->eid,
            eth_flow_state(ef) == ETH_FLOW_REQUESTED ? "request sent" : "resolving");
    return 0;
}

void eth_alloc_tick(struct shim_eth *s, uint64_t now)
{
    struct eth_flow *ef, *next;

    for (ef = s->pending; ef != NULL; ef = next) {
        next = ef->pend_next;
        if (eth_flow_state(ef) == ETH_FLOW_RESOLVING) {
            if (name_cache_get(s->names, ef->hash, ef->hash_len, now, ef->peer_mac) == 0) {
                eth_flow_set_state(ef, ETH_FLOW_REQUESTED);
                send_req(s, ef, now);
            } else if (now >= ef->query_end) {
                log_info("flow %u: no host answers for the name", ef->flow_id);
                alloc_fail(s, ef, -ENAME);
            } else if (now >= ef->next_tx) {
                send_query(s, ef, now);
            }
            continue;
        }
        if (now >= ef->deadline) {
            log_info("flow %u: no reply to %d flow requests", ef->flow_id, ef->tries);
            /* The host may have moved on: ask again next time. */
            name_cache_drop(s->names, ef->hash, ef->hash_len);
            alloc_fail(s, ef, -ETIMEDOUT);
        } else if (now >= ef->next_tx && ef->tries < REQ_TRIES) {
            send_req(s, ef, now);
        }
    }
}

void eth_alloc_resolved(struct shim_eth *s)
{
    eth_alloc_tick(s, now_ns());
}

/* ---- a peer's request ------------------------------------------------- */

static void arr_done(void *ctx, void *arg, struct np1_flow *f, int err)
{
    struct shim_eth *s = ctx;
    struct eth_flow *ef = arg;

    if (f == NULL) {
        send_msg(s, ef->peer_mac, ETH_MGMT_FLOW_REPLY, ef->eid, ef->peer_eid, NULL,
                 err < 0 ? err : -EIPCP, NULL, 0);
        log_dbg("flow request from endpoint %u refused: %s", ef->peer_eid, strerror(-err));
        eth_alloc_free(s, ef);
        return;
    }
    ef->f = f;
    ef->flow_id = f->id;
    if (ep_table_bind_id(s->eps, ef) < 0) {
        /* Without the index its packets cannot be sent: close it. */
        send_msg(s, ef->peer_mac, ETH_MGMT_FLOW_REPLY, ef->eid, ef->peer_eid, NULL, -ENOMEM,
                 NULL, 0);
        eth_alloc_free(s, ef);
        ipcp_flow_close(s->dev, f);
        return;
    }
    f->priv = ef;
    eth_flow_set_state(ef, ETH_FLOW_UP);
    if (!s->link_up)
        np1_flow_set_down(s->dev, f, true);
    send_msg(s, ef->peer_mac, ETH_MGMT_FLOW_REPLY, ef->eid, ef->peer_eid, &ef->qos, 0, NULL, 0);
    log_dbg("flow %u: endpoint %u <-> peer endpoint %u", f->id, ef->eid, ef->peer_eid);
}

static void on_flow_req(struct shim_eth *s, const struct mgmt_item *it)
{
    const struct eth_mgmt *m = &it->msg;
    struct eth_flow *ef;
    uint8_t blob[ETH_FLOW_BLOB_LEN];
    int err;

    name_cache_refresh(s->names, it->src, now_ns());
    ef = ep_table_by_peer(s->eps, it->src, m->seid);
    if (ef != NULL) {
        /* A resent request: still waiting for an accept, or our reply was
         * lost (send it again). */
        if (eth_flow_state(ef) == ETH_FLOW_UP)
            send_msg(s, it->src, ETH_MGMT_FLOW_REPLY, ef->eid, ef->peer_eid, &ef->qos, 0, NULL,
                     0);
        return;
    }
    if (!eth_names_registered(s, m->hash, m->hash_len)) {
        send_msg(s, it->src, ETH_MGMT_FLOW_REPLY, 0, m->seid, NULL, -ENAME, NULL, 0);
        return;
    }
    ef = eth_flow_new();
    if (ef == NULL)
        goto fail;
    memcpy(ef->peer_mac, it->src, ETH_MAC_LEN);
    ef->peer_eid = m->seid;
    ef->qos = m->qos;
    eth_flow_set_state(ef, ETH_FLOW_ARRIVING);
    if (ep_table_add(s->eps, ef) < 0) {
        eth_flow_destroy(&ef);
        goto fail;
    }
    ep_table_bind_peer(s->eps, ef);
    eth_flow_blob_write(ef, blob);
    err = ipcp_flow_req_arr(s->dev, m->hash, m->hash_len, &m->qos, SHIM_ETH_MPL_MS, blob,
                            sizeof(blob), SHIM_ETH_ARR_MS, arr_done, ef);
    if (err < 0) {
        send_msg(s, it->src, ETH_MGMT_FLOW_REPLY, ef->eid, m->seid, NULL, err, NULL, 0);
        eth_alloc_free(s, ef);
    }
    return;
fail:
    send_msg(s, it->src, ETH_MGMT_FLOW_REPLY, 0, m->seid, NULL, -ENOMEM, NULL, 0);
}

/* ---- the reply to ours, and the end of a flow ------------------------- */

static void on_flow_reply(struct shim_eth *s, const struct mgmt_item *it)
{
    const struct eth_mgmt *m = &it->msg;
    struct eth_flow *ef = ep_table_by_eid(s->eps, m->deid);
    uint8_t blob[ETH_FLOW_BLOB_LEN];
    struct np1_flow *f;

    if (ef == NULL || eth_flow_state(ef) != ETH_FLOW_REQUESTED ||
        memcmp(ef->peer_mac, it->src, ETH_MAC_LEN) != 0) {
        bool dup = ef != NULL && eth_flow_state(ef) == ETH_FLOW_UP && ef->peer_eid == m->seid &&
                   memcmp(ef->peer_mac, it->src, ETH_MAC_LEN) == 0;
        /* A late accept of a request we gave up: the peer must drop it. */
        if (!dup && m->response == 0)
            send_msg(s, it->src, ETH_MGMT_FLOW_DEALLOC, m->deid, m->seid, NULL, 0, NULL, 0);
        return;
    }
    if (m->response < 0) {
        log_dbg("flow %u refused by the peer: %s", ef->flow_id, strerror(-m->response));
        if (m->response == -ENAME)
            name_cache_drop(s->names, ef->hash, ef->hash_len);
        alloc_fail(s, ef, m->response);
        return;
    }
    f = ef->f;
    pend_del(s, ef);
    ef->peer_eid = m->seid;
    ep_table_bind_peer(s->eps, ef);
    eth_flow_set_state(ef, ETH_FLOW_UP);
    eth_flow_blob_write(ef, blob);
    if (!s->link_up)
        np1_flow_set_down(s->dev, f, true);
    log_dbg("flow %u: endpoint %u <-> peer endpoint %u", f->id, ef->eid, ef->peer_eid);
    /* Last: if the IRM gave up meanwhile, ops->flow_dealloc frees ef and
     * tells the peer. */
    if (ipcp_flow_alloc_reply(s->dev, f, 0, SHIM_ETH_MPL_MS, blob, sizeof(blob)) < 0)
        log_dbg("flow %u: the IRM daemon had given up on it", f->id);
}

static void on_flow_dealloc(struct shim_eth *s, const struct mgmt_item *it)
{
    const struct eth_mgmt *m = &it->msg;
    struct eth_flow *ef = ep_table_by_eid(s->eps, m->deid);

    if (ef == NULL || eth_flow_state(ef) != ETH_FLOW_UP || ef->peer_eid != m->seid ||
        memcmp(ef->peer_mac, it->src, ETH_MAC_LEN) != 0)
        return;
    log_dbg("flow %u: the peer deallocated it", ef->flow_id);
    /* ops->flow_dealloc (f->peer_closed) frees ef. */
    eth_flow_set_state(ef, ETH_FLOW_ENDING);
    ipcp_flow_close(s->dev, ef->f);
}

void eth_alloc_on_mgmt(struct shim_eth *s, const struct mgmt_item *it)
{
    switch (it->msg.code) {
    case ETH_MGMT_FLOW_REQ:
        on_flow_req(s, it);
        break;
    case ETH_MGMT_FLOW_REPLY:
        on_flow_reply(s, it);
        break;
    case ETH_MGMT_FLOW_DEALLOC:
        on_flow_dealloc(s, it);
        break;
    default:
        break;
    }
}

/* ---- ops: the flow ends (whichever way); a restart -------------------- */

void eth_alloc_dealloc(void *ctx, struct np1_flow *f)
{
    struct shim_eth *s = ctx;
    struct eth_flow *ef = f->priv;

    if (ef == NULL)
        return;
    if (eth_flow_state(ef) == ETH_FLOW_UP && !f->peer_closed && !s->stopping)
        send_msg(s, ef->peer_mac, ETH_MGMT_FLOW_DEALLOC, ef->eid, ef->peer_eid, NULL, 0, NULL,
                 0);
    eth_alloc_free(s, ef);
}

int eth_alloc_restore(void *ctx, struct np1_flow *f, const void *blob, size_t len)
{
    struct shim_eth *s = ctx;
    struct eth_flow *ef = eth_flow_new();
    int err;

    if (ef == NULL)
        return -ENOMEM;
    err = eth_flow_blob_read(ef, blob, len);
    if (err < 0)
        goto fail;
    ef->f = f;
    ef->flow_id = f->id;
    ef->qos = f->qos;
    err = ep_table_add_at(s->eps, ef);
    if (err < 0)
        goto fail;
    err = ep_table_bind_id(s->eps, ef);
    if (err < 0) {
        ep_table_del(s->eps, ef);
        goto fail;
    }
    ep_table_bind_peer(s->eps, ef);
    eth_flow_set_state(ef, ETH_FLOW_UP);
    f->priv = ef;
    if (s->booted && !s->link_up)
        np1_flow_set_down(s->dev, f, true);
    /* Its packets' events may have been taken before it was back. */
    atomic_store(&s->rescan, true);
    log_dbg("flow %u restored: endpoint %u <-> peer endpoint %u", f->id, ef->eid, ef->peer_eid);
    return 0;
fail:
    log_warn("flow %u: cannot restore it: %s", f->id, strerror(-err));
    eth_flow_destroy(&ef);
    return err;
}

void eth_alloc_set_down(struct shim_eth *s, bool down)
{
    for (uint32_t e = ep_table_next(s->eps, 1); e != 0; e = ep_table_next(s->eps, e + 1)) {
        struct eth_flow *ef = ep_table_by_eid(s->eps, (uint16_t)e);
        if (ef != NULL && ef->f != NULL && eth_flow_state(ef) == ETH_FLOW_UP)
            np1_flow_set_down(s->dev, ef->f, down);
    }
}
