/*
 * np1.c - an IPCP's N+1 flows: a table readable without a lock from any
 * thread (two levels of atomic pointers, memory retired after a grace
 * period), the rings to each application, the zero-copy data path, and
 * the ways a flow ends - always on the main loop, after the data path has
 * left it, with the IRM daemon told so it closes the IPCP's end.
 */
#include "ipcp_dev_priv.h"

#include "deadline.h"
#include "log.h"
#include "proc_self.h"
#include "qos_msg.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <pb_decode.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* ---- the table ---- */

struct np1 *np1_get(struct ipcp_dev *d, uint32_t id)
{
    struct np1_leaf *leaf;

    if (id == 0 || id > FLOW_ID_MAX)
        return NULL;
    leaf = atomic_load_explicit(&d->leaves[id >> NP1_LEAF_BITS], memory_order_acquire);
    if (leaf == NULL)
        return NULL;
    return atomic_load_explicit(&leaf->slot[id & (NP1_LEAF_SIZE - 1)], memory_order_acquire);
}

struct np1_flow *ipcp_flow_get(struct ipcp_dev *d, uint32_t id)
{
    struct np1 *f = np1_get(d, id);

    return f != NULL ? &f->pub : NULL;
}

static void retire(struct ipcp_dev *d, void *ptr);

static int table_put(struct ipcp_dev *d, struct np1 *f)
{
    uint32_t id = f->pub.id;
    struct np1_leaf *leaf = atomic_load(&d->leaves[id >> NP1_LEAF_BITS]);

    if (leaf == NULL) {
        leaf = calloc(1, sizeof(*leaf));
        if (leaf == NULL)
            return -ENOMEM;
        atomic_store_explicit(&d->leaves[id >> NP1_LEAF_BITS], leaf, memory_order_release);
    }
    if (atomic_load(&leaf->slot[id & (NP1_LEAF_SIZE - 1)]) != NULL)
        return -EEXIST;
    atomic_store_explicit(&leaf->slot[id & (NP1_LEAF_SIZE - 1)], f, memory_order_release);
    leaf->used++;
    d->nflows++;
    return 0;
}

static void table_del(struct ipcp_dev *d, uint32_t id)
{
    struct np1_leaf *leaf = atomic_load(&d->leaves[id >> NP1_LEAF_BITS]);

    if (leaf == NULL || atomic_load(&leaf->slot[id & (NP1_LEAF_SIZE - 1)]) == NULL)
        return;
    atomic_store_explicit(&leaf->slot[id & (NP1_LEAF_SIZE - 1)], NULL, memory_order_release);
    d->nflows--;
    if (--leaf->used == 0) {
        /* Flow ids go round all 2^22: empty leaves go too. */
        atomic_store_explicit(&d->leaves[id >> NP1_LEAF_BITS], NULL, memory_order_release);
        retire(d, leaf);
    }
}

int ipcp_dev_flow_ids(struct ipcp_dev *d, uint32_t *ids, int max)
{
    int n = 0;

    for (uint32_t l = 0; l < NP1_LEAVES && n < max; l++) {
        struct np1_leaf *leaf = atomic_load_explicit(&d->leaves[l], memory_order_acquire);
        for (uint32_t s = 0; leaf != NULL && s < NP1_LEAF_SIZE && n < max; s++) {
            struct np1 *f = atomic_load_explicit(&leaf->slot[s], memory_order_acquire);
            if (f != NULL && atomic_load(&f->state) != NP1_DEAD)
                ids[n++] = f->pub.id;
        }
    }
    return n;
}

/* ---- memory a lock-free reader may still look at ---- */

static int on_retire_tick(zloop_t *loop, int timer, void *arg)
{
    struct ipcp_dev *d = arg;
    uint64_t now = now_ns();
    struct np1_retired **pp = &d->retired;

    while (*pp != NULL) {
        struct np1_retired *r = *pp;
        if (now - r->at >= (uint64_t)NP1_GRACE_MS * 1000000ull) {
            *pp = r->next;
            free(r->ptr);
            free(r);
        } else {
            pp = &r->next;
        }
    }
    if (d->retired == NULL) {
        zloop_timer_end(loop, timer);
        d->retire_timer = -1;
    }
    return 0;
}

