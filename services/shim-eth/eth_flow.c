/*
 * eth_flow.c - the shim's per-flow record and the blob that lets a restarted
 * shim take its flows back.
 */
#include "eth_flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_VERSION 1

struct eth_flow *eth_flow_new(void)
{
    return calloc(1, sizeof(struct eth_flow));
}

void eth_flow_destroy(struct eth_flow **p)
{
    if (p == NULL || *p == NULL)
        return;
    free(*p);
    *p = NULL;
}

void eth_flow_blob_write(const struct eth_flow *ef, uint8_t *blob)
{
    blob[0] = BLOB_VERSION;
    blob[1] = 0;
    blob[2] = (uint8_t)(ef->eid >> 8);
    blob[3] = (uint8_t)ef->eid;
    blob[4] = (uint8_t)(ef->peer_eid >> 8);
    blob[5] = (uint8_t)ef->peer_eid;
    memcpy(blob + 6, ef->peer_mac, ETH_MAC_LEN);
}

int eth_flow_blob_read(struct eth_flow *ef, const void *blob, size_t len)
{
    const uint8_t *b = blob;
    uint16_t eid, peer;

    if (b == NULL || len != ETH_FLOW_BLOB_LEN || b[0] != BLOB_VERSION)
        return -EINVAL;
    eid = (uint16_t)(b[2] << 8 | b[3]);
    peer = (uint16_t)(b[4] << 8 | b[5]);
    if (eid == ETH_EID_MGMT || peer == ETH_EID_MGMT)
        return -EINVAL;
    ef->eid = eid;
    ef->peer_eid = peer;
    memcpy(ef->peer_mac, b + 6, ETH_MAC_LEN);
    return 0;
}
