/*
 * fuzz_shim_eth_mgmt.c - libFuzzer target for the Ethernet shim's management
 * messages (FLOW_REQ, FLOW_REPLY, NAME_QUERY_REQ, NAME_QUERY_REPLY,
 * FLOW_DEALLOC): any bytes are refused or decoded, and a decoded message
 * encodes back to the very same bytes.
 *
 * Input: [hash length - 1, modulo 64][message bytes].
 */
#include "eth_mgmt.h"

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
    uint8_t out[ETH_MGMT_MAX];
    struct eth_mgmt m;
    size_t hash_len;
    int n;

    if (size < 1)
        return 0;
    hash_len = (size_t)(data[0] % HASH_MAX) + 1;
    data++;
    size--;
    if (eth_mgmt_decode(data, size, hash_len, &m) != 0)
        return 0;
    CHECK(m.code < ETH_MGMT_CODES);
    CHECK(m.hash_len == (eth_mgmt_has_hash(m.code) ? hash_len : 0));
    CHECK(m.response <= 0);
    n = eth_mgmt_encode(&m, out, sizeof(out));
    CHECK(n > 0 && (size_t)n == size);
    CHECK(memcmp(out, data, size) == 0);
    return 0;
}
