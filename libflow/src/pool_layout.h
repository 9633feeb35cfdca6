/*
 * pool_layout.h - the pool's shared-memory layout and the internals the pool
 * modules share (pool.c: the API; pool_depot.c: robust depots, repair and
 * reclaim; pool_cache.c: per-thread caches). Not for use outside them.
 */
#ifndef OUROBUS_POOL_LAYOUT_H
#define OUROBUS_POOL_LAYOUT_H

#include "pool.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <sys/types.h>

#define POOL_MAGIC   0x4c4f4f5053554f42ull /* "BUOSPOOL" */
#define POOL_VERSION 1u
#define TLS_POOLS    4

/* An unfinished transfer between a depot and a cache, left behind by a
 * process that died holding the class lock; the next locker rolls it back. */
enum intent_op { INTENT_NONE = 0, INTENT_MOVE, INTENT_SCAN };

struct pool_intent {
    uint32_t op;
    uint32_t cache;   /* the cache involved */
    uint32_t depot_n; /* depot count before */
    uint32_t cache_n; /* cache count before */
};

struct pool_class {
    pthread_mutex_t lock; /* robust, process-shared: guards the depot */
    uint32_t blk_size;
    uint32_t shift; /* log2(blk_size) */
    uint32_t count;
    uint32_t cache_cap; /* blocks a thread cache keeps; 0 = no caching */
    uint64_t base;      /* offset of block 0 */
    uint64_t depot;     /* offset of the depot stack: uint32_t[count] */
    uint32_t depot_n;
    uint32_t watermark; /* blocks [0, watermark) were handed out once */
    struct pool_intent intent;
    alignas(64) _Atomic uint32_t free_seq; /* bumped when the depot grows */
    _Atomic uint32_t waiters;              /* allocators asleep on free_seq */
};

/* A thread's cache of free blocks, per class. Written only by its thread,
 * and by pool_reclaim once the process is dead. */
struct pool_cache {
    alignas(64) _Atomic int32_t pid; /* 0: unused */
    int32_t tid;
    uint32_t n[POOL_MAX_CLASSES];
    uint32_t idx[POOL_MAX_CLASSES][POOL_CACHE_SLOTS];
};

struct pool_hdr {
    uint64_t magic;
    uint32_t version;
    uint32_t nclasses;
    uint64_t size;
    uint64_t instance; /* random per pool: tells a re-created pool apart */
    _Atomic uint64_t repairs;
    struct pool_class cls[POOL_MAX_CLASSES];
    struct pool_cache caches[POOL_MAX_CACHES];
};

/* ---- helpers ---------------------------------------------------------------- */

static inline uint32_t *depot_of(const struct pool *p, const struct pool_class *c)
{
    return (uint32_t *)(p->base + c->depot);
}

static inline struct pool_blk *blk_at(const struct pool *p, const struct pool_class *c,
                                      uint32_t idx)
{
    return (struct pool_blk *)(p->base + c->base + ((uint64_t)idx << c->shift));
}

static inline uint32_t capacity(const struct pool_class *c)
{
    return c->blk_size - POOL_BLK_HDR - POOL_HEADROOM - POOL_TAILROOM;
}

static inline int class_for(const struct pool_hdr *h, size_t len)
{
    for (uint32_t i = 0; i < h->nclasses; i++)
        if (len <= capacity(&h->cls[i]))
            return (int)i;
    return -1;
}

/* Order the stores of a process that may be killed between them: what was
 * stored before a kill is visible to the reaper, in program order. */
#define crash_order() atomic_signal_fence(memory_order_seq_cst)

/* ---- depots (pool_depot.c) ------------------------------------------------ */

/* Lock a class's depot, repairing it first if its holder died. */
void class_lock(struct pool *p, struct pool_class *c);
void class_unlock(struct pool_class *c);

/* Wake allocators waiting for the depot to grow. */
void class_wake(struct pool_class *c);

/* Move k blocks from the depot into cache slot ci (lock held). */
void depot_to_cache(struct pool *p, struct pool_class *c, int cls, uint32_t ci, uint32_t k);

/* Move the top k blocks of cache slot ci into the depot (lock held); with
 * mark_free, also clear their owner words (a dead process's cache). */
void cache_to_depot(struct pool *p, struct pool_class *c, int cls, uint32_t ci, uint32_t k,
                    bool mark_free);

/* ---- thread caches (pool_cache.c) ------------------------------------------- */

/* Track a mapping of this process (so thread exit flushes only into pools
 * still mapped), and forget it. */
void pool_reg_add(struct pool_hdr *h);
void pool_reg_del(struct pool_hdr *h);

/* This thread's cache in pool p, claimed on first use; NULL if none left. */
struct pool_cache *pool_my_cache(struct pool *p);

/* Flush this thread's cache of p into the depots and release it. */
void pool_cache_release_mine(struct pool *p);

/* Return everything in cache c to the depots and release the slot. */
void cache_flush_all(struct pool_hdr *h, struct pool_cache *c);

#endif
