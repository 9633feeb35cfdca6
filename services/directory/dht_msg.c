/*
 * dht_msg.c - encode and decode the DHT's messages.
 */
#include "dht_msg.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/*
 * A message (L = the layer's hash length, 16..64 bytes):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |     code      |    id_len L   |   n_values    |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  n_contacts   |            reserved (zero)                    |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        cookie                                 |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  sender address (64 bits)                     | 12
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  sender id (L bytes) ...                      | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  key (L bytes) ...                            | 20 + L
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  n_values x { address (8), lifetime in seconds (4) }          | 20 + 2L
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  n_contacts x { address (8), id (L) }                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * STORE:          1..16 values (lifetime > 0), no contacts
 * REMOVE:         1..16 values (lifetime 0), no contacts
 * FIND_*_REQ:     cookie != 0, no values, no contacts
 * FIND_NODE_RSP:  cookie != 0, no values, 0..32 contacts
 * FIND_VALUE_RSP: cookie != 0, 0..16 values (lifetime > 0), 0..32 contacts
 * No address is 0. The message ends after its last contact.
 */
static bool values_ok(const struct dht_msg *m, bool removal)
{
    for (size_t i = 0; i < m->n_values; i++) {
        if (m->values[i].addr == 0 || (m->values[i].ttl == 0) != removal)
            return false;
    }
    return true;
}

static int msg_check(const struct dht_msg *m)
{
    if (m->id_len < DHT_ID_MIN || m->id_len > DHT_ID_MAX || m->src_addr == 0 ||
        m->n_values > DHT_MSG_MAX_VALUES || m->n_contacts > DHT_MSG_MAX_CONTACTS)
        return -EBADMSG;
    for (size_t i = 0; i < m->n_contacts; i++) {
        if (m->contacts[i].addr == 0)
            return -EBADMSG;
    }
    switch (m->code) {
    case DHT_STORE:
    case DHT_REMOVE:
        if (m->n_values == 0 || m->n_contacts != 0 || !values_ok(m, m->code == DHT_REMOVE))
            return -EBADMSG;
        return 0;
    case DHT_FIND_NODE_REQ:
    case DHT_FIND_VALUE_REQ:
        if (m->cookie == 0 || m->n_values != 0 || m->n_contacts != 0)
            return -EBADMSG;
        return 0;
    case DHT_FIND_NODE_RSP:
        if (m->cookie == 0 || m->n_values != 0)
            return -EBADMSG;
        return 0;
    case DHT_FIND_VALUE_RSP:
        if (m->cookie == 0 || !values_ok(m, false))
            return -EBADMSG;
        return 0;
    default:
        return -EBADMSG;
    }
}

size_t dht_msg_len(const struct dht_msg *m)
{
    assert(m);
    return DHT_MSG_HDR + 2 * m->id_len + m->n_values * DHT_MSG_VALUE_LEN +
           m->n_contacts * (8 + m->id_len);
}

int dht_msg_encode(const struct dht_msg *m, uint8_t *buf, size_t len)
{
    size_t n;
    uint8_t *p;

    assert(m && (buf || len == 0));
    if (msg_check(m) < 0)
        return -EINVAL;
    n = dht_msg_len(m);
    if (len < n)
        return -EMSGSIZE;
    buf[0] = DHT_MSG_VERSION;
    buf[1] = m->code;
    buf[2] = (uint8_t)m->id_len;
    buf[3] = (uint8_t)m->n_values;
    buf[4] = (uint8_t)m->n_contacts;
    buf[5] = buf[6] = buf[7] = 0;
    wire_put32(buf + 8, m->cookie);
    wire_put64(buf + 12, m->src_addr);
    p = buf + DHT_MSG_HDR;
    memcpy(p, m->src_id, m->id_len);
    p += m->id_len;
    memcpy(p, m->key, m->id_len);
    p += m->id_len;
    for (size_t i = 0; i < m->n_values; i++, p += DHT_MSG_VALUE_LEN) {
        wire_put64(p, m->values[i].addr);
        wire_put32(p + 8, m->values[i].ttl);
    }
    for (size_t i = 0; i < m->n_contacts; i++, p += 8 + m->id_len) {
        wire_put64(p, m->contacts[i].addr);
        memcpy(p + 8, m->contacts[i].id, m->id_len);
    }
    return (int)n;
}

int dht_msg_decode(const uint8_t *buf, size_t len, size_t id_len, struct dht_msg *m)
{
    const uint8_t *p;

    assert((buf || len == 0) && m);
    if (id_len < DHT_ID_MIN || id_len > DHT_ID_MAX)
        return -EINVAL;
    m->code = 0;
    m->n_values = m->n_contacts = 0;
    if (len < DHT_MSG_HDR || len > DHT_MSG_MAX)
        return -EBADMSG;
    if (buf[0] != DHT_MSG_VERSION || buf[2] != id_len || buf[5] != 0 || buf[6] != 0 ||
        buf[7] != 0 || buf[3] > DHT_MSG_MAX_VALUES || buf[4] > DHT_MSG_MAX_CONTACTS)
        return -EBADMSG;
    m->code = buf[1];
    m->id_len = id_len;
    m->n_values = buf[3];
    m->n_contacts = buf[4];
    m->cookie = wire_get32(buf + 8);
    m->src_addr = wire_get64(buf + 12);
    if (len != dht_msg_len(m)) {
        m->n_values = m->n_contacts = 0;
        return -EBADMSG;
    }
    p = buf + DHT_MSG_HDR;
    memcpy(m->src_id, p, id_len);
    p += id_len;
    memcpy(m->key, p, id_len);
    p += id_len;
    for (size_t i = 0; i < m->n_values; i++, p += DHT_MSG_VALUE_LEN) {
        m->values[i].addr = wire_get64(p);
        m->values[i].ttl = wire_get32(p + 8);
    }
    for (size_t i = 0; i < m->n_contacts; i++, p += 8 + id_len) {
        m->contacts[i].addr = wire_get64(p);
        memcpy(m->contacts[i].id, p + 8, id_len);
    }
    return msg_check(m);
}

const char *dht_msg_code_str(uint8_t code)
{
    switch (code) {
    case DHT_STORE:
        return "STORE";
    case DHT_REMOVE:
        return "REMOVE";
    case DHT_FIND_NODE_REQ:
        return "FIND_NODE_REQ";
    case DHT_FIND_NODE_RSP:
        return "FIND_NODE_RSP";
    case DHT_FIND_VALUE_REQ:
        return "FIND_VALUE_REQ";
    case DHT_FIND_VALUE_RSP:
        return "FIND_VALUE_RSP";
    default:
        return "unknown";
    }
}

int dht_msg_is_request(uint8_t code)
{
    return code == DHT_FIND_NODE_REQ || code == DHT_FIND_VALUE_REQ;
}
