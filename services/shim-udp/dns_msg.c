/*
 * dns_msg.c - build a DNS query, parse its answer, bounds-checked at
 * every byte (the answer comes from the network).
 */
#include "dns_msg.h"
#include "wire.h"

#include <ctype.h>
#include <errno.h>
#include <ourobus/errno.h>
#include <stdbool.h>
#include <string.h>

#define DNS_HDR_LEN  12
#define DNS_CLASS_IN 1
#define DNS_PTR_HOPS 16 /* compression pointers followed in one name */

/* "a.b" as labels: 1 a 1 b 0. The length, or -EINVAL / -EMSGSIZE. */
static int name_put(const char *name, uint8_t *buf, size_t len)
{
    size_t n = strlen(name), pos = 0;
    const char *p = name;

    if (n > 0 && name[n - 1] == '.')
        n--; /* the root's dot is implied */
    if (n == 0 || n > DNS_NAME_MAX)
        return -EINVAL;
    while (p < name + n) {
        const char *dot = memchr(p, '.', (size_t)(name + n - p));
        size_t l = (size_t)((dot != NULL ? dot : name + n) - p);

        if (l == 0 || l > 63)
            return -EINVAL;
        if (pos + 1 + l + 1 > len)
            return -EMSGSIZE;
        buf[pos++] = (uint8_t)l;
        memcpy(buf + pos, p, l);
        pos += l;
        p += l + (dot != NULL);
    }
    buf[pos++] = 0;
    return (int)pos;
}

/*
 * A message (RFC 1035 4.1):
 *
 *   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |QR|  Opcode   |AA|TC|RD|RA|   Z    |   RCODE   |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |      QDCOUNT  |  ANCOUNT  |  NSCOUNT  |  ARCOUNT  (16 bits each)
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * | question: QNAME (labels) | QTYPE | QCLASS
 * | answers:  NAME | TYPE | CLASS | TTL (32) | RDLENGTH | RDATA
 *
 * A name is labels (a length byte 1..63, then the bytes) ending with a 0,
 * or with a compression pointer (two bytes 11xxxxxx xxxxxxxx: an offset
 * from the message's start where the rest of the name is).
 */
int dns_query_build(uint16_t id, const char *name, uint16_t qtype, uint8_t *buf, size_t len)
{
    int n;

    if (len < DNS_HDR_LEN + 4)
        return -EMSGSIZE;
    memset(buf, 0, DNS_HDR_LEN);
    wire_put16(buf, id);
    wire_put16(buf + 2, 0x0100); /* a standard query, recursion desired */
    wire_put16(buf + 4, 1);
    n = name_put(name, buf + DNS_HDR_LEN, len - DNS_HDR_LEN - 4);
    if (n < 0)
        return n;
    wire_put16(buf + DNS_HDR_LEN + n, qtype);
    wire_put16(buf + DNS_HDR_LEN + n + 2, DNS_CLASS_IN);
    return DNS_HDR_LEN + n + 4;
}

/* Skip the name at *pos (bounds-checked, pointers end it). */
static int name_skip(const uint8_t *buf, size_t len, size_t *pos)
{
    size_t p = *pos;

    for (;;) {
        if (p >= len)
            return -EBADMSG;
        if ((buf[p] & 0xc0) == 0xc0) {
            if (p + 2 > len)
                return -EBADMSG;
            *pos = p + 2;
            return 0;
        }
        if ((buf[p] & 0xc0) != 0)
            return -EBADMSG; /* the reserved label types */
        if (buf[p] == 0) {
            *pos = p + 1;
            return 0;
        }
        p += 1 + buf[p];
    }
}

/* Does the name at pos spell want (case-insensitive, pointers followed)? */
static bool name_is(const uint8_t *buf, size_t len, size_t pos, const char *want)
{
    size_t n = strlen(want), w = 0;
    int hops = 0;

    if (n > 0 && want[n - 1] == '.')
        n--;
    for (;;) {
        size_t l;

        if (pos >= len)
            return false;
        if ((buf[pos] & 0xc0) == 0xc0) {
            if (pos + 2 > len || ++hops > DNS_PTR_HOPS)
                return false;
            pos = (size_t)wire_get16(buf + pos) & 0x3fff;
            continue;
        }
        if ((buf[pos] & 0xc0) != 0)
            return false;
        l = buf[pos++];
        if (l == 0)
            return w == n;
        if (w > 0 && (w >= n || want[w++] != '.'))
            return false;
        if (pos + l > len || w + l > n)
            return false;
        for (size_t i = 0; i < l; i++)
            if (tolower(buf[pos + i]) != tolower((unsigned char)want[w + i]))
                return false;
        w += l;
        pos += l;
    }
}

int dns_answer_parse(const uint8_t *buf, size_t len, uint16_t id, const char *name,
                     uint16_t qtype, struct dns_answer *out)
{
    size_t pos = DNS_HDR_LEN, alen = qtype == DNS_TYPE_A ? 4 : 16;
    uint16_t flags, qd, an;
    bool asked = false;

    if (len < DNS_HDR_LEN || wire_get16(buf) != id)
        return -EBADMSG;
    flags = wire_get16(buf + 2);
    qd = wire_get16(buf + 4);
    an = wire_get16(buf + 6);
    if ((flags & 0x8000) == 0 || (flags & 0x7800) != 0)
        return -EBADMSG; /* not an answer to a standard query */
    for (uint16_t i = 0; i < qd; i++) {
        size_t q = pos;

        if (name_skip(buf, len, &pos) < 0 || pos + 4 > len)
            return -EBADMSG;
        if (name_is(buf, len, q, name) && wire_get16(buf + pos) == qtype &&
            wire_get16(buf + pos + 2) == DNS_CLASS_IN)
            asked = true;
        pos += 4;
    }
    if (!asked)
        return -EBADMSG;
    switch (flags & 0x000f) {
    case 0:
        break;
    case 3: /* NXDOMAIN */
        return -ENAME;
    default: /* SERVFAIL, REFUSED, ... */
        return -EAGAIN;
    }
    for (uint16_t i = 0; i < an; i++) {
        uint16_t type, class, rdlen;
        uint32_t ttl;

        if (name_skip(buf, len, &pos) < 0 || pos + 10 > len)
            return -EBADMSG;
        type = wire_get16(buf + pos);
        class = wire_get16(buf + pos + 2);
        ttl = (uint32_t)wire_get16(buf + pos + 4) << 16 | wire_get16(buf + pos + 6);
        rdlen = wire_get16(buf + pos + 8);
        pos += 10;
        if (pos + rdlen > len)
            return -EBADMSG;
        /* The first address of the type asked for (after any CNAMEs). */
        if (type == qtype && class == DNS_CLASS_IN && rdlen == alen) {
            memset(out, 0, sizeof(*out));
            memcpy(out->addr, buf + pos, alen);
            out->ttl = ttl > 0x7fffffff ? 0 : ttl; /* RFC 2181 8 */
            return 0;
        }
        pos += rdlen;
    }
    return -ENAME; /* the name exists, with no address of that type */
}
