/*
 * irm_boot.c - parse irm ipcp bootstrap: the IPCP, its layer and type, and
 * the parameters of each type with the reference's names and defaults,
 * into a struct ipcp_config once the type is known.
 */
#include "irm_parse.h"

#include "ipcp_check.h"
#include "irm_words.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define T(x)  (1u << (x))
#define T_ALL 0x7fu
#define T_U   T(IPCP_UNICAST)
#define T_UDP (T(IPCP_UDP4) | T(IPCP_UDP6))
#define T_ETH (T(IPCP_ETH_LLC) | T(IPCP_ETH_DIX))

enum { B_NAME = 100, B_LAYER, B_TYPE, B_AUTOBIND, B_PEER };

/* The first word of each id is the one messages use. */
static const struct irm_kw keys[] = {{"name", B_NAME, T_ALL | IRM_KW_FIRST},
                                     {"layer", B_LAYER, T_ALL | IRM_KW_FIRST},
                                     {"type", B_TYPE, T_ALL | IRM_KW_FIRST},
                                     {"autobind", B_AUTOBIND, T_U | T(IPCP_BROADCAST)},
                                     {"hash", IRM_BP_HASH, T_U | T(IPCP_LOCAL) | T_ETH},
                                     {"addr", IRM_BP_ADDR, T_U},
                                     {"addr_size", IRM_BP_ADDR, T_U},
                                     {"eid", IRM_BP_EID, T_U},
                                     {"eid_size", IRM_BP_EID, T_U},
                                     {"ttl", IRM_BP_TTL, T_U},
                                     {"max_ttl", IRM_BP_TTL, T_U},
                                     {"addr_auth", IRM_BP_ADDR_AUTH, T_U},
                                     {"directory", IRM_BP_DIRECTORY, T_U},
                                     {"dht_alpha", IRM_BP_DHT_ALPHA, T_U},
                                     {"dht_k", IRM_BP_DHT_K, T_U},
                                     {"dht_t_expire", IRM_BP_DHT_T_EXPIRE, T_U},
                                     {"dht_t_refresh", IRM_BP_DHT_T_REFRESH, T_U},
                                     {"dht_t_replicate", IRM_BP_DHT_T_REPLICATE, T_U},
                                     {"routing", IRM_BP_ROUTING, T_U},
                                     {"ls_t_recalc", IRM_BP_LS_T_RECALC, T_U},
                                     {"ls_t_update", IRM_BP_LS_T_UPDATE, T_U},
                                     {"ls_t_timeo", IRM_BP_LS_T_TIMEO, T_U},
                                     {"congestion", IRM_BP_CONGESTION, T_U},
                                     {"device", IRM_BP_DEVICE, T_ETH},
                                     {"ethertype", IRM_BP_ETHERTYPE, T(IPCP_ETH_DIX)},
                                     {"ip", IRM_BP_IP, T_UDP},
                                     {"port", IRM_BP_PORT, T_UDP},
                                     {"dns", IRM_BP_DNS, T_UDP},
                                     {"peer", B_PEER, T_UDP},
                                     {NULL, 0, 0}};

static const struct irm_kw *key_of(int id)
{
    for (const struct irm_kw *k = keys; k->word != NULL; k++)
        if (k->id == id)
            return k;
    return NULL;
}

static const char *type_name(enum ipcp_type t)
{
    return irm_word_name(irm_words_ipcp_type, (int)t);
}

/* Match a keyword among those of the type given so far; a keyword of
 * another type is named as such. */
static int match_key(struct irm_args *a, const char *kw)
{
    struct irm_cmd *cmd = a->cmd;
    char first[IRM_ERROR_MAX];
    int id;

    if (!cmd->type_set)
        return irm_args_match(a, keys, 0, "keyword", kw);
    id = irm_args_match(a, keys, T(cmd->type), "keyword", kw);
    if (id >= 0)
        return id;
    memcpy(first, cmd->error, sizeof(first));
    id = irm_args_match(a, keys, 0, "keyword", kw);
    if (id >= 0) {
        irm_args_fail(a, "'%s' does not apply to a %s IPCP", key_of(id)->word,
                      type_name(cmd->type));
        return -1;
    }
    memcpy(cmd->error, first, sizeof(first));
    return -1;
}

