/*
 * flow_record.c - the UDP shim's per-flow record, encoded.
 */
#include "flow_record.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define FLOW_RECORD_VERSION 1

/*
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |  version = 1  | family 4 or 6 |         peer's port           |  0
 * +---------------+---------------+---------------+---------------+
 * |  peer's address: 16 bytes (an IPv4 one in the first 4, then 0) |  4
 * +---------------+---------------+---------------+---------------+
 * |                    peer's endpoint id                         | 20
 * +---------------+---------------+---------------+---------------+
 * |                    our endpoint id                            | 24
 * +---------------+---------------+---------------+---------------+
 */
size_t flow_record_encode(const struct flow_record *r, uint8_t *buf)
{
    size_t alen;
    const void *ip = udp_addr_ip(&r->peer, &alen);
    uint16_t port = htons(udp_addr_port(&r->peer));
    uint32_t pe = htonl(r->peer_eid);
    uint32_t e = htonl(r->eid);

    memset(buf, 0, FLOW_RECORD_LEN);
    buf[0] = FLOW_RECORD_VERSION;
    buf[1] = udp_addr_af(&r->peer) == AF_INET ? 4 : 6;
    memcpy(buf + 2, &port, 2);
    memcpy(buf + 4, ip, alen);
    memcpy(buf + 20, &pe, 4);
    memcpy(buf + 24, &e, 4);
    return FLOW_RECORD_LEN;
}

int flow_record_parse(const uint8_t *buf, size_t len, struct flow_record *r)
{
    uint16_t port;
    uint32_t pe, e;
    int af;

    memset(r, 0, sizeof(*r));
    if (len != FLOW_RECORD_LEN || buf[0] != FLOW_RECORD_VERSION || (buf[1] != 4 && buf[1] != 6))
        return -EBADMSG;
    af = buf[1] == 4 ? AF_INET : AF_INET6;
    for (size_t i = af == AF_INET ? 8 : 20; i < 20; i++)
        if (buf[i] != 0)
            return -EBADMSG;
    memcpy(&port, buf + 2, 2);
    memcpy(&pe, buf + 20, 4);
    memcpy(&e, buf + 24, 4);
    r->peer_eid = ntohl(pe);
    r->eid = ntohl(e);
    if (r->peer_eid == 0 || r->eid == 0 || port == 0)
        return -EBADMSG;
    udp_addr_set(&r->peer, af, buf + 4, ntohs(port));
    return 0;
}
