/*
 * test_shim_udp_msg.c - the UDP shim's wire format: the endpoint id of a
 * datagram, each management message at its byte offsets (the reference's
 * layout), every rule of the parser, and the per-flow record.
 */
#include "flow_record.h"
#include "tap.h"
#include "udp_msg.h"

#include <arpa/inet.h>
#include <errno.h>

static const uint8_t hash16[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2,  3,  4,
                                   5,    6,    7,    8,    9, 10, 11, 12};

static struct udp_mgmt req(void)
{
    struct udp_mgmt m = {.code = UDP_FLOW_REQ, .s_eid = 0x01020304, .qos = qos_voice};

    m.hash = hash16;
    m.hash_len = sizeof(hash16);
    return m;
}

static void test_data(void)
{
    uint8_t d[8] = {0};
    uint32_t eid = 0;

    is(udp_data_parse(d, 3, &eid), -EBADMSG, "a datagram of 3 bytes has no endpoint id");
    udp_data_put_eid(d, 0xa1b2c3d4);
    ok(d[0] == 0xa1 && d[1] == 0xb2 && d[2] == 0xc3 && d[3] == 0xd4,
       "the endpoint id goes in network order");
    is(udp_data_parse(d, 4, &eid), 0, "4 bytes: an endpoint id and an empty payload");
    is(eid, 0xa1b2c3d4, "... the id read back");
}

static void test_layout(void)
{
    uint8_t b[UDP_MGMT_MAX + 8];
    struct udp_mgmt m = req(), o;
    int n;

    m.qos.bandwidth = 0x1122334455667788ull;
    n = udp_mgmt_encode(&m, b, sizeof(b));
    is(n, 47 + 16, "FLOW_REQ: 47 bytes and the hash");
    ok(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0, "bytes 0-3: endpoint id 0");
    ok(b[4] == 1 && b[5] == 2 && b[6] == 3 && b[7] == 4, "bytes 4-7: s_eid");
    ok(b[8] == 0 && b[11] == 0, "bytes 8-11: d_eid 0");
    ok(b[16] == 0x11 && b[23] == 0x88, "bytes 16-23: bandwidth, big-endian");
    ok(b[24] == 0 && b[27] == 50, "bytes 24-27: delay (50 ms)");
    ok(b[44] == UDP_FLOW_REQ && b[45] == 5 && b[46] == 1,
       "bytes 44-46: code 1, availability, in_order");
    ok(memcmp(b + 47, hash16, 16) == 0, "bytes 47-62: the hash");
    is(udp_mgmt_parse(b, (size_t)n, &o), 0, "it parses");
    ok(o.code == UDP_FLOW_REQ && o.s_eid == m.s_eid && o.d_eid == 0 &&
           o.qos.bandwidth == m.qos.bandwidth && o.qos.delay == 50 && o.qos.max_gap == 50 &&
           o.qos.availability == 5 && o.qos.in_order == 1 && o.qos.loss == 1 &&
           o.qos.timeout == QOS_DEFAULT_TIMEOUT && o.hash_len == 16 &&
           memcmp(o.hash, hash16, 16) == 0,
       "... every field comes back");
    is(udp_mgmt_encode(&m, b, 62), -EMSGSIZE, "a buffer one byte short: -EMSGSIZE");

    m = (struct udp_mgmt){.code = UDP_FLOW_REPLY, .s_eid = 7, .d_eid = 9, .response = -111};
    n = udp_mgmt_encode(&m, b, sizeof(b));
    is(n, 47, "FLOW_REPLY: 47 bytes");
    ok(b[12] == 0xff && b[15] == (uint8_t)-111, "bytes 12-15: the response, signed");
    is(udp_mgmt_parse(b, 47, &o), 0, "it parses");
    ok(o.code == UDP_FLOW_REPLY && o.s_eid == 7 && o.d_eid == 9 && o.response == -111,
       "... ids and response");

    m = (struct udp_mgmt){.code = UDP_FLOW_DEALLOC, .s_eid = 7, .d_eid = 9};
    is(udp_mgmt_encode(&m, b, sizeof(b)), 47, "FLOW_DEALLOC: 47 bytes");
    ok(b[44] == 3, "... code 3");
    is(udp_mgmt_parse(b, 47, &o), 0, "it parses");
    ok(o.code == UDP_FLOW_DEALLOC && o.s_eid == 7 && o.d_eid == 9, "... both ids");
}

/* Encode a good message, break it with fn, expect the parser to refuse. */
static void refused(const char *what, struct udp_mgmt m, void (*fn)(uint8_t *b, size_t *n))
{
    uint8_t b[UDP_MGMT_MAX + 8];
    struct udp_mgmt o;
    size_t n = (size_t)udp_mgmt_encode(&m, b, sizeof(b));

    fn(b, &n);
    is(udp_mgmt_parse(b, n, &o), -EBADMSG, "refused: %s", what);
}

