/*
 * fa_msg.h - the flow allocator's wire messages: FLOW_REQ, FLOW_REPLY,
 * FLOW_UPDATE and FLOW_DEALLOC, sent between the FAs of a unicast layer.
 * Network byte order, packed, versioned; layouts in docs/fa.md.
 */
#ifndef OUROBUS_FA_MSG_H
#define OUROBUS_FA_MSG_H

#include <ourobus/qos.h>
#include <stddef.h>
#include <stdint.h>

#define FA_MSG_VERSION 1u

#define FA_REQ_LEN     63u   /* a FLOW_REQ without its hash and blob */
#define FA_REPLY_LEN   32u   /* a FLOW_REPLY without its blob */
#define FA_UPDATE_LEN  20u   /* a FLOW_UPDATE */
#define FA_DEALLOC_LEN 20u   /* a FLOW_DEALLOC */
#define FA_HASH_MAX    64u   /* the longest name hash (SHA3-512) */
#define FA_BLOB_MAX    4096u /* the longest key-exchange blob */
#define FA_MSG_MAX     (FA_REQ_LEN + FA_HASH_MAX + FA_BLOB_MAX)

/* What a FLOW_REQ may ask for (fa_msg_qos_check). */
#define FA_AVAIL_MAX 9u          /* availability: classes of nines */
#define FA_BER_MAX   1000000000u /* bit errors per 10^9 bits; UINT32_MAX: any */
#define FA_SDU_MIN   64u         /* max_sdu: smallest packet a layer must carry */
#define FA_SDU_MAX   (1u << 24)

/* The response of a FLOW_REPLY: 0 or a negative errno above this. */
#define FA_RESPONSE_MIN (-4095)

enum fa_msg_type {
    FA_FLOW_REQ = 1,     /* initiator -> responder: allocate a flow */
    FA_FLOW_REPLY = 2,   /* responder -> initiator: 0 and its eid, or -errno */
    FA_FLOW_UPDATE = 3,  /* receiver -> sender: the flow's congestion level */
    FA_FLOW_DEALLOC = 4, /* either end -> the other: this end is gone */
};

/*
 * A message, decoded. Only the fields of its type are meaningful; encode
 * needs the others zero. hash and blob point into the decoded buffer.
 */
struct fa_msg {
    uint8_t version; /* decoded: the sender's; encode always sends FA_MSG_VERSION */
    uint8_t type;
    uint64_t req_id;     /* REQ, REPLY: the initiator's request id (not 0) */
    uint64_t s_addr;     /* REQ: the initiator's address, where the reply goes */
    uint64_t s_eid;      /* the sender's endpoint id (a refusing REPLY: 0) */
    uint64_t d_eid;      /* REPLY, UPDATE, DEALLOC: the receiver's endpoint id */
    int32_t response;    /* REPLY: 0 or -errno */
    uint16_t ece;        /* UPDATE: congestion level, 0 = none (MB-ECN) */
    uint32_t max_sdu;    /* REQ: the largest packet the initiator's layer carries */
    qosspec_t qos;       /* REQ */
    const uint8_t *hash; /* REQ: the destination name's hash, 1..FA_HASH_MAX */
    size_t hash_len;
    const uint8_t *blob; /* REQ, REPLY: opaque key exchange, 0..FA_BLOB_MAX */
    size_t blob_len;
};

/* The bytes m takes on the wire (whether or not it is valid). */
size_t fa_msg_len(const struct fa_msg *m);

/* Encode m into buf: the length written, -EINVAL if m breaks the rules
 * fa_msg_decode checks, or -EMSGSIZE if len is too short. */
int fa_msg_encode(const struct fa_msg *m, uint8_t *buf, size_t len);

/* Decode one whole message: 0, or -EBADMSG for a short or malformed one,
 * version 0, an unknown type or an out-of-range field. A newer version is
 * decoded by version 1's layout and its extra tail ignored (docs/fa.md,
 * "Versions"). */
int fa_msg_decode(const uint8_t *buf, size_t len, struct fa_msg *m);

/* 0 if q is a QoS a FLOW_REQ may carry, else -EINVAL. */
int fa_msg_qos_check(const qosspec_t *q);

/* "FLOW_REQ", ..., "unknown". */
const char *fa_msg_type_str(uint8_t type);

#endif
