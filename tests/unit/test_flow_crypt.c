/*
 * test_flow_crypt.c - per-flow encryption: key exchange into two directional
 * keys, round trips both ways, modified / replayed / truncated / too old
 * packets refused and counted, reordering within the window accepted once,
 * keys wiped; the allocation blob codec and its Ed25519 signature. Reports
 * the cost of seal + open of a 1400-byte packet as a diag line.
 */
#include "flow_crypt.h"
#include "tap.h"

#include <errno.h>
#include <sodium.h>
#include <time.h>

#define BUF (FLOW_CRYPT_OVERHEAD + 9000)

static struct flow_crypt a, b;

static void pair(struct flow_crypt *ini, struct flow_crypt *rsp)
{
    struct flow_crypt_kx ki, kr;
    uint8_t pki[FLOW_CRYPT_PK_LEN], pkr[FLOW_CRYPT_PK_LEN];

    if (flow_crypt_kx_new(&ki) || flow_crypt_kx_new(&kr))
        bail_out("no key pair");
    memcpy(pki, ki.pk, sizeof(pki));
    memcpy(pkr, kr.pk, sizeof(pkr));
    if (flow_crypt_init(ini, &ki, pkr, true) || flow_crypt_init(rsp, &kr, pki, false))
        bail_out("no keys");
}

static int seal_msg(struct flow_crypt *c, uint8_t *pkt, const char *msg, size_t len)
{
    memcpy(pkt + FLOW_CRYPT_CTR_LEN, msg, len);
    return flow_crypt_seal(c, pkt, len, BUF);
}

static void test_keys(void)
{
    struct flow_crypt_kx ki, kr;
    uint8_t pkr[FLOW_CRYPT_PK_LEN], zero[FLOW_CRYPT_PK_LEN] = {0};

    is(flow_crypt_kx_new(&ki), 0, "an ephemeral key pair");
    flow_crypt_kx_new(&kr);
    memcpy(pkr, kr.pk, sizeof(pkr));
    is(flow_crypt_init(&a, &ki, pkr, true), 0, "initiator keys derived");
    ok(sodium_is_zero(ki.sk, sizeof(ki.sk)) && sodium_is_zero(ki.pk, sizeof(ki.pk)),
       "the ephemeral key pair is wiped after use");
    flow_crypt_kx_wipe(&kr);
    pair(&a, &b);
    ok(memcmp(a.tx_key, b.rx_key, FLOW_CRYPT_KEY_LEN) == 0 &&
           memcmp(a.rx_key, b.tx_key, FLOW_CRYPT_KEY_LEN) == 0,
       "each side's tx key is the other's rx key");
    ok(memcmp(a.tx_key, a.rx_key, FLOW_CRYPT_KEY_LEN) != 0, "each direction has its own key");
    flow_crypt_kx_new(&ki);
    is(flow_crypt_init(&b, &ki, zero, false), -EINVAL, "an all-zero peer key is refused");
    ok(!b.keyed && sodium_is_zero((const uint8_t *)&b, sizeof(b)), "and leaves nothing behind");
}

static void test_round_trip(void)
{
    static uint8_t pkt[BUF];
    static char big[9000];
    size_t lens[] = {0, 1, 12, 1400, 9000};
    bool fine = true;
    int n;

    pair(&a, &b);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        n = seal_msg(&a, pkt, big, lens[i]);
        if (n != (int)(lens[i] + FLOW_CRYPT_OVERHEAD) ||
            (lens[i] >= 16 && memcmp(pkt + FLOW_CRYPT_CTR_LEN, big, 16) == 0))
            fine = false;
        if (flow_crypt_open(&b, pkt, (size_t)n) != (int)lens[i] ||
            memcmp(pkt + FLOW_CRYPT_CTR_LEN, big, lens[i]) != 0)
            fine = false;
        n = seal_msg(&b, pkt, big, lens[i]);
        if (flow_crypt_open(&a, pkt, (size_t)n) != (int)lens[i] ||
            memcmp(pkt + FLOW_CRYPT_CTR_LEN, big, lens[i]) != 0)
            fine = false;
    }
    ok(fine, "0, 1, 12, 1400, 9000 bytes round trip both ways, ciphertext differs");
    n = seal_msg(&a, pkt, "hello", 5);
    is(flow_crypt_open(&a, pkt, (size_t)n), -EBADMSG,
       "a packet does not open with its own direction's key");
    is(flow_crypt_seal(&a, pkt, 10, 33), -EMSGSIZE, "no room for the tag: -EMSGSIZE");
    a.tx_ctr = FLOW_CRYPT_MAX_PACKETS;
    is(flow_crypt_seal(&a, pkt, 10, BUF), -EKEYEXPIRED, "a spent key refuses to seal");
}

