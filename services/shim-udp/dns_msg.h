/*
 * dns_msg.h - the two DNS messages the UDP shim's own resolver needs (RFC
 * 1035): a query for the A or AAAA record of one name, and the parse of
 * its answer. Used when the layer names a DNS server (udp_config.dns).
 */
#ifndef OUROBUS_DNS_MSG_H
#define OUROBUS_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#define DNS_TYPE_A    1
#define DNS_TYPE_AAAA 28
#define DNS_NAME_MAX  253 /* characters of a name, without the root's dot */
#define DNS_MSG_MAX   512 /* a UDP answer without EDNS */

struct dns_answer {
    uint8_t addr[16]; /* 4 bytes for A, 16 for AAAA */
    uint32_t ttl;     /* seconds */
};

/* A query (recursion desired) with id for name's record of qtype into buf:
 * its length, -EINVAL for a bad name, -EMSGSIZE if len is short. */
int dns_query_build(uint16_t id, const char *name, uint16_t qtype, uint8_t *buf, size_t len);

/* The answer to that query: 0 and *out (its first record of qtype),
 * -ENAME (no such name, or no record of that type), -EAGAIN (the server
 * failed or refused: ask again later), -EBADMSG (malformed, another id,
 * another question: not an answer to this query). */
int dns_answer_parse(const uint8_t *buf, size_t len, uint16_t id, const char *name,
                     uint16_t qtype, struct dns_answer *out);

#endif
