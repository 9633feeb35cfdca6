/*
 * pff.h - the packet forwarding function: for each QoS cube, a table from
 * destination address to next hops (N-1 flows), looked up for every packet
 * without a lock or an allocation.
 *
 * Concurrency. A table is immutable once published. The routing thread
 * builds a new one (pff_table_new, pff_table_add), publishes it with
 * pff_publish (an atomic pointer swap, release), and gets the old one back;
 * forwarding threads load the pointer (acquire) in pff_lookup. The old table
 * may still be read by a lookup in flight, so the caller frees it only after
 * a grace period: once every forwarding thread has passed a quiescent point
 * (between two packet batches) since the swap - the QSBR scheme of the
 * daemon's forwarding loops. Marking a next hop down is one atomic bit,
 * seen by the next lookup, with no new table.
 */
#ifndef OUROBUS_PFF_H
#define OUROBUS_PFF_H

#include "dt_hdr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PFF_NHOPS_MAX 8u    /* next hops of one entry (ECMP) */
#define PFF_NHOP_IDS  4096u /* next hops are ids 0 .. PFF_NHOP_IDS - 1 */
#define PFF_READERS                                                                            \
    66u /* forwarding threads: reader ids 0 .. PFF_READERS - 1 (the
                              * adjacencies, then the management rings, then
                              * the N+1 flows' send thread) */

struct pff_table;
struct pff;

/* An empty table for up to max_entries destinations; NULL on allocation
 * failure. */
struct pff_table *pff_table_new(size_t max_entries);

/* Free *t and set it to NULL; NULL is fine. */
void pff_table_free(struct pff_table **t);

/* Route dst (non-zero) over the n next hops (1..PFF_NHOPS_MAX; several: ECMP),
 * with alt (-1 for none) taken at once when they are all down (LFA):
 * 0, -EEXIST for a dst already in t, -ENOSPC when t is full, -EINVAL for an
 * id out of range. Only on a table not yet published. */
int pff_table_add(struct pff_table *t, uint64_t dst, const int *nhops, size_t n, int alt);

/* Destinations in t. */
size_t pff_table_size(const struct pff_table *t);

/* A PFF with an empty table for each cube, every next hop up. */
struct pff *pff_new(void);

/* Free *p, its published tables, and set it to NULL; no lookup may run. */
void pff_destroy(struct pff **p);

/* Make t (or NULL: no routes) the table of cube; takes ownership of t and
 * returns the table it replaces, to free after a grace period (above). */
struct pff_table *pff_publish(struct pff *p, uint8_t cube, struct pff_table *t);

/* Mark next hop nhop down (its N-1 flow failed) or up again. */
void pff_set_down(struct pff *p, int nhop, bool down);

/* Whether nhop is marked down. */
bool pff_is_down(const struct pff *p, int nhop);

/* The next hop of a packet to dst, endpoint eid, in cube: an id, or
 * -EHOSTUNREACH when there is no route or all its next hops are down.
 * Among ECMP next hops the flow (dst, eid) picks one by hash, so a flow
 * keeps its path and its order; a down one passes to the next in turn. */
int pff_lookup(const struct pff *p, uint8_t cube, uint64_t dst, uint64_t eid);

/* The grace period of a replaced table. A forwarding thread (reader id
 * 0 .. PFF_READERS - 1, one thread each) brackets every use of a table or of
 * what a lookup gave it (the next hop's flow) with pff_enter and pff_leave:
 * a few atomic stores and one fence, no lock. It must not block, or call
 * anything that may wait for pff_synchronize, in between. */
void pff_enter(struct pff *p, int reader);
void pff_leave(struct pff *p, int reader);

/* Wait until every reader that was between pff_enter and pff_leave when
 * this was called has left: a table unpublished before it (pff_publish)
 * may then be freed. Any thread; waits microseconds (a packet in flight). */
void pff_synchronize(struct pff *p);

/* The hash of a flow that picks its ECMP next hop. */
uint64_t pff_flow_hash(uint64_t dst, uint64_t eid);

#endif