static void test_refusals(void)
{
    static uint8_t pkt[BUF], copy[BUF];
    bool fine = true;
    int n;

    pair(&a, &b);
    n = seal_msg(&a, pkt, "modify me please", 16);
    memcpy(copy, pkt, (size_t)n);
    pkt[FLOW_CRYPT_CTR_LEN + 3] ^= 0x20;
    is(flow_crypt_open(&b, pkt, (size_t)n), -EBADMSG, "a modified payload is refused");
    memcpy(pkt, copy, (size_t)n);
    pkt[n - 1] ^= 1;
    is(flow_crypt_open(&b, pkt, (size_t)n), -EBADMSG, "a modified tag is refused");
    memcpy(pkt, copy, (size_t)n);
    pkt[7] ^= 0x40; /* a counter far ahead */
    is(flow_crypt_open(&b, pkt, (size_t)n), -EBADMSG, "a modified counter is refused");
    memcpy(pkt, copy, (size_t)n);
    is(flow_crypt_open(&b, pkt, (size_t)n - 1), -EBADMSG, "a packet one byte short is refused");
    is(b.st.rx_auth, 4, "four authentication failures counted");
    for (size_t len = 0; len < FLOW_CRYPT_OVERHEAD; len++)
        if (flow_crypt_open(&b, pkt, len) != -EBADMSG)
            fine = false;
    ok(fine && b.st.rx_short == FLOW_CRYPT_OVERHEAD,
       "every packet shorter than counter + tag refused and counted");
    memcpy(pkt, copy, (size_t)n);
    is(flow_crypt_open(&b, pkt, (size_t)n), 16,
       "the original still opens: forgeries did not move the window");
    memcpy(pkt, copy, (size_t)n);
    is(flow_crypt_open(&b, pkt, (size_t)n), -EALREADY, "its replay is refused");
    is(b.st.rx_replay, 1, "and counted");
}

static void test_window(void)
{
    static uint8_t pkts[300][64];
    static uint8_t tmp[64];
    int order[300];
    bool fine = true;
    int accepted = 0, dup = 0;
    uint64_t rng = 12345;

    pair(&a, &b);
    for (int i = 0; i < 300; i++)
        seal_msg(&a, pkts[i], "0123456789abcdef", 16);
    memcpy(tmp, pkts[200], 40);
    is(flow_crypt_open(&b, tmp, 40), 16, "packet 200 first");
    memcpy(tmp, pkts[73], 40);
    is(flow_crypt_open(&b, tmp, 40), 16, "packet 73 (127 behind) accepted");
    memcpy(tmp, pkts[72], 40);
    is(flow_crypt_open(&b, tmp, 40), -ESTALE, "packet 72 (128 behind) too old");
    memcpy(tmp, pkts[0], 40);
    is(flow_crypt_open(&b, tmp, 40), -ESTALE, "packet 0 too old");
    is(b.st.rx_old, 2, "too old counted");
    memcpy(tmp, pkts[299], 40);
    is(flow_crypt_open(&b, tmp, 40), 16, "a jump of 99 ahead accepted");
    memcpy(tmp, pkts[200], 40);
    is(flow_crypt_open(&b, tmp, 40), -EALREADY, "200 again: still known after the slide");

    /* Reordering within the window, with duplicates: each accepted once. */
    pair(&a, &b);
    for (int i = 0; i < 300; i++) {
        seal_msg(&a, pkts[i], "0123456789abcdef", 16);
        order[i] = i;
    }
    for (int i = 0; i < 300; i++) { /* shuffle within blocks of 50 */
        int j;

        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        j = i / 50 * 50 + (int)(rng % 50);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int k = 0; k < 600; k++) {
        int i = order[k % 300];
        int r;

        memcpy(tmp, pkts[i], 40);
        r = flow_crypt_open(&b, tmp, 40);
        if (r == 16)
            accepted++;
        else if (r == -EALREADY || r == -ESTALE)
            dup++;
        else
            fine = false;
    }
    ok(fine && accepted == 300 && dup == 300,
       "300 packets shuffled within 50, sent twice: %d accepted, %d refused", accepted, dup);
}

static void test_wipe(void)
{
    pair(&a, &b);
    ok(!sodium_is_zero(a.tx_key, FLOW_CRYPT_KEY_LEN), "keys are set");
    flow_crypt_wipe(&a);
    ok(sodium_is_zero((const uint8_t *)&a, sizeof(a)), "wipe zeroes keys, counters, window");
    flow_crypt_wipe(&b);
}

