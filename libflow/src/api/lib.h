/*
 * lib.h - libflow's state in a process: the announce to the IRM daemon, the
 * packet pool and event queues it hands out, the table of flows behind the
 * flow descriptors. The process announces itself again on its first call
 * after the daemon restarted (a new boot epoch). The flow API has no
 * handle, so this state is process-wide; it is reset in the child of a fork.
 */
#ifndef OUROBUS_LIB_H
#define OUROBUS_LIB_H

#include "evq_set.h"
#include "irm.pb.h"
#include "pool.h"
#include "ring_shm.h"
#include "waiter.h"

#include <ourobus/qos.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define LIB_FD_BASE 64   /* descriptors below are reserved, as in the reference */
#define LIB_FD_MAX  4096 /* one past the last descriptor */
#define LIB_FLOWS   (LIB_FD_MAX - LIB_FD_BASE)

enum flow_slot { SLOT_FREE = 0, SLOT_RESERVED, SLOT_OPEN, SLOT_CLOSING };

/* The peer's event queues, mapped once per peer process. */
struct peer_evq {
    pid_t pid;
    int refs;
    struct evq_set set;
};

struct flow {
    _Atomic int state;       /* enum flow_slot */
    _Atomic int refs;        /* calls running on this flow */
    pthread_mutex_t rx_lock; /* one reader at a time: the ring has one consumer */
    pthread_mutex_t tx_lock; /* one writer at a time */
    uint32_t id;
    pid_t peer;
    struct ring_map rx, tx;
    struct peer_evq *peer_evq;
    qosspec_t qos;
    uint32_t max_sdu;       /* the largest packet the path carries */
    _Atomic uint32_t flags; /* FLOWF* */
    uint64_t rcv_timeo;     /* ns; 0 with !has_rcv: none */
    uint64_t snd_timeo;
    bool has_rcv, has_snd;
    struct spin rx_spin, tx_spin;
    uint64_t part_off;     /* a packet read in parts: its block */
    uint32_t part_pos;     /* bytes of it already read */
    bool part_end;         /* the last part filled the buffer: a 0-byte read ends it */
    _Atomic uint32_t fset; /* the flow set (event queue) it is in, 0 = none */
    uint16_t frct_flags;
};

struct lib {
    pthread_mutex_t lock; /* init, descriptors, peers, flow sets */
    pid_t pid;            /* the process the state belongs to (fork check) */
    bool ready;
    struct pool *pool;
    struct evq_set evq;
    uint32_t fsets; /* bitmask of queues in use by flow sets (bit 0: ours) */
    struct peer_evq *peers[64];
    struct flow *flows;    /* LIB_FLOWS slots, fd = LIB_FD_BASE + index */
    _Atomic uint32_t *ids; /* flow id -> fd table (open addressing) */
};

/* The library's state (one per process). */
extern struct lib lib;

/* Announce the process to its IRM daemon if not done yet (or after a fork):
 * 0, -EIRMD, -EACCES, -ENOMEM. */
int lib_ready(void);

/* Announce again (the daemon restarted, or forgot us). */
int lib_reannounce(void);

/* The flow behind fd, held for one call: -EBADF (not a descriptor),
 * -ENOTALLOC (no flow on it). Every flow_get is paired with a flow_put. */
struct flow *flow_get(int fd, int *err);

static inline void flow_put(struct flow *f)
{
    atomic_fetch_sub_explicit(&f->refs, 1, memory_order_release);
}

static inline int flow_fd(const struct flow *f)
{
    return LIB_FD_BASE + (int)(f - lib.flows);
}

/* A free descriptor, reserved (-EBADF when all are taken). */
int flow_reserve(void);
void flow_unreserve(int fd);

/* Open the reserved fd on the flow the daemon described. */
int flow_open(int fd, const irm_flow_info_t *info);

/* The open flow with this flow id, or NULL. */
struct flow *flow_by_id(uint32_t id);

/* Close fd: every call on it ends, its rings are released; tells the
 * daemon unless it is gone. -EINVAL, -ENOTALLOC. */
int flow_close(int fd, bool tell_irmd);

/* Post a packet event for the reader of f's tx ring, if it asked. */
static inline void flow_notify_peer(struct flow *f)
{
    uint32_t q = ring_notify(f->tx.ring);
    struct evq *evq;

    if (q != 0 && f->peer_evq != NULL && (evq = evq_set_queue(&f->peer_evq->set, q)) != NULL)
        evq_post(evq, f->id, EVQ_FLOW_PKT);
}

#endif
