/*
 * lsa.c - encode and validate link-state advertisements.
 */
#include "lsa.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

/*
 * An LSA, network byte order, 20 bytes and 16 per link:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |  reserved = 0 |        number of links        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     origin address (64 bits)                  |  4
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     sequence number (64 bits)                 | 12
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     neighbour address (64 bits)               | 20 + 16 i
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     metric (1..2^24-1)                        | 28 + 16 i
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     flags     |             reserved = 0                      | 32 + 16 i
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * flags: bit 0 (LSA_LINK_DOWN) withdraws the adjacency; the others are 0.
 * The length is exactly 20 + 16 * links, links <= LSA_LINKS_MAX.
 */
static int link_ok(const struct lsa *l, size_t i)
{
    const struct lsa_link *k = &l->links[i];

    if (k->addr == 0 || k->addr == l->origin || k->metric == 0 || k->metric > LSA_METRIC_MAX)
        return 0;
    for (size_t j = 0; j < i; j++)
        if (l->links[j].addr == k->addr)
            return 0;
    return 1;
}

static int lsa_ok(const struct lsa *l)
{
    if (l->origin == 0 || l->n_links > LSA_LINKS_MAX)
        return 0;
    for (size_t i = 0; i < l->n_links; i++)
        if (!link_ok(l, i))
            return 0;
    return 1;
}

size_t lsa_len(size_t n_links)
{
    return LSA_HDR_LEN + n_links * LSA_LINK_LEN;
}

int lsa_encode(const struct lsa *l, uint8_t *buf, size_t len)
{
    size_t n;

    assert(l != NULL && (buf != NULL || len == 0));
    if (!lsa_ok(l))
        return -EINVAL;
    n = lsa_len(l->n_links);
    if (len < n)
        return -EMSGSIZE;
    memset(buf, 0, n);
    buf[0] = LSA_VERSION;
    wire_put16(buf + 2, l->n_links);
    wire_put64(buf + 4, l->origin);
    wire_put64(buf + 12, l->seqno);
    for (size_t i = 0; i < l->n_links; i++) {
        uint8_t *p = buf + LSA_HDR_LEN + i * LSA_LINK_LEN;

        wire_put64(p, l->links[i].addr);
        wire_put32(p + 8, l->links[i].metric);
        p[12] = l->links[i].down ? LSA_LINK_DOWN : 0;
    }
    return (int)n;
}

int lsa_decode(const uint8_t *buf, size_t len, struct lsa *l)
{
    size_t n;

    assert(l != NULL && (buf != NULL || len == 0));
    memset(l, 0, sizeof(*l));
    if (len < LSA_HDR_LEN || buf[0] != LSA_VERSION || buf[1] != 0)
        return -EBADMSG;
    n = wire_get16(buf + 2);
    if (n > LSA_LINKS_MAX || len != lsa_len(n))
        return -EBADMSG;
    l->n_links = (uint16_t)n;
    l->origin = wire_get64(buf + 4);
    l->seqno = wire_get64(buf + 12);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = buf + LSA_HDR_LEN + i * LSA_LINK_LEN;

        if ((p[12] & ~LSA_LINK_DOWN) != 0 || p[13] != 0 || p[14] != 0 || p[15] != 0)
            return -EBADMSG;
        l->links[i].addr = wire_get64(p);
        l->links[i].metric = wire_get32(p + 8);
        l->links[i].down = (p[12] & LSA_LINK_DOWN) != 0;
    }
    return lsa_ok(l) ? 0 : -EBADMSG;
}

const struct lsa_link *lsa_find(const struct lsa *l, uint64_t addr)
{
    assert(l != NULL);
    for (size_t i = 0; i < l->n_links && i < LSA_LINKS_MAX; i++)
        if (l->links[i].addr == addr)
            return &l->links[i];
    return NULL;
}
