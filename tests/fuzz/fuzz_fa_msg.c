/*
 * fuzz_fa_msg.c - libFuzzer target for the flow allocator's messages: no
 * input crashes the decoder or makes it read past the input, and a
 * version 1 message that decodes encodes back to the same bytes.
 */
#include "fa_msg.h"

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
    static uint8_t again[FA_MSG_MAX];
    struct fa_msg m;
    uint8_t *d;
    int n;

    /* A copy of exactly size bytes, so ASan sees any read past it. */
    d = malloc(size ? size : 1);
    CHECK(d != NULL);
    memcpy(d, data, size);
    if (fa_msg_decode(d, size, &m) == 0) {
        CHECK(m.version >= FA_MSG_VERSION);
        n = fa_msg_encode(&m, again, sizeof(again));
        CHECK(n > 0 && (size_t)n <= size);
        if (m.version == FA_MSG_VERSION) {
            CHECK((size_t)n == size);
            CHECK(memcmp(again, d, size) == 0);
        } else {
            /* A newer version: version 1's part, the rest a tail. */
            CHECK(memcmp(again + 1, d + 1, (size_t)n - 1) == 0 || m.type == FA_FLOW_DEALLOC);
        }
    }
    free(d);
    return 0;
}
