/*
 * node_config_ipcp.c - the IPCPs of a node file: which parameters fit which
 * type, their ranges and addresses, bootstrap or enroll, the order they
 * start in, their connections and registrations.
 */
#include "node_config_check.h"

#include "ipcp_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T(x)  (1u << (x))
#define T_U   T(IPCP_UNICAST)
#define T_UDP (T(IPCP_UDP4) | T(IPCP_UDP6))
#define T_ETH (T(IPCP_ETH_LLC) | T(IPCP_ETH_DIX))

static const char *type_name(enum ipcp_type t)
{
    return irm_word_name(irm_words_ipcp_type, (int)t);
}

/* ---- IPCPs -------------------------------------------------------------- */

/* The bootstrap parameters: which IPCP types take each. */
struct param {
    const char *key;
    size_t off; /* of its pointer in struct ncs_ipcp */
    unsigned types;
    enum ipcp_check_field field;
};

#define P(k, t, f)                                                                             \
    {                                                                                          \
#k, offsetof(struct ncs_ipcp, k), t, f                                                 \
    }

static const struct param params[] = {
    P(hash, T_U | T(IPCP_LOCAL) | T_ETH, IPCP_CHECK_HASH),
    P(addr_size, T_U, IPCP_CHECK_ADDR_SIZE),
    P(eid_size, T_U, IPCP_CHECK_EID_SIZE),
    P(max_ttl, T_U, IPCP_CHECK_MAX_TTL),
    P(addr_auth, T_U, IPCP_CHECK_ADDR_AUTH),
    P(directory, T_U, IPCP_CHECK_NONE),
    P(routing, T_U, IPCP_CHECK_ROUTING),
    P(ls_t_recalc, T_U, IPCP_CHECK_LS_T_RECALC),
    P(ls_t_update, T_U, IPCP_CHECK_LS_T_UPDATE),
    P(ls_t_timeo, T_U, IPCP_CHECK_LS_T_TIMEO),
    P(congestion, T_U, IPCP_CHECK_CONGESTION),
    P(dht_alpha, T_U, IPCP_CHECK_DHT_ALPHA),
    P(dht_k, T_U, IPCP_CHECK_DHT_K),
    P(dht_t_expire, T_U, IPCP_CHECK_DHT_T_EXPIRE),
    P(dht_t_refresh, T_U, IPCP_CHECK_DHT_T_REFRESH),
    P(dht_t_replicate, T_U, IPCP_CHECK_DHT_T_REPLICATE),
    P(ip, T_UDP, IPCP_CHECK_IP),
    P(port, T_UDP, IPCP_CHECK_PORT),
    P(dns, T_UDP, IPCP_CHECK_DNS),
    P(dev, T_ETH, IPCP_CHECK_DEV),
    P(ethertype, T(IPCP_ETH_DIX), IPCP_CHECK_ETHERTYPE),
    P(peers, T_UDP, IPCP_CHECK_PEER),
};

#define NPARAMS (sizeof(params) / sizeof(params[0]))

static const void *param_ptr(const struct ncs_ipcp *r, const struct param *p)
{
    return *(void *const *)((const char *)r + p->off);
}

/* A number at path within [min, max]. */
static int number(struct yaml_check *c, const char *ipath, const char *key, const uint32_t *v,
                  uint32_t min, uint32_t max, uint32_t *out)
{
    char path[NCC_PATH_LEN];

    if (v == NULL)
        return 0;
    yaml_check_path(path, sizeof(path), ipath, key);
    if (*v < min || *v > max)
        return yaml_check_fail(c, path, "'%s' is from %u to %u, not %u", key, min, max, *v);
    *out = *v;
    return 0;
}

static int address(struct yaml_check *c, const char *ipath, const char *key, const char *v,
                   int af, void *out)
{
    char path[NCC_PATH_LEN];

    if (v == NULL || inet_pton(af, v, out) == 1)
        return 0;
    yaml_check_path(path, sizeof(path), ipath, key);
    return yaml_check_fail(c, path, "'%s' is an %s address, not '%s'", key,
                           af == AF_INET ? "IPv4" : "IPv6", v);
}