static void retire(struct ipcp_dev *d, void *ptr)
{
    struct np1_retired *r = malloc(sizeof(*r));

    if (r == NULL) {
        /* Leaking beats a use after free. */
        log_warn("out of memory: %p is never freed", ptr);
        return;
    }
    r->ptr = ptr;
    r->at = now_ns();
    r->next = d->retired;
    d->retired = r;
    if (d->retire_timer < 0)
        d->retire_timer = zloop_timer(d->loop, NP1_GRACE_MS / 2, 0, on_retire_tick, d);
}

/* ---- applications' event queues ---- */

static struct np1_peer *peer_get(struct ipcp_dev *d, pid_t pid, const char *evq)
{
    struct np1_peer *p = NULL;
    int slot = -1;

    if (evq[0] == '\0')
        return NULL;
    pthread_mutex_lock(&d->lock);
    for (int i = 0; i < NP1_PEERS; i++) {
        if (d->peers[i] != NULL && d->peers[i]->pid == pid) {
            p = d->peers[i];
            p->refs++;
            goto out;
        }
        if (d->peers[i] == NULL && slot < 0)
            slot = i;
    }
    if (slot < 0 || (p = calloc(1, sizeof(*p))) == NULL)
        goto out;
    if (evq_set_attach(&p->set, evq) < 0) {
        log_warn("cannot map the event queues %s of process %d", evq, (int)pid);
        free(p);
        p = NULL;
        goto out;
    }
    p->pid = pid;
    p->refs = 1;
    d->peers[slot] = p;
out:
    pthread_mutex_unlock(&d->lock);
    return p;
}

static void peer_put(struct ipcp_dev *d, struct np1_peer *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&d->lock);
    if (--p->refs == 0) {
        for (int i = 0; i < NP1_PEERS; i++)
            if (d->peers[i] == p)
                d->peers[i] = NULL;
        /* Data threads may still post to it: unmapped after the grace. */
        evq_set_detach(&p->set);
        retire(d, p);
    }
    pthread_mutex_unlock(&d->lock);
}

/* ---- opening and ending ---- */

struct np1 *np1_open(struct ipcp_dev *d, const irm_flow_info_t *info, const uint8_t *hash,
                     size_t hash_len, enum np1_state state, int *err)
{
    struct np1 *f = calloc(1, sizeof(*f));

    *err = -ENOMEM;
    if (f == NULL)
        return NULL;
    f->dev = d;
    f->pub.id = info->flow_id;
    f->pub.peer = info->peer_pid;
    qos_msg_to_spec(&info->qos, &f->pub.qos);
    f->pub.mpl_ms = info->mpl_ms;
    if (hash_len > sizeof(f->pub.hash))
        hash_len = sizeof(f->pub.hash);
    memcpy(f->pub.hash, hash, hash_len);
    f->pub.hash_len = hash_len;
    *err = ring_shm_attach(&f->rx, info->rx_ring);
    if (*err < 0)
        goto fail;
    *err = ring_shm_attach(&f->tx, info->tx_ring);
    if (*err < 0)
        goto fail;
    f->pub.rx = f->rx.ring;
    f->pub.tx = f->tx.ring;
    ring_set_consumer(f->rx.ring, d->pid);
    ring_set_producer(f->tx.ring, d->pid);
    ring_set_notify(f->rx.ring, NP1_QUEUE);
    f->peer = peer_get(d, info->peer_pid, info->peer_evq);
    atomic_store(&f->state, (int)state);
    *err = table_put(d, f);
    if (*err < 0)
        goto fail;
    return f;
fail:
    log_err("flow %u: cannot open it: %s", info->flow_id, strerror(-*err));
    peer_put(d, f->peer);
    ring_shm_detach(&f->rx);
    ring_shm_detach(&f->tx);
    free(f);
    return NULL;
}

static void closing_remove(struct ipcp_dev *d, struct np1 *f)
{
    for (struct np1 **pp = &d->closing; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            f->next = NULL;
            return;
        }
    }
}

