/*
 * test_routing_mgmt_msg.c - the management ring prefix: its bytes, the
 * round trip, and every way a companion's block can be refused.
 */
#include "mgmt_msg.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

int main(void)
{
    const uint8_t want[MGMT_PREFIX_LEN] = {1,    0,    0,    0,    0x01, 0x02,
                                           0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    uint8_t b[MGMT_PREFIX_LEN + 4];
    uint64_t dst = 0;

    plan(11);
    is(mgmt_prefix_encode(UINT64_C(0x0102030405060708), b, sizeof(b)), MGMT_PREFIX_LEN,
       "encode: the prefix's length");
    ok(memcmp(b, want, sizeof(want)) == 0, "version 1, zeros, the address big-endian");
    is(mgmt_prefix_decode(b, sizeof(b), &dst), MGMT_PREFIX_LEN, "decode: the prefix's length");
    ok(dst == UINT64_C(0x0102030405060708), "decode: the same address");
    is(mgmt_prefix_encode(0, b, sizeof(b)), -EINVAL, "encode: address 0 refused");
    is(mgmt_prefix_encode(9, b, MGMT_PREFIX_LEN - 1), -EMSGSIZE, "encode: short buffer");
    is(mgmt_prefix_decode(b, MGMT_PREFIX_LEN - 1, &dst), -EBADMSG, "decode: short block");
    b[0] = 2;
    is(mgmt_prefix_decode(b, sizeof(b), &dst), -EBADMSG, "decode: another version");
    b[0] = 1;
    b[1] = 0x80;
    is(mgmt_prefix_decode(b, sizeof(b), &dst), -EBADMSG, "decode: a flag set");
    b[1] = 0;
    b[3] = 1;
    is(mgmt_prefix_decode(b, sizeof(b), &dst), -EBADMSG, "decode: reserved bits set");
    b[3] = 0;
    memset(b + 4, 0, 8);
    is(mgmt_prefix_decode(b, sizeof(b), &dst), -EBADMSG, "decode: address 0");
    return done();
}
