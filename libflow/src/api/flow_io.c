/*
 * flow_io.c - flow_read and flow_write: a packet is copied into a pool
 * block and its offset pushed into the flow's tx ring, or popped from the
 * rx ring and copied out; one copy each way, no lock shared between flows,
 * no system call unless a side sleeps.
 */
#include "lib.h"

#include "deadline.h"

#include <errno.h>
#include <ourobus/dev.h>
#include <ourobus/fccntl.h>
#include <string.h>

#define POOL_WAIT_SLICE_NS 100000000ull /* re-check the flow while the pool is empty */

static inline uint64_t io_deadline(bool nonblock, bool has, uint64_t timeo)
{
    if (nonblock)
        return 0; /* already past: try once */
    return has ? now_ns() + timeo : DEADLINE_NONE;
}

/* A ring or pool wait that ended: the error the caller sees. */
static inline ssize_t io_error(int err, bool nonblock, struct flow *f)
{
    if (atomic_load(&f->state) != SLOT_OPEN)
        return -ENOTALLOC; /* deallocated meanwhile by another thread */
    if (err == -ETIMEDOUT && nonblock)
        return -EAGAIN;
    return err;
}

/* A block from the pool, waiting (in slices, so a deallocation of the flow
 * is seen) while the pool is exhausted. */
static int block_get(struct flow *f, size_t len, uint64_t deadline, uint64_t *off)
{
    int err = pool_alloc(lib.pool, len, off);

    while (err == -ENOMEM) {
        uint64_t slice = now_ns() + POOL_WAIT_SLICE_NS;
        err = pool_alloc_wait(lib.pool, len, off, slice < deadline ? slice : deadline);
        if (err == -ETIMEDOUT && now_ns() < deadline && atomic_load(&f->state) == SLOT_OPEN)
            err = -ENOMEM;
    }
    return err;
}

static ssize_t write_packet(struct flow *f, const void *buf, size_t len, uint64_t deadline,
                            bool nonblock)
{
    uint64_t off;
    int err;

    err = block_get(f, len, deadline, &off);
    if (err < 0)
        return io_error(err, nonblock, f);
    memcpy(pool_blk_data(lib.pool, off), buf, len);
    pool_blk_give(lib.pool, off, f->tx.ring->tag);
    err = ring_push(f->tx.ring, off);
    if (err == -EAGAIN && !nonblock)
        err = ring_push_wait(f->tx.ring, off, deadline, &f->tx_spin);
    if (err < 0) {
        pool_blk_take(lib.pool, off);
        pool_free(lib.pool, off);
        return io_error(err, nonblock, f);
    }
    flow_notify_peer(f);
    return (ssize_t)len;
}

ssize_t flow_write(int fd, const void *buf, size_t count)
{
    struct flow *f;
    uint32_t flags;
    ssize_t r = 0;
    uint64_t deadline;
    size_t max;
    bool nonblock;
    int err;

    if (buf == NULL && count != 0)
        return -EINVAL;
    f = flow_get(fd, &err);
    if (f == NULL)
        return err;
    flags = atomic_load_explicit(&f->flags, memory_order_relaxed);
    if ((flags & FLOWFACCMODE) == FLOWFRDONLY) {
        r = -EPERM;
        goto out;
    }
    if (flags & FLOWFDOWN) {
        r = -EFLOWDOWN;
        goto out;
    }
    max = f->max_sdu;
    if (count > max && (flags & FLOWFWNOPART)) {
        r = -EMSGSIZE;
        goto out;
    }
    nonblock = flags & FLOWFWNOBLOCK;
    deadline = io_deadline(nonblock, f->has_snd, f->snd_timeo);
    pthread_mutex_lock(&f->tx_lock);
    /* With partial writes on, a buffer too big for one packet goes as
     * several. */
    do {
        size_t n = count - (size_t)r < max ? count - (size_t)r : max;
        ssize_t w = write_packet(f, (const char *)buf + r, n, deadline, nonblock);
        if (w < 0) {
            if (r == 0)
                r = w;
            break;
        }
        r += w;
    } while ((size_t)r < count);
    pthread_mutex_unlock(&f->tx_lock);
out:
    flow_put(f);
    return r;
}

/* The rest of a packet read in parts. */
static ssize_t read_part(struct flow *f, void *buf, size_t count)
{
    size_t len = pool_blk_len(lib.pool, f->part_off) - f->part_pos;
    size_t n = len < count ? len : count;

    memcpy(buf, pool_blk_data(lib.pool, f->part_off) + f->part_pos, n);
    f->part_pos += (uint32_t)n;
    if (n == len) {
        pool_free(lib.pool, f->part_off);
        f->part_off = 0;
        f->part_pos = 0;
        f->part_end = n == count; /* the reader cannot tell it ended: say so */
    }
    return (ssize_t)n;
}

ssize_t flow_read(int fd, void *buf, size_t count)
{
    struct flow *f;
    uint32_t flags;
    uint64_t deadline, off;
    ssize_t r;
    size_t len;
    bool nonblock;
    int err;

    if (buf == NULL && count != 0)
        return -EINVAL;
    f = flow_get(fd, &err);
    if (f == NULL)
        return err;
    flags = atomic_load_explicit(&f->flags, memory_order_relaxed);
    if ((flags & FLOWFACCMODE) == FLOWFWRONLY) {
        flow_put(f);
        return -EPERM;
    }
    nonblock = flags & FLOWFRNOBLOCK;
    pthread_mutex_lock(&f->rx_lock);
    if (f->part_end) {
        f->part_end = false;
        r = 0;
        goto out;
    }
    if (f->part_off != 0) {
        if ((flags & FLOWFRNOPART) &&
            pool_blk_len(lib.pool, f->part_off) - f->part_pos > count) {
            r = -EMSGSIZE;
            goto out;
        }
        r = read_part(f, buf, count);
        goto out;
    }
    deadline = io_deadline(nonblock, f->has_rcv, f->rcv_timeo);
    for (;;) {
        err = ring_pop(f->rx.ring, &off);
        if (err == -EAGAIN && !nonblock)
            err = ring_pop_wait(f->rx.ring, &off, deadline, &f->rx_spin);
        if (err < 0) {
            r = io_error(err == -EAGAIN ? -ETIMEDOUT : err, nonblock, f);
            goto out;
        }
        pool_blk_prefetch(lib.pool, off);
        if (!pool_blk_valid(lib.pool, off))
            continue; /* not a block of our pool: a broken writer; dropped */
        pool_blk_take(lib.pool, off);
        len = pool_blk_len(lib.pool, off);
        if (len == 0) {
            pool_free(lib.pool, off); /* a keepalive */
            continue;
        }
        break;
    }
    if (len <= count) {
        memcpy(buf, pool_blk_data(lib.pool, off), len);
        pool_free(lib.pool, off);
        r = (ssize_t)len;
        goto out;
    }
    /* Too long for the buffer: read in parts, or, with partial reads off,
     * dropped (a packet left at the head would block the flow for good). */
    if (flags & FLOWFRNOPART) {
        pool_free(lib.pool, off);
        r = -EMSGSIZE;
        goto out;
    }
    f->part_off = off;
    f->part_pos = 0;
    r = read_part(f, buf, count);
out:
    pthread_mutex_unlock(&f->rx_lock);
    flow_put(f);
    return r;
}