/* The static peers of a UDP layer: names, addresses, ports. */
static int udp_peers(struct yaml_check *c, const char *ipath, const struct ncs_ipcp *r,
                     struct udp_config *udp)
{
    for (unsigned i = 0; i < r->peers_count; i++) {
        const struct ncs_peer *p = &r->peers[i];
        struct udp_peer *o = &udp->peers[i];
        char ppath[NCC_PATH_LEN];
        uint32_t v = 0;
        int err;

        if (snprintf(ppath, sizeof(ppath), "%s.peers.%u", ipath, i) >= (int)sizeof(ppath))
            ppath[0] = '\0';
        for (unsigned j = 0; j < i; j++) {
            char path[NCC_PATH_LEN];

            if (strcmp(r->peers[j].name, p->name) != 0)
                continue;
            yaml_check_path(path, sizeof(path), ppath, "name");
            return yaml_check_fail(c, path, "peer '%s' is given twice", p->name);
        }
        snprintf(o->name, sizeof(o->name), "%s", p->name);
        err = address(c, ppath, "ip", p->ip, udp->af, &o->ip);
        err = err ?: number(c, ppath, "port", p->port, 1, 65535, &v);
        if (err < 0)
            return err;
        o->port = (uint16_t)v;
        udp->n_peers++;
    }
    return 0;
}

/* Fill conf from the parameters (each checked against its range). */
static int bootstrap_conf(struct yaml_check *c, const char *ipath, const struct ncs_ipcp *r,
                          struct ipcp_config *conf)
{
    struct uni_config *u = &conf->unicast;
    uint32_t v;
    int err = 0;

    ipcp_config_default(conf, (enum ipcp_type)r->type);
    snprintf(conf->layer_info.name, sizeof(conf->layer_info.name), "%s", r->layer);
    if (r->hash != NULL)
        conf->layer_info.dir_hash_algo = (enum dir_hash_algo) * r->hash;
    switch (r->type) {
    case IPCP_UNICAST:
        if (r->routing != NULL)
            u->dt.routing = (enum routing_pol) * r->routing;
        if (r->congestion != NULL)
            u->cong_avoid = (enum cong_avoid) * r->congestion;
        if (r->addr_auth != NULL)
            u->addr_auth = (enum addr_auth) * r->addr_auth;
        v = u->dt.addr_size;
        err = err ?: number(c, ipath, "addr_size", r->addr_size, 1, 8, &v);
        u->dt.addr_size = (uint8_t)v;
        v = u->dt.eid_size;
        err = err ?: number(c, ipath, "eid_size", r->eid_size, 1, 8, &v);
        u->dt.eid_size = (uint8_t)v;
        v = u->dt.max_ttl;
        err = err ?: number(c, ipath, "max_ttl", r->max_ttl, 1, 255, &v);
        u->dt.max_ttl = (uint8_t)v;
        err = err
                  ?: number(c, ipath, "ls_t_recalc", r->ls_t_recalc, 1, 86400,
                            &u->dt.ls_t_recalc);
        err = err
                  ?: number(c, ipath, "ls_t_update", r->ls_t_update, 1, 86400,
                            &u->dt.ls_t_update);
        err = err ?: number(c, ipath, "ls_t_timeo", r->ls_t_timeo, 1, 86400, &u->dt.ls_t_timeo);
        err = err ?: number(c, ipath, "dht_alpha", r->dht_alpha, 1, 64, &u->dht.alpha);
        err = err ?: number(c, ipath, "dht_k", r->dht_k, 1, 1024, &u->dht.k);
        err = err
                  ?: number(c, ipath, "dht_t_expire", r->dht_t_expire, 1, UINT32_MAX,
                            &u->dht.t_expire);
        err = err
                  ?: number(c, ipath, "dht_t_refresh", r->dht_t_refresh, 1, UINT32_MAX,
                            &u->dht.t_refresh);
        err = err
                  ?: number(c, ipath, "dht_t_replicate", r->dht_t_replicate, 1, UINT32_MAX,
                            &u->dht.t_replicate);
        break;
    case IPCP_UDP4:
    case IPCP_UDP6:
        err = err ?: address(c, ipath, "ip", r->ip, conf->udp.af, &conf->udp.ip);
        err = err ?: address(c, ipath, "dns", r->dns, conf->udp.af, &conf->udp.dns);
        v = conf->udp.port;
        err = err ?: number(c, ipath, "port", r->port, 1, 65535, &v);
        conf->udp.port = (uint16_t)v;
        err = err ?: udp_peers(c, ipath, r, &conf->udp);
        break;
    case IPCP_ETH_LLC:
    case IPCP_ETH_DIX:
        if (r->dev != NULL && strlen(r->dev) > DEV_NAME_SIZE) {
            char path[NCC_PATH_LEN];

            yaml_check_path(path, sizeof(path), ipath, "dev");
            return yaml_check_fail(
                c, path, "'dev' is an interface name of at most %d characters", DEV_NAME_SIZE);
        }
        if (r->dev != NULL)
            snprintf(conf->eth.dev, sizeof(conf->eth.dev), "%s", r->dev);
        if (r->ethertype != NULL && (*r->ethertype < 0x0600 || *r->ethertype > 0xffff)) {
            char path[NCC_PATH_LEN];

            yaml_check_path(path, sizeof(path), ipath, "ethertype");
            return yaml_check_fail(c, path,
                                   "'ethertype' is from 0x0600 to 0xffff (lower values are "
                                   "802.3 lengths), not 0x%04x",
                                   *r->ethertype);
        }
        if (r->ethertype != NULL)
            conf->eth.ethertype = (uint16_t)*r->ethertype;
        break;
    default:
        break;
    }
    return err;
}

