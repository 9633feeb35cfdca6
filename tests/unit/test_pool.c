/*
 * test_pool.c - the packet pool: every size class, headroom and tailroom,
 * exhaustion and recovery, several processes allocating at once, reclaim
 * after kill -9 of a holder (with the robust-mutex repair), ring tags.
 */
#include "child.h"
#include "deadline.h"
#include "pool.h"
#include "shm_object.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static char name[64];
static struct pool *pool;

static void cleanup(void)
{
    pool_unlink(name);
}

/* A small pool: class 0 caches per thread, class 1 is direct (every
 * operation takes the robust lock), class 2 is big and scarce. */
static void small_cfg(struct pool_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->nclasses = 3;
    cfg->cls[0] = (struct pool_class_cfg){512, 1024};
    cfg->cls[1] = (struct pool_class_cfg){2048, 128};
    cfg->cls[2] = (struct pool_class_cfg){65536, 4};
}

static size_t cap_of(uint32_t blk_size)
{
    return blk_size - POOL_BLK_HDR - POOL_HEADROOM - POOL_TAILROOM;
}

static bool free_count_is_whole(struct pool *p, bool say)
{
    struct pool_stats st;

    pool_get_stats(p, &st);
    for (uint32_t i = 0; i < st.nclasses; i++)
        if (st.cls[i].free != st.cls[i].count) {
            if (say)
                diag("class %u: %u of %u free", i, st.cls[i].free, st.cls[i].count);
            return false;
        }
    return true;
}

static bool all_free(struct pool *p)
{
    return free_count_is_whole(p, true);
}

/* Allocate a whole class and check every block is distinct: the depot and
 * caches hold each free block exactly once. */
static bool class_consistent(struct pool *p, size_t len, uint32_t count)
{
    uint64_t *offs = calloc(count + 1, sizeof(*offs));
    uint32_t n = 0;
    bool good = true;

    while (n <= count && pool_alloc(p, len, &offs[n]) == 0)
        n++;
    if (n != count) {
        diag("allocated %u blocks of a class of %u", n, count);
        good = false;
    }
    for (uint32_t i = 0; good && i < n; i++)
        for (uint32_t j = i + 1; j < n; j++)
            if (offs[i] == offs[j]) {
                diag("block %llx handed out twice", (unsigned long long)offs[i]);
                good = false;
                break;
            }
    for (uint32_t i = 0; i < n; i++)
        pool_free(p, offs[i]);
    free(offs);
    return good;
}

static void test_classes(void)
{
    size_t lens[] = {
        0, 1, cap_of(512), cap_of(512) + 1, cap_of(2048), cap_of(2048) + 1, cap_of(65536)};
    uint32_t want[] = {512, 512, 512, 2048, 2048, 65536, 65536};
    bool sizes = true, writable = true;
    uint64_t off;

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        if (pool_alloc(pool, lens[i], &off) != 0 || pool_blk(pool, off)->size != want[i] ||
            pool_blk_len(pool, off) != lens[i] || !pool_blk_valid(pool, off)) {
            diag("len %zu: wrong class or length", lens[i]);
            sizes = false;
            continue;
        }
        memset(pool_blk_data(pool, off), 0xa5, lens[i]);
        for (size_t j = 0; j < lens[i]; j++)
            if (pool_blk_data(pool, off)[j] != 0xa5)
                writable = false;
        pool_free(pool, off);
    }
    ok(sizes, "every length lands in the smallest class that holds it");
    ok(writable, "the whole capacity of each class is usable");
    is(pool_alloc(pool, cap_of(65536) + 1, &off), -EMSGSIZE,
       "too big for any class: -EMSGSIZE");
    is(pool_max_len(pool), cap_of(65536), "pool_max_len is the largest capacity");
}

