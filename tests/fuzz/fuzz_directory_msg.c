/*
 * fuzz_directory_msg.c - libFuzzer target for the DHT's message decoder:
 * any bytes, decoded for a layer of 32-byte ids (and of the length the
 * first byte picks). Nothing crashes; what decodes keeps the rules and
 * encodes back to the same bytes.
 */
#include "dht_msg.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *d, size_t size, size_t id_len)
{
    static uint8_t again[DHT_MSG_MAX];
    struct dht_msg m;
    int rc = dht_msg_decode(d, size, id_len, &m);
    int n;

    CHECK(rc == 0 || rc == -EBADMSG);
    if (rc != 0)
        return;
    CHECK(size == dht_msg_len(&m) && size <= DHT_MSG_MAX);
    CHECK(m.n_values <= DHT_MSG_MAX_VALUES && m.n_contacts <= DHT_MSG_MAX_CONTACTS);
    CHECK(m.code >= DHT_STORE && m.code <= DHT_FIND_VALUE_RSP && m.src_addr != 0);
    CHECK(!dht_msg_is_request(m.code) || (m.cookie != 0 && m.n_values + m.n_contacts == 0));
    n = dht_msg_encode(&m, again, sizeof(again));
    CHECK(n == (int)size && memcmp(again, d, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes: ASan sees any read past the end. */
    uint8_t *d = malloc(size ? size : 1);

    CHECK(d != NULL);
    memcpy(d, data, size);
    one(d, size, 32);
    if (size > 2 && d[2] >= DHT_ID_MIN && d[2] <= DHT_ID_MAX)
        one(d, size, d[2]);
    free(d);
    return 0;
}
