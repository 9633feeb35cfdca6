/*
 * test_hash.c - MD5 and SHA3 against the test vectors of RFC 1321 and of
 * FIPS 202 (the NIST examples), at every padding boundary.
 */
#include "hash.h"
#include "tap.h"

static const char *hex(enum dir_hash_algo a, const void *d, size_t n)
{
    static char out[2 * HASH_MAX + 1];
    uint8_t h[HASH_MAX];
    int len = hash_compute(a, d, n, h);

    hash_hex(h, (size_t)len, out);
    return out;
}

int main(void)
{
    static uint8_t a200[200];
    static char million[1000001];

    plan(17);
    memset(a200, 0xa3, sizeof(a200));
    is_str(hex(DIR_HASH_MD5, "", 0), "d41d8cd98f00b204e9800998ecf8427e", "MD5 of ''");
    is_str(hex(DIR_HASH_MD5, "abc", 3), "900150983cd24fb0d6963f7d28e17f72", "MD5 of 'abc'");
    is_str(hex(DIR_HASH_MD5, "message digest", 14), "f96b697d7cb7938d525a2f31aaf161d0",
           "MD5 of 'message digest'");
    is_str(
        hex(DIR_HASH_MD5,
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            80),
        "57edf4a22be3c955ac49da2e2107b67a", "MD5 of 80 digits (two blocks)");
    is_str(
        hex(DIR_HASH_MD5, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 62),
        "d174ab98d277d9f5a5611c2c9f419d9f", "MD5 of 62 letters and digits (padding spills)");
    is_str(hex(DIR_HASH_SHA3_224, "", 0),
           "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7", "SHA3-224 of ''");
    is_str(hex(DIR_HASH_SHA3_256, "", 0),
           "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
           "SHA3-256 of ''");
    is_str(hex(DIR_HASH_SHA3_256, "abc", 3),
           "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
           "SHA3-256 of 'abc'");
    is_str(hex(DIR_HASH_SHA3_384, "abc", 3),
           "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f"
           "1edf2"
           "28376d25",
           "SHA3-384 of 'abc'");
    is_str(hex(DIR_HASH_SHA3_512, "abc", 3),
           "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7"
           "ec5764"
           "7e3934057340b4cf408d5a56592f8274eec53f0",
           "SHA3-512 of 'abc'");
    is_str(
        hex(DIR_HASH_SHA3_256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56),
        "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376",
        "SHA3-256 of the 448-bit message");
    is_str(hex(DIR_HASH_SHA3_256, a200, 200),
           "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787",
           "SHA3-256 of 200 bytes 0xa3 (more than a block)");
    memset(million, 'a', 1000000);
    is_str(hex(DIR_HASH_SHA3_256, million, 1000000),
           "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1",
           "SHA3-256 of a million 'a'");
    is(hash_len(DIR_HASH_MD5), 16, "MD5: 16 bytes");
    is(hash_len(DIR_HASH_SHA3_512), 64, "SHA3-512: 64 bytes");
    is(hash_len((enum dir_hash_algo)99), -EINVAL, "an unknown algorithm: -EINVAL");
    {
        uint8_t h[HASH_MAX];
        int n = hash_name(DIR_HASH_MD5, "abc", h);
        ok(n == 16 && h[0] == 0x90 && h[15] == 0x72,
           "hash_name hashes the name without its NUL");
    }
    return done();
}
