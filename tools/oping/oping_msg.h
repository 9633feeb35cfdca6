/*
 * oping_msg.h - the ping and pong on the wire: 24 bytes of header in
 * network byte order, then zeros up to the packet size.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 type (0 echo request, 1 reply)                |
 * +---------------------------------------------------------------+
 * |                       id (sequence number)                    |
 * +---------------------------------------------------------------+
 * |                                                               |
 * +          tv_sec  (64 bits, the client's send time)            +
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                                                               |
 * +          tv_nsec (64 bits)                                    +
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                    padding to the size ...                    |
 *
 * The server changes the type to 1 and sends the packet back as it came.
 */
#ifndef OUROBUS_OPING_MSG_H
#define OUROBUS_OPING_MSG_H

#include <stddef.h>
#include <stdint.h>

#define OPING_MSG_LEN      24
#define OPING_ECHO_REQUEST 0
#define OPING_ECHO_REPLY   1

struct oping_msg {
    uint32_t type;
    uint32_t id;
    uint64_t tv_sec;
    uint64_t tv_nsec;
};

/* Write the header into buf (at least OPING_MSG_LEN bytes). */
void oping_msg_encode(uint8_t *buf, const struct oping_msg *m);

/* Read the header from len bytes. 0, or -EBADMSG when too short or of an
 * unknown type. */
int oping_msg_decode(const uint8_t *buf, size_t len, struct oping_msg *m);

/* Turn the request in buf into its reply in place. -EBADMSG when buf is
 * not an echo request. */
int oping_msg_make_reply(uint8_t *buf, size_t len);

#endif
