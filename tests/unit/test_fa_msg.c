/*
 * test_fa_msg.c - the flow allocator's messages: each one at its byte
 * offsets, round trips, every truncation, every corrupt field, and how a
 * newer version is read.
 */
#include "fa_msg.h"
#include "tap.h"

#include <ourobus/errno.h>

static const uint8_t hash32[32] = {0xde, 0xad, 0xbe, 0xef, 1,  2,  3,  4,  5,  6,  7,
                                   8,    9,    10,   11,   12, 13, 14, 15, 16, 17, 18,
                                   19,   20,   21,   22,   23, 24, 25, 26, 27, 28};
static uint8_t blob[FA_BLOB_MAX];

static struct fa_msg req(void)
{
    struct fa_msg m = {
        .type = FA_FLOW_REQ,
        .req_id = 0x0102030405060708ull,
        .s_addr = 0x1122334455667788ull,
        .s_eid = 0xa1a2a3a4a5a6a7a8ull,
        .max_sdu = 1400,
        .qos = qos_voice,
        .hash = hash32,
        .hash_len = sizeof(hash32),
        .blob = blob,
        .blob_len = 100,
    };

    return m;
}

static struct fa_msg reply(void)
{
    struct fa_msg m = {
        .type = FA_FLOW_REPLY,
        .req_id = 0x0102030405060708ull,
        .s_eid = 0xb1b2b3b4b5b6b7b8ull,
        .d_eid = 0xa1a2a3a4a5a6a7a8ull,
        .blob = blob,
        .blob_len = 33,
    };

    return m;
}

static struct fa_msg update(void)
{
    struct fa_msg m = {
        .type = FA_FLOW_UPDATE,
        .s_eid = 0xb1b2b3b4b5b6b7b8ull,
        .d_eid = 0xa1a2a3a4a5a6a7a8ull,
        .ece = 0x1234,
    };

    return m;
}

static struct fa_msg dealloc(void)
{
    struct fa_msg m = {
        .type = FA_FLOW_DEALLOC,
        .s_eid = 0xb1b2b3b4b5b6b7b8ull,
        .d_eid = 0xa1a2a3a4a5a6a7a8ull,
    };

    return m;
}

static bool same(const struct fa_msg *a, const struct fa_msg *b)
{
    return a->type == b->type && a->req_id == b->req_id && a->s_addr == b->s_addr &&
           a->s_eid == b->s_eid && a->d_eid == b->d_eid && a->response == b->response &&
           a->ece == b->ece && a->max_sdu == b->max_sdu && a->qos.delay == b->qos.delay &&
           a->qos.bandwidth == b->qos.bandwidth && a->qos.availability == b->qos.availability &&
           a->qos.loss == b->qos.loss && a->qos.ber == b->qos.ber &&
           a->qos.in_order == b->qos.in_order && a->qos.max_gap == b->qos.max_gap &&
           a->qos.timeout == b->qos.timeout && a->hash_len == b->hash_len &&
           (a->hash_len == 0 || memcmp(a->hash, b->hash, a->hash_len) == 0) &&
           a->blob_len == b->blob_len &&
           (a->blob_len == 0 || memcmp(a->blob, b->blob, a->blob_len) == 0);
}

