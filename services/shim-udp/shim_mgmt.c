/*
 * shim_mgmt.c - the UDP shim's management protocol, on the main loop:
 * FLOW_REQ (resent until answered or too late; a resent one is answered
 * again, never made into a second flow), FLOW_REPLY, and FLOW_DEALLOC (the
 * peer hears at once that a flow ended). docs/protocols.md, "UDP shim".
 */
#include "shim.h"

#include "deadline.h"
#include "flow_record.h"
#include "log.h"
#include "udp_msg.h"

#include <errno.h>
#include <inttypes.h>
#include <ourobus/errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REQ_RESEND_FIRST_MS 100 /* then doubling, up to: */
#define REQ_RESEND_MAX_MS   1000
#define ALLOC_TIMEOUT_MS    20000 /* when the application gave none */
#define DEALLOC_SENDS       3     /* a FLOW_DEALLOC goes at 0, 100 and 500 ms */
#define DEALLOC_RESEND_MS   100

static zloop_t *loop_of(struct shim *s)
{
    return service_loop(s->svc);
}

static void timer_stop(struct shim *s, struct udp_flow *f)
{
    if (f->timer >= 0)
        zloop_timer_end(loop_of(s), f->timer);
    f->timer = -1;
}

static void timer_start(struct shim *s, struct udp_flow *f, uint64_t ms, zloop_timer_fn fn)
{
    timer_stop(s, f);
    f->timer = zloop_timer(loop_of(s), ms > 0 ? (size_t)ms : 1, 1, fn, f);
}

static int send_mgmt(struct shim *s, const struct udp_mgmt *m, const struct udp_addr *to)
{
    uint8_t buf[UDP_MGMT_MAX];
    int n = udp_mgmt_encode(m, buf, sizeof(buf));

    if (n < 0)
        return n;
    /* Never wait on the main loop: a lost request is sent again, a lost
     * reply asked for again by the request sent again. */
    if (sendto(s->fd, buf, (size_t)n, MSG_DONTWAIT, &to->sa, to->len) < 0) {
        char a[UDP_ADDR_STRLEN];

        log_dbg("%s to %s: %s", udp_mgmt_code_str(m->code), udp_addr_str(to, a, sizeof(a)),
                strerror(errno));
        return -errno;
    }
    return 0;
}

static struct udp_flow *flow_new(struct shim *s)
{
    struct udp_flow *f = calloc(1, sizeof(*f));

    if (f != NULL) {
        f->timer = -1;
        f->owner = s;
    }
    return f;
}

/* Out of the tables, past the data threads, freed. */
static void flow_free(struct shim *s, struct udp_flow *f)
{
    bool seen = f->by_fid; /* the data threads may hold it */

    timer_stop(s, f);
    atomic_store_explicit(&f->state, UDP_FLOW_CLOSED, memory_order_release);
    ep_table_remove(s->eps, f);
    if (seen)
        qsbr_synchronize(&s->qsbr);
    if (f->np1 != NULL && f->np1->priv == f)
        f->np1->priv = NULL;
    if (f->lookup != NULL)
        shim_lookup_forget(f->lookup);
    free(f);
}

static size_t record(const struct udp_flow *f, uint8_t *blob)
{
    struct flow_record r = {.peer = f->peer, .peer_eid = f->peer_eid, .eid = f->eid};

    return flow_record_encode(&r, blob);
}

static bool registered(const struct shim *s, const uint8_t *hash, size_t len)
{
    if (len != s->hlen)
        return false;
    for (size_t i = 0; i < s->nregs; i++)
        if (memcmp(s->regs[i], hash, len) == 0)
            return true;
    return false;
}

/* ---- requester: our application asked for a flow ---- */

static void req_send(struct shim *s, struct udp_flow *f);

