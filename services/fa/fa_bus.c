/*
 * fa_bus.c - the methods ourobus-fa serves to its IPCP's routing
 * (proto/fa.proto): allocate, deallocate, answer a FLOW_REQ, report
 * congestion. Each answers at once; nothing here waits on the network.
 */
#include "fa.h"

#include "deadline.h"
#include "fa.pb.h"
#include "fa_policy.h"
#include "log.h"
#include "qos_msg.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static int on_alloc(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct fa *fa = arg;
    fa_alloc_t m = FA_ALLOC_INIT_ZERO;
    unsigned hl = atomic_load(&fa->hash_len);
    qosspec_t q;
    bool known;

    (void)rep;
    if (bus_request_decode(req, FA_ALLOC_FIELDS, &m) < 0)
        return -EINVAL;
    qos_msg_to_spec(&m.qos, &q);
    if (m.hash.size == 0 || m.hash.size > FA_HASH_MAX || (hl != 0 && m.hash.size != hl) ||
        fa_msg_qos_check(&q) < 0)
        return -EINVAL;
    if (!atomic_load(&fa->attached) || atomic_load(&fa->addr) == 0)
        return -EIPCPSTATE;
    pthread_mutex_lock(&fa->lock);
    known = fa_by_flow_id(fa, m.flow_id) != NULL;
    pthread_mutex_unlock(&fa->lock);
    if (known) /* a retry from another client: already on its way */
        return 0;
    return fa_alloc_start(fa, m.flow_id, m.hash.bytes, m.hash.size, &q,
                          m.timeout_ms != 0 ? m.timeout_ms : FA_ALLOC_MS);
}

static int on_dealloc(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct fa *fa = arg;
    fa_dealloc_t m = FA_DEALLOC_INIT_ZERO;
    uint64_t now = now_ns();
    struct fa_flow *f;

    (void)rep;
    if (bus_request_decode(req, FA_DEALLOC_FIELDS, &m) < 0)
        return -EINVAL;
    pthread_mutex_lock(&fa->lock);
    f = fa_by_flow_id(fa, m.flow_id);
    if (f != NULL && f->state == FA_ALLOCATED) {
        uint64_t dst = f->peer_addr;

        fa_release(fa, f, now);
        log_info("flow %" PRIu32 " deallocated (addr %" PRIu64 ")", m.flow_id, dst);
    } else if (f != NULL) {
        /* our request is still unanswered: stop asking */
        fa_forget(fa, f, now);
        log_info("flow %" PRIu32 " given up before its reply", m.flow_id);
    }
    pthread_mutex_unlock(&fa->lock);
    return 0;
}

static int on_req_done(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct fa *fa = arg;
    fa_req_done_t m = FA_REQ_DONE_INIT_ZERO;
    struct fa_msg r = {.type = FA_FLOW_REPLY};
    uint8_t buf[FA_REPLY_LEN];
    uint64_t now = now_ns();
    struct fa_flow *f;
    int len, err = 0;

    (void)rep;
    if (bus_request_decode(req, FA_REQ_DONE_FIELDS, &m) < 0)
        return -EINVAL;
    pthread_mutex_lock(&fa->lock);
    f = fa_table_by_eid(fa->table, m.local_eid);
    if (f == NULL || f->outbound || f->state != FA_PENDING) {
        pthread_mutex_unlock(&fa->lock);
        log_dbg("FA_REQ_DONE for endpoint %" PRIu64 ": no such request", m.local_eid);
        return f == NULL ? -ENOENT : 0;
    }
    r.req_id = f->req_id;
    r.d_eid = f->peer_eid;
    r.response = m.err > 0 ? -m.err : m.err;
    if (r.response < FA_RESPONSE_MIN)
        r.response = -EPROTO;
    r.s_eid = r.response == 0 ? f->eid : 0;
    len = fa_msg_encode(&r, buf, sizeof(buf));
    if (len > 0) {
        mgmt_link_send(&fa->link, f->peer_addr, buf, (size_t)len);
        fa_table_set_reply(fa->table, f, buf, (size_t)len);
    }
    if (r.response == 0) {
        f->flow_id = m.flow_id;
        fa_table_accept(fa->table, f);
        fa_side_get(fa, f->eid, now);
        log_info("flow %" PRIu32 " allocated to addr %" PRIu64 " eid %" PRIu64
                 " (peer's request)",
                 m.flow_id, f->peer_addr, f->peer_eid);
    } else {
        fa_table_dealloc(fa->table, f, now + FA_REFUSED_NS);
        log_info("request from addr %" PRIu64 " refused: %s", f->peer_addr,
                 strerror(-r.response));
    }
    if (len < 0)
        err = len;
    pthread_mutex_unlock(&fa->lock);
    return err;
}

static int on_congestion(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct fa *fa = arg;
    fa_congestion_t m = FA_CONGESTION_INIT_ZERO;
    uint64_t now = now_ns();
    struct fa_flow *f;

    (void)rep;
    if (bus_request_decode(req, FA_CONGESTION_FIELDS, &m) < 0)
        return -EINVAL;
    pthread_mutex_lock(&fa->lock);
    f = fa_by_flow_id(fa, m.flow_id);
    if (f != NULL && f->state == FA_ALLOCATED) {
        struct fa_side *s = fa_side_get(fa, f->eid, now);

        if (s != NULL && (s->update_tx == 0 || now - s->update_tx >= FA_UPDATE_NS)) {
            struct fa_msg u = {.type = FA_FLOW_UPDATE,
                               .s_eid = f->eid,
                               .d_eid = f->peer_eid,
                               .ece = fa_ece_level(m.ece, m.marked)};

            if (fa_send_msg(fa, f->peer_addr, &u) == 0)
                s->update_tx = now;
        }
    }
    pthread_mutex_unlock(&fa->lock);
    return 0;
}

int fa_serve(struct fa *fa)
{
    struct bus_server *bs = service_bus(fa->svc);
    int err;

    err = bus_server_add_method(bs, FA_METHOD_FA_ALLOC, BUS_METHOD_DEDUP, on_alloc, fa);
    if (err == 0)
        err = bus_server_add_method(bs, FA_METHOD_FA_DEALLOC, BUS_METHOD_IDEMPOTENT, on_dealloc,
                                    fa);
    if (err == 0)
        err =
            bus_server_add_method(bs, FA_METHOD_FA_REQ_DONE, BUS_METHOD_DEDUP, on_req_done, fa);
    if (err == 0)
        err = bus_server_add_method(bs, FA_METHOD_FA_CONGESTION, BUS_METHOD_IDEMPOTENT,
                                    on_congestion, fa);
    return err;
}
