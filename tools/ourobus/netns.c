/*
 * netns.c - the network of ourobus up --netns (root only): a namespace per
 * node, and a switch namespace with a bridge per UDP link and Ethernet
 * segment; each member reaches the bridge by a veth pair.
 *
 *   ob-<net>-<a>                ob-<net>-sw                ob-<net>-<b>
 *   +--------------+           +-----------------+         +--------------+
 *   | l0 10.99.1.1 |--veth-----| n0l0  br-l0  n1l0|-veth---| l0 10.99.1.2 |
 *   | s0 (no IP)   |--veth-----| n0s0  br-s0  n1s0|-veth---| s0           |
 *   +--------------+           +-----------------+         +--------------+
 */
#include "launcher.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WORDS_MAX 24

static const char *network(const struct launcher *l)
{
    return l->nf->net->network ? l->nf->net->network : "net";
}

void netns_name(const struct launcher *l, const char *node, char *buf, size_t len)
{
    snprintf(buf, len, "ob-%s-%s", network(l), node);
}

static void switch_name(const struct launcher *l, char *buf, size_t len)
{
    snprintf(buf, len, "ob-%s-sw", network(l));
}

bool netns_exists(const char *name)
{
    char p[128];
    struct stat st;

    snprintf(p, sizeof(p), "/var/run/netns/%s", name);
    return stat(p, &st) == 0;
}

/* iproute2's ip, found once; NULL (and said) if there is none. */
static const char *ip_program(const struct launcher *l)
{
    static char path[PATH_MAX];

    if (path[0] == '\0' && launcher_find(l, "ip", path, sizeof(path)) < 0) {
        fprintf(stderr, "ourobus: 'ip' (iproute2) is not found in $PATH\n");
        return NULL;
    }
    return path;
}

/* Run "ip <words>", the words split at spaces. 0, or -EIO with the
 * command and its output on stderr. */
__attribute__((format(printf, 2, 3))) static int ip(const struct launcher *l, const char *fmt,
                                                    ...)
{
    const char *ip_path = ip_program(l);
    const char *argv[WORDS_MAX + 2];
    char line[512], words[512];
    char out[1024];
    va_list ap;
    int n = 0, r;

    if (ip_path == NULL)
        return -ENOENT;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    snprintf(words, sizeof(words), "%s", line);
    argv[n++] = ip_path;
    for (char *s = strtok(words, " "); s != NULL && n < WORDS_MAX; s = strtok(NULL, " "))
        argv[n++] = s;
    argv[n] = NULL;
    r = launcher_run(argv, NULL, out, sizeof(out), 10000);
    if (r != 0) {
        fprintf(stderr, "ourobus: ip %s: failed (%d): %s", line, r, out);
        return -EIO;
    }
    return 0;
}

/* A veth from node's namespace (dev) to the bridge br of the switch. */
static int attach(const struct launcher *l, const char *node, unsigned ni, const char *dev,
                  const char *br)
{
    char ns[96], sw[96];
    int err;

    netns_name(l, node, ns, sizeof(ns));
    switch_name(l, sw, sizeof(sw));
    err =
        ip(l, "link add %s netns %s type veth peer name n%u%s netns %s", dev, ns, ni, dev, sw);
    err = err ?: ip(l, "-n %s link set n%u%s master %s up", sw, ni, dev, br);
    err = err ?: ip(l, "-n %s link set %s up", ns, dev);
    return err;
}

