/*
 * ep_table.h - the UDP shim's flows by endpoint id (for each datagram that
 * comes in), by flow id (for each packet an application writes) and by the
 * peer's address and endpoint id (to spot a FLOW_REQ sent again).
 *
 * The main loop adds and removes; the data threads look up without a lock
 * while online (qsbr.h): a removed flow stays readable until the main loop
 * has waited for a grace period, then it may be freed.
 *
 * Our endpoint id: slot (16 bits, from 1) | generation (16 bits) << 16, so a
 * datagram for a flow that is gone does not reach the next flow that takes
 * its slot.
 */
#ifndef OUROBUS_EP_TABLE_H
#define OUROBUS_EP_TABLE_H

#include "udp_flow.h"

#include <stdatomic.h>
#include <stdint.h>

#define EP_SLOTS        65536u /* flows per IPCP: EP_SLOTS - 1 */
#define EP_FID_BUCKETS  4096u
#define EP_PEER_BUCKETS 4096u

struct ep_table {
    _Atomic(struct udp_flow *) slot[EP_SLOTS];
    uint16_t gen[EP_SLOTS];
    _Atomic(struct udp_flow *) by_fid[EP_FID_BUCKETS];
    struct udp_flow *by_peer[EP_PEER_BUCKETS];
    uint32_t next;  /* where the search for a free slot starts */
    uint32_t count; /* endpoint ids taken */
};

struct ep_table *ep_table_new(void);

/* Free the table (not the flows). NULLs *p; accepts NULL. */
void ep_table_destroy(struct ep_table **p);

/* ---- main loop ---- */

/* Give f a fresh endpoint id, not yet published (a datagram for it is for
 * an unknown endpoint). 0, -ENOSPC. */
int ep_table_reserve(struct ep_table *t, struct udp_flow *f);

/* Reserve the endpoint id f had (a restart). 0, -EINVAL (not an id of
 * ours), -EEXIST (taken). */
int ep_table_reserve_eid(struct ep_table *t, struct udp_flow *f, uint32_t eid);

/* Publish a reserved f by endpoint id and flow id (f->fid set). */
void ep_table_publish(struct ep_table *t, struct udp_flow *f);

/* Reserve and publish. */
int ep_table_add(struct ep_table *t, struct udp_flow *f);

/* Index f by (f->peer, f->peer_eid), once both are known. */
void ep_table_index_peer(struct ep_table *t, struct udp_flow *f);

/* Take f out of everything it is in; free it only after
 * qsbr_synchronize() if it was published. */
void ep_table_remove(struct ep_table *t, struct udp_flow *f);

/* The flow the peer at a asked for with its endpoint id peer_eid. */
struct udp_flow *ep_table_by_peer(struct ep_table *t, const struct udp_addr *a,
                                  uint32_t peer_eid);

/* ---- any thread (a data thread while online) ---- */

static inline struct udp_flow *ep_table_by_eid(struct ep_table *t, uint32_t eid)
{
    struct udp_flow *f =
        atomic_load_explicit(&t->slot[eid & (EP_SLOTS - 1)], memory_order_acquire);

    return f != NULL && f->eid == eid ? f : NULL;
}

static inline struct udp_flow *ep_table_by_fid(struct ep_table *t, uint32_t fid)
{
    struct udp_flow *f =
        atomic_load_explicit(&t->by_fid[fid & (EP_FID_BUCKETS - 1)], memory_order_acquire);

    while (f != NULL && f->fid != fid)
        f = atomic_load_explicit(&f->fid_next, memory_order_acquire);
    return f;
}

/* Call fn on every published flow (fn may remove the flow it is given). */
void ep_table_foreach(struct ep_table *t, void (*fn)(void *arg, struct udp_flow *f), void *arg);

/* Call fn on every flow indexed by its peer, published or not (fn may
 * remove the flow it is given). Main loop. */
void ep_table_foreach_peer(struct ep_table *t, void (*fn)(void *arg, struct udp_flow *f),
                           void *arg);

#endif
