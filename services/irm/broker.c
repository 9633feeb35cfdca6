/*
 * broker.c - the flow broker: pairs each flow_alloc with a flow_accept of a
 * process bound to the name (by the name's load-balancing policy), wires
 * the two processes to each other through two rings, and tears the flow
 * down when both ends are closed.
 */
#include "irmd.h"

#include "bus_server.h"
#include "deadline.h"
#include "ipcp_dev.h"
#include "log.h"
#include "shm_object.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <pb_encode.h>
#include <signal.h>
#include <string.h>

static void reply_deferred(struct irmd *d, uint64_t ticket, int status,
                           const irm_flow_info_t *info)
{
    uint8_t buf[IRM_FLOW_INFO_SIZE];
    size_t len = 0;

    if (status == 0 && info != NULL) {
        pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
        if (!pb_encode(&os, IRM_FLOW_INFO_FIELDS, info)) {
            log_err("cannot encode a flow reply: %s", PB_GET_ERROR(&os));
            status = -ENOMEM;
        }
        len = os.bytes_written;
    }
    if (bus_server_reply_deferred(service_bus(d->svc), ticket, status, buf, len) < 0)
        log_warn("a deferred reply (ticket %llu) found no request", (unsigned long long)ticket);
}

void broker_flow_info(struct irmd *d, const struct reg_flow *f, int e, irm_flow_info_t *info)
{
    const struct reg_proc *peer = reg_proc_get(&d->reg, f->end[1 - e].pid);

    memset(info, 0, sizeof(*info));
    info->flow_id = f->id;
    info->peer_pid = f->end[1 - e].pid;
    /* End e writes ring e and reads the ring the other end writes. */
    snprintf(info->tx_ring, sizeof(info->tx_ring), "%s", f->ring_name[e]);
    snprintf(info->rx_ring, sizeof(info->rx_ring), "%s", f->ring_name[1 - e]);
    if (peer != NULL)
        snprintf(info->peer_evq, sizeof(info->peer_evq), "%s",
                 procs_evq_name(peer, f->end[1 - e].ipcp));
    info->has_qos = true;
    info->qos = f->qos;
    info->mpl_ms = f->mpl_ms;
    snprintf(info->name, sizeof(info->name), "%s", f->name);
    info->max_sdu = f->max_sdu;
}

static void rings_unmake(struct irmd *d, struct reg_flow *f)
{
    for (int dir = 0; dir < 2; dir++) {
        ring_shm_detach(&f->ring[dir]);
        if (f->ring_name[dir][0] != '\0')
            shm_object_unlink(f->ring_name[dir]);
    }
}

static int rings_make(struct irmd *d, struct reg_flow *f)
{
    int err;

    for (int dir = 0; dir < 2; dir++) {
        err = ring_shm_name(d->rf, f->id, dir, f->ring_name[dir], sizeof(f->ring_name[dir]));
        if (err < 0)
            goto fail;
        shm_object_unlink(f->ring_name[dir]); /* a leftover of a crashed node */
        err = ring_shm_create(&f->ring[dir], f->ring_name[dir], d->ring_slots,
                              ring_shm_tag(f->id, dir), d->shm_mode);
        if (err < 0)
            goto fail;
        ring_set_producer(f->ring[dir].ring, f->end[dir].pid);
        ring_set_consumer(f->ring[dir].ring, f->end[1 - dir].pid);
        /* An IPCP reads its flows through one event queue: set before
         * the application can write. */
        if (f->end[1 - dir].ipcp)
            ring_set_notify(f->ring[dir].ring, NP1_QUEUE);
    }
    return 0;
fail:
    log_err("cannot make the rings of flow %u: %s", f->id, strerror(-err));
    rings_unmake(d, f);
    return err;
}

int broker_restore_flow(struct irmd *d, struct reg_flow *f)
{
    int err = 0;

    for (int dir = 0; dir < 2 && err == 0; dir++) {
        ring_shm_name(d->rf, f->id, dir, f->ring_name[dir], sizeof(f->ring_name[dir]));
        err = ring_shm_attach(&f->ring[dir], f->ring_name[dir]);
    }
    if (err < 0) {
        for (int dir = 0; dir < 2; dir++)
            ring_shm_detach(&f->ring[dir]);
        return err;
    }
    return 0;
}

static void sweep_start(struct irmd *d);

/* The largest packet through IPCP pid's layer, 0 if not an IPCP. */
static uint32_t ipcp_max_sdu(struct irmd *d, pid_t pid)
{
    const struct reg_ipcp *i = reg_ipcp_get(&d->reg, pid);

    return i != NULL ? i->max_sdu : 0;
}