static void test_layout(void)
{
    static uint8_t b[FA_MSG_MAX];
    struct fa_msg m = req(), o;
    int n;

    m.qos.bandwidth = 0x0102030405060708ull;
    n = fa_msg_encode(&m, b, sizeof(b));
    is(n, 63 + 32 + 100, "FLOW_REQ: 63 bytes, the hash, the blob");
    ok(b[0] == 1 && b[1] == FA_FLOW_REQ, "bytes 0-1: version 1, type 1");
    ok(b[2] == 0 && b[3] == 100, "bytes 2-3: blob_len, big-endian");
    ok(b[4] == 0x01 && b[11] == 0x08, "bytes 4-11: req_id");
    ok(b[12] == 0x11 && b[19] == 0x88, "bytes 12-19: s_addr");
    ok(b[20] == 0xa1 && b[27] == 0xa8, "bytes 20-27: s_eid");
    ok(b[28] == 0x01 && b[35] == 0x08, "bytes 28-35: bandwidth");
    ok(b[39] == 50 && b[43] == 1 && b[47] == 0 && b[51] == 50, "delay, loss, ber, max_gap");
    ok(b[52] == 0 && b[53] == 0x01 && b[54] == 0xd4 && b[55] == 0xc0, "bytes 52-55: timeout");
    ok(b[58] == 0x05 && b[59] == 0x78, "bytes 56-59: max_sdu 1400");
    ok(b[60] == 5 && b[61] == 1 && b[62] == 32, "availability, in_order, hash_len");
    ok(memcmp(b + 63, hash32, 32) == 0, "the hash follows");
    is(fa_msg_decode(b, (size_t)n, &o), 0, "it decodes");
    ok(same(&m, &o) && o.version == 1, "... to the same message");

    m = reply();
    m.response = 0;
    n = fa_msg_encode(&m, b, sizeof(b));
    is(n, 32 + 33, "FLOW_REPLY: 32 bytes and the blob");
    ok(b[1] == FA_FLOW_REPLY && b[3] == 33, "type 2, blob_len");
    ok(b[8] == 0x01 && b[16] == 0xb1 && b[24] == 0xa1, "req_id, s_eid, d_eid at 8, 16, 24");

    m = reply();
    m.s_eid = 0;
    m.response = -ENAME;
    m.blob_len = 0;
    n = fa_msg_encode(&m, b, sizeof(b));
    is(n, 32, "a refusal: 32 bytes");
    ok(b[4] == 0xff && b[5] == 0xff && b[6] == 0xfc && b[7] == 0x11, "response -1007");
    is(fa_msg_decode(b, 32, &o), 0, "it decodes");
    is(o.response, -ENAME, "... with its response");

    m = update();
    n = fa_msg_encode(&m, b, sizeof(b));
    is(n, 20, "FLOW_UPDATE: 20 bytes");
    ok(b[1] == 3 && b[2] == 0x12 && b[3] == 0x34 && b[4] == 0xb1 && b[12] == 0xa1,
       "type 3, ece, s_eid, d_eid");
    m = dealloc();
    n = fa_msg_encode(&m, b, sizeof(b));
    is(n, 20, "FLOW_DEALLOC: 20 bytes");
    ok(b[1] == 4 && b[2] == 0 && b[3] == 0, "type 4, bytes 2-3 zero");
}

/* Round trip, then every shorter length must fail, and a longer one too. */
static void round_trip(struct fa_msg m, const char *what)
{
    static uint8_t b[FA_MSG_MAX + 1];
    struct fa_msg o;
    int n = fa_msg_encode(&m, b, sizeof(b));
    int bad = 0;

    ok(n > 0 && (size_t)n == fa_msg_len(&m), "%s encodes to fa_msg_len bytes", what);
    if (n <= 0)
        return;
    is(fa_msg_decode(b, (size_t)n, &o), 0, "%s decodes", what);
    ok(same(&m, &o), "%s: the same fields back", what);
    for (int k = 0; k < n; k++)
        if (fa_msg_decode(b, (size_t)k, &o) != -EBADMSG)
            bad++;
    is(bad, 0, "%s: all %d truncations rejected", what, n);
    b[n] = 0;
    is(fa_msg_decode(b, (size_t)n + 1, &o), -EBADMSG, "%s: a trailing byte rejected", what);
    is(fa_msg_encode(&m, b, (size_t)n - 1), -EMSGSIZE, "%s: a short buffer, -EMSGSIZE", what);
}

