/*
 * test_shim_eth_mgmt.c - the Ethernet shim's management messages: every code
 * encoded and decoded back, the byte layout, and every malformed message.
 */
#include "eth_mgmt.h"
#include "tap.h"

#include <errno.h>

#define HL 32 /* SHA3-256 */

static struct eth_mgmt sample(uint8_t code)
{
    struct eth_mgmt m;

    memset(&m, 0, sizeof(m));
    m.code = code;
    m.seid = 0x0102;
    m.deid = 0x0304;
    m.qos = qos_voice;
    m.qos.bandwidth = 0x1122334455667788ull;
    if (eth_mgmt_has_hash(code)) {
        for (int i = 0; i < HL; i++)
            m.hash[i] = (uint8_t)(i * 7 + 1);
        m.hash_len = HL;
    }
    return m;
}

static bool same(const struct eth_mgmt *a, const struct eth_mgmt *b)
{
    return a->code == b->code && a->seid == b->seid && a->deid == b->deid &&
           a->response == b->response && a->hash_len == b->hash_len &&
           memcmp(a->hash, b->hash, a->hash_len) == 0 && a->qos.delay == b->qos.delay &&
           a->qos.bandwidth == b->qos.bandwidth && a->qos.availability == b->qos.availability &&
           a->qos.loss == b->qos.loss && a->qos.ber == b->qos.ber &&
           a->qos.in_order == b->qos.in_order && a->qos.max_gap == b->qos.max_gap &&
           a->qos.timeout == b->qos.timeout;
}

static void test_round_trips(void)
{
    static const struct {
        uint8_t code;
        int len;
    } codes[] = {{ETH_MGMT_FLOW_REQ, 39 + HL},
                 {ETH_MGMT_FLOW_REPLY, 39},
                 {ETH_MGMT_NAME_QUERY_REQ, 39 + HL},
                 {ETH_MGMT_NAME_QUERY_REPLY, 39 + HL},
                 {ETH_MGMT_FLOW_DEALLOC, 39}};
    uint8_t buf[ETH_MGMT_MAX];

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        struct eth_mgmt m = sample(codes[i].code), back;
        int n = eth_mgmt_encode(&m, buf, sizeof(buf));
        is(n, codes[i].len, "%s: %d bytes", eth_mgmt_code_str(codes[i].code), codes[i].len);
        ok(eth_mgmt_decode(buf, (size_t)n, HL, &back) == 0 && same(&m, &back),
           "%s decodes to what was encoded", eth_mgmt_code_str(codes[i].code));
    }
}

static void test_layout(void)
{
    struct eth_mgmt m = sample(ETH_MGMT_FLOW_REQ), back;
    uint8_t buf[ETH_MGMT_MAX];

    m.response = 0;
    m.qos.loss = 0x0a0b0c0d;
    m.qos.in_order = 1;
    m.qos.availability = 5;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    ok(buf[0] == 0x01 && buf[1] == 0x02 && buf[2] == 0x03 && buf[3] == 0x04,
       "seid, deid first, network order");
    ok(buf[4] == 0x0a && buf[7] == 0x0d, "loss at 4");
    ok(buf[8] == 0x11 && buf[15] == 0x88, "bandwidth (u64) at 8");
    ok(buf[36] == 1 && buf[37] == ETH_MGMT_FLOW_REQ && buf[38] == 5,
       "in order, code, availability at 36..38");
    ok(buf[39] == 1 && buf[40] == 8, "the hash follows at 39");

    m = sample(ETH_MGMT_FLOW_REPLY);
    m.response = -1007;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    ok(buf[32] == 0xff && buf[35] == (uint8_t)(-1007 & 0xff), "response (i32) at 32");
    ok(eth_mgmt_decode(buf, 39, HL, &back) == 0 && back.response == -1007,
       "a negative response decodes");
    is(eth_mgmt_encode(&m, buf, 38), -EMSGSIZE, "encode into too small a buffer");
}

static void test_malformed(void)
{
    struct eth_mgmt m = sample(ETH_MGMT_FLOW_REQ), back;
    uint8_t buf[ETH_MGMT_MAX + 8];
    int n = eth_mgmt_encode(&m, buf, sizeof(buf));

    is(eth_mgmt_decode(buf, 38, HL, &back), -EBADMSG, "shorter than 39 bytes");
    is(eth_mgmt_decode(buf, (size_t)n - 1, HL, &back), -EBADMSG, "a hash one byte short");
    is(eth_mgmt_decode(buf, (size_t)n, 28, &back), -EBADMSG, "a hash of another length");
    is(eth_mgmt_decode(buf, (size_t)n, 0, &back), -EBADMSG, "a layer without hashes");
    buf[37] = ETH_MGMT_CODES;
    is(eth_mgmt_decode(buf, (size_t)n, HL, &back), -EBADMSG, "an unknown code");
    buf[37] = 0xff;
    is(eth_mgmt_decode(buf, (size_t)n, HL, &back), -EBADMSG, "code 255");
    buf[37] = ETH_MGMT_FLOW_REQ;
    buf[36] = 2;
    is(eth_mgmt_decode(buf, (size_t)n, HL, &back), -EBADMSG, "in order is 0 or 1");
    buf[36] = 0;
    buf[0] = buf[1] = 0;
    is(eth_mgmt_decode(buf, (size_t)n, HL, &back), -EBADMSG, "a FLOW_REQ from endpoint 0");

    m = sample(ETH_MGMT_FLOW_REPLY);
    n = eth_mgmt_encode(&m, buf, sizeof(buf));
    is(eth_mgmt_decode(buf, (size_t)n + 4, HL, &back), -EBADMSG,
       "a FLOW_REPLY with trailing bytes");
    m.response = 5;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    is(eth_mgmt_decode(buf, 39, HL, &back), -EBADMSG, "a positive response");
    m.response = -100000;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    is(eth_mgmt_decode(buf, 39, HL, &back), -EBADMSG, "a response beyond any errno");
    m.response = 0;
    m.seid = 0;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    is(eth_mgmt_decode(buf, 39, HL, &back), -EBADMSG, "an accepting FLOW_REPLY from eid 0");
    m.response = -1007;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    is(eth_mgmt_decode(buf, 39, HL, &back), 0, "a refusal may come from eid 0");
    m.deid = 0;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    is(eth_mgmt_decode(buf, 39, HL, &back), -EBADMSG, "a FLOW_REPLY to eid 0");

    m = sample(ETH_MGMT_FLOW_DEALLOC);
    m.deid = 0;
    eth_mgmt_encode(&m, buf, sizeof(buf));
    is(eth_mgmt_decode(buf, 39, HL, &back), -EBADMSG, "a FLOW_DEALLOC to eid 0");
}

int main(void)
{
    plan(10 + 8 + 15);
    test_round_trips();
    test_layout();
    test_malformed();
    return done();
}
