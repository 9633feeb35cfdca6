/*
 * netfile.c - load the network file: libcyaml for the structure
 * (yaml_schema.h), then what a schema cannot say: names declared twice,
 * nodes, links, segments and layers that do not exist, ports used twice,
 * layers without the link or the bootstrap node they need; each error at
 * its line and column. The layers are checked in netfile_layer.c.
 */
#include "netfile.h"

#include "netfile_check.h"
#include "netfile_schema.h"
#include "node_config.h"
#include "run_folder.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <ourobus/irm.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nfc_type_name(int t)
{
    return irm_word_name(nfs_layer_types, t);
}

/* "<what> '<name>' is declared twice (first at line N)" when an entry of
 * list (n structs of stride bytes, each starting with its char *name)
 * repeats an earlier one's name. */
/* nfc_unique reads each entry's name at its start */
_Static_assert(offsetof(struct nfs_node, name) == 0, "a node starts with its name");
_Static_assert(offsetof(struct nfs_link, name) == 0, "a link starts with its name");
_Static_assert(offsetof(struct nfs_segment, name) == 0, "a segment starts with its name");
_Static_assert(offsetof(struct nfs_layer, name) == 0, "a layer starts with its name");

int nfc_unique(struct yaml_check *c, const char *list, const char *what, const void *base,
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
    assert(nf && name);

    for (unsigned i = 0; i < nf->net->nodes_count; i++)
        if (strcmp(nf->net->nodes[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct nfs_layer *netfile_layer(const struct netfile *nf, const char *name)
{
    assert(nf && name);

    for (unsigned i = 0; i < nf->net->layers_count; i++)
        if (strcmp(nf->net->layers[i].name, name) == 0)
            return &nf->net->layers[i];
    return NULL;
}

const struct nfs_link *nfc_find_link(const struct nfs_net *n, const char *name)
{
    for (unsigned i = 0; name != NULL && i < n->links_count; i++)
        if (strcmp(n->links[i].name, name) == 0)
            return &n->links[i];
    return NULL;
}

const struct nfs_segment *nfc_find_segment(const struct nfs_net *n, const char *name)
{
    for (unsigned i = 0; name != NULL && i < n->segments_count; i++)
        if (strcmp(n->segments[i].name, name) == 0)
            return &n->segments[i];
    return NULL;
}

bool netfile_layer_has(const struct netfile *nf, const struct nfs_layer *l, const char *node)
{
    const struct nfs_link *k = nfc_find_link(nf->net, l->link);
    const struct nfs_segment *s = nfc_find_segment(nf->net, l->segment);

    assert(nf && l && node);

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
int nfc_node_ref(struct yaml_check *c, const struct netfile *nf, const char *path,
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
    return nfc_unique(c, "nodes", "node", n->nodes, sizeof(n->nodes[0]), n->nodes_count);
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
            err = nfc_node_ref(c, nf, path, e->node, "a link");
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
    return nfc_unique(c, "links", "link", n->links, sizeof(n->links[0]), n->links_count);
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
            err = nfc_node_ref(c, nf, path, s->nodes[j], "a segment");
            if (err < 0)
                return err;
            for (unsigned m = 0; m < j; m++)
                if (strcmp(s->nodes[m], s->nodes[j]) == 0)
                    return yaml_check_fail(c, path, "node '%s' is on segment '%s' twice",
                                           s->nodes[j], s->name);
        }
    }
    return nfc_unique(c, "segments", "segment", n->segments, sizeof(n->segments[0]),
                      n->segments_count);
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
    r = r ?: nfc_check_layers(&c, nf);
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
