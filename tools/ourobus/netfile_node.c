/*
 * netfile_node.c - what the network file means for one node: the addresses
 * of its ends of links, the names of its IPCPs, and its node file for
 * ourobus-irmd --config (docs/node-file.md), peers map included.
 */
#include "netfile.h"

#include "netfile_schema.h"

#include <assert.h>
#include <ourobus/irm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_udp6(const struct netfile *nf, unsigned li)
{
    for (unsigned i = 0; i < nf->net->layers_count; i++) {
        const struct nfs_layer *l = &nf->net->layers[i];

        if (l->link != NULL && strcmp(l->link, nf->net->links[li].name) == 0)
            return l->type == IPCP_UDP6;
    }
    return nf->net->links[li].ip != NULL && strchr(nf->net->links[li].ip, ':') != NULL;
}

void netfile_link_ip(const struct netfile *nf, enum netfile_mode mode, unsigned li,
                     const char *node, char *buf, size_t len)
{
    const struct nfs_link *k = &nf->net->links[li];
    unsigned j = 0;
    uint32_t a;

    assert(li < nf->net->links_count);

    while (j < k->nodes_count && strcmp(k->nodes[j].node, node) != 0)
        j++;
    if (mode == NETFILE_PROCESSES) {
        snprintf(buf, len, "%s", k->ip ? k->ip : is_udp6(nf, li) ? "::1" : "127.0.0.1");
        return;
    }
    if (is_udp6(nf, li)) {
        snprintf(buf, len, "fd99:%x::%x", li + 1, j + 1);
        return;
    }
    /* link li takes the (li + 1)th /24 of the range, its ends from .1 */
    a = nf->base + ((li + 1) << 8) + j + 1;
    snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

void netfile_ipcp_name(const struct nfs_layer *l, const char *node, char *buf, size_t len)
{
    assert(l && node && buf);

    snprintf(buf, len, "%s.%s", l->name, node);
}

void netfile_segment_dev(const struct netfile *nf, enum netfile_mode mode, unsigned si,
                         char *buf, size_t len)
{
    assert(si < nf->net->segments_count);

    if (mode == NETFILE_NETNS)
        snprintf(buf, len, "s%u", si);
    else
        snprintf(buf, len, "%s", nf->net->segments[si].dev ? nf->net->segments[si].dev : "");
}

/* A YAML double-quoted scalar. */
static void quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\x%02x", (unsigned char)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static int link_index(const struct netfile *nf, const char *name)
{
    for (unsigned i = 0; i < nf->net->links_count; i++)
        if (strcmp(nf->net->links[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int segment_index(const struct netfile *nf, const char *name)
{
    for (unsigned i = 0; i < nf->net->segments_count; i++)
        if (strcmp(nf->net->segments[i].name, name) == 0)
            return (int)i;
    return -1;
}

static uint32_t link_port(const struct nfs_link *k, const char *node)
{
    for (unsigned j = 0; j < k->nodes_count; j++)
        if (strcmp(k->nodes[j].node, node) == 0)
            return k->nodes[j].port;
    return 0;
}

/* The names a member registers in layer l: its own, and the IPCP names of
 * the upper layers it is in that run over l (so that their members can
 * enroll and connect through l). each(name) for every one. */
static void names_in(const struct netfile *nf, const struct nfs_layer *l, const char *node,
                     void (*each)(void *, const char *), void *arg)
{
    char ipcp[2 * NAME_SIZE + 2];

    for (unsigned i = 0; i < l->reg_count; i++)
        for (unsigned j = 0; strcmp(l->reg[i].node, node) == 0 && j < l->reg[i].names_count;
             j++)
            each(arg, l->reg[i].names[j]);
    for (unsigned i = 0; i < nf->net->layers_count; i++) {
        const struct nfs_layer *u = &nf->net->layers[i];

        for (unsigned j = 0; j < u->over_count; j++) {
            if (strcmp(u->over[j], l->name) != 0 || !netfile_layer_has(nf, u, node))
                continue;
            netfile_ipcp_name(u, node, ipcp, sizeof(ipcp));
            each(arg, ipcp);
        }
    }
}

static void list_item(void *arg, const char *name)
{
    FILE *f = arg;

    fputs("\n      - ", f);
    quoted(f, name);
}

struct peer_ctx {
    FILE *f;
    const char *ip;
    uint32_t port;
};

static void peer_item(void *arg, const char *name)
{
    struct peer_ctx *p = arg;

    fputs("\n      - {name: ", p->f);
    quoted(p->f, name);
    fprintf(p->f, ", ip: \"%s\", port: %u}", p->ip, p->port);
}

static void count_item(void *arg, const char *name)
{
    (void)name;
    (*(unsigned *)arg)++;
}

static void write_udp(FILE *f, const struct netfile *nf, enum netfile_mode mode,
                      const struct nfs_layer *l, const char *node)
{
    int li = link_index(nf, l->link);
    const struct nfs_link *k = &nf->net->links[li];
    char ip[64];
    unsigned n = 0;

    netfile_link_ip(nf, mode, (unsigned)li, node, ip, sizeof(ip));
    fprintf(f, "    bootstrap: true\n    ip: \"%s\"\n    port: %u\n", ip, link_port(k, node));
    for (unsigned j = 0; j < k->nodes_count; j++)
        if (strcmp(k->nodes[j].node, node) != 0)
            names_in(nf, l, k->nodes[j].node, count_item, &n);
    if (n == 0)
        return;
    fputs("    peers:", f);
    for (unsigned j = 0; j < k->nodes_count; j++) {
        struct peer_ctx p = {f, ip, k->nodes[j].port};

        if (strcmp(k->nodes[j].node, node) == 0)
            continue;
        netfile_link_ip(nf, mode, (unsigned)li, k->nodes[j].node, ip, sizeof(ip));
        names_in(nf, l, k->nodes[j].node, peer_item, &p);
    }
    fputc('\n', f);
}

static void write_eth(FILE *f, const struct netfile *nf, enum netfile_mode mode,
                      const struct nfs_layer *l)
{
    char dev[64];

    netfile_segment_dev(nf, mode, (unsigned)segment_index(nf, l->segment), dev, sizeof(dev));
    fputs("    bootstrap: true\n    dev: ", f);
    quoted(f, dev);
    fputc('\n', f);
    if (l->ethertype != NULL)
        fprintf(f, "    ethertype: 0x%04x\n", *l->ethertype);
}

static void write_params(FILE *f, const struct nfs_layer *l)
{
    static const struct {
        const char *key;
        size_t off;
    } u32[] = {
#define U(k) {#k, offsetof(struct nfs_layer, k)}
        U(addr_size),    U(eid_size),      U(max_ttl),         U(ls_t_recalc),
        U(ls_t_update),  U(ls_t_timeo),    U(dht_alpha),       U(dht_k),
        U(dht_t_expire), U(dht_t_refresh), U(dht_t_replicate),
#undef U
    };

    if (l->hash != NULL)
        fprintf(f, "    hash: %s\n", irm_word_name(irm_words_hash, *l->hash));
    if (l->routing != NULL)
        fprintf(f, "    routing: %s\n", irm_word_name(irm_words_routing, *l->routing));
    if (l->congestion != NULL)
        fprintf(f, "    congestion: %s\n", irm_word_name(irm_words_cong, *l->congestion));
    if (l->addr_auth != NULL)
        fprintf(f, "    addr_auth: %s\n", irm_word_name(irm_words_addr_auth, *l->addr_auth));
    if (l->directory != NULL)
        fputs("    directory: DHT\n", f);
    for (size_t i = 0; i < sizeof(u32) / sizeof(u32[0]); i++) {
        const uint32_t *v = *(uint32_t *const *)((const char *)l + u32[i].off);

        if (v != NULL)
            fprintf(f, "    %s: %u\n", u32[i].key, *v);
    }
}

static void write_normal(FILE *f, const struct nfs_layer *l, const char *node)
{
    char name[2 * NAME_SIZE + 2];
    bool any = false;

    if (strcmp(l->bootstrap, node) == 0) {
        fputs("    bootstrap: true\n", f);
        write_params(f, l);
    } else {
        for (unsigned i = 0; i < l->members_count; i++) {
            if (strcmp(l->members[i].node, node) != 0)
                continue;
            netfile_ipcp_name(l, l->members[i].enroll ? l->members[i].enroll : l->bootstrap,
                              name, sizeof(name));
            fputs("    enroll: ", f);
            quoted(f, name);
            fputc('\n', f);
        }
    }
    fputs("    autobind: true\n", f);
    for (unsigned i = 0; i < l->connect_count; i++) {
        const struct nfs_conn *k = &l->connect[i];

        if (strcmp(k->from, node) != 0)
            continue;
        if (!any)
            fputs("    connect:\n", f);
        any = true;
        netfile_ipcp_name(l, k->to, name, sizeof(name));
        fputs("      - {dst: ", f);
        quoted(f, name);
        if (k->component != NULL)
            fprintf(f, ", component: %s", irm_word_name(irm_words_component, *k->component));
        if (k->qos != NULL)
            fprintf(f, ", qos: %s", irm_word_name(irm_words_qos, *k->qos));
        fputs("}\n", f);
    }
}

static void write_names(FILE *f, const struct nfs_node *d, const char *const *prog_paths)
{
    bool any = false;

    /* One entry per name, with every program bound to it. */
    for (unsigned i = 0; i < d->programs_count; i++) {
        for (unsigned j = 0; j < d->programs[i].bind_count; j++) {
            const char *name = d->programs[i].bind[j];
            bool seen = false;

            for (unsigned a = 0; a <= i && !seen; a++)
                for (unsigned b = 0; b < (a == i ? j : d->programs[a].bind_count); b++)
                    seen = seen || strcmp(d->programs[a].bind[b], name) == 0;
            if (seen)
                continue;
            if (!any)
                fputs("names:\n", f);
            any = true;
            fputs("  - name: ", f);
            quoted(f, name);
            fputs("\n    programs:\n", f);
            for (unsigned a = i; a < d->programs_count; a++) {
                const struct nfs_program *p = &d->programs[a];
                bool bound = false;

                for (unsigned b = 0; b < p->bind_count; b++)
                    bound = bound || strcmp(p->bind[b], name) == 0;
                if (!bound)
                    continue;
                fputs("      - path: ", f);
                quoted(f, prog_paths[a]);
                fputc('\n', f);
                if (p->auto_start == NULL || !*p->auto_start)
                    continue;
                fputs("        auto: true\n", f);
                if (p->args_count == 0)
                    continue;
                fputs("        args: [", f);
                for (unsigned b = 0; b < p->args_count; b++) {
                    if (b > 0)
                        fputs(", ", f);
                    quoted(f, p->args[b]);
                }
                fputs("]\n", f);
            }
        }
    }
}

char *netfile_node_file(const struct netfile *nf, enum netfile_mode mode, const char *node,
                        const char *const *prog_paths)
{
    int ni = netfile_node(nf, node);
    const struct nfs_node *d;
    char name[2 * NAME_SIZE + 2];
    char *text = NULL;
    size_t size = 0;
    bool any = false;
    FILE *f;

    assert(nf && node && ni >= 0);

    d = &nf->net->nodes[ni];
    f = open_memstream(&text, &size);
    if (f == NULL)
        return NULL;
    fprintf(f, "# The node file of node %s, written by ourobus from %s.\n", node, nf->path);
    if (d->log != NULL)
        fprintf(f, "log: {level: %s}\n", irm_word_name(nfs_levels, *d->log));
    if (d->pool != NULL) {
        fputs("pool: {size: ", f);
        quoted(f, d->pool);
        fputs("}\n", f);
    }
    write_names(f, d, prog_paths);
    for (unsigned i = 0; i < nf->net->layers_count; i++) {
        const struct nfs_layer *l = &nf->net->layers[i];

        if (!netfile_layer_has(nf, l, node))
            continue;
        if (!any)
            fputs("ipcps:\n", f);
        any = true;
        netfile_ipcp_name(l, node, name, sizeof(name));
        fputs("  - name: ", f);
        quoted(f, name);
        fprintf(f, "\n    type: %s\n    layer: ", irm_word_name(nfs_layer_types, l->type));
        quoted(f, l->name);
        fputc('\n', f);
        if (l->type == IPCP_UDP4 || l->type == IPCP_UDP6)
            write_udp(f, nf, mode, l, node);
        else if (l->type == IPCP_ETH_DIX || l->type == IPCP_ETH_LLC)
            write_eth(f, nf, mode, l);
        else
            write_normal(f, l, node);
        if (l->hash != NULL && l->type != IPCP_UNICAST)
            fprintf(f, "    hash: %s\n", irm_word_name(irm_words_hash, *l->hash));
        {
            unsigned n = 0;

            names_in(nf, l, node, count_item, &n);
            if (n > 0) {
                fputs("    register:", f);
                names_in(nf, l, node, list_item, f);
                fputc('\n', f);
            }
        }
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
