/*
 * test_directory_msg.c - the DHT's wire codec: each message kind round
 * trips, the header sits at its byte offsets in network order, every
 * truncation and extension is rejected, and each rule of the decoder holds.
 */
#include "dht_msg.h"
#include "tap.h"

#include <errno.h>

#define L 32

static struct dht_msg base(uint8_t code)
{
    struct dht_msg m;

    memset(&m, 0, sizeof(m));
    m.code = code;
    m.cookie = 0xa1b2c3d4;
    m.src_addr = 0x0102030405060708ull;
    m.id_len = L;
    for (size_t i = 0; i < L; i++) {
        m.src_id[i] = (uint8_t)(0x10 + i);
        m.key[i] = (uint8_t)(0x80 + i);
    }
    return m;
}

static struct dht_msg full_value_rsp(size_t id_len)
{
    struct dht_msg m = base(DHT_FIND_VALUE_RSP);

    m.id_len = id_len;
    m.n_values = DHT_MSG_MAX_VALUES;
    for (size_t i = 0; i < m.n_values; i++)
        m.values[i] = (struct dht_value){1000 + i, 60 + (uint32_t)i};
    m.n_contacts = DHT_MSG_MAX_CONTACTS;
    for (size_t i = 0; i < m.n_contacts; i++) {
        m.contacts[i].addr = 5000 + i;
        memset(m.contacts[i].id, (int)i, id_len);
    }
    return m;
}

static bool same(const struct dht_msg *a, const struct dht_msg *b)
{
    if (a->code != b->code || a->cookie != b->cookie || a->src_addr != b->src_addr ||
        a->id_len != b->id_len || a->n_values != b->n_values ||
        a->n_contacts != b->n_contacts || memcmp(a->src_id, b->src_id, a->id_len) != 0 ||
        memcmp(a->key, b->key, a->id_len) != 0)
        return false;
    for (size_t i = 0; i < a->n_values; i++) {
        if (a->values[i].addr != b->values[i].addr || a->values[i].ttl != b->values[i].ttl)
            return false;
    }
    for (size_t i = 0; i < a->n_contacts; i++) {
        if (a->contacts[i].addr != b->contacts[i].addr ||
            memcmp(a->contacts[i].id, b->contacts[i].id, a->id_len) != 0)
            return false;
    }
    return true;
}

static void test_layout(void)
{
    uint8_t b[DHT_MSG_MAX];
    struct dht_msg m = base(DHT_STORE), o;
    int n;

    m.n_values = 1;
    m.values[0] = (struct dht_value){0x1122334455667788ull, 86400};
    n = dht_msg_encode(&m, b, sizeof(b));
    is(n, 20 + 2 * L + 12, "STORE with one value: 20 + 2L + 12 bytes");
    ok(b[0] == 1 && b[1] == DHT_STORE && b[2] == L && b[3] == 1 && b[4] == 0,
       "bytes 0-4: version, code, id_len, n_values, n_contacts");
    ok(b[5] == 0 && b[6] == 0 && b[7] == 0, "bytes 5-7: reserved zero");
    ok(b[8] == 0xa1 && b[11] == 0xd4, "bytes 8-11: the cookie, big-endian");
    ok(b[12] == 0x01 && b[19] == 0x08, "bytes 12-19: the sender's address, big-endian");
    ok(b[20] == 0x10 && b[20 + L - 1] == 0x10 + L - 1, "bytes 20..: the sender's id");
    ok(b[20 + L] == 0x80, "then the key");
    ok(b[20 + 2 * L] == 0x11 && b[20 + 2 * L + 7] == 0x88, "then the value's address");
    ok(b[20 + 2 * L + 8] == 0 && b[20 + 2 * L + 9] == 0x01 && b[20 + 2 * L + 10] == 0x51 &&
           b[20 + 2 * L + 11] == 0x80,
       "and its lifetime (86400 s)");
    is(dht_msg_decode(b, (size_t)n, L, &o), 0, "it decodes");
    ok(same(&m, &o), "... to the same message");
    is(dht_msg_decode(b, (size_t)n, 48, &o), -EBADMSG, "a layer of 48-byte ids refuses it");
    is(dht_msg_decode(b, (size_t)n, 8, &o), -EINVAL, "an id length of 8 is not a layer's");
}

static void test_round_trips(void)
{
    static const size_t lens[] = {16, 20, 32, 64};
    uint8_t b[DHT_MSG_MAX];
    struct dht_msg o;

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        struct dht_msg m = full_value_rsp(lens[i]);
        int n = dht_msg_encode(&m, b, sizeof(b));

        is(n, (int)dht_msg_len(&m), "id_len %zu: the full FIND_VALUE_RSP encodes", lens[i]);
        ok(n > 0 && dht_msg_decode(b, (size_t)n, lens[i], &o) == 0 && same(&m, &o),
           "id_len %zu: 16 values and 32 contacts round trip", lens[i]);
    }
    is((int)dht_msg_len(&(struct dht_msg){
           .id_len = 64, .n_values = DHT_MSG_MAX_VALUES, .n_contacts = DHT_MSG_MAX_CONTACTS}),
       DHT_MSG_MAX, "the largest message is DHT_MSG_MAX bytes");

    {
        uint8_t codes[] = {DHT_STORE,         DHT_REMOVE,         DHT_FIND_NODE_REQ,
                           DHT_FIND_NODE_RSP, DHT_FIND_VALUE_REQ, DHT_FIND_VALUE_RSP};

        for (size_t i = 0; i < sizeof(codes); i++) {
            struct dht_msg m = base(codes[i]);
            int n;

            if (codes[i] == DHT_STORE || codes[i] == DHT_REMOVE) {
                m.n_values = 2;
                m.values[0] = (struct dht_value){7, codes[i] == DHT_STORE ? 5 : 0};
                m.values[1] = (struct dht_value){9, codes[i] == DHT_STORE ? 6 : 0};
            }
            if (codes[i] == DHT_FIND_NODE_RSP) {
                m.n_contacts = 1;
                m.contacts[0].addr = 77;
            }
            n = dht_msg_encode(&m, b, sizeof(b));
            ok(n > 0 && dht_msg_decode(b, (size_t)n, L, &o) == 0 && same(&m, &o),
               "%s round trips", dht_msg_code_str(codes[i]));
        }
    }
}

