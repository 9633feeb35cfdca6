/*
 * eth_mgmt.c - encode and decode the shim's management messages, packed and
 * in network byte order, the reference's layout plus FLOW_DEALLOC.
 */
#include "eth_mgmt.h"

#include <errno.h>
#include <string.h>

#define ERRNO_MAX 4095 /* the largest error code a response may carry */

static uint8_t *put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    return put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t **p)
{
    uint16_t v = (uint16_t)((*p)[0] << 8 | (*p)[1]);
    *p += 2;
    return v;
}

static uint32_t get32(const uint8_t **p)
{
    const uint8_t *b = *p;
    *p += 4;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t get64(const uint8_t **p)
{
    uint64_t hi = get32(p);
    return hi << 32 | get32(p);
}

const char *eth_mgmt_code_str(uint8_t code)
{
    switch (code) {
    case ETH_MGMT_FLOW_REQ:
        return "FLOW_REQ";
    case ETH_MGMT_FLOW_REPLY:
        return "FLOW_REPLY";
    case ETH_MGMT_NAME_QUERY_REQ:
        return "NAME_QUERY_REQ";
    case ETH_MGMT_NAME_QUERY_REPLY:
        return "NAME_QUERY_REPLY";
    case ETH_MGMT_FLOW_DEALLOC:
        return "FLOW_DEALLOC";
    default:
        return "unknown";
    }
}

/*
 * A management message, the payload of a frame to endpoint id 0:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-------------------------------+-------------------------------+
 *   |   source endpoint id (seid)   | destination endpoint id (deid)|
 *   +-------------------------------+-------------------------------+
 *   |                          loss (u32)                           |
 *   +---------------------------------------------------------------+
 *   |                       bandwidth (u64)                         |
 *   +                                                               +
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                           ber (u32)                           |
 *   +---------------------------------------------------------------+
 *   |                        max gap (u32, ms)                      |
 *   +---------------------------------------------------------------+
 *   |                         delay (u32, ms)                       |
 *   +---------------------------------------------------------------+
 *   |                        timeout (u32, ms)                      |
 *   +---------------------------------------------------------------+
 *   |                     response (i32: 0 or -errno)               |
 *   +---------------+---------------+---------------+---------------+
 *   |   in order    |     code      | availability  | name hash ... |
 *   +---------------+---------------+---------------+---------------+
 *
 * 39 bytes, then the name hash (the layer's hash length) for FLOW_REQ,
 * NAME_QUERY_REQ and NAME_QUERY_REPLY; nothing for FLOW_REPLY and
 * FLOW_DEALLOC. Fields a code does not use are sent as 0.
 */
int eth_mgmt_encode(const struct eth_mgmt *m, uint8_t *buf, size_t cap)
{
    size_t hl = eth_mgmt_has_hash(m->code) ? m->hash_len : 0;
    uint8_t *p = buf;

    if (cap < ETH_MGMT_LEN + hl || hl > HASH_MAX)
        return -EMSGSIZE;
    p = put16(p, m->seid);
    p = put16(p, m->deid);
    p = put32(p, m->qos.loss);
    p = put64(p, m->qos.bandwidth);
    p = put32(p, m->qos.ber);
    p = put32(p, m->qos.max_gap);
    p = put32(p, m->qos.delay);
    p = put32(p, m->qos.timeout);
    p = put32(p, (uint32_t)m->response);
    *p++ = m->qos.in_order;
    *p++ = m->code;
    *p++ = m->qos.availability;
    memcpy(p, m->hash, hl);
    return (int)(ETH_MGMT_LEN + hl);
}

int eth_mgmt_decode(const uint8_t *buf, size_t len, size_t hash_len, struct eth_mgmt *m)
{
    const uint8_t *p = buf;
    size_t want;

    if (len < ETH_MGMT_LEN || hash_len == 0 || hash_len > HASH_MAX)
        return -EBADMSG;
    m->code = buf[37];
    if (m->code >= ETH_MGMT_CODES)
        return -EBADMSG;
    want = ETH_MGMT_LEN + (eth_mgmt_has_hash(m->code) ? hash_len : 0);
    if (len != want)
        return -EBADMSG;
    m->seid = get16(&p);
    m->deid = get16(&p);
    m->qos.loss = get32(&p);
    m->qos.bandwidth = get64(&p);
    m->qos.ber = get32(&p);
    m->qos.max_gap = get32(&p);
    m->qos.delay = get32(&p);
    m->qos.timeout = get32(&p);
    m->response = (int32_t)get32(&p);
    m->qos.in_order = *p++;
    p++; /* code */
    m->qos.availability = *p++;
    if (m->qos.in_order > 1)
        return -EBADMSG;
    if (m->response > 0 || m->response < -ERRNO_MAX)
        return -EBADMSG;
    switch (m->code) {
    case ETH_MGMT_FLOW_REQ:
        if (m->seid == 0)
            return -EBADMSG;
        break;
    case ETH_MGMT_FLOW_REPLY:
        if (m->deid == 0 || (m->response == 0 && m->seid == 0))
            return -EBADMSG;
        break;
    case ETH_MGMT_FLOW_DEALLOC:
        if (m->seid == 0 || m->deid == 0)
            return -EBADMSG;
        break;
    default:
        break;
    }
    m->hash_len = eth_mgmt_has_hash(m->code) ? (uint16_t)hash_len : 0;
    memcpy(m->hash, p, m->hash_len);
    return 0;
}
