/*
 * np1_blob.c - the record of an N+1 flow's binding that the IRM daemon
 * keeps with the flow (ipcp_flow_set_blob) and gives back to a restarted
 * routing: version (1), local endpoint id, peer address, peer endpoint id
 * (64 bits each, big-endian), QoS cube (1).
 */
#include "np1.h"

#include "wire.h"

#include <errno.h>

#define NP1_TOMB UINT64_MAX

#define NP1_BLOB_VERSION 1u

void np1_blob_encode(const struct np1_binding *b, uint8_t *blob)
{
    blob[0] = NP1_BLOB_VERSION;
    wire_put64(blob + 1, b->local_eid);
    wire_put64(blob + 9, b->peer_addr);
    wire_put64(blob + 17, b->peer_eid);
    blob[25] = b->cube;
}

int np1_blob_decode(const uint8_t *blob, size_t len, struct np1_binding *b)
{
    if (len < NP1_BLOB_LEN || blob[0] != NP1_BLOB_VERSION)
        return -EINVAL;
    b->local_eid = wire_get64(blob + 1);
    b->peer_addr = wire_get64(blob + 9);
    b->peer_eid = wire_get64(blob + 17);
    b->cube = blob[25];
    if (b->local_eid == 0 || b->local_eid == NP1_TOMB || b->peer_addr == 0 ||
        b->peer_eid == 0 || b->cube >= QOS_CUBE_MAX)
        return -EINVAL;
    return 0;
}
