/*
 * pff_build.h - a forwarding table from the routes graph_routes computed:
 * each neighbour address becomes the id of its N-1 flow.
 */
#ifndef OUROBUS_PFF_BUILD_H
#define OUROBUS_PFF_BUILD_H

#include "graph.h"
#include "pff.h"

#include <stddef.h>
#include <stdint.h>

/* The next-hop id of neighbour addr: >= 0, or < 0 when it has no N-1 flow
 * (any more). */
typedef int (*pff_nhop_fn)(void *arg, uint64_t addr);

/* A new table (not published) with a destination for each of the n routes
 * whose next hops map to ids; next hops without an id are left out, a
 * route with none left is skipped, the LFA alternate kept where it maps.
 * NULL on allocation failure. */
struct pff_table *pff_build(const struct graph_route *routes, size_t n, pff_nhop_fn nhop,
                            void *arg);

#endif
