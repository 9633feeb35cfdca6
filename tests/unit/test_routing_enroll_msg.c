/*
 * test_routing_enroll_msg.c - the enrollment messages: the byte layout of
 * each, round trips, every truncation, and the rules on the configuration.
 */
#include "enroll_msg.h"
#include "tap.h"

#include <errno.h>

static struct enroll_msg resp(void)
{
    struct enroll_msg m = {.type = ENROLL_RESP,
                           .id = 0x0102030405060708ull,
                           .t_sec = 1763766000,
                           .t_nsec = 999999999};
    struct enroll_conf *c = &m.conf;

    strcpy(c->layer, "backbone");
    c->hash_algo = DIR_HASH_SHA3_256;
    c->dt = (struct dt_config){.addr_size = 4,
                               .eid_size = 8,
                               .max_ttl = 60,
                               .routing = ROUTING_LFA,
                               .ls_t_recalc = 4,
                               .ls_t_update = 15,
                               .ls_t_timeo = 60};
    c->dht = (struct dht_config){
        .alpha = 3, .k = 8, .t_expire = 86400, .t_refresh = 900, .t_replicate = 900};
    c->addr_auth = ADDR_AUTH_FLAT;
    c->cong_avoid = CA_MB_ECN;
    c->addr = 0xa0b0c0d0;
    c->dht_peer = 0x11223344;
    return m;
}

static void test_req_ack(void)
{
    struct enroll_msg m = {.type = ENROLL_REQ, .id = 0x1122334455667788ull}, o;
    uint8_t b[ENROLL_MSG_MAX];

    is(enroll_msg_encode(&m, b, sizeof(b)), 12, "a request: 12 bytes");
    ok(b[0] == 1 && b[1] == ENROLL_REQ && b[2] == 0 && b[3] == 0 && b[4] == 0x11 &&
           b[11] == 0x88,
       "version, type, reserved, the id in network order");
    is(enroll_msg_decode(b, 12, &o), 0, "decodes");
    ok(o.type == ENROLL_REQ && o.id == m.id, "... type and id");
    is(enroll_msg_decode(b, 13, &o), -EBADMSG, "a request of 13 bytes: refused");

    m = (struct enroll_msg){.type = ENROLL_ACK, .id = 9, .result = -EPERM};
    is(enroll_msg_encode(&m, b, sizeof(b)), 16, "an acknowledgement: 16 bytes");
    ok(b[12] == 0xff && b[15] == (uint8_t)-EPERM, "... the result, signed, at 12");
    is(enroll_msg_decode(b, 16, &o), 0, "decodes");
    ok(o.type == ENROLL_ACK && o.id == 9 && o.result == -EPERM, "... id and result");
    b[15] = 1;
    b[12] = 0;
    is(enroll_msg_decode(b, 16, &o), -EBADMSG, "a positive result: refused");
    m.id = 0;
    is(enroll_msg_encode(&m, b, sizeof(b)), -EINVAL, "id 0: -EINVAL");
}

static void test_resp(void)
{
    struct enroll_msg m = resp(), o;
    uint8_t b[ENROLL_MSG_MAX];
    int n = enroll_msg_encode(&m, b, sizeof(b)), bad = 0;

    is(n, 28 + 56 + 8, "a response: 28 bytes, 56 of configuration, the name");
    ok(b[1] == ENROLL_RESP && b[12] == 0 && b[19] == (uint8_t)1763766000 && b[20] == 0x3b &&
           b[27] == 0,
       "time at 12 and 20, result 0 at 24");
    ok(b[28] == 4 && b[29] == 8 && b[30] == 60 && b[31] == ROUTING_LFA && b[32] == 1 &&
           b[33] == CA_MB_ECN && b[34] == 0 && b[35] == 8,
       "widths, TTL, routing, hash, congestion avoidance, addr_auth, name length");
    ok(b[39] == 4 && b[43] == 15 && b[47] == 60 && b[51] == 3 && b[55] == 8,
       "link-state timers at 36..47, DHT alpha and k at 48..55");
    ok(b[68 + 4] == 0xa0 && b[75] == 0xd0 && b[83] == 0x44 &&
           memcmp(b + 84, "backbone", 8) == 0,
       "the assigned address at 68, the DHT peer at 76, the name at 84");
    is(enroll_msg_decode(b, (size_t)n, &o), 0, "decodes");
    ok(o.id == m.id && o.t_sec == m.t_sec && o.t_nsec == m.t_nsec && o.result == 0 &&
           strcmp(o.conf.layer, "backbone") == 0 && o.conf.hash_algo == DIR_HASH_SHA3_256 &&
           memcmp(&o.conf.dt, &m.conf.dt, sizeof(m.conf.dt)) == 0 &&
           memcmp(&o.conf.dht, &m.conf.dht, sizeof(m.conf.dht)) == 0 &&
           o.conf.cong_avoid == CA_MB_ECN && o.conf.addr == m.conf.addr &&
           o.conf.dht_peer == m.conf.dht_peer,
       "every field comes back");
    for (size_t k = 0; k < (size_t)n; k++)
        bad += enroll_msg_decode(b, k, &o) != -EBADMSG;
    is(bad, 0, "every truncation refused");
    is(enroll_msg_encode(&m, b, (size_t)n - 1), -EMSGSIZE,
       "a buffer one byte short: -EMSGSIZE");

    m = resp();
    memset(m.conf.layer, 'x', LAYER_NAME_SIZE);
    m.conf.dt.addr_size = 8;
    m.conf.addr = 0x0102030405060708ull;
    n = enroll_msg_encode(&m, b, sizeof(b));
    is(n, (int)ENROLL_MSG_MAX, "a 255-byte name and 8-byte addresses: the longest message");
    is(enroll_msg_decode(b, (size_t)n, &o), 0, "... decodes");
    ok(strlen(o.conf.layer) == LAYER_NAME_SIZE && o.conf.addr == m.conf.addr,
       "... name, address");

    m = (struct enroll_msg){.type = ENROLL_RESP, .id = 3, .result = -EACCES};
    is(enroll_msg_encode(&m, b, sizeof(b)), 28, "a refusal: 28 bytes, no configuration");
    is(enroll_msg_decode(b, 28, &o), 0, "... decodes");
    is(o.result, -EACCES, "... the result");
    b[28] = 0;
    is(enroll_msg_decode(b, 29, &o), -EBADMSG, "... a refusal with bytes after: refused");
}