static void test_round_trips(void)
{
    struct fa_msg m;

    round_trip(req(), "FLOW_REQ");
    m = req();
    m.blob_len = 0;
    m.blob = NULL;
    m.hash_len = 1;
    m.qos = qos_raw;
    round_trip(m, "FLOW_REQ, 1-byte hash, no blob");
    m = req();
    m.hash_len = FA_HASH_MAX;
    m.hash = blob;
    m.blob_len = FA_BLOB_MAX;
    m.qos.ber = UINT32_MAX;
    m.qos.loss = UINT32_MAX;
    m.qos.bandwidth = UINT64_MAX;
    m.max_sdu = FA_SDU_MAX;
    round_trip(m, "FLOW_REQ, largest");
    round_trip(reply(), "FLOW_REPLY");
    m = reply();
    m.s_eid = 0;
    m.response = -EAUTH;
    round_trip(m, "FLOW_REPLY refusal");
    round_trip(update(), "FLOW_UPDATE");
    m = update();
    m.ece = 0;
    round_trip(m, "FLOW_UPDATE ece 0");
    round_trip(dealloc(), "FLOW_DEALLOC");
}

/* Encode a valid message, poke one byte, expect -EBADMSG. */
static int poke(struct fa_msg m, size_t off, uint8_t v)
{
    static uint8_t b[FA_MSG_MAX];
    struct fa_msg o;
    int n = fa_msg_encode(&m, b, sizeof(b));

    if (n < 0 || off >= (size_t)n)
        return -999;
    b[off] = v;
    return fa_msg_decode(b, (size_t)n, &o);
}

/* Encode a valid message, write a 64-bit zero at off. */
static int zero64(struct fa_msg m, size_t off)
{
    static uint8_t b[FA_MSG_MAX];
    struct fa_msg o;
    int n = fa_msg_encode(&m, b, sizeof(b));

    memset(b + off, 0, 8);
    return fa_msg_decode(b, (size_t)n, &o);
}

