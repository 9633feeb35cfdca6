/*
 * ipcp_check.c - the rules of a bootstrap configuration.
 */
#include "ipcp_check.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

bool ipcp_check_name(const char *name, size_t max)
{
    return name != NULL && name[0] != '\0' && strnlen(name, max + 1) <= max;
}

static int fail(struct ipcp_check_error *err, enum ipcp_check_field field, const char *why)
{
    if (err != NULL) {
        err->field = field;
        err->why = why;
    }
    return -EINVAL;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;

    for (size_t i = 0; i < n; i++)
        if (c[i] != 0)
            return false;
    return true;
}

static int check_unicast(const struct uni_config *u, struct ipcp_check_error *err)
{
    const struct dt_config *dt = &u->dt;
    const struct dht_config *dht = &u->dht;

    if (dt->addr_size != 1 && dt->addr_size != 2 && dt->addr_size != 4 && dt->addr_size != 8)
        return fail(err, IPCP_CHECK_ADDR_SIZE, "an address is 1, 2, 4 or 8 bytes");
    if (dt->eid_size != 8)
        return fail(err, IPCP_CHECK_EID_SIZE, "an endpoint id is 8 bytes");
    if (dt->max_ttl == 0)
        return fail(err, IPCP_CHECK_MAX_TTL, "the TTL is from 1 to 255");
    if (dt->routing != ROUTING_LINK_STATE && dt->routing != ROUTING_LFA &&
        dt->routing != ROUTING_ECMP)
        return fail(err, IPCP_CHECK_ROUTING, "unknown routing policy");
    if (dt->ls_t_recalc == 0)
        return fail(err, IPCP_CHECK_LS_T_RECALC, "the recalculation period is at least 1 s");
    if (dt->ls_t_update == 0)
        return fail(err, IPCP_CHECK_LS_T_UPDATE, "the update period is at least 1 s");
    if (dt->ls_t_timeo <= dt->ls_t_update)
        return fail(err, IPCP_CHECK_LS_T_TIMEO,
                    "a link times out only after more than one update period "
                    "(ls_t_timeo > ls_t_update)");
    if (dht->alpha == 0)
        return fail(err, IPCP_CHECK_DHT_ALPHA, "the DHT parallelism (alpha) is at least 1");
    if (dht->k == 0)
        return fail(err, IPCP_CHECK_DHT_K, "the DHT bucket size (k) is at least 1");
    if (dht->t_expire == 0)
        return fail(err, IPCP_CHECK_DHT_T_EXPIRE, "the DHT expiry is at least 1 s");
    if (dht->t_refresh == 0)
        return fail(err, IPCP_CHECK_DHT_T_REFRESH, "the DHT refresh period is at least 1 s");
    if (dht->t_replicate == 0)
        return fail(err, IPCP_CHECK_DHT_T_REPLICATE,
                    "the DHT replication period is at least 1 s");
    if (u->addr_auth != ADDR_AUTH_FLAT)
        return fail(err, IPCP_CHECK_ADDR_AUTH, "the only address authority is flat");
    if (u->cong_avoid != CA_NONE && u->cong_avoid != CA_MB_ECN)
        return fail(err, IPCP_CHECK_CONGESTION, "unknown congestion avoidance");
    return 0;
}

static int check_udp(const struct ipcp_config *conf, struct ipcp_check_error *err)
{
    const struct udp_config *udp = &conf->udp;
    size_t alen;

    if (udp->af != (conf->type == IPCP_UDP4 ? AF_INET : AF_INET6))
        return fail(err, IPCP_CHECK_IP,
                    conf->type == IPCP_UDP4 ? "a udp4 layer has IPv4 addresses"
                                            : "a udp6 layer has IPv6 addresses");
    alen = udp->af == AF_INET ? sizeof(udp->ip.v4) : sizeof(udp->ip.v6);
    if (all_zero(&udp->ip, alen))
        return fail(err, IPCP_CHECK_IP, "the IP address to bind to is required");
    if (udp->port == 0)
        return fail(err, IPCP_CHECK_PORT, "the port is from 1 to 65535");
    if (udp->n_peers > UDP_PEERS_MAX)
        return fail(err, IPCP_CHECK_PEER, "at most 32 peers");
    for (uint32_t i = 0; i < udp->n_peers; i++) {
        const struct udp_peer *p = &udp->peers[i];

        if (!ipcp_check_name(p->name, NAME_SIZE))
            return fail(err, IPCP_CHECK_PEER, "a peer's name is 1 to 255 characters");
        if (all_zero(&p->ip, alen))
            return fail(err, IPCP_CHECK_PEER, "a peer's address is not all zeros");
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(udp->peers[j].name, p->name) == 0)
                return fail(err, IPCP_CHECK_PEER, "a name is given one peer address only");
    }
    return 0;
}

static int check_eth(const struct ipcp_config *conf, struct ipcp_check_error *err)
{
    const struct eth_config *eth = &conf->eth;

    if (!ipcp_check_name(eth->dev, DEV_NAME_SIZE))
        return fail(err, IPCP_CHECK_DEV,
                    "the network interface is required (at most 15 characters)");
    if (strchr(eth->dev, '/') != NULL || strchr(eth->dev, ' ') != NULL)
        return fail(err, IPCP_CHECK_DEV, "an interface name has no '/' or space");
    if (conf->type == IPCP_ETH_DIX && eth->ethertype < 0x0600)
        return fail(err, IPCP_CHECK_ETHERTYPE,
                    "an ethertype is from 0x0600 to 0xffff (lower values are 802.3 lengths)");
    return 0;
}

int ipcp_config_check(const struct ipcp_config *conf, struct ipcp_check_error *err)
{
    enum dir_hash_algo h;

    assert(conf);

    if (err != NULL)
        *err = (struct ipcp_check_error){IPCP_CHECK_NONE, NULL};
    if ((int)conf->type < 0 || conf->type >= IPCP_INVALID)
        return fail(err, IPCP_CHECK_TYPE, "unknown IPCP type");
    if (!ipcp_check_name(conf->layer_info.name, LAYER_NAME_SIZE))
        return fail(err, IPCP_CHECK_LAYER, "the layer name is 1 to 255 characters");
    h = conf->layer_info.dir_hash_algo;
    if ((int)h < 0 || h > DIR_HASH_MD5)
        return fail(err, IPCP_CHECK_HASH, "unknown hash algorithm");
    if ((conf->type == IPCP_UDP4 || conf->type == IPCP_UDP6) && h != DIR_HASH_MD5)
        return fail(err, IPCP_CHECK_HASH, "a UDP layer hashes names with MD5 (a DNS label)");
    if (conf->type != IPCP_UDP4 && conf->type != IPCP_UDP6 && h == DIR_HASH_MD5)
        return fail(err, IPCP_CHECK_HASH, "MD5 is for UDP layers only");
    if (conf->type == IPCP_BROADCAST && h != DIR_HASH_SHA3_256)
        return fail(err, IPCP_CHECK_HASH, "a broadcast layer hashes names with SHA3_256");
    switch (conf->type) {
    case IPCP_UNICAST:
        return check_unicast(&conf->unicast, err);
    case IPCP_UDP4:
    case IPCP_UDP6:
        return check_udp(conf, err);
    case IPCP_ETH_LLC:
    case IPCP_ETH_DIX:
        return check_eth(conf, err);
    default:
        return 0;
    }
}
