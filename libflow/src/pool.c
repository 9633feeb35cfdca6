/*
 * pool.c - the packet pool's API: configuration and layout, create, attach
 * and detach, alloc and free on the thread's cache, ownership hand-over,
 * validation of offsets from other processes, statistics.
 */
#include "pool_layout.h"

#include "deadline.h"
#include "proc_self.h"
#include "shm_object.h"
#include "waiter.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ---- configuration ---------------------------------------------------- */

void pool_cfg_default(struct pool_cfg *cfg)
{
    static const struct pool_class_cfg def[] = {
        {512, 4096}, {2048, 8192}, {16384, 512}, {131072, 64}, {1048576, 8}};

    memset(cfg, 0, sizeof(*cfg));
    cfg->nclasses = sizeof(def) / sizeof(def[0]);
    memcpy(cfg->cls, def, sizeof(def));
}

int pool_cfg_check(const struct pool_cfg *cfg, const char **why)
{
    const char *w = NULL;

    if (cfg->nclasses == 0 || cfg->nclasses > POOL_MAX_CLASSES)
        w = "between 1 and 6 size classes";
    for (uint32_t i = 0; w == NULL && i < cfg->nclasses; i++) {
        uint32_t s = cfg->cls[i].blk_size;
        if (s < 512 || s > (1u << 30) || (s & (s - 1)) != 0)
            w = "block sizes are powers of two from 512 B to 1 GiB";
        else if (cfg->cls[i].count == 0 || cfg->cls[i].count > (1u << 24))
            w = "every class has 1 to 16777216 blocks";
        else if (i > 0 && s <= cfg->cls[i - 1].blk_size)
            w = "classes are in increasing block size";
        else if ((uint64_t)s * cfg->cls[i].count > (1ull << 40))
            w = "a class is at most 1 TiB";
    }
    if (why != NULL)
        *why = w;
    return w == NULL ? 0 : -EINVAL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Lay out the object: header, depot stacks, then the blocks page-aligned. */
static uint64_t layout(const struct pool_cfg *cfg, uint64_t *depot, uint64_t *base)
{
    uint64_t off = align_up(sizeof(struct pool_hdr), 64);

    for (uint32_t i = 0; i < cfg->nclasses; i++) {
        depot[i] = off;
        off = align_up(off + (uint64_t)cfg->cls[i].count * sizeof(uint32_t), 64);
    }
    off = align_up(off, 4096);
    for (uint32_t i = 0; i < cfg->nclasses; i++) {
        base[i] = off;
        off += (uint64_t)cfg->cls[i].count * cfg->cls[i].blk_size;
    }
    return off;
}

size_t pool_cfg_bytes(const struct pool_cfg *cfg)
{
    uint64_t depot[POOL_MAX_CLASSES];
    uint64_t base[POOL_MAX_CLASSES];

    return (size_t)layout(cfg, depot, base);
}

/* ---- create, attach, detach ------------------------------------------- */

static int class_init(struct pool *p, struct pool_class *c, const struct pool_class_cfg *cc,
                      uint64_t depot, uint64_t base)
{
    pthread_mutexattr_t ma;
    uint32_t *stack;
    int err;

    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    err = pthread_mutex_init(&c->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    if (err != 0)
        return -err;
    c->blk_size = cc->blk_size;
    c->shift = (uint32_t)__builtin_ctz(cc->blk_size);
    c->count = cc->count;
    c->cache_cap = cc->count / 64 >= POOL_CACHE_SLOTS ? POOL_CACHE_SLOTS : cc->count / 64;
    if (c->cache_cap < 4)
        c->cache_cap = 0;
    c->depot = depot;
    c->base = base;
    /* Lowest indices on top: a pool only ever touches the pages it needs. */
    stack = depot_of(p, c);
    for (uint32_t i = 0; i < cc->count; i++)
        stack[i] = cc->count - 1 - i;
    c->depot_n = cc->count;
    c->watermark = 0;
    return 0;
}

int pool_create(const char *name, const struct pool_cfg *cfg, mode_t mode, struct pool **out)
{
    uint64_t depot[POOL_MAX_CLASSES];
    uint64_t base[POOL_MAX_CLASSES];
    struct pool *p;
    uint64_t size;
    void *addr;
    int err;

    assert(name && cfg && out);
    if (pool_cfg_check(cfg, NULL) < 0)
        return -EINVAL;
    size = layout(cfg, depot, base);
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -ENOMEM;
    err = shm_object_create(name, (size_t)size, mode, &addr);
    if (err < 0)
        goto fail_shm;
    p->base = addr;
    p->len = (size_t)size;
    p->hdr = addr;
    p->hdr->nclasses = cfg->nclasses;
    p->hdr->size = size;
    p->hdr->version = POOL_VERSION;
    if (getrandom(&p->hdr->instance, sizeof(p->hdr->instance), 0) < 0)
        p->hdr->instance = now_ns() ^ (uint64_t)proc_self_pid() << 32;
    for (uint32_t i = 0; i < cfg->nclasses; i++) {
        err = class_init(p, &p->hdr->cls[i], &cfg->cls[i], depot[i], base[i]);
        if (err < 0)
            goto fail_init;
    }
    /* The magic last: attachers treat a pool without it as not ready. */
    atomic_thread_fence(memory_order_release);
    p->hdr->magic = POOL_MAGIC;
    pool_reg_add(p->hdr);
    *out = p;
    return 0;
fail_init:
    shm_object_unmap(addr, (size_t)size);
    shm_object_unlink(name);
fail_shm:
    free(p);
    return err;
}

int pool_layout_check(const void *mem, size_t len)
{
    const struct pool_hdr *h = mem;
    uint64_t depot[POOL_MAX_CLASSES];
    uint64_t base[POOL_MAX_CLASSES];
    struct pool_cfg cfg = {0};

    if (len < sizeof(*h) || h->magic != POOL_MAGIC || h->version != POOL_VERSION ||
        h->size != len || h->nclasses == 0 || h->nclasses > POOL_MAX_CLASSES)
        return -EPROTO;
    atomic_thread_fence(memory_order_acquire); /* the magic was stored last */
    cfg.nclasses = h->nclasses;
    for (uint32_t i = 0; i < h->nclasses; i++)
        cfg.cls[i] = (struct pool_class_cfg){h->cls[i].blk_size, h->cls[i].count};
    if (pool_cfg_check(&cfg, NULL) < 0 || layout(&cfg, depot, base) != len)
        return -EPROTO;
    /* The geometry must be exactly what create computed: every offset
     * derived from it then stays inside the mapping. */
    for (uint32_t i = 0; i < h->nclasses; i++) {
        const struct pool_class *c = &h->cls[i];
        if (c->depot != depot[i] || c->base != base[i] ||
            c->shift != (uint32_t)__builtin_ctz(c->blk_size) ||
            c->cache_cap > POOL_CACHE_SLOTS || c->depot_n > c->count || c->watermark > c->count)
            return -EPROTO;
    }
    return 0;
}

int pool_attach(const char *name, struct pool **out)
{
    struct pool *p;
    size_t len;
    void *addr;
    int err;

    assert(name && out);
    err = shm_object_attach(name, &addr, &len);
    if (err < 0)
        return err;
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        shm_object_unmap(addr, len);
        return -ENOMEM;
    }
    p->base = addr;
    p->len = len;
    p->hdr = addr;
    if (pool_layout_check(addr, len) < 0) {
        shm_object_unmap(addr, len);
        free(p);
        return -EPROTO;
    }
    pool_reg_add(p->hdr);
    *out = p;
    return 0;
}

void pool_detach(struct pool **pp)
{
    struct pool *p;

    if (pp == NULL || *pp == NULL)
        return;
    p = *pp;
    pool_cache_release_mine(p);
    pool_reg_del(p->hdr);
    shm_object_unmap(p->base, p->len);
    free(p);
    *pp = NULL;
}

int pool_unlink(const char *name)
{
    return shm_object_unlink(name);
}

/* ---- alloc and free -------------------------------------------------------- */

static inline uint64_t blk_init(struct pool *p, struct pool_class *c, int cls, uint32_t idx,
                                size_t len)
{
    struct pool_blk *b = blk_at(p, c, idx);

    b->cls = (uint16_t)cls;
    b->flags = 0;
    b->size = c->blk_size;
    b->head = POOL_BLK_HDR + POOL_HEADROOM;
    b->tail = b->head + (uint32_t)len;
    return (uint64_t)((uint8_t *)b - p->base);
}

static int alloc_direct(struct pool *p, struct pool_class *c, uint32_t *idx, pid_t me)
{
    class_lock(p, c);
    if (c->depot_n == 0) {
        class_unlock(c);
        return -ENOMEM;
    }
    *idx = depot_of(p, c)[c->depot_n - 1];
    atomic_store_explicit(&blk_at(p, c, *idx)->owner, (uint32_t)me, memory_order_relaxed);
    crash_order();
    c->depot_n--;
    if (*idx >= c->watermark)
        c->watermark = *idx + 1;
    class_unlock(c);
    return 0;
}

int pool_alloc(struct pool *p, size_t len, uint64_t *off)
{
    struct pool_hdr *h = p->hdr;
    struct pool_cache *ca;
    struct pool_class *c;
    pid_t me = proc_self_pid();
    uint32_t idx;
    uint32_t n;
    int cls;

    assert(p && off);
    cls = class_for(h, len);
    if (cls < 0)
        return -EMSGSIZE;
    c = &h->cls[cls];
    ca = c->cache_cap > 0 ? pool_my_cache(p) : NULL;
    if (ca == NULL) {
        if (alloc_direct(p, c, &idx, me) < 0)
            return -ENOMEM;
    } else {
        n = ca->n[cls];
        if (n == 0) {
            class_lock(p, c);
            uint32_t k = c->cache_cap / 2 < c->depot_n ? c->cache_cap / 2 : c->depot_n;
            if (k > 0)
                depot_to_cache(p, c, cls, (uint32_t)(ca - h->caches), k);
            class_unlock(c);
            n = ca->n[cls];
            if (n == 0)
                return -ENOMEM;
        }
        idx = ca->idx[cls][n - 1];
        atomic_store_explicit(&blk_at(p, c, idx)->owner, (uint32_t)me, memory_order_relaxed);
        crash_order();
        ca->n[cls] = n - 1;
    }
    *off = blk_init(p, c, cls, idx, len);
    return 0;
}

int pool_alloc_wait(struct pool *p, size_t len, uint64_t *off, uint64_t deadline)
{
    struct pool_class *c;
    uint32_t seq;
    int cls;
    int err;

    assert(p && off);
    for (;;) {
        err = pool_alloc(p, len, off);
        if (err != -ENOMEM)
            return err;
        cls = class_for(p->hdr, len);
        c = &p->hdr->cls[cls];
        seq = atomic_load_explicit(&c->free_seq, memory_order_seq_cst);
        atomic_fetch_add_explicit(&c->waiters, 1, memory_order_seq_cst);
        err = pool_alloc(p, len, off); /* a free may have come in between */
        if (err != -ENOMEM) {
            atomic_fetch_sub(&c->waiters, 1);
            return err;
        }
        err = futex_wait_until(&c->free_seq, seq, deadline);
        atomic_fetch_sub(&c->waiters, 1);
        if (err == -ETIMEDOUT || err == -EINTR)
            return pool_alloc(p, len, off) == 0 ? 0 : err;
    }
}

static void free_direct(struct pool *p, struct pool_class *c, uint32_t idx)
{
    class_lock(p, c);
    depot_of(p, c)[c->depot_n] = idx;
    crash_order();
    c->depot_n++;
    crash_order();
    atomic_store_explicit(&blk_at(p, c, idx)->owner, POOL_OWNER_FREE, memory_order_relaxed);
    class_unlock(c);
    class_wake(c);
}

void pool_free(struct pool *p, uint64_t off)
{
    struct pool_hdr *h = p->hdr;
    struct pool_blk *b = pool_blk(p, off);
    struct pool_class *c;
    struct pool_cache *ca;
    uint32_t idx;
    uint32_t n;
    int cls;

    assert(p && pool_blk_valid(p, off));
    cls = b->cls;
    c = &h->cls[cls];
    idx = (uint32_t)((off - c->base) >> c->shift);
    ca = c->cache_cap > 0 ? pool_my_cache(p) : NULL;
    if (ca == NULL) {
        free_direct(p, c, idx);
        return;
    }
    n = ca->n[cls];
    if (n >= c->cache_cap) {
        class_lock(p, c);
        cache_to_depot(p, c, cls, (uint32_t)(ca - h->caches), c->cache_cap / 2, false);
        class_unlock(c);
        class_wake(c);
        n = ca->n[cls];
    }
    ca->idx[cls][n] = idx;
    crash_order();
    ca->n[cls] = n + 1;
    crash_order();
    atomic_store_explicit(&b->owner, POOL_OWNER_FREE, memory_order_relaxed);
}

/* ---- ownership and validation -------------------------------------------- */

bool pool_blk_valid(const struct pool *p, uint64_t off)
{
    const struct pool_hdr *h = p->hdr;

    for (uint32_t i = 0; i < h->nclasses; i++) {
        const struct pool_class *c = &h->cls[i];
        const struct pool_blk *b;
        if (off < c->base || off >= c->base + ((uint64_t)c->count << c->shift))
            continue;
        if ((off - c->base) & (c->blk_size - 1))
            return false;
        b = (const struct pool_blk *)(p->base + off);
        return b->cls == i && b->size == c->blk_size && b->head >= POOL_BLK_HDR &&
               b->head <= b->tail && b->tail <= b->size;
    }
    return false;
}

void pool_blk_give(struct pool *p, uint64_t off, uint32_t tag)
{
    atomic_store_explicit(&pool_blk(p, off)->owner, POOL_OWNER_TAG | tag, memory_order_relaxed);
    crash_order();
}

void pool_blk_take(struct pool *p, uint64_t off)
{
    crash_order();
    atomic_store_explicit(&pool_blk(p, off)->owner, (uint32_t)proc_self_pid(),
                          memory_order_relaxed);
}

/* ---- statistics ------------------------------------------------------------- */

void pool_get_stats(struct pool *p, struct pool_stats *st)
{
    struct pool_hdr *h = p->hdr;

    memset(st, 0, sizeof(*st));
    st->nclasses = h->nclasses;
    st->repairs = atomic_load(&h->repairs);
    for (uint32_t ci = 0; ci < POOL_MAX_CACHES; ci++)
        if (atomic_load_explicit(&h->caches[ci].pid, memory_order_relaxed) != 0)
            st->caches++;
    for (uint32_t cls = 0; cls < h->nclasses; cls++) {
        struct pool_class *c = &h->cls[cls];
        uint32_t cached = 0;
        class_lock(p, c);
        for (uint32_t ci = 0; ci < POOL_MAX_CACHES; ci++)
            cached += h->caches[ci].n[cls];
        st->cls[cls].blk_size = c->blk_size;
        st->cls[cls].count = c->count;
        st->cls[cls].free = c->depot_n + cached;
        st->cls[cls].watermark = c->watermark;
        class_unlock(c);
    }
}

size_t pool_max_len(const struct pool *p)
{
    return capacity(&p->hdr->cls[p->hdr->nclasses - 1]);
}
