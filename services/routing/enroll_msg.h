/*
 * enroll_msg.h - the enrollment exchange over a fresh N-1 flow: a new
 * member's request, the member's response carrying the layer's
 * configuration and the address it assigns, the new member's
 * acknowledgement.
 */
#ifndef OUROBUS_ENROLL_MSG_H
#define OUROBUS_ENROLL_MSG_H

#include <ourobus/irm.h>
#include <stddef.h>
#include <stdint.h>

#define ENROLL_VERSION  1u
#define ENROLL_HDR_LEN  12u
#define ENROLL_REQ_LEN  ENROLL_HDR_LEN
#define ENROLL_RESP_LEN 28u /* without the configuration */
#define ENROLL_CONF_LEN 56u /* without the layer name */
#define ENROLL_ACK_LEN  16u
#define ENROLL_MSG_MAX  (ENROLL_RESP_LEN + ENROLL_CONF_LEN + LAYER_NAME_SIZE)

enum enroll_type {
    ENROLL_REQ = 1,
    ENROLL_RESP = 2,
    ENROLL_ACK = 3,
};

/* What a new member learns of the layer. */
struct enroll_conf {
    char layer[LAYER_NAME_SIZE + 1]; /* 1..255 bytes */
    enum dir_hash_algo hash_algo;
    struct dt_config dt; /* addr_size 4 or 8, eid_size 8, max_ttl >= 1 */
    struct dht_config dht;
    enum addr_auth addr_auth;
    enum cong_avoid cong_avoid;
    uint64_t addr;     /* assigned to the new member, non-zero */
    uint64_t dht_peer; /* its first DHT contact: the enroller's address */
};

struct enroll_msg {
    uint8_t type;            /* enum enroll_type */
    uint64_t id;             /* non-zero, the same in the three messages */
    int64_t t_sec;           /* RESP: the enroller's clock */
    uint32_t t_nsec;         /* RESP: < 10^9 */
    int32_t result;          /* RESP, ACK: 0 or -errno */
    struct enroll_conf conf; /* RESP with result 0 */
};

/* Encode m into buf: its length, -EMSGSIZE if len is short, or -EINVAL if m
 * breaks the rules enroll_msg_decode checks. */
int enroll_msg_encode(const struct enroll_msg *m, uint8_t *buf, size_t len);

/* Decode exactly len bytes: 0, or -EBADMSG when the length, version, type
 * or any field of the configuration breaks the rules (docs/routing.md). */
int enroll_msg_decode(const uint8_t *buf, size_t len, struct enroll_msg *m);

#endif