/* A flow for request q (end 0) to accepting process pid1 (end 1). */
static struct reg_flow *flow_create(struct irmd *d, const struct alloc_req *q, pid_t pid1)
{
    struct reg_flow *f = reg_flow_new(&d->reg, q->name, q->pid, pid1);

    if (f == NULL)
        return NULL;
    f->qos = *q->qos;
    f->mpl_ms = IRMD_LOCAL_MPL_MS;
    if (q->by_ipcp) {
        f->end[0].ipcp = true;
        f->mpl_ms += q->mpl_ms;
        f->max_sdu = ipcp_max_sdu(d, q->pid);
        f->blob_len = q->blob_len < sizeof(f->blob) ? q->blob_len : sizeof(f->blob);
        if (f->blob_len > 0)
            memcpy(f->blob, q->blob, f->blob_len);
        f->hash_len = q->hash_len < sizeof(f->hash) ? q->hash_len : sizeof(f->hash);
        if (f->hash_len > 0)
            memcpy(f->hash, q->hash, f->hash_len);
    }
    if (rings_make(d, f) < 0) {
        reg_flow_del(&d->reg, f->id);
        return NULL;
    }
    persist_flow(d, f, true);
    if (q->by_ipcp)
        log_info("flow %u allocated: a peer through IPCP %d -> %s (process %d)", f->id,
                 (int)q->pid, q->name, (int)pid1);
    else
        log_info("flow %u allocated: %d -> %s (process %d)", f->id, (int)q->pid, q->name,
                 (int)pid1);
    return f;
}

/* The request a waiting allocation stands for. */
static void req_of(const struct reg_alloc *w, struct alloc_req *q)
{
    *q = (struct alloc_req){.pid = w->pid,
                            .name = w->name,
                            .qos = &w->qos,
                            .deadline = w->deadline,
                            .by_ipcp = w->by_ipcp,
                            .mpl_ms = w->mpl_ms,
                            .blob = w->blob,
                            .blob_len = w->blob_len,
                            .hash = w->hash,
                            .hash_len = w->hash_len};
}

struct reg_flow *broker_flow_pending(struct irmd *d, pid_t pid, struct reg_ipcp *i,
                                     const char *name, const irm_qos_t *qos,
                                     const uint8_t *hash, size_t hash_len, uint64_t deadline,
                                     uint64_t ticket)
{
    struct reg_flow *f = reg_flow_new(&d->reg, name, pid, i->pid);

    if (f == NULL)
        return NULL;
    f->qos = *qos;
    f->mpl_ms = IRMD_LOCAL_MPL_MS;
    f->state = FLOW_PENDING;
    f->end[1].ipcp = true;
    f->max_sdu = i->max_sdu;
    f->hash_len = hash_len < sizeof(f->hash) ? hash_len : sizeof(f->hash);
    if (f->hash_len > 0)
        memcpy(f->hash, hash, f->hash_len);
    f->ticket = ticket;
    f->deadline = deadline;
    if (rings_make(d, f) < 0) {
        reg_flow_del(&d->reg, f->id);
        return NULL;
    }
    d->pending_flows++;
    sweep_start(d);
    log_dbg("flow %u: %d -> %s through IPCP %s, waiting for the peer", f->id, (int)pid, name,
            i->name);
    return f;
}

/* Is an instance of auto-start program b on its way to its first accept? */
static bool starting(struct irmd *d, struct reg_prog_bind *b)
{
    (void)d;
    if (b->starting == 0)
        return false;
    if (kill(b->starting, 0) < 0 ||
        now_ns() - b->starting_at > (uint64_t)IRMD_AUTOSTART_GRACE * 1000000ull) {
        b->starting = 0; /* it died, or never came: start another */
        return false;
    }
    return true;
}

/* Process pid accepts: an instance started for a flow has arrived. */
static void started(struct irmd *d, pid_t pid)
{
    struct reg_prog_bind *b;

    for (b = zlistx_first(d->reg.prog_binds); b != NULL; b = zlistx_next(d->reg.prog_binds))
        if (b->starting == pid)
            b->starting = 0;
}

