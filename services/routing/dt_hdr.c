/*
 * dt_hdr.c - encode, decode and update the DT header in place.
 */
#include "dt_hdr.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>

/*
 * The header, network byte order, with a 4-byte address (15 bytes):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                destination address (addr_len)                |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   QoS cube    |      TTL      |      ECN      |               |  A
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               +
 * |                     endpoint id (8 bytes)                     |  A+4
 * +                                               +-+-+-+-+-+-+-+-+
 * |                                               |                  A+8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A = addr_len (4 or 8). No source address; only TTL and ECN change on
 * the way.
 */
#define OFF_CUBE(f) ((size_t)(f)->addr_len)
#define OFF_TTL(f)  ((size_t)(f)->addr_len + 1)
#define OFF_ECN(f)  ((size_t)(f)->addr_len + 2)
#define OFF_EID(f)  ((size_t)(f)->addr_len + 3)

static int fmt_ok(const struct dt_fmt *f)
{
    return (f->addr_len == 4 || f->addr_len == 8) && f->eid_len == DT_EID_LEN;
}

static uint64_t addr_mask(const struct dt_fmt *f)
{
    return f->addr_len == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * f->addr_len)) - 1;
}

int dt_fmt_init(struct dt_fmt *f, uint8_t addr_len, uint8_t eid_len)
{
    assert(f != NULL);
    f->addr_len = addr_len;
    f->eid_len = eid_len;
    return fmt_ok(f) ? 0 : -EINVAL;
}

size_t dt_hdr_len(const struct dt_fmt *f)
{
    assert(f != NULL && fmt_ok(f));
    return (size_t)f->addr_len + 3 + f->eid_len;
}

static int hdr_ok(const struct dt_fmt *f, const struct dt_hdr *h)
{
    return h->dst != 0 && (h->dst & ~addr_mask(f)) == 0 && h->cube < QOS_CUBE_MAX &&
           h->ttl != 0;
}

int dt_hdr_encode(const struct dt_fmt *f, const struct dt_hdr *h, uint8_t *buf, size_t len)
{
    size_t n;

    assert(f != NULL && fmt_ok(f) && h != NULL && (buf != NULL || len == 0));
    n = dt_hdr_len(f);
    if (!hdr_ok(f, h))
        return -EINVAL;
    if (len < n)
        return -EMSGSIZE;
    if (f->addr_len == 8)
        wire_put64(buf, h->dst);
    else
        wire_put32(buf, (uint32_t)h->dst);
    buf[OFF_CUBE(f)] = h->cube;
    buf[OFF_TTL(f)] = h->ttl;
    buf[OFF_ECN(f)] = h->ecn;
    wire_put64(buf + OFF_EID(f), h->eid);
    return (int)n;
}

int dt_hdr_decode(const struct dt_fmt *f, const uint8_t *buf, size_t len, struct dt_hdr *h)
{
    size_t n;

    assert(f != NULL && fmt_ok(f) && h != NULL && (buf != NULL || len == 0));
    n = dt_hdr_len(f);
    if (len < n)
        return -EBADMSG;
    h->dst = f->addr_len == 8 ? wire_get64(buf) : wire_get32(buf);
    h->cube = buf[OFF_CUBE(f)];
    h->ttl = buf[OFF_TTL(f)];
    h->ecn = buf[OFF_ECN(f)];
    h->eid = wire_get64(buf + OFF_EID(f));
    return hdr_ok(f, h) ? (int)n : -EBADMSG;
}

int dt_hdr_ttl_dec(const struct dt_fmt *f, uint8_t *buf, size_t len)
{
    assert(f != NULL && fmt_ok(f) && (buf != NULL || len == 0));
    if (len < dt_hdr_len(f) || buf[OFF_TTL(f)] == 0)
        return -EBADMSG;
    return --buf[OFF_TTL(f)];
}

int dt_hdr_ecn_raise(const struct dt_fmt *f, uint8_t *buf, size_t len, uint8_t ecn)
{
    assert(f != NULL && fmt_ok(f) && (buf != NULL || len == 0));
    if (len < dt_hdr_len(f))
        return -EBADMSG;
    /* The worst hop's level, not an OR of levels (which would overstate
     * two mild hops as one congested one). */
    if (ecn > buf[OFF_ECN(f)])
        buf[OFF_ECN(f)] = ecn;
    return buf[OFF_ECN(f)];
}
