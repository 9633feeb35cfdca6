/*
 * fuzz_routing_enroll.c - libFuzzer target for what an enrollee or an
 * enroller does with any message on the enrollment flow: decode it, and for
 * one that decodes, check its rules and that it encodes back to the same
 * bytes.
 */
#include "enroll_msg.h"

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
    uint8_t b[ENROLL_MSG_MAX];
    struct enroll_msg m;

    CHECK(d != NULL);
    memcpy(d, data, size);
    if (enroll_msg_decode(d, size, &m) == 0) {
        CHECK(size <= ENROLL_MSG_MAX && m.id != 0);
        CHECK(m.type == ENROLL_REQ || m.type == ENROLL_RESP || m.type == ENROLL_ACK);
        CHECK(m.result <= 0);
        if (m.type == ENROLL_RESP && m.result == 0) {
            CHECK(m.conf.layer[0] != '\0' && m.conf.addr != 0);
            CHECK(m.conf.dt.addr_size == 4 || m.conf.dt.addr_size == 8);
        }
        CHECK(enroll_msg_encode(&m, b, sizeof(b)) == (int)size);
        CHECK(memcmp(b, d, size) == 0);
    }
    free(d);
    return 0;
}
