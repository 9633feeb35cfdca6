/*
 * fuzz_directory_node.c - libFuzzer target for a DHT node fed hostile
 * traffic: the input is cut into messages (2-byte length, 1-byte sender,
 * then the bytes), each given to dht_recv from one of a few addresses, with
 * the clock moving and dht_tick between them. Nothing crashes or leaks;
 * whatever the node sends decodes.
 */
#include "dht.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sent(void *ctx, uint64_t addr, const uint8_t *buf, size_t len)
{
    struct dht_msg m;

    (void)ctx;
    CHECK(addr != 0 && addr != 1);
    CHECK(dht_msg_decode(buf, len, 32, &m) == 0);
    return 0;
}

static void answer(void *ctx, const uint8_t *key, int err, const struct dht_value *v, size_t n)
{
    (void)ctx;
    (void)key;
    CHECK((err == 0) == (n > 0) && (n == 0 || v != NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dht_params p;
    uint8_t id[32], key[32];
    uint64_t now = 1000000;
    struct dht *d;
    size_t at = 0;

    dht_params_default(&p);
    memset(id, 0x5a, sizeof(id));
    memset(key, 0xa5, sizeof(key));
    d = dht_new(&p, id, 1, sent, NULL);
    CHECK(d != NULL);
    dht_bootstrap(d, 2, now);
    dht_publish(d, id, 1, now);
    dht_query(d, key, now, answer, NULL);
    for (size_t i = 0; i < 256 && at + 3 <= size; i++) {
        size_t len = (size_t)data[at] << 8 | data[at + 1];
        uint64_t from = 2 + data[at + 2] % 4;
        uint8_t *msg;

        at += 3;
        if (len > size - at)
            len = size - at;
        msg = malloc(len ? len : 1);
        CHECK(msg != NULL);
        memcpy(msg, data + at, len);
        dht_recv(d, msg, len, from, now);
        free(msg);
        at += len;
        now += 700;
        dht_tick(d, now);
    }
    dht_tick(d, now + 3600 * 1000);
    dht_destroy(&d);
    return 0;
}
