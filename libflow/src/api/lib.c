/*
 * lib.c - libflow's process state: announce, flow descriptors, the flow id
 * table, peers' event queues, and fork handling.
 */
#include "lib.h"

#include "deadline.h"
#include "irmd_client.h"
#include "log.h"
#include "proc_self.h"
#include "qos_msg.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <ourobus/fccntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IDS_SIZE     8192u /* flow id table: a power of two above LIB_FLOWS */
#define ID_TOMBSTONE UINT32_MAX

struct lib lib = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

/* ---- fork ---- */

/* The child of a fork owns no flow: the parent's stay the parent's. Its
 * mappings are copies that it simply forgets; it announces itself anew. */
static void lib_after_fork(void)
{
    pthread_mutex_init(&lib.lock, NULL);
    lib.ready = false;
    lib.pid = 0;
    memset(&lib.evq, 0, sizeof(lib.evq));
    memset(lib.peers, 0, sizeof(lib.peers));
    lib.fsets = 0;
    if (lib.flows != NULL)
        for (int i = 0; i < LIB_FLOWS; i++) {
            atomic_store(&lib.flows[i].state, SLOT_FREE);
            atomic_store(&lib.flows[i].refs, 0);
        }
    if (lib.ids != NULL)
        memset((void *)lib.ids, 0, IDS_SIZE * sizeof(*lib.ids));
}

static void lib_once_init(void)
{
    pthread_atfork(NULL, NULL, lib_after_fork);
    irmd_client_quiet();
    /* An application hears from the library only when something is wrong,
     * unless OUROBUS_LOG asks for more. A daemon that is also an
     * application (a unicast IPCP's N-1 flows) keeps its own tag and level. */
    if (log_ready())
        return;
    log_init(program_invocation_short_name, node_name_default(NULL));
    if (getenv("OUROBUS_LOG") == NULL)
        log_set_level(LOG_LVL_WARN);
}

/* ---- the flow id table ---- */

static inline uint32_t id_hash(uint32_t id)
{
    return (id * 2654435761u) & (IDS_SIZE - 1);
}

/* Entries are fd + 1 (0: empty) with the flow id kept in the flow. */
static void ids_insert(uint32_t id, int fd)
{
    for (uint32_t i = id_hash(id);; i = (i + 1) & (IDS_SIZE - 1)) {
        uint32_t e = atomic_load(&lib.ids[i]);
        if (e == 0 || e == ID_TOMBSTONE) {
            atomic_store(&lib.ids[i], (uint32_t)fd + 1);
            return;
        }
    }
}

static void ids_remove(uint32_t id, int fd)
{
    for (uint32_t i = id_hash(id), n = 0; n < IDS_SIZE; i = (i + 1) & (IDS_SIZE - 1), n++) {
        uint32_t e = atomic_load(&lib.ids[i]);
        if (e == 0)
            return;
        if (e == (uint32_t)fd + 1) {
            atomic_store(&lib.ids[i], ID_TOMBSTONE);
            return;
        }
    }
}

struct flow *flow_by_id(uint32_t id)
{
    if (lib.ids == NULL)
        return NULL;
    for (uint32_t i = id_hash(id), n = 0; n < IDS_SIZE; i = (i + 1) & (IDS_SIZE - 1), n++) {
        uint32_t e = atomic_load_explicit(&lib.ids[i], memory_order_acquire);
        struct flow *f;
        if (e == 0)
            return NULL;
        if (e == ID_TOMBSTONE)
            continue;
        f = &lib.flows[e - 1 - LIB_FD_BASE];
        if (f->id == id && atomic_load(&f->state) == SLOT_OPEN)
            return f;
    }
    return NULL;
}

/* ---- announce ---- */

static int announce(bool re)
{
    irm_proc_announce_t *req = calloc(1, sizeof(*req));
    irm_proc_info_t info = IRM_PROC_INFO_INIT_ZERO;
    int err;

    if (req == NULL)
        return -ENOMEM;
    req->pid = proc_self_pid();
    snprintf(req->prog, sizeof(req->prog), "%s", program_invocation_short_name);
    req->reannounce = re;
    for (int i = 0; re && lib.flows != NULL && i < LIB_FLOWS && req->flows_count < 256; i++)
        if (atomic_load(&lib.flows[i].state) == SLOT_OPEN)
            req->flows[req->flows_count++] = lib.flows[i].id;
    err = irmd_call(IRM_METHOD_PROC_ANNOUNCE, IRM_PROC_ANNOUNCE_FIELDS, req,
                    IRM_PROC_INFO_FIELDS, &info, IRMD_CALL_TIMEOUT);
    free(req);
    if (err < 0)
        return err;
    if (lib.pool == NULL) {
        err = pool_attach(info.pool, &lib.pool);
        if (err < 0) {
            log_err("cannot map the packet pool %s: %s", info.pool, strerror(-err));
            return err == -EACCES ? -EACCES : -EIRMD;
        }
    }
    if (lib.evq.base == NULL) {
        err = evq_set_attach(&lib.evq, info.evq);
        if (err < 0) {
            log_err("cannot map the event queues %s: %s", info.evq, strerror(-err));
            return err == -EACCES ? -EACCES : -EIRMD;
        }
        lib.fsets |= 1u; /* queue 0 is the library's */
    }
    return 0;
}

