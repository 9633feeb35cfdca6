/*
 * ep_table.h - the shim's endpoint tables: endpoint id -> flow (what the
 * receive thread demultiplexes on), flow id -> flow (what the send thread
 * looks up for each packet event), and (peer MAC, peer endpoint id) -> flow
 * (duplicate requests). The main loop changes them; the data threads read
 * the first two without a lock, inside read sections that ep_table_sync
 * waits out before a removed flow is freed.
 */
#ifndef OUROBUS_EP_TABLE_H
#define OUROBUS_EP_TABLE_H

#include "eth_flow.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define EP_EIDS    65536u /* endpoint ids are 16 bits; 0 is management */
#define EP_READERS 4      /* data threads that read the tables */

/* A data thread's read section counter: odd while inside. */
struct ep_reader {
    alignas(64) _Atomic uint64_t seq;
};

struct ep_table;

/* NULL without memory. */
struct ep_table *ep_table_new(void);

/* Free the tables (not the flows in them). NULLs *p, accepts NULL. */
void ep_table_destroy(struct ep_table **p);

/* Give ef a free endpoint id (ef->eid), the least recently used first:
 * 0, or -ENOSPC when all 65535 are taken. */
int ep_table_add(struct ep_table *t, struct eth_flow *ef);

/* Put ef at its endpoint id ef->eid (a restored flow): 0, -EEXIST, -EINVAL. */
int ep_table_add_at(struct ep_table *t, struct eth_flow *ef);

/* Index ef by its flow id ef->flow_id (< 2^22): 0, -EINVAL, -ENOMEM. */
int ep_table_bind_id(struct ep_table *t, struct eth_flow *ef);

/* Index ef by (ef->peer_mac, ef->peer_eid). */
void ep_table_bind_peer(struct ep_table *t, struct eth_flow *ef);

/* Take ef out of every table it is in. Free it only after ep_table_sync. */
void ep_table_del(struct ep_table *t, struct eth_flow *ef);

/* Wait until every data thread that was inside a read section when this was
 * called has left it: nothing removed before still points at a flow. */
void ep_table_sync(struct ep_table *t);

/* The read section counter of data thread i (< EP_READERS). */
struct ep_reader *ep_table_reader(struct ep_table *t, unsigned int i);

/* Lookups. The first two from any thread inside a read section; the
 * third from the main loop. NULL when absent. */
struct eth_flow *ep_table_by_eid(struct ep_table *t, uint16_t eid);
struct eth_flow *ep_table_by_id(struct ep_table *t, uint32_t flow_id);
struct eth_flow *ep_table_by_peer(struct ep_table *t, const uint8_t *mac, uint16_t peer_eid);

/* The first endpoint id in use >= from, or 0 when none: iterate with
 * for (e = ep_table_next(t, 1); e != 0; e = ep_table_next(t, e + 1)). */
uint32_t ep_table_next(struct ep_table *t, uint32_t from);

/* Endpoint ids in use. */
size_t ep_table_count(const struct ep_table *t);

static inline void ep_read_begin(struct ep_reader *r)
{
    atomic_fetch_add_explicit(&r->seq, 1, memory_order_seq_cst);
}

static inline void ep_read_end(struct ep_reader *r)
{
    atomic_fetch_add_explicit(&r->seq, 1, memory_order_release);
}

#endif