/* The allocation failed: the flow goes, the IRM daemon hears why. */
static void req_fail(struct shim *s, struct udp_flow *f, int err)
{
    struct np1_flow *np1 = f->np1;

    flow_free(s, f);
    ipcp_flow_alloc_reply(s->dev, np1, err, 0, NULL, 0);
}

static int req_timer(zloop_t *loop, int timer_id, void *arg)
{
    struct udp_flow *f = arg;
    struct shim *s = f->owner;

    (void)loop;
    (void)timer_id;
    f->timer = -1;
    if (now_ns() >= f->deadline_ns)
        req_fail(s, f, -ETIMEDOUT);
    else
        req_send(s, f);
    return 0;
}

static void req_send(struct shim *s, struct udp_flow *f)
{
    struct udp_mgmt m = {.code = UDP_FLOW_REQ, .s_eid = f->eid, .qos = f->qos};
    uint64_t now = now_ns();
    uint64_t wait = REQ_RESEND_FIRST_MS << (f->sent < 4 ? f->sent : 4);

    m.hash = f->hash;
    m.hash_len = f->hash_len;
    m.qos.in_order = m.qos.in_order != 0;
    if (log_get_level() >= LOG_LVL_DBG) {
        char a[UDP_ADDR_STRLEN];

        log_dbg("flow %" PRIu32 ": FLOW_REQ %" PRIu32 " from endpoint %#" PRIx32 " to %s",
                f->fid, f->sent + 1, f->eid, udp_addr_str(&f->req_to, a, sizeof(a)));
    }
    send_mgmt(s, &m, &f->req_to);
    f->sent++;
    if (wait > REQ_RESEND_MAX_MS)
        wait = REQ_RESEND_MAX_MS;
    if (now + wait * 1000000ull > f->deadline_ns)
        wait = f->deadline_ns > now ? (f->deadline_ns - now) / 1000000 + 1 : 1;
    timer_start(s, f, wait, req_timer);
}

/* The peer's address is known: publish the flow, send the request. */
static void req_start(struct shim *s, struct udp_flow *f, const struct udp_addr *to)
{
    int err;

    f->req_to = *to;
    err = ep_table_add(s->eps, f);
    if (err < 0) {
        log_warn("no endpoint id left for flow %" PRIu32, f->fid);
        req_fail(s, f, -EBUSY);
        return;
    }
    req_send(s, f);
}

void shim_mgmt_resolved(struct shim *s, struct udp_flow *f, int err, const struct udp_addr *to)
{
    f->lookup = NULL;
    if (err == 0)
        req_start(s, f, to);
    else
        req_fail(s, f, err == -ETIMEDOUT ? -ETIMEDOUT : -ENAME);
}

int shim_mgmt_alloc(struct shim *s, struct np1_flow *np1, const uint8_t *hash, size_t len,
                    int timeout_ms)
{
    struct udp_addr to;
    struct udp_flow *f;
    int err;

    if (!s->running)
        return -EIPCPSTATE;
    if (len != s->hlen || len > UDP_HASH_MAX)
        return -EINVAL;
    if (timeout_ms <= 0)
        timeout_ms = ALLOC_TIMEOUT_MS;
    err = resolver_known(s->res, hash, len, &to);
    if (err == -ENAME)
        return -ENAME;
    f = flow_new(s);
    if (f == NULL)
        return -ENOMEM;
    f->np1 = np1;
    f->fid = np1->id;
    memcpy(f->hash, hash, len);
    f->hash_len = len;
    f->qos = np1->qos;
    f->deadline_ns = now_ns() + (uint64_t)timeout_ms * 1000000ull;
    np1->priv = f;
    if (err == 0) {
        f->req_to = to;
        err = ep_table_add(s->eps, f);
        if (err < 0) {
            flow_free(s, f);
            return -EBUSY;
        }
        req_send(s, f);
        return 0;
    }
    err = shim_lookup_start(s, f, timeout_ms);
    if (err < 0)
        flow_free(s, f);
    return err;
}