int irm_parse_bootstrap(struct irm_args *a)
{
    struct irm_cmd *cmd = a->cmd;

    while (irm_args_peek(a) != NULL) {
        const char *kw;
        const char *v;
        int id;

        if (irm_parse_asks_help(a))
            return 0;
        kw = irm_args_next(a);
        id = match_key(a, kw);
        if (id < 0)
            return -EINVAL;
        switch (id) {
        case B_NAME:
        case B_LAYER: {
            const char **slot = id == B_NAME ? &cmd->ipcp : &cmd->layer;

            if (*slot != NULL)
                return irm_args_fail(a, "'%s' given twice", key_of(id)->word);
            if (irm_args_name(a, key_of(id)->word,
                              id == B_NAME ? "an IPCP name" : "a layer name", slot) < 0)
                return -EINVAL;
            break;
        }
        case B_TYPE:
            if (irm_args_value(a, "type", "an IPCP type", &v) < 0 ||
                irm_parse_type(a, "type", v) < 0)
                return -EINVAL;
            break;
        case B_AUTOBIND:
            cmd->autobind = true;
            break;
        case B_PEER:
            if (cmd->n_peers == UDP_PEERS_MAX)
                return irm_args_fail(a, "at most %d peers", UDP_PEERS_MAX);
            if (irm_args_value(a, "peer", "NAME=ADDRESS[:PORT]", &cmd->peers[cmd->n_peers]) < 0)
                return -EINVAL;
            cmd->n_peers++;
            break;
        default:
            if (cmd->boot[id] != NULL)
                return irm_args_fail(a, "'%s' given twice", key_of(id)->word);
            if (irm_args_value(a, key_of(id)->word, "a value", &cmd->boot[id]) < 0)
                return -EINVAL;
            break;
        }
    }
    if (cmd->ipcp == NULL)
        return irm_args_fail(a, "'name <IPCP name>' is required");
    if (cmd->layer == NULL)
        return irm_args_fail(a, "'layer <layer name>' is required");
    /* Without a type, the IPCP's own is used: known when it is looked up. */
    return cmd->type_set ? irm_cmd_boot_config(cmd, cmd->type) : 0;
}

/* ---- from the words to struct ipcp_config ------------------------------- */

static int word_value(struct irm_args *a, const struct irm_word *table, int param,
                      const char *what, int *out)
{
    const char *v = a->cmd->boot[param];
    char list[160];

    *out = irm_word_value(table, v);
    if (*out >= 0)
        return 0;
    return irm_args_fail(a, "unknown %s '%s' (expected %s)", what, v,
                         irm_word_list(table, list, sizeof(list)));
}

static int number(struct irm_args *a, int param, uint32_t min, uint32_t max, uint32_t *out)
{
    return irm_args_u32(a, key_of(param)->word, a->cmd->boot[param], min, max, out);
}

static int address(struct irm_args *a, int param, int af, void *out)
{
    const char *v = a->cmd->boot[param];

    if (inet_pton(af, v, out) == 1)
        return 0;
    return irm_args_fail(a, "'%s' needs an %s address, not '%s'", key_of(param)->word,
                         af == AF_INET ? "IPv4" : "IPv6", v);
}