static void test_blob(void)
{
    struct flow_crypt_blob bl = {.version = FLOW_CRYPT_BLOB_VERSION}, d;
    struct flow_crypt_kx kx;
    uint8_t id_pk[32], id_sk[64], other_pk[32], other_sk[64];
    uint8_t hash[32], buf[FLOW_CRYPT_BLOB_MAX + 8], tmp[FLOW_CRYPT_BLOB_MAX];
    bool trunc = true;
    int n;

    memset(hash, 0x5a, sizeof(hash));
    flow_crypt_kx_new(&kx);
    memcpy(bl.kx_pk, kx.pk, 32);
    flow_crypt_kx_wipe(&kx);
    n = flow_crypt_blob_encode(&bl, buf, sizeof(buf));
    is(n, FLOW_CRYPT_BLOB_MIN, "an unsigned blob is 36 bytes");
    ok(flow_crypt_blob_decode(&d, buf, (size_t)n) == 0 && memcmp(d.kx_pk, bl.kx_pk, 32) == 0,
       "and decodes back");
    is(flow_crypt_blob_verify(&d, hash, 32), -ENOKEY, "an unsigned blob has no identity");

    flow_crypt_id_keypair(id_pk, id_sk);
    flow_crypt_id_keypair(other_pk, other_sk);
    is(flow_crypt_blob_sign(&bl, id_sk, hash, 32), 0, "signed with the identity key");
    ok(memcmp(bl.id_pk, id_pk, 32) == 0, "which carries our public key");
    n = flow_crypt_blob_encode(&bl, buf, sizeof(buf));
    is(n, FLOW_CRYPT_BLOB_MAX, "a signed blob is 132 bytes");
    ok(flow_crypt_blob_decode(&d, buf, (size_t)n) == 0 &&
           flow_crypt_blob_verify(&d, hash, 32) == 0,
       "decodes and verifies");
    hash[0] ^= 1;
    is(flow_crypt_blob_verify(&d, hash, 32), -EBADMSG, "another name hash: refused");
    hash[0] ^= 1;
    memcpy(d.id_pk, other_pk, 32);
    is(flow_crypt_blob_verify(&d, hash, 32), -EBADMSG,
       "someone else's identity key with our signature: refused");
    flow_crypt_blob_decode(&d, buf, (size_t)n);
    d.kx_pk[5] ^= 1;
    is(flow_crypt_blob_verify(&d, hash, 32), -EBADMSG, "a swapped X25519 key: refused");
    flow_crypt_blob_decode(&d, buf, (size_t)n);
    d.flags |= FLOW_CRYPT_BLOB_F_RESP;
    is(flow_crypt_blob_verify(&d, hash, 32), -EBADMSG,
       "a request reflected as a response: refused");
    flow_crypt_blob_decode(&d, buf, (size_t)n);
    flow_crypt_blob_sign(&d, other_sk, hash, 32);
    ok(flow_crypt_blob_verify(&d, hash, 32) == 0 && memcmp(d.id_pk, id_pk, 32) != 0,
       "a valid signature by another identity verifies, with that identity's key "
       "(the caller decides whom to trust)");
    {
        uint8_t sig[64];

        flow_crypt_id_sign(id_sk, hash, 32, sig);
        is(flow_crypt_id_verify(id_pk, hash, 32, sig), 0, "sign / verify helpers");
        sig[10] ^= 4;
        is(flow_crypt_id_verify(id_pk, hash, 32, sig), -EBADMSG,
           "a wrong signature is refused");
    }
    for (size_t len = 0; len < FLOW_CRYPT_BLOB_MAX; len++)
        if (flow_crypt_blob_decode(&d, buf, len) == 0)
            trunc = false;
    ok(trunc, "every truncated signed blob refused");
    is(flow_crypt_blob_decode(&d, buf, (size_t)n + 1), -EBADMSG, "a longer blob refused");
    memcpy(tmp, buf, (size_t)n);
    tmp[0] = 2;
    is(flow_crypt_blob_decode(&d, tmp, (size_t)n), -EPROTONOSUPPORT, "version 2 refused");
    tmp[0] = 1;
    tmp[1] |= 0x10;
    is(flow_crypt_blob_decode(&d, tmp, (size_t)n), -EPROTO, "an unknown flag refused");
    tmp[1] = buf[1];
    tmp[3] = 1;
    is(flow_crypt_blob_decode(&d, tmp, (size_t)n), -EPROTO,
       "a non-zero reserved field refused");
    tmp[3] = 0;
    memset(tmp + 4, 0, 32);
    is(flow_crypt_blob_decode(&d, tmp, (size_t)n), -EPROTO, "an all-zero key refused");
    is(flow_crypt_blob_sign(&bl, id_sk, hash, 65), -EINVAL, "a name hash over 64 B refused");
    sodium_memzero(id_sk, sizeof(id_sk));
    sodium_memzero(other_sk, sizeof(other_sk));
}

static void bench(void)
{
    static uint8_t pkt[BUF];
    struct timespec t0, t1, c0, c1;
    const int n = 100000;
    bool fine = true;
    double ns, cpu;

    pair(&a, &b);
    memset(pkt, 0xa5, sizeof(pkt));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    for (int i = 0; i < n; i++) {
        int len = flow_crypt_seal(&a, pkt, 1400, BUF);

        if (flow_crypt_open(&b, pkt, (size_t)len) != 1400)
            fine = false;
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / n;
    cpu = ((double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec)) / n;
    ok(fine, "%d packets of 1400 B sealed and opened", n);
    /* On a shared machine the CPU time is the steadier figure. */
    diag("seal + open of a 1400-byte packet: %.0f ns wall, %.0f ns CPU (%.2f Gb/s on one "
         "core)",
         ns, cpu, 1400 * 8 / cpu);
    flow_crypt_wipe(&a);
    flow_crypt_wipe(&b);
}

int main(void)
{
    plan(52);
    test_keys();
    test_round_trip();
    test_refusals();
    test_window();
    test_wipe();
    test_blob();
    bench();
    return done();
}
