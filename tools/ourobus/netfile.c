/*
 * netfile.c - load the network file: libcyaml for the structure
 * (yaml_schema.h), then what a schema cannot say: names declared twice,
 * nodes, links, segments and layers that do not exist, ports used twice,
 * layers without the link or the bootstrap node they need; each error at
 * its line and column.
 */
#include "netfile.h"

#include "netfile_schema.h"
#include "node_config.h"
#include "run_folder.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <ourobus/irm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LEN YAML_CHECK_PATH_LEN
#define T(x)     (1u << (x))
#define T_UDP    (T(IPCP_UDP4) | T(IPCP_UDP6))
#define T_ETH    (T(IPCP_ETH_LLC) | T(IPCP_ETH_DIX))
#define T_NORMAL (T(IPCP_UNICAST) | T(IPCP_BROADCAST))

static const char *type_name(int t)
{
    return irm_word_name(nfs_layer_types, t);
}

/* "<what> '<name>' is declared twice (first at line N)" when an entry of
 * list (n structs of stride bytes, each starting with its char *name)
 * repeats an earlier one's name. */
static int unique(struct yaml_check *c, const char *list, const char *what, const void *base,
                  size_t stride, unsigned n)
{
    const char *key = "name";

    for (unsigned i = 0; i < n; i++) {
        const char *a = *(char *const *)((const char *)base + i * stride);

        for (unsigned j = 0; j < i; j++) {
            const char *b = *(char *const *)((const char *)base + j * stride);
            char path[PATH_LEN];
            unsigned first;

            if (strcmp(a, b) != 0)
                continue;
            snprintf(path, sizeof(path), "%s.%u.%s", list, j, key);
            first = yaml_doc_where(&c->doc, path).line;
            snprintf(path, sizeof(path), "%s.%u.%s", list, i, key);
            return yaml_check_fail(c, path, "%s '%s' is declared twice (first at line %u)",
                                   what, a, first);
        }
    }
    return 0;
}

