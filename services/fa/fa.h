/*
 * fa.h - the state of ourobus-fa, the flow allocator of a unicast IPCP,
 * shared by its threads: the bus loop (fa_bus.c), the receiving thread
 * (fa_rx.c), the ticking thread (fa_tick.c) and one short thread per
 * allocation that resolves a name (fa_alloc.c).
 */
#ifndef OUROBUS_FA_H
#define OUROBUS_FA_H

#include "bus_client.h"
#include "dir_cache.h"
#include "fa_ca.h"
#include "fa_msg.h"
#include "fa_resend.h"
#include "fa_table.h"
#include "mgmt_link.h"
#include "service.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define FA_EID           1u              /* EID_FA: our management endpoint */
#define FA_FLOWS_MAX     4096u           /* flows in the table */
#define FA_MAX_SDU       1400u           /* what a FLOW_REQ offers */
#define FA_MS            1000000ull      /* ns */
#define FA_REQ_RESEND_NS (500 * FA_MS)   /* FLOW_REQ again until the reply */
#define FA_DEALLOC_NS    (500 * FA_MS)   /* FLOW_DEALLOC twice more, 0.5 s apart */
#define FA_UPDATE_NS     (100 * FA_MS)   /* at most one FLOW_UPDATE per flow */
#define FA_ARRIVE_NS     (30000 * FA_MS) /* an unanswered FLOW_REQ is kept */
#define FA_REFUSED_NS    (10000 * FA_MS) /* a refusal is kept for resent REQs */
#define FA_ALLOC_MS      20000u          /* FA_ALLOC's timeout when it gives 0 */
#define FA_CALL_MS       2000            /* a call to routing */

/* What the fa keeps per flow besides the table: its sender's rate. */
struct fa_side {
    uint64_t eid;
    struct fa_ca ca;
    uint64_t update_tx; /* ns: the last FLOW_UPDATE we sent (0: none) */
};

#define FA_ADDR_CACHE    1024  /* names whose address is kept */
#define FA_ADDR_CACHE_MS 10000 /* for this long (as the directory's own cache) */

struct fa {
    const char *name; /* the IPCP */
    const char *node;
    struct service *svc;
    char routing_ep[RUN_PATH_MAX + 64];
    char dir_ep[RUN_PATH_MAX + 64];

    pthread_mutex_t lock; /* everything below up to "threads" */
    pthread_cond_t cond;  /* stop, and the count of alloc threads */
    struct fa_table *table;
    struct fa_resend *resend;
    struct dir_cache *addrs; /* name hash -> address, from recent resolutions */
    struct fa_side *side;
    size_t n_side, cap_side;
    struct mgmt_link link; /* tx side used under the lock */
    unsigned allocs;       /* alloc threads running */
    uint64_t ident;        /* bus client identities handed out */

    /* threads */
    atomic_bool stop;
    atomic_bool attached;      /* the rings are mapped, the rx thread runs */
    atomic_bool resync;        /* ask routing for its flows */
    atomic_uint_fast64_t addr; /* our address (0 before the bootstrap) */
    atomic_uint eid_size;      /* bytes (0: unknown, taken as 8) */
    atomic_uint hash_len;
    atomic_uint_fast64_t bad_msgs; /* undecodable messages dropped */
    pthread_t tick, rx;
    bool tick_on, rx_on;
};

/* A bus client of this process to endpoint ep, named for tag. */
struct bus_client *fa_client(struct fa *fa, const char *ep, const char *tag);

/* The table's source of endpoint ids (fa_rand_fn): random, >= 16, fitting
 * the layer's eid_size. */
int fa_rand_eid(void *arg, uint64_t *out);

/* ---- under fa->lock ---- */

/* Send m to the FA at dst; logs a failure at debug. 0 or -errno. */
int fa_send_msg(struct fa *fa, uint64_t dst, const struct fa_msg *m);

/* The side state of eid, made (rate at its start) if new; NULL if out of
 * memory. */
struct fa_side *fa_side_get(struct fa *fa, uint64_t eid, uint64_t now);

/* Forget the side state of eid. */
void fa_side_drop(struct fa *fa, uint64_t eid);

/* Forget f: its resends, its side state, its entry (eid quarantined). */
void fa_forget(struct fa *fa, struct fa_flow *f, uint64_t now);

/* Tell f's peer we let it go (FLOW_DEALLOC, and two copies over a
 * second), and forget f. */
void fa_release(struct fa *fa, struct fa_flow *f, uint64_t now);

/* The ALLOCATED flow (or our PENDING request) of the IRM's flow_id. */
struct fa_flow *fa_by_flow_id(struct fa *fa, uint32_t flow_id);

/* ---- bus calls to routing (never under fa->lock) ---- */

/* FLOW_ALLOC_REPLY {flow_id, response, binding} on routing's bus. */
int fa_routing_reply(struct bus_client *bc, uint32_t flow_id, int response, uint64_t local_eid,
                     uint64_t peer_addr, uint64_t peer_eid, uint8_t cube);

/* ---- the threads and the methods ---- */

/* Serve FA_ALLOC, FA_DEALLOC, FA_REQ_DONE, FA_CONGESTION. 0 or -errno. */
int fa_serve(struct fa *fa);

/* Resolve and request flow flow_id in a thread of its own. 0 or -errno. */
int fa_alloc_start(struct fa *fa, uint32_t flow_id, const uint8_t *hash, size_t hash_len,
                   const qosspec_t *qos, uint32_t timeout_ms);

/* The receiving thread (started by the ticking one once attached). */
void *fa_rx_main(void *arg);

/* The ticking thread: attach, refresh, re-learn, resend, expire. */
void *fa_tick_main(void *arg);

#endif