static void release(struct ipcp_dev *d, struct np1 *f)
{
    table_del(d, f->pub.id);
    ring_shm_detach(&f->rx);
    ring_shm_detach(&f->tx);
    f->pub.rx = f->pub.tx = NULL;
    peer_put(d, f->peer);
    f->peer = NULL;
    retire(d, f);
}

void np1_end(struct ipcp_dev *d, struct np1 *f, bool tell_irm)
{
    uint32_t id = f->pub.id;

    if (atomic_exchange(&f->state, NP1_DEAD) == NP1_DEAD)
        return;
    closing_remove(d, f);
    /* The data path sees DEAD from now on; wait for calls in progress. */
    while (atomic_load(&f->rx_busy) != 0 || atomic_load(&f->tx_busy) != 0)
        sched_yield();
    if (d->ops->flow_dealloc != NULL)
        d->ops->flow_dealloc(d->ctx, &f->pub);
    /* The application's writes fail; it reads what we delivered, then
     * -EFLOWPEER. */
    ring_set_state(f->rx.ring, RING_CONS_GONE);
    ring_set_state(f->tx.ring, RING_PROD_GONE);
    release(d, f);
    log_dbg("flow %u ended", id);
    if (tell_irm) {
        irm_flow_dealloc_t m = {.pid = d->pid, .flow_id = id};
        np1_irm_call(d, IRM_METHOD_IPCP_FLOW_CLOSE, IRM_FLOW_DEALLOC_FIELDS, &m,
                     IRMD_CALL_TIMEOUT, NULL, NULL);
    }
}

void np1_release_all(struct ipcp_dev *d)
{
    for (uint32_t l = 0; l < NP1_LEAVES; l++) {
        struct np1_leaf *leaf = atomic_load(&d->leaves[l]);
        for (uint32_t s = 0; leaf != NULL && s < NP1_LEAF_SIZE; s++) {
            struct np1 *f = atomic_load(&leaf->slot[s]);
            if (f == NULL)
                continue;
            atomic_store(&f->state, NP1_DEAD);
            while (atomic_load(&f->rx_busy) != 0 || atomic_load(&f->tx_busy) != 0)
                sched_yield();
            release(d, f);
            leaf = atomic_load(&d->leaves[l]); /* the last flow retires it */
        }
    }
    d->closing = NULL;
    while (d->retired != NULL) {
        struct np1_retired *r = d->retired;
        d->retired = r->next;
        free(r->ptr);
        free(r);
    }
    for (int i = 0; i < NP1_PEERS; i++) {
        if (d->peers[i] != NULL) {
            evq_set_detach(&d->peers[i]->set);
            free(d->peers[i]);
            d->peers[i] = NULL;
        }
    }
}

static int on_close_tick(zloop_t *loop, int timer, void *arg)
{
    struct ipcp_dev *d = arg;
    uint64_t now = now_ns();
    struct np1 *f = d->closing;

    while (f != NULL) {
        struct np1 *next = f->next;
        if (ring_count(f->rx.ring) == 0 || now >= f->close_by) {
            if (ring_count(f->rx.ring) != 0)
                log_warn("flow %u: %u packets not sent when it ended", f->pub.id,
                         ring_count(f->rx.ring));
            np1_end(d, f, true);
        }
        f = next;
    }
    if (d->closing == NULL) {
        zloop_timer_end(loop, timer);
        d->close_timer = -1;
    }
    return 0;
}

void np1_closing(struct ipcp_dev *d, struct np1 *f)
{
    int expect = NP1_OPEN;

    if (!atomic_compare_exchange_strong(&f->state, &expect, NP1_CLOSING))
        return;
    if (ring_count(f->rx.ring) == 0) {
        np1_end(d, f, true);
        return;
    }
    np1_kick(d, f);
    f->close_by = now_ns() + (uint64_t)NP1_LINGER_MS * 1000000ull;
    f->next = d->closing;
    d->closing = f;
    if (d->close_timer < 0)
        d->close_timer = zloop_timer(d->loop, NP1_CLOSE_TICK, 0, on_close_tick, d);
}

