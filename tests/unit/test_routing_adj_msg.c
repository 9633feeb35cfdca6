/*
 * test_routing_adj_msg.c - the hello and keepalive of an adjacency: what
 * encodes decodes back, and every broken byte is refused.
 */
#include "adj_msg.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

int main(void)
{
    struct adj_msg m = {.type = ADJ_HELLO, .addr = 0x0102030405060708ull}, o;
    uint8_t b[ADJ_MSG_LEN + 1], c[ADJ_MSG_LEN];

    plan(11);
    is(adj_msg_encode(&m, b, sizeof(b)), (int)ADJ_MSG_LEN, "a hello encodes in 12 bytes");
    ok(b[0] == 1 && b[1] == ADJ_HELLO && b[2] == 0 && b[3] == 0 && b[4] == 1 && b[11] == 8,
       "version, type, reserved, address in network byte order");
    ok(adj_msg_decode(b, ADJ_MSG_LEN, &o) == 0 && o.type == ADJ_HELLO && o.addr == m.addr,
       "and decodes back");
    is(adj_msg_decode(b, ADJ_MSG_LEN - 1, &o), -EBADMSG, "short: refused");
    is(adj_msg_decode(b, ADJ_MSG_LEN + 1, &o), -EBADMSG, "long: refused");
    memcpy(c, b, sizeof(c));
    c[0] = 2;
    is(adj_msg_decode(c, sizeof(c), &o), -EBADMSG, "another version: refused");
    memcpy(c, b, sizeof(c));
    c[1] = 1; /* an enrollment request's type */
    is(adj_msg_decode(c, sizeof(c), &o), -EBADMSG, "an enrollment's type: refused");
    memcpy(c, b, sizeof(c));
    c[3] = 1;
    is(adj_msg_decode(c, sizeof(c), &o), -EBADMSG, "a reserved bit set: refused");
    memcpy(c, b, sizeof(c));
    memset(c + 4, 0, 8);
    is(adj_msg_decode(c, sizeof(c), &o), -EBADMSG, "address 0: refused");
    m.addr = 0;
    is(adj_msg_encode(&m, b, sizeof(b)), -EINVAL, "the encoder refuses address 0");
    m.addr = 5;
    is(adj_msg_encode(&m, b, 11), -EMSGSIZE, "and a short buffer");
    return done();
}
