/*
 * flow_crypt.h - per-flow encryption with libsodium: an ephemeral X25519
 * exchange gives one key per direction; packets are sealed with
 * ChaCha20-Poly1305 (IETF) under a 64-bit counter nonce carried in clear and
 * checked against a sliding replay window. Also the allocation blob (OAP)
 * that carries the public keys, optionally signed by an Ed25519 identity.
 * See docs/crypto.md.
 *
 * Sealed packet (the plaintext is the FRCP header and the data):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |               counter (64 bits, network order)                |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                ciphertext, as long as the plaintext           |
 *   |                              ...                              |
 *   +---------------------------------------------------------------+
 *   |                   Poly1305 tag (16 bytes)                     |
 *   +---------------------------------------------------------------+
 */
#ifndef OUROBUS_FLOW_CRYPT_H
#define OUROBUS_FLOW_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLOW_CRYPT_KEY_LEN       32
#define FLOW_CRYPT_PK_LEN        32 /* X25519 public key */
#define FLOW_CRYPT_CTR_LEN       8
#define FLOW_CRYPT_TAG_LEN       16
#define FLOW_CRYPT_OVERHEAD      (FLOW_CRYPT_CTR_LEN + FLOW_CRYPT_TAG_LEN)
#define FLOW_CRYPT_REPLAY_WINDOW 128
#define FLOW_CRYPT_MAX_PACKETS   (1ull << 60) /* per key; a flow must rekey before */
#define FLOW_CRYPT_ID_PK_LEN     32           /* Ed25519 */
#define FLOW_CRYPT_ID_SK_LEN     64
#define FLOW_CRYPT_SIG_LEN       64
#define FLOW_CRYPT_HASH_MAX      64 /* longest name hash a blob is bound to */

/* An ephemeral X25519 key pair. */
struct flow_crypt_kx {
    uint8_t pk[FLOW_CRYPT_PK_LEN];
    uint8_t sk[32];
};

struct flow_crypt_stats {
    uint64_t tx_sealed;
    uint64_t rx_opened;
    uint64_t rx_short;  /* shorter than counter + tag */
    uint64_t rx_auth;   /* failed authentication: modified, truncated, wrong key */
    uint64_t rx_replay; /* counter seen before */
    uint64_t rx_old;    /* counter behind the replay window */
};

/* A flow's keys and counters; caller-owned (keep it in sodium_malloc'd or
 * locked memory if it must not reach swap). */
struct flow_crypt {
    uint8_t tx_key[FLOW_CRYPT_KEY_LEN];
    uint8_t rx_key[FLOW_CRYPT_KEY_LEN];
    uint64_t tx_ctr;
    uint64_t rx_top;     /* highest counter accepted */
    uint64_t rx_bits[2]; /* bit i: rx_top - i accepted */
    bool rx_any;
    bool keyed;
    struct flow_crypt_stats st;
};

/* Generate an ephemeral key pair. 0, or -ENOSYS without libsodium. */
int flow_crypt_kx_new(struct flow_crypt_kx *kx);

/* Zero a key pair. */
void flow_crypt_kx_wipe(struct flow_crypt_kx *kx);

/* Derive the two directional keys from our key pair and the peer's public
 * key (crypto_kx: the initiator is the client), then wipe *mine. -EINVAL
 * for an unusable peer key (e.g. of low order). */
int flow_crypt_init(struct flow_crypt *c, struct flow_crypt_kx *mine,
                    const uint8_t peer_pk[FLOW_CRYPT_PK_LEN], bool initiator);

/* Zero keys, counters and window. */
void flow_crypt_wipe(struct flow_crypt *c);

/* Seal in place: the len plaintext bytes at pkt + FLOW_CRYPT_CTR_LEN become
 * counter | ciphertext | tag; cap is the room from pkt. Returns the sealed
 * length, -EMSGSIZE without room, -EKEYEXPIRED past FLOW_CRYPT_MAX_PACKETS. */
