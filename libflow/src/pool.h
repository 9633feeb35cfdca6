/*
 * pool.h - the node's packet pool: one POSIX shm object holding blocks of a
 * few size classes, addressed by their offset in the object, so every
 * process can map it anywhere. Each block keeps headroom and tailroom so a
 * layer pushes and pops its header in place.
 *
 * Allocation and free take no lock: each thread owns a small cache of free
 * blocks per class in the shared header. Only refilling or flushing a cache
 * touches the class's shared depot, under a robust process-shared mutex; an
 * owner that dies holding it leaves an intent record from which the next
 * locker repairs the depot (EOWNERDEAD).
 *
 * Every block records who is responsible for it (its owner word): a pid
 * while a process holds it, a ring tag while it sits in a ring between two
 * processes, 0 when free. pool_reclaim(pid) returns what a dead process
 * held (its caches included) and pool_reclaim_tag() what a dead ring held,
 * so no packet in a ring is freed because its writer exited.
 *
 *   object:  [header | caches | depot stacks | class 0 blocks | class 1 ...]
 *   block:   [blk header 64 B | headroom | data ...          | tailroom]
 *                                ^head            ^tail
 */
#ifndef OUROBUS_POOL_H
#define OUROBUS_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define POOL_MAX_CLASSES 6
#define POOL_MAX_CACHES  256
#define POOL_CACHE_SLOTS 64
#define POOL_BLK_HDR     64u
#define POOL_HEADROOM    128u
#define POOL_TAILROOM    32u
#define POOL_OWNER_FREE  0u
#define POOL_OWNER_TAG   0x80000000u /* owner = POOL_OWNER_TAG | ring tag */

struct pool_class_cfg {
    uint32_t blk_size; /* bytes, a power of two >= 512 */
    uint32_t count;    /* number of blocks */
};

struct pool_cfg {
    uint32_t nclasses;
    struct pool_class_cfg cls[POOL_MAX_CLASSES];
};

/* The header at the start of every block. */
struct pool_blk {
    _Atomic uint32_t owner; /* POOL_OWNER_FREE, a pid, or POOL_OWNER_TAG | tag */
    uint16_t cls;           /* size class */
    uint16_t flags;         /* free for the layers' use */
    uint32_t head;          /* first data byte, from the block start */
    uint32_t tail;          /* past the last data byte */
    uint32_t size;          /* block size */
};

struct pool_hdr;

/* A process's handle on a mapped pool. */
struct pool {
    uint8_t *base; /* the mapping; block offsets count from here */
    size_t len;
    struct pool_hdr *hdr;
};

/* The default classes: 512 B, 2 KiB, 16 KiB, 128 KiB, 1 MiB blocks. */
void pool_cfg_default(struct pool_cfg *cfg);

/* 0 if cfg is usable, else -EINVAL (and why in *why when not NULL). */
int pool_cfg_check(const struct pool_cfg *cfg, const char **why);

/* Bytes of shared memory a pool of cfg takes. */
size_t pool_cfg_bytes(const struct pool_cfg *cfg);

/* Create the pool as shm object name (mode, e.g. 0660). -EEXIST if it
 * exists, -EINVAL for a bad cfg, else -errno of the shm calls. */
int pool_create(const char *name, const struct pool_cfg *cfg, mode_t mode, struct pool **out);

/* Map an existing pool. -ENOENT, -EACCES, -EPROTO for a mismatch. */
int pool_attach(const char *name, struct pool **out);

/* 0 if mem (len bytes) holds a pool whose geometry is exactly what
 * pool_create lays out, else -EPROTO. pool_attach checks this: the header is
 * writable by every process of the node. */
int pool_layout_check(const void *mem, size_t len);

/* Unmap; this thread's cache goes back to the depots first. NULL-safe. */
void pool_detach(struct pool **pp);

/* Remove the shm object (mappings stay valid until detached). */
int pool_unlink(const char *name);

/* Allocate a block for len data bytes, with the default headroom before
 * them. 0 and *off set, -ENOMEM if the class is exhausted, -EMSGSIZE if no
 * class is large enough. */
int pool_alloc(struct pool *p, size_t len, uint64_t *off);

