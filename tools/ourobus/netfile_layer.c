/*
 * netfile_layer.c - the layers of a network file: which keys fit which
 * type, the link or segment of a shim layer, the lower layers, bootstrap
 * node, members and connections of a unicast or broadcast layer, the names
 * registered, and the size of each UDP IPCP's peers map.
 */
#include "netfile_check.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <ourobus/irm.h>
#include <stdio.h>
#include <string.h>

#define T(x)     (1u << (x))
#define T_UDP    (T(IPCP_UDP4) | T(IPCP_UDP6))
#define T_ETH    (T(IPCP_ETH_LLC) | T(IPCP_ETH_DIX))
#define T_NORMAL (T(IPCP_UNICAST) | T(IPCP_BROADCAST))

/* ---- layers ------------------------------------------------------------- */

/* The keys of a layer and the types that take them. */
static const struct {
    const char *key;
    size_t off;
    unsigned types;
} layer_keys[] = {
#define K(k, m, t)                                                                             \
    {                                                                                          \
        k, offsetof(struct nfs_layer, m), t                                                    \
    }
    K("link", link, T_UDP),
    K("segment", segment, T_ETH),
    K("over", over, T_NORMAL),
    K("bootstrap", bootstrap, T_NORMAL),
    K("members", members, T_NORMAL),
    K("connect", connect, T_NORMAL),
    K("hash", hash, T(IPCP_UNICAST) | T_ETH),
    K("ethertype", ethertype, T(IPCP_ETH_DIX)),
    K("addr_size", addr_size, T(IPCP_UNICAST)),
    K("eid_size", eid_size, T(IPCP_UNICAST)),
    K("max_ttl", max_ttl, T(IPCP_UNICAST)),
    K("addr_auth", addr_auth, T(IPCP_UNICAST)),
    K("directory", directory, T(IPCP_UNICAST)),
    K("routing", routing, T(IPCP_UNICAST)),
    K("ls_t_recalc", ls_t_recalc, T(IPCP_UNICAST)),
    K("ls_t_update", ls_t_update, T(IPCP_UNICAST)),
    K("ls_t_timeo", ls_t_timeo, T(IPCP_UNICAST)),
    K("congestion", congestion, T(IPCP_UNICAST)),
    K("dht_alpha", dht_alpha, T(IPCP_UNICAST)),
    K("dht_k", dht_k, T(IPCP_UNICAST)),
    K("dht_t_expire", dht_t_expire, T(IPCP_UNICAST)),
    K("dht_t_refresh", dht_t_refresh, T(IPCP_UNICAST)),
    K("dht_t_replicate", dht_t_replicate, T(IPCP_UNICAST)),
#undef K
};

static int check_layer_keys(struct yaml_check *c, const char *lpath, const struct nfs_layer *l)
{
    for (size_t i = 0; i < sizeof(layer_keys) / sizeof(layer_keys[0]); i++) {
        const void *v = *(void *const *)((const char *)l + layer_keys[i].off);

        if (v != NULL && !(layer_keys[i].types & T((unsigned)l->type)))
            return yaml_check_fail_key(c, lpath, layer_keys[i].key,
                                       "'%s' is not for a %s layer ('%s')", layer_keys[i].key,
                                       nfc_type_name(l->type), l->name);
    }
    return 0;
}

/* A number at "<lpath>.<key>" within [min, max]. */
static int range(struct yaml_check *c, const char *lpath, const char *key, const uint32_t *v,
                 uint32_t min, uint32_t max)
{
    char path[PATH_LEN];

    if (v == NULL || (*v >= min && *v <= max))
        return 0;
    yaml_check_path(path, sizeof(path), lpath, key);
    return yaml_check_fail(c, path, "'%s' is from %u to %u, not %u", key, min, max, *v);
}

