/*
 * udp_ns.h - the baselines of the benchmarks across namespaces: plain UDP
 * sockets between the first two namespaces (client in A on CPU 0, server in
 * B on CPU 1), a ping-pong and a one-way stream, the same way the flows are
 * measured.
 */
#ifndef OUROBUS_BENCH_UDP_NS_H
#define OUROBUS_BENCH_UDP_NS_H

#include "bench_netns.h"
#include "stats.h"

/* n round trips of size bytes, each timed into out. 0 or -1. The calling
 * process must be in namespace A. */
int udp_ns_rtt(const struct netns_line *p, size_t n, size_t size, struct samples *out);

/* A one-way stream for about seconds: packets/s counted at the receiver. */
int udp_ns_stream(const struct netns_line *p, double seconds, size_t size, double *pps,
                  size_t *count);

#endif
