/*
 * fuzz_shim_udp_data.c - libFuzzer target for what the UDP shim's receive
 * thread does with any datagram: read its endpoint id and, for endpoint
 * id 0, parse the management message. Nothing crashes; whatever parses
 * keeps the protocol's rules.
 */
#include "udp_msg.h"

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
    struct udp_mgmt m;
    uint32_t eid;

    CHECK(d != NULL);
    memcpy(d, data, size);
    if (udp_data_parse(d, size, &eid) < 0) {
        CHECK(size < UDP_EID_LEN);
    } else if (eid == UDP_EID_MGMT && udp_mgmt_parse(d, size, &m) == 0) {
        CHECK(size >= UDP_MGMT_LEN && size <= UDP_MGMT_MAX);
        CHECK(m.code == UDP_FLOW_REQ || m.code == UDP_FLOW_REPLY || m.code == UDP_FLOW_DEALLOC);
        CHECK(m.code != UDP_FLOW_REQ || (m.s_eid != 0 && m.hash_len > 0));
        CHECK(m.code == UDP_FLOW_REQ || m.hash_len == 0);
        CHECK(m.code == UDP_FLOW_REPLY || m.d_eid != 0 || m.code == UDP_FLOW_REQ);
    }
    free(d);
    return 0;
}
