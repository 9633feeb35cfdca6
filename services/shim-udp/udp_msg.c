/*
 * udp_msg.c - encode and parse the UDP shim's datagrams.
 */
#include "udp_msg.h"
#include "wire.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/*
 * A datagram:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          destination endpoint id (0: management)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  payload (0 bytes or more: a keepalive is empty) ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 */
int udp_data_parse(const uint8_t *buf, size_t len, uint32_t *eid)
{
    if (len < UDP_EID_LEN)
        return -EBADMSG;
    *eid = wire_get32(buf);
    return 0;
}

void udp_data_put_eid(uint8_t *hdr, uint32_t eid)
{
    wire_put32(hdr, eid);
}

/*
 * A management message (47 bytes, then the hash in a FLOW_REQ):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   endpoint id = 0                             |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   s_eid: the sender's endpoint id             |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   d_eid: the receiver's endpoint id           |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   response (signed)                           | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   bandwidth (64 bits)                         | 16
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   delay                                       | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   loss                                        | 28
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   ber                                         | 32
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   max_gap                                     | 36
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   timeout                                     | 40
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     code      | availability  |   in_order    |  hash ...     | 44
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * FLOW_REQ:     s_eid != 0, d_eid 0, response 0, a hash of 1..64 bytes
 * FLOW_REPLY:   d_eid != 0, s_eid != 0 when response is 0, no hash
 * FLOW_DEALLOC: s_eid and d_eid != 0, response 0, no hash
 * in_order is 0 or 1; QoS fields are zero outside a FLOW_REQ.
 */
static int mgmt_check(const struct udp_mgmt *m)
{
    switch (m->code) {
    case UDP_FLOW_REQ:
        if (m->s_eid == 0 || m->d_eid != 0 || m->response != 0 || m->hash_len == 0 ||
            m->hash_len > UDP_HASH_MAX || m->qos.in_order > 1)
            return -EBADMSG;
        return 0;
    case UDP_FLOW_REPLY:
        if (m->d_eid == 0 || (m->response == 0 && m->s_eid == 0) || m->response > 0 ||
            m->hash_len != 0)
            return -EBADMSG;
        return 0;
    case UDP_FLOW_DEALLOC:
        if (m->s_eid == 0 || m->d_eid == 0 || m->response != 0 || m->hash_len != 0)
            return -EBADMSG;
        return 0;
    default:
        return -EBADMSG;
    }
}

int udp_mgmt_encode(const struct udp_mgmt *m, uint8_t *buf, size_t len)
{
    size_t n = UDP_MGMT_LEN + m->hash_len;
    const qosspec_t *q = &m->qos;
    bool req = m->code == UDP_FLOW_REQ;

    if (mgmt_check(m) < 0)
        return -EINVAL;
    if (len < n)
        return -EMSGSIZE;
    wire_put32(buf, UDP_EID_MGMT);
    wire_put32(buf + 4, m->s_eid);
    wire_put32(buf + 8, m->d_eid);
    wire_put32(buf + 12, (uint32_t)m->response);
    wire_put64(buf + 16, req ? q->bandwidth : 0);
    wire_put32(buf + 24, req ? q->delay : 0);
    wire_put32(buf + 28, req ? q->loss : 0);
    wire_put32(buf + 32, req ? q->ber : 0);
    wire_put32(buf + 36, req ? q->max_gap : 0);
    wire_put32(buf + 40, req ? q->timeout : 0);
    buf[44] = m->code;
    buf[45] = req ? q->availability : 0;
    buf[46] = req ? q->in_order : 0;
    if (m->hash_len > 0)
        memcpy(buf + UDP_MGMT_LEN, m->hash, m->hash_len);
    return (int)n;
}

int udp_mgmt_parse(const uint8_t *buf, size_t len, struct udp_mgmt *m)
{
    qosspec_t *q = &m->qos;

    memset(m, 0, sizeof(*m));
    if (len < UDP_MGMT_LEN || len > UDP_MGMT_MAX || wire_get32(buf) != UDP_EID_MGMT)
        return -EBADMSG;
    m->s_eid = wire_get32(buf + 4);
    m->d_eid = wire_get32(buf + 8);
    m->response = (int32_t)wire_get32(buf + 12);
    q->bandwidth = wire_get64(buf + 16);
    q->delay = wire_get32(buf + 24);
    q->loss = wire_get32(buf + 28);
    q->ber = wire_get32(buf + 32);
    q->max_gap = wire_get32(buf + 36);
    q->timeout = wire_get32(buf + 40);
    m->code = buf[44];
    q->availability = buf[45];
    q->in_order = buf[46];
    m->hash_len = len - UDP_MGMT_LEN;
    m->hash = m->hash_len > 0 ? buf + UDP_MGMT_LEN : NULL;
    if (m->code != UDP_FLOW_REQ) {
        static const qosspec_t zero;

        if (memcmp(q, &zero, sizeof(zero)) != 0)
            return -EBADMSG;
    }
    return mgmt_check(m);
}

const char *udp_mgmt_code_str(uint8_t code)
{
    switch (code) {
    case UDP_FLOW_REQ:
        return "FLOW_REQ";
    case UDP_FLOW_REPLY:
        return "FLOW_REPLY";
    case UDP_FLOW_DEALLOC:
        return "FLOW_DEALLOC";
    default:
        return "unknown";
    }
}