int flow_crypt_seal(struct flow_crypt *c, uint8_t *pkt, size_t len, size_t cap);

/* Open in place the len bytes at pkt: returns the plaintext's length (it is
 * at pkt + FLOW_CRYPT_CTR_LEN), -EBADMSG when short or not authentic,
 * -EALREADY for a replay, -ESTALE behind the window. Counted by reason. */
int flow_crypt_open(struct flow_crypt *c, uint8_t *pkt, size_t len);

/* Ed25519 identity: a key pair; detached signature and its check (0, or
 * -EBADMSG for a bad signature). */
int flow_crypt_id_keypair(uint8_t pk[FLOW_CRYPT_ID_PK_LEN], uint8_t sk[FLOW_CRYPT_ID_SK_LEN]);
void flow_crypt_id_sign(const uint8_t sk[FLOW_CRYPT_ID_SK_LEN], const uint8_t *msg, size_t len,
                        uint8_t sig[FLOW_CRYPT_SIG_LEN]);
int flow_crypt_id_verify(const uint8_t pk[FLOW_CRYPT_ID_PK_LEN], const uint8_t *msg, size_t len,
                         const uint8_t sig[FLOW_CRYPT_SIG_LEN]);

/*
 * The allocation blob, carried by flow allocation (request and response):
 *
 *    0               1               2               3
 *   +---------------+---------------+-------------------------------+
 *   |    version    |     flags     |        reserved (zero)        |
 *   +---------------+---------------+-------------------------------+
 *   |          X25519 ephemeral public key (32 bytes)               |
 *   +---------------------------------------------------------------+
 *   |     Ed25519 identity public key (32 bytes), flag ID only      |
 *   +---------------------------------------------------------------+
 *   |         Ed25519 signature (64 bytes), flag ID only            |
 *   +---------------------------------------------------------------+
 *
 * The signature covers BLAKE2b-256("ourobus oap 1" | version | flags |
 * X25519 key | identity key | name hash length | name hash).
 */
#define FLOW_CRYPT_BLOB_VERSION 1
#define FLOW_CRYPT_BLOB_F_ID    0x01 /* identity key and signature follow */
#define FLOW_CRYPT_BLOB_F_RESP  0x02 /* a response (so a request cannot be reflected) */
#define FLOW_CRYPT_BLOB_MIN     36
#define FLOW_CRYPT_BLOB_MAX     132

struct flow_crypt_blob {
    uint8_t version;
    uint8_t flags;
    uint8_t kx_pk[FLOW_CRYPT_PK_LEN];
    uint8_t id_pk[FLOW_CRYPT_ID_PK_LEN];
    uint8_t sig[FLOW_CRYPT_SIG_LEN];
};

/* Write b; returns its length or -EMSGSIZE. */
int flow_crypt_blob_encode(const struct flow_crypt_blob *b, uint8_t *buf, size_t cap);

/* Read a blob of exactly len bytes: -EBADMSG for a wrong length,
 * -EPROTONOSUPPORT for another version, -EPROTO for unknown flags, a
 * non-zero reserved field or an all-zero key. */
int flow_crypt_blob_decode(struct flow_crypt_blob *b, const uint8_t *buf, size_t len);

/* Add our identity key and its signature over the blob and the name hash
 * (at most FLOW_CRYPT_HASH_MAX bytes). 0 or -EINVAL. */
int flow_crypt_blob_sign(struct flow_crypt_blob *b, const uint8_t id_sk[FLOW_CRYPT_ID_SK_LEN],
                         const uint8_t *name_hash, size_t hash_len);

/* Check a signed blob against the name hash: 0, -ENOKEY if unsigned,
 * -EBADMSG if the signature does not match, -EINVAL for a bad hash. Whether
 * the identity key is one we accept is the caller's decision. */
int flow_crypt_blob_verify(const struct flow_crypt_blob *b, const uint8_t *name_hash,
                           size_t hash_len);

#endif
