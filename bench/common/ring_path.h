/*
 * ring_path.h - the bare shared-memory packet path, as every flow will use
 * it: the writer allocates a pool block, copies the payload in and pushes
 * its offset into a ring; the reader pops it, copies the payload out and
 * frees the block. Two processes, two rings (one per direction).
 */
#ifndef OUROBUS_BENCH_RING_PATH_H
#define OUROBUS_BENCH_RING_PATH_H

#include "stats.h"

#include <stdint.h>

/* n round trips of a size-byte packet, each way through the path; the
 * readers spin up to spin_ns before sleeping (0: sleep at once). */
int ring_path_rtt(size_t n, size_t size, uint32_t spin_ns, struct samples *out);

/* One-way stream for about seconds; packets/s counted at the reader. */
int ring_path_stream(double seconds, size_t size, uint32_t spin_ns, double *pps, size_t *count);

#endif
