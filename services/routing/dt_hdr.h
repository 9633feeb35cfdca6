/*
 * dt_hdr.h - the data-transfer (DT) header of a unicast layer: where a
 * packet goes (destination address, endpoint id), in which QoS cube, how
 * many hops it may still take and how congested its path is.
 */
#ifndef OUROBUS_DT_HDR_H
#define OUROBUS_DT_HDR_H

#include <stddef.h>
#include <stdint.h>

/* The QoS cubes of a layer: one forwarding table each. */
enum qos_cube {
    QOS_CUBE_BE = 0,
    QOS_CUBE_VIDEO = 1,
    QOS_CUBE_VOICE = 2,
};
#define QOS_CUBE_MAX 3

#define DT_EID_LEN     8u  /* the only endpoint id width */
#define DT_HDR_MAX     19u /* with 8-byte addresses */
#define DT_TTL_DEFAULT 60u

/* The layer's header format: fixed at bootstrap, sent at enrollment. */
struct dt_fmt {
    uint8_t addr_len; /* 4 or 8 */
    uint8_t eid_len;  /* 8 */
};

/* A decoded header. */
struct dt_hdr {
    uint64_t dst; /* non-zero, fits in addr_len bytes */
    uint8_t cube; /* enum qos_cube */
    uint8_t ttl;  /* non-zero on the wire */
    uint8_t ecn;  /* 0: no congestion seen */
    uint64_t eid;
};

/* Set f for addr_len and eid_len: 0, or -EINVAL for widths not supported. */
int dt_fmt_init(struct dt_fmt *f, uint8_t addr_len, uint8_t eid_len);

/* Bytes of a header in format f (15 or 19). */
size_t dt_hdr_len(const struct dt_fmt *f);

/* Write h at buf (the headroom in front of a payload): the header's length,
 * -EMSGSIZE if len is short, -EINVAL if h breaks the rules the decoder checks. */
int dt_hdr_encode(const struct dt_fmt *f, const struct dt_hdr *h, uint8_t *buf, size_t len);

/* Read the header at the start of a packet of len bytes: its length (the
 * payload follows), or -EBADMSG if the packet is short or the header breaks a
 * rule (address 0 or too wide, unknown cube, TTL 0). */
int dt_hdr_decode(const struct dt_fmt *f, const uint8_t *buf, size_t len, struct dt_hdr *h);

/* Decrement the TTL of the header at buf in place: the new TTL (0: the
 * packet must not be forwarded), or -EBADMSG if len is short or TTL was 0. */
int dt_hdr_ttl_dec(const struct dt_fmt *f, uint8_t *buf, size_t len);

/* Raise the ECN field of the header at buf in place to at least ecn (never
 * lowered): the new value, or -EBADMSG if len is short. */
int dt_hdr_ecn_raise(const struct dt_fmt *f, uint8_t *buf, size_t len, uint8_t ecn);

#endif