static void test_head_tail(void)
{
    uint64_t off;
    uint8_t *d;

    pool_alloc(pool, 100, &off);
    memset(pool_blk_data(pool, off), 'x', 100);
    d = pool_blk_push_head(pool, off, 16);
    ok(d != NULL && pool_blk_len(pool, off) == 116 && d + 16 == pool_blk_data(pool, off) + 16,
       "push 16 B of header in place");
    memcpy(d, "HEADER-HEADER-16", 16);
    ok(pool_blk_push_head(pool, off, POOL_HEADROOM - 16) != NULL, "the rest of the headroom");
    ok(pool_blk_push_head(pool, off, 1) == NULL, "no byte beyond the headroom");
    pool_blk_pop_head(pool, off, POOL_HEADROOM - 16);
    d = pool_blk_pop_head(pool, off, 16);
    ok(d != NULL && memcmp(d, "HEADER-HEADER-16", 16) == 0 && pool_blk_len(pool, off) == 100 &&
           pool_blk_data(pool, off)[0] == 'x',
       "pop the header: the payload is untouched");
    d = pool_blk_push_tail(pool, off, POOL_TAILROOM);
    ok(d != NULL && pool_blk_len(pool, off) == 100 + POOL_TAILROOM, "tailroom takes a trailer");
    ok(pool_blk_pop_tail(pool, off, POOL_TAILROOM) == d, "pop the trailer");
    ok(pool_blk_pop_head(pool, off, 101) == NULL, "cannot pop more than the data");
    pool_free(pool, off);
}

static void test_exhaustion(void)
{
    uint64_t offs[200];
    uint64_t off;
    uint64_t t0;
    int n = 0;

    while (n < 200 && pool_alloc(pool, 1000, &offs[n]) == 0)
        n++;
    is(n, 128, "a class of 128 blocks gives exactly 128");
    is(pool_alloc(pool, 1000, &off), -ENOMEM, "then -ENOMEM");
    t0 = now_ns();
    is(pool_alloc_wait(pool, 1000, &off, now_ns() + 100000000ull), -ETIMEDOUT,
       "a waiting alloc on an empty class times out");
    ok(now_ns() - t0 >= 95000000ull && now_ns() - t0 < 600000000ull,
       "after its deadline (%llu ms)", (unsigned long long)((now_ns() - t0) / 1000000));
    pool_free(pool, offs[--n]);
    ok(pool_alloc(pool, 1000, &off) == 0, "recovers as soon as one is freed");
    offs[n++] = off;
    for (int i = 0; i < n; i++)
        pool_free(pool, offs[i]);
    ok(all_free(pool), "everything is free again");
}

struct waker {
    uint64_t off;
    volatile int *started;
};

static int waker_child(void *arg)
{
    struct waker *w = arg;

    wait_flag(w->started, 5000);
    usleep(50000);
    pool_free(pool, w->off);
    return 0;
}

static void test_alloc_wait_wakes(void)
{
    uint64_t offs[200];
    volatile int *started = shared_alloc(sizeof(int));
    struct waker w;
    uint64_t off, t0;
    int n = 0;
    int r;
    pid_t pid;

    while (n < 200 && pool_alloc(pool, 1000, &offs[n]) == 0)
        n++;
    w.off = offs[--n];
    w.started = started;
    pid = child_run(waker_child, &w);
    *started = 1;
    t0 = now_ns();
    r = pool_alloc_wait(pool, 1000, &off, now_ns() + 5000000000ull);
    is(r, 0, "a waiting alloc is woken by a free in another process");
    ok(now_ns() - t0 < 2000000000ull, "promptly (%llu ms)",
       (unsigned long long)((now_ns() - t0) / 1000000));
    is(child_wait(pid, 5000), 0, "the freeing process exits cleanly");
    if (r == 0)
        pool_free(pool, off);
    for (int i = 0; i < n; i++)
        pool_free(pool, offs[i]);
    munmap((void *)started, sizeof(int));
}

/* Each worker allocates random sizes, stamps them, checks the stamps later
 * and frees: a block handed out twice would show another stamp. */
