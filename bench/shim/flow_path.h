/*
 * flow_path.h - the flow figures of bench shim: a server process in
 * namespace B on node B (CPU 1) that echoes or counts, and a client in the
 * calling process (namespace A, node A, CPU 0) that allocates a flow to a
 * name through a shim layer and times round trips or streams.
 */
#ifndef OUROBUS_BENCH_FLOW_PATH_H
#define OUROBUS_BENCH_FLOW_PATH_H

#include "bench_netns.h"
#include "stats.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The server program (bench_shim --server): in namespace B, on node B. */
int flow_server_main(void);

/* Map the page where the server reports a stream's count. 0 or -1. */
int flow_report_map(bool server);

/* Start the server (reader spin bound spin_ns): it takes the flows of the
 * names bound to this program on node B. Its pid, or -1. */
pid_t flow_server_start(const struct netns_pair *p, uint32_t spin_ns);
void flow_server_stop(pid_t pid);

/* n round trips of size bytes over a flow to name. 0 or -1. */
int flow_rtt(const char *name, size_t n, size_t size, struct samples *out);

/* A one-way stream to name for about seconds: packets/s at the server. */
int flow_stream(const char *name, double seconds, size_t size, double *pps, size_t *count);

#endif
