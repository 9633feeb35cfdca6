/*
 * event_queue.h - a process's queue of flow events (flow id + event type) in
 * shared memory, posted by other processes and read by one thread (an
 * fqueue, or a forwarder's loop). Posting never blocks: when the queue is
 * full the post fails with -ENOSPC and the loss is counted, and the reader
 * gets an EVQ_OVERFLOW event before any later one, telling it to look at
 * all its flows again. A loss is never silent.
 *
 * Each slot is one 64-bit word, so a post is claimed and filled by two
 * compare-and-swaps and a post interrupted by a kill cannot corrupt the
 * queue: the reader skips a slot claimed but never filled after
 * EVQ_STALL_NS and reports it as a loss.
 *
 *   slot:  | seq (32) | state (2) | type (8) | flow (22) |
 *   state: FREE (waiting for the post of position seq), FULL, SKIPPED
 */
#ifndef OUROBUS_EVENT_QUEUE_H
#define OUROBUS_EVENT_QUEUE_H

#include "waiter.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define EVQ_MAGIC         0x45565155u /* "EVQU" */
#define EVQ_SLOTS_DEFAULT 4096u
#define EVQ_FLOW_MAX      ((1u << 22) - 1)
#define EVQ_STALL_NS      50000000ull /* a claimed slot unfilled this long is lost */

/* Event types (the values of the flow API's fqueue types). */
#define EVQ_FLOW_PKT     0x01u
#define EVQ_FLOW_DOWN    0x02u
#define EVQ_FLOW_UP      0x04u
#define EVQ_FLOW_ALLOC   0x08u
#define EVQ_FLOW_DEALLOC 0x10u
#define EVQ_FLOW_PEER    0x20u
#define EVQ_OVERFLOW     0x80u /* reader side only: events were lost, rescan */

struct evq_event {
    uint32_t flow;
    uint8_t type;
};

struct evq {
    alignas(64) _Atomic uint32_t tail; /* positions claimed by posters */
    alignas(64) _Atomic uint32_t head; /* positions consumed */
    uint32_t stall_pos;                /* reader only: a claimed, unfilled slot */
    uint64_t stall_since;
    uint64_t lost_seen;                /* reader only: losses already reported */
    alignas(64) _Atomic uint32_t wait; /* 1 while the reader sleeps */
    _Atomic uint64_t lost;             /* events lost (full, or skipped) */
    uint32_t magic;
    uint32_t nslots;
    uint32_t mask;
    alignas(64) _Atomic uint64_t slot[];
};

/* Bytes needed for a queue of nslots (a power of two, 2..2^20). */
size_t evq_size(uint32_t nslots);

/* Lay out an empty queue in memory of evq_size(nslots) bytes. */
int evq_init(struct evq *q, uint32_t nslots);

/* 0 if q (len bytes) holds a queue laid out by evq_init, else -EINVAL. */
int evq_check(const struct evq *q, size_t len);

/* Post an event; never blocks. 0, -ENOSPC (lost and counted), -EINVAL (flow
 * id or type out of range). Wakes the reader if it sleeps. */
int evq_post(struct evq *q, uint32_t flow, uint8_t type);

/* Take the next event without waiting: 1 and *ev set, 0 when none. An
 * EVQ_OVERFLOW event comes first whenever new losses happened. */
int evq_next(struct evq *q, struct evq_event *ev);

/* Wait for the next event: spin per sp (NULL: no spin), then sleep until
 * the deadline. 1 and *ev set, or -ETIMEDOUT. */
int evq_wait(struct evq *q, struct evq_event *ev, uint64_t deadline, struct spin *sp);

/* Events lost so far. */
static inline uint64_t evq_lost(const struct evq *q)
{
    return atomic_load_explicit(&q->lost, memory_order_relaxed);
}

#endif
