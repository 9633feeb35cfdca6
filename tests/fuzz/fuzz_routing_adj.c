/*
 * fuzz_routing_adj.c - libFuzzer target for the first message on a fresh
 * N-1 flow and the keepalives of an adjacency: decode it, and for one that
 * decodes, check that it encodes back to the same bytes.
 */
#include "adj_msg.h"

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
    uint8_t *d = malloc(size ? size : 1);
    uint8_t b[ADJ_MSG_LEN];
    struct adj_msg m;

    CHECK(d != NULL);
    memcpy(d, data, size);
    if (adj_msg_decode(d, size, &m) == 0) {
        CHECK(m.addr != 0);
        CHECK(adj_msg_encode(&m, b, sizeof(b)) == (int)size);
        CHECK(memcmp(b, d, size) == 0);
    }
    free(d);
    return 0;
}