void np1_kick(struct ipcp_dev *d, struct np1 *f)
{
    struct evq *q = evq_set_queue(&d->evq, NP1_QUEUE);

    if (q != NULL && ring_has_data(f->rx.ring))
        evq_post(q, f->pub.id, EVQ_FLOW_PKT);
}

/* ---- the data path ---- */

int np1_flow_read(struct ipcp_dev *d, struct np1_flow *pf, uint64_t *off)
{
    struct np1 *f = (struct np1 *)pf;
    int st, err;

    atomic_fetch_add(&f->rx_busy, 1);
    st = atomic_load(&f->state);
    if (__builtin_expect(st == NP1_DEAD, 0)) {
        err = -ENOTALLOC;
        goto out;
    }
    for (;;) {
        err = ring_pop(f->rx.ring, off);
        if (err < 0)
            break;
        if (__builtin_expect(pool_blk_valid(d->pool, *off), 1)) {
            pool_blk_take(d->pool, *off);
            break;
        }
        /* not a block of the pool: a broken writer; dropped */
    }
out:
    atomic_fetch_sub_explicit(&f->rx_busy, 1, memory_order_release);
    if (__builtin_expect(err == -EFLOWPEER, 0) && !atomic_exchange(&f->fin_posted, true))
        np1_mail(d, MAIL_FIN, pf->id, 0, 0);
    return err;
}

int np1_flow_write(struct ipcp_dev *d, struct np1_flow *pf, uint64_t off)
{
    struct np1 *f = (struct np1 *)pf;
    struct evq *q;
    uint32_t n;
    int err;

    atomic_fetch_add(&f->tx_busy, 1);
    if (__builtin_expect(atomic_load(&f->state) == NP1_DEAD, 0)) {
        err = -ENOTALLOC;
        goto out;
    }
    pool_blk_give(d->pool, off, f->tx.ring->tag);
    err = ring_push(f->tx.ring, off);
    if (__builtin_expect(err < 0, 0)) {
        pool_blk_take(d->pool, off); /* still the caller's */
        goto out;
    }
    n = ring_notify(f->tx.ring);
    if (n != 0 && f->peer != NULL && (q = evq_set_queue(&f->peer->set, n)) != NULL)
        evq_post(q, pf->id, EVQ_FLOW_PKT);
out:
    atomic_fetch_sub_explicit(&f->tx_busy, 1, memory_order_release);
    return err;
}

void np1_flow_set_down(struct ipcp_dev *d, struct np1_flow *pf, bool down)
{
    struct np1 *f = (struct np1 *)pf;
    struct evq *q;
    uint32_t n;

    (void)d;
    atomic_fetch_add(&f->tx_busy, 1);
    if (atomic_load(&f->state) != NP1_DEAD) {
        if (down) {
            ring_set_state(f->rx.ring, RING_DOWN);
            ring_set_state(f->tx.ring, RING_DOWN);
        } else {
            ring_clear_state(f->rx.ring, RING_DOWN);
            ring_clear_state(f->tx.ring, RING_DOWN);
        }
        n = ring_notify(f->tx.ring);
        if (n != 0 && f->peer != NULL && (q = evq_set_queue(&f->peer->set, n)) != NULL)
            evq_post(q, pf->id, down ? EVQ_FLOW_DOWN : EVQ_FLOW_UP);
    }
    atomic_fetch_sub(&f->tx_busy, 1);
}

/* ---- work for the loop ---- */

static int mail_post(struct ipcp_dev *d, enum mail_kind kind, uint32_t flow_id, uint64_t ticket,
                     int status, void *job)
{
    struct mail *m = calloc(1, sizeof(*m));
    uint64_t one = 1;

    if (m == NULL)
        return -ENOMEM;
    m->kind = kind;
    m->flow_id = flow_id;
    m->ticket = ticket;
    m->status = status;
    m->job = job;
    pthread_mutex_lock(&d->lock);
    m->next = d->mail;
    d->mail = m;
    pthread_mutex_unlock(&d->lock);
    if (write(d->mail_fd, &one, sizeof(one)) < 0)
        log_warn("cannot wake the main loop: %s", strerror(errno));
    return 0;
}

