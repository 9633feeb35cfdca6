/*
 * flow_crypt.c - per-flow keys, sealing with a counter nonce and a replay
 * window, the allocation blob codec and the Ed25519 identity helpers.
 */
#include "flow_crypt.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>

static const char blob_context[] = "ourobus oap 1";

static int sodium_ready(void)
{
    return sodium_init() < 0 ? -ENOSYS : 0;
}

int flow_crypt_kx_new(struct flow_crypt_kx *kx)
{
    assert(kx);
    if (sodium_ready() < 0)
        return -ENOSYS;
    crypto_kx_keypair(kx->pk, kx->sk);
    return 0;
}

void flow_crypt_kx_wipe(struct flow_crypt_kx *kx)
{
    assert(kx);
    sodium_memzero(kx, sizeof(*kx));
}

int flow_crypt_init(struct flow_crypt *c, struct flow_crypt_kx *mine,
                    const uint8_t peer_pk[FLOW_CRYPT_PK_LEN], bool initiator)
{
    int r;

    assert(c && mine && peer_pk);
    if (sodium_ready() < 0)
        return -ENOSYS;
    memset(c, 0, sizeof(*c));
    /* The client's tx key is the server's rx key and the other way round. */
    if (initiator)
        r = crypto_kx_client_session_keys(c->rx_key, c->tx_key, mine->pk, mine->sk, peer_pk);
    else
        r = crypto_kx_server_session_keys(c->rx_key, c->tx_key, mine->pk, mine->sk, peer_pk);
    flow_crypt_kx_wipe(mine);
    if (r != 0) {
        flow_crypt_wipe(c);
        return -EINVAL;
    }
    c->keyed = true;
    return 0;
}

void flow_crypt_wipe(struct flow_crypt *c)
{
    assert(c);
    sodium_memzero(c, sizeof(*c));
}

/* Nonce: 4 zero bytes, then the counter as on the wire. */
static void make_nonce(uint8_t n[crypto_aead_chacha20poly1305_IETF_NPUBBYTES],
                       const uint8_t *ctr)
{
    memset(n, 0, 4);
    memcpy(n + 4, ctr, FLOW_CRYPT_CTR_LEN);
}

int flow_crypt_seal(struct flow_crypt *c, uint8_t *pkt, size_t len, size_t cap)
{
    uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
    uint8_t *m = pkt + FLOW_CRYPT_CTR_LEN;

    assert(c && c->keyed && pkt);
    if (cap < FLOW_CRYPT_OVERHEAD || len > cap - FLOW_CRYPT_OVERHEAD)
        return -EMSGSIZE;
    if (c->tx_ctr >= FLOW_CRYPT_MAX_PACKETS)
        return -EKEYEXPIRED;
    wire_put64(pkt, c->tx_ctr++);
    make_nonce(nonce, pkt);
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        m, m + len, NULL, m, len, pkt, FLOW_CRYPT_CTR_LEN, NULL, nonce, c->tx_key);
    c->st.tx_sealed++;
    return (int)(len + FLOW_CRYPT_OVERHEAD);
}

static bool window_has(const struct flow_crypt *c, uint64_t diff)
{
    return (c->rx_bits[diff / 64] >> (diff % 64)) & 1;
}

/* Record ctr as accepted (it passed the checks and authenticated). */
static void window_mark(struct flow_crypt *c, uint64_t ctr)
{
    uint64_t shift, diff;

    if (!c->rx_any) {
        c->rx_any = true;
        c->rx_top = ctr;
        c->rx_bits[0] = 1;
        c->rx_bits[1] = 0;
        return;
    }
    if (ctr > c->rx_top) {
        shift = ctr - c->rx_top;
        if (shift >= 128) {
            c->rx_bits[0] = c->rx_bits[1] = 0;
        } else if (shift >= 64) {
            c->rx_bits[1] = c->rx_bits[0] << (shift - 64);
            c->rx_bits[0] = 0;
        } else {
            c->rx_bits[1] = c->rx_bits[1] << shift | c->rx_bits[0] >> (64 - shift);
            c->rx_bits[0] <<= shift;
        }
        c->rx_bits[0] |= 1;
        c->rx_top = ctr;
        return;
    }
    diff = c->rx_top - ctr;
    c->rx_bits[diff / 64] |= 1ull << (diff % 64);
}

int flow_crypt_open(struct flow_crypt *c, uint8_t *pkt, size_t len)
{
    uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
    uint8_t *m = pkt + FLOW_CRYPT_CTR_LEN;
    uint64_t ctr;
    size_t mlen;

    assert(c && c->keyed && (pkt || len == 0));
    if (len < FLOW_CRYPT_OVERHEAD) {
        c->st.rx_short++;
        return -EBADMSG;
    }
    if (len - FLOW_CRYPT_OVERHEAD > INT32_MAX) {
        c->st.rx_short++;
        return -EBADMSG;
    }
    ctr = wire_get64(pkt);
    /* The cheap checks first; the window moves only after authentication,
     * so a forged counter cannot push it forward. */
    if (c->rx_any && ctr <= c->rx_top) {
        uint64_t diff = c->rx_top - ctr;

        if (diff >= FLOW_CRYPT_REPLAY_WINDOW) {
            c->st.rx_old++;
            return -ESTALE;
        }
        if (window_has(c, diff)) {
            c->st.rx_replay++;
            return -EALREADY;
        }
    }
    mlen = len - FLOW_CRYPT_OVERHEAD;
    make_nonce(nonce, pkt);
    if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
            m, NULL, m, mlen, m + mlen, pkt, FLOW_CRYPT_CTR_LEN, nonce, c->rx_key) != 0) {
        c->st.rx_auth++;
        return -EBADMSG;
    }
    window_mark(c, ctr);
    c->st.rx_opened++;
    return (int)mlen;
}