int broker_alloc(struct irmd *d, const struct alloc_req *q, struct bus_reply *rep,
                 irm_flow_info_t *info)
{
    struct reg_accept *a;
    struct reg_prog_bind *prog;
    struct reg_alloc *w;
    struct reg_flow *f;
    uint64_t ticket;

    if (reg_proc_get(&d->reg, q->pid) == NULL)
        return -ESRCH; /* not announced: the library announces and retries */
    if (reg_name_get(&d->reg, q->name) == NULL || !reg_name_bound(&d->reg, q->name)) {
        /* Not served here: a layer may reach it. */
        if (!q->by_ipcp)
            return ipcps_alloc(d, q->pid, q->name, q->qos, q->deadline, rep);
        log_dbg("a flow request through IPCP %d: nothing is bound to '%s'", (int)q->pid,
                q->name);
        return -ENAME;
    }
    a = reg_accept_pick(&d->reg, q->name);
    if (a != NULL) {
        irm_flow_info_t peer;
        f = flow_create(d, q, a->pid);
        if (f == NULL)
            return -ENOMEM;
        broker_flow_info(d, f, 1, &peer);
        reply_deferred(d, a->ticket, 0, &peer);
        reg_accept_remove(&d->reg, a);
        broker_flow_info(d, f, 0, info);
        return 0;
    }
    ticket = bus_reply_defer(rep);
    if (ticket == 0)
        return -ENOMEM;
    w = reg_alloc_add(&d->reg, q->pid, ticket, q->name, q->qos, q->deadline);
    if (w == NULL) {
        bus_server_drop_deferred(service_bus(d->svc), ticket);
        return -ENOMEM;
    }
    w->by_ipcp = q->by_ipcp;
    w->mpl_ms = q->mpl_ms;
    w->blob_len = q->blob_len < sizeof(w->blob) ? q->blob_len : sizeof(w->blob);
    if (w->blob_len > 0)
        memcpy(w->blob, q->blob, w->blob_len);
    w->hash_len = q->hash_len < sizeof(w->hash) ? q->hash_len : sizeof(w->hash);
    if (w->hash_len > 0)
        memcpy(w->hash, q->hash, w->hash_len);
    /* No process accepts for the name: start its auto-start program,
     * unless an instance started for it has not reached its accept yet. */
    prog = reg_name_auto_prog(&d->reg, q->name);
    if (prog != NULL && !starting(d, prog)) {
        pid_t child = procs_spawn(d, prog);
        if (child > 0) {
            prog->starting = child;
            prog->starting_at = now_ns();
            w->started = true;
        }
    }
    sweep_start(d);
    return BUS_REPLY_DEFERRED;
}

/* The oldest waiting allocation process p may take, if any. */
static struct reg_alloc *alloc_for(struct irmd *d, const struct reg_proc *p)
{
    struct reg_alloc *w;

    for (w = zlistx_first(d->reg.allocs); w != NULL; w = zlistx_next(d->reg.allocs))
        if (reg_serves(&d->reg, p, w->name))
            return w;
    return NULL;
}

int broker_accept(struct irmd *d, pid_t pid, uint64_t deadline, struct bus_reply *rep,
                  irm_flow_info_t *info)
{
    struct reg_proc *p = reg_proc_get(&d->reg, pid);
    struct reg_alloc *w;
    struct reg_flow *f;
    uint64_t ticket;

    if (p == NULL)
        return -ESRCH;
    started(d, pid);
    w = alloc_for(d, p);
    if (w != NULL) {
        irm_flow_info_t peer;
        struct alloc_req q;
        req_of(w, &q);
        f = flow_create(d, &q, pid);
        if (f == NULL)
            return -ENOMEM;
        broker_flow_info(d, f, 0, &peer);
        reply_deferred(d, w->ticket, 0, &peer);
        reg_alloc_remove(&d->reg, w);
        broker_flow_info(d, f, 1, info);
        return 0;
    }
    ticket = bus_reply_defer(rep);
    if (ticket == 0)
        return -ENOMEM;
    if (reg_accept_add(&d->reg, pid, ticket, deadline) == NULL) {
        bus_server_drop_deferred(service_bus(d->svc), ticket);
        return -ENOMEM;
    }
    sweep_start(d);
    return BUS_REPLY_DEFERRED;
}