static void on_reply(struct shim *s, const struct udp_mgmt *m, const struct udp_addr *from)
{
    struct udp_flow *f = ep_table_by_eid(s->eps, m->d_eid);
    uint8_t blob[FLOW_RECORD_LEN];
    size_t n;

    if (f == NULL || f->responder || udp_flow_state(f) != UDP_FLOW_PENDING ||
        !udp_addr_equal(&f->req_to, from)) {
        if (f == NULL && m->response == 0) {
            /* We gave up on that flow: the peer should not keep it. */
            struct udp_mgmt d = {
                .code = UDP_FLOW_DEALLOC, .s_eid = m->d_eid, .d_eid = m->s_eid};

            send_mgmt(s, &d, from);
        }
        return;
    }
    if (m->response < 0) {
        req_fail(s, f, m->response);
        return;
    }
    timer_stop(s, f);
    f->peer = *from;
    f->peer_eid = m->s_eid;
    ep_table_index_peer(s->eps, f);
    atomic_store_explicit(&f->state, UDP_FLOW_OPEN, memory_order_release);
    n = record(f, blob);
    if (ipcp_flow_alloc_reply(s->dev, f->np1, 0, SHIM_MPL_MS, blob, n) < 0)
        log_warn("flow %" PRIu32 ": the IRM daemon did not take the peer's answer", f->fid);
    shim_tx_kick(s, f->fid);
}

/* ---- responder: a peer asked for a flow ---- */

static void reply_send(struct shim *s, const struct udp_flow *f)
{
    struct udp_mgmt m = {.code = UDP_FLOW_REPLY,
                         .s_eid = f->response == 0 ? f->eid : 0,
                         .d_eid = f->peer_eid,
                         .response = f->response};

    send_mgmt(s, &m, &f->peer);
}

static int refused_timer(zloop_t *loop, int timer_id, void *arg)
{
    struct udp_flow *f = arg;

    (void)loop;
    (void)timer_id;
    f->timer = -1;
    flow_free(f->owner, f);
    return 0;
}

/* Say no, and keep saying it to the request's resends for a while. */
static void refuse(struct shim *s, struct udp_flow *f, int err)
{
    f->response = err < 0 ? err : -ECONNREFUSED;
    f->answered = true;
    reply_send(s, f);
    timer_start(s, f, SHIM_REFUSED_KEEP_MS, refused_timer);
}

static void req_arr_done(void *ctx, void *arg, struct np1_flow *np1, int err)
{
    struct shim *s = ctx;
    struct udp_flow *f = arg;

    if (np1 == NULL) {
        refuse(s, f, err);
        return;
    }
    f->np1 = np1;
    f->fid = np1->id;
    np1->priv = f;
    ep_table_publish(s->eps, f);
    f->answered = true;
    f->response = 0;
    atomic_store_explicit(&f->state, UDP_FLOW_OPEN, memory_order_release);
    reply_send(s, f);
    shim_tx_kick(s, f->fid); /* the application may have written already */
}

static void on_req(struct shim *s, const struct udp_mgmt *m, const struct udp_addr *from)
{
    struct udp_flow *f = ep_table_by_peer(s->eps, from, m->s_eid);
    uint8_t blob[FLOW_RECORD_LEN];
    size_t n;
    int err;

    if (f != NULL) { /* sent again: our answer was lost, or is still coming */
        if (f->answered)
            reply_send(s, f);
        return;
    }
    if (!registered(s, m->hash, m->hash_len)) {
        struct udp_mgmt r = {.code = UDP_FLOW_REPLY, .d_eid = m->s_eid, .response = -ENAME};

        send_mgmt(s, &r, from);
        return;
    }
    f = flow_new(s);
    if (f == NULL)
        return; /* the request comes again */
    f->responder = true;
    f->peer = *from;
    f->req_to = *from;
    f->peer_eid = m->s_eid;
    f->qos = m->qos;
    ep_table_index_peer(s->eps, f);
    if (ep_table_reserve(s->eps, f) < 0) {
        refuse(s, f, -EBUSY);
        return;
    }
    n = record(f, blob);
    err = ipcp_flow_req_arr(s->dev, m->hash, m->hash_len, &f->qos, SHIM_MPL_MS, blob, n,
                            SHIM_REQ_WAIT_MS, req_arr_done, f);
    if (err < 0)
        refuse(s, f, err);
}

