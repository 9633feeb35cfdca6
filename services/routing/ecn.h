/*
 * ecn.h - the congestion level a forwarder writes into a packet's DT header
 * (MB-ECN): a function of how many packets wait in the ring of the N-1 flow
 * the packet leaves on. The receiving flow allocator turns the levels it
 * sees into rate feedback for the sender.
 */
#ifndef OUROBUS_ECN_H
#define OUROBUS_ECN_H

#include <stddef.h>
#include <stdint.h>

/* One level per 16 packets queued: a queue under 16 packets is not
 * congestion (a burst drains in microseconds), and level 1..255 then grows
 * linearly with the queue up to 4080 packets and stays there. */
#define ECN_QUEUE_SHIFT 4u
#define ECN_QUEUE_MIN   (1u << ECN_QUEUE_SHIFT)
#define ECN_LEVEL_MAX   255u

/* The level for a packet that leaves behind queued packets in its ring:
 * 0 (not congested) .. ECN_LEVEL_MAX. Raise the header's ECN to it with
 * dt_hdr_ecn_raise (levels are never lowered on the way). */
uint8_t ecn_level(size_t queued);

#endif
