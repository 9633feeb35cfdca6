/*
 * mgmt.c - the management rings of the companions: attaching (the bus
 * method, main loop), one thread reading every tx ring, and delivery to
 * the rx rings from the N-1 readers.
 */
#include "mgmt.h"

#include "deadline.h"

#include "fwd.h"
#include "log.h"
#include "mgmt_msg.h"
#include "nbrs.h"
#include "ring_shm.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <ourobus/irm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MGMT_N        (MGMT_EID_MAX - MGMT_EID_MIN + 1)
#define MGMT_READER   NBRS_MAX /* our PFF reader id */
#define MGMT_IDLE_US  200      /* the thread's nap when every tx ring is empty */
#define MGMT_BUSY_US  20       /* ... within MGMT_WARM_NS of the last block */
#define MGMT_WARM_NS  50000000ull
#define MGMT_BURST    64          /* blocks from one ring per turn */
#define MGMT_TAG_BASE 0x40000000u /* pool tags of blocks in our rings */

struct companion {
    _Atomic bool used; /* set once, under lock; the rings then stay */
    struct ring_map tx, rx;
    pthread_mutex_t rx_lock; /* one producer at a time: the N-1 readers */
    _Atomic uint64_t full;   /* rx drops */
};

struct mgmt {
    struct run_folder rf;
    char ipcp[NAME_SIZE + 1];
    struct pool *pool;
    pthread_mutex_t lock; /* attaching */
    struct companion c[MGMT_N];
    struct dt_fmt fmt;
    uint64_t self;
    uint8_t ttl;
    struct nbrs *_Atomic nbrs; /* set by mgmt_start, read by the N-1 readers */
    _Atomic bool stop;
    bool started;
    pthread_t thread;
};

struct mgmt *mgmt_new(const struct run_folder *rf, const char *ipcp, struct pool *pool)
{
    struct mgmt *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    m->rf = *rf;
    snprintf(m->ipcp, sizeof(m->ipcp), "%s", ipcp);
    m->pool = pool;
    pthread_mutex_init(&m->lock, NULL);
    for (unsigned i = 0; i < MGMT_N; i++)
        pthread_mutex_init(&m->c[i].rx_lock, NULL);
    return m;
}

static int ring_name(const struct mgmt *m, uint64_t eid, const char *dir, char *buf);

void mgmt_recover(struct mgmt *m)
{
    for (uint64_t eid = MGMT_EID_MIN; eid <= MGMT_EID_MAX; eid++) {
        struct companion *c = &m->c[eid - MGMT_EID_MIN];
        char tx[SHM_NAME_MAX], rx[SHM_NAME_MAX];

        if (eid == MGMT_EID_LSA || ring_name(m, eid, "tx", tx) < 0 ||
            ring_name(m, eid, "rx", rx) < 0)
            continue;
        pthread_mutex_lock(&m->lock);
        if (!atomic_load(&c->used) && ring_shm_attach(&c->tx, tx) == 0) {
            if (ring_shm_attach(&c->rx, rx) == 0) {
                atomic_store(&c->used, true);
                log_info("management rings of endpoint %" PRIu64 " found again", eid);
            } else {
                ring_shm_detach(&c->tx);
            }
        }
        pthread_mutex_unlock(&m->lock);
    }
}

static int ring_name(const struct mgmt *m, uint64_t eid, const char *dir, char *buf)
{
    char obj[SHM_NAME_MAX];

    if (snprintf(obj, sizeof(obj), "mgmt.%s.%" PRIu64 ".%s", m->ipcp, eid, dir) >=
        (int)sizeof(obj))
        return -ENAMETOOLONG;
    return run_folder_shm_name(&m->rf, obj, buf, SHM_NAME_MAX);
}

/* Find the ring again (a restart of ours) or make it. */
static int ring_open(struct ring_map *rm, const char *name, uint32_t tag)
{
    int err = ring_shm_attach(rm, name);

    if (err == -ENOENT)
        err = ring_shm_create(rm, name, MGMT_RING_SLOTS, tag, 0600);
    return err;
}

int mgmt_attach(struct mgmt *m, uint64_t eid, char *tx, char *rx)
{
    struct companion *c;
    int err;

    if (eid < MGMT_EID_MIN || eid > MGMT_EID_MAX || eid == MGMT_EID_LSA)
        return -EINVAL;
    c = &m->c[eid - MGMT_EID_MIN];
    err = ring_name(m, eid, "tx", tx);
    if (err == 0)
        err = ring_name(m, eid, "rx", rx);
    if (err < 0)
        return err;
    pthread_mutex_lock(&m->lock);
    if (!atomic_load(&c->used)) {
        err = ring_open(&c->tx, tx, MGMT_TAG_BASE + (uint32_t)eid * 2);
        if (err == 0) {
            err = ring_open(&c->rx, rx, MGMT_TAG_BASE + (uint32_t)eid * 2 + 1);
            if (err < 0)
                ring_shm_detach(&c->tx);
        }
        if (err == 0) {
            atomic_store(&c->used, true);
            log_info("management rings of endpoint %" PRIu64 ": %s %s", eid, tx, rx);
        }
    }
    pthread_mutex_unlock(&m->lock);
    if (err < 0)
        log_warn("management rings of endpoint %" PRIu64 ": %s", eid, strerror(-err));
    return err;
}