static int convert(struct irm_args *a, int p, struct ipcp_config *c)
{
    struct dt_config *dt = &c->unicast.dt;
    struct dht_config *dht = &c->unicast.dht;
    uint32_t n = 0;
    int w = 0;
    int r = 0;

    switch (p) {
    case IRM_BP_HASH:
        r = word_value(a, irm_words_hash, p, "hash algorithm", &w);
        c->layer_info.dir_hash_algo = (enum dir_hash_algo)w;
        break;
    case IRM_BP_ADDR:
    case IRM_BP_EID:
    case IRM_BP_TTL:
        r = number(a, p, 1, 255, &n);
        if (p == IRM_BP_ADDR)
            dt->addr_size = (uint8_t)n;
        else if (p == IRM_BP_EID)
            dt->eid_size = (uint8_t)n;
        else
            dt->max_ttl = (uint8_t)n;
        break;
    case IRM_BP_ADDR_AUTH:
        r = word_value(a, irm_words_addr_auth, p, "address authority", &w);
        c->unicast.addr_auth = (enum addr_auth)w;
        break;
    case IRM_BP_DIRECTORY: {
        static const struct irm_word dirs[] = {IRM_WORDS_DIRECTORY(IRM_WORD_ENTRY){NULL, 0, 0}};

        r = word_value(a, dirs, p, "directory", &w);
        break;
    }
    case IRM_BP_ROUTING:
        r = word_value(a, irm_words_routing, p, "routing policy", &w);
        dt->routing = (enum routing_pol)w;
        break;
    case IRM_BP_CONGESTION:
        r = word_value(a, irm_words_cong, p, "congestion avoidance", &w);
        c->unicast.cong_avoid = (enum cong_avoid)w;
        break;
    case IRM_BP_LS_T_RECALC:
    case IRM_BP_LS_T_UPDATE:
    case IRM_BP_LS_T_TIMEO:
    case IRM_BP_DHT_ALPHA:
    case IRM_BP_DHT_K:
    case IRM_BP_DHT_T_EXPIRE:
    case IRM_BP_DHT_T_REFRESH:
    case IRM_BP_DHT_T_REPLICATE: {
        uint32_t *slot[] = {
            [IRM_BP_LS_T_RECALC] = &dt->ls_t_recalc,
            [IRM_BP_LS_T_UPDATE] = &dt->ls_t_update,
            [IRM_BP_LS_T_TIMEO] = &dt->ls_t_timeo,
            [IRM_BP_DHT_ALPHA] = &dht->alpha,
            [IRM_BP_DHT_K] = &dht->k,
            [IRM_BP_DHT_T_EXPIRE] = &dht->t_expire,
            [IRM_BP_DHT_T_REFRESH] = &dht->t_refresh,
            [IRM_BP_DHT_T_REPLICATE] = &dht->t_replicate,
        };

        r = number(a, p, 1, UINT32_MAX, slot[p]);
        break;
    }
    case IRM_BP_DEVICE:
        if (strlen(a->cmd->boot[p]) > DEV_NAME_SIZE || a->cmd->boot[p][0] == '\0')
            return irm_args_fail(a, "'device' is an interface name of 1 to %d characters",
                                 DEV_NAME_SIZE);
        snprintf(c->eth.dev, sizeof(c->eth.dev), "%s", a->cmd->boot[p]);
        break;
    case IRM_BP_ETHERTYPE:
        r = number(a, p, 0, 0xffff, &n);
        c->eth.ethertype = (uint16_t)n;
        break;
    case IRM_BP_IP:
    case IRM_BP_DNS:
        r = address(a, p, c->udp.af, p == IRM_BP_IP ? (void *)&c->udp.ip : (void *)&c->udp.dns);
        break;
    case IRM_BP_PORT:
        r = number(a, p, 1, 65535, &n);
        c->udp.port = (uint16_t)n;
        break;
    default:
        break;
    }
    return r < 0 ? -EINVAL : 0;
}

