/*
 * fa_rx.c - the receiving thread: the messages of the layer's other FAs,
 * read from the management ring routing delivers EID_FA packets to,
 * decoded (bad bytes are counted and dropped) and acted on: a FLOW_REQ
 * goes to routing (FLOW_REQ_ARR), a FLOW_REPLY ends our allocation
 * (FLOW_ALLOC_REPLY), a FLOW_DEALLOC closes a flow (FLOW_CLOSE), a
 * FLOW_UPDATE feeds the flow's rate.
 */
#include "fa.h"

#include "deadline.h"
#include "fa_policy.h"
#include "log.h"
#include "qos_msg.h"
#include "routing.pb.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Answer a FLOW_REQ with a refusal (under the lock). */
static void refuse(struct fa *fa, const struct fa_msg *req, int response)
{
    struct fa_msg r = {.type = FA_FLOW_REPLY,
                       .req_id = req->req_id,
                       .d_eid = req->s_eid,
                       .response = response};

    fa_send_msg(fa, req->s_addr, &r);
}

static void on_req(struct fa *fa, struct bus_client *bc, const struct fa_msg *m)
{
    routing_flow_req_arr_t a = ROUTING_FLOW_REQ_ARR_INIT_ZERO;
    unsigned hl = atomic_load(&fa->hash_len);
    uint64_t now = now_ns();
    struct fa_flow *f;
    int err;

    pthread_mutex_lock(&fa->lock);
    if (hl != 0 && m->hash_len != hl) {
        refuse(fa, m, -EINVAL);
        pthread_mutex_unlock(&fa->lock);
        return;
    }
    err = fa_table_arrive(fa->table, m->s_addr, m->req_id, m->s_eid, &m->qos, m->max_sdu,
                          now + FA_ARRIVE_NS, &f);
    if (err == -EEXIST) {
        if (f->reply != NULL) {
            mgmt_link_send(&fa->link, f->peer_addr, f->reply, f->reply_len);
        } else if (f->state == FA_ALLOCATED) { /* re-learned: no kept reply */
            struct fa_msg r = {.type = FA_FLOW_REPLY,
                               .req_id = f->req_id,
                               .s_eid = f->eid,
                               .d_eid = f->peer_eid};

            fa_send_msg(fa, f->peer_addr, &r);
        } /* else still with the IRM: the answer will come */
        pthread_mutex_unlock(&fa->lock);
        return;
    }
    if (err < 0) {
        if (err != -EINVAL)
            refuse(fa, m, err == -ENOSPC ? -ENOMEM : err);
        pthread_mutex_unlock(&fa->lock);
        log_dbg("FLOW_REQ from addr %" PRIu64 " dropped: %s", m->s_addr, strerror(-err));
        return;
    }
    memcpy(a.hash.bytes, m->hash, m->hash_len);
    a.hash.size = (pb_size_t)m->hash_len;
    a.has_qos = true;
    qos_msg_from_spec(&m->qos, &a.qos);
    a.local_eid = f->eid;
    a.peer_addr = m->s_addr;
    a.peer_eid = m->s_eid;
    a.cube = fa_cube_of(&m->qos);
    a.timeout_ms = (uint32_t)(FA_ARRIVE_NS / FA_MS);
    pthread_mutex_unlock(&fa->lock);

    err = bus_client_call_pb(bc, ROUTING_METHOD_FLOW_REQ_ARR, ROUTING_FLOW_REQ_ARR_FIELDS, &a,
                             NULL, NULL, FA_CALL_MS);
    if (err == 0) {
        log_dbg("FLOW_REQ from addr %" PRIu64 " eid %" PRIu64 " handed to routing (eid %" PRIu64
                ")",
                a.peer_addr, a.peer_eid, a.local_eid);
        return;
    }
    log_info("request from addr %" PRIu64 " refused: routing said %s", a.peer_addr,
             strerror(-err));
    pthread_mutex_lock(&fa->lock);
    f = fa_table_by_eid(fa->table, a.local_eid);
    if (f != NULL && f->state == FA_PENDING && !f->outbound) {
        struct fa_msg r = {.type = FA_FLOW_REPLY,
                           .req_id = f->req_id,
                           .d_eid = f->peer_eid,
                           .response = err < FA_RESPONSE_MIN ? -EPROTO : err};
        uint8_t buf[FA_REPLY_LEN];
        int len = fa_msg_encode(&r, buf, sizeof(buf));

        if (len > 0) {
            mgmt_link_send(&fa->link, f->peer_addr, buf, (size_t)len);
            fa_table_set_reply(fa->table, f, buf, (size_t)len);
        }
        fa_table_dealloc(fa->table, f, now_ns() + FA_REFUSED_NS);
    }
    pthread_mutex_unlock(&fa->lock);
}

