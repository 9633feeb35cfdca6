/*
 * ipcp_dev.h - what an IPCP daemon (shim-udp, shim-eth, later the unicast
 * services) needs from its node: the announce to the IRM daemon, the
 * requests the daemon sends it (bootstrap, names, queries, flows) turned
 * into calls of its ops, and its N+1 flows - the flows between applications
 * and this IPCP - with zero-copy, non-blocking access to their packets.
 *
 * A flow through an IPCP: the IRM daemon makes two rings between the
 * application and the IPCP, exactly as for a local flow. The IPCP reads the
 * packets the application wrote (np1_flow_read) and sends them over its
 * layer; it writes what the layer delivers (np1_flow_write).
 *
 * Restarts: what an IPCP must not lose lives with the IRM daemon - its layer
 * config (given back at announce: ops->bootstrap runs again) and, per flow,
 * a small record the IPCP sets (ipcp_flow_set_blob: e.g. the peer's address
 * and endpoint id), given back to ops->flow_restore. The IPCP's event queues
 * are named after the IPCP, so a restarted process reads the packet events
 * the applications keep posting.
 */
#ifndef OUROBUS_IPCP_DEV_H
#define OUROBUS_IPCP_DEV_H

#include "event_queue.h"
#include "pool.h"
#include "ring.h"
#include "service.h"

#include <ourobus/irm.h>
#include <ourobus/qos.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IPCP_HASH_MAX 64 /* bytes of a name hash */
#define IPCP_BLOB_MAX 64 /* bytes an IPCP records per flow */
#define NP1_QUEUE     1  /* the queue of the IPCP's event queues its flows post to */

/* An N+1 flow: between an application (peer) and this IPCP. */
struct np1_flow {
    uint32_t id;     /* the IRM's flow id: unique on the node, < 2^22 */
    pid_t peer;      /* the application's process */
    struct ring *rx; /* the application writes, this IPCP reads */
    struct ring *tx; /* this IPCP writes, the application reads */
    qosspec_t qos;
    uint8_t hash[IPCP_HASH_MAX]; /* the name it was allocated to (our side) */
    size_t hash_len;
    uint32_t mpl_ms;  /* the layer's packet lifetime, as the IPCP said */
    bool peer_closed; /* set before ops->flow_dealloc when the peer ended it
                       * (ipcp_flow_close, or a refused allocation): no need
                       * to tell the peer */
    void *priv;       /* the IPCP's own state for the flow */
};

/* What an IPCP type does; every op returns 0 or -errno and runs on the
 * IPCP's main loop thread unless said otherwise. Ops may be NULL: reg,
 * unreg, query then succeed; flow_restore fails (the flow ends). */
struct ipcp_ops {
    /* Join (make) the layer with this config. Also called again, with the
     * config the IRM kept, when the IPCP restarts. */
    int (*bootstrap)(void *ctx, const struct ipcp_config *conf);
    /* Answer flow requests for this name hash (and make it findable). */
    int (*reg)(void *ctx, const uint8_t *hash, size_t len);
    int (*unreg)(void *ctx, const uint8_t *hash, size_t len);
    /* Does the layer reach this name? 0 or -ENAME. Runs on a worker
     * thread and may wait up to timeout_ms (e.g. for a broadcast query). */
    int (*query)(void *ctx, const uint8_t *hash, size_t len, int timeout_ms);
    /* Allocate flow f to hash over the layer: send the request and return;
     * answer later with ipcp_flow_alloc_reply(). */
    int (*flow_alloc)(void *ctx, struct np1_flow *f, const uint8_t *hash, size_t len,
                      int timeout_ms);
    /* f goes away: its application deallocated or died (tell the peer),
     * or the peer ended it (f->peer_closed). Called exactly once for every
     * flow the IPCP had, whichever way it ends; free f->priv here. No
     * np1_flow_read/write of f runs any more; its rings are released after
     * this returns. */
    void (*flow_dealloc)(void *ctx, struct np1_flow *f);
    /* After a restart: f existed, blob is what the IPCP recorded of it. */
    int (*flow_restore)(void *ctx, struct np1_flow *f, const void *blob, size_t len);
    /* The three below run on a worker thread of their own (they wait for
     * the layer, up to timeout_ms) and may be NULL: the request then
     * fails with -ENOTSUP. */
    /* Join the layer through the member dst: learn its config into conf.
     * On 0, ops->bootstrap(conf) then runs on the main loop, and the IRM
     * daemon keeps conf as this IPCP's config (given back at a restart). */
    int (*enroll)(void *ctx, const char *dst, struct ipcp_config *conf, int timeout_ms);
    /* Make (connect) or end (disconnect) the N-1 flow of a component
     * ("dt", "mgmt", or "" for both) to the neighbour dst. */
    int (*connect)(void *ctx, const char *dst, const char *component, const qosspec_t *qos,
                   int timeout_ms);
    int (*disconnect)(void *ctx, const char *dst, const char *component, int timeout_ms);
};

struct ipcp_dev;

