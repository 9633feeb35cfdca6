/*
 * pool_cache.c - per-thread caches of free blocks: claimed in the shared
 * header on a thread's first use of a pool, found again through thread-local
 * storage (checked against fork and re-mapping), flushed when the thread
 * exits or the pool is detached.
 */
#include "pool_layout.h"

#include "proc_self.h"

#include <pthread.h>
#include <stdatomic.h>

#define TLS_POOLS 4

/* Per thread: the caches it claimed, one per pool it uses. */
static __thread struct {
    struct pool_hdr *hdr;
    uint64_t instance;
    struct pool_cache *cache;
    pid_t pid; /* the process that claimed it: a forked child must not reuse it */
} tls[TLS_POOLS];

/* Pools mapped by this process, so a thread's exit can flush its caches
 * only into pools that are still mapped. */
static struct {
    pthread_mutex_t lock;
    struct pool_hdr *mapped[16];
    pthread_key_t key;
    pthread_once_t once;
} reg = {.lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

/* ---- thread caches ------------------------------------------------------- */

static void tls_exit(void *arg)
{
    pid_t me = proc_self_pid();

    (void)arg;
    pthread_mutex_lock(&reg.lock);
    for (int i = 0; i < TLS_POOLS; i++) {
        if (tls[i].hdr == NULL || tls[i].pid != me)
            continue;
        for (size_t j = 0; j < sizeof(reg.mapped) / sizeof(reg.mapped[0]); j++)
            if (reg.mapped[j] == tls[i].hdr)
                cache_flush_all(tls[i].hdr, tls[i].cache);
        tls[i].hdr = NULL;
    }
    pthread_mutex_unlock(&reg.lock);
}

static void reg_init(void)
{
    pthread_key_create(&reg.key, tls_exit);
}

void pool_reg_add(struct pool_hdr *h)
{
    pthread_once(&reg.once, reg_init);
    pthread_mutex_lock(&reg.lock);
    for (size_t j = 0; j < sizeof(reg.mapped) / sizeof(reg.mapped[0]); j++) {
        if (reg.mapped[j] == NULL) {
            reg.mapped[j] = h;
            break;
        }
    }
    pthread_mutex_unlock(&reg.lock);
}

void pool_reg_del(struct pool_hdr *h)
{
    pthread_mutex_lock(&reg.lock);
    for (size_t j = 0; j < sizeof(reg.mapped) / sizeof(reg.mapped[0]); j++)
        if (reg.mapped[j] == h)
            reg.mapped[j] = NULL;
    pthread_mutex_unlock(&reg.lock);
}

/* Claim a free cache slot for this thread; NULL when all are taken. */
static struct pool_cache *cache_claim(struct pool_hdr *h, pid_t me)
{
    for (uint32_t i = 0; i < POOL_MAX_CACHES; i++) {
        struct pool_cache *c = &h->caches[i];
        int32_t zero = 0;
        if (atomic_load_explicit(&c->pid, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong(&c->pid, &zero, me)) {
            c->tid = proc_self_tid();
            return c;
        }
    }
    return NULL;
}

struct pool_cache *pool_my_cache(struct pool *p)
{
    pid_t me = proc_self_pid();
    int slot = -1;

    for (int i = 0; i < TLS_POOLS; i++) {
        if (tls[i].hdr == p->hdr && tls[i].pid == me && tls[i].instance == p->hdr->instance)
            return tls[i].cache;
        if (slot < 0 && (tls[i].hdr == NULL || tls[i].pid != me))
            slot = i;
    }
    if (slot < 0)
        return NULL;
    tls[slot].cache = cache_claim(p->hdr, me);
    if (tls[slot].cache == NULL)
        return NULL;
    tls[slot].hdr = p->hdr;
    tls[slot].instance = p->hdr->instance;
    tls[slot].pid = me;
    pthread_setspecific(reg.key, (void *)1);
    return tls[slot].cache;
}

void cache_flush_all(struct pool_hdr *h, struct pool_cache *c)
{
    struct pool p = {.base = (uint8_t *)h, .len = h->size, .hdr = h};
    uint32_t ci = (uint32_t)(c - h->caches);

    for (uint32_t cls = 0; cls < h->nclasses; cls++) {
        struct pool_class *k = &h->cls[cls];
        if (c->n[cls] == 0)
            continue;
        class_lock(&p, k);
        cache_to_depot(&p, k, (int)cls, ci, c->n[cls], false);
        class_unlock(k);
        class_wake(k);
    }
    atomic_store(&c->pid, 0);
}

void pool_cache_release_mine(struct pool *p)
{
    pid_t me = proc_self_pid();

    for (int i = 0; i < TLS_POOLS; i++) {
        if (tls[i].hdr == p->hdr && tls[i].pid == me) {
            cache_flush_all(p->hdr, tls[i].cache);
            tls[i].hdr = NULL;
        }
    }
}