void broker_match(struct irmd *d)
{
    /* Pair until nothing pairs: each pairing removes from both lists, so
     * the search starts over (the list cursors moved). */
    for (;;) {
        struct reg_alloc *w;
        struct reg_accept *a = NULL;
        for (w = zlistx_first(d->reg.allocs); w != NULL; w = zlistx_next(d->reg.allocs)) {
            a = reg_accept_pick(&d->reg, w->name);
            if (a != NULL)
                break;
        }
        if (w == NULL || a == NULL)
            return;
        {
            irm_flow_info_t i0, i1;
            struct alloc_req q;
            struct reg_flow *f;
            req_of(w, &q);
            f = flow_create(d, &q, a->pid);
            if (f == NULL) {
                reply_deferred(d, w->ticket, -ENOMEM, NULL);
                reg_alloc_remove(&d->reg, w);
                continue;
            }
            broker_flow_info(d, f, 0, &i0);
            broker_flow_info(d, f, 1, &i1);
            reply_deferred(d, w->ticket, 0, &i0);
            reply_deferred(d, a->ticket, 0, &i1);
            reg_alloc_remove(&d->reg, w);
            reg_accept_remove(&d->reg, a);
        }
    }
}

static void flow_destroy(struct irmd *d, struct reg_flow *f);

/* A pending flow ends without a flow: the application hears why; the
 * IPCP forgets it (when it is up: a dead one knows nothing of it). */
static void pending_fail(struct irmd *d, struct reg_flow *f, int err)
{
    struct reg_ipcp *i = reg_ipcp_get(&d->reg, f->end[1].pid);

    reply_deferred(d, f->ticket, err, NULL);
    f->ticket = 0;
    d->pending_flows--;
    f->state = FLOW_DEALLOCATING;
    f->end[0].open = false;
    ring_set_state(f->ring[0].ring, RING_PROD_GONE);
    ring_set_state(f->ring[1].ring, RING_CONS_GONE);
    if (i != NULL) {
        /* It closes its end once it let go of the rings. */
        ipcps_flow_dealloc(d, i, f->id);
        persist_flow(d, f, true);
        return;
    }
    f->end[1].open = false;
    flow_destroy(d, f);
}

/* A pending flow whose IPCP is gone: nothing else holds its rings. */
static void pending_drop(struct irmd *d, struct reg_flow *f, int err)
{
    reply_deferred(d, f->ticket, err, NULL);
    f->ticket = 0;
    d->pending_flows--;
    f->state = FLOW_DEALLOCATING;
    f->end[0].open = f->end[1].open = false;
    flow_destroy(d, f);
}

static void pending_sweep(struct irmd *d, uint64_t now)
{
    uint32_t ids[64];
    int n = 0;

    if (d->pending_flows == 0)
        return;
    for (struct reg_flow *f = zhashx_first(d->reg.flows); f != NULL && n < 64;
         f = zhashx_next(d->reg.flows))
        if (f->state == FLOW_PENDING && f->deadline <= now)
            ids[n++] = f->id;
    for (int k = 0; k < n; k++) {
        struct reg_flow *f = reg_flow_get(&d->reg, ids[k]);
        log_info("flow %u to %s: the peer did not answer in time", f->id, f->name);
        pending_fail(d, f, -ETIMEDOUT);
    }
}

void broker_pending_done(struct irmd *d, struct reg_flow *f, int response, uint32_t mpl_ms,
                         const uint8_t *blob, size_t blob_len)
{
    irm_flow_info_t info;

    if (f->state != FLOW_PENDING)
        return;
    if (response < 0) {
        log_info("flow %u to %s refused: %d", f->id, f->name, response);
        pending_fail(d, f, response);
        return;
    }
    d->pending_flows--;
    f->state = FLOW_ALLOCATED;
    f->mpl_ms = IRMD_LOCAL_MPL_MS + mpl_ms;
    f->blob_len = blob_len < sizeof(f->blob) ? blob_len : sizeof(f->blob);
    if (f->blob_len > 0)
        memcpy(f->blob, blob, f->blob_len);
    persist_flow(d, f, true);
    broker_flow_info(d, f, 0, &info);
    reply_deferred(d, f->ticket, 0, &info);
    f->ticket = 0;
    log_info("flow %u allocated: %d -> %s through IPCP %d", f->id, (int)f->end[0].pid, f->name,
             (int)f->end[1].pid);
}

void broker_ipcp_down(struct irmd *d, pid_t pid)
{
    uint32_t ids[256];
    int n = 0;

    for (struct reg_flow *f = zhashx_first(d->reg.flows); f != NULL && n < 256;
         f = zhashx_next(d->reg.flows))
        if (f->state == FLOW_PENDING && f->end[1].pid == pid)
            ids[n++] = f->id;
    for (int k = 0; k < n; k++) {
        struct reg_flow *f = reg_flow_get(&d->reg, ids[k]);
        f->dirty = true;
        pending_drop(d, f, -EIPCP);
    }
}

