/*
 * eth_frame.c - the shim's Ethernet headers (DIX and 802.2 LLC): written in
 * front of each payload, parsed from each received frame.
 */
#include "eth_frame.h"
#include "wire.h"

#include <errno.h>
#include <string.h>

const uint8_t eth_broadcast[ETH_MAC_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

size_t eth_fmt_max_sdu(const struct eth_fmt *fmt, uint32_t mtu)
{
    size_t room;

    if (fmt->framing == ETH_FRAMING_LLC) {
        /* The 802.3 length field counts LLC, shim header and payload. */
        room = mtu < ETH_LLC_MAX_LEN ? mtu : ETH_LLC_MAX_LEN;
        room = room > 7 ? room - 7 : 0;
    } else {
        room = mtu > 4 ? mtu - 4 : 0;
    }
    return room > UINT16_MAX ? UINT16_MAX : room;
}

/*
 * DIX (Ethernet II), one layer per ethertype:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                    destination MAC (6 bytes)                  |
 *   +                               +-------------------------------+
 *   |                               |                               |
 *   +-------------------------------+                               +
 *   |                       source MAC (6 bytes)                    |
 *   +-------------------------------+-------------------------------+
 *   |      ethertype (0xA000)       |  destination endpoint id      |
 *   +-------------------------------+-------------------------------+
 *   |        payload length         |  payload ... (padding)        |
 *   +-------------------------------+-------------------------------+
 *
 * 802.2 LLC, one SAP pair per layer (DSAP = SSAP = 0xA2, control 0x03 UI);
 * the 802.3 length counts the LLC header, the shim header and the payload:
 *
 *   +---------------------------------------------------------------+
 *   |          destination MAC, source MAC (12 bytes)               |
 *   +-------------------------------+---------------+---------------+
 *   |     802.3 length (<= 1500)    |  DSAP (0xA2)  |  SSAP (0xA2)  |
 *   +---------------+---------------+---------------+---------------+
 *   | control 0x03  |  destination endpoint id      | payload length
 *   +---------------+-------------------------------+---------------+
 *   (cont.)         |  payload ... (padding)
 *   +---------------+-----------------------------------------------+
 *
 * Frames under 60 bytes arrive padded: the payload length, never the frame
 * size, says where the payload ends.
 */
size_t eth_frame_write(const struct eth_fmt *fmt, uint8_t *hdr, const uint8_t *dst,
                       const uint8_t *src, uint16_t eid, uint16_t len)
{
    memcpy(hdr, dst, ETH_MAC_LEN);
    memcpy(hdr + ETH_MAC_LEN, src, ETH_MAC_LEN);
    if (fmt->framing == ETH_FRAMING_LLC) {
        wire_put16(hdr + 12, (uint16_t)(3 + 4 + len));
        hdr[14] = fmt->sap;
        hdr[15] = fmt->sap;
        hdr[16] = ETH_LLC_CTRL;
        wire_put16(hdr + 17, eid);
        wire_put16(hdr + 19, len);
        return ETH_LLC_HDR_LEN;
    }
    wire_put16(hdr + 12, fmt->ethertype);
    wire_put16(hdr + 14, eid);
    wire_put16(hdr + 16, len);
    return ETH_DIX_HDR_LEN;
}

int eth_frame_parse(const struct eth_fmt *fmt, const uint8_t *buf, size_t n,
                    struct eth_frame *out)
{
    uint16_t type;
    size_t room; /* bytes after the shim header that belong to the frame */

    if (n < ETH_HDR_LEN)
        return -EBADMSG;
    type = wire_get16(buf + 12);
    if (fmt->framing == ETH_FRAMING_LLC) {
        if (type >= ETH_TYPE_MIN)
            return -EPROTOTYPE; /* an ethertype, not an 802.3 length */
        if (n < ETH_HDR_LEN + 3)
            return -EBADMSG;
        if (buf[14] != fmt->sap || buf[15] != fmt->sap || buf[16] != ETH_LLC_CTRL)
            return -EPROTOTYPE;
        if (type > ETH_LLC_MAX_LEN || type < 3 + 4 || n < ETH_HDR_LEN + (size_t)type)
            return -EBADMSG;
        room = (size_t)type - 3 - 4;
        out->eid = wire_get16(buf + 17);
        out->len = wire_get16(buf + 19);
        out->hdr_len = ETH_LLC_HDR_LEN;
    } else {
        if (type != fmt->ethertype)
            return -EPROTOTYPE;
        if (n < ETH_DIX_HDR_LEN)
            return -EBADMSG;
        room = n - ETH_DIX_HDR_LEN;
        out->eid = wire_get16(buf + 14);
        out->len = wire_get16(buf + 16);
        out->hdr_len = ETH_DIX_HDR_LEN;
    }
    if (out->len > room)
        return -EBADMSG;
    out->dst = buf;
    out->src = buf + ETH_MAC_LEN;
    return 0;
}