int np1_mail(struct ipcp_dev *d, enum mail_kind kind, uint32_t flow_id, uint64_t ticket,
             int status)
{
    return mail_post(d, kind, flow_id, ticket, status, NULL);
}

int np1_mail_job(struct ipcp_dev *d, void *job)
{
    return mail_post(d, MAIL_JOB, 0, 0, 0, job);
}

static void noop_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    (void)arg;
    (void)rep;
    (void)len;
    if (status < 0)
        log_dbg("a call to the IRM daemon ended with %d", status);
}

int np1_irm_call(struct ipcp_dev *d, uint32_t method, const pb_msgdesc_t *fields,
                 const void *msg, int timeout_ms, call_done_fn done, void *arg)
{
    return call_pool_submit_pb(d->calls, d->irmd_ep, method, fields, msg, timeout_ms,
                               done != NULL ? done : noop_done, arg);
}

/* ---- what the IPCP says of its flows ---- */

int ipcp_flow_set_blob(struct ipcp_dev *d, struct np1_flow *f, const void *blob, size_t len)
{
    irm_flow_blob_t m = IRM_FLOW_BLOB_INIT_ZERO;

    if (len > sizeof(m.blob.bytes) || (len > 0 && blob == NULL))
        return -EINVAL;
    m.pid = d->pid;
    m.flow_id = f->id;
    if (len > 0) /* blob may be NULL then: memcpy's arguments must not */
        memcpy(m.blob.bytes, blob, len);
    m.blob.size = (pb_size_t)len;
    return np1_irm_call(d, IRM_METHOD_IPCP_FLOW_BLOB, IRM_FLOW_BLOB_FIELDS, &m,
                        IRMD_CALL_TIMEOUT, NULL, NULL);
}

void ipcp_flow_close(struct ipcp_dev *d, struct np1_flow *pf)
{
    struct np1 *f = (struct np1 *)pf;

    /* Guarded as the data path is: the loop may be ending f right now,
     * and unmaps its rings only once no such call runs. */
    atomic_fetch_add(&f->tx_busy, 1);
    if (atomic_load(&f->state) != NP1_DEAD) {
        pf->peer_closed = true;
        /* The application learns at once; the loop ends the flow. */
        ring_set_state(f->rx.ring, RING_CONS_GONE);
        ring_set_state(f->tx.ring, RING_PROD_GONE);
        np1_mail(d, MAIL_CLOSE, pf->id, 0, 0);
    }
    atomic_fetch_sub(&f->tx_busy, 1);
}

struct reply_ctx {
    struct ipcp_dev *d;
    uint32_t flow_id;
    int response;
};

static void on_reply_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct reply_ctx *c = arg;
    struct np1 *f = np1_get(c->d, c->flow_id);

    (void)rep;
    (void)len;
    if (f != NULL && (c->response < 0 || status < 0)) {
        if (c->response == 0)
            log_info("flow %u: the IRM daemon gave up on it (%d): it ends", c->flow_id, status);
        np1_end(c->d, f, true);
    }
    free(c);
}

int ipcp_flow_alloc_reply(struct ipcp_dev *d, struct np1_flow *pf, int response,
                          uint32_t mpl_ms, const void *blob, size_t blob_len)
{
    struct np1 *f = (struct np1 *)pf;
    irm_flow_alloc_reply_t m = IRM_FLOW_ALLOC_REPLY_INIT_ZERO;
    struct reply_ctx *c;
    int expect = NP1_PENDING;
    int err;

    if (response > 0 || blob_len > sizeof(m.blob.bytes) || (blob_len > 0 && blob == NULL))
        return -EINVAL;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return -ENOMEM;
    if (response == 0) {
        pf->mpl_ms = mpl_ms;
        if (!atomic_compare_exchange_strong(&f->state, &expect, NP1_OPEN)) {
            free(c);
            return -ENOTALLOC;
        }
    } else {
        if (atomic_load(&f->state) != NP1_PENDING) {
            free(c);
            return -ENOTALLOC;
        }
        pf->peer_closed = true;
    }
    c->d = d;
    c->flow_id = pf->id;
    c->response = response;
    m.pid = d->pid;
    m.flow_id = pf->id;
    m.response = response;
    m.mpl_ms = mpl_ms;
    if (blob_len > 0)
        memcpy(m.blob.bytes, blob, blob_len);
    m.blob.size = (pb_size_t)blob_len;
    err = np1_irm_call(d, IRM_METHOD_IPCP_FLOW_ALLOC_REPLY, IRM_FLOW_ALLOC_REPLY_FIELDS, &m,
                       IRMD_CALL_TIMEOUT, on_reply_done, c);
    if (err < 0) {
        free(c);
        np1_mail(d, MAIL_CLOSE, pf->id, 0, 0);
    }
    return err;
}