/* What ipcp_config_check refused, at the key that set it (or the IPCP). */
static int config_refused(struct yaml_check *c, const char *ipath, const struct ncs_ipcp *r,
                          const struct ipcp_check_error *e)
{
    for (size_t i = 0; i < NPARAMS; i++) {
        char path[NCC_PATH_LEN];

        if (params[i].field != e->field)
            continue;
        yaml_check_path(path, sizeof(path), ipath, params[i].key);
        if (param_ptr(r, &params[i]) != NULL)
            return yaml_check_fail(c, path, "'%s': %s", params[i].key, e->why);
        return yaml_check_fail_key(c, ipath, "bootstrap", "%s IPCP '%s' needs '%s': %s",
                                   type_name((enum ipcp_type)r->type), r->name, params[i].key,
                                   e->why);
    }
    return yaml_check_fail_key(c, ipath, "bootstrap", "IPCP '%s': %s", r->name, e->why);
}

static int check_order(struct yaml_check *c, const struct ncs_node *raw, unsigned i)
{
    const struct ncs_ipcp *r = &raw->ipcps[i];
    char path[NCC_PATH_LEN];

    for (unsigned j = 0; j < raw->ipcps_count; j++) {
        const struct ncs_ipcp *o = &raw->ipcps[j];

        if (j < i && strcmp(o->name, r->name) == 0) {
            snprintf(path, sizeof(path), "ipcps.%u.name", j);
            {
                unsigned first = yaml_doc_where(&c->doc, path).line;

                snprintf(path, sizeof(path), "ipcps.%u.name", i);
                return yaml_check_fail(
                    c, path, "IPCP '%s' is declared twice (first at line %u)", r->name, first);
            }
        }
        if (j < i && r->bootstrap && *r->bootstrap && o->bootstrap && *o->bootstrap &&
            strcmp(o->layer, r->layer) == 0) {
            snprintf(path, sizeof(path), "ipcps.%u.layer", i);
            return yaml_check_fail(
                c, path,
                "layer '%s' is bootstrapped twice on this node (first by IPCP "
                "'%s'); the others enroll",
                r->layer, o->name);
        }
        if (j > i && r->enroll != NULL && strcmp(o->name, r->enroll) == 0) {
            snprintf(path, sizeof(path), "ipcps.%u.enroll", i);
            return yaml_check_fail(c, path,
                                   "'%s' enrolls through '%s', which comes later in the file: "
                                   "IPCPs start in the file's order",
                                   r->name, r->enroll);
        }
    }
    return 0;
}

static int convert_lists(struct yaml_check *c, const char *ipath, const struct ncs_ipcp *r,
                         struct node_ipcp *p)
{
    static const qosspec_t *const presets[] = {
        [IRM_QOS_RAW] = &qos_raw,     [IRM_QOS_BEST] = &qos_best_effort,
        [IRM_QOS_VIDEO] = &qos_video, [IRM_QOS_VOICE] = &qos_voice,
        [IRM_QOS_DATA] = &qos_data,
    };

    if (r->connect_count > 0) {
        p->conns = calloc(r->connect_count, sizeof(*p->conns));
        if (p->conns == NULL)
            return -ENOMEM;
    }
    for (unsigned j = 0; j < r->connect_count; j++) {
        const struct ncs_conn *rc = &r->connect[j];
        struct node_conn *nc = &p->conns[j];
        int comp = rc->component != NULL ? *rc->component : IRM_COMP_ALL;

        snprintf(nc->dst, sizeof(nc->dst), "%s", rc->dst);
        nc->component = comp == IRM_COMP_DT ? "dt" : comp == IRM_COMP_MGMT ? "mgmt" : NULL;
        nc->qos = *presets[rc->qos != NULL ? *rc->qos : IRM_QOS_RAW];
        p->nconns++;
    }
    if (r->reg_count > 0) {
        p->regs = calloc(r->reg_count, sizeof(*p->regs));
        if (p->regs == NULL)
            return -ENOMEM;
    }
    for (unsigned j = 0; j < r->reg_count; j++) {
        for (unsigned k = 0; k < j; k++) {
            char path[NCC_PATH_LEN];

            if (strcmp(r->reg[k], r->reg[j]) != 0)
                continue;
            if (snprintf(path, sizeof(path), "%s.register.%u", ipath, j) >= (int)sizeof(path))
                path[0] = '\0';
            return yaml_check_fail(c, path, "'%s' is in 'register' twice", r->reg[j]);
        }
        snprintf(p->regs[j], sizeof(p->regs[j]), "%s", r->reg[j]);
        p->nregs++;
    }
    return 0;
}