static void test_truncations(void)
{
    uint8_t b[DHT_MSG_MAX + 1];
    struct dht_msg m = full_value_rsp(L), o;
    int n = dht_msg_encode(&m, b, sizeof(b));
    size_t bad = 0;

    for (size_t len = 0; len < (size_t)n; len++)
        bad += dht_msg_decode(b, len, L, &o) != -EBADMSG;
    is(bad, 0, "each of the %d truncations of a full FIND_VALUE_RSP is rejected", n);
    b[n] = 0;
    is(dht_msg_decode(b, (size_t)n + 1, L, &o), -EBADMSG, "a trailing byte is rejected");
    for (size_t len = 0; len < (size_t)n; len++)
        bad += dht_msg_encode(&m, b, len) != -EMSGSIZE;
    is(bad, 0, "encoding into any shorter buffer says -EMSGSIZE");
}

/* Encode m bypassing the encoder's checks: a valid message, then a patch. */
static int patched(uint8_t *b, size_t at, uint8_t val)
{
    struct dht_msg m = base(DHT_FIND_NODE_RSP);
    int n;

    m.n_contacts = 1;
    m.contacts[0].addr = 3;
    n = dht_msg_encode(&m, b, DHT_MSG_MAX);
    b[at] = val;
    return n;
}

static void test_rules(void)
{
    uint8_t b[DHT_MSG_MAX];
    struct dht_msg m, o;
    int n;

    n = patched(b, 0, 2);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "version 2 is rejected");
    n = patched(b, 1, 7);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "code 7 is rejected");
    n = patched(b, 1, 0);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "code 0 is rejected");
    n = patched(b, 6, 1);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "a non-zero reserved byte is rejected");
    n = patched(b, 4, 200);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "200 contacts (over 32) are rejected");
    n = patched(b, 3, 17);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "17 values (over 16) are rejected");
    n = patched(b, 4, 2);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "a count beyond the bytes is rejected");
    n = patched(b, 20 + 2 * L + 7, 0);
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "a contact at address 0 is rejected");
    n = patched(b, 19, 0);
    b[12] = b[13] = b[14] = b[15] = b[16] = b[17] = b[18] = 0;
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "sender address 0 is rejected");
    n = patched(b, 8, 0);
    b[9] = b[10] = b[11] = 0;
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG,
       "a response without a cookie is rejected");
    m = base(DHT_FIND_VALUE_RSP);
    m.n_values = 1;
    m.values[0] = (struct dht_value){5, 5};
    n = dht_msg_encode(&m, b, sizeof(b));
    b[1] = DHT_FIND_NODE_RSP;
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG, "FIND_NODE_RSP with a value is rejected");
    b[1] = DHT_FIND_VALUE_RSP;
    b[20 + 2 * L + 11] = 0;
    is(dht_msg_decode(b, (size_t)n, L, &o), -EBADMSG,
       "a found value of lifetime 0 is rejected");

    m = base(DHT_STORE);
    is(dht_msg_encode(&m, b, sizeof(b)), -EINVAL, "STORE without a value is refused");
    m.n_values = 1;
    m.values[0] = (struct dht_value){5, 0};
    is(dht_msg_encode(&m, b, sizeof(b)), -EINVAL, "STORE with lifetime 0 is refused");
    m.code = DHT_REMOVE;
    ok(dht_msg_encode(&m, b, sizeof(b)) > 0, "REMOVE has lifetime 0");
    m.values[0].ttl = 5;
    is(dht_msg_encode(&m, b, sizeof(b)), -EINVAL, "REMOVE with a lifetime is refused");
    m = base(DHT_FIND_VALUE_REQ);
    m.cookie = 0;
    is(dht_msg_encode(&m, b, sizeof(b)), -EINVAL, "a request without a cookie is refused");
    m = base(DHT_FIND_NODE_REQ);
    m.n_contacts = 1;
    m.contacts[0].addr = 4;
    is(dht_msg_encode(&m, b, sizeof(b)), -EINVAL, "a request with contacts is refused");
    m = base(DHT_STORE);
    m.n_values = 1;
    m.values[0] = (struct dht_value){0, 5};
    is(dht_msg_encode(&m, b, sizeof(b)), -EINVAL, "a value at address 0 is refused");
    m = base(DHT_FIND_NODE_RSP);
    m.n_contacts = DHT_MSG_MAX_CONTACTS + 1;
    is(dht_msg_encode(&m, b, sizeof(b)), -EINVAL, "33 contacts are refused");
    ok(dht_msg_is_request(DHT_FIND_NODE_REQ) && dht_msg_is_request(DHT_FIND_VALUE_REQ) &&
           !dht_msg_is_request(DHT_STORE) && !dht_msg_is_request(DHT_FIND_NODE_RSP),
       "requests are the two FIND_*_REQ");
    is_str(dht_msg_code_str(DHT_REMOVE), "REMOVE", "code names");
    is_str(dht_msg_code_str(99), "unknown", "... and an unknown one");
}

int main(void)
{
    test_layout();
    test_round_trips();
    test_truncations();
    test_rules();
    return done();
}
