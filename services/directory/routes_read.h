/*
 * routes_read.h - routing's routes file (<run>/routing.<ipcp>.routes) as
 * the directory reads it: our address, our neighbours and every address a
 * route leads to or through, the contacts to join the DHT through.
 */
#ifndef OUROBUS_ROUTES_READ_H
#define OUROBUS_ROUTES_READ_H

#include <stddef.h>
#include <stdint.h>

#define ROUTES_READ_MAX 256 /* addresses kept of each kind */

struct routes_read {
    uint64_t self; /* 0 if no "address" line */
    size_t n_nbrs;
    uint64_t nbrs[ROUTES_READ_MAX];
    size_t n_others; /* destinations and next hops that are not neighbours */
    uint64_t others[ROUTES_READ_MAX];
};

/* Parse len bytes of a routes file, as routes_file.c writes them:
 *
 *   address 17
 *   neighbours 9 23
 *   route 40 via 23 [24 ...] [alt 9] cost 2
 *
 * into out. Another process writes the file: a line that breaks these
 * rules is skipped, a number that is not a non-zero decimal address is
 * ignored, our own address and duplicates are left out, and addresses past
 * ROUTES_READ_MAX are dropped. Returns the number of lines skipped. */
int routes_read_parse(const char *text, size_t len, struct routes_read *out);

#endif
