/*
 * np1.c - the N+1 flows of a unicast IPCP in routing: the table of
 * bindings (endpoint id -> flow, flow -> peer), the thread that sends what
 * applications write, the delivery of DT packets to applications, and the
 * bus glue to the fa and the directory (docs/unicast.md).
 *
 * The table is an open-addressed array of NP1_SLOTS slots that is never
 * freed while the daemon runs. Readers (the N-1 readers delivering, the
 * send thread) take no lock: a slot's fields are written before its
 * endpoint id is published (release), and an ended binding becomes a
 * tombstone that is reused only NP1_REUSE_MS later, long after any reader
 * let go of it. Writers (the main loop) take the lock.
 */
#include "np1.h"

#include "bus_client.h"
#include "bus_server.h"
#include "deadline.h"
#include "directory.pb.h"
#include "fa.pb.h"
#include "log.h"
#include "mgmt.h"
#include "nbrs.h"
#include "qos_msg.h"
#include "routing.h"
#include "routing.pb.h"

#include <errno.h>
#include <inttypes.h>
#include <ourobus/errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NP1_TOMB          UINT64_MAX     /* a slot whose binding ended */
#define NP1_NAMES_MAX     256u           /* names registered in this IPCP */
#define NP1_PENDING       256u           /* FLOW_REQ_ARRs waiting for the IRM daemon */
#define NP1_READER        (NBRS_MAX + 1) /* our PFF reader id */
#define TX_BATCH          32             /* packets of one flow per turn */
#define TX_ACTIVE         4096           /* flows served in turn */
#define TX_WAKE_MS        1000           /* look at the stop flag this often */
#define TX_STOP_FID       EVQ_FLOW_MAX
#define BUS_FA_MS         1000 /* a call to the fa from the main loop */
#define BUS_DIR_MS        1000 /* a reg or unreg call to the directory */
#define ECN_TICK_MS       100  /* between two congestion reports to the fa */
#define NP1_QUERY_CLIENTS 8    /* directory clients kept for queries */

_Static_assert(NP1_READER < (int)PFF_READERS, "a PFF reader id of our own");
_Static_assert((NP1_SLOTS & (NP1_SLOTS - 1)) == 0, "a power of two");

struct np1_slot {
    _Atomic uint64_t eid; /* 0: never used; NP1_TOMB: ended */
    uint32_t fid;
    uint8_t cube;
    uint64_t peer_addr;
    uint64_t peer_eid;
    uint64_t ended_ms;
    _Atomic uint32_t ecn_max; /* since the last report to the fa */
    _Atomic uint32_t ecn_marked;
    bool tx_queued; /* in the send thread's list (that thread's only) */
};

struct np1 {
    struct routing *r;
    pthread_mutex_t lock; /* slot writes, names, pending */
    struct np1_slot *slot;

    uint8_t names[NP1_NAMES_MAX][IPCP_HASH_MAX];
    uint8_t name_len[NP1_NAMES_MAX];
    size_t n_names;
    uint64_t pending[NP1_PENDING]; /* local eids of FLOW_REQ_ARRs in wait */
    size_t n_pending;
    struct bus_client *qc[NP1_QUERY_CLIENTS]; /* idle clients to the directory */
    size_t n_qc;
    unsigned qc_seq;

    /* main loop only */
    struct bus_client *fa, *dir;
    char fa_ep[RUN_PATH_MAX + 128];
    char dir_ep[RUN_PATH_MAX + 128];
    int ecn_timer;

    /* the send thread */
    struct dt_fmt fmt;
    uint64_t self;
    uint8_t ttl;
    pthread_t tx;
    bool tx_started;
    _Atomic bool stop;
    _Atomic bool ecn_any;
    _Atomic uint64_t sent, delivered, dropped;
};

static uint64_t ms_now(void)
{
    return now_ns() / 1000000ull;
}

/* ---- the table ---- */

static size_t home(uint64_t eid)
{
    return (size_t)((eid * 0x9e3779b97f4a7c15ull) >> 40) & (NP1_SLOTS - 1);
}

static struct np1_slot *lookup(struct np1 *n, uint64_t eid)
{
    size_t h = home(eid);

