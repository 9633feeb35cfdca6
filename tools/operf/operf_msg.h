/*
 * operf_msg.h - operf's packets. Every one starts with this header in
 * network byte order; data packets are zero-padded to the test's size.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |             type (1 data, 2 end, 3 report)                    |
 * +---------------------------------------------------------------+
 * |   flags (data: 1 = echo it back; report: 1 = the final one)   |
 * +---------------------------------------------------------------+
 * |                                                               |
 * +   seq (64): data: its number from 0; end: packets sent        +
 * |                                                               |
 * +---------------------------------------------------------------+
 *
 * A report (server to client, once a second and after the end) goes on
 * with six 64-bit counters: packets, bytes and lost so far, then the
 * length in ns of the interval it covers and its packets and bytes.
 */
#ifndef OUROBUS_OPERF_MSG_H
#define OUROBUS_OPERF_MSG_H

#include <stddef.h>
#include <stdint.h>

#define OPERF_HDR_LEN    16
#define OPERF_REPORT_LEN (OPERF_HDR_LEN + 6 * 8)

enum operf_type {
    OPERF_DATA = 1,
    OPERF_END = 2,
    OPERF_REPORT = 3,
};

#define OPERF_F_ECHO  1u /* data: send it back */
#define OPERF_F_FINAL 1u /* report: after the end */

struct operf_msg {
    uint32_t type;
    uint32_t flags;
    uint64_t seq;
    /* report only */
    uint64_t packets;
    uint64_t bytes;
    uint64_t lost;
    uint64_t ival_ns;
    uint64_t ival_packets;
    uint64_t ival_bytes;
};

/* Write m into buf (OPERF_HDR_LEN bytes, a report OPERF_REPORT_LEN).
 * Returns the bytes written. */
size_t operf_msg_encode(uint8_t *buf, const struct operf_msg *m);

/* Read a packet of len bytes. 0 or -EBADMSG (short, unknown type). */
int operf_msg_decode(const uint8_t *buf, size_t len, struct operf_msg *m);

#endif
