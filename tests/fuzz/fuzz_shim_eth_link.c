/*
 * fuzz_shim_eth_link.c - libFuzzer target for the Ethernet shim's parser of
 * rtnetlink link messages: any datagram is read without a fault.
 *
 * Input: [interface index][datagram bytes].
 */
#include "eth_link.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eth_link st = {.up = false, .mtu = 1500};
    uint8_t *buf;

    if (size < 1)
        return 0;
    /* Netlink buffers are 4-byte aligned, as recv() gives them. */
    buf = aligned_alloc(4, (size + 3) & ~(size_t)3);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, size - 1);
    eth_link_parse(buf, size - 1, data[0], &st);
    free(buf);
    return 0;
}
