/*
 * fuzz_routing_dt_hdr.c - libFuzzer target for what the forwarder does with
 * any packet: decode its DT header in both address widths, and for one that
 * decodes, re-encode it byte for byte and update TTL and ECN in place.
 */
#include "dt_hdr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const struct dt_fmt *f, uint8_t *d, size_t size)
{
    struct dt_hdr h, o;
    uint8_t b[DT_HDR_MAX];
    int n = dt_hdr_decode(f, d, size, &h);
    int ttl;

    if (n < 0) {
        CHECK(dt_hdr_ttl_dec(f, d, size) < 0 || size >= dt_hdr_len(f));
        return;
    }
    CHECK((size_t)n == dt_hdr_len(f) && (size_t)n <= size);
    CHECK(h.dst != 0 && h.cube < QOS_CUBE_MAX && h.ttl != 0);
    CHECK(dt_hdr_encode(f, &h, b, sizeof(b)) == n);
    CHECK(memcmp(b, d, (size_t)n) == 0);
    ttl = dt_hdr_ttl_dec(f, d, size);
    CHECK(ttl == h.ttl - 1);
    CHECK(dt_hdr_ecn_raise(f, d, size, 7) == (h.ecn > 7 ? h.ecn : 7));
    if (ttl > 0) {
        CHECK(dt_hdr_decode(f, d, size, &o) == n);
        CHECK(o.dst == h.dst && o.eid == h.eid && o.cube == h.cube && o.ttl == ttl);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes: ASan sees any read past the end. */
    uint8_t *d = malloc(size ? size : 1);
    struct dt_fmt f;

    CHECK(d != NULL);
    dt_fmt_init(&f, 4, 8);
    memcpy(d, data, size);
    one(&f, d, size);
    dt_fmt_init(&f, 8, 8);
    memcpy(d, data, size);
    one(&f, d, size);
    free(d);
    return 0;
}