static int worker(void *arg)
{
    uint64_t seed = (uint64_t)getpid() * 2654435761u;
    uint64_t held[32] = {0};
    uint32_t stamp = (uint32_t)getpid();
    int iters = (int)(intptr_t)arg;

    for (int i = 0; i < iters; i++) {
        int k;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        k = (int)(seed >> 59);
        if (held[k] != 0) {
            uint32_t *w = (uint32_t *)pool_blk_data(pool, held[k]);
            if (w[0] != stamp || w[1] != (uint32_t)k)
                return 1;
            pool_free(pool, held[k]);
            held[k] = 0;
        } else {
            size_t len = (seed >> 32) % 3 == 0 ? 1500 : 64;
            uint64_t off;
            int err = pool_alloc(pool, len, &off);
            if (err == -ENOMEM)
                continue;
            if (err != 0)
                return 2;
            ((uint32_t *)pool_blk_data(pool, off))[0] = stamp;
            ((uint32_t *)pool_blk_data(pool, off))[1] = (uint32_t)k;
            held[k] = off;
        }
    }
    for (int k = 0; k < 32; k++)
        if (held[k] != 0)
            pool_free(pool, held[k]);
    pool_detach(&pool);
    return 0;
}

static void test_processes(void)
{
    pid_t pids[4];
    bool clean = true;
    uint64_t off;

    /* The parent holds a cache already: forked children must not share it. */
    pool_alloc(pool, 64, &off);
    pool_free(pool, off);
    for (int i = 0; i < 4; i++)
        pids[i] = child_run(worker, (void *)(intptr_t)200000);
    for (int i = 0; i < 4; i++) {
        int st = child_wait(pids[i], 60000);
        if (st != 0) {
            diag("worker %d exited with %d", i, st);
            clean = false;
        }
    }
    ok(clean, "4 processes alloc/free 200000 times each, no block handed out twice");
    ok(all_free(pool), "every block is back after they detached");
    ok(class_consistent(pool, 64, 1024) && class_consistent(pool, 1000, 128),
       "each block is free exactly once");
}

struct holder {
    volatile int *ready;
};

static int holder_child(void *arg)
{
    struct holder *h = arg;
    uint64_t off;

    for (int i = 0; i < 50; i++)
        pool_alloc(pool, 64, &off);
    for (int i = 0; i < 10; i++)
        pool_alloc(pool, 1000, &off);
    pool_alloc(pool, 40000, &off);
    /* And a few freed ones sitting in this process's cache. */
    pool_alloc(pool, 64, &off);
    pool_free(pool, off);
    *h->ready = 1;
    pause();
    return 0;
}

static void test_reclaim(void)
{
    struct holder h = {.ready = shared_alloc(sizeof(int))};
    struct pool_stats st;
    pid_t pid;
    int n;

    pid = child_run(holder_child, &h);
    ok(wait_flag(h.ready, 5000) == 0, "the holder allocated 61 blocks");
    child_kill9(pid);
    pool_get_stats(pool, &st);
    ok(st.cls[0].free == 1024 - 50 && st.cls[1].free == 128 - 10 && st.cls[2].free == 4 - 1,
       "before reclaim the dead holder's 61 blocks are still taken (%u/%u/%u free)",
       st.cls[0].free, st.cls[1].free, st.cls[2].free);
    n = pool_reclaim(pool, pid);
    ok(n >= 61, "reclaim(pid) freed what it held (%d blocks with its cache)", n);
    ok(all_free(pool), "every class is whole again");
    is(pool_reclaim(pool, pid), 0, "a second reclaim finds nothing");
    munmap((void *)h.ready, sizeof(int));
}

/* Hammers the direct class (every operation under the robust lock) and the
 * cached class until killed. */
static int churn_child(void *arg)
{
    uint64_t held[8] = {0};

    (void)arg;
    for (unsigned i = 0;; i++) {
        unsigned k = i % 8;
        if (held[k] != 0) {
            pool_free(pool, held[k]);
            held[k] = 0;
        } else if (pool_alloc(pool, (i & 1) ? 1000 : 64, &held[k]) != 0) {
            held[k] = 0;
        }
    }
    return 0;
}