int lib_reannounce(void)
{
    int err;

    pthread_mutex_lock(&lib.lock);
    err = announce(true);
    pthread_mutex_unlock(&lib.lock);
    if (err < 0)
        log_warn("cannot announce this process again: %s", strerror(err < -999 ? EIO : -err));
    return err;
}

static void on_irmd_restart(void *arg)
{
    (void)arg;
    lib_reannounce();
}

int lib_ready(void)
{
    pid_t me = proc_self_pid();
    int err = 0;

    if (__atomic_load_n(&lib.ready, __ATOMIC_ACQUIRE) && lib.pid == me)
        return 0;
    pthread_once(&lib_once, lib_once_init);
    pthread_mutex_lock(&lib.lock);
    if (lib.ready && lib.pid == me)
        goto out;
    if (lib.flows == NULL) {
        lib.flows = calloc(LIB_FLOWS, sizeof(*lib.flows));
        lib.ids = calloc(IDS_SIZE, sizeof(*lib.ids));
        if (lib.flows == NULL || lib.ids == NULL) {
            err = -ENOMEM;
            goto out;
        }
        for (int i = 0; i < LIB_FLOWS; i++) {
            pthread_mutex_init(&lib.flows[i].rx_lock, NULL);
            pthread_mutex_init(&lib.flows[i].tx_lock, NULL);
        }
    }
    irmd_client_on_restart(on_irmd_restart, NULL);
    err = announce(false);
    if (err < 0)
        goto out;
    lib.pid = me;
    __atomic_store_n(&lib.ready, true, __ATOMIC_RELEASE);
out:
    pthread_mutex_unlock(&lib.lock);
    return err;
}

/* ---- descriptors ---- */

struct flow *flow_get(int fd, int *err)
{
    struct flow *f;

    if (fd < LIB_FD_BASE || fd >= LIB_FD_MAX) {
        *err = -EBADF;
        return NULL;
    }
    if (lib.flows == NULL) {
        *err = -ENOTALLOC;
        return NULL;
    }
    f = &lib.flows[fd - LIB_FD_BASE];
    atomic_fetch_add_explicit(&f->refs, 1, memory_order_acquire);
    if (atomic_load_explicit(&f->state, memory_order_acquire) != SLOT_OPEN ||
        lib.pid != proc_self_pid()) {
        atomic_fetch_sub(&f->refs, 1);
        *err = -ENOTALLOC;
        return NULL;
    }
    return f;
}

int flow_reserve(void)
{
    for (int i = 0; i < LIB_FLOWS; i++) {
        int expect = SLOT_FREE;
        if (atomic_compare_exchange_strong(&lib.flows[i].state, &expect, SLOT_RESERVED))
            return LIB_FD_BASE + i;
    }
    return -EBADF;
}

void flow_unreserve(int fd)
{
    atomic_store(&lib.flows[fd - LIB_FD_BASE].state, SLOT_FREE);
}

static struct peer_evq *peer_get(pid_t pid, const char *name)
{
    struct peer_evq *p;
    int slot = -1;

    for (int i = 0; i < 64; i++) {
        if (lib.peers[i] != NULL && lib.peers[i]->pid == pid) {
            lib.peers[i]->refs++;
            return lib.peers[i];
        }
        if (lib.peers[i] == NULL && slot < 0)
            slot = i;
    }
    if (slot < 0 || (p = calloc(1, sizeof(*p))) == NULL)
        return NULL;
    if (evq_set_attach(&p->set, name) < 0) {
        free(p);
        return NULL;
    }
    p->pid = pid;
    p->refs = 1;
    lib.peers[slot] = p;
    return p;
}

static void peer_put(struct peer_evq *p)
{
    if (p == NULL || --p->refs > 0)
        return;
    for (int i = 0; i < 64; i++)
        if (lib.peers[i] == p)
            lib.peers[i] = NULL;
    evq_set_detach(&p->set);
    free(p);
}