bool mgmt_deliver(struct mgmt *m, uint64_t eid, const uint8_t *buf, size_t len)
{
    struct companion *c;
    uint64_t off;
    int err;

    if (m == NULL || eid < MGMT_EID_MIN || eid > MGMT_EID_MAX)
        return false;
    c = &m->c[eid - MGMT_EID_MIN];
    if (!atomic_load(&c->used))
        return false;
    if (pool_alloc(m->pool, len, &off) < 0) {
        atomic_fetch_add(&c->full, 1);
        return true;
    }
    memcpy(pool_blk_data(m->pool, off), buf, len);
    pool_blk_give(m->pool, off, c->rx.ring->tag);
    pthread_mutex_lock(&c->rx_lock);
    err = ring_push(c->rx.ring, off);
    pthread_mutex_unlock(&c->rx_lock);
    if (err < 0) {
        pool_blk_take(m->pool, off);
        pool_free(m->pool, off);
        struct nbrs *n = atomic_load(&m->nbrs);

        atomic_fetch_add(&c->full, 1);
        if (n != NULL)
            nbrs_count_drop(n, FWD_DROP_FULL);
    }
    return true;
}

/* One block from eid's tx ring: prefix off, DT header on, sent. */
static void originate(struct mgmt *m, uint64_t eid, uint64_t off)
{
    size_t len = pool_blk_len(m->pool, off), hl = dt_hdr_len(&m->fmt);
    uint8_t *p = pool_blk_data(m->pool, off);
    struct dt_hdr h = {.cube = QOS_CUBE_BE, .ttl = m->ttl, .eid = eid};

    if (mgmt_prefix_decode(p, len, &h.dst) < 0 || h.dst == 0) {
        nbrs_count_drop(m->nbrs, FWD_DROP_BADHDR);
        return;
    }
    pool_blk_pop_head(m->pool, off, MGMT_PREFIX_LEN);
    if (h.dst == m->self) {
        p = pool_blk_data(m->pool, off);
        if (!mgmt_deliver(m, eid, p, pool_blk_len(m->pool, off)))
            nbrs_count_drop(m->nbrs, FWD_DROP_NOEID);
        return;
    }
    p = pool_blk_push_head(m->pool, off, hl);
    if (p == NULL || dt_hdr_encode(&m->fmt, &h, p, hl) < 0) {
        nbrs_count_drop(m->nbrs, FWD_DROP_BADHDR);
        return;
    }
    nbrs_originate(m->nbrs, MGMT_READER, &h, p, pool_blk_len(m->pool, off));
}

static void *mgmt_main(void *arg)
{
    struct mgmt *m = arg;
    uint64_t last = 0;

    while (!atomic_load(&m->stop)) {
        bool busy = false;

        for (unsigned i = 0; i < MGMT_N; i++) {
            struct companion *c = &m->c[i];

            if (!atomic_load(&c->used))
                continue;
            for (int k = 0; k < MGMT_BURST; k++) {
                uint64_t off;

                if (ring_pop(c->tx.ring, &off) < 0)
                    break;
                busy = true;
                if (!pool_blk_valid(m->pool, off))
                    continue; /* not a block of the pool: a broken writer */
                pool_blk_take(m->pool, off);
                originate(m, MGMT_EID_MIN + i, off);
                pool_free(m->pool, off);
            }
        }
        /* Exchanges come in runs (a request, its answer, the next
         * allocation): a short nap while they do, a longer one at rest. */
        if (busy)
            last = now_ns();
        else
            usleep(now_ns() - last < MGMT_WARM_NS ? MGMT_BUSY_US : MGMT_IDLE_US);
    }
    return NULL;
}

int mgmt_start(struct mgmt *m, const struct dt_fmt *fmt, uint64_t self, uint8_t ttl,
               struct nbrs *nbrs)
{
    _Static_assert(MGMT_READER < PFF_READERS, "a PFF reader id of our own");
    if (m->started)
        return 0;
    m->fmt = *fmt;
    m->self = self;
    m->ttl = ttl;
    atomic_store(&m->nbrs, nbrs);
    if (pthread_create(&m->thread, NULL, mgmt_main, m) != 0)
        return -EAGAIN;
    m->started = true;
    return 0;
}

void mgmt_stop(struct mgmt *m)
{
    if (m == NULL || !m->started)
        return;
    atomic_store(&m->stop, true);
    pthread_join(m->thread, NULL);
    m->started = false;
}

void mgmt_destroy(struct mgmt **p)
{
    struct mgmt *m;

    if (p == NULL || *p == NULL)
        return;
    m = *p;
    mgmt_stop(m);
    for (unsigned i = 0; i < MGMT_N; i++) {
        if (atomic_load(&m->c[i].used)) {
            ring_shm_detach(&m->c[i].tx);
            ring_shm_detach(&m->c[i].rx);
        }
        pthread_mutex_destroy(&m->c[i].rx_lock);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
    *p = NULL;
}