static int check_params(struct yaml_check *c, const char *lp, const struct nfs_layer *l)
{
    int err = 0;

    err = err ?: range(c, lp, "ethertype", l->ethertype, 0x0600, 0xffff);
    err = err ?: range(c, lp, "addr_size", l->addr_size, 1, 8);
    err = err ?: range(c, lp, "eid_size", l->eid_size, 1, 8);
    err = err ?: range(c, lp, "max_ttl", l->max_ttl, 1, 255);
    err = err ?: range(c, lp, "ls_t_recalc", l->ls_t_recalc, 1, 86400);
    err = err ?: range(c, lp, "ls_t_update", l->ls_t_update, 1, 86400);
    err = err ?: range(c, lp, "ls_t_timeo", l->ls_t_timeo, 1, 86400);
    err = err ?: range(c, lp, "dht_alpha", l->dht_alpha, 1, 64);
    err = err ?: range(c, lp, "dht_k", l->dht_k, 1, 1024);
    err = err ?: range(c, lp, "dht_t_expire", l->dht_t_expire, 1, UINT32_MAX);
    err = err ?: range(c, lp, "dht_t_refresh", l->dht_t_refresh, 1, UINT32_MAX);
    err = err ?: range(c, lp, "dht_t_replicate", l->dht_t_replicate, 1, UINT32_MAX);
    return err;
}

/* A shim layer: on its link or segment, every end a member. */
static int check_shim(struct yaml_check *c, const struct netfile *nf, unsigned li,
                      const char *lp)
{
    const struct nfs_net *n = nf->net;
    const struct nfs_layer *l = &n->layers[li];
    char path[2 * PATH_LEN];

    if (l->type == IPCP_UDP4 || l->type == IPCP_UDP6) {
        const struct nfs_link *k = nfc_find_link(n, l->link);
        struct in6_addr a6;
        struct in_addr a4;

        if (l->link == NULL)
            return yaml_check_fail(c, lp, "%s layer '%s' needs 'link': the UDP link it runs on",
                                   nfc_type_name(l->type), l->name);
        yaml_check_path(path, sizeof(path), lp, "link");
        if (k == NULL)
            return yaml_check_fail(c, path, "unknown link '%s' (not in 'links')", l->link);
        if (k->ip != NULL && inet_pton(l->type == IPCP_UDP4 ? AF_INET : AF_INET6, k->ip,
                                       l->type == IPCP_UDP4 ? (void *)&a4 : (void *)&a6) != 1)
            return yaml_check_fail(c, path, "link '%s' has an %s address (%s) for a %s layer",
                                   k->name, l->type == IPCP_UDP4 ? "IPv6" : "IPv4", k->ip,
                                   nfc_type_name(l->type));
        for (unsigned j = 0; j < li; j++) {
            if (n->layers[j].link == NULL || strcmp(n->layers[j].link, l->link) != 0)
                continue;
            return yaml_check_fail(c, path,
                                   "link '%s' already carries layer '%s': a UDP link carries "
                                   "one layer (each end is one port)",
                                   l->link, n->layers[j].name);
        }
        return 0;
    }
    if (l->segment == NULL)
        return yaml_check_fail(c, lp,
                               "%s layer '%s' needs 'segment': the Ethernet segment it runs "
                               "on",
                               nfc_type_name(l->type), l->name);
    yaml_check_path(path, sizeof(path), lp, "segment");
    if (nfc_find_segment(n, l->segment) == NULL)
        return yaml_check_fail(c, path, "unknown segment '%s' (not in 'segments')", l->segment);
    return 0;
}

/* Is node in one of the lower layers of l? */
static bool over_has(const struct netfile *nf, const struct nfs_layer *l, const char *node)
{
    for (unsigned i = 0; i < l->over_count; i++) {
        const struct nfs_layer *o = netfile_layer(nf, l->over[i]);

        if (o != NULL && netfile_layer_has(nf, o, node))
            return true;
    }
    return false;
}

/* A unicast or broadcast layer: over earlier layers, a bootstrap node,
 * members that enroll with members before them, connections. */
