/*
 * udp_flow.h - the UDP shim's state of one flow: its endpoint ids, its
 * peer, where it stands in the allocation, and its links in the endpoint
 * table (ep_table.h).
 *
 * Threads: the main loop writes every field; the data threads read eid,
 * fid, np1, peer and peer_eid only after an acquire load of state showed
 * OPEN (peer and peer_eid never change after that), and req_to, which never
 * changes, while the flow is PENDING.
 */
#ifndef OUROBUS_UDP_FLOW_H
#define OUROBUS_UDP_FLOW_H

#include "udp_addr.h"
#include "udp_msg.h"

#include <ourobus/qos.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct np1_flow;
struct shim_lookup;

enum udp_flow_state {
    UDP_FLOW_PENDING = 0, /* allocation under way: no packets sent */
    UDP_FLOW_OPEN,        /* carries packets both ways */
    UDP_FLOW_CLOSED,      /* out of the tables, waiting for its grace period */
};

struct udp_flow {
    struct np1_flow *np1;
    uint32_t fid; /* the IRM's flow id */
    uint32_t eid; /* ours: where the peer sends */
    _Atomic int state;
    bool responder; /* the peer asked for it */

    struct udp_addr req_to; /* requester: where the FLOW_REQ went */
    struct udp_addr peer;   /* where packets go, and the only source accepted */
    uint32_t peer_eid;

    /* requester: the FLOW_REQ, resent until answered or the deadline */
    uint8_t hash[UDP_HASH_MAX];
    size_t hash_len;
    qosspec_t qos;
    uint64_t deadline_ns;
    uint64_t resend_ns;
    uint32_t sent;
    /* responder: the answer, resent when the FLOW_REQ comes again */
    int32_t response;
    bool answered;

    bool tx_queued; /* the send thread's: in its list of flows with packets */

    int timer;                  /* the main loop's timer for it, -1: none */
    void *owner;                /* the daemon (for the timer) */
    struct shim_lookup *lookup; /* requester: the look-up of its peer under way */

    /* ep_table's links */
    _Atomic(struct udp_flow *) fid_next;
    struct udp_flow *peer_next;
    bool in_slot; /* its endpoint id is taken (reserved or published) */
    bool by_fid;  /* published: the data threads find it */
    bool by_peer;
};

static inline int udp_flow_state(const struct udp_flow *f)
{
    return atomic_load_explicit(&f->state, memory_order_acquire);
}

#endif
