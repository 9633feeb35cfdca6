/*
 * fuzz_shim_udp_mgmt.c - libFuzzer target for the UDP shim's management
 * messages (FLOW_REQ, FLOW_REPLY, FLOW_DEALLOC) and its per-flow record:
 * a message that parses encodes back to the same bytes, a record that
 * parses encodes back to itself, and nothing reads past the input.
 *
 * Input: [what][bytes]: what even, a management message; odd, a record.
 */
#include "flow_record.h"
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
    uint8_t *d;

    if (size < 1)
        return 0;
    d = malloc(size - 1 ? size - 1 : 1);
    CHECK(d != NULL);
    memcpy(d, data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        struct udp_mgmt m;
        uint8_t again[UDP_MGMT_MAX];

        if (udp_mgmt_parse(d, size - 1, &m) == 0) {
            int n = udp_mgmt_encode(&m, again, sizeof(again));

            CHECK(n == (int)(size - 1));
            CHECK(memcmp(again, d, size - 1) == 0);
        }
    } else {
        struct flow_record r;
        uint8_t again[FLOW_RECORD_LEN];

        if (flow_record_parse(d, size - 1, &r) == 0) {
            CHECK(flow_record_encode(&r, again) == size - 1);
            CHECK(memcmp(again, d, size - 1) == 0);
        }
    }
    free(d);
    return 0;
}
