/*
 * enroll_msg.c - encode and validate the enrollment messages.
 */
#include "enroll_msg.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/*
 * Every message starts with 12 bytes, network byte order:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |     type      |         reserved = 0          |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     enrollment id (64 bits)                   |  4
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * REQ (1): nothing more. ACK (3): result (32 bits, 0 or -errno) at 12.
 * RESP (2): t_sec (64 bits) at 12, t_nsec at 20, result at 24; with result
 * 0, the configuration follows at 28:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   addr_size   |   eid_size    |    max_ttl    |    routing    | 28
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   hash_algo   |  cong_avoid   |   addr_auth   |   name_len    | 32
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 ls_t_recalc (s)                               | 36
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 ls_t_update (s)                               | 40
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 ls_t_timeo (s)                                | 44
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 DHT alpha                                     | 48
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 DHT k                                         | 52
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 DHT t_expire (s)                              | 56
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 DHT t_refresh (s)                             | 60
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 DHT t_replicate (s)                           | 64
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 assigned address (64 bits)                    | 68
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 DHT peer address (64 bits)                    | 76
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 layer name (name_len bytes, no NUL) ...       | 84
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Each message has exactly its length. The rules are in conf_ok.
 */
#define OFF_CONF 28u

static bool addr_fits(uint64_t a, uint8_t size)
{
    return a != 0 && (size == 8 || (a >> (8 * size)) == 0);
}

static bool conf_ok(const struct enroll_conf *c)
{
    const struct dt_config *d = &c->dt;
    const struct dht_config *h = &c->dht;
    size_t n = strnlen(c->layer, sizeof(c->layer));

    if (n == 0 || n > LAYER_NAME_SIZE)
        return false;
    if ((d->addr_size != 4 && d->addr_size != 8) || d->eid_size != 8 || d->max_ttl == 0)
        return false;
    if ((unsigned)d->routing > ROUTING_ECMP || (unsigned)c->hash_algo > DIR_HASH_MD5 ||
        (unsigned)c->cong_avoid > CA_MB_ECN || c->addr_auth != ADDR_AUTH_FLAT)
        return false;
    if (d->ls_t_recalc == 0 || d->ls_t_update == 0 || d->ls_t_timeo <= d->ls_t_update)
        return false;
    if (h->alpha < 1 || h->alpha > 10 || h->k < 1 || h->k > 20 || h->t_expire == 0 ||
        h->t_refresh == 0 || h->t_replicate == 0)
        return false;
    return addr_fits(c->addr, d->addr_size) && addr_fits(c->dht_peer, d->addr_size) &&
           c->addr != c->dht_peer;
}

static bool msg_ok(const struct enroll_msg *m)
{
    if (m->id == 0)
        return false;
    switch (m->type) {
    case ENROLL_REQ:
        return true;
    case ENROLL_ACK:
        return m->result <= 0;
    case ENROLL_RESP:
        if (m->t_sec < 0 || m->t_nsec >= 1000000000u || m->result > 0)
            return false;
        return m->result < 0 || conf_ok(&m->conf);
    default:
        return false;
    }
}

static size_t msg_len(const struct enroll_msg *m)
{
    switch (m->type) {
    case ENROLL_REQ:
        return ENROLL_REQ_LEN;
    case ENROLL_ACK:
        return ENROLL_ACK_LEN;
    default:
        if (m->result != 0)
            return ENROLL_RESP_LEN;
        return ENROLL_RESP_LEN + ENROLL_CONF_LEN + strnlen(m->conf.layer, LAYER_NAME_SIZE);
    }
}

static void conf_put(const struct enroll_conf *c, uint8_t *p)
{
    size_t n = strnlen(c->layer, LAYER_NAME_SIZE);

    p[0] = c->dt.addr_size;
    p[1] = c->dt.eid_size;
    p[2] = c->dt.max_ttl;
    p[3] = (uint8_t)c->dt.routing;
    p[4] = (uint8_t)c->hash_algo;
    p[5] = (uint8_t)c->cong_avoid;
    p[6] = (uint8_t)c->addr_auth;
    p[7] = (uint8_t)n;
    wire_put32(p + 8, c->dt.ls_t_recalc);
    wire_put32(p + 12, c->dt.ls_t_update);
    wire_put32(p + 16, c->dt.ls_t_timeo);
    wire_put32(p + 20, c->dht.alpha);
    wire_put32(p + 24, c->dht.k);
    wire_put32(p + 28, c->dht.t_expire);
    wire_put32(p + 32, c->dht.t_refresh);
    wire_put32(p + 36, c->dht.t_replicate);
    wire_put64(p + 40, c->addr);
    wire_put64(p + 48, c->dht_peer);
    memcpy(p + ENROLL_CONF_LEN, c->layer, n);
}