    for (size_t i = 0; i < NP1_SLOTS; i++) {
        struct np1_slot *s = &n->slot[(h + i) & (NP1_SLOTS - 1)];
        uint64_t e = atomic_load_explicit(&s->eid, memory_order_acquire);

        if (e == eid)
            return s;
        if (e == 0)
            return NULL;
    }
    return NULL;
}

/* Bind flow fid to b (lock held): the slot, or NULL (table full, or the
 * endpoint id is taken by another flow). */
static struct np1_slot *bind_locked(struct np1 *n, const struct np1_binding *b, uint32_t fid)
{
    struct np1_slot *s = lookup(n, b->local_eid);
    size_t h = home(b->local_eid);
    uint64_t now = ms_now();

    if (s != NULL)
        return s->fid == fid ? s : NULL;
    for (size_t i = 0; i < NP1_SLOTS; i++) {
        s = &n->slot[(h + i) & (NP1_SLOTS - 1)];
        uint64_t e = atomic_load_explicit(&s->eid, memory_order_relaxed);

        if (e == 0 || (e == NP1_TOMB && now - s->ended_ms >= NP1_REUSE_MS)) {
            s->fid = fid;
            s->cube = b->cube;
            s->peer_addr = b->peer_addr;
            s->peer_eid = b->peer_eid;
            atomic_store_explicit(&s->ecn_max, 0, memory_order_relaxed);
            atomic_store_explicit(&s->ecn_marked, 0, memory_order_relaxed);
            atomic_store_explicit(&s->eid, b->local_eid, memory_order_release);
            return s;
        }
    }
    return NULL;
}

/* Bind f and make the send thread look at it (packets may wait). */
static int bind_flow(struct np1 *n, struct np1_flow *f, const struct np1_binding *b)
{
    struct np1_slot *s;

    pthread_mutex_lock(&n->lock);
    s = bind_locked(n, b, f->id);
    pthread_mutex_unlock(&n->lock);
    if (s == NULL)
        return -ENOSPC;
    __atomic_store_n(&f->priv, (void *)(uintptr_t)(s - n->slot + 1), __ATOMIC_RELEASE);
    evq_post(ipcp_dev_evq(n->r->dev), f->id, EVQ_FLOW_PKT);
    return 0;
}

static struct np1_slot *slot_of(struct np1 *n, struct np1_flow *f)
{
    uintptr_t i = (uintptr_t)__atomic_load_n(&f->priv, __ATOMIC_ACQUIRE);

    return i == 0 || i > NP1_SLOTS ? NULL : &n->slot[i - 1];
}

static void unbind_flow(struct np1 *n, struct np1_flow *f)
{
    struct np1_slot *s = slot_of(n, f);

    if (s == NULL)
        return;
    pthread_mutex_lock(&n->lock);
    if (s->fid == f->id && atomic_load(&s->eid) != 0 && atomic_load(&s->eid) != NP1_TOMB) {
        s->ended_ms = ms_now();
        atomic_store_explicit(&s->eid, NP1_TOMB, memory_order_release);
    }
    pthread_mutex_unlock(&n->lock);
}

/* ---- the data path ---- */

bool np1_deliver(struct np1 *n, const struct dt_hdr *h, const uint8_t *buf, size_t len)
{
    struct ipcp_dev *d = n->r->dev;
    struct np1_slot *s = lookup(n, h->eid);
    struct np1_flow *f;
    struct pool *pool = ipcp_dev_pool(d);
    uint64_t off;

    if (s == NULL)
        return false;
    f = ipcp_flow_get(d, s->fid);
    if (f == NULL)
        return false;
    if (h->ecn > 0) {
        uint32_t m = atomic_load_explicit(&s->ecn_max, memory_order_relaxed);

        while (h->ecn > m && !atomic_compare_exchange_weak(&s->ecn_max, &m, h->ecn))
            ;
        atomic_fetch_add_explicit(&s->ecn_marked, 1, memory_order_relaxed);
        atomic_store_explicit(&n->ecn_any, true, memory_order_relaxed);
    }
    if (pool_alloc(pool, len, &off) < 0) {
        atomic_fetch_add_explicit(&n->dropped, 1, memory_order_relaxed);
        return true;
    }
    memcpy(pool_blk_data(pool, off), buf, len);
    if (np1_flow_write(d, f, off) < 0) {
        pool_free(pool, off);
        atomic_fetch_add_explicit(&n->dropped, 1, memory_order_relaxed);
        return true;
    }
    atomic_fetch_add_explicit(&n->delivered, 1, memory_order_relaxed);
    return true;
}

