/*
 * adj_msg.c - the hello and keepalive of an adjacency.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |     type      |         reserved = 0          |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  sender's address (64 bits)                   |  4
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include "adj_msg.h"

#include "wire.h"

#include <assert.h>
#include <errno.h>

static int type_ok(uint8_t t)
{
    return t == ADJ_HELLO || t == ADJ_HELLO_ACK || t == ADJ_KEEPALIVE;
}

int adj_msg_encode(const struct adj_msg *m, uint8_t *buf, size_t len)
{
    assert(m != NULL);
    assert(buf != NULL || len == 0);
    if (!type_ok(m->type) || m->addr == 0)
        return -EINVAL;
    if (len < ADJ_MSG_LEN)
        return -EMSGSIZE;
    buf[0] = ADJ_VERSION;
    buf[1] = m->type;
    wire_put16(buf + 2, 0);
    wire_put64(buf + 4, m->addr);
    return ADJ_MSG_LEN;
}

int adj_msg_decode(const uint8_t *buf, size_t len, struct adj_msg *m)
{
    assert(m != NULL);
    assert(buf != NULL || len == 0);
    if (len != ADJ_MSG_LEN || buf[0] != ADJ_VERSION || !type_ok(buf[1]) ||
        wire_get16(buf + 2) != 0)
        return -EBADMSG;
    m->type = buf[1];
    m->addr = wire_get64(buf + 4);
    return m->addr == 0 ? -EBADMSG : 0;
}