/* The keyword to blame when ipcp_config_check refuses a field. */
static const int blame[] = {
    [IPCP_CHECK_HASH] = IRM_BP_HASH,
    [IPCP_CHECK_ADDR_SIZE] = IRM_BP_ADDR,
    [IPCP_CHECK_EID_SIZE] = IRM_BP_EID,
    [IPCP_CHECK_MAX_TTL] = IRM_BP_TTL,
    [IPCP_CHECK_ROUTING] = IRM_BP_ROUTING,
    [IPCP_CHECK_LS_T_RECALC] = IRM_BP_LS_T_RECALC,
    [IPCP_CHECK_LS_T_UPDATE] = IRM_BP_LS_T_UPDATE,
    [IPCP_CHECK_LS_T_TIMEO] = IRM_BP_LS_T_TIMEO,
    [IPCP_CHECK_DHT_ALPHA] = IRM_BP_DHT_ALPHA,
    [IPCP_CHECK_DHT_K] = IRM_BP_DHT_K,
    [IPCP_CHECK_DHT_T_EXPIRE] = IRM_BP_DHT_T_EXPIRE,
    [IPCP_CHECK_DHT_T_REFRESH] = IRM_BP_DHT_T_REFRESH,
    [IPCP_CHECK_DHT_T_REPLICATE] = IRM_BP_DHT_T_REPLICATE,
    [IPCP_CHECK_ADDR_AUTH] = IRM_BP_ADDR_AUTH,
    [IPCP_CHECK_CONGESTION] = IRM_BP_CONGESTION,
    [IPCP_CHECK_IP] = IRM_BP_IP,
    [IPCP_CHECK_DNS] = IRM_BP_DNS,
    [IPCP_CHECK_PORT] = IRM_BP_PORT,
    [IPCP_CHECK_DEV] = IRM_BP_DEVICE,
    [IPCP_CHECK_ETHERTYPE] = IRM_BP_ETHERTYPE,
};

int irm_cmd_boot_config(struct irm_cmd *cmd, enum ipcp_type type)
{
    struct irm_args a = {.cmd = cmd};
    struct ipcp_config *c = &cmd->conf;
    struct ipcp_check_error e;

    if ((int)type < 0 || type >= IPCP_INVALID)
        return irm_args_fail(&a, "unknown IPCP type");
    ipcp_config_default(c, type);
    snprintf(c->layer_info.name, sizeof(c->layer_info.name), "%s",
             cmd->layer != NULL ? cmd->layer : "");
    for (int p = 0; p < IRM_BP_COUNT; p++) {
        if (cmd->boot[p] == NULL)
            continue;
        if ((key_of(p)->mask & T(type)) == 0)
            return irm_args_fail(&a, "'%s' does not apply to a %s IPCP", key_of(p)->word,
                                 type_name(type));
        if (convert(&a, p, c) < 0)
            return -EINVAL;
    }
    if (cmd->n_peers > 0 && type != IPCP_UDP4 && type != IPCP_UDP6)
        return irm_args_fail(&a, "'peer' does not apply to a %s IPCP", type_name(type));
    for (int i = 0; i < cmd->n_peers; i++)
        if (irm_parse_peer(&a, cmd->peers[i], c->udp.af, &c->udp.peers[i]) < 0)
            return -EINVAL;
    if (cmd->n_peers > 0)
        c->udp.n_peers = (uint32_t)cmd->n_peers;
    if (cmd->autobind && type != IPCP_UNICAST && type != IPCP_BROADCAST)
        return irm_args_fail(&a, "'autobind' applies to unicast and broadcast IPCPs, not %s",
                             type_name(type));
    if (ipcp_config_check(c, &e) < 0) {
        int p = (size_t)e.field < sizeof(blame) / sizeof(blame[0]) ? blame[e.field] : 0;

        if (e.field == IPCP_CHECK_IP && cmd->boot[IRM_BP_IP] == NULL)
            return irm_args_fail(&a, "'ip <address>' is required for a %s IPCP",
                                 type_name(type));
        if (e.field == IPCP_CHECK_DEV && cmd->boot[IRM_BP_DEVICE] == NULL)
            return irm_args_fail(&a, "'device <interface>' is required for an %s IPCP",
                                 type_name(type));
        if (e.field == IPCP_CHECK_PEER)
            return irm_args_fail(&a, "'peer': %s", e.why);
        if (p != 0 || e.field == IPCP_CHECK_HASH)
            return irm_args_fail(&a, "'%s': %s", key_of(p)->word, e.why);
        return irm_args_fail(&a, "%s", e.why);
    }
    cmd->type = type;
    cmd->type_set = true;
    cmd->conf_ready = true;
    return 0;
}