/* A response broken at byte off (to v): refused. */
static void refused_at(const char *what, size_t off, uint8_t v)
{
    struct enroll_msg m = resp(), o;
    uint8_t b[ENROLL_MSG_MAX];
    int n = enroll_msg_encode(&m, b, sizeof(b));

    b[off] = v;
    is(enroll_msg_decode(b, (size_t)n, &o), -EBADMSG, "refused: %s", what);
}

/* A response with the 32-bit field at off set to v: refused. */
static void refused_at32(const char *what, size_t off, uint32_t v)
{
    struct enroll_msg m = resp(), o;
    uint8_t b[ENROLL_MSG_MAX];
    int n = enroll_msg_encode(&m, b, sizeof(b));

    b[off] = (uint8_t)(v >> 24);
    b[off + 1] = (uint8_t)(v >> 16);
    b[off + 2] = (uint8_t)(v >> 8);
    b[off + 3] = (uint8_t)v;
    is(enroll_msg_decode(b, (size_t)n, &o), -EBADMSG, "refused: %s", what);
}

static void test_rules(void)
{
    struct enroll_msg m = resp(), o;
    uint8_t b[ENROLL_MSG_MAX];
    int n;

    refused_at("version 2", 0, 2);
    refused_at("type 4", 1, 4);
    refused_at("type 0", 1, 0);
    refused_at("a reserved byte set", 3, 1);
    refused_at32("t_nsec of 10^9", 20, 1000000000);
    refused_at("addr_size 2", 28, 2);
    refused_at("eid_size 4", 29, 4);
    refused_at("max_ttl 0", 30, 0);
    refused_at("routing policy 3", 31, 3);
    refused_at("hash algorithm 5", 32, 5);
    refused_at("congestion avoidance 2", 33, 2);
    refused_at("addr_auth 1", 34, 1);
    refused_at("a name length past the end", 35, 9);
    refused_at("a name length short of the end", 35, 7);
    refused_at("ls_t_recalc 0", 39, 0);
    refused_at("ls_t_timeo not above ls_t_update", 47, 15);
    refused_at("DHT alpha 11", 51, 11);
    refused_at("DHT k 0", 55, 0);
    refused_at32("DHT t_expire 0", 56, 0);
    refused_at32("DHT t_refresh 0", 60, 0);
    refused_at32("DHT t_replicate 0", 64, 0);
    refused_at("an assigned address of 5 bytes", 71, 1);
    refused_at("a NUL in the name", 86, 0);

    m.conf.addr = 0;
    is(enroll_msg_encode(&m, b, sizeof(b)), -EINVAL, "the encoder keeps the rules: address 0");
    m = resp();
    m.conf.dht_peer = m.conf.addr;
    is(enroll_msg_encode(&m, b, sizeof(b)), -EINVAL, "... the enroller's address assigned");
    m = resp();
    m.conf.layer[0] = '\0';
    is(enroll_msg_encode(&m, b, sizeof(b)), -EINVAL, "... an empty layer name");
    m = resp();
    m.t_sec = -1;
    is(enroll_msg_encode(&m, b, sizeof(b)), -EINVAL, "... a negative time");
    m = resp();
    n = enroll_msg_encode(&m, b, sizeof(b));
    is(enroll_msg_decode(b, (size_t)n + 1, &o), -EBADMSG,
       "a response with a byte after: refused");
}

int main(void)
{
    plan(11 + 16 + 28);
    test_req_ack();
    test_resp();
    test_rules();
    return done();
}