static void test_kill_mid_operation(void)
{
    struct pool_stats st;
    bool whole = true;

    for (int round = 0; round < 40; round++) {
        pid_t pid = child_run(churn_child, NULL);
        usleep(2000 + (unsigned)(round * 997) % 5000);
        child_kill9(pid);
        pool_reclaim(pool, pid);
        if (!all_free(pool)) {
            diag("round %d: blocks lost after reclaim", round);
            whole = false;
            break;
        }
    }
    pool_get_stats(pool, &st);
    ok(whole, "40 kill -9 at random points of alloc/free, each reclaimed: nothing lost");
    ok(st.repairs > 0, "some kills hit the lock: repaired %llu times (EOWNERDEAD)",
       (unsigned long long)st.repairs);
    ok(class_consistent(pool, 64, 1024) && class_consistent(pool, 1000, 128),
       "the depots hold each free block exactly once after the repairs");
}

static int giver_child(void *arg)
{
    uint64_t off;

    (void)arg;
    /* Five blocks pushed into "ring 77", then the writer exits. */
    for (int i = 0; i < 5; i++) {
        if (pool_alloc(pool, 64, &off) != 0)
            return 1;
        pool_blk_give(pool, off, 77);
    }
    pool_alloc(pool, 64, &off); /* and one it still holds */
    return 0;
}

static void test_tags(void)
{
    pid_t pid = child_run(giver_child, NULL);

    is(child_wait(pid, 5000), 0, "a writer hands 5 blocks to ring 77 and exits");
    ok(pool_reclaim(pool, pid) >= 1 && !free_count_is_whole(pool, false),
       "reclaim(writer) frees what it held, not the blocks in the ring");
    is(pool_reclaim_tag(pool, 77), 5, "reclaim_tag frees the 5 blocks left in ring 77");
    ok(all_free(pool), "then everything is free");
}

static void test_validation(void)
{
    uint64_t off;
    struct pool *other;
    char bad[80];

    pool_alloc(pool, 64, &off);
    ok(pool_blk_valid(pool, off), "a real block is valid");
    ok(!pool_blk_valid(pool, off + 8), "a misaligned offset is not");
    ok(!pool_blk_valid(pool, 0), "offset 0 (the header) is not");
    ok(!pool_blk_valid(pool, pool->len + 512), "an offset past the end is not");
    pool_blk(pool, off)->tail = 100000;
    ok(!pool_blk_valid(pool, off), "a block whose header is garbage is not");
    pool_blk(pool, off)->tail = pool_blk(pool, off)->head;
    pool_free(pool, off);

    is(pool_attach("/ourobus.test-no-such-pool", &other), -ENOENT,
       "attach to nothing: -ENOENT");
    snprintf(bad, sizeof(bad), "%s-bad", name);
    {
        void *a;
        shm_object_create(bad, 8192, 0600, &a);
        shm_object_unmap(a, 8192);
    }
    is(pool_attach(bad, &other), -EPROTO, "attach to something else: -EPROTO");
    pool_unlink(bad);
    {
        struct pool_cfg cfg;
        const char *why = NULL;
        small_cfg(&cfg);
        cfg.cls[1].blk_size = 3000;
        int err = pool_cfg_check(&cfg, &why);
        ok(err == -EINVAL && why != NULL, "a bad config says why (%s)", why ? why : "");
        is(pool_create(name, &cfg, 0600, &other), -EINVAL, "and is refused");
    }
}

int main(void)
{
    struct pool_cfg cfg;
    struct pool *again;

    plan(48);
    snprintf(name, sizeof(name), "/ourobus.test-%d.pool", (int)getpid());
    atexit(cleanup);
    small_cfg(&cfg);
    is(pool_create(name, &cfg, 0600, &pool), 0, "create a pool");
    is(pool_create(name, &cfg, 0600, &again), -EEXIST, "it exists: -EEXIST");
    is(pool_attach(name, &again), 0, "attach a second handle");
    pool_detach(&again);
    ok(again == NULL, "detach NULLs the handle");
    pool_detach(&again); /* NULL-safe */

    test_classes();
    test_head_tail();
    test_exhaustion();
    test_alloc_wait_wakes();
    test_processes();
    test_reclaim();
    test_kill_mid_operation();
    test_tags();
    test_validation();

    pool_detach(&pool);
    return done();
}