static int check_normal(struct yaml_check *c, const struct netfile *nf, unsigned li,
                        const char *lp)
{
    const struct nfs_net *n = nf->net;
    const struct nfs_layer *l = &n->layers[li];
    char path[2 * PATH_LEN];
    int err;

    if (l->over_count == 0)
        return yaml_check_fail(c, lp,
                               "%s layer '%s' needs 'over': the layers its members reach one "
                               "another through",
                               nfc_type_name(l->type), l->name);
    for (unsigned i = 0; i < l->over_count; i++) {
        bool earlier = false;

        snprintf(path, sizeof(path), "%s.over.%u", lp, i);
        for (unsigned j = 0; j < li; j++)
            earlier = earlier || strcmp(n->layers[j].name, l->over[i]) == 0;
        if (!earlier && netfile_layer(nf, l->over[i]) != NULL)
            return yaml_check_fail(c, path,
                                   "layer '%s' runs over '%s', which must be declared before "
                                   "it",
                                   l->name, l->over[i]);
        if (!earlier)
            return yaml_check_fail(c, path, "unknown layer '%s' (not in 'layers')", l->over[i]);
        if (strcmp(l->over[i], l->name) == 0)
            return yaml_check_fail(c, path, "layer '%s' cannot run over itself", l->name);
    }
    if (l->bootstrap == NULL)
        return yaml_check_fail(c, lp,
                               "%s layer '%s' has no bootstrap node: give 'bootstrap', the "
                               "node that makes it",
                               nfc_type_name(l->type), l->name);
    yaml_check_path(path, sizeof(path), lp, "bootstrap");
    err = nfc_node_ref(c, nf, path, l->bootstrap, "'bootstrap'");
    if (err < 0)
        return err;
    if (!over_has(nf, l, l->bootstrap))
        return yaml_check_fail(c, path, "node '%s' is in none of the layers '%s' runs over",
                               l->bootstrap, l->name);
    for (unsigned i = 0; i < l->members_count; i++) {
        const struct nfs_member *m = &l->members[i];
        bool known = m->enroll == NULL || strcmp(m->enroll, l->bootstrap) == 0;

        snprintf(path, sizeof(path), "%s.members.%u.node", lp, i);
        err = nfc_node_ref(c, nf, path, m->node, "a layer's members");
        if (err < 0)
            return err;
        if (strcmp(m->node, l->bootstrap) == 0)
            return yaml_check_fail(c, path,
                                   "node '%s' bootstraps layer '%s': it is not also a member "
                                   "that enrolls",
                                   m->node, l->name);
        for (unsigned j = 0; j < i; j++) {
            if (strcmp(l->members[j].node, m->node) == 0)
                return yaml_check_fail(c, path, "node '%s' is a member of '%s' twice", m->node,
                                       l->name);
            known = known || (m->enroll != NULL && strcmp(l->members[j].node, m->enroll) == 0);
        }
        if (!over_has(nf, l, m->node))
            return yaml_check_fail(c, path, "node '%s' is in none of the layers '%s' runs over",
                                   m->node, l->name);
        snprintf(path, sizeof(path), "%s.members.%u.enroll", lp, i);
        if (!known)
            return yaml_check_fail(c, path,
                                   "'%s' enrolls with '%s', which is not the bootstrap node "
                                   "or a member before it",
                                   m->node, m->enroll);
    }
    for (unsigned i = 0; i < l->connect_count; i++) {
        const struct nfs_conn *k = &l->connect[i];

        snprintf(path, sizeof(path), "%s.connect.%u.from", lp, i);
        if (!netfile_layer_has(nf, l, k->from))
            return yaml_check_fail(c, path, "node '%s' is not a member of layer '%s'", k->from,
                                   l->name);
        snprintf(path, sizeof(path), "%s.connect.%u.to", lp, i);
        if (!netfile_layer_has(nf, l, k->to))
            return yaml_check_fail(c, path, "node '%s' is not a member of layer '%s'", k->to,
                                   l->name);
        if (strcmp(k->from, k->to) == 0)
            return yaml_check_fail(c, path, "a node does not connect to itself");
    }
    return 0;
}

