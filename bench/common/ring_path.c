/*
 * ring_path.c - round trips and streams over pool + rings.
 */
#include "ring_path.h"

#include "deadline.h"
#include "pool.h"
#include "proc.h"
#include "ring.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WARMUP     1000
#define RING_SLOTS 1024
#define TIMEOUT_NS 10000000000ull

struct path {
    struct pool *pool;
    struct ring *ab; /* client -> server */
    struct ring *ba; /* server -> client */
    size_t size;
    uint32_t spin_ns;
    double seconds;
    _Atomic int stop;
    char name[64];
};

static struct path *path_new(size_t size, uint32_t spin_ns)
{
    struct path *p = bench_shared(sizeof(*p));
    struct pool_cfg cfg;

    if (p == NULL)
        return NULL;
    snprintf(p->name, sizeof(p->name), "/ourobus.bench-%d.pool", (int)getpid());
    pool_unlink(p->name);
    pool_cfg_default(&cfg);
    if (pool_create(p->name, &cfg, 0600, &p->pool) < 0) {
        bench_unshare(p, sizeof(*p));
        return NULL;
    }
    p->ab = bench_shared(ring_size(RING_SLOTS));
    p->ba = bench_shared(ring_size(RING_SLOTS));
    ring_init(p->ab, RING_SLOTS, 1);
    ring_init(p->ba, RING_SLOTS, 2);
    p->size = size;
    p->spin_ns = spin_ns;
    return p;
}

static void path_free(struct path *p)
{
    pool_detach(&p->pool);
    pool_unlink(p->name);
    bench_unshare(p->ab, ring_size(RING_SLOTS));
    bench_unshare(p->ba, ring_size(RING_SLOTS));
    bench_unshare(p, sizeof(*p));
}

/* Write one packet: alloc, copy in, hand to the ring, push. */
static inline int path_send(struct pool *pool, struct ring *r, const void *buf, size_t len,
                            struct spin *sp)
{
    uint64_t off;
    int err = pool_alloc(pool, len, &off);

    /* As the flow API does: the clock is read only when there is a wait. */
    if (err == -ENOMEM)
        err = pool_alloc_wait(pool, len, &off, now_ns() + TIMEOUT_NS);
    if (err < 0)
        return err;
    memcpy(pool_blk_data(pool, off), buf, len);
    pool_blk_give(pool, off, r->tag);
    err = ring_push(r, off);
    if (err == -EAGAIN)
        err = ring_push_wait(r, off, now_ns() + TIMEOUT_NS, sp);
    if (err < 0) {
        pool_blk_take(pool, off);
        pool_free(pool, off);
    }
    return err;
}

/* Read one packet: pop, take, copy out, free. Returns its length. */
static inline int path_recv(struct pool *pool, struct ring *r, void *buf, struct spin *sp)
{
    uint64_t off;
    size_t len;
    int err = ring_pop(r, &off);

    if (err == -EAGAIN)
        err = ring_pop_wait(r, &off, now_ns() + TIMEOUT_NS, sp);
    if (err < 0)
        return err;
    pool_blk_prefetch(pool, off);
    pool_blk_take(pool, off);
    len = pool_blk_len(pool, off);
    memcpy(buf, pool_blk_data(pool, off), len);
    pool_free(pool, off);
    return (int)len;
}

/* Echo server: a 0-byte packet stops it. */
static int echo_server(void *arg)
{
    struct path *p = arg;
    char buf[65536];
    struct spin sp;

    spin_init(&sp, p->spin_ns);
    for (;;) {
        int n = path_recv(p->pool, p->ab, buf, &sp);
        if (n <= 0)
            return n == 0 ? 0 : 1;
        if (path_send(p->pool, p->ba, buf, (size_t)n, &sp) < 0)
            return 1;
    }
}

int ring_path_rtt(size_t n, size_t size, uint32_t spin_ns, struct samples *out)
{
    struct path *p = path_new(size, spin_ns);
    char buf[65536] = {0};
    struct spin sp;
    pid_t pid;
    int err = 0;

    if (p == NULL)
        return -1;
    pid = bench_fork(1, echo_server, p);
    bench_pin(0);
    spin_init(&sp, spin_ns);
    for (size_t i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = now_ns();
        if (path_send(p->pool, p->ab, buf, size, &sp) < 0 ||
            path_recv(p->pool, p->ba, buf, &sp) != (int)size) {
            err = -1;
            break;
        }
        if (i >= WARMUP)
            samples_add(out, now_ns() - t0);
    }
    path_send(p->pool, p->ab, buf, 0, &sp);
    if (bench_wait(pid, 10000) != 0)
        err = -1;
    path_free(p);
    return err;
}

/* Stream writer: sends until stop, then a 0-byte packet. */
static int stream_writer(void *arg)
{
    struct path *p = arg;
    char buf[65536] = {0};
    struct spin sp;

    spin_init(&sp, p->spin_ns);
    while (!atomic_load_explicit(&p->stop, memory_order_relaxed))
        if (path_send(p->pool, p->ab, buf, p->size, &sp) < 0)
            return 1;
    return path_send(p->pool, p->ab, buf, 0, &sp) < 0;
}

int ring_path_stream(double seconds, size_t size, uint32_t spin_ns, double *pps, size_t *count)
{
    struct path *p = path_new(size, spin_ns);
    char buf[65536];
    uint64_t start = 0, end = 0, now = 0;
    size_t got = 0;
    struct spin sp;
    pid_t pid;
    int n;

    if (p == NULL)
        return -1;
    pid = bench_fork(1, stream_writer, p);
    bench_pin(0);
    spin_init(&sp, spin_ns);
    for (;;) {
        n = path_recv(p->pool, p->ab, buf, &sp);
        if (n < 0)
            break;
        if (start == 0) {
            start = now_ns();
            end = start + (uint64_t)(seconds * 1e9);
            continue;
        }
        got++;
        if ((got & 1023) == 0 && (now = now_ns()) >= end)
            break;
    }
    atomic_store(&p->stop, 1);
    /* Drain to the writer's last (empty) packet so every block is freed. */
    while (n > 0)
        n = path_recv(p->pool, p->ab, buf, &sp);
    if (bench_wait(pid, 10000) != 0 || start == 0 || now <= start) {
        path_free(p);
        return -1;
    }
    path_free(p);
    *pps = (double)got * 1e9 / (double)(now - start);
    *count = got;
    return 0;
}
