/*
 * eth_mgmt.h - the shim's management messages (endpoint id 0): flow
 * requests, replies and deallocations, name queries and their replies.
 */
#ifndef OUROBUS_ETH_MGMT_H
#define OUROBUS_ETH_MGMT_H

#include "hash.h"

#include <ourobus/qos.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_MGMT_LEN 39 /* the fixed part; a name hash may follow */
#define ETH_MGMT_MAX (ETH_MGMT_LEN + HASH_MAX)

enum eth_mgmt_code {
    ETH_MGMT_FLOW_REQ = 0,         /* + hash: the destination name */
    ETH_MGMT_FLOW_REPLY = 1,       /* response: 0 or -errno */
    ETH_MGMT_NAME_QUERY_REQ = 2,   /* + hash, to ff:ff:ff:ff:ff:ff */
    ETH_MGMT_NAME_QUERY_REPLY = 3, /* + hash, from the host that registered it */
    ETH_MGMT_FLOW_DEALLOC = 4,     /* the sender's end is gone (not in the reference) */
    ETH_MGMT_CODES
};

struct eth_mgmt {
    uint8_t code;  /* enum eth_mgmt_code */
    uint16_t seid; /* the sender's endpoint id */
    uint16_t deid; /* the receiver's endpoint id */
    qosspec_t qos;
    int32_t response;
    uint8_t hash[HASH_MAX];
    uint16_t hash_len;
};

/* True for the codes that carry a name hash. */
static inline int eth_mgmt_has_hash(uint8_t code)
{
    return code == ETH_MGMT_FLOW_REQ || code == ETH_MGMT_NAME_QUERY_REQ ||
           code == ETH_MGMT_NAME_QUERY_REPLY;
}

/* Encode m into buf (cap bytes): its length, or -EMSGSIZE. */
int eth_mgmt_encode(const struct eth_mgmt *m, uint8_t *buf, size_t cap);

/* Decode the len bytes of a message in a layer whose name hashes have
 * hash_len bytes. 0, or -EBADMSG (unknown code, wrong length, a field out
 * of range). */
int eth_mgmt_decode(const uint8_t *buf, size_t len, size_t hash_len, struct eth_mgmt *m);

/* "FLOW_REQ", ... for the logs. */
const char *eth_mgmt_code_str(uint8_t code);

#endif