/* The IPCP name (unique on the node) and type; the service skeleton svc
 * (whose name should be "<binary>.<ipcp name>") serves the IRM's requests.
 * Announces the IPCP (state: INIT). When the IRM kept a config for it (a
 * restart), the first turn of svc's loop bootstraps it (ops->bootstrap),
 * registers its names again and restores its flows (ops->flow_restore).
 * If the IRM daemon restarts, the IPCP announces itself again.
 * NULL on failure (errno set: EIRMD, no IRM daemon; EEXIST, another
 * process announced this IPCP name with another type). */
struct ipcp_dev *ipcp_dev_new(struct service *svc, const char *name, enum ipcp_type type,
                              const struct ipcp_ops *ops, void *ctx);

/* Release every flow and detach. A stop keeps the flows (the IRM daemon
 * gives them to the next process of this IPCP), so neither the IRM daemon
 * nor the peers are told, and ops->flow_dealloc does not run: free what
 * the flows' priv point to yourself. Waits for the queries in progress
 * (ops->query) to end. NULLs *p; accepts NULL. */
void ipcp_dev_destroy(struct ipcp_dev **p);

/* Tell the IRM the IPCP's state, layer and the largest packet its layer
 * carries (in ops->bootstrap, or when it goes down); applications' writes
 * of bigger packets then fail with -EMSGSIZE. After a bootstrap that did
 * not call it, the IPCP is made OPERATIONAL in the config's layer. Main
 * loop only. */
int ipcp_dev_set_state(struct ipcp_dev *d, enum ipcp_state state, const char *layer,
                       uint32_t max_sdu);

struct pool *ipcp_dev_pool(struct ipcp_dev *d);

/* The event queue this IPCP's flows post packet events to: wait on it in
 * the thread that sends (evq_wait); events carry the flow id. */
struct evq *ipcp_dev_evq(struct ipcp_dev *d);

/* The flow with this id, NULL if none. Safe from any thread, without a
 * lock: a flow's memory outlives its end (ops->flow_dealloc) by a grace
 * period of seconds, so a data thread may use the pointer for the packet
 * at hand; np1_flow_read/write of an ended flow fail with -ENOTALLOC. */
struct np1_flow *ipcp_flow_get(struct ipcp_dev *d, uint32_t id);

/* The ids of the open flows, at most max (after an EVQ_OVERFLOW event on
 * ipcp_dev_evq: look at each). Returns how many. */
int ipcp_dev_flow_ids(struct ipcp_dev *d, uint32_t *ids, int max);

/* ---- flows asked for by the layer's peers ----
 * These and the calls below may be made from any thread. */

/* A peer asks for a flow to hash: find an application that accepts it.
 * Asynchronous: done(ctx, arg, f, err) runs on the main loop once the IRM
 * answered: f is open (send the peer its reply), or NULL with err (refuse).
 * blob: the IPCP's record of the flow (the peer's endpoint), kept with it. */
int ipcp_flow_req_arr(struct ipcp_dev *d, const uint8_t *hash, size_t len, const qosspec_t *qos,
                      uint32_t mpl_ms, const void *blob, size_t blob_len, int timeout_ms,
                      void (*done)(void *ctx, void *arg, struct np1_flow *f, int err),
                      void *arg);

/* ---- flows this IPCP asked its layer for (ops->flow_alloc) ---- */

/* The peer answered: 0 (f carries data from now on) or -errno (f ends:
 * ops->flow_dealloc runs, with f->peer_closed). blob: what to record of
 * the flow. -ENOTALLOC if f is no longer waiting for an answer (the IRM
 * gave up on it: it ends, or has ended). */
int ipcp_flow_alloc_reply(struct ipcp_dev *d, struct np1_flow *f, int response, uint32_t mpl_ms,
                          const void *blob, size_t blob_len);

/* Record (or replace) what a restarted IPCP needs to know of f. */
int ipcp_flow_set_blob(struct ipcp_dev *d, struct np1_flow *f, const void *blob, size_t len);

/* The layer lost f for good (the peer deallocated it, or is gone): the
 * application is told (-EFLOWPEER after what was delivered) and f ends
 * (ops->flow_dealloc runs on the main loop, with f->peer_closed). */
void ipcp_flow_close(struct ipcp_dev *d, struct np1_flow *f);

/* ---- data path: any thread, one reader and one writer per flow ---- */

/* Take the next packet f's application wrote: 0 with *off, a block this
 * thread now holds (pool_blk_data/len; send it, then pool_free it), or
 * -EAGAIN (none), -EFLOWPEER (the application is gone and all is read). */
int np1_flow_read(struct ipcp_dev *d, struct np1_flow *f, uint64_t *off);

/* Hand block off (held by this thread) to f's application; never waits:
 * 0 (the application owns it), or -EAGAIN (its ring is full: the caller
 * still holds the block, drops it and counts), -EFLOWPEER. */
int np1_flow_write(struct ipcp_dev *d, struct np1_flow *f, uint64_t off);

/* Mark f down (its link is gone) or up again; the application's calls
 * fail with -EFLOWDOWN meanwhile and its flow set hears FLOW_DOWN/FLOW_UP. */
void np1_flow_set_down(struct ipcp_dev *d, struct np1_flow *f, bool down);

#endif
