/*
 * ipcp_config_msg.c - struct ipcp_config <-> irm_ipcp_config_t.
 */
#include "ipcp_config_msg.h"

#include "ipcp_check.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define COPY_STR(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static size_t addr_len(int af)
{
    return af == AF_INET ? 4 : 16;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;

    for (size_t i = 0; i < n; i++)
        if (c[i] != 0)
            return false;
    return true;
}

static void udp_to_msg(const struct udp_config *u, irm_ipcp_config_t *m)
{
    size_t alen = addr_len(u->af);
    uint32_t n = u->n_peers <= UDP_PEERS_MAX ? u->n_peers : UDP_PEERS_MAX;

    memcpy(m->ip.bytes, &u->ip, alen);
    m->ip.size = (pb_size_t)alen;
    /* No DNS server: an empty field. */
    if (!all_zero(&u->dns, alen)) {
        memcpy(m->dns.bytes, &u->dns, alen);
        m->dns.size = (pb_size_t)alen;
    }
    m->port = u->port;
    for (uint32_t i = 0; i < n; i++) {
        irm_udp_peer_t *p = &m->peers[i];

        COPY_STR(p->name, u->peers[i].name);
        memcpy(p->ip.bytes, &u->peers[i].ip, alen);
        p->ip.size = (pb_size_t)alen;
        p->port = u->peers[i].port;
    }
    m->peers_count = (pb_size_t)n;
}

void ipcp_config_to_msg(const struct ipcp_config *c, irm_ipcp_config_t *m)
{
    assert(c && m);

    memset(m, 0, sizeof(*m));
    COPY_STR(m->layer, c->layer_info.name);
    m->type = (irm_ipcp_type_t)c->type;
    m->dir_hash_algo = (uint32_t)c->layer_info.dir_hash_algo;
    switch (c->type) {
    case IPCP_UNICAST:
        m->addr_size = c->unicast.dt.addr_size;
        m->eid_size = c->unicast.dt.eid_size;
        m->max_ttl = c->unicast.dt.max_ttl;
        m->routing = (uint32_t)c->unicast.dt.routing;
        m->ls_t_recalc = c->unicast.dt.ls_t_recalc;
        m->ls_t_update = c->unicast.dt.ls_t_update;
        m->ls_t_timeo = c->unicast.dt.ls_t_timeo;
        m->dht_alpha = c->unicast.dht.alpha;
        m->dht_k = c->unicast.dht.k;
        m->dht_t_expire = c->unicast.dht.t_expire;
        m->dht_t_refresh = c->unicast.dht.t_refresh;
        m->dht_t_replicate = c->unicast.dht.t_replicate;
        m->addr_auth = (uint32_t)c->unicast.addr_auth;
        m->cong_avoid = (uint32_t)c->unicast.cong_avoid;
        break;
    case IPCP_UDP4:
    case IPCP_UDP6:
        udp_to_msg(&c->udp, m);
        break;
    case IPCP_ETH_LLC:
    case IPCP_ETH_DIX:
        COPY_STR(m->dev, c->eth.dev);
        m->ethertype = c->type == IPCP_ETH_DIX ? c->eth.ethertype : 0;
        break;
    default:
        break;
    }
}

/* A string field that must end inside its array. */
static int str_from(char *dst, size_t dlen, const char *src, size_t slen)
{
    size_t n = strnlen(src, slen);

    if (n == slen || n >= dlen)
        return -EINVAL;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

static int udp_from_msg(const irm_ipcp_config_t *m, struct udp_config *u)
{
    size_t alen = addr_len(u->af);

    if (m->ip.size != alen || (m->dns.size != 0 && m->dns.size != alen) || m->port > 65535 ||
        m->peers_count > UDP_PEERS_MAX)
        return -EINVAL;
    memcpy(&u->ip, m->ip.bytes, alen);
    if (m->dns.size != 0)
        memcpy(&u->dns, m->dns.bytes, alen);
    if (m->port != 0)
        u->port = (uint16_t)m->port;
    for (pb_size_t i = 0; i < m->peers_count; i++) {
        const irm_udp_peer_t *p = &m->peers[i];
        struct udp_peer *o = &u->peers[i];

        if (p->ip.size != alen || p->port > 65535 ||
            str_from(o->name, sizeof(o->name), p->name, sizeof(p->name)) < 0)
            return -EINVAL;
        memcpy(&o->ip, p->ip.bytes, alen);
        o->port = (uint16_t)p->port;
    }
    u->n_peers = m->peers_count;
    return 0;
}

static int unicast_from_msg(const irm_ipcp_config_t *m, struct uni_config *u)
{
    if (m->addr_size > 255 || m->eid_size > 255 || m->max_ttl > 255)
        return -EINVAL;
    u->dt.addr_size = (uint8_t)m->addr_size;
    u->dt.eid_size = (uint8_t)m->eid_size;
    u->dt.max_ttl = (uint8_t)m->max_ttl;
    u->dt.routing = (enum routing_pol)m->routing;
    u->dt.ls_t_recalc = m->ls_t_recalc;
    u->dt.ls_t_update = m->ls_t_update;
    u->dt.ls_t_timeo = m->ls_t_timeo;
    u->dht.alpha = m->dht_alpha;
    u->dht.k = m->dht_k;
    u->dht.t_expire = m->dht_t_expire;
    u->dht.t_refresh = m->dht_t_refresh;
    u->dht.t_replicate = m->dht_t_replicate;
    u->addr_auth = (enum addr_auth)m->addr_auth;
    u->cong_avoid = (enum cong_avoid)m->cong_avoid;
    return 0;
}

int ipcp_config_from_msg(const irm_ipcp_config_t *m, struct ipcp_config *c)
{
    int err = 0;

    assert(m && c);

    if ((unsigned)m->type >= IPCP_INVALID || m->dir_hash_algo > DIR_HASH_MD5)
        return -EINVAL;
    /* The defaults that a field left at 0 keeps (ipcp_config_default's,
     * which lives in the API part of libflow). */
    memset(c, 0, sizeof(*c));
    c->type = (enum ipcp_type)m->type;
    if (c->type == IPCP_UDP4 || c->type == IPCP_UDP6) {
        c->udp.af = c->type == IPCP_UDP4 ? AF_INET : AF_INET6;
        c->udp.port = 3435;
    }
    if (c->type == IPCP_ETH_DIX)
        c->eth.ethertype = 0xA000;
    if (str_from(c->layer_info.name, sizeof(c->layer_info.name), m->layer, sizeof(m->layer)) <
        0)
        return -EINVAL;
    c->layer_info.dir_hash_algo = (enum dir_hash_algo)m->dir_hash_algo;
    switch (c->type) {
    case IPCP_UNICAST:
        err = unicast_from_msg(m, &c->unicast);
        break;
    case IPCP_UDP4:
    case IPCP_UDP6:
        err = udp_from_msg(m, &c->udp);
        break;
    case IPCP_ETH_LLC:
    case IPCP_ETH_DIX:
        if (m->ethertype > 0xffff)
            return -EINVAL;
        err = str_from(c->eth.dev, sizeof(c->eth.dev), m->dev, sizeof(m->dev));
        if (c->type == IPCP_ETH_DIX && m->ethertype != 0)
            c->eth.ethertype = (uint16_t)m->ethertype;
        break;
    default:
        break;
    }
    if (err < 0)
        return err;
    return ipcp_config_check(c, NULL);
}