int flow_open(int fd, const irm_flow_info_t *info)
{
    struct flow *f = &lib.flows[fd - LIB_FD_BASE];
    uint32_t spin = spin_default_ns();
    int err;

    err = ring_shm_attach(&f->rx, info->rx_ring);
    if (err < 0)
        goto fail_rx;
    err = ring_shm_attach(&f->tx, info->tx_ring);
    if (err < 0)
        goto fail_tx;
    pthread_mutex_lock(&lib.lock);
    f->peer_evq = info->peer_evq[0] ? peer_get(info->peer_pid, info->peer_evq) : NULL;
    pthread_mutex_unlock(&lib.lock);
    f->id = info->flow_id;
    f->peer = info->peer_pid;
    qos_msg_to_spec(&info->qos, &f->qos);
    f->max_sdu = (uint32_t)pool_max_len(lib.pool);
    if (info->max_sdu != 0 && info->max_sdu < f->max_sdu)
        f->max_sdu = info->max_sdu; /* a layer below carries less */
    atomic_store(&f->flags, FLOWFDEFAULT);
    f->has_rcv = f->has_snd = false;
    f->rcv_timeo = f->snd_timeo = 0;
    spin_init(&f->rx_spin, spin);
    spin_init(&f->tx_spin, spin);
    f->part_off = 0;
    f->part_pos = 0;
    f->part_end = false;
    atomic_store(&f->fset, 0);
    /* FRCP runs on in-order flows: flow control always, retransmission
     * and linger when no loss is allowed. */
    f->frct_flags =
        f->qos.in_order
            ? (uint16_t)(FRCTFRESCNTL | (f->qos.loss == 0 ? FRCTFRTX | FRCTFLINGER : 0))
            : 0;
    ring_set_consumer(f->rx.ring, proc_self_pid());
    ring_set_producer(f->tx.ring, proc_self_pid());
    pthread_mutex_lock(&lib.lock);
    ids_insert(f->id, fd);
    pthread_mutex_unlock(&lib.lock);
    atomic_store_explicit(&f->state, SLOT_OPEN, memory_order_release);
    return 0;
fail_tx:
    ring_shm_detach(&f->rx);
fail_rx:
    log_err("cannot map the rings of flow %u: %s", info->flow_id, strerror(-err));
    return err == -EACCES ? -EACCES : -ENOMEM;
}

/* Free a block this process took from a ring. */
static void drop_block(void *arg, uint64_t off)
{
    (void)arg;
    if (pool_blk_valid(lib.pool, off)) {
        pool_blk_take(lib.pool, off);
        pool_free(lib.pool, off);
    }
}

int flow_close(int fd, bool tell_irmd)
{
    irm_flow_dealloc_t req = IRM_FLOW_DEALLOC_INIT_ZERO;
    int expect = SLOT_OPEN;
    struct flow *f;

    if (fd < LIB_FD_BASE || fd >= LIB_FD_MAX)
        return -EINVAL;
    if (lib.flows == NULL || lib.pid != proc_self_pid())
        return -ENOTALLOC;
    f = &lib.flows[fd - LIB_FD_BASE];
    if (!atomic_compare_exchange_strong(&f->state, &expect, SLOT_CLOSING))
        return -ENOTALLOC;
    /* Every call blocked on this flow, here or at the peer, ends now: the
     * peer reads what we sent, then -EFLOWPEER. Its writes fail first, so
     * that once its reads end, its writes do too. */
    ring_set_state(f->rx.ring, RING_PROD_GONE | RING_CONS_GONE);
    ring_set_state(f->tx.ring, RING_PROD_GONE | RING_CONS_GONE);
    while (atomic_load(&f->refs) > 0)
        sched_yield();
    ring_set_notify(f->rx.ring, 0);
    if (f->part_off != 0)
        drop_block(NULL, f->part_off);
    f->part_off = 0;
    ring_drain(f->rx.ring, drop_block, NULL);
    pthread_mutex_lock(&lib.lock);
    ids_remove(f->id, fd);
    peer_put(f->peer_evq);
    f->peer_evq = NULL;
    pthread_mutex_unlock(&lib.lock);
    ring_shm_detach(&f->rx);
    ring_shm_detach(&f->tx);
    if (tell_irmd) {
        req.pid = proc_self_pid();
        req.flow_id = f->id;
        /* The daemon also learns it from our death: a failure is harmless. */
        irmd_call(IRM_METHOD_FLOW_DEALLOC, IRM_FLOW_DEALLOC_FIELDS, &req, NULL, NULL, 2000);
    }
    atomic_store(&f->state, SLOT_FREE);
    return 0;
}
