/*
 * hash.c - name hashes of a layer: MD5 (RFC 1321) for the UDP layers, whose
 * hashes must fit a DNS label, and SHA3-224/256/384/512 (FIPS 202) for the
 * others. Written from the specifications; checked against their test
 * vectors in tests/unit/test_hash.c.
 */
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- MD5 ------------------------------------------------------------------- */

static inline uint32_t rol32(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

/* Per round: shift amounts; the constants are floor(2^32 * |sin(i + 1)|). */
static const uint8_t md5_shift[64] = {
    7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
    14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
    4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};

static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
    0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
    0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
    0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
    0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
    0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
    0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
    0xeb86d391};

static void md5_block(uint32_t s[4], const uint8_t *p)
{
    uint32_t m[16], a = s[0], b = s[1], c = s[2], d = s[3];

    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) & 15;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) & 15;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) & 15;
        }
        f += a + md5_k[i] + m[g];
        a = d;
        d = c;
        c = b;
        b += rol32(f, md5_shift[i]);
    }
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
}

static void md5(const uint8_t *data, size_t len, uint8_t out[16])
{
    uint32_t s[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    uint8_t tail[128] = {0};
    uint64_t bits = (uint64_t)len * 8;
    size_t full = len & ~(size_t)63, rest = len - full, tlen;

    for (size_t i = 0; i < full; i += 64)
        md5_block(s, data + i);
    /* Padding: a 1 bit, zeros, then the length in bits, little-endian. */
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    tlen = rest < 56 ? 64 : 128;
    for (int i = 0; i < 8; i++)
        tail[tlen - 8 + (size_t)i] = (uint8_t)(bits >> (8 * i));
    md5_block(s, tail);
    if (tlen == 128)
        md5_block(s, tail + 64);
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)(s[i / 4] >> (8 * (i % 4)));
}

/* ---- SHA3 (Keccak-f[1600]) ------------------------------------------------------ */

static const uint64_t keccak_rc[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};

/* Rotation offsets of the rho step, and where pi sends each lane. */
static const int keccak_rho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                   25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

static inline uint64_t rol64(uint64_t x, int n)
{
    return n == 0 ? x : (x << n) | (x >> (64 - n));
}

static void keccak_f(uint64_t a[25])
{
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], b[25];
        /* theta */
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t dx = c[(x + 4) % 5] ^ rol64(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                a[y + x] ^= dx;
        }
        /* rho and pi: lane (x, y) goes to (y, 2x + 3y) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rol64(a[x + 5 * y], keccak_rho[x + 5 * y]);
        /* chi */
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; x++)
                a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        /* iota */
        a[0] ^= keccak_rc[round];
    }
}

static void sha3(const uint8_t *data, size_t len, uint8_t *out, size_t outlen)
{
    size_t rate = 200 - 2 * outlen;
    uint64_t a[25] = {0};
    uint8_t block[200];

    for (;;) {
        size_t n = len < rate ? len : rate;
        memset(block, 0, rate);
        memcpy(block, data, n);
        if (n < rate) {
            /* The SHA3 domain bits 01, then pad10*1. */
            block[n] ^= 0x06;
            block[rate - 1] ^= 0x80;
        }
        for (size_t i = 0; i < rate / 8; i++) {
            uint64_t lane = 0;
            for (int j = 0; j < 8; j++)
                lane |= (uint64_t)block[8 * i + (size_t)j] << (8 * j);
            a[i] ^= lane;
        }
        keccak_f(a);
        if (n < rate)
            break;
        data += n;
        len -= n;
    }
    for (size_t i = 0; i < outlen; i++)
        out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

/* ---- the layer's hash ---- */

int hash_len(enum dir_hash_algo algo)
{
    switch (algo) {
    case DIR_HASH_SHA3_224:
        return 28;
    case DIR_HASH_SHA3_256:
        return 32;
    case DIR_HASH_SHA3_384:
        return 48;
    case DIR_HASH_SHA3_512:
        return 64;
    case DIR_HASH_MD5:
        return 16;
    }
    return -EINVAL;
}

int hash_compute(enum dir_hash_algo algo, const void *data, size_t len, uint8_t *out)
{
    int n = hash_len(algo);

    if (n < 0)
        return n;
    if (algo == DIR_HASH_MD5)
        md5(data, len, out);
    else
        sha3(data, len, out, (size_t)n);
    return n;
}

int hash_name(enum dir_hash_algo algo, const char *name, uint8_t *out)
{
    return hash_compute(algo, name, strlen(name), out);
}

void hash_hex(const uint8_t *hash, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", hash[i]);
    out[2 * len] = '\0';
}
