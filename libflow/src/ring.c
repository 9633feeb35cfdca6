/*
 * ring.c - layout, blocking waits, bursts and states of the SPSC rings.
 */
#include "ring.h"

#include "deadline.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

size_t ring_size(uint32_t nslots)
{
    return sizeof(struct ring) + (size_t)nslots * sizeof(uint64_t);
}

int ring_init(struct ring *r, uint32_t nslots, uint32_t tag)
{
    assert(r);
    if (!ring_slots_ok(nslots))
        return -EINVAL;
    memset(r, 0, ring_size(nslots));
    r->nslots = nslots;
    r->mask = nslots - 1;
    r->tag = tag;
    atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
    atomic_store_explicit(&r->head, 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    r->magic = RING_MAGIC;
    return 0;
}

int ring_check(const struct ring *r, size_t len)
{
    if (r == NULL || len < sizeof(struct ring) || r->magic != RING_MAGIC ||
        !ring_slots_ok(r->nslots) || r->mask != r->nslots - 1 || ring_size(r->nslots) > len)
        return -EINVAL;
    return 0;
}

static inline int ring_try(struct ring *r, uint64_t *off, bool push)
{
    return push ? ring_push(r, *off) : ring_pop(r, off);
}

/*
 * One blocking wait, for either side: try; spin up to the budget; then
 * announce the sleep in the side's flag, try once more (the other side may
 * have acted between our try and the announcement) and sleep until the
 * other side clears the flag and wakes us, or the deadline passes.
 */
static int ring_wait(struct ring *r, uint64_t *off, bool push, uint64_t deadline,
                     struct spin *sp)
{
    _Atomic uint32_t *flag = push ? &r->prod_wait : &r->cons_wait;
    bool learn = sp != NULL && sp->max_ns > 0;
    uint64_t start;
    int err;

    err = ring_try(r, off, push);
    if (err != -EAGAIN)
        return err;
    start = learn ? now_ns() : 0;
    if (learn && sp->cur_ns > 0) {
        uint64_t until = start + sp->cur_ns;
        if (until > deadline)
            until = deadline;
        for (unsigned i = 1;; i++) {
            cpu_relax();
            err = ring_try(r, off, push);
            if (err != -EAGAIN)
                goto out;
            if ((i & 15) == 0 && now_ns() >= until)
                break;
        }
    }
    for (;;) {
        atomic_store_explicit(flag, 1, memory_order_seq_cst);
        err = ring_try(r, off, push);
        if (err != -EAGAIN)
            break;
        err = futex_wait_until(flag, 1, deadline);
        if (err == -ETIMEDOUT || err == -EINTR) {
            int got = ring_try(r, off, push);
            if (got != -EAGAIN)
                err = got;
            break;
        }
    }
    atomic_store_explicit(flag, 0, memory_order_relaxed);
out:
    if (learn && err != -ETIMEDOUT && err != -EINTR)
        spin_learn(sp, now_ns() - start);
    return err;
}

int ring_pop_wait(struct ring *r, uint64_t *off, uint64_t deadline, struct spin *sp)
{
    assert(r && off);
    return ring_wait(r, off, false, deadline, sp);
}

int ring_push_wait(struct ring *r, uint64_t off, uint64_t deadline, struct spin *sp)
{
    assert(r && off != 0);
    return ring_wait(r, &off, true, deadline, sp);
}

int ring_pop_burst(struct ring *r, uint64_t *offs, int n)
{
    uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    int got = 0;

    assert(r && offs && n > 0);
    while (got < n) {
        _Atomic uint64_t *s = &r->slot[(h + (uint32_t)got) & r->mask];
        uint64_t v = atomic_load_explicit(s, memory_order_acquire);
        if (v == 0)
            break;
        offs[got++] = v;
        atomic_store_explicit(s, 0, memory_order_relaxed);
    }
    if (got == 0) {
        int err = ring_pop(r, offs); /* reports the ring's state */
        return err == 0 ? 1 : err;
    }
    atomic_thread_fence(memory_order_seq_cst);
    atomic_store_explicit(&r->head, h + (uint32_t)got, memory_order_release);
    futex_wake_flagged(&r->prod_wait);
    return got;
}

void ring_set_state(struct ring *r, uint32_t bits)
{
    assert(r);
    atomic_fetch_or_explicit(&r->state, bits, memory_order_seq_cst);
    futex_wake_flagged(&r->cons_wait);
    futex_wake_flagged(&r->prod_wait);
}

void ring_clear_state(struct ring *r, uint32_t bits)
{
    assert(r);
    atomic_fetch_and_explicit(&r->state, ~bits, memory_order_seq_cst);
}

int ring_drain(struct ring *r, void (*fn)(void *ctx, uint64_t off), void *ctx)
{
    int n = 0;

    assert(r && fn);
    for (uint32_t i = 0; i < r->nslots; i++) {
        uint64_t v = atomic_exchange_explicit(&r->slot[i], 0, memory_order_acq_rel);
        if (v != 0) {
            fn(ctx, v);
            n++;
        }
    }
    atomic_store_explicit(&r->head, atomic_load(&r->tail), memory_order_release);
    return n;
}
