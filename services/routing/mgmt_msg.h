/*
 * mgmt_msg.h - the prefix a companion (fa, directory, a test program)
 * writes in front of a message in its management tx ring: where routing is
 * to send it. Routing replaces the prefix with a DT header (the companion's
 * endpoint id, cube 0, TTL max) and forwards the packet.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------+---------------+-------------------------------+
 *   |  version (1)  |  flags (0)    |          reserved (0)         |
 *   +---------------+---------------+-------------------------------+
 *   |                 destination address (64 bits,                 |
 *   +                  big-endian, non-zero)                        +
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |  payload ...
 *
 * The DT header carries no source address: a companion protocol that
 * answers carries its own source address inside its message.
 */
#ifndef OUROBUS_MGMT_MSG_H
#define OUROBUS_MGMT_MSG_H

#include <stddef.h>
#include <stdint.h>

#define MGMT_PREFIX_LEN 12u
#define MGMT_VERSION    1u

/* Write the prefix for dst (non-zero) at buf: MGMT_PREFIX_LEN, or
 * -EMSGSIZE if len is short, -EINVAL for dst 0. */
int mgmt_prefix_encode(uint64_t dst, uint8_t *buf, size_t len);

/* Read the prefix at the start of a message of len bytes: MGMT_PREFIX_LEN
 * (the payload follows) with *dst set, or -EBADMSG (short, another
 * version, flags or reserved bits set, dst 0). */
int mgmt_prefix_decode(const uint8_t *buf, size_t len, uint64_t *dst);

#endif