/* pool_alloc, waiting for a free block until the deadline (CLOCK_MONOTONIC
 * ns; DEADLINE_NONE: forever). -ETIMEDOUT after it. */
int pool_alloc_wait(struct pool *p, size_t len, uint64_t *off, uint64_t deadline);

/* Return a block this process holds. */
void pool_free(struct pool *p, uint64_t off);

/* True if off is the start of a block of this pool whose header is sane:
 * check every offset that came from another process before using it. */
bool pool_blk_valid(const struct pool *p, uint64_t off);

/* Hand a held block to a ring (owner = tag) before pushing it, and take it
 * (owner = this process) after popping it. */
void pool_blk_give(struct pool *p, uint64_t off, uint32_t tag);
void pool_blk_take(struct pool *p, uint64_t off);

/* Free everything a dead process held: its caches and every block whose
 * owner is pid. Returns the number of blocks freed. */
int pool_reclaim(struct pool *p, pid_t pid);

/* Free every block whose owner is the ring tag (after the ring is gone). */
int pool_reclaim_tag(struct pool *p, uint32_t tag);

struct pool_class_stats {
    uint32_t blk_size;
    uint32_t count;
    uint32_t free;      /* in the depot or in caches */
    uint32_t watermark; /* blocks ever handed out */
};

struct pool_stats {
    uint32_t nclasses;
    struct pool_class_stats cls[POOL_MAX_CLASSES];
    uint32_t caches; /* thread caches in use */
    uint64_t repairs;
};

void pool_get_stats(struct pool *p, struct pool_stats *st);

/* The capacity of the biggest class, in data bytes. */
size_t pool_max_len(const struct pool *p);

/* ---- block access, inline ---------------------------------------------- */

static inline struct pool_blk *pool_blk(const struct pool *p, uint64_t off)
{
    return (struct pool_blk *)(p->base + off);
}

static inline uint8_t *pool_blk_data(const struct pool *p, uint64_t off)
{
    struct pool_blk *b = pool_blk(p, off);
    return (uint8_t *)b + b->head;
}

static inline size_t pool_blk_len(const struct pool *p, uint64_t off)
{
    struct pool_blk *b = pool_blk(p, off);
    return b->tail - b->head;
}

/* Start fetching a block that came from another process: its header and
 * the first line of its data, in parallel, before they are read. */
static inline void pool_blk_prefetch(const struct pool *p, uint64_t off)
{
    const uint8_t *b = p->base + off;
    __builtin_prefetch(b, 1);
    __builtin_prefetch(b + POOL_BLK_HDR + POOL_HEADROOM, 0);
}

/* Grow the data by n bytes in front (a header pushed); NULL if the
 * headroom is too small. Returns the new start. */
static inline uint8_t *pool_blk_push_head(const struct pool *p, uint64_t off, size_t n)
{
    struct pool_blk *b = pool_blk(p, off);
    if (b->head < POOL_BLK_HDR + n)
        return NULL;
    b->head -= (uint32_t)n;
    return (uint8_t *)b + b->head;
}

/* Drop n bytes from the front (a header popped); NULL if shorter. Returns
 * the popped bytes. */
static inline uint8_t *pool_blk_pop_head(const struct pool *p, uint64_t off, size_t n)
{
    struct pool_blk *b = pool_blk(p, off);
    uint8_t *h = (uint8_t *)b + b->head;
    if (b->tail - b->head < n)
        return NULL;
    b->head += (uint32_t)n;
    return h;
}

/* Grow the data by n bytes at the end (a trailer); NULL if no room.
 * Returns where the n bytes go. */
static inline uint8_t *pool_blk_push_tail(const struct pool *p, uint64_t off, size_t n)
{
    struct pool_blk *b = pool_blk(p, off);
    uint8_t *t = (uint8_t *)b + b->tail;
    if (b->size - b->tail < n)
        return NULL;
    b->tail += (uint32_t)n;
    return t;
}

/* Drop n bytes from the end; NULL if shorter. Returns the dropped bytes. */
static inline uint8_t *pool_blk_pop_tail(const struct pool *p, uint64_t off, size_t n)
{
    struct pool_blk *b = pool_blk(p, off);
    if (b->tail - b->head < n)
        return NULL;
    b->tail -= (uint32_t)n;
    return (uint8_t *)b + b->tail;
}

#endif
