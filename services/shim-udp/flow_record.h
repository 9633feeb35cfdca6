/*
 * flow_record.h - what the UDP shim records of each flow with the IRM
 * daemon (ipcp_flow_set_blob), so a restarted shim knows where the flow's
 * packets go: the peer's address and endpoint id, and its own endpoint id.
 */
#ifndef OUROBUS_FLOW_RECORD_H
#define OUROBUS_FLOW_RECORD_H

#include "udp_addr.h"

#include <stddef.h>
#include <stdint.h>

#define FLOW_RECORD_LEN 28

struct flow_record {
    struct udp_addr peer;
    uint32_t peer_eid;
    uint32_t eid; /* ours */
};

/* Encode r into buf (FLOW_RECORD_LEN bytes): the length. */
size_t flow_record_encode(const struct flow_record *r, uint8_t *buf);

/* Decode a record: 0, or -EBADMSG for another length, version, address
 * family, or a zero endpoint id. */
int flow_record_parse(const uint8_t *buf, size_t len, struct flow_record *r);

#endif