static void cut1(uint8_t *b, size_t *n)
{
    (void)b;
    *n -= 1;
}
static void cut_hash(uint8_t *b, size_t *n)
{
    (void)b;
    *n = 47;
}
static void add1(uint8_t *b, size_t *n)
{
    b[(*n)++] = 0;
}
static void eid1(uint8_t *b, size_t *n)
{
    (void)n;
    b[3] = 1;
}
static void code9(uint8_t *b, size_t *n)
{
    (void)n;
    b[44] = 9;
}
static void code0(uint8_t *b, size_t *n)
{
    (void)n;
    b[44] = 0;
}
static void s_eid0(uint8_t *b, size_t *n)
{
    (void)n;
    memset(b + 4, 0, 4);
}
static void d_eid0(uint8_t *b, size_t *n)
{
    (void)n;
    memset(b + 8, 0, 4);
}
static void d_eid1(uint8_t *b, size_t *n)
{
    (void)n;
    b[11] = 1;
}
static void resp1(uint8_t *b, size_t *n)
{
    (void)n;
    b[15] = 1;
}
static void in_order2(uint8_t *b, size_t *n)
{
    (void)n;
    b[46] = 2;
}
static void qos_set(uint8_t *b, size_t *n)
{
    (void)n;
    b[27] = 10;
}
static void long_hash(uint8_t *b, size_t *n)
{
    memset(b + *n, 0, 65 - 16);
    *n = 47 + 65;
}

static void test_rules(void)
{
    struct udp_mgmt r = req();
    struct udp_mgmt rep = {.code = UDP_FLOW_REPLY, .s_eid = 7, .d_eid = 9};
    struct udp_mgmt del = {.code = UDP_FLOW_DEALLOC, .s_eid = 7, .d_eid = 9};
    struct udp_mgmt o;
    uint8_t b[64] = {0};

    for (size_t n = 0; n < 47; n++)
        if (udp_mgmt_parse(b, n, &o) != -EBADMSG)
            break;
        else if (n == 46)
            ok(true, "refused: every length under 47 bytes");
    refused("a FLOW_REQ without a hash", r, cut_hash);
    refused("a FLOW_REQ with a 65-byte hash", r, long_hash);
    refused("a FLOW_REQ from endpoint 0", r, s_eid0);
    refused("a FLOW_REQ with a d_eid", r, d_eid1);
    refused("a FLOW_REQ with a response", r, resp1);
    refused("a FLOW_REQ with in_order 2", r, in_order2);
    refused("a management message to endpoint 1", r, eid1);
    refused("code 9", r, code9);
    refused("code 0", r, code0);
    refused("a FLOW_REPLY of 46 bytes", rep, cut1);
    refused("a FLOW_REPLY of 48 bytes", rep, add1);
    refused("a FLOW_REPLY to endpoint 0", rep, d_eid0);
    refused("a FLOW_REPLY accepting from endpoint 0", rep, s_eid0);
    refused("a FLOW_REPLY with a positive response", rep, resp1);
    refused("a FLOW_REPLY with QoS fields", rep, qos_set);
    refused("a FLOW_DEALLOC from endpoint 0", del, s_eid0);
    refused("a FLOW_DEALLOC to endpoint 0", del, d_eid0);
    refused("a FLOW_DEALLOC with a response", del, resp1);
    refused("a FLOW_DEALLOC of 48 bytes", del, add1);
    rep.s_eid = 0;
    rep.response = -5;
    is(udp_mgmt_encode(&rep, b, sizeof(b)), 47, "a refusal may come from endpoint 0");
    is(udp_mgmt_parse(b, 47, &o), 0, "... and parses");
    r.s_eid = 0;
    is(udp_mgmt_encode(&r, b, sizeof(b)), -EINVAL, "the encoder keeps the rules too");
}

static void test_record(void)
{
    struct flow_record r = {.peer_eid = 0x10002, .eid = 0x30004}, o;
    uint8_t b[FLOW_RECORD_LEN + 1];
    struct in_addr a4;
    struct in6_addr a6;

    inet_pton(AF_INET, "10.1.2.3", &a4);
    udp_addr_set(&r.peer, AF_INET, &a4, 3435);
    is(flow_record_encode(&r, b), FLOW_RECORD_LEN, "a record: 28 bytes");
    is(flow_record_parse(b, FLOW_RECORD_LEN, &o), 0, "IPv4: parses");
    ok(udp_addr_equal(&o.peer, &r.peer) && o.peer_eid == r.peer_eid && o.eid == r.eid,
       "... peer, its endpoint id, ours");
    inet_pton(AF_INET6, "fd00::7", &a6);
    udp_addr_set(&r.peer, AF_INET6, &a6, 4000);
    flow_record_encode(&r, b);
    is(flow_record_parse(b, FLOW_RECORD_LEN, &o), 0, "IPv6: parses");
    ok(udp_addr_equal(&o.peer, &r.peer), "... the peer");
    is(flow_record_parse(b, FLOW_RECORD_LEN - 1, &o), -EBADMSG, "a short record: refused");
    b[0] = 2;
    is(flow_record_parse(b, FLOW_RECORD_LEN, &o), -EBADMSG, "version 2: refused");
    flow_record_encode(&r, b);
    b[1] = 5;
    is(flow_record_parse(b, FLOW_RECORD_LEN, &o), -EBADMSG, "family 5: refused");
    udp_addr_set(&r.peer, AF_INET, &a4, 3435);
    flow_record_encode(&r, b);
    b[10] = 1;
    is(flow_record_parse(b, FLOW_RECORD_LEN, &o), -EBADMSG, "IPv4 with bytes after: refused");
    flow_record_encode(&r, b);
    memset(b + 24, 0, 4);
    is(flow_record_parse(b, FLOW_RECORD_LEN, &o), -EBADMSG, "our endpoint id 0: refused");
}

int main(void)
{
    plan(4 + 19 + 23 + 10);
    test_data();
    test_layout();
    test_rules();
    test_record();
    return tap_failed != 0;
}