static int make(const struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;
    char ns[96], sw[96];
    int err;

    switch_name(l, sw, sizeof(sw));
    err = ip(l, "netns add %s", sw);
    for (unsigned i = 0; err == 0 && i < n->nodes_count; i++) {
        netns_name(l, n->nodes[i].name, ns, sizeof(ns));
        err = ip(l, "netns add %s", ns);
        err = err ?: ip(l, "-n %s link set lo up", ns);
    }
    for (unsigned i = 0; err == 0 && i < n->links_count; i++) {
        const struct nfs_link *k = &n->links[i];
        char dev[16], br[16];

        snprintf(dev, sizeof(dev), "l%u", i);
        snprintf(br, sizeof(br), "br-l%u", i);
        err = ip(l, "-n %s link add %s type bridge", sw, br);
        err = err ?: ip(l, "-n %s link set %s up", sw, br);
        for (unsigned j = 0; err == 0 && j < k->nodes_count; j++) {
            char addr[64];
            bool v6;

            err = attach(l, k->nodes[j].node, (unsigned)netfile_node(l->nf, k->nodes[j].node),
                         dev, br);
            netfile_link_ip(l->nf, NETFILE_NETNS, i, k->nodes[j].node, addr, sizeof(addr));
            netns_name(l, k->nodes[j].node, ns, sizeof(ns));
            v6 = strchr(addr, ':') != NULL;
            err = err
                      ?: ip(l, "-n %s addr add %s/%d dev %s%s", ns, addr, v6 ? 64 : 24, dev,
                            v6 ? " nodad" : "");
        }
    }
    for (unsigned i = 0; err == 0 && i < n->segments_count; i++) {
        const struct nfs_segment *s = &n->segments[i];
        char dev[16], br[16];

        snprintf(dev, sizeof(dev), "s%u", i);
        snprintf(br, sizeof(br), "br-s%u", i);
        err = ip(l, "-n %s link add %s type bridge", sw, br);
        err = err ?: ip(l, "-n %s link set %s up", sw, br);
        for (unsigned j = 0; err == 0 && j < s->nodes_count; j++)
            err = attach(l, s->nodes[j], (unsigned)netfile_node(l->nf, s->nodes[j]), dev, br);
    }
    return err;
}

int netns_up(const struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;
    char ns[96];
    int err;

    switch_name(l, ns, sizeof(ns));
    if (netns_exists(ns)) {
        fprintf(stderr, "ourobus: the namespace %s exists: 'ourobus down --netns %s' first\n",
                ns, l->nf->path);
        return -EEXIST;
    }
    for (unsigned i = 0; i < n->nodes_count; i++) {
        netns_name(l, n->nodes[i].name, ns, sizeof(ns));
        if (netns_exists(ns)) {
            fprintf(stderr,
                    "ourobus: the namespace %s exists: 'ourobus down --netns %s' first\n", ns,
                    l->nf->path);
            return -EEXIST;
        }
    }
    err = make(l);
    if (err < 0)
        netns_down(l);
    return err;
}

/* What still runs in a namespace of ours (a program the node's daemon
 * started, say) would keep it: stopped, by pid. */
static void stop_inside(const struct launcher *l, const char *ns)
{
    const char *argv[] = {ip_program(l), "netns", "pids", ns, NULL};
    char out[4096];

    if (argv[0] == NULL)
        return;
    if (launcher_run(argv, NULL, out, sizeof(out), 5000) != 0)
        return;
    for (char *s = out, *end; *s != '\0'; s = end) {
        long pid = strtol(s, &end, 10);

        if (end == s)
            break;
        if (pid > 1)
            launcher_stop((pid_t)pid, 0, l->timeout_ms);
    }
}

int netns_down(const struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;
    char ns[96];
    int r = 0, k = 0;

    for (unsigned i = 0; i <= n->nodes_count; i++) {
        if (i < n->nodes_count)
            netns_name(l, n->nodes[i].name, ns, sizeof(ns));
        else
            switch_name(l, ns, sizeof(ns));
        if (!netns_exists(ns))
            continue;
        stop_inside(l, ns);
        if (ip(l, "netns del %s", ns) < 0)
            r = -EIO;
        else
            k++;
    }
    if (k > 0)
        launcher_say(l, "removed %d network namespace%s", k, k == 1 ? "" : "s");
    return r;
}
