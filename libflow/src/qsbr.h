/*
 * qsbr.h - quiescent-state-based reclamation between a daemon's main loop
 * (which adds and removes flows) and its data threads (which look flows up
 * for every packet without a lock): a removed flow is freed only after
 * every data thread has since passed a quiescent point or was offline.
 *
 * A data thread is online while it may hold a flow pointer: it calls
 * qsbr_online() after a blocking call, qsbr_quiescent() between batches,
 * and qsbr_offline() before it blocks again. A few atomic stores and one
 * fence per batch, nothing per packet.
 */
#ifndef OUROBUS_QSBR_H
#define OUROBUS_QSBR_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#define QSBR_READERS 4

struct qsbr {
    alignas(64) _Atomic uint64_t period;
    struct {
        alignas(64) _Atomic uint64_t seen; /* 0: offline, else the period it saw */
    } reader[QSBR_READERS];
};

/* Everyone offline, period 1. */
void qsbr_init(struct qsbr *q);

static inline void qsbr_quiescent(struct qsbr *q, int reader)
{
    atomic_store_explicit(&q->reader[reader].seen,
                          atomic_load_explicit(&q->period, memory_order_acquire),
                          memory_order_seq_cst);
    /* No load of a flow pointer may move above the store. */
    atomic_thread_fence(memory_order_seq_cst);
}

static inline void qsbr_online(struct qsbr *q, int reader)
{
    qsbr_quiescent(q, reader);
}

static inline void qsbr_offline(struct qsbr *q, int reader)
{
    atomic_store_explicit(&q->reader[reader].seen, 0, memory_order_release);
}

/* Writer (one thread): after unpublishing an object, wait until no reader
 * can still hold it. */
void qsbr_synchronize(struct qsbr *q);

#endif
