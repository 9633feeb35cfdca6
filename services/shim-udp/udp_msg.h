/*
 * udp_msg.h - the UDP shim's wire format: the 4-byte endpoint id in front
 * of every datagram, and the management messages (endpoint id 0) that
 * allocate and deallocate flows. Fields are in network byte order, packed;
 * the layout is the reference's, plus FLOW_DEALLOC. docs/protocols.md.
 */
#ifndef OUROBUS_UDP_MSG_H
#define OUROBUS_UDP_MSG_H

#include <ourobus/qos.h>
#include <stddef.h>
#include <stdint.h>

#define UDP_EID_LEN  4u  /* the endpoint id in front of every datagram */
#define UDP_EID_MGMT 0u  /* the endpoint id of management messages */
#define UDP_MGMT_LEN 47u /* a management message without its hash */
#define UDP_HASH_MAX 64u
#define UDP_MGMT_MAX (UDP_MGMT_LEN + UDP_HASH_MAX)

enum udp_mgmt_code {
    UDP_FLOW_REQ = 1,     /* + the destination name's hash */
    UDP_FLOW_REPLY = 2,   /* response 0: accepted, else -errno */
    UDP_FLOW_DEALLOC = 3, /* the sender's end of the flow is gone */
};

/* A management message, decoded. hash points into the parsed datagram. */
struct udp_mgmt {
    uint8_t code;
    uint32_t s_eid; /* the sender's endpoint id */
    uint32_t d_eid; /* the receiver's (0 in a FLOW_REQ) */
    int32_t response;
    qosspec_t qos;
    const uint8_t *hash;
    size_t hash_len;
};

/* The endpoint id of a datagram (and so where its payload starts):
 * 0 with *eid, or -EBADMSG for one shorter than the id. */
int udp_data_parse(const uint8_t *buf, size_t len, uint32_t *eid);

/* Write eid in front of a payload (UDP_EID_LEN bytes at hdr). */
void udp_data_put_eid(uint8_t *hdr, uint32_t eid);

/* Encode m into buf: the length written, or -EMSGSIZE if len is short, or
 * -EINVAL if m breaks the rules udp_mgmt_parse checks. */
int udp_mgmt_encode(const struct udp_mgmt *m, uint8_t *buf, size_t len);

/* Decode a whole datagram sent to endpoint id 0: 0, or -EBADMSG when its
 * length, code, endpoint ids or QoS break the rules (docs/protocols.md). */
int udp_mgmt_parse(const uint8_t *buf, size_t len, struct udp_mgmt *m);

/* "FLOW_REQ", ... */
const char *udp_mgmt_code_str(uint8_t code);

#endif
