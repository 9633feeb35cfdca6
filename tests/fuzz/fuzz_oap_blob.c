/*
 * fuzz_oap_blob.c - libFuzzer target for the allocation blob and the
 * packet opener: any bytes decode or are refused; a decoded blob re-encodes
 * to the same bytes, its signature check and key derivation never crash; the
 * same bytes as a sealed packet never open under a key they were not sealed
 * with.
 */
#include "flow_crypt.h"

#include <errno.h>
#include <sodium.h>
#include <stddef.h>
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
    static const uint8_t seed[crypto_kx_SEEDBYTES] = {1, 2, 3};
    static uint8_t pkt[4096];
    struct flow_crypt_blob b;
    struct flow_crypt_kx kx;
    struct flow_crypt c;
    uint8_t buf[FLOW_CRYPT_BLOB_MAX];
    uint8_t hash[32] = {7};
    int r;

    CHECK(sodium_init() >= 0);
    r = flow_crypt_blob_decode(&b, data, size);
    if (r == 0) {
        int n = flow_crypt_blob_encode(&b, buf, sizeof(buf));

        CHECK(n == (int)size && memcmp(buf, data, size) == 0);
        r = flow_crypt_blob_verify(&b, hash, sizeof(hash));
        CHECK(r == -ENOKEY || r == -EBADMSG);
        crypto_kx_seed_keypair(kx.pk, kx.sk, seed);
        r = flow_crypt_init(&c, &kx, b.kx_pk, b.flags & FLOW_CRYPT_BLOB_F_RESP);
        CHECK(r == 0 || r == -EINVAL);
        flow_crypt_wipe(&c);
    } else {
        CHECK(r == -EBADMSG || r == -EPROTO || r == -EPROTONOSUPPORT);
    }

    /* The bytes as a packet of a flow keyed from fixed key pairs. */
    memset(&c, 0, sizeof(c));
    memset(c.rx_key, 0x42, sizeof(c.rx_key));
    c.keyed = true;
    if (size <= sizeof(pkt)) {
        memcpy(pkt, data, size);
        r = flow_crypt_open(&c, pkt, size);
        CHECK(r == -EBADMSG);
        CHECK(c.st.rx_short + c.st.rx_auth == 1);
    }
    flow_crypt_wipe(&c);
    return 0;
}
