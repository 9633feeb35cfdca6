/*
 * ls.h - the link-state process of a unicast IPCP: our own LSA (our
 * adjacencies, explicit withdrawals), the LSDB fed by the neighbours'
 * floods, and, whenever it changes, the routes, the forwarding tables (one
 * per QoS cube) and the routes file. One lock inside; its own ticking
 * thread for refresh, ageing and recalculation.
 */
#ifndef OUROBUS_LS_H
#define OUROBUS_LS_H

#include "graph.h"
#include "pff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LS_TICK_MS 100 /* a change is routed within a tick */

struct ls_conf {
    uint64_t self;
    enum graph_policy policy;
    uint32_t t_recalc_ms; /* recompute at least this often */
    uint32_t t_update_ms; /* re-announce our LSA */
    uint32_t t_timeo_ms;  /* an LSA not refreshed for this long is dropped */
    const char *routes_path;
};

/* How ls sends an LSA (len bytes) to the neighbour of adjacency id (in a
 * DT packet to EID_LSA): 0 or -errno. Called with ls' lock held. */
typedef int (*ls_send_fn)(void *arg, int id, const uint8_t *lsa, size_t len);

struct ls;

/* Start the link-state process; p gets the forwarding tables. NULL on
 * failure. */
struct ls *ls_new(const struct ls_conf *conf, struct pff *p, ls_send_fn send, void *arg);

/* Stop the thread and free; NULLs *p. */
void ls_destroy(struct ls **p);

/* An adjacency with addr came up as id: announce it, send the neighbour
 * our whole database. */
void ls_adj_up(struct ls *l, int id, uint64_t addr);

/* Adjacency id with addr went down: withdraw it (if id is still the
 * adjacency we route addr over). */
void ls_adj_down(struct ls *l, int id, uint64_t addr);

/* An LSA (len bytes) from the neighbour of adjacency id. */
void ls_recv(struct ls *l, int id, const uint8_t *buf, size_t len);

/* Whether addr is ours or an origin of the database (enrollment picks
 * addresses outside). */
bool ls_knows(struct ls *l, uint64_t addr);

#endif