int netfile_node(const struct netfile *nf, const char *name)
{
    for (unsigned i = 0; i < nf->net->nodes_count; i++)
        if (strcmp(nf->net->nodes[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct nfs_layer *netfile_layer(const struct netfile *nf, const char *name)
{
    for (unsigned i = 0; i < nf->net->layers_count; i++)
        if (strcmp(nf->net->layers[i].name, name) == 0)
            return &nf->net->layers[i];
    return NULL;
}

static const struct nfs_link *find_link(const struct nfs_net *n, const char *name)
{
    for (unsigned i = 0; name != NULL && i < n->links_count; i++)
        if (strcmp(n->links[i].name, name) == 0)
            return &n->links[i];
    return NULL;
}

static const struct nfs_segment *find_segment(const struct nfs_net *n, const char *name)
{
    for (unsigned i = 0; name != NULL && i < n->segments_count; i++)
        if (strcmp(n->segments[i].name, name) == 0)
            return &n->segments[i];
    return NULL;
}

bool netfile_layer_has(const struct netfile *nf, const struct nfs_layer *l, const char *node)
{
    const struct nfs_link *k = find_link(nf->net, l->link);
    const struct nfs_segment *s = find_segment(nf->net, l->segment);

    if (k != NULL) {
        for (unsigned i = 0; i < k->nodes_count; i++)
            if (strcmp(k->nodes[i].node, node) == 0)
                return true;
        return false;
    }
    if (s != NULL) {
        for (unsigned i = 0; i < s->nodes_count; i++)
            if (strcmp(s->nodes[i], node) == 0)
                return true;
        return false;
    }
    if (l->bootstrap != NULL && strcmp(l->bootstrap, node) == 0)
        return true;
    for (unsigned i = 0; i < l->members_count; i++)
        if (strcmp(l->members[i].node, node) == 0)
            return true;
    return false;
}

/* A node reference at path must name a node of the file. */
static int node_ref(struct yaml_check *c, const struct netfile *nf, const char *path,
                    const char *node, const char *what)
{
    if (netfile_node(nf, node) >= 0)
        return 0;
    return yaml_check_fail(c, path, "unknown node '%s' in %s (not in 'nodes')", node, what);
}

/* ---- the network -------------------------------------------------------- */

static int check_addresses(struct yaml_check *c, struct netfile *nf)
{
    const char *a = nf->net->addresses ? nf->net->addresses : "10.99.0.0/16";
    char ip[32];
    unsigned p;
    char end;
    struct in_addr in;
    uint32_t h;

    if (sscanf(a, "%31[0-9.]/%u%c", ip, &p, &end) != 2 || inet_pton(AF_INET, ip, &in) != 1)
        return yaml_check_fail(
            c, "addresses", "'addresses' is an IPv4 range such as 10.99.0.0/16, not '%s'", a);
    h = ntohl(in.s_addr);
    if (p < 8 || p > 16)
        return yaml_check_fail(c, "addresses",
                               "'addresses' is a /8 to a /16 (each link and segment takes a "
                               "/24 of it), not a /%u",
                               p);
    if ((h & ~(0xffffffffu << (32 - p))) != 0)
        return yaml_check_fail(c, "addresses",
                               "'%s' has bits set after its /%u: the range starts at its "
                               "first address",
                               a, p);
    if (!((h >> 24) == 10 || (h >> 20) == (172u << 4 | 1) || (h >> 16) == (192u << 8 | 168)))
        return yaml_check_fail(c, "addresses",
                               "'addresses' is a private range (in 10.0.0.0/8, 172.16.0.0/12 "
                               "or 192.168.0.0/16), not '%s'",
                               a);
    nf->base = h;
    nf->prefix = p;
    if (nf->net->links_count + nf->net->segments_count >= (1u << (24 - p)))
        return yaml_check_fail(
            c, "addresses", "'%s' has room for %u links and segments, not %u", a,
            (1u << (24 - p)) - 1, nf->net->links_count + nf->net->segments_count);
    return 0;
}

static int check_nodes(struct yaml_check *c, struct netfile *nf)
{
    const struct nfs_net *n = nf->net;

    if (n->network != NULL && run_folder_name_check(n->network, NFS_NETWORK_MAX) < 0)
        return yaml_check_fail(
            c, "network", "'network' is 1 to %d letters, digits, '_', '.' or '-', not '%s'",
            NFS_NETWORK_MAX, n->network);
    for (unsigned i = 0; i < n->nodes_count; i++) {
        const struct nfs_node *d = &n->nodes[i];
        char path[PATH_LEN];

        snprintf(path, sizeof(path), "nodes.%u.name", i);
        if (node_name_check(d->name) < 0)
            return yaml_check_fail(c, path,
                                   "a node's name is 1 to %d letters, digits, '_', '.' or "
                                   "'-' (not first), not '%s'",
                                   NODE_NAME_MAX, d->name);
        for (unsigned j = 0; j < d->programs_count; j++) {
            const struct nfs_program *p = &d->programs[j];

            snprintf(path, sizeof(path), "nodes.%u.programs.%u", i, j);
            if (p->auto_start != NULL && *p->auto_start && p->bind_count == 0)
                return yaml_check_fail_key(c, path, "auto",
                                           "an 'auto' program is started by the node on a "
                                           "flow for one of its names: give it 'bind'");
            for (unsigned k = 0; k < p->bind_count; k++) {
                for (unsigned m = 0; m < k; m++) {
                    if (strcmp(p->bind[k], p->bind[m]) != 0)
                        continue;
                    snprintf(path, sizeof(path), "nodes.%u.programs.%u.bind.%u", i, j, k);
                    return yaml_check_fail(c, path, "name '%s' is bound twice", p->bind[k]);
                }
            }
        }
    }
    return unique(c, "nodes", "node", n->nodes, sizeof(n->nodes[0]), n->nodes_count);
}

static int check_links(struct yaml_check *c, struct netfile *nf)
{
    const struct nfs_net *n = nf->net;
    int err;

    for (unsigned i = 0; i < n->links_count; i++) {
        const struct nfs_link *k = &n->links[i];
        char path[PATH_LEN];
        struct in6_addr a6;
        struct in_addr a4;

        snprintf(path, sizeof(path), "links.%u.ip", i);
        if (k->ip != NULL && inet_pton(AF_INET, k->ip, &a4) != 1 &&
            inet_pton(AF_INET6, k->ip, &a6) != 1)
            return yaml_check_fail(c, path, "'ip' is an IPv4 or IPv6 address, not '%s'", k->ip);
        for (unsigned j = 0; j < k->nodes_count; j++) {
            const struct nfs_link_end *e = &k->nodes[j];

            snprintf(path, sizeof(path), "links.%u.nodes.%u.node", i, j);
            err = node_ref(c, nf, path, e->node, "a link");
            if (err < 0)
                return err;
            for (unsigned m = 0; m < j; m++)
                if (strcmp(k->nodes[m].node, e->node) == 0)
                    return yaml_check_fail(c, path, "node '%s' is on link '%s' twice", e->node,
                                           k->name);
            snprintf(path, sizeof(path), "links.%u.nodes.%u.port", i, j);
            if (e->port == 0 || e->port > 65535)
                return yaml_check_fail(c, path, "'port' is from 1 to 65535, not %u", e->port);
            /* Every end binds a port of this host (or of its namespace): one
             * port, one end, so that the file works both ways. */
            for (unsigned a = 0; a <= i; a++) {
                for (unsigned b = 0; b < (a == i ? j : n->links[a].nodes_count); b++) {
                    char first[PATH_LEN];

                    if (n->links[a].nodes[b].port != e->port)
                        continue;
                    snprintf(first, sizeof(first), "links.%u.nodes.%u.port", a, b);
                    return yaml_check_fail(c, path,
                                           "port %u is already taken by node '%s' on link "
                                           "'%s' (line %u)",
                                           e->port, n->links[a].nodes[b].node, n->links[a].name,
                                           yaml_doc_where(&c->doc, first).line);
                }
            }
        }
    }
    return unique(c, "links", "link", n->links, sizeof(n->links[0]), n->links_count);
}

static int check_segments(struct yaml_check *c, struct netfile *nf)
{
    const struct nfs_net *n = nf->net;
    int err;

    for (unsigned i = 0; i < n->segments_count; i++) {
        const struct nfs_segment *s = &n->segments[i];
        char path[PATH_LEN];

        snprintf(path, sizeof(path), "segments.%u.dev", i);
        if (s->dev != NULL && strlen(s->dev) > DEV_NAME_SIZE)
            return yaml_check_fail(
                c, path, "'dev' is an interface name of at most %d characters", DEV_NAME_SIZE);
        for (unsigned j = 0; j < s->nodes_count; j++) {
            snprintf(path, sizeof(path), "segments.%u.nodes.%u", i, j);
            err = node_ref(c, nf, path, s->nodes[j], "a segment");
            if (err < 0)
                return err;
            for (unsigned m = 0; m < j; m++)
                if (strcmp(s->nodes[m], s->nodes[j]) == 0)
                    return yaml_check_fail(c, path, "node '%s' is on segment '%s' twice",
                                           s->nodes[j], s->name);
        }
    }
    return unique(c, "segments", "segment", n->segments, sizeof(n->segments[0]),
                  n->segments_count);
}

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
                                       type_name(l->type), l->name);
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
        const struct nfs_link *k = find_link(n, l->link);
        struct in6_addr a6;
        struct in_addr a4;

        if (l->link == NULL)
            return yaml_check_fail(c, lp, "%s layer '%s' needs 'link': the UDP link it runs on",
                                   type_name(l->type), l->name);
        yaml_check_path(path, sizeof(path), lp, "link");
        if (k == NULL)
            return yaml_check_fail(c, path, "unknown link '%s' (not in 'links')", l->link);
        if (k->ip != NULL && inet_pton(l->type == IPCP_UDP4 ? AF_INET : AF_INET6, k->ip,
                                       l->type == IPCP_UDP4 ? (void *)&a4 : (void *)&a6) != 1)
            return yaml_check_fail(c, path, "link '%s' has an %s address (%s) for a %s layer",
                                   k->name, l->type == IPCP_UDP4 ? "IPv6" : "IPv4", k->ip,
                                   type_name(l->type));
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
                               type_name(l->type), l->name);
    yaml_check_path(path, sizeof(path), lp, "segment");
    if (find_segment(n, l->segment) == NULL)
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
                               type_name(l->type), l->name);
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
                               type_name(l->type), l->name);
    yaml_check_path(path, sizeof(path), lp, "bootstrap");
    err = node_ref(c, nf, path, l->bootstrap, "'bootstrap'");
    if (err < 0)
        return err;
    if (!over_has(nf, l, l->bootstrap))
        return yaml_check_fail(c, path, "node '%s' is in none of the layers '%s' runs over",
                               l->bootstrap, l->name);
    for (unsigned i = 0; i < l->members_count; i++) {
        const struct nfs_member *m = &l->members[i];
        bool known = m->enroll == NULL || strcmp(m->enroll, l->bootstrap) == 0;

        snprintf(path, sizeof(path), "%s.members.%u.node", lp, i);
        err = node_ref(c, nf, path, m->node, "a layer's members");
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
        err = node_ref(c, nf, path, r->node, "'register'");
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

static int check_layers(struct yaml_check *c, struct netfile *nf)
{
    const struct nfs_net *n = nf->net;
    int err;

    err = unique(c, "layers", "layer", n->layers, sizeof(n->layers[0]), n->layers_count);
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

/* ---- the node files ----------------------------------------------------- */

/* Each node's node file, as up would write it, must be one the node file's
 * own loader takes: what only it checks (pool sizes, ...) is reported at
 * the node. */
static int check_node_files(struct yaml_check *c, const struct netfile *nf)
{
    for (unsigned i = 0; i < nf->net->nodes_count; i++) {
        const struct nfs_node *d = &nf->net->nodes[i];
        char progs[NETFILE_ARGS_MAX][NFS_PATH_MAX + 2];
        const char *paths[NETFILE_ARGS_MAX];
        char err[NODE_CONFIG_ERR_MAX] = "";
        struct node_config *cfg = NULL;
        char path[PATH_LEN];
        const char *why;
        char *text;
        int r;

        for (unsigned j = 0; j < d->programs_count; j++) {
            snprintf(progs[j], sizeof(progs[j]), "%s%s",
                     d->programs[j].path[0] == '/' ? "" : "/", d->programs[j].path);
            paths[j] = progs[j];
        }
        text = netfile_node_file(nf, NETFILE_NETNS, d->name, paths);
        if (text == NULL)
            return -ENOMEM;
        r = node_config_load_data("node", text, strlen(text), &cfg, err, sizeof(err));
        free(text);
        node_config_destroy(&cfg);
        if (r == -ENOMEM)
            return r;
        if (r == 0)
            continue;
        /* "node:LINE:COL: why" is about the written file: drop its place */
        why = err;
        for (int k = 0; k < 3 && strchr(why, ':') != NULL; k++)
            why = strchr(why, ':') + 1;
        while (*why == ' ')
            why++;
        snprintf(path, sizeof(path), "nodes.%u%s", i,
                 d->pool != NULL && strstr(why, "size") != NULL ? ".pool" : ".name");
        return yaml_check_fail(c, path, "node '%s': %s", d->name, why);
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------ */

void netfile_destroy(struct netfile **p)
{
    if (p == NULL || *p == NULL)
        return;
    yaml_schema_free(&nfs_schema, (*p)->net);
    free((*p)->path);
    free(*p);
    *p = NULL;
}

int netfile_load_data(const char *fname, const void *data, size_t size, struct netfile **out,
                      char *err, size_t len)
{
    struct yaml_check c = {.fname = fname, .err = err, .len = len};
    struct netfile *nf;
    struct yaml_pos pos = {1, 1};
    char why[NETFILE_ERR_MAX];
    int r;

    assert(fname && out && err && len > 0);
    assert(data || size == 0);

    *out = NULL;
    err[0] = '\0';
    if (size > NETFILE_FILE_MAX) {
        snprintf(err, len, "%s: the file is bigger than %u bytes", fname, NETFILE_FILE_MAX);
        return -EFBIG;
    }
    nf = calloc(1, sizeof(*nf));
    if (nf == NULL || (nf->path = strdup(fname)) == NULL) {
        free(nf);
        snprintf(err, len, "%s: out of memory", fname);
        return -ENOMEM;
    }
    r = yaml_doc_load(&c.doc, data, size, &pos, why, sizeof(why));
    if (r == 0 && yaml_doc_node(&c.doc, "") == NULL) {
        snprintf(why, sizeof(why), "the network file is empty: it needs 'nodes'");
        r = -EINVAL;
    }
    if (r == 0)
        r = yaml_schema_load(&nfs_schema, &c.doc, data, size, (void **)&nf->net, &pos, why,
                             sizeof(why));
    if (r < 0) {
        if (r == -EINVAL)
            snprintf(err, len, "%s:%u:%u: %s", fname, pos.line, pos.col, why);
        goto fail;
    }
    r = check_nodes(&c, nf);
    r = r ?: check_links(&c, nf);
    r = r ?: check_segments(&c, nf);
    r = r ?: check_addresses(&c, nf);
    r = r ?: check_layers(&c, nf);
    r = r ?: check_node_files(&c, nf);
    if (r < 0)
        goto fail;
    yaml_doc_free(&c.doc);
    *out = nf;
    return 0;
fail:
    if (r == -ENOMEM)
        snprintf(err, len, "%s: out of memory", fname);
    yaml_doc_free(&c.doc);
    netfile_destroy(&nf);
    return r;
}

int netfile_load_file(const char *path, struct netfile **out, char *err, size_t len)
{
    char *data;
    size_t n;
    int r;

    assert(path && out && err && len > 0);

    *out = NULL;
    r = yaml_file_read(path, NETFILE_FILE_MAX, &data, &n, err, len);
    if (r < 0)
        return r;
    r = netfile_load_data(path, data, n, out, err, len);
    free(data);
    return r;
}