/* ---- deallocation ---- */

static void on_dealloc(struct shim *s, const struct udp_mgmt *m, const struct udp_addr *from)
{
    struct udp_flow *f = ep_table_by_eid(s->eps, m->d_eid);
    struct np1_flow *np1;

    if (f == NULL || udp_flow_state(f) != UDP_FLOW_OPEN || f->peer_eid != m->s_eid ||
        !udp_addr_equal(&f->peer, from))
        return;
    log_dbg("flow %" PRIu32 ": the peer deallocated it", f->fid);
    /* Our part ends here; ops->flow_dealloc then finds nothing to do. */
    np1 = f->np1;
    flow_free(s, f);
    ipcp_flow_close(s->dev, np1);
}

/* A FLOW_DEALLOC sent again: a flood may fill the peer's socket buffer. */
struct dealloc_resend {
    struct shim *s;
    struct udp_mgmt m;
    struct udp_addr to;
    int timer;
    int sent;
    struct dealloc_resend *next;
};

static void resend_free(struct shim *s, struct dealloc_resend *r)
{
    struct dealloc_resend **p = &s->resends;

    while (*p != r)
        p = &(*p)->next;
    *p = r->next;
    free(r);
}

static int dealloc_timer(zloop_t *loop, int timer_id, void *arg)
{
    struct dealloc_resend *r = arg;

    (void)timer_id;
    send_mgmt(r->s, &r->m, &r->to);
    if (++r->sent < DEALLOC_SENDS)
        r->timer = zloop_timer(loop, (size_t)DEALLOC_RESEND_MS << (2 * (r->sent - 1)), 1,
                               dealloc_timer, r);
    else
        resend_free(r->s, r);
    return 0;
}

void shim_mgmt_dealloc(struct shim *s, struct np1_flow *np1)
{
    struct udp_flow *f = np1->priv;

    if (f == NULL)
        return;
    if (udp_flow_state(f) == UDP_FLOW_OPEN && !np1->peer_closed && s->fd >= 0) {
        struct dealloc_resend *r = calloc(1, sizeof(*r));
        struct udp_mgmt m = {.code = UDP_FLOW_DEALLOC, .s_eid = f->eid, .d_eid = f->peer_eid};

        send_mgmt(s, &m, &f->peer);
        if (r != NULL) {
            *r = (struct dealloc_resend){.s = s, .m = m, .to = f->peer, .sent = 1};
            r->timer = zloop_timer(loop_of(s), DEALLOC_RESEND_MS, 1, dealloc_timer, r);
            r->next = s->resends;
            s->resends = r;
        }
    }
    flow_free(s, f);
}

int shim_mgmt_restore(struct shim *s, struct np1_flow *np1, const void *blob, size_t len)
{
    struct flow_record r;
    struct udp_flow *f;
    int err;

    if (flow_record_parse(blob, len, &r) < 0 || udp_addr_af(&r.peer) != s->af) {
        log_warn("flow %" PRIu32 ": no record of its peer to restore it from", np1->id);
        return -EINVAL;
    }
    f = flow_new(s);
    if (f == NULL)
        return -ENOMEM;
    f->np1 = np1;
    f->fid = np1->id;
    f->peer = r.peer;
    f->req_to = r.peer;
    f->peer_eid = r.peer_eid;
    f->qos = np1->qos;
    err = ep_table_reserve_eid(s->eps, f, r.eid);
    if (err < 0) {
        free(f);
        return err;
    }
    ep_table_publish(s->eps, f);
    ep_table_index_peer(s->eps, f);
    atomic_store_explicit(&f->state, UDP_FLOW_OPEN, memory_order_release);
    np1->priv = f;
    if (s->running) /* what its application wrote while we were away */
        shim_tx_kick(s, f->fid);
    return 0;
}

