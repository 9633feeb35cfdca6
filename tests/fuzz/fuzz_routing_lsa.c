/*
 * fuzz_routing_lsa.c - libFuzzer target for what the routing service does
 * with any LSA from a neighbour: decode it, and for one that decodes, check
 * its rules and that it encodes back to the same bytes.
 */
#include "lsa.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes: ASan sees any read past the end. */
    uint8_t *d = malloc(size ? size : 1);
    static struct lsa l;
    static uint8_t b[LSA_LEN_MAX];

    CHECK(d != NULL);
    memcpy(d, data, size);
    if (lsa_decode(d, size, &l) == 0) {
        CHECK(size == lsa_len(l.n_links) && l.n_links <= LSA_LINKS_MAX && l.origin != 0);
        for (size_t i = 0; i < l.n_links; i++) {
            CHECK(l.links[i].addr != 0 && l.links[i].addr != l.origin);
            CHECK(l.links[i].metric >= 1 && l.links[i].metric <= LSA_METRIC_MAX);
            CHECK(lsa_find(&l, l.links[i].addr) == &l.links[i]);
        }
        CHECK(lsa_encode(&l, b, sizeof(b)) == (int)size);
        CHECK(memcmp(b, d, size) == 0);
    }
    free(d);
    return 0;
}
