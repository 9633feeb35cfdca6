/*
 * pool_depot.c - the per-class depots of free blocks under robust
 * process-shared mutexes: moves to and from thread caches with intent
 * records, the repair after a holder died (EOWNERDEAD), and reclaim of what
 * dead processes and dead rings held.
 */
#include "pool_layout.h"

#include "waiter.h"

#include <assert.h>
#include <errno.h>

/* ---- robust class lock and its repair ----------------------------------- */

static void class_repair(struct pool *p, struct pool_class *c)
{
    struct pool_hdr *h = p->hdr;
    uint32_t *depot = depot_of(p, c);
    int ci = (int)(c - h->cls);

    if (c->intent.op == INTENT_MOVE && c->intent.cache < POOL_MAX_CACHES) {
        /* Both sides of a move are rolled back: the copy never destroyed
         * the source, so the counts alone decide where blocks are. */
        h->caches[c->intent.cache].n[ci] = c->intent.cache_n;
        c->depot_n = c->intent.depot_n;
    }
    if (c->depot_n > c->count)
        c->depot_n = c->count;
    /* Whatever is in the depot is free, whoever was marking it. */
    for (uint32_t i = 0; i < c->depot_n; i++)
        if (depot[i] < c->count)
            atomic_store_explicit(&blk_at(p, c, depot[i])->owner, POOL_OWNER_FREE,
                                  memory_order_relaxed);
    c->intent.op = INTENT_NONE;
    atomic_fetch_add(&h->repairs, 1);
}

void class_lock(struct pool *p, struct pool_class *c)
{
    int err = pthread_mutex_lock(&c->lock);

    if (err == EOWNERDEAD) {
        class_repair(p, c);
        pthread_mutex_consistent(&c->lock);
    } else {
        /* ENOTRECOVERABLE only follows an unlock without repair, which this
         * file never does. */
        assert(err == 0);
    }
}

void class_unlock(struct pool_class *c)
{
    pthread_mutex_unlock(&c->lock);
}

void class_wake(struct pool_class *c)
{
    atomic_fetch_add_explicit(&c->free_seq, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&c->waiters, memory_order_seq_cst) != 0)
        futex_wake_all(&c->free_seq);
}

/* Move k blocks from the depot into cache slot ci (class lock held). */
void depot_to_cache(struct pool *p, struct pool_class *c, int cls, uint32_t ci, uint32_t k)
{
    struct pool_cache *ca = &p->hdr->caches[ci];
    uint32_t *depot = depot_of(p, c);
    uint32_t dn = c->depot_n;
    uint32_t cn = ca->n[cls];

    c->intent = (struct pool_intent){INTENT_MOVE, ci, dn, cn};
    crash_order();
    for (uint32_t i = 0; i < k; i++) {
        uint32_t idx = depot[dn - 1 - i];
        ca->idx[cls][cn + i] = idx;
        if (idx >= c->watermark)
            c->watermark = idx + 1;
    }
    crash_order();
    ca->n[cls] = cn + k;
    c->depot_n = dn - k;
    crash_order();
    c->intent.op = INTENT_NONE;
}

/* Move the top k blocks of cache slot ci into the depot (lock held); with
 * mark_free, also clear their owner words (a dead process's cache). */
void cache_to_depot(struct pool *p, struct pool_class *c, int cls, uint32_t ci, uint32_t k,
                    bool mark_free)
{
    struct pool_cache *ca = &p->hdr->caches[ci];
    uint32_t *depot = depot_of(p, c);
    uint32_t dn = c->depot_n;
    uint32_t cn = ca->n[cls];

    c->intent = (struct pool_intent){INTENT_MOVE, ci, dn, cn};
    crash_order();
    for (uint32_t i = 0; i < k; i++) {
        uint32_t idx = ca->idx[cls][cn - 1 - i];
        depot[dn + i] = idx;
        if (mark_free)
            atomic_store_explicit(&blk_at(p, c, idx)->owner, POOL_OWNER_FREE,
                                  memory_order_relaxed);
    }
    crash_order();
    c->depot_n = dn + k;
    ca->n[cls] = cn - k;
    crash_order();
    c->intent.op = INTENT_NONE;
}

/* ---- reclaim ----------------------------------------------------------------- */

/* Scan class c for blocks owned by owner and return them to the depot
 * (lock held). */
static int class_scan(struct pool *p, struct pool_class *c, uint32_t owner)
{
    uint32_t *depot = depot_of(p, c);
    int n = 0;

    c->intent.op = INTENT_SCAN;
    for (uint32_t idx = 0; idx < c->watermark; idx++) {
        struct pool_blk *b = blk_at(p, c, idx);
        if (atomic_load_explicit(&b->owner, memory_order_relaxed) != owner)
            continue;
        depot[c->depot_n] = idx;
        crash_order();
        c->depot_n++;
        crash_order();
        atomic_store_explicit(&b->owner, POOL_OWNER_FREE, memory_order_relaxed);
        n++;
    }
    c->intent.op = INTENT_NONE;
    return n;
}

int pool_reclaim(struct pool *p, pid_t pid)
{
    struct pool_hdr *h = p->hdr;
    int n = 0;

    assert(p && pid > 0);
    for (uint32_t cls = 0; cls < h->nclasses; cls++) {
        struct pool_class *c = &h->cls[cls];
        int got = 0;
        class_lock(p, c);
        for (uint32_t ci = 0; ci < POOL_MAX_CACHES; ci++) {
            struct pool_cache *ca = &h->caches[ci];
            if (atomic_load(&ca->pid) != pid || ca->n[cls] == 0)
                continue;
            got += (int)ca->n[cls];
            cache_to_depot(p, c, (int)cls, ci, ca->n[cls], true);
        }
        got += class_scan(p, c, (uint32_t)pid);
        class_unlock(c);
        if (got > 0)
            class_wake(c);
        n += got;
    }
    for (uint32_t ci = 0; ci < POOL_MAX_CACHES; ci++) {
        int32_t expect = pid;
        atomic_compare_exchange_strong(&h->caches[ci].pid, &expect, 0);
    }
    return n;
}

int pool_reclaim_tag(struct pool *p, uint32_t tag)
{
    struct pool_hdr *h = p->hdr;
    int n = 0;

    assert(p);
    for (uint32_t cls = 0; cls < h->nclasses; cls++) {
        struct pool_class *c = &h->cls[cls];
        int got;
        class_lock(p, c);
        got = class_scan(p, c, POOL_OWNER_TAG | tag);
        class_unlock(c);
        if (got > 0)
            class_wake(c);
        n += got;
    }
    return n;
}
