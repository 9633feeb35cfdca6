/*
 * eth_frame.h - the shim's Ethernet framing, DIX (an ethertype per layer) or
 * 802.2 LLC (one SAP pair per layer): write a header, parse a received frame.
 * Both carry a 16-bit destination endpoint id and the payload's length.
 */
#ifndef OUROBUS_ETH_FRAME_H
#define OUROBUS_ETH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define ETH_MAC_LEN       6
#define ETH_HDR_LEN       14   /* dst, src, ethertype or 802.3 length */
#define ETH_FRAME_MIN     60   /* shorter frames are padded on the wire */
#define ETH_LLC_MAX_LEN   1500 /* the largest 802.3 length (above: an ethertype) */
#define ETH_TYPE_MIN      0x0600
#define ETH_DIX_TYPE      0xA000 /* the reference's default ethertype */
#define ETH_LLC_SAP       0xA2   /* the layer's DSAP and SSAP: user-defined, individual */
#define ETH_LLC_CTRL      0x03   /* unnumbered information */
#define ETH_DIX_HDR_LEN   (ETH_HDR_LEN + 4)     /* + eid, length */
#define ETH_LLC_HDR_LEN   (ETH_HDR_LEN + 3 + 4) /* + DSAP, SSAP, control, eid, length */
#define ETH_FRAME_HDR_MAX ETH_LLC_HDR_LEN
#define ETH_EID_MGMT      0 /* the endpoint id of management messages */

/* ff:ff:ff:ff:ff:ff */
extern const uint8_t eth_broadcast[ETH_MAC_LEN];

enum eth_framing { ETH_FRAMING_DIX = 0, ETH_FRAMING_LLC };

/* A layer's framing: DIX with its ethertype, or LLC with its SAP. */
struct eth_fmt {
    enum eth_framing framing;
    uint16_t ethertype; /* DIX */
    uint8_t sap;        /* LLC */
};

/* What a parsed frame says; dst and src point into the frame. */
struct eth_frame {
    const uint8_t *dst;
    const uint8_t *src;
    uint16_t eid;     /* destination endpoint id */
    uint16_t len;     /* payload bytes */
    uint16_t hdr_len; /* where the payload starts */
};

/* Bytes of the header of fmt (ETH_DIX_HDR_LEN or ETH_LLC_HDR_LEN). */
static inline size_t eth_fmt_hdr_len(const struct eth_fmt *fmt)
{
    return fmt->framing == ETH_FRAMING_LLC ? ETH_LLC_HDR_LEN : ETH_DIX_HDR_LEN;
}

/* The largest payload an interface of this MTU carries in fmt; 0 if none. */
size_t eth_fmt_max_sdu(const struct eth_fmt *fmt, uint32_t mtu);

/* Write the header of a frame to dst carrying len payload bytes for
 * endpoint eid into hdr (eth_fmt_hdr_len bytes). Returns the header length. */
size_t eth_frame_write(const struct eth_fmt *fmt, uint8_t *hdr, const uint8_t *dst,
                       const uint8_t *src, uint16_t eid, uint16_t len);

/* Parse the n bytes of a received frame. 0 and *out set; -EPROTOTYPE for
 * another protocol (ethertype, not LLC, SAPs, control); -EBADMSG when it is
 * too short or its lengths do not fit the frame. */
int eth_frame_parse(const struct eth_fmt *fmt, const uint8_t *buf, size_t n,
                    struct eth_frame *out);

#endif