/* Send up to TX_BATCH packets of f; false when it has no more. */
static bool drain(struct np1 *n, struct np1_flow *f)
{
    struct ipcp_dev *d = n->r->dev;
    struct pool *pool = ipcp_dev_pool(d);
    struct np1_slot *s = slot_of(n, f);
    size_t hl = dt_hdr_len(&n->fmt);

    if (s == NULL || s->fid != f->id)
        return false; /* not bound yet: its packets wait for bind_flow's kick */
    for (int k = 0; k < TX_BATCH; k++) {
        struct dt_hdr h;
        uint64_t off;
        uint8_t *p;
        size_t len;

        if (np1_flow_read(d, f, &off) < 0)
            return false;
        h = (struct dt_hdr){
            .dst = s->peer_addr, .cube = s->cube, .ttl = n->ttl, .ecn = 0, .eid = s->peer_eid};
        p = pool_blk_push_head(pool, off, hl);
        if (p == NULL || dt_hdr_encode(&n->fmt, &h, p, hl) < 0) {
            pool_free(pool, off);
            atomic_fetch_add_explicit(&n->dropped, 1, memory_order_relaxed);
            continue;
        }
        len = pool_blk_len(pool, off);
        if (h.dst == n->self)
            np1_deliver(n, &h, p + hl, len - hl);
        else
            nbrs_originate(n->r->nbrs, NP1_READER, &h, p, len);
        pool_free(pool, off);
        atomic_fetch_add_explicit(&n->sent, 1, memory_order_relaxed);
    }
    return true;
}

/* The flows with packets, served in turn: slots of the table (each one in
 * the list once, marked by its tx_queued, which only this thread touches). */
struct tx_state {
    uint32_t active[TX_ACTIVE];
    int nactive;
};

static void activate_slot(struct np1 *n, struct tx_state *t, struct np1_slot *s)
{
    if (s->tx_queued || t->nactive == TX_ACTIVE)
        return; /* a flow left out comes back with its next event */
    s->tx_queued = true;
    t->active[t->nactive++] = (uint32_t)(s - n->slot);
}

/* Events were lost (or a restart): every bound flow may have packets. */
static void activate_all(struct np1 *n, struct tx_state *t)
{
    for (size_t i = 0; i < NP1_SLOTS; i++) {
        uint64_t e = atomic_load_explicit(&n->slot[i].eid, memory_order_acquire);

        if (e != 0 && e != NP1_TOMB)
            activate_slot(n, t, &n->slot[i]);
    }
}

static void handle(struct np1 *n, struct tx_state *t, const struct evq_event *ev)
{
    struct np1_flow *f;
    struct np1_slot *s;

    if (ev->type & EVQ_OVERFLOW) {
        activate_all(n, t);
        return;
    }
    if ((ev->type & EVQ_FLOW_PKT) == 0 || ev->flow == TX_STOP_FID)
        return;
    f = ipcp_flow_get(n->r->dev, ev->flow);
    s = f != NULL ? slot_of(n, f) : NULL;
    if (s != NULL && s->fid == ev->flow)
        activate_slot(n, t, s); /* not bound yet: bind_flow posts again */
}

