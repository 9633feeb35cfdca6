/*
 * graph.h - the next hops from this IPCP to every other one of the layer,
 * computed on the links of the link-state database under a policy: the
 * shortest path (simple), plus a loop-free alternate (LFA), or all the
 * equal-cost shortest paths (ECMP).
 */
#ifndef OUROBUS_GRAPH_H
#define OUROBUS_GRAPH_H

#include "lsdb.h"

#include <stddef.h>
#include <stdint.h>

#define GRAPH_NHOPS_MAX 8u /* next hops of one ECMP route */

enum graph_policy {
    GRAPH_SIMPLE = 0, /* Dijkstra, one next hop */
    GRAPH_LFA = 1,    /* one next hop and, where one exists, an alternate */
    GRAPH_ECMP = 2,   /* every next hop on a shortest path */
};

/* The route to one destination. Among equal choices the neighbour with the
 * lowest address wins, so the same database always gives the same table. */
struct graph_route {
    uint64_t dst;
    uint64_t cost; /* sum of the metrics on the shortest path */
    uint8_t n_nhops;
    uint64_t nhops[GRAPH_NHOPS_MAX]; /* neighbours, ascending address */
    uint64_t alt;                    /* LFA: the alternate, 0 for none */
};

/* Compute the routes from self under pol: 0 with *routes (by destination
 * address; free with graph_routes_free) and *n (0 when self has no link),
 * or -ENOMEM. */
int graph_routes(const struct lsdb *db, uint64_t self, enum graph_policy pol,
                 struct graph_route **routes, size_t *n);

/* Free *routes and set it to NULL; NULL is fine. */
void graph_routes_free(struct graph_route **routes);

#endif
