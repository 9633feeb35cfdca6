/*
 * event_queue.c - the multi-producer, single-reader event queue.
 */
#include "event_queue.h"

#include "deadline.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

enum { SLOT_FREE = 0, SLOT_FULL = 1, SLOT_SKIPPED = 2 };

static inline uint64_t slot_make(uint32_t seq, uint32_t state, uint32_t type, uint32_t flow)
{
    return (uint64_t)seq << 32 | (uint64_t)state << 30 | (uint64_t)type << 22 | flow;
}

static inline uint32_t slot_seq(uint64_t v)
{
    return (uint32_t)(v >> 32);
}

static inline uint32_t slot_state(uint64_t v)
{
    return (uint32_t)(v >> 30) & 3u;
}

static int slots_ok(uint32_t n)
{
    return n >= 2 && n <= (1u << 20) && (n & (n - 1)) == 0;
}

size_t evq_size(uint32_t nslots)
{
    return sizeof(struct evq) + (size_t)nslots * sizeof(uint64_t);
}

int evq_init(struct evq *q, uint32_t nslots)
{
    assert(q);
    if (!slots_ok(nslots))
        return -EINVAL;
    memset(q, 0, sizeof(*q));
    q->nslots = nslots;
    q->mask = nslots - 1;
    for (uint32_t i = 0; i < nslots; i++)
        atomic_store_explicit(&q->slot[i], slot_make(i, SLOT_FREE, 0, 0), memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    q->magic = EVQ_MAGIC;
    return 0;
}

int evq_check(const struct evq *q, size_t len)
{
    if (q == NULL || len < sizeof(struct evq) || q->magic != EVQ_MAGIC ||
        !slots_ok(q->nslots) || q->mask != q->nslots - 1 || evq_size(q->nslots) > len)
        return -EINVAL;
    return 0;
}

int evq_post(struct evq *q, uint32_t flow, uint8_t type)
{
    uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    uint64_t expect;

    if (flow > EVQ_FLOW_MAX || type == 0 || type == EVQ_OVERFLOW)
        return -EINVAL;
    for (;;) {
        uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
        if (t - h >= q->nslots) {
            atomic_fetch_add_explicit(&q->lost, 1, memory_order_seq_cst);
            futex_wake_flagged(&q->wait);
            return -ENOSPC;
        }
        if (atomic_compare_exchange_weak_explicit(&q->tail, &t, t + 1, memory_order_acq_rel,
                                                  memory_order_relaxed))
            break;
    }
    /* The reader may have given up on this slot (we were stalled too long):
     * then the CAS fails and the reader has already counted the loss. */
    expect = slot_make(t, SLOT_FREE, 0, 0);
    if (!atomic_compare_exchange_strong_explicit(&q->slot[t & q->mask], &expect,
                                                 slot_make(t, SLOT_FULL, type, flow),
                                                 memory_order_seq_cst, memory_order_relaxed))
        return -ENOSPC;
    futex_wake_flagged(&q->wait);
    return 0;
}

/* Give the slot at position h back to posters (for position h + nslots). */
static inline void slot_release(struct evq *q, uint32_t h)
{
    atomic_store_explicit(&q->slot[h & q->mask], slot_make(h + q->nslots, SLOT_FREE, 0, 0),
                          memory_order_release);
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
    q->stall_since = 0;
}

int evq_next(struct evq *q, struct evq_event *ev)
{
    assert(q && ev);
    for (;;) {
        uint64_t lost = atomic_load_explicit(&q->lost, memory_order_acquire);
        uint32_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
        uint64_t v;

        if (lost != q->lost_seen) {
            q->lost_seen = lost;
            ev->flow = 0;
            ev->type = EVQ_OVERFLOW;
            return 1;
        }
        v = atomic_load_explicit(&q->slot[h & q->mask], memory_order_acquire);
        if (slot_seq(v) == h && slot_state(v) == SLOT_FULL) {
            ev->flow = (uint32_t)(v & EVQ_FLOW_MAX);
            ev->type = (uint8_t)(v >> 22);
            slot_release(q, h);
            return 1;
        }
        if (slot_seq(v) == h && slot_state(v) == SLOT_SKIPPED) {
            slot_release(q, h);
            continue;
        }
        if (slot_seq(v) != h) {
            /* Only a corrupted queue gets here: drop the slot, say so. */
            atomic_fetch_add(&q->lost, 1);
            slot_release(q, h);
            continue;
        }
        /* FREE: empty, or claimed by a poster that has not filled it. */
        if (atomic_load_explicit(&q->tail, memory_order_acquire) == h)
            return 0;
        if (q->stall_pos != h || q->stall_since == 0) {
            q->stall_pos = h;
            q->stall_since = now_ns();
            return 0;
        }
        if (now_ns() - q->stall_since < EVQ_STALL_NS)
            return 0;
        /* The poster died or is stuck: skip the slot, report the loss. */
        if (atomic_compare_exchange_strong(&q->slot[h & q->mask], &v,
                                           slot_make(h, SLOT_SKIPPED, 0, 0))) {
            atomic_fetch_add(&q->lost, 1);
            q->stall_since = 0;
        }
    }
}

int evq_wait(struct evq *q, struct evq_event *ev, uint64_t deadline, struct spin *sp)
{
    bool learn = sp != NULL && sp->max_ns > 0;
    uint64_t start;
    int r;

    assert(q && ev);
    r = evq_next(q, ev);
    if (r != 0)
        return r;
    start = learn ? now_ns() : 0;
    if (learn && sp->cur_ns > 0) {
        uint64_t until = start + sp->cur_ns;
        for (unsigned i = 1;; i++) {
            cpu_relax();
            r = evq_next(q, ev);
            if (r != 0)
                goto out;
            if ((i & 15) == 0 && (now_ns() >= until || now_ns() >= deadline))
                break;
        }
    }
    for (;;) {
        uint64_t until = deadline;
        atomic_store_explicit(&q->wait, 1, memory_order_seq_cst);
        r = evq_next(q, ev);
        if (r != 0)
            break;
        /* A stalled slot is not woken for: come back to skip it in time. */
        if (q->stall_since != 0 && q->stall_since + EVQ_STALL_NS < until)
            until = q->stall_since + EVQ_STALL_NS;
        r = futex_wait_until(&q->wait, 1, until);
        if ((r == -ETIMEDOUT && until == deadline) || r == -EINTR) {
            int got = evq_next(q, ev);
            if (got != 0)
                r = got;
            break;
        }
    }
    atomic_store_explicit(&q->wait, 0, memory_order_relaxed);
out:
    if (learn && r > 0)
        spin_learn(sp, now_ns() - start);
    return r;
}
