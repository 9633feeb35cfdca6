/*
 * routes_file.h - the routing table as a text file in the run folder
 * (routing.<ipcp>.routes), replaced atomically after every recalculation,
 * for operators and tests:
 *
 *     address 17
 *     neighbours 9 23
 *     route 9 via 9 cost 1
 *     route 40 via 23 cost 2
 */
#ifndef OUROBUS_ROUTES_FILE_H
#define OUROBUS_ROUTES_FILE_H

#include "graph.h"

#include <stddef.h>
#include <stdint.h>

/* Write the table of self (neighbours: the n_nbrs addresses of adjacencies
 * up; routes: by destination) to path through a temporary file: 0 or
 * -errno. */
int routes_file_write(const char *path, uint64_t self, const uint64_t *nbrs, size_t n_nbrs,
                      const struct graph_route *routes, size_t n);

#endif
