/*
 * baselines.h - what ourobus is measured against, in the same run: a bare
 * futex ping-pong, a bare busy-poll ping-pong through one shared word, and
 * UDP sockets on 127.0.0.1 (ping-pong and a one-way stream). Client in the
 * calling process (pinned to CPU 0), server in a child (CPU 1).
 */
#ifndef OUROBUS_BENCH_BASELINES_H
#define OUROBUS_BENCH_BASELINES_H

#include "stats.h"

/* n round trips, each timed into out. 0 or -1. */
int base_futex_rtt(size_t n, struct samples *out);
int base_busy_rtt(size_t n, struct samples *out);
int base_udp_rtt(size_t n, size_t size, struct samples *out);

/* A one-way stream for about seconds: packets/s counted at the receiver. */
int base_udp_stream(double seconds, size_t size, double *pps, size_t *count);

#endif