int enroll_msg_encode(const struct enroll_msg *m, uint8_t *buf, size_t len)
{
    size_t n;

    assert(m != NULL && (buf != NULL || len == 0));
    if (!msg_ok(m))
        return -EINVAL;
    n = msg_len(m);
    if (len < n)
        return -EMSGSIZE;
    buf[0] = ENROLL_VERSION;
    buf[1] = m->type;
    buf[2] = 0;
    buf[3] = 0;
    wire_put64(buf + 4, m->id);
    if (m->type == ENROLL_ACK) {
        wire_put32(buf + 12, (uint32_t)m->result);
    } else if (m->type == ENROLL_RESP) {
        wire_put64(buf + 12, (uint64_t)m->t_sec);
        wire_put32(buf + 20, m->t_nsec);
        wire_put32(buf + 24, (uint32_t)m->result);
        if (m->result == 0)
            conf_put(&m->conf, buf + OFF_CONF);
    }
    return (int)n;
}

/* The configuration at p, rest bytes in all: false if the length is wrong. */
static bool conf_get(const uint8_t *p, size_t rest, struct enroll_conf *c)
{
    size_t n;

    if (rest < ENROLL_CONF_LEN)
        return false;
    n = p[7];
    if (rest != ENROLL_CONF_LEN + n || memchr(p + ENROLL_CONF_LEN, 0, n) != NULL)
        return false;
    c->dt.addr_size = p[0];
    c->dt.eid_size = p[1];
    c->dt.max_ttl = p[2];
    c->dt.routing = (enum routing_pol)p[3];
    c->hash_algo = (enum dir_hash_algo)p[4];
    c->cong_avoid = (enum cong_avoid)p[5];
    c->addr_auth = (enum addr_auth)p[6];
    c->dt.ls_t_recalc = wire_get32(p + 8);
    c->dt.ls_t_update = wire_get32(p + 12);
    c->dt.ls_t_timeo = wire_get32(p + 16);
    c->dht.alpha = wire_get32(p + 20);
    c->dht.k = wire_get32(p + 24);
    c->dht.t_expire = wire_get32(p + 28);
    c->dht.t_refresh = wire_get32(p + 32);
    c->dht.t_replicate = wire_get32(p + 36);
    c->addr = wire_get64(p + 40);
    c->dht_peer = wire_get64(p + 48);
    memcpy(c->layer, p + ENROLL_CONF_LEN, n);
    c->layer[n] = '\0';
    return true;
}

int enroll_msg_decode(const uint8_t *buf, size_t len, struct enroll_msg *m)
{
    assert(m != NULL && (buf != NULL || len == 0));
    memset(m, 0, sizeof(*m));
    if (len < ENROLL_HDR_LEN || buf[0] != ENROLL_VERSION || buf[2] != 0 || buf[3] != 0)
        return -EBADMSG;
    m->type = buf[1];
    m->id = wire_get64(buf + 4);
    switch (m->type) {
    case ENROLL_REQ:
        if (len != ENROLL_REQ_LEN)
            return -EBADMSG;
        break;
    case ENROLL_ACK:
        if (len != ENROLL_ACK_LEN)
            return -EBADMSG;
        m->result = (int32_t)wire_get32(buf + 12);
        break;
    case ENROLL_RESP:
        if (len < ENROLL_RESP_LEN)
            return -EBADMSG;
        m->t_sec = (int64_t)wire_get64(buf + 12);
        m->t_nsec = wire_get32(buf + 20);
        m->result = (int32_t)wire_get32(buf + 24);
        if (m->result != 0 ? len != ENROLL_RESP_LEN
                           : !conf_get(buf + OFF_CONF, len - OFF_CONF, &m->conf))
            return -EBADMSG;
        break;
    default:
        return -EBADMSG;
    }
    return msg_ok(m) ? 0 : -EBADMSG;
}
