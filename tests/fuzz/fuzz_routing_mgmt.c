/*
 * fuzz_routing_mgmt.c - libFuzzer target for what routing reads from a
 * companion's management ring: the prefix in front of any block. One that
 * decodes re-encodes byte for byte; one that does not leaves *dst alone.
 */
#include "mgmt_msg.h"

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
    uint8_t b[MGMT_PREFIX_LEN];
    uint64_t dst = 77;
    int n = mgmt_prefix_decode(data, size, &dst);

    if (n < 0) {
        CHECK(dst == 77);
        return 0;
    }
    CHECK(n == MGMT_PREFIX_LEN && size >= MGMT_PREFIX_LEN && dst != 0);
    CHECK(mgmt_prefix_encode(dst, b, sizeof(b)) == n);
    CHECK(memcmp(b, data, (size_t)n) == 0);
    return 0;
}
