/*
 * operf_msg.c - encode and decode operf's header and reports field by
 * field.
 */
#include "operf_msg.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    v = htobe32(v);
    memcpy(p, &v, sizeof(v));
    return p + sizeof(v);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
    v = htobe64(v);
    memcpy(p, &v, sizeof(v));
    return p + sizeof(v);
}

static const uint8_t *get32(const uint8_t *p, uint32_t *v)
{
    memcpy(v, p, sizeof(*v));
    *v = be32toh(*v);
    return p + sizeof(*v);
}

static const uint8_t *get64(const uint8_t *p, uint64_t *v)
{
    memcpy(v, p, sizeof(*v));
    *v = be64toh(*v);
    return p + sizeof(*v);
}

size_t operf_msg_encode(uint8_t *buf, const struct operf_msg *m)
{
    uint8_t *p = buf;

    p = put32(p, m->type);
    p = put32(p, m->flags);
    p = put64(p, m->seq);
    if (m->type != OPERF_REPORT)
        return OPERF_HDR_LEN;
    p = put64(p, m->packets);
    p = put64(p, m->bytes);
    p = put64(p, m->lost);
    p = put64(p, m->ival_ns);
    p = put64(p, m->ival_packets);
    put64(p, m->ival_bytes);
    return OPERF_REPORT_LEN;
}

int operf_msg_decode(const uint8_t *buf, size_t len, struct operf_msg *m)
{
    const uint8_t *p = buf;

    if (len < OPERF_HDR_LEN)
        return -EBADMSG;
    memset(m, 0, sizeof(*m));
    p = get32(p, &m->type);
    p = get32(p, &m->flags);
    p = get64(p, &m->seq);
    if (m->type == OPERF_DATA || m->type == OPERF_END)
        return 0;
    if (m->type != OPERF_REPORT || len < OPERF_REPORT_LEN)
        return -EBADMSG;
    p = get64(p, &m->packets);
    p = get64(p, &m->bytes);
    p = get64(p, &m->lost);
    p = get64(p, &m->ival_ns);
    p = get64(p, &m->ival_packets);
    get64(p, &m->ival_bytes);
    return 0;
}