static int convert_ipcp(struct yaml_check *c, const struct ncs_node *raw, unsigned i,
                        struct node_ipcp *p)
{
    const struct ncs_ipcp *r = &raw->ipcps[i];
    enum ipcp_type type = (enum ipcp_type)r->type;
    bool boot = r->bootstrap != NULL && *r->bootstrap;
    bool joins = type == IPCP_UNICAST || type == IPCP_BROADCAST;
    struct ipcp_check_error e;
    char ipath[NCC_PATH_LEN];
    int err;

    snprintf(ipath, sizeof(ipath), "ipcps.%u", i);
    snprintf(p->name, sizeof(p->name), "%s", r->name);
    p->type = type;
    if (boot && r->enroll != NULL)
        return yaml_check_fail_key(c, ipath, "enroll",
                                   "an IPCP bootstraps a layer or enrolls in one, not "
                                   "both");
    if (r->enroll != NULL && !joins)
        return yaml_check_fail_key(c, ipath, "enroll",
                                   "a %s IPCP does not enroll (only unicast and "
                                   "broadcast ones do): give it 'bootstrap: true'",
                                   type_name(type));
    if (boot && r->layer == NULL)
        return yaml_check_fail_key(c, ipath, "bootstrap",
                                   "a bootstrap needs the 'layer' it makes");
    p->mode = boot                ? NODE_IPCP_BOOTSTRAP
              : r->enroll != NULL ? NODE_IPCP_ENROLL
                                  : NODE_IPCP_CREATE;
    for (size_t k = 0; k < NPARAMS; k++) {
        if (param_ptr(r, &params[k]) == NULL)
            continue;
        if ((params[k].types & T(type)) == 0)
            return yaml_check_fail_key(c, ipath, params[k].key,
                                       "'%s' does not apply to a %s IPCP", params[k].key,
                                       type_name(type));
        if (!boot)
            return yaml_check_fail_key(
                c, ipath, params[k].key,
                "'%s' is a bootstrap parameter and IPCP '%s' does not bootstrap%s",
                params[k].key, r->name,
                r->enroll != NULL ? " (it learns the layer's when it enrolls)"
                                  : " (add 'bootstrap: true')");
    }
    if (r->autobind != NULL && *r->autobind && !joins)
        return yaml_check_fail_key(c, ipath, "autobind",
                                   "'autobind' is for unicast and broadcast IPCPs, "
                                   "not %s",
                                   type_name(type));
    if (r->connect_count > 0 && !joins)
        return yaml_check_fail_key(c, ipath, "connect",
                                   "only unicast and broadcast IPCPs connect, not %s",
                                   type_name(type));
    if (p->mode == NODE_IPCP_CREATE) {
        static const char *const need[] = {"autobind", "connect", "register"};
        const bool has[] = {r->autobind != NULL && *r->autobind, r->connect_count > 0,
                            r->reg_count > 0};

        for (int k = 0; k < 3; k++)
            if (has[k])
                return yaml_check_fail_key(c, ipath, need[k],
                                           "'%s' needs the IPCP in a layer: add "
                                           "'bootstrap: true' or 'enroll: <member>'",
                                           need[k]);
    }
    p->autobind = r->autobind != NULL && *r->autobind;
    p->conf.type = type;
    if (r->layer != NULL)
        snprintf(p->conf.layer_info.name, sizeof(p->conf.layer_info.name), "%s", r->layer);
    if (r->enroll != NULL)
        snprintf(p->dst, sizeof(p->dst), "%s", r->enroll);
    if (boot) {
        err = bootstrap_conf(c, ipath, r, &p->conf);
        if (err < 0)
            return err;
        if (ipcp_config_check(&p->conf, &e) < 0)
            return config_refused(c, ipath, r, &e);
    }
    err = check_order(c, raw, i);
    if (err < 0)
        return err;
    return convert_lists(c, ipath, r, p);
}

int ncc_convert_ipcps(struct yaml_check *c, const struct ncs_node *raw, struct node_config *cfg)
{
    if (raw->ipcps_count == 0)
        return 0;
    cfg->ipcps = calloc(raw->ipcps_count, sizeof(*cfg->ipcps));
    if (cfg->ipcps == NULL)
        return -ENOMEM;
    for (unsigned i = 0; i < raw->ipcps_count; i++) {
        int err;

        cfg->nipcps++;
        err = convert_ipcp(c, raw, i, &cfg->ipcps[i]);
        if (err < 0)
            return err;
    }
    return 0;
}
