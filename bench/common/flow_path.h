/*
 * flow_path.h - the flow figures of the benchmarks across namespaces: a
 * server process on one node (CPU 1) that echoes, counts or just frees the
 * flow, and a client in the calling process (namespace and node A, CPU 0)
 * that allocates flows to a name through a layer and times round trips,
 * streams or the allocations themselves.
 */
#ifndef OUROBUS_BENCH_FLOW_PATH_H
#define OUROBUS_BENCH_FLOW_PATH_H

#include "bench_netns.h"
#include "stats.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The server program (<benchmark> --server): in its node's namespace.
 * Each flow opens with a command packet: 'E' echo until a 1-byte packet,
 * 'S' count until a 1-byte packet (the report page), 'C' free it at once. */
int flow_server_main(void);

/* Map the page where the server reports a stream's count. 0 or -1. */
int flow_report_map(bool server);

/* Start the server (this program again, reader spin bound spin_ns) in
 * namespace and node i: it takes the flows of the names bound to this
 * program there. Its pid, or -1. */
pid_t flow_server_start(const struct netns_line *p, int i, uint32_t spin_ns);
void flow_server_stop(pid_t pid);

/* n round trips of size bytes over a flow to name. 0 or -1. */
int flow_rtt(const char *name, size_t n, size_t size, struct samples *out);

/* A one-way stream to name for about seconds: packets/s at the server. */
int flow_stream(const char *name, double seconds, size_t size, double *pps, size_t *count);

/* n flows to name in a row, each allocated, sent 'C' and deallocated:
 * allocations per second of those that succeeded, and how many failed
 * (when none succeeded for 30 s the rest count as failed, not tried). The
 * time of each flow_alloc and flow_dealloc goes to alloc_ns and
 * dealloc_ns when they are not NULL. */
int flow_alloc_rate(const char *name, size_t n, double *per_s, size_t *failed,
                    struct samples *alloc_ns, struct samples *dealloc_ns);

#endif