int flow_crypt_id_keypair(uint8_t pk[FLOW_CRYPT_ID_PK_LEN], uint8_t sk[FLOW_CRYPT_ID_SK_LEN])
{
    assert(pk && sk);
    if (sodium_ready() < 0)
        return -ENOSYS;
    crypto_sign_keypair(pk, sk);
    return 0;
}

void flow_crypt_id_sign(const uint8_t sk[FLOW_CRYPT_ID_SK_LEN], const uint8_t *msg, size_t len,
                        uint8_t sig[FLOW_CRYPT_SIG_LEN])
{
    assert(sk && (msg || len == 0) && sig);
    crypto_sign_detached(sig, NULL, msg, len, sk);
}

int flow_crypt_id_verify(const uint8_t pk[FLOW_CRYPT_ID_PK_LEN], const uint8_t *msg, size_t len,
                         const uint8_t sig[FLOW_CRYPT_SIG_LEN])
{
    assert(pk && (msg || len == 0) && sig);
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : -EBADMSG;
}

int flow_crypt_blob_encode(const struct flow_crypt_blob *b, uint8_t *buf, size_t cap)
{
    size_t len = (b->flags & FLOW_CRYPT_BLOB_F_ID) ? FLOW_CRYPT_BLOB_MAX : FLOW_CRYPT_BLOB_MIN;

    assert(b && buf);
    if (cap < len)
        return -EMSGSIZE;
    buf[0] = b->version;
    buf[1] = b->flags;
    buf[2] = buf[3] = 0;
    memcpy(buf + 4, b->kx_pk, FLOW_CRYPT_PK_LEN);
    if (b->flags & FLOW_CRYPT_BLOB_F_ID) {
        memcpy(buf + 36, b->id_pk, FLOW_CRYPT_ID_PK_LEN);
        memcpy(buf + 68, b->sig, FLOW_CRYPT_SIG_LEN);
    }
    return (int)len;
}

int flow_crypt_blob_decode(struct flow_crypt_blob *b, const uint8_t *buf, size_t len)
{
    assert(b && (buf || len == 0));
    if (len < 4)
        return -EBADMSG;
    if (buf[0] != FLOW_CRYPT_BLOB_VERSION)
        return -EPROTONOSUPPORT;
    if ((buf[1] & ~(FLOW_CRYPT_BLOB_F_ID | FLOW_CRYPT_BLOB_F_RESP)) || buf[2] || buf[3])
        return -EPROTO;
    if (len != ((buf[1] & FLOW_CRYPT_BLOB_F_ID) ? FLOW_CRYPT_BLOB_MAX : FLOW_CRYPT_BLOB_MIN))
        return -EBADMSG;
    memset(b, 0, sizeof(*b));
    b->version = buf[0];
    b->flags = buf[1];
    memcpy(b->kx_pk, buf + 4, FLOW_CRYPT_PK_LEN);
    if (sodium_is_zero(b->kx_pk, FLOW_CRYPT_PK_LEN))
        return -EPROTO;
    if (b->flags & FLOW_CRYPT_BLOB_F_ID) {
        memcpy(b->id_pk, buf + 36, FLOW_CRYPT_ID_PK_LEN);
        memcpy(b->sig, buf + 68, FLOW_CRYPT_SIG_LEN);
    }
    return 0;
}

/* What a blob's signature covers, hashed to 32 bytes. */
static void blob_digest(const struct flow_crypt_blob *b, const uint8_t *name_hash,
                        size_t hash_len, uint8_t out[32])
{
    crypto_generichash_state st;
    uint8_t hdr[2] = {b->version, b->flags};
    uint8_t hl = (uint8_t)hash_len;

    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)blob_context, sizeof(blob_context) - 1);
    crypto_generichash_update(&st, hdr, sizeof(hdr));
    crypto_generichash_update(&st, b->kx_pk, FLOW_CRYPT_PK_LEN);
    crypto_generichash_update(&st, b->id_pk, FLOW_CRYPT_ID_PK_LEN);
    crypto_generichash_update(&st, &hl, 1);
    crypto_generichash_update(&st, name_hash, hash_len);
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof(st));
}

int flow_crypt_blob_sign(struct flow_crypt_blob *b, const uint8_t id_sk[FLOW_CRYPT_ID_SK_LEN],
                         const uint8_t *name_hash, size_t hash_len)
{
    uint8_t d[32];

    assert(b && id_sk && (name_hash || hash_len == 0));
    if (hash_len > FLOW_CRYPT_HASH_MAX)
        return -EINVAL;
    if (sodium_ready() < 0)
        return -ENOSYS;
    b->flags |= FLOW_CRYPT_BLOB_F_ID;
    crypto_sign_ed25519_sk_to_pk(b->id_pk, id_sk);
    blob_digest(b, name_hash, hash_len, d);
    flow_crypt_id_sign(id_sk, d, sizeof(d), b->sig);
    return 0;
}

int flow_crypt_blob_verify(const struct flow_crypt_blob *b, const uint8_t *name_hash,
                           size_t hash_len)
{
    uint8_t d[32];

    assert(b && (name_hash || hash_len == 0));
    if (!(b->flags & FLOW_CRYPT_BLOB_F_ID))
        return -ENOKEY;
    if (hash_len > FLOW_CRYPT_HASH_MAX)
        return -EINVAL;
    if (sodium_ready() < 0)
        return -ENOSYS;
    blob_digest(b, name_hash, hash_len, d);
    return flow_crypt_id_verify(b->id_pk, d, sizeof(d), b->sig);
}
