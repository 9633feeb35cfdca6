/*
 * test_routing_dt_hdr.c - the DT header: its byte layout with 4- and 8-byte
 * addresses, round trips, every truncation and every rule of the decoder,
 * and the two in-place updates (TTL, ECN).
 */
#include "dt_hdr.h"
#include "tap.h"

#include <errno.h>

static const struct dt_hdr sample = {.dst = 0x0a0b0c0d,
                                     .cube = QOS_CUBE_VOICE,
                                     .ttl = 60,
                                     .ecn = 3,
                                     .eid = 0x1122334455667788ull};

static void test_fmt(void)
{
    struct dt_fmt f;

    is(dt_fmt_init(&f, 4, 8), 0, "4-byte addresses, 8-byte endpoint ids");
    is(dt_hdr_len(&f), 15, "... a 15-byte header");
    is(dt_fmt_init(&f, 8, 8), 0, "8-byte addresses");
    is(dt_hdr_len(&f), 19, "... a 19-byte header");
    is(dt_fmt_init(&f, 2, 8), -EINVAL, "2-byte addresses: refused");
    is(dt_fmt_init(&f, 4, 4), -EINVAL, "4-byte endpoint ids: refused");
}

static void test_layout4(void)
{
    static const uint8_t want[15] = {0x0a, 0x0b, 0x0c, 0x0d, 2,    60,   3,   0x11,
                                     0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    struct dt_fmt f;
    struct dt_hdr o;
    uint8_t b[32];

    dt_fmt_init(&f, 4, 8);
    memset(b, 0xee, sizeof(b));
    is(dt_hdr_encode(&f, &sample, b, sizeof(b)), 15, "encode: 15 bytes");
    ok(memcmp(b, want, 15) == 0, "address, cube, TTL, ECN, endpoint id in network order");
    is(b[15], 0xee, "nothing written past the header");
    is(dt_hdr_decode(&f, b, 20, &o), 15, "decode: the payload starts at 15");
    ok(o.dst == sample.dst && o.cube == sample.cube && o.ttl == sample.ttl &&
           o.ecn == sample.ecn && o.eid == sample.eid,
       "every field comes back");
    is(dt_hdr_encode(&f, &sample, b, 14), -EMSGSIZE, "a 14-byte buffer: -EMSGSIZE");
}

static void test_layout8(void)
{
    struct dt_fmt f;
    struct dt_hdr h = sample, o;
    uint8_t b[19];

    dt_fmt_init(&f, 8, 8);
    h.dst = 0x0102030405060708ull;
    is(dt_hdr_encode(&f, &h, b, sizeof(b)), 19, "8-byte addresses: 19 bytes");
    ok(b[0] == 1 && b[7] == 8 && b[8] == 2 && b[9] == 60 && b[10] == 3 && b[11] == 0x11 &&
           b[18] == 0x88,
       "bytes 0-7 address, 8 cube, 9 TTL, 10 ECN, 11-18 endpoint id");
    is(dt_hdr_decode(&f, b, 19, &o), 19, "decodes");
    ok(o.dst == h.dst && o.eid == h.eid, "... a 64-bit address");
}

static void test_truncation(void)
{
    struct dt_fmt f4, f8;
    struct dt_hdr o;
    uint8_t b[DT_HDR_MAX];
    size_t n;
    int bad = 0;

    dt_fmt_init(&f4, 4, 8);
    dt_fmt_init(&f8, 8, 8);
    dt_hdr_encode(&f4, &sample, b, sizeof(b));
    for (n = 0; n < 15; n++)
        bad += dt_hdr_decode(&f4, b, n, &o) != -EBADMSG;
    is(bad, 0, "4-byte addresses: every length under 15 refused");
    dt_hdr_encode(&f8, &sample, b, sizeof(b));
    for (n = 0; n < 19; n++)
        bad += dt_hdr_decode(&f8, b, n, &o) != -EBADMSG;
    is(bad, 0, "8-byte addresses: every length under 19 refused");
    is(dt_hdr_decode(&f4, NULL, 0, &o), -EBADMSG, "an empty packet: refused");
}

static void test_rules(void)
{
    struct dt_fmt f;
    struct dt_hdr h;
    uint8_t b[DT_HDR_MAX];

    dt_fmt_init(&f, 4, 8);
    dt_hdr_encode(&f, &sample, b, sizeof(b));
    b[4] = QOS_CUBE_MAX;
    is(dt_hdr_decode(&f, b, 15, &h), -EBADMSG, "cube 3: refused");
    b[4] = 0;
    b[5] = 0;
    is(dt_hdr_decode(&f, b, 15, &h), -EBADMSG, "TTL 0: refused");
    b[5] = 1;
    memset(b, 0, 4);
    is(dt_hdr_decode(&f, b, 15, &h), -EBADMSG, "address 0: refused");

    h = sample;
    h.dst = 0x100000000ull;
    is(dt_hdr_encode(&f, &h, b, sizeof(b)), -EINVAL, "a 33-bit address in 4 bytes: -EINVAL");
    h = sample;
    h.ttl = 0;
    is(dt_hdr_encode(&f, &h, b, sizeof(b)), -EINVAL, "TTL 0: -EINVAL");
    h = sample;
    h.cube = 7;
    is(dt_hdr_encode(&f, &h, b, sizeof(b)), -EINVAL, "cube 7: -EINVAL");
}

static void test_in_place(void)
{
    struct dt_fmt f;
    struct dt_hdr h = sample, o;
    uint8_t b[DT_HDR_MAX], before[DT_HDR_MAX];

    dt_fmt_init(&f, 4, 8);
    h.ttl = 2;
    h.ecn = 0;
    dt_hdr_encode(&f, &h, b, sizeof(b));
    memcpy(before, b, sizeof(b));
    is(dt_hdr_ttl_dec(&f, b, 15), 1, "TTL 2 -> 1");
    ok(b[5] == 1 && memcmp(b, before, 5) == 0 && memcmp(b + 6, before + 6, 9) == 0,
       "... only the TTL byte changed");
    is(dt_hdr_ttl_dec(&f, b, 15), 0, "TTL 1 -> 0: not to be forwarded");
    is(dt_hdr_ttl_dec(&f, b, 15), -EBADMSG, "TTL 0 cannot go lower");
    is(dt_hdr_ttl_dec(&f, b, 14), -EBADMSG, "a short header: refused");

    dt_hdr_encode(&f, &h, b, sizeof(b));
    is(dt_hdr_ecn_raise(&f, b, 15, 5), 5, "ECN 0 raised to 5");
    is(dt_hdr_ecn_raise(&f, b, 15, 2), 5, "... a lower level leaves it at 5");
    is(dt_hdr_ecn_raise(&f, b, 15, 255), 255, "... 255 is the top");
    is(dt_hdr_ecn_raise(&f, b, 3, 1), -EBADMSG, "a short header: refused");
    dt_hdr_decode(&f, b, 15, &o);
    ok(o.ttl == 2 && o.ecn == 255 && o.dst == h.dst && o.eid == h.eid,
       "the header decodes with its new ECN and nothing else changed");
}

int main(void)
{
    plan(6 + 6 + 4 + 3 + 6 + 10);
    test_fmt();
    test_layout4();
    test_layout8();
    test_truncation();
    test_rules();
    test_in_place();
    return done();
}
