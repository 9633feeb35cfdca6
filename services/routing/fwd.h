/*
 * fwd.h - what the forwarder does with one DT packet that arrived on an N-1
 * flow: deliver it here (by endpoint id), send it on to a next hop, or drop
 * it for a counted reason. The decision is pure (header, our address, the
 * PFF); the reader threads of nbrs act on it.
 */
#ifndef OUROBUS_FWD_H
#define OUROBUS_FWD_H

#include "dt_hdr.h"
#include "pff.h"

#include <stdint.h>

enum fwd_action {
    FWD_DELIVER = 0, /* for our address: hand it to the owner of h->eid */
    FWD_FORWARD = 1, /* decrement the TTL, mark ECN, write it to nhop */
    FWD_DROP = 2,    /* count it under reason */
};

/* Why a packet was dropped: the index of its counter. */
enum fwd_drop {
    FWD_DROP_BADHDR = 0,  /* the DT header does not decode */
    FWD_DROP_TTL = 1,     /* its TTL would reach 0 here */
    FWD_DROP_NOROUTE = 2, /* no route to dst, or all next hops down */
    FWD_DROP_NOEID = 3,   /* for us, but nobody owns the endpoint id */
    FWD_DROP_FULL = 4,    /* the next hop's flow (or a companion's ring) is full */
    FWD_DROP_NHOP = 5,    /* the next hop went away under the packet */
};
#define FWD_DROP_REASONS 6

struct fwd_verdict {
    enum fwd_action action;
    enum fwd_drop reason; /* FWD_DROP */
    int nhop;             /* FWD_FORWARD: the adjacency id */
};

/* Decide for the decoded header h: self is our address, p our PFF (read
 * without a lock: the caller is inside pff_enter/pff_leave). Delivery
 * takes any TTL; forwarding needs a TTL above 1 (the decremented TTL must
 * stay non-zero on the wire). */
struct fwd_verdict fwd_decide(const struct dt_hdr *h, uint64_t self, const struct pff *p);

/* The counter's name in the drop log line ("ttl", "noroute", ...). */
const char *fwd_drop_name(enum fwd_drop reason);

#endif
