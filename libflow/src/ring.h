/*
 * ring.h - a single-producer single-consumer ring of packet-block offsets in
 * shared memory: one per flow direction. Lock-free; a consumer (or a
 * producer facing a full ring) spins briefly, then sleeps on a futex that
 * the other side wakes only when it was told the sleeper sleeps.
 *
 * Layout (each group on its own cache line so the two sides never write the
 * same line on the fast path):
 *
 *   +------------------+  producer: tail (pushes done), producer pid
 *   +------------------+  consumer: head (pops done), consumer pid
 *   +------------------+  shared:   state, cons_wait, prod_wait, notify,
 *   |                  |            magic, slots, mask, tag
 *   +------------------+
 *   | slot[0..n-1]     |  u64 block offset; 0 = empty. The producer fills an
 *   |                  |  empty slot, the consumer empties a full one: the
 *   +------------------+  slot itself says full/empty, so neither side reads
 *                         the other's counter to push or pop.
 */
#ifndef OUROBUS_RING_H
#define OUROBUS_RING_H

#include "waiter.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RING_MAGIC         0x52494e47u /* "RING" */
#define RING_SLOTS_MIN     2u
#define RING_SLOTS_MAX     (1u << 20)
#define RING_SLOTS_DEFAULT 1024u

/* Ring states; any of them ends a blocked call at once. */
#define RING_DOWN      0x1u /* the flow is down: -EFLOWDOWN */
#define RING_PROD_GONE 0x2u /* the writer is gone: -EFLOWPEER once drained */
#define RING_CONS_GONE 0x4u /* the reader is gone: writes fail -EFLOWPEER */

struct ring {
    alignas(64) _Atomic uint32_t tail;
    _Atomic int32_t prod_pid;
    alignas(64) _Atomic uint32_t head;
    _Atomic int32_t cons_pid;
    alignas(64) _Atomic uint32_t state;
    _Atomic uint32_t cons_wait; /* 1 while the consumer sleeps */
    _Atomic uint32_t prod_wait; /* 1 while the producer sleeps */
    _Atomic uint32_t notify;    /* reader's event queue for packet events; 0 = none */
    uint32_t magic;
    uint32_t nslots;
    uint32_t mask;
    uint32_t tag; /* owner tag of blocks in flight (pool.h) */
    alignas(64) _Atomic uint64_t slot[];
};

/* True when nslots is a power of two in [RING_SLOTS_MIN, RING_SLOTS_MAX]. */
static inline int ring_slots_ok(uint32_t nslots)
{
    return nslots >= RING_SLOTS_MIN && nslots <= RING_SLOTS_MAX && (nslots & (nslots - 1)) == 0;
}

/* Bytes needed for a ring of nslots (a power of two). */
size_t ring_size(uint32_t nslots);

/* Lay out an empty ring in zeroed or reused memory of ring_size(nslots)
 * bytes. -EINVAL if nslots is not a power of two in range. */
int ring_init(struct ring *r, uint32_t nslots, uint32_t tag);

/* 0 if mem of len bytes holds a ring laid out by ring_init, else -EINVAL. */
int ring_check(const struct ring *r, size_t len);

/* Push one offset (non-zero). 0, -EAGAIN (full), -EFLOWDOWN, -EFLOWPEER. */
static inline int ring_push(struct ring *r, uint64_t off);

/* Pop one offset. 0, -EAGAIN (empty), -EFLOWDOWN or -EFLOWPEER (empty and
 * the flow is down or the writer gone). Queued data is always delivered
 * before an error. */
static inline int ring_pop(struct ring *r, uint64_t *off);

/* Blocking variants: spin per sp (NULL: no spin), then sleep until the
 * CLOCK_MONOTONIC deadline (DEADLINE_NONE: forever). -ETIMEDOUT after it,
 * -EINTR if a signal handler (without SA_RESTART) interrupted the sleep. */
int ring_push_wait(struct ring *r, uint64_t off, uint64_t deadline, struct spin *sp);
int ring_pop_wait(struct ring *r, uint64_t *off, uint64_t deadline, struct spin *sp);