static void *tx_main(void *arg)
{
    struct np1 *n = arg;
    struct evq *q = ipcp_dev_evq(n->r->dev);
    struct tx_state *t = calloc(1, sizeof(*t));
    struct spin sp, ysp;

    if (t == NULL) {
        log_err("N+1 send thread: out of memory");
        return NULL;
    }
    spin_init(&sp, spin_default_ns());
    spin_init(&ysp, yield_default_ns());
    activate_all(n, t); /* packets may wait from before a restart */
    while (!atomic_load_explicit(&n->stop, memory_order_relaxed)) {
        struct evq_event ev;
        int keep = 0;

        if (t->nactive == 0) {
            uint64_t t0 = now_ns();
            int r;

            while ((r = evq_next(q, &ev)) == 0 && yield_turn(&ysp, t0))
                ;
            if (r == 0)
                r = evq_wait(q, &ev, deadline_after_ms(TX_WAKE_MS), &sp);
            spin_learn(&ysp, now_ns() - t0);
            if (r != 1)
                continue;
            handle(n, t, &ev);
        }
        while (evq_next(q, &ev) == 1)
            handle(n, t, &ev);
        for (int i = 0; i < t->nactive; i++) {
            struct np1_slot *s = &n->slot[t->active[i]];
            struct np1_flow *f = ipcp_flow_get(n->r->dev, s->fid);

            if (f != NULL && drain(n, f))
                t->active[keep++] = t->active[i];
            else
                s->tx_queued = false;
        }
        t->nactive = keep;
    }
    free(t);
    return NULL;
}

/* ---- bus clients ---- */

static struct bus_client *client(struct bus_client **c, const char *ep)
{
    char ident[64];

    if (*c == NULL) {
        snprintf(ident, sizeof(ident), "routing.%d", (int)getpid());
        *c = bus_client_new(ep, ident);
    }
    return *c;
}

static int call_fa(struct np1 *n, uint32_t method, const pb_msgdesc_t *fields, const void *req,
                   int timeout_ms)
{
    struct bus_client *c = client(&n->fa, n->fa_ep);

    if (c == NULL)
        return -ENOMEM;
    if (bus_probe(n->fa_ep) < 0)
        return -EIPCP; /* no fa (yet): do not wait for it */
    return bus_client_call_pb(c, method, fields, req, NULL, NULL, timeout_ms);
}

static int call_dir(struct np1 *n, uint32_t method, const uint8_t *hash, size_t len)
{
    struct bus_client *c = client(&n->dir, n->dir_ep);
    dir_name_t m = DIR_NAME_INIT_ZERO;

    if (c == NULL)
        return -ENOMEM;
    if (bus_probe(n->dir_ep) < 0)
        return -EIPCP;
    m.hash.size = (pb_size_t)len;
    memcpy(m.hash.bytes, hash, len);
    return bus_client_call_pb(c, method, DIR_NAME_FIELDS, &m, NULL, NULL, BUS_DIR_MS);
}

/* ---- names ---- */

static ssize_t name_find(struct np1 *n, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; i < n->n_names; i++)
        if (n->name_len[i] == len && memcmp(n->names[i], hash, len) == 0)
            return (ssize_t)i;
    return -1;
}

int np1_reg(struct np1 *n, const uint8_t *hash, size_t len)
{
    int err;

    if (len == 0 || len > IPCP_HASH_MAX)
        return -EINVAL;
    pthread_mutex_lock(&n->lock);
    if (name_find(n, hash, len) < 0) {
        if (n->n_names == NP1_NAMES_MAX) {
            pthread_mutex_unlock(&n->lock);
            return -ENOSPC;
        }
        memcpy(n->names[n->n_names], hash, len);
        n->name_len[n->n_names++] = (uint8_t)len;
    }
    pthread_mutex_unlock(&n->lock);
    /* A directory that is down publishes it when it comes back (NAMES). */
    err = call_dir(n, DIR_METHOD_DIR_REG, hash, len);
    if (err < 0)
        log_dbg("directory: reg: %d (it publishes the name when it comes)", err);
    return 0;
}

int np1_unreg(struct np1 *n, const uint8_t *hash, size_t len)
{
    ssize_t i;
    int err;

    pthread_mutex_lock(&n->lock);
    i = name_find(n, hash, len);
    if (i >= 0) {
        n->n_names--;
        memcpy(n->names[i], n->names[n->n_names], IPCP_HASH_MAX);
        n->name_len[i] = n->name_len[n->n_names];
    }
    pthread_mutex_unlock(&n->lock);
    err = call_dir(n, DIR_METHOD_DIR_UNREG, hash, len);
    if (err < 0)
        log_dbg("directory: unreg: %d", err);
    return 0;
}

