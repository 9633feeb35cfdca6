/*
 * fuzz_shim_eth_frame.c - libFuzzer target for the Ethernet shim's frame
 * parser, DIX and LLC: any bytes are refused or parsed within the frame, and
 * a parsed header written again parses the same.
 *
 * Input: [framing: even DIX (ethertype 0xA000), odd LLC][frame bytes].
 */
#include "eth_frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Checked in every build (NDEBUG removes assert). */
#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eth_fmt fmt = {
        .framing = ETH_FRAMING_DIX, .ethertype = ETH_DIX_TYPE, .sap = ETH_LLC_SAP};
    uint8_t hdr[ETH_FRAME_HDR_MAX];
    struct eth_frame fr, again;
    size_t hl;

    if (size < 1)
        return 0;
    if (data[0] & 1)
        fmt.framing = ETH_FRAMING_LLC;
    data++;
    size--;
    if (eth_frame_parse(&fmt, data, size, &fr) != 0)
        return 0;
    CHECK(fr.hdr_len == eth_fmt_hdr_len(&fmt));
    CHECK((size_t)fr.hdr_len + fr.len <= size);
    CHECK(fr.dst == data && fr.src == data + ETH_MAC_LEN);
    hl = eth_frame_write(&fmt, hdr, fr.dst, fr.src, fr.eid, fr.len);
    CHECK(hl == fr.hdr_len);
    /* Parse the written header in front of the same payload. */
    {
        uint8_t *buf = malloc(hl + fr.len);
        CHECK(buf != NULL);
        memcpy(buf, hdr, hl);
        memcpy(buf + hl, data + fr.hdr_len, fr.len);
        CHECK(eth_frame_parse(&fmt, buf, hl + fr.len, &again) == 0);
        CHECK(again.eid == fr.eid && again.len == fr.len && again.hdr_len == fr.hdr_len);
        free(buf);
    }
    return 0;
}