static void on_reply(struct fa *fa, struct bus_client *bc, const struct fa_msg *m)
{
    uint64_t now = now_ns(), addr = 0;
    struct fa_flow *f = NULL;
    uint32_t flow_id = 0;
    uint8_t cube = 0;
    int err;

    pthread_mutex_lock(&fa->lock);
    if (m->response == 0) {
        err = fa_table_reply(fa->table, m->d_eid, m->req_id, m->s_eid, &f);
        if (err == 0) {
            fa_resend_cancel(fa->resend, f->eid);
            fa_side_get(fa, f->eid, now);
            flow_id = f->flow_id;
            addr = f->peer_addr;
            cube = fa_cube_of(&f->qos);
        }
    } else {
        f = fa_table_by_eid(fa->table, m->d_eid);
        err = -ENOENT;
        if (f != NULL && f->outbound && f->state == FA_PENDING && f->req_id == m->req_id) {
            flow_id = f->flow_id;
            addr = f->peer_addr;
            fa_forget(fa, f, now);
            err = 0;
        }
    }
    pthread_mutex_unlock(&fa->lock);
    if (err < 0) {
        log_dbg("FLOW_REPLY for eid %" PRIu64 " dropped: %s", m->d_eid, strerror(-err));
        return;
    }
    if (m->response == 0)
        log_info("flow %" PRIu32 " allocated to addr %" PRIu64 " eid %" PRIu64, flow_id, addr,
                 m->s_eid);
    else
        log_info("flow %" PRIu32 " refused by addr %" PRIu64 ": %s", flow_id, addr,
                 strerror(-m->response));
    err = fa_routing_reply(bc, flow_id, m->response, m->d_eid, addr, m->s_eid, cube);
    if (m->response != 0 || err >= 0 || err == -ETIMEDOUT)
        return;
    /* routing refused the flow (its application gave up): the peer must
     * not keep its end */
    pthread_mutex_lock(&fa->lock);
    f = fa_table_by_eid(fa->table, m->d_eid);
    if (f != NULL && f->state == FA_ALLOCATED && f->peer_eid == m->s_eid)
        fa_release(fa, f, now_ns());
    pthread_mutex_unlock(&fa->lock);
}

static void on_update(struct fa *fa, const struct fa_msg *m)
{
    uint64_t now = now_ns();
    struct fa_flow *f;

    pthread_mutex_lock(&fa->lock);
    f = fa_table_by_eid(fa->table, m->d_eid);
    if (f != NULL && f->state == FA_ALLOCATED && f->peer_eid == m->s_eid) {
        struct fa_side *s = fa_side_get(fa, f->eid, now);

        if (s != NULL) {
            fa_ca_update(&s->ca, m->ece, now);
            log_dbg("flow %" PRIu32 ": congestion level %u, rate %" PRIu64 " B/s", f->flow_id,
                    m->ece, fa_ca_rate(&s->ca));
        }
    }
    pthread_mutex_unlock(&fa->lock);
}

static void on_dealloc(struct fa *fa, struct bus_client *bc, const struct fa_msg *m)
{
    routing_flow_close_t c = ROUTING_FLOW_CLOSE_INIT_ZERO;
    struct fa_flow *f;
    uint64_t addr;
    int err;

    pthread_mutex_lock(&fa->lock);
    f = fa_table_by_eid(fa->table, m->d_eid);
    if (f == NULL || f->state != FA_ALLOCATED || f->peer_eid != m->s_eid) {
        pthread_mutex_unlock(&fa->lock);
        return; /* gone already: a resent copy */
    }
    c.flow_id = f->flow_id;
    addr = f->peer_addr;
    fa_forget(fa, f, now_ns());
    pthread_mutex_unlock(&fa->lock);
    log_info("flow %" PRIu32 ": the peer (addr %" PRIu64 ") deallocated it", c.flow_id, addr);
    err = bus_client_call_pb(bc, ROUTING_METHOD_FLOW_CLOSE, ROUTING_FLOW_CLOSE_FIELDS, &c, NULL,
                             NULL, FA_CALL_MS);
    if (err < 0)
        log_warn("flow %" PRIu32 ": routing did not take its close: %s", c.flow_id,
                 strerror(-err));
}

static void on_epoch(void *arg, uint64_t old_epoch, uint64_t new_epoch)
{
    struct fa *fa = arg;

    (void)old_epoch;
    (void)new_epoch;
    atomic_store(&fa->resync, true);
}

void *fa_rx_main(void *arg)
{
    static uint8_t buf[FA_MSG_MAX + 1];
    struct fa *fa = arg;
    struct bus_client *bc = fa_client(fa, fa->routing_ep, "rx");

    if (bc == NULL) {
        log_err("cannot make a bus client: no message will be read");
        return NULL;
    }
    bus_client_on_epoch(bc, on_epoch, fa);
    while (!atomic_load(&fa->stop)) {
        struct fa_msg m;
        size_t len;

        if (mgmt_link_recv(&fa->link, buf, sizeof(buf), &len, now_ns() + 200 * FA_MS) < 0)
            continue;
        if (len > sizeof(buf) || fa_msg_decode(buf, len, &m) < 0) {
            uint64_t n = atomic_fetch_add(&fa->bad_msgs, 1) + 1;

            if ((n & (n - 1)) == 0) /* 1, 2, 4, ...: not a line per packet */
                log_warn("%" PRIu64 " malformed message(s) dropped", n);
            continue;
        }
        switch (m.type) {
        case FA_FLOW_REQ:
            on_req(fa, bc, &m);
            break;
        case FA_FLOW_REPLY:
            on_reply(fa, bc, &m);
            break;
        case FA_FLOW_UPDATE:
            on_update(fa, &m);
            break;
        case FA_FLOW_DEALLOC:
            on_dealloc(fa, bc, &m);
            break;
        default:
            break;
        }
    }
    bus_client_destroy(&bc);
    return NULL;
}
