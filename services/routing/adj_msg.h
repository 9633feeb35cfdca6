/*
 * adj_msg.h - the management messages between two neighbours of a unicast
 * layer: the hello that opens an adjacency over a fresh N-1 flow (each side
 * says its address), and the keepalive that shows it is still there.
 */
#ifndef OUROBUS_ADJ_MSG_H
#define OUROBUS_ADJ_MSG_H

#include <stddef.h>
#include <stdint.h>

#define ADJ_VERSION 1u
#define ADJ_MSG_LEN 12u

/* Types 1..3 are the enrollment's (enroll_msg.h): the first message on a
 * fresh N-1 flow says which exchange it opens. */
enum adj_type {
    ADJ_HELLO = 16,     /* the side that connects: its address */
    ADJ_HELLO_ACK = 17, /* the side that accepts: its address */
    ADJ_KEEPALIVE = 18, /* in a DT packet to endpoint id 0 */
};

struct adj_msg {
    uint8_t type;  /* enum adj_type */
    uint64_t addr; /* the sender's address, non-zero */
};

/* Encode m into buf: ADJ_MSG_LEN, -EMSGSIZE if len is short, -EINVAL if m
 * breaks a rule of adj_msg_decode. */
int adj_msg_encode(const struct adj_msg *m, uint8_t *buf, size_t len);

/* Decode exactly len bytes: 0, or -EBADMSG (length, version, type,
 * reserved byte, address 0). */
int adj_msg_decode(const uint8_t *buf, size_t len, struct adj_msg *m);

#endif
