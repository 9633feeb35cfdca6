/*
 * fa_msg.c - encode and decode the flow allocator's messages. Every field
 * is checked on the way in and on the way out, so what decodes encodes
 * back to the same bytes.
 */
#include "fa_msg.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

int fa_msg_qos_check(const qosspec_t *q)
{
    assert(q != NULL);
    if (q->in_order > 1 || q->availability > FA_AVAIL_MAX)
        return -EINVAL;
    if (q->ber > FA_BER_MAX && q->ber != UINT32_MAX)
        return -EINVAL;
    return 0;
}

static bool qos_zero(const qosspec_t *q)
{
    return q->delay == 0 && q->bandwidth == 0 && q->availability == 0 && q->loss == 0 &&
           q->ber == 0 && q->in_order == 0 && q->max_gap == 0 && q->timeout == 0;
}

/* The rules of each type, shared by encode (-EINVAL) and decode. */
static bool msg_valid(const struct fa_msg *m)
{
    bool req = m->type == FA_FLOW_REQ;
    bool reply = m->type == FA_FLOW_REPLY;

    /* Fields of other types must be zero: one message, one encoding. */
    if (!req && (m->s_addr != 0 || m->max_sdu != 0 || !qos_zero(&m->qos) || m->hash_len != 0))
        return false;
    if (!req && !reply && (m->req_id != 0 || m->blob_len != 0))
        return false;
    if (m->type != FA_FLOW_UPDATE && m->ece != 0)
        return false;
    if (!reply && m->response != 0)
        return false;
    if (m->blob_len > FA_BLOB_MAX || (m->blob_len > 0 && m->blob == NULL))
        return false;

    switch (m->type) {
    case FA_FLOW_REQ:
        return m->req_id != 0 && m->s_addr != 0 && m->s_eid != 0 && m->d_eid == 0 &&
               m->hash_len > 0 && m->hash_len <= FA_HASH_MAX && m->hash != NULL &&
               m->max_sdu >= FA_SDU_MIN && m->max_sdu <= FA_SDU_MAX &&
               fa_msg_qos_check(&m->qos) == 0;
    case FA_FLOW_REPLY:
        /* Accepted: the responder's eid; refused: none. */
        if (m->response > 0 || m->response < FA_RESPONSE_MIN)
            return false;
        return m->req_id != 0 && m->d_eid != 0 && (m->response == 0) == (m->s_eid != 0);
    case FA_FLOW_UPDATE:
    case FA_FLOW_DEALLOC:
        return m->s_eid != 0 && m->d_eid != 0;
    default:
        return false;
    }
}

size_t fa_msg_len(const struct fa_msg *m)
{
    assert(m != NULL);
    switch (m->type) {
    case FA_FLOW_REQ:
        return FA_REQ_LEN + m->hash_len + m->blob_len;
    case FA_FLOW_REPLY:
        return FA_REPLY_LEN + m->blob_len;
    case FA_FLOW_UPDATE:
        return FA_UPDATE_LEN;
    case FA_FLOW_DEALLOC:
        return FA_DEALLOC_LEN;
    default:
        return 0;
    }
}

/*
 * FLOW_REQ (63 bytes, then the hash, then the blob):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |   type = 1    |           blob_len            |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     req_id (64 bits)                          |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     s_addr (64 bits)                          | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     s_eid (64 bits)                           | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     bandwidth (64 bits)                       | 28
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | delay 36 | loss 40 | ber 44 | max_gap 48 | timeout 52 | max_sdu 56 (32 bits each)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | availability  |   in_order    |   hash_len    | hash ...      | 60
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | blob ... (blob_len bytes)
 * +-+-+-+-+-+-+-+-+-
 */
static void req_put(const struct fa_msg *m, uint8_t *b)
{
    const qosspec_t *q = &m->qos;

    wire_put16(b + 2, (uint16_t)m->blob_len);
    wire_put64(b + 4, m->req_id);
    wire_put64(b + 12, m->s_addr);
    wire_put64(b + 20, m->s_eid);
    wire_put64(b + 28, q->bandwidth);
    wire_put32(b + 36, q->delay);
    wire_put32(b + 40, q->loss);
    wire_put32(b + 44, q->ber);
    wire_put32(b + 48, q->max_gap);
    wire_put32(b + 52, q->timeout);
    wire_put32(b + 56, m->max_sdu);
    b[60] = q->availability;
    b[61] = q->in_order;
    b[62] = (uint8_t)m->hash_len;
    memcpy(b + FA_REQ_LEN, m->hash, m->hash_len);
    if (m->blob_len > 0)
        memcpy(b + FA_REQ_LEN + m->hash_len, m->blob, m->blob_len);
}

/* The fields of a REQ; its length (or 0 if len cannot hold it). */
static size_t req_get(const uint8_t *b, size_t len, struct fa_msg *m)
{
    qosspec_t *q = &m->qos;

    if (len < FA_REQ_LEN)
        return 0;
    m->blob_len = wire_get16(b + 2);
    m->req_id = wire_get64(b + 4);
    m->s_addr = wire_get64(b + 12);
    m->s_eid = wire_get64(b + 20);
    q->bandwidth = wire_get64(b + 28);
    q->delay = wire_get32(b + 36);
    q->loss = wire_get32(b + 40);
    q->ber = wire_get32(b + 44);
    q->max_gap = wire_get32(b + 48);
    q->timeout = wire_get32(b + 52);
    m->max_sdu = wire_get32(b + 56);
    q->availability = b[60];
    q->in_order = b[61];
    m->hash_len = b[62];
    if (len - FA_REQ_LEN < m->hash_len + m->blob_len)
        return 0;
    m->hash = b + FA_REQ_LEN;
    m->blob = m->blob_len > 0 ? b + FA_REQ_LEN + m->hash_len : NULL;
    return FA_REQ_LEN + m->hash_len + m->blob_len;
}

