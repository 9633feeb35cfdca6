/*
 * oping_msg.c - encode and decode the ping header, byte by byte so the
 * layout does not depend on the compiler's struct padding.
 */
#include "oping_msg.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
    v = htobe32(v);
    memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
    v = htobe64(v);
    memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return be32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return be64toh(v);
}

void oping_msg_encode(uint8_t *buf, const struct oping_msg *m)
{
    put32(buf, m->type);
    put32(buf + 4, m->id);
    put64(buf + 8, m->tv_sec);
    put64(buf + 16, m->tv_nsec);
}

int oping_msg_decode(const uint8_t *buf, size_t len, struct oping_msg *m)
{
    if (len < OPING_MSG_LEN)
        return -EBADMSG;
    m->type = get32(buf);
    if (m->type != OPING_ECHO_REQUEST && m->type != OPING_ECHO_REPLY)
        return -EBADMSG;
    m->id = get32(buf + 4);
    m->tv_sec = get64(buf + 8);
    m->tv_nsec = get64(buf + 16);
    return 0;
}

int oping_msg_make_reply(uint8_t *buf, size_t len)
{
    if (len < OPING_MSG_LEN || get32(buf) != OPING_ECHO_REQUEST)
        return -EBADMSG;
    put32(buf, OPING_ECHO_REPLY);
    return 0;
}
