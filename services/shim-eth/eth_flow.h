/*
 * eth_flow.h - the shim's record of one flow (np1_flow->priv): the peer's MAC
 * and endpoint id, the allocation's progress, and the blob it leaves with the
 * IRM daemon so that a restarted shim finds its flows again.
 */
#ifndef OUROBUS_ETH_FLOW_H
#define OUROBUS_ETH_FLOW_H

#include "eth_frame.h"
#include "hash.h"

#include <ourobus/qos.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np1_flow;

enum eth_flow_state {
    ETH_FLOW_RESOLVING = 0, /* ours: waiting for the name query's answer */
    ETH_FLOW_REQUESTED,     /* ours: FLOW_REQ sent, waiting for FLOW_REPLY */
    ETH_FLOW_ARRIVING,      /* the peer's: FLOW_REQ handed to the IRM, no accept yet */
    ETH_FLOW_UP,            /* carries data both ways */
    ETH_FLOW_ENDING,        /* handed back to ipcp_dev: ops->flow_dealloc frees it */
};

#define ETH_FLOW_IN_EID  0x1u /* in the endpoint table */
#define ETH_FLOW_IN_ID   0x2u /* in the flow-id index */
#define ETH_FLOW_IN_PEER 0x4u /* in the peer index */

struct eth_flow {
    /* read by the data threads */
    struct np1_flow *f; /* NULL while ARRIVING */
    _Atomic uint32_t state;
    uint16_t eid;      /* ours */
    uint16_t peer_eid; /* valid once UP */
    uint8_t peer_mac[ETH_MAC_LEN];
    uint32_t flow_id;

    /* main loop only */
    uint32_t in; /* ETH_FLOW_IN_* */
    struct eth_flow *peer_next;
    struct eth_flow *pend_next; /* allocations in progress */
    qosspec_t qos;
    uint8_t hash[HASH_MAX];
    uint16_t hash_len;
    bool pending;       /* in the list of allocations in progress */
    uint64_t deadline;  /* ns: give up the allocation */
    uint64_t query_end; /* ns: give up waiting for the name's MAC address */
    uint64_t next_tx;   /* ns: send the request or query (again) */
    int tries;
};

static inline uint32_t eth_flow_state(const struct eth_flow *ef)
{
    return atomic_load_explicit(&ef->state, memory_order_acquire);
}

static inline void eth_flow_set_state(struct eth_flow *ef, uint32_t st)
{
    atomic_store_explicit(&ef->state, st, memory_order_release);
}

/* A zeroed record; NULL without memory. */
struct eth_flow *eth_flow_new(void);

/* Free it; NULLs *p, accepts NULL. */
void eth_flow_destroy(struct eth_flow **p);

#define ETH_FLOW_BLOB_LEN 12

/* The record kept with the IRM daemon:
 *
 *   | version (1) | 0 | our eid (u16) | peer eid (u16) | peer MAC (6) |
 *
 * Writes ETH_FLOW_BLOB_LEN bytes to blob. */
void eth_flow_blob_write(const struct eth_flow *ef, uint8_t *blob);

/* Read a record back into ef (eid, peer eid, peer MAC): 0 or -EINVAL. */
int eth_flow_blob_read(struct eth_flow *ef, const void *blob, size_t len);

#endif