/* ---- flows the layer's peers ask for ---- */

struct req_ctx {
    struct ipcp_dev *d;
    void (*done)(void *ctx, void *arg, struct np1_flow *f, int err);
    void *arg;
    uint8_t hash[IPCP_HASH_MAX];
    size_t hash_len;
};

static void on_req_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct req_ctx *c = arg;
    struct ipcp_dev *d = c->d;
    irm_flow_info_t info = IRM_FLOW_INFO_INIT_ZERO;
    struct np1 *f = NULL;
    int err = status;

    if (status >= 0) {
        pb_istream_t is = pb_istream_from_buffer(rep, len);
        err = pb_decode(&is, IRM_FLOW_INFO_FIELDS, &info) ? 0 : -EPROTO;
        if (err == 0)
            f = np1_open(d, &info, c->hash, c->hash_len, NP1_OPEN, &err);
        if (f == NULL && info.flow_id != 0) {
            /* The IRM made it, we cannot hold it: it closes our end. */
            irm_flow_dealloc_t m = {.pid = d->pid, .flow_id = info.flow_id};
            np1_irm_call(d, IRM_METHOD_IPCP_FLOW_CLOSE, IRM_FLOW_DEALLOC_FIELDS, &m,
                         IRMD_CALL_TIMEOUT, NULL, NULL);
        }
    }
    if (f != NULL) {
        /* The application may have written before we knew the flow. */
        np1_kick(d, f);
        c->done(d->ctx, c->arg, &f->pub, 0);
    } else {
        c->done(d->ctx, c->arg, NULL, err < 0 ? err : -EIPCP);
    }
    free(c);
}

int ipcp_flow_req_arr(struct ipcp_dev *d, const uint8_t *hash, size_t len, const qosspec_t *qos,
                      uint32_t mpl_ms, const void *blob, size_t blob_len, int timeout_ms,
                      void (*done)(void *ctx, void *arg, struct np1_flow *f, int err),
                      void *arg)
{
    irm_flow_req_arr_t m = IRM_FLOW_REQ_ARR_INIT_ZERO;
    struct req_ctx *c;
    int err;

    if (hash == NULL || len == 0 || len > IPCP_HASH_MAX || qos == NULL || done == NULL ||
        blob_len > sizeof(m.blob.bytes) || (blob_len > 0 && blob == NULL) || timeout_ms <= 0)
        return -EINVAL;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return -ENOMEM;
    c->d = d;
    c->done = done;
    c->arg = arg;
    memcpy(c->hash, hash, len);
    c->hash_len = len;
    m.pid = d->pid;
    memcpy(m.hash.bytes, hash, len);
    m.hash.size = (pb_size_t)len;
    m.has_qos = true;
    qos_msg_from_spec(qos, &m.qos);
    m.mpl_ms = mpl_ms;
    if (blob_len > 0)
        memcpy(m.blob.bytes, blob, blob_len);
    m.blob.size = (pb_size_t)blob_len;
    m.timeout_ms = (uint32_t)timeout_ms;
    /* The IRM answers when an application accepted, or at the timeout. */
    err = np1_irm_call(d, IRM_METHOD_IPCP_FLOW_REQ_ARR, IRM_FLOW_REQ_ARR_FIELDS, &m,
                       timeout_ms + IRMD_CALL_TIMEOUT, on_req_done, c);
    if (err < 0)
        free(c);
    return err;
}