/* ---- the queue from the receive thread ---- */

static int mgmt_readable(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct shim *s = arg;
    struct udp_addr from;
    uint64_t off;

    (void)loop;
    (void)item;
    mgmt_queue_arm(s->mq);
    while (mgmt_queue_pop(s->mq, &off, &from) == 0) {
        struct udp_mgmt m;

        /* Checked by the receive thread already. */
        if (udp_mgmt_parse(pool_blk_data(s->pool, off), pool_blk_len(s->pool, off), &m) == 0) {
            if (log_get_level() >= LOG_LVL_DBG) {
                char a[UDP_ADDR_STRLEN];

                log_dbg("%s from %s: s_eid %#" PRIx32 ", d_eid %#" PRIx32 ", response %" PRId32,
                        udp_mgmt_code_str(m.code), udp_addr_str(&from, a, sizeof(a)), m.s_eid,
                        m.d_eid, m.response);
            }
            switch (m.code) {
            case UDP_FLOW_REQ:
                on_req(s, &m, &from);
                break;
            case UDP_FLOW_REPLY:
                on_reply(s, &m, &from);
                break;
            case UDP_FLOW_DEALLOC:
                on_dealloc(s, &m, &from);
                break;
            }
        }
        pool_free(s->pool, off);
    }
    return 0;
}

static int tick(zloop_t *loop, int timer_id, void *arg)
{
    struct shim *s = arg;
    uint64_t e = atomic_load_explicit(&s->tx_errors, memory_order_relaxed);

    (void)loop;
    (void)timer_id;
    drop_stats_report(&s->drops);
    if (e != s->tx_reported) {
        log_warn("%" PRIu64 " packets could not be sent", e - s->tx_reported);
        s->tx_reported = e;
    }
    return 0;
}

int shim_mgmt_init(struct shim *s)
{
    zmq_pollitem_t mq = {.fd = mgmt_queue_fd(s->mq), .events = ZMQ_POLLIN};

    if (zloop_poller(loop_of(s), &mq, mgmt_readable, s) < 0 || shim_lookup_init(s) < 0)
        return -ENOMEM;
    s->tick = zloop_timer(loop_of(s), 1000, 0, tick, s);
    return s->tick >= 0 ? 0 : -ENOMEM;
}

static void free_any(void *arg, struct udp_flow *f)
{
    struct shim *s = arg;

    timer_stop(s, f);
    ep_table_remove(s->eps, f);
    if (f->np1 != NULL && f->np1->priv == f)
        f->np1->priv = NULL;
    free(f);
}

void shim_mgmt_fini(struct shim *s)
{
    zmq_pollitem_t mq = {.fd = mgmt_queue_fd(s->mq), .events = ZMQ_POLLIN};
    struct udp_addr from;
    uint64_t off;

    zloop_poller_end(loop_of(s), &mq);
    shim_lookup_fini(s);
    if (s->tick >= 0)
        zloop_timer_end(loop_of(s), s->tick);
    s->tick = -1;
    /* The data threads are stopped: the published flows go at once. */
    ep_table_foreach(s->eps, free_any, s);
    /* And those still waiting for the IRM daemon's answer to a request
     * that arrived (known by their peer only): their answer never comes. */
    ep_table_foreach_peer(s->eps, free_any, s);
    while (s->resends != NULL) {
        zloop_timer_end(loop_of(s), s->resends->timer);
        resend_free(s, s->resends);
    }
    while (mgmt_queue_pop(s->mq, &off, &from) == 0)
        pool_free(s->pool, off);
}