void broker_sweep(struct irmd *d)
{
    uint64_t now = now_ns();
    struct reg_alloc *w;
    struct reg_accept *a;

    for (w = zlistx_first(d->reg.allocs); w != NULL; w = zlistx_next(d->reg.allocs)) {
        if (w->deadline > now)
            continue;
        log_dbg("flow_alloc by %d to '%s' timed out", (int)w->pid, w->name);
        reply_deferred(d, w->ticket, -ETIMEDOUT, NULL);
        zlistx_delete(d->reg.allocs, zlistx_cursor(d->reg.allocs));
        free(w->name);
        free(w);
    }
    for (a = zlistx_first(d->reg.accepts); a != NULL; a = zlistx_next(d->reg.accepts)) {
        if (a->deadline > now)
            continue;
        reply_deferred(d, a->ticket, -ETIMEDOUT, NULL);
        zlistx_delete(d->reg.accepts, zlistx_cursor(d->reg.accepts));
        free(a);
    }
    pending_sweep(d, now);
}

static int sweep_tick(zloop_t *loop, int timer_id, void *arg)
{
    struct irmd *d = arg;

    broker_sweep(d);
    if (zlistx_size(d->reg.allocs) == 0 && zlistx_size(d->reg.accepts) == 0 &&
        d->pending_flows == 0) {
        zloop_timer_end(loop, timer_id);
        d->sweep_timer = -1;
    }
    return 0;
}

/* Check deadlines only while something waits: an idle daemon sleeps. */
static void sweep_start(struct irmd *d)
{
    if (d->sweep_timer < 0)
        d->sweep_timer = zloop_timer(d->loop, IRMD_SWEEP_MS, 0, sweep_tick, d);
}

/* Free what is still queued in a ring nobody reads any more. */
static void free_queued(void *arg, uint64_t off)
{
    struct irmd *d = arg;

    if (!pool_blk_valid(d->pool, off)) {
        log_warn("a ring held a bad offset %llx: dropped", (unsigned long long)off);
        return;
    }
    pool_blk_take(d->pool, off);
    pool_free(d->pool, off);
}

static void flow_destroy(struct irmd *d, struct reg_flow *f)
{
    int freed = 0;

    for (int dir = 0; dir < 2; dir++) {
        if (f->ring[dir].ring != NULL)
            freed += ring_drain(f->ring[dir].ring, free_queued, d);
        /* After a death, blocks may sit under the ring's tag outside it. */
        if (f->dirty)
            freed += pool_reclaim_tag(d->pool, ring_shm_tag(f->id, dir));
    }
    rings_unmake(d, f);
    persist_flow(d, f, false);
    log_info("flow %u released%s (%d packets dropped)", f->id, f->dirty ? " after a death" : "",
             freed);
    reg_flow_del(&d->reg, f->id);
}

int broker_close_end(struct irmd *d, struct reg_flow *f, int end, bool gone)
{
    int peer = 1 - end;

    if (!f->end[end].open)
        return 0;
    if (f->state == FLOW_PENDING) {
        if (gone)
            f->dirty = true;
        if (end == 0)
            pending_fail(d, f, -EFLOWPEER); /* the application left */
        else
            pending_drop(d, f, -EIPCP); /* the IPCP went for good */
        return 0;
    }
    f->end[end].open = false;
    f->state = FLOW_DEALLOCATING;
    if (gone)
        f->dirty = true;
    /* The peer's writes fail at once; it reads what this end wrote, then
     * -EFLOWPEER (writes first: once its reads end, its writes have too). */
    if (f->ring[peer].ring != NULL)
        ring_set_state(f->ring[peer].ring, RING_CONS_GONE);
    if (f->ring[end].ring != NULL)
        ring_set_state(f->ring[end].ring, RING_PROD_GONE);
    if (f->end[peer].open) {
        if (f->ring[end].ring != NULL)
            procs_post(d, f->end[peer].pid, f->end[peer].ipcp, f->ring[end].ring, f->id,
                       gone ? EVQ_FLOW_PEER : EVQ_FLOW_DEALLOC);
        if (f->end[peer].ipcp) {
            /* It sends what is queued, tells its peer, then closes. */
            struct reg_ipcp *i = reg_ipcp_get(&d->reg, f->end[peer].pid);
            if (i != NULL)
                ipcps_flow_dealloc(d, i, f->id);
        }
        persist_flow(d, f, true);
        return 0;
    }
    flow_destroy(d, f);
    return 0;
}