/* Pop up to n offsets at once (one wake-up check for all). Returns how many,
 * or the error ring_pop would return when none. */
int ring_pop_burst(struct ring *r, uint64_t *offs, int n);

/* Set / clear state bits; setting wakes both sides so blocked calls end. */
void ring_set_state(struct ring *r, uint32_t bits);
void ring_clear_state(struct ring *r, uint32_t bits);

static inline uint32_t ring_state(const struct ring *r)
{
    return atomic_load_explicit(&r->state, memory_order_acquire);
}

/* Packets queued now (approximate while both sides run). */
static inline uint32_t ring_count(const struct ring *r)
{
    return atomic_load_explicit(&r->tail, memory_order_acquire) -
           atomic_load_explicit(&r->head, memory_order_acquire);
}

/* True when a pop would find a packet now. */
static inline int ring_has_data(const struct ring *r)
{
    return atomic_load_explicit(
               &r->slot[atomic_load_explicit(&r->head, memory_order_relaxed) & r->mask],
               memory_order_acquire) != 0;
}

/* The event queue (of the reader's set) a writer posts a packet event to
 * after each push, or 0: set by the reader (fset_add), read by the writer. */
static inline uint32_t ring_notify(const struct ring *r)
{
    return atomic_load_explicit(&r->notify, memory_order_relaxed);
}

static inline void ring_set_notify(struct ring *r, uint32_t queue)
{
    atomic_store_explicit(&r->notify, queue, memory_order_release);
}

/* Record the pid of each end (for the reaper and for diagnostics). */
static inline void ring_set_producer(struct ring *r, pid_t pid)
{
    atomic_store_explicit(&r->prod_pid, pid, memory_order_release);
}

static inline void ring_set_consumer(struct ring *r, pid_t pid)
{
    atomic_store_explicit(&r->cons_pid, pid, memory_order_release);
}

/* Take every queued offset out of a ring nobody uses any more, calling fn
 * on each (to free its block). Returns how many. */
int ring_drain(struct ring *r, void (*fn)(void *ctx, uint64_t off), void *ctx);

/* ---- fast paths, inline ------------------------------------------------ */

#include <errno.h>
#include <ourobus/errno.h>

static inline int ring_push(struct ring *r, uint64_t off)
{
    uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    _Atomic uint64_t *s = &r->slot[t & r->mask];
    uint32_t st = atomic_load_explicit(&r->state, memory_order_relaxed);

    if (__builtin_expect(st != 0, 0)) {
        if (st & RING_DOWN)
            return -EFLOWDOWN;
        if (st & RING_CONS_GONE)
            return -EFLOWPEER;
    }
    if (atomic_load_explicit(s, memory_order_acquire) != 0)
        return -EAGAIN;
    /* seq_cst: the store must be visible before we read cons_wait below,
     * or a consumer that just decided to sleep would miss this packet. */
    atomic_store_explicit(s, off, memory_order_seq_cst);
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
    futex_wake_flagged(&r->cons_wait);
    return 0;
}

static inline int ring_pop(struct ring *r, uint64_t *off)
{
    uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    _Atomic uint64_t *s = &r->slot[h & r->mask];
    uint64_t v = atomic_load_explicit(s, memory_order_acquire);
    uint32_t st;

    if (v == 0) {
        st = atomic_load_explicit(&r->state, memory_order_acquire);
        if (__builtin_expect(st == 0, 1))
            return -EAGAIN;
        /* The writer may have pushed just before it left: the state was
         * published after that push, so look at the slot once more. */
        v = atomic_load_explicit(s, memory_order_acquire);
        if (v == 0) {
            if (st & RING_DOWN)
                return -EFLOWDOWN;
            if (st & RING_PROD_GONE)
                return -EFLOWPEER;
            return -EAGAIN;
        }
    }
    *off = v;
    /* seq_cst: the slot must look empty before we read prod_wait. */
    atomic_store_explicit(s, 0, memory_order_seq_cst);
    atomic_store_explicit(&r->head, h + 1, memory_order_release);
    futex_wake_flagged(&r->prod_wait);
    return 0;
}

#endif