/*
 * FLOW_REPLY (32 bytes, then the blob):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |   type = 2    |           blob_len            |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  response (signed: 0 or -errno)               |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  req_id (64 bits), the request's              |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  s_eid (64 bits): the responder's, 0 if refused| 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  d_eid (64 bits): the initiator's             | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | blob ... (blob_len bytes)                                     | 32
 * +-+-+-+-+-+-+-+-+-
 */
static void reply_put(const struct fa_msg *m, uint8_t *b)
{
    wire_put16(b + 2, (uint16_t)m->blob_len);
    wire_put32(b + 4, (uint32_t)m->response);
    wire_put64(b + 8, m->req_id);
    wire_put64(b + 16, m->s_eid);
    wire_put64(b + 24, m->d_eid);
    if (m->blob_len > 0)
        memcpy(b + FA_REPLY_LEN, m->blob, m->blob_len);
}

static size_t reply_get(const uint8_t *b, size_t len, struct fa_msg *m)
{
    if (len < FA_REPLY_LEN)
        return 0;
    m->blob_len = wire_get16(b + 2);
    m->response = (int32_t)wire_get32(b + 4);
    m->req_id = wire_get64(b + 8);
    m->s_eid = wire_get64(b + 16);
    m->d_eid = wire_get64(b + 24);
    if (len - FA_REPLY_LEN < m->blob_len)
        return 0;
    m->blob = m->blob_len > 0 ? b + FA_REPLY_LEN : NULL;
    return FA_REPLY_LEN + m->blob_len;
}

/*
 * FLOW_UPDATE and FLOW_DEALLOC (20 bytes each):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |  type = 3, 4  |  UPDATE: ece; DEALLOC: 0      |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  s_eid (64 bits): the sender's                |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  d_eid (64 bits): the receiver's              | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Both endpoint ids travel so that the receiver checks the pair against
 * its flow: a stale or forged message for a recycled eid is dropped.
 */
static void short_put(const struct fa_msg *m, uint8_t *b)
{
    wire_put16(b + 2, m->ece);
    wire_put64(b + 4, m->s_eid);
    wire_put64(b + 12, m->d_eid);
}

static size_t short_get(const uint8_t *b, size_t len, struct fa_msg *m)
{
    if (len < FA_UPDATE_LEN)
        return 0;
    m->ece = wire_get16(b + 2);
    m->s_eid = wire_get64(b + 4);
    m->d_eid = wire_get64(b + 12);
    /* A newer version may use these bytes of a DEALLOC (docs/fa.md). */
    if (m->type == FA_FLOW_DEALLOC && m->version > FA_MSG_VERSION)
        m->ece = 0;
    return FA_UPDATE_LEN;
}

int fa_msg_encode(const struct fa_msg *m, uint8_t *buf, size_t len)
{
    size_t n;

    assert(m != NULL && buf != NULL);
    if (!msg_valid(m))
        return -EINVAL;
    n = fa_msg_len(m);
    if (len < n)
        return -EMSGSIZE;
    memset(buf, 0, n);
    buf[0] = FA_MSG_VERSION;
    buf[1] = m->type;
    switch (m->type) {
    case FA_FLOW_REQ:
        req_put(m, buf);
        break;
    case FA_FLOW_REPLY:
        reply_put(m, buf);
        break;
    default:
        short_put(m, buf);
        break;
    }
    return (int)n;
}

int fa_msg_decode(const uint8_t *buf, size_t len, struct fa_msg *m)
{
    size_t n;

    assert(m != NULL && (buf != NULL || len == 0));
    memset(m, 0, sizeof(*m));
    if (len < 2 || buf[0] == 0)
        return -EBADMSG;
    m->version = buf[0];
    m->type = buf[1];
    switch (m->type) {
    case FA_FLOW_REQ:
        n = req_get(buf, len, m);
        break;
    case FA_FLOW_REPLY:
        n = reply_get(buf, len, m);
        break;
    case FA_FLOW_UPDATE:
    case FA_FLOW_DEALLOC:
        n = short_get(buf, len, m);
        break;
    default:
        return -EBADMSG;
    }
    /* Version 1 is exact; a newer one may have appended fields. */
    if (n == 0 || (m->version == FA_MSG_VERSION && n != len))
        return -EBADMSG;
    return msg_valid(m) ? 0 : -EBADMSG;
}

const char *fa_msg_type_str(uint8_t type)
{
    switch (type) {
    case FA_FLOW_REQ:
        return "FLOW_REQ";
    case FA_FLOW_REPLY:
        return "FLOW_REPLY";
    case FA_FLOW_UPDATE:
        return "FLOW_UPDATE";
    case FA_FLOW_DEALLOC:
        return "FLOW_DEALLOC";
    default:
        return "unknown";
    }
}