static int check_registrations(struct yaml_check *c, const struct netfile *nf, unsigned li,
                               const char *lp)
{
    const struct nfs_layer *l = &nf->net->layers[li];
    char path[2 * PATH_LEN];
    int err;

    for (unsigned i = 0; i < l->reg_count; i++) {
        const struct nfs_reg *r = &l->reg[i];

        snprintf(path, sizeof(path), "%s.register.%u.node", lp, i);
        err = nfc_node_ref(c, nf, path, r->node, "'register'");
        if (err < 0)
            return err;
        if (!netfile_layer_has(nf, l, r->node))
            return yaml_check_fail(c, path, "node '%s' is not a member of layer '%s'", r->node,
                                   l->name);
        for (unsigned j = 0; j < r->names_count; j++) {
            snprintf(path, sizeof(path), "%s.register.%u.names.%u", lp, i, j);
            for (unsigned a = 0; a <= i; a++) {
                for (unsigned b = 0; b < (a == i ? j : l->reg[a].names_count); b++) {
                    if (strcmp(l->reg[a].names[b], r->names[j]) != 0)
                        continue;
                    return yaml_check_fail(c, path,
                                           "name '%s' is registered twice in layer '%s' "
                                           "(on '%s' and '%s')",
                                           r->names[j], l->name, l->reg[a].node, r->node);
                }
            }
        }
    }
    return 0;
}

unsigned netfile_node_ipcps(const struct netfile *nf, const char *node)
{
    unsigned n = 0;

    assert(nf && node);

    for (unsigned i = 0; i < nf->net->layers_count; i++)
        n += netfile_layer_has(nf, &nf->net->layers[i], node);
    return n;
}

/* How many names the peers map of node's IPCP in UDP layer l holds. */
static unsigned peer_count(const struct netfile *nf, const struct nfs_layer *l,
                           const char *node)
{
    unsigned n = 0;

    for (unsigned i = 0; i < l->reg_count; i++)
        if (strcmp(l->reg[i].node, node) != 0)
            n += l->reg[i].names_count;
    for (unsigned i = 0; i < nf->net->layers_count; i++) {
        const struct nfs_layer *u = &nf->net->layers[i];
        bool over = false;

        for (unsigned j = 0; j < u->over_count; j++)
            over = over || strcmp(u->over[j], l->name) == 0;
        for (unsigned j = 0; over && j < nf->net->nodes_count; j++) {
            const char *m = nf->net->nodes[j].name;

            n += strcmp(m, node) != 0 && netfile_layer_has(nf, u, m) &&
                 netfile_layer_has(nf, l, m);
        }
    }
    return n;
}

int nfc_check_layers(struct yaml_check *c, struct netfile *nf)
{
    const struct nfs_net *n = nf->net;
    int err;

    err = nfc_unique(c, "layers", "layer", n->layers, sizeof(n->layers[0]), n->layers_count);
    for (unsigned i = 0; err == 0 && i < n->layers_count; i++) {
        const struct nfs_layer *l = &n->layers[i];
        char lp[PATH_LEN];

        snprintf(lp, sizeof(lp), "layers.%u", i);
        err = check_layer_keys(c, lp, l);
        err = err ?: check_params(c, lp, l);
        if (err == 0 && (T((unsigned)l->type) & T_NORMAL))
            err = check_normal(c, nf, i, lp);
        else if (err == 0)
            err = check_shim(c, nf, i, lp);
        err = err ?: check_registrations(c, nf, i, lp);
    }
    for (unsigned i = 0; err == 0 && i < n->layers_count; i++) {
        const struct nfs_layer *l = &n->layers[i];

        if (l->type != IPCP_UDP4 && l->type != IPCP_UDP6)
            continue;
        for (unsigned j = 0; err == 0 && j < n->nodes_count; j++) {
            char lp[PATH_LEN];
            unsigned p;

            if (!netfile_layer_has(nf, l, n->nodes[j].name))
                continue;
            p = peer_count(nf, l, n->nodes[j].name);
            if (p <= UDP_PEERS_MAX)
                continue;
            snprintf(lp, sizeof(lp), "layers.%u.name", i);
            err = yaml_check_fail(c, lp,
                                  "node '%s' would reach %u names of other nodes through "
                                  "layer '%s': a UDP IPCP knows at most %d",
                                  n->nodes[j].name, p, l->name, UDP_PEERS_MAX);
        }
    }
    return err;
}