static void test_corrupt(void)
{
    static uint8_t b[FA_MSG_MAX];
    struct fa_msg m, o;
    int n;

    is(poke(req(), 0, 0), -EBADMSG, "version 0 rejected");
    is(poke(req(), 1, 0), -EBADMSG, "type 0 rejected");
    is(poke(req(), 1, 5), -EBADMSG, "type 5 rejected");
    is(poke(req(), 1, 0xff), -EBADMSG, "type 255 rejected");
    is(poke(req(), 3, 101), -EBADMSG, "REQ: blob_len one too long");
    is(poke(req(), 3, 99), -EBADMSG, "REQ: blob_len one too short (a tail in version 1)");
    is(poke(req(), 2, 0xff), -EBADMSG, "REQ: blob_len far past the end");
    is(poke(req(), 62, 0), -EBADMSG, "REQ: hash_len 0");
    is(poke(req(), 62, 33), -EBADMSG, "REQ: hash_len one too long");
    is(poke(req(), 62, 200), -EBADMSG, "REQ: hash_len over FA_HASH_MAX");
    is(zero64(req(), 4), -EBADMSG, "REQ: req_id 0");
    is(zero64(req(), 12), -EBADMSG, "REQ: s_addr 0");
    is(zero64(req(), 20), -EBADMSG, "REQ: s_eid 0");
    is(poke(req(), 60, 10), -EBADMSG, "REQ: availability 10");
    is(poke(req(), 61, 2), -EBADMSG, "REQ: in_order 2");
    is(poke(req(), 44, 0x7f), -EBADMSG, "REQ: ber over 10^9");
    m = req();
    m.max_sdu = FA_SDU_MIN;
    is(poke(m, 59, FA_SDU_MIN - 1), -EBADMSG, "REQ: max_sdu one under FA_SDU_MIN");
    is(poke(req(), 56, 0x01), -EBADMSG, "REQ: max_sdu over FA_SDU_MAX");
    is(poke(reply(), 4, 0x80), -EBADMSG, "REPLY: response below -4095");
    is(poke(reply(), 7, 1), -EBADMSG, "REPLY: response positive");
    is(poke(reply(), 7, 0xff), -EBADMSG, "REPLY: refused but with an eid");
    is(zero64(reply(), 16), -EBADMSG, "REPLY: accepted without an eid");
    is(zero64(reply(), 24), -EBADMSG, "REPLY: d_eid 0");
    is(zero64(reply(), 8), -EBADMSG, "REPLY: req_id 0");
    is(poke(reply(), 3, 34), -EBADMSG, "REPLY: blob_len past the end");
    is(zero64(update(), 4), -EBADMSG, "UPDATE: s_eid 0");
    is(zero64(update(), 12), -EBADMSG, "UPDATE: d_eid 0");
    is(zero64(dealloc(), 4), -EBADMSG, "DEALLOC: s_eid 0");
    is(poke(dealloc(), 3, 1), -EBADMSG, "DEALLOC version 1: bytes 2-3 not zero");

    m = req();
    m.qos.in_order = 2;
    is(fa_msg_encode(&m, b, sizeof(b)), -EINVAL, "encode: in_order 2 refused");
    m = req();
    m.blob_len = FA_BLOB_MAX + 1;
    is(fa_msg_encode(&m, b, sizeof(b)), -EINVAL, "encode: blob over FA_BLOB_MAX refused");
    m = update();
    m.req_id = 1;
    is(fa_msg_encode(&m, b, sizeof(b)), -EINVAL, "encode: a field of another type refused");
    m = dealloc();
    m.ece = 1;
    is(fa_msg_encode(&m, b, sizeof(b)), -EINVAL, "encode: ece in a DEALLOC refused");
    m.ece = 0;
    m.type = 9;
    is(fa_msg_encode(&m, b, sizeof(b)), -EINVAL, "encode: unknown type refused");
    is(fa_msg_decode(b, 0, &o), -EBADMSG, "an empty buffer rejected");
    is(fa_msg_decode(b, 1, &o), -EBADMSG, "one byte rejected");
    n = 0;
    for (int v = 0; v < 256; v++) {
        uint8_t one[2] = {1, (uint8_t)v};

        n += fa_msg_decode(one, 2, &o) == -EBADMSG;
    }
    is(n, 256, "no type decodes from a bare header");
}

static void test_versions(void)
{
    static uint8_t b[FA_MSG_MAX + 16];
    struct fa_msg m = req(), o;
    int n = fa_msg_encode(&m, b, sizeof(b));

    b[0] = 2;
    memset(b + n, 0xee, 16);
    is(fa_msg_decode(b, (size_t)n + 16, &o), 0, "version 2 with a 16-byte tail decodes");
    ok(o.version == 2 && same(&m, &o), "... as version 1's fields, the sender's version kept");
    is(fa_msg_decode(b, (size_t)n - 1, &o), -EBADMSG,
       "... but not when version 1's part is cut");
    n = fa_msg_encode(&m, b, sizeof(b));
    is(b[0], FA_MSG_VERSION, "we send version 1 whatever we read");

    m = dealloc();
    n = fa_msg_encode(&m, b, sizeof(b));
    b[0] = 7;
    b[3] = 9;
    is(fa_msg_decode(b, (size_t)n, &o), 0, "a newer DEALLOC may use bytes 2-3");
    is(o.ece, 0, "... which version 1 ignores");
    is_str(fa_msg_type_str(FA_FLOW_UPDATE), "FLOW_UPDATE", "type names");
    is_str(fa_msg_type_str(0), "unknown", "unknown type name");
}

int main(void)
{
    for (size_t i = 0; i < sizeof(blob); i++)
        blob[i] = (uint8_t)(i * 7 + 3);
    test_layout();
    test_round_trips();
    test_corrupt();
    test_versions();
    return done();
}
