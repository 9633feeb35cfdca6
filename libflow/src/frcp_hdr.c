/*
 * frcp_hdr.c - the FRCP header codec (layout in frcp.h), validated decode.
 */
#include "frcp.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>

int frcp_hdr_encode(const struct frcp_hdr *h, uint8_t *buf, size_t cap)
{
    size_t len = (h->flags & FRCP_F_SACK) ? FRCP_HDR_MAX : FRCP_HDR_LEN;

    assert(h && buf);
    if (cap < len)
        return -EMSGSIZE;
    buf[0] = h->flags;
    buf[1] = (uint8_t)(h->window >> 16);
    buf[2] = (uint8_t)(h->window >> 8);
    buf[3] = (uint8_t)h->window;
    wire_put32(buf + 4, h->seqno);
    wire_put32(buf + 8, h->ackno);
    if (h->flags & FRCP_F_SACK) {
        wire_put32(buf + 12, (uint32_t)(h->sack >> 32));
        wire_put32(buf + 16, (uint32_t)h->sack);
    }
    return (int)len;
}

int frcp_hdr_decode(struct frcp_hdr *h, const uint8_t *buf, size_t len)
{
    assert(h && (buf || len == 0));
    if (len < FRCP_HDR_LEN)
        return -EBADMSG;
    h->flags = buf[0];
    /* Fragmentation is not implemented; window and sack need an ackno. */
    if (h->flags & (FRCP_F_FFGM | FRCP_F_MFGM))
        return -EPROTO;
    if ((h->flags & (FRCP_F_FC | FRCP_F_SACK)) && !(h->flags & FRCP_F_ACK))
        return -EPROTO;
    h->window = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
    h->seqno = wire_get32(buf + 4);
    h->ackno = wire_get32(buf + 8);
    h->sack = 0;
    if (!(h->flags & FRCP_F_SACK))
        return FRCP_HDR_LEN;
    if (len < FRCP_HDR_MAX)
        return -EBADMSG;
    h->sack = (uint64_t)wire_get32(buf + 12) << 32 | wire_get32(buf + 16);
    return FRCP_HDR_MAX;
}
