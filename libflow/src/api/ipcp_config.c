/*
 * ipcp_config.c - the reference's bootstrap defaults for every IPCP type.
 */
#include <ourobus/irm.h>

#include <arpa/inet.h>
#include <string.h>

void ipcp_config_default(struct ipcp_config *conf, enum ipcp_type type)
{
    memset(conf, 0, sizeof(*conf));
    conf->type = type;
    conf->layer_info.dir_hash_algo = DIR_HASH_SHA3_256;
    switch (type) {
    case IPCP_UNICAST:
        conf->unicast.dt.addr_size = 4;
        conf->unicast.dt.eid_size = 8;
        conf->unicast.dt.max_ttl = 60;
        conf->unicast.dt.routing = ROUTING_LINK_STATE;
        conf->unicast.dt.ls_t_recalc = 4;
        conf->unicast.dt.ls_t_update = 15;
        conf->unicast.dt.ls_t_timeo = 60;
        conf->unicast.dht.alpha = 3;
        conf->unicast.dht.k = 8;
        conf->unicast.dht.t_expire = 86400;
        conf->unicast.dht.t_refresh = 900;
        conf->unicast.dht.t_replicate = 900;
        conf->unicast.addr_auth = ADDR_AUTH_FLAT;
        conf->unicast.cong_avoid = CA_MB_ECN;
        break;
    case IPCP_UDP4:
    case IPCP_UDP6:
        conf->layer_info.dir_hash_algo = DIR_HASH_MD5;
        conf->udp.af = type == IPCP_UDP4 ? AF_INET : AF_INET6;
        conf->udp.port = 3435;
        break;
    case IPCP_ETH_DIX:
        conf->eth.ethertype = 0xA000;
        break;
    default:
        break;
    }
}
