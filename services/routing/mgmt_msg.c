/*
 * mgmt_msg.c - the management ring prefix codec.
 */
#include "mgmt_msg.h"

#include <assert.h>
#include <errno.h>

int mgmt_prefix_encode(uint64_t dst, uint8_t *buf, size_t len)
{
    assert(buf != NULL || len == 0);
    if (dst == 0)
        return -EINVAL;
    if (len < MGMT_PREFIX_LEN)
        return -EMSGSIZE;
    buf[0] = MGMT_VERSION;
    buf[1] = 0;
    buf[2] = 0;
    buf[3] = 0;
    for (int i = 0; i < 8; i++)
        buf[4 + i] = (uint8_t)(dst >> (56 - 8 * i));
    return MGMT_PREFIX_LEN;
}

int mgmt_prefix_decode(const uint8_t *buf, size_t len, uint64_t *dst)
{
    uint64_t d = 0;

    assert((buf != NULL || len == 0) && dst != NULL);
    if (len < MGMT_PREFIX_LEN || buf[0] != MGMT_VERSION || buf[1] != 0 || buf[2] != 0 ||
        buf[3] != 0)
        return -EBADMSG;
    for (int i = 0; i < 8; i++)
        d = d << 8 | buf[4 + i];
    if (d == 0)
        return -EBADMSG;
    *dst = d;
    return MGMT_PREFIX_LEN;
}