/* A client to the directory for one query: one kept from an earlier query
 * (connections are made once, not per query: the IPCP library runs each
 * query on a thread of its own), else a new one. */
static struct bus_client *query_client(struct np1 *n)
{
    struct bus_client *c = NULL;
    char ident[64];
    unsigned seq;

    pthread_mutex_lock(&n->lock);
    if (n->n_qc > 0)
        c = n->qc[--n->n_qc];
    seq = n->qc_seq++;
    pthread_mutex_unlock(&n->lock);
    if (c == NULL) {
        snprintf(ident, sizeof(ident), "routing.%d.q%u", (int)getpid(), seq);
        c = bus_client_new(n->dir_ep, ident);
    }
    return c;
}

static void query_client_put(struct np1 *n, struct bus_client *c, bool good)
{
    pthread_mutex_lock(&n->lock);
    if (good && n->n_qc < NP1_QUERY_CLIENTS) {
        n->qc[n->n_qc++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&n->lock);
    bus_client_destroy(&c);
}

int np1_query(struct np1 *n, const uint8_t *hash, size_t len, int timeout_ms)
{
    dir_query_t q = DIR_QUERY_INIT_ZERO;
    dir_addrs_t a = DIR_ADDRS_INIT_ZERO;
    struct bus_client *c;
    int err;

    if (len == 0 || len > sizeof(q.hash.bytes))
        return -EINVAL;
    if (bus_probe(n->dir_ep) < 0)
        return -ENAME;
    c = query_client(n);
    if (c == NULL)
        return -ENOMEM;
    q.hash.size = (pb_size_t)len;
    memcpy(q.hash.bytes, hash, len);
    q.timeout_ms = timeout_ms > 100 ? (uint32_t)timeout_ms - 50 : (uint32_t)timeout_ms;
    err = bus_client_call_pb(c, DIR_METHOD_DIR_QUERY, DIR_QUERY_FIELDS, &q, DIR_ADDRS_FIELDS,
                             &a, timeout_ms);
    /* A client that gave up on its call is not reused: its late reply
     * would meet the next query. */
    query_client_put(n, c, err != -ETIMEDOUT);
    return err >= 0 && a.addrs_count > 0 ? 0 : -ENAME;
}

/* ---- flows ---- */

int np1_flow_alloc(struct np1 *n, struct np1_flow *f, const uint8_t *hash, size_t len,
                   int timeout_ms)
{
    fa_alloc_t m = FA_ALLOC_INIT_ZERO;
    int err;

    if (len == 0 || len > sizeof(m.hash.bytes))
        return -EINVAL;
    m.flow_id = f->id;
    m.hash.size = (pb_size_t)len;
    memcpy(m.hash.bytes, hash, len);
    m.has_qos = true;
    qos_msg_from_spec(&f->qos, &m.qos);
    m.timeout_ms = timeout_ms > 0 ? (uint32_t)timeout_ms : 0;
    err = call_fa(n, FA_METHOD_FA_ALLOC, FA_ALLOC_FIELDS, &m, BUS_FA_MS);
    if (err < 0)
        log_warn("flow %" PRIu32 ": the flow allocator refused it: %d", f->id, err);
    return err < 0 ? err : 0;
}

void np1_flow_dealloc(struct np1 *n, struct np1_flow *f)
{
    fa_dealloc_t m = {.flow_id = f->id};

    unbind_flow(n, f);
    if (!f->peer_closed && call_fa(n, FA_METHOD_FA_DEALLOC, FA_DEALLOC_FIELDS, &m, 500) < 0)
        log_dbg("flow %" PRIu32 ": the fa did not take the dealloc", f->id);
}

int np1_flow_restore(struct np1 *n, struct np1_flow *f, const void *blob, size_t len)
{
    struct np1_binding b;
    int err = np1_blob_decode(blob, len, &b);

    if (err < 0)
        return err; /* allocated but never answered: it ends */
    err = bind_flow(n, f, &b);
    if (err == 0)
        log_dbg("flow %" PRIu32 " restored: eid %" PRIx64 " to %" PRIu64 "/%" PRIx64, f->id,
                b.local_eid, b.peer_addr, b.peer_eid);
    return err;
}

/* ---- the methods the fa and the directory call ---- */

static bool binding_ok(const routing_flow_binding_t *b)
{
    return b->local_eid != 0 && b->local_eid != NP1_TOMB && b->local_eid > MGMT_EID_MAX &&
           b->peer_addr != 0 && b->peer_eid != 0 && b->cube < QOS_CUBE_MAX;
}

static void binding_from(const routing_flow_binding_t *m, struct np1_binding *b)
{
    *b = (struct np1_binding){.local_eid = m->local_eid,
                              .peer_addr = m->peer_addr,
                              .peer_eid = m->peer_eid,
                              .cube = (uint8_t)m->cube};
}

static bool pending_take(struct np1 *n, uint64_t eid)
{
    for (size_t i = 0; i < n->n_pending; i++)
        if (n->pending[i] == eid) {
            n->pending[i] = n->pending[--n->n_pending];
            return true;
        }
    return false;
}

static void req_done(void *ctx, void *arg, struct np1_flow *f, int err)
{
    struct routing *r = ctx;
    struct np1 *n = r->np1;
    struct np1_binding *b = arg;
    fa_req_done_t m = {.local_eid = b->local_eid, .err = err};

    pthread_mutex_lock(&n->lock);
    pending_take(n, b->local_eid);
    pthread_mutex_unlock(&n->lock);
    if (f != NULL) {
        m.err = bind_flow(n, f, b);
        m.flow_id = f->id;
        if (m.err < 0) {
            log_warn("flow %" PRIu32 ": no room to bind it: %d", f->id, m.err);
            ipcp_flow_close(r->dev, f);
        }
    }
    if (call_fa(n, FA_METHOD_FA_REQ_DONE, FA_REQ_DONE_FIELDS, &m, BUS_FA_MS) < 0)
        log_warn("the fa did not take the answer to the request of eid %" PRIx64, b->local_eid);
    free(b);
}

static int on_req_arr(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct np1 *n = arg;
    routing_flow_req_arr_t m = ROUTING_FLOW_REQ_ARR_INIT_ZERO;
    routing_flow_binding_t mb;
    struct np1_binding *b;
    uint8_t blob[NP1_BLOB_LEN];
    qosspec_t qos;
    int err;

    (void)rep;
    if (bus_request_decode(req, ROUTING_FLOW_REQ_ARR_FIELDS, &m) < 0 || m.hash.size == 0)
        return -EINVAL;
    mb = (routing_flow_binding_t){.local_eid = m.local_eid,
                                  .peer_addr = m.peer_addr,
                                  .peer_eid = m.peer_eid,
                                  .cube = m.cube};
    if (!binding_ok(&mb))
        return -EINVAL;
    if (!n->r->booted)
        return -EIPCPSTATE;
    pthread_mutex_lock(&n->lock);
    if (lookup(n, m.local_eid) != NULL) {
        pthread_mutex_unlock(&n->lock);
        return 0; /* a resend: done already */
    }
    for (size_t i = 0; i < n->n_pending; i++)
        if (n->pending[i] == m.local_eid) {
            pthread_mutex_unlock(&n->lock);
            return 0;
        }
    if (n->n_pending == NP1_PENDING) {
        pthread_mutex_unlock(&n->lock);
        return -EBUSY;
    }
    n->pending[n->n_pending++] = m.local_eid;
    pthread_mutex_unlock(&n->lock);
    b = malloc(sizeof(*b));
    if (b == NULL) {
        err = -ENOMEM;
        goto fail;
    }
    binding_from(&mb, b);
    np1_blob_encode(b, blob);
    qos_msg_to_spec(&m.qos, &qos);
    err =
        ipcp_flow_req_arr(n->r->dev, m.hash.bytes, m.hash.size, &qos, NP1_MPL_MS, blob,
                          sizeof(blob), m.timeout_ms ? (int)m.timeout_ms : 10000, req_done, b);
    if (err == 0)
        return 0;
    free(b);
fail:
    pthread_mutex_lock(&n->lock);
    pending_take(n, m.local_eid);
    pthread_mutex_unlock(&n->lock);
    return err;
}

static int on_alloc_reply(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct np1 *n = arg;
    routing_flow_reply_t m = ROUTING_FLOW_REPLY_INIT_ZERO;
    struct np1_flow *f;
    struct np1_binding b;
    uint8_t blob[NP1_BLOB_LEN];
    int err;

    (void)rep;
    if (bus_request_decode(req, ROUTING_FLOW_REPLY_FIELDS, &m) < 0)
        return -EINVAL;
    f = ipcp_flow_get(n->r->dev, m.flow_id);
    if (f == NULL)
        return -ENOTALLOC;
    if (m.response > 0 || m.response < -4095)
        return -EINVAL;
    if (m.response < 0)
        return ipcp_flow_alloc_reply(n->r->dev, f, m.response, NP1_MPL_MS, NULL, 0);
    if (!m.has_binding || !binding_ok(&m.binding))
        return -EINVAL;
    binding_from(&m.binding, &b);
    err = bind_flow(n, f, &b);
    if (err < 0) {
        ipcp_flow_alloc_reply(n->r->dev, f, err, NP1_MPL_MS, NULL, 0);
        return err;
    }
    np1_blob_encode(&b, blob);
    err = ipcp_flow_alloc_reply(n->r->dev, f, 0, NP1_MPL_MS, blob, sizeof(blob));
    if (err < 0)
        unbind_flow(n, f);
    return err;
}

static int on_close(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct np1 *n = arg;
    routing_flow_close_t m = ROUTING_FLOW_CLOSE_INIT_ZERO;
    struct np1_flow *f;

    (void)rep;
    if (bus_request_decode(req, ROUTING_FLOW_CLOSE_FIELDS, &m) < 0)
        return -EINVAL;
    f = ipcp_flow_get(n->r->dev, m.flow_id);
    if (f != NULL) {
        unbind_flow(n, f);
        ipcp_flow_close(n->r->dev, f);
    }
    return 0;
}

static int on_flows(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct np1 *n = arg;
    routing_flows_t *m = calloc(1, sizeof(*m));
    int err;

    (void)req;
    if (m == NULL)
        return -ENOMEM;
    pthread_mutex_lock(&n->lock);
    for (size_t i = 0; i < NP1_SLOTS && m->flows_count < 1024; i++) {
        struct np1_slot *s = &n->slot[i];
        uint64_t e = atomic_load(&s->eid);

        if (e == 0 || e == NP1_TOMB)
            continue;
        m->flows[m->flows_count++] = (routing_flow_binding_t){.flow_id = s->fid,
                                                              .local_eid = e,
                                                              .peer_addr = s->peer_addr,
                                                              .peer_eid = s->peer_eid,
                                                              .cube = s->cube};
    }
    pthread_mutex_unlock(&n->lock);
    err = bus_reply_encode(rep, ROUTING_FLOWS_FIELDS, m);
    free(m);
    return err;
}

static int on_names(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct np1 *n = arg;
    routing_names_t *m = calloc(1, sizeof(*m));
    int err;

    (void)req;
    if (m == NULL)
        return -ENOMEM;
    pthread_mutex_lock(&n->lock);
    for (size_t i = 0; i < n->n_names; i++) {
        m->hashes[i].size = n->name_len[i];
        memcpy(m->hashes[i].bytes, n->names[i], n->name_len[i]);
    }
    m->hashes_count = (pb_size_t)n->n_names;
    pthread_mutex_unlock(&n->lock);
    err = bus_reply_encode(rep, ROUTING_NAMES_FIELDS, m);
    free(m);
    return err;
}

/* Every ECN_TICK_MS: tell the fa of the flows that saw congestion. */
static int on_ecn_tick(zloop_t *loop, int timer, void *arg)
{
    struct np1 *n = arg;

    (void)loop;
    (void)timer;
    if (!atomic_exchange(&n->ecn_any, false))
        return 0;
    for (size_t i = 0; i < NP1_SLOTS; i++) {
        struct np1_slot *s = &n->slot[i];
        uint64_t e = atomic_load_explicit(&s->eid, memory_order_acquire);
        fa_congestion_t m;

        if (e == 0 || e == NP1_TOMB || atomic_load(&s->ecn_marked) == 0)
            continue;
        m = (fa_congestion_t){.flow_id = s->fid,
                              .marked = atomic_exchange(&s->ecn_marked, 0),
                              .ece = atomic_exchange(&s->ecn_max, 0)};
        if (call_fa(n, FA_METHOD_FA_CONGESTION, FA_CONGESTION_FIELDS, &m, 200) < 0)
            break;
    }
    return 0;
}

int np1_serve(struct np1 *n)
{
    struct bus_server *s = service_bus(n->r->svc);
    int err = 0;

    err |= bus_server_add_method(s, ROUTING_METHOD_FLOW_REQ_ARR, BUS_METHOD_IDEMPOTENT,
                                 on_req_arr, n);
    err |= bus_server_add_method(s, ROUTING_METHOD_FLOW_ALLOC_REPLY, BUS_METHOD_DEDUP,
                                 on_alloc_reply, n);
    err |=
        bus_server_add_method(s, ROUTING_METHOD_FLOW_CLOSE, BUS_METHOD_IDEMPOTENT, on_close, n);
    err |= bus_server_add_method(s, ROUTING_METHOD_FLOWS, BUS_METHOD_IDEMPOTENT, on_flows, n);
    err |= bus_server_add_method(s, ROUTING_METHOD_NAMES, BUS_METHOD_IDEMPOTENT, on_names, n);
    n->ecn_timer = zloop_timer(service_loop(n->r->svc), ECN_TICK_MS, 0, on_ecn_tick, n);
    return err < 0 ? -EINVAL : 0;
}

/* ---- life ---- */

struct np1 *np1_new(struct routing *r)
{
    const struct run_folder *rf = service_run_folder(r->svc);
    struct np1 *n = calloc(1, sizeof(*n));
    char file[300];

    if (n == NULL)
        return NULL;
    n->r = r;
    n->ecn_timer = -1;
    n->slot = calloc(NP1_SLOTS, sizeof(*n->slot));
    if (n->slot == NULL) {
        free(n);
        return NULL;
    }
    pthread_mutex_init(&n->lock, NULL);
    snprintf(file, sizeof(file), "fa.%s.ctl", r->name);
    run_folder_endpoint(rf, file, n->fa_ep, sizeof(n->fa_ep));
    snprintf(file, sizeof(file), "directory.%s.ctl", r->name);
    run_folder_endpoint(rf, file, n->dir_ep, sizeof(n->dir_ep));
    return n;
}

int np1_start(struct np1 *n)
{
    struct routing *r = n->r;
    int err;

    if (n->tx_started)
        return 0;
    n->fmt = r->fmt;
    n->self = r->addr;
    n->ttl = r->conf.unicast.dt.max_ttl;
    err = pthread_create(&n->tx, NULL, tx_main, n);
    if (err != 0)
        return -err;
    n->tx_started = true;
    return 0;
}

void np1_stop(struct np1 *n)
{
    if (n == NULL)
        return;
    if (n->ecn_timer >= 0)
        zloop_timer_end(service_loop(n->r->svc), n->ecn_timer);
    n->ecn_timer = -1;
    if (!n->tx_started)
        return;
    atomic_store(&n->stop, true);
    evq_post(ipcp_dev_evq(n->r->dev), TX_STOP_FID, EVQ_FLOW_PKT);
    pthread_join(n->tx, NULL);
    n->tx_started = false;
}

void np1_destroy(struct np1 **p)
{
    struct np1 *n = *p;

    if (n == NULL)
        return;
    np1_stop(n);
    bus_client_destroy(&n->fa);
    bus_client_destroy(&n->dir);
    while (n->n_qc > 0)
        bus_client_destroy(&n->qc[--n->n_qc]);
    pthread_mutex_destroy(&n->lock);
    free(n->slot);
    free(n);
    *p = NULL;
}
