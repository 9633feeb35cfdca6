/*
 * lsa.h - the link-state advertisement: an IPCP's own adjacencies (the
 * neighbours it reaches over a DT flow, each with a metric), numbered so
 * that the newest wins, flooded over the layer's management flows.
 */
#ifndef OUROBUS_LSA_H
#define OUROBUS_LSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSA_VERSION    1u
#define LSA_HDR_LEN    20u
#define LSA_LINK_LEN   16u
#define LSA_LINKS_MAX  64u /* neighbours of one IPCP */
#define LSA_LEN_MAX    (LSA_HDR_LEN + LSA_LINKS_MAX * LSA_LINK_LEN)
#define LSA_METRIC_MAX 0xffffffu /* keeps a path's cost far from overflow */

#define LSA_LINK_DOWN 0x01u /* the adjacency went down: withdraw it */

struct lsa_link {
    uint64_t addr;   /* the neighbour, non-zero, not the origin */
    uint32_t metric; /* 1..LSA_METRIC_MAX */
    bool down;       /* an explicit withdrawal */
};

struct lsa {
    uint64_t origin; /* the advertising IPCP, non-zero */
    uint64_t seqno;  /* larger is newer */
    uint16_t n_links;
    struct lsa_link links[LSA_LINKS_MAX]; /* each neighbour at most once */
};

/* Bytes of an LSA with n links. */
size_t lsa_len(size_t n_links);

/* Encode l into buf: the length written, -EMSGSIZE if len is short, or
 * -EINVAL if l breaks the rules lsa_decode checks. */
int lsa_encode(const struct lsa *l, uint8_t *buf, size_t len);

/* Decode exactly len bytes: 0, or -EBADMSG when the length, version, counts,
 * addresses, metrics, flags or reserved bytes break the rules. */
int lsa_decode(const uint8_t *buf, size_t len, struct lsa *l);

/* The link of l to addr, or NULL. */
const struct lsa_link *lsa_find(const struct lsa *l, uint64_t addr);

#endif
