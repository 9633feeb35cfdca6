/*
 * bench unicast - flows over a unicast layer (routing, fa, directory on
 * udp4 shims) across network namespaces in a line, against plain UDP
 * sockets between the same namespaces in the same run: round trips, a
 * 1400-byte stream, flow allocations per second, and a node's memory.
 *
 *   ns A (node A)     ns B (node B)     ns C (node C)     ns D (node D)
 *   client, CPU 0     server, CPU 1                       server (4 nodes)
 *   net.a <---------> net.b <---------> net.c <---------> net.d   layer net
 *   udp0.a  ------  udp0.b  udp1.b ---- udp1.c  udp2.c ---- udp2.d  udp4 shims
 *   10.72.0.1      10.72.0.2  10.72.1.1  10.72.1.2  10.72.2.1  10.72.2.2
 *
 * The UDP baseline runs between A and B (link 0); unicast_* go A -> B (one
 * hop), unicast4_* A -> D (three hops).
 */
#include "bench_netns.h"
#include "flow_path.h"
#include "proc.h"
#include "rtt_rounds.h"
#include "stats.h"
#include "stream_rounds.h"
#include "udp_ns.h"
#include "waiter.h"

#include <dirent.h>
#include <ourobus/dev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SHIM_UDP  "services/shim-udp/ourobus-shim-udp"
#define ROUTING   "services/routing/ourobus-routing"
#define FA        "services/fa/ourobus-fa"
#define DIRECTORY "services/directory/ourobus-directory"

#define WAIT_LAYER_MS 20000 /* enrollment and routes */
#define WAIT_FLOW_MS  20000 /* the first flow to a server name */
#define RSS_TARGET_MB 40

enum path { PATH_UDP = 0, PATH_UNICAST, PATH_UNICAST4 };

/* The server names and the node that serves each. */
static const char *const names[] = {
    [PATH_UNICAST] = "bench-unicast",
    [PATH_UNICAST4] = "bench-unicast4",
};
static int server_node[] = {[PATH_UNICAST] = 1, [PATH_UNICAST4] = 3};

static struct netns_line net;
static int layer_nodes; /* the members of layer net: 2, or 4 */
static uint32_t spin;

static void usage(FILE *f)
{
    fprintf(f, "usage: bench/run unicast [--quick] [--nodes 2|4]\n"
               "  Round trips (64 B), a one-way 1400 B stream and flow allocations per\n"
               "  second over a unicast layer (ourobus-routing, -fa, -directory) on udp4\n"
               "  shims between nodes in network namespaces joined by veth pairs, beside\n"
               "  plain UDP sockets between the same namespaces, in the same run; and the\n"
               "  memory of node A's daemons while idle. Needs root. Node A and the\n"
               "  client on CPU 0, node B and the server on CPU 1.\n"
               "  --nodes 4 (default): also a line of four nodes, three hops A -> D\n"
               "  (unicast4_*); --nodes 2: A and B only.\n"
               "  --quick: fewer samples, 1000 allocations (10000 in a full run).\n"
               "  BENCH_LOG=info|debug: the daemons' log level (in the run folder);\n"
               "  BENCH_KEEP_LOGS=1: keep the logs (they are kept when a step fails).\n");
}

static int64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static char letter(int i)
{
    return (char)('a' + i);
}

/* ---- the layer ---------------------------------------------------------- */

/* The address in node i's routes file, or 0 while there is none. */
static unsigned long long routes_address(int i, char *path, size_t len)
{
    unsigned long long a = 0;
    char line[256];
    FILE *f;

    snprintf(path, len, "%s/%s/routing.net.%c.routes", net.run_dir, net.node[i], letter(i));
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "address %llu", &a) == 1)
            break;
    fclose(f);
    return a;
}

/* Does node i's routes file list a route to node j? */
static bool routes_to(int i, int j)
{
    char path[256], line[256], want[48];
    unsigned long long aj = routes_address(j, path, sizeof(path));
    bool found = false;
    FILE *f;

    if (aj == 0 || routes_address(i, path, sizeof(path)) == 0)
        return false;
    f = fopen(path, "r");
    if (f == NULL)
        return false;
    snprintf(want, sizeof(want), "route %llu via ", aj);
    while (!found && fgets(line, sizeof(line), f) != NULL)
        found = strncmp(line, want, strlen(want)) == 0;
    fclose(f);
    return found;
}

/* Wait until every node of the first n routes to every other one. */
static bool routes_wait(int n, int ms)
{
    int64_t end = now_ms() + ms;

    for (;;) {
        bool all = true;

        for (int i = 0; i < n && all; i++)
            for (int j = 0; j < n && all; j++)
                all = i == j || routes_to(i, j);
        if (all)
            return true;
        if (now_ms() > end)
            return false;
        usleep(50000);
    }
}

/* Before a figure over the layer: every member routes to every other one
 * (a layer that lost an adjacency is waited for, and said so). */
static void layer_settle(void)
{
    int64_t t0 = now_ms();
    bool ok;

    if (routes_wait(layer_nodes, 0))
        return;
    progress("layer net: routes incomplete, waiting up to %d s", WAIT_LAYER_MS / 1000);
    ok = routes_wait(layer_nodes, WAIT_LAYER_MS);
    progress("layer net: routes %s after %.1f s", ok ? "complete again" : "still incomplete",
             (double)(now_ms() - t0) / 1000);
}

/* The udp4 shims of link l: each end's static map names the IPCP across
 * the link and the layer (net -> the other end). */
static int link_shims_up(int l)
{
    for (int e = 0; e < 2; e++) {
        int i = l + e, peer = l + 1 - e;
        const char *paddr = net.link[l].addr[1 - e];

        if (netns_irm(&net, i,
                      "ipcp bootstrap name udp%d.%c type udp4 layer udp%d ip %s "
                      "peer net.%c=%s peer net=%s",
                      l, letter(i), l, net.link[l].addr[e], letter(peer), paddr, paddr) != 0) {
            fprintf(stderr, "bench unicast: cannot bootstrap the udp4 shim udp%d.%c\n", l,
                    letter(i));
            return -1;
        }
    }
    return 0;
}

/* Node i (> 0) enrolls in layer net through its left neighbour and
 * connects to it (the shims of the link between them are up). */
static int member_up(int i)
{
    char path[256];
    int64_t end;

    if (netns_irm(&net, i, "ipcp enroll name net.%c layer net dst net.%c", letter(i),
                  letter(i - 1)) != 0) {
        fprintf(stderr, "bench unicast: net.%c cannot enroll through net.%c\n", letter(i),
                letter(i - 1));
        return -1;
    }
    end = now_ms() + WAIT_LAYER_MS;
    while (routes_address(i, path, sizeof(path)) == 0 && now_ms() < end)
        usleep(50000);
    if (netns_irm(&net, i, "ipcp connect name net.%c dst net.%c", letter(i), letter(i - 1)) !=
        0) {
        fprintf(stderr, "bench unicast: net.%c cannot connect to net.%c\n", letter(i),
                letter(i - 1));
        return -1;
    }
    if (!routes_wait(i + 1, WAIT_LAYER_MS)) {
        fprintf(stderr, "bench unicast: no routes between the first %d nodes after %d s (%s)\n",
                i + 1, WAIT_LAYER_MS / 1000, path);
        return -1;
    }
    return 0;
}

/* Bind this program to the server name of kind on its node and register
 * the name in layer net. */
static int name_up(enum path kind)
{
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    int i = server_node[kind];

    exe[n > 0 ? n : 0] = '\0';
    if (netns_irm(&net, i, "bind program %s name %s", exe, names[kind]) != 0 ||
        netns_irm(&net, i, "name register %s layer net", names[kind]) != 0) {
        fprintf(stderr, "bench unicast: cannot register %s in layer net on node %c\n",
                names[kind], letter(i));
        return -1;
    }
    return 0;
}

/* Allocate flows to the name of kind until one succeeds (a server
 * running): the directory found it. */
static int name_reached(enum path kind)
{
    pid_t srv = flow_server_start(&net, server_node[kind], spin);
    int64_t start = now_ms(), end = start + WAIT_FLOW_MS;
    struct timespec t = {2, 0};
    int fd = -1, tries = 0;

    while (fd < 0 && now_ms() < end) {
        tries++;
        fd = flow_alloc(names[kind], NULL, &t);
        if (fd < 0)
            usleep(100000);
    }
    if (fd >= 0) {
        flow_write(fd, "C", 1);
        flow_dealloc(fd);
        progress("a flow to %s after %.1f s (%d tries)", names[kind],
                 (double)(now_ms() - start) / 1000, tries);
    } else {
        fprintf(stderr, "bench unicast: no flow to %s in %d s (last: %d)\n", names[kind],
                WAIT_FLOW_MS / 1000, fd);
    }
    flow_server_stop(srv);
    return fd >= 0 ? 0 : -1;
}

/* ---- the figures ---------------------------------------------------------- */

static int rtt_round(const struct rtt_job *j, size_t n, struct samples *s)
{
    pid_t srv;
    int err;

    if (j->kind == PATH_UDP)
        return udp_ns_rtt(&net, n, j->size, s);
    layer_settle();
    srv = flow_server_start(&net, server_node[j->kind], spin);
    err = flow_rtt(names[j->kind], n, j->size, s);
    flow_server_stop(srv);
    return err;
}

static double stream_round(const struct stream_job *j, double secs, size_t size)
{
    double pps = 0;
    size_t count = 0;
    int err;

    if (j->kind == PATH_UDP) {
        err = udp_ns_stream(&net, secs, size, &pps, &count);
    } else {
        pid_t srv;

        layer_settle();
        srv = flow_server_start(&net, server_node[j->kind], spin);
        err = flow_stream(names[j->kind], secs, size, &pps, &count);
        flow_server_stop(srv);
    }
    return err == 0 ? pps : -1;
}

/* flow_alloc_rate: n allocations to B's server name in a row. */
static size_t alloc_rate(struct report *r, size_t n)
{
    static char note[128];
    struct samples alloc_ns, dealloc_ns;
    double per_s = 0;
    size_t failed = n;
    pid_t srv;

    layer_settle();
    srv = flow_server_start(&net, server_node[PATH_UNICAST], spin);

    progress("%zu flow allocations to %s in a row", n, names[PATH_UNICAST]);
    samples_init(&alloc_ns, n);
    samples_init(&dealloc_ns, n);
    flow_alloc_rate(names[PATH_UNICAST], n, &per_s, &failed, &alloc_ns, &dealloc_ns);
    flow_server_stop(srv);
    snprintf(note, sizeof(note), "alloc + 'C' + dealloc A -> B, %zu in a row", n);
    report_value(r, "flow_alloc_rate", per_s, "/s", n - failed, note);
    report_value(r, "flow_alloc_failures", (double)failed, "", n, "of flow_alloc_rate");
    if (alloc_ns.n > 0)
        report_latency(r, "flow_alloc_time", &alloc_ns, "one flow_alloc of those");
    if (dealloc_ns.n > 0)
        report_latency(r, "flow_dealloc_time", &dealloc_ns, "one flow_dealloc of those");
    samples_free(&alloc_ns);
    samples_free(&dealloc_ns);
    return failed;
}

/* The daemon a command line runs (its program's name), or NULL. */
static const char *node_daemon(pid_t pid, int i, char *prog, size_t len)
{
    char path[64], cmd[1024];
    const char *node = net.node[i];
    bool ours = pid == net.irmd[i];
    const char *base;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    n = fread(cmd, 1, sizeof(cmd) - 1, f);
    fclose(f);
    if (n == 0)
        return NULL;
    cmd[n] = '\0';
    /* argv: NUL-separated; "--node" followed by node */
    for (size_t k = 0; k < n && !ours; k += strlen(cmd + k) + 1)
        ours = strcmp(cmd + k, "--node") == 0 && k + 7 < n && strcmp(cmd + k + 7, node) == 0;
    if (!ours)
        return NULL;
    base = strrchr(cmd, '/') != NULL ? strrchr(cmd, '/') + 1 : cmd;
    n = strlen(base) < len ? strlen(base) : len - 1;
    memcpy(prog, base, n);
    prog[n] = '\0';
    return prog;
}

/* VmRSS in MB, and its part in shared memory (the node's packet pool and
 * rings: counted again in every process that touched it). */
static double vm_rss_mb(pid_t pid, double *shm_mb)
{
    char path[64], line[128];
    double kb = 0, shm = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmRSS: %lf kB", &kb) != 1)
            sscanf(line, "RssShmem: %lf kB", &shm);
    fclose(f);
    *shm_mb = shm / 1024;
    return kb / 1024;
}

/* Shared mappings of node A's processes, by name: the largest resident
 * part seen in any one of them (the pool, the libraries' pages). */
#define SHARED_MAX 256
struct shared_map {
    char name[160];
    double kb;
};

/* Add pid's memory to *priv_kb (its private pages) and to the shared
 * mappings (each one's resident shared part, the largest seen). */
static void smaps_add(pid_t pid, double *priv_kb, struct shared_map *sh, size_t *nsh)
{
    char path[64], line[512], name[160] = "";
    double rss = 0, priv = 0, v;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    for (;;) {
        char *got = fgets(line, sizeof(line), f);
        unsigned long a, b;
        int off = 0;

        /* A mapping's header line, or the end: settle the one before. */
        if (got == NULL || sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &a, &b, &off) == 2) {
            if (rss > priv && name[0] != '\0') {
                size_t i;

                for (i = 0; i < *nsh && strcmp(sh[i].name, name) != 0; i++)
                    ;
                if (i == *nsh && *nsh < SHARED_MAX) {
                    snprintf(sh[i].name, sizeof(sh[i].name), "%s", name);
                    sh[i].kb = 0;
                    (*nsh)++;
                }
                if (i < *nsh && rss - priv > sh[i].kb)
                    sh[i].kb = rss - priv;
            } else if (rss > priv) {
                priv += rss - priv; /* shared, but nameless: counted as ours */
            }
            *priv_kb += priv;
            rss = priv = 0;
            if (got == NULL)
                break;
            snprintf(name, sizeof(name), "%s", off > 0 ? line + off : "");
            name[strcspn(name, "\n")] = '\0';
            continue;
        }
        if (sscanf(line, "Rss: %lf kB", &v) == 1)
            rss = v;
        else if (sscanf(line, "Private_Clean: %lf kB", &v) == 1 ||
                 sscanf(line, "Private_Dirty: %lf kB", &v) == 1)
            priv += v;
    }
    fclose(f);
}

/* Node A's daemons (its IRM daemon and the processes started with --node
 * <A>) after a second without flows: the memory they hold together, MB,
 * each page counted once (private pages, plus each shared mapping - the
 * packet pool, the libraries - once); *sum_mb gets the plain sum of their
 * VmRSS, which counts the shared pages in every process. note says whose. */
static double node_rss(char *note, size_t len, size_t *procs, double *sum_mb)
{
    static struct shared_map sh[SHARED_MAX];
    size_t used = 0, nsh = 0;
    double sum = 0, priv_kb = 0, shared_kb = 0;
    struct dirent *e;
    DIR *d;

    *procs = 0;
    sleep(1);
    d = opendir("/proc");
    if (d == NULL)
        return 0;
    used = (size_t)snprintf(note, len, "node A, each page once; VmRSS MB:");
    while ((e = readdir(d)) != NULL) {
        char prog[64];
        pid_t pid = (pid_t)atoi(e->d_name);
        double mb, shm = 0;

        if (pid <= 0 || node_daemon(pid, 0, prog, sizeof(prog)) == NULL)
            continue;
        mb = vm_rss_mb(pid, &shm);
        sum += mb;
        smaps_add(pid, &priv_kb, sh, &nsh);
        (*procs)++;
        if (used < len)
            used += (size_t)snprintf(note + used, len - used, " %s %.1f",
                                     strncmp(prog, "ourobus-", 8) == 0 ? prog + 8 : prog, mb);
    }
    closedir(d);
    for (size_t i = 0; i < nsh; i++)
        shared_kb += sh[i].kb;
    if (used < len)
        snprintf(note + used, len - used, " (sum %.1f; private %.1f, shared once %.1f)", sum,
                 priv_kb / 1024, shared_kb / 1024);
    *sum_mb = sum;
    return (priv_kb + shared_kb) / 1024;
}

/* ---- the ring part: ring.sh -------------------------------------------------- */

/* Run ring.sh for a ring of n nodes under policy (with --dht: the
 * directory's figures too) and report its figures as NAME_SUFFIX. */
static void ring_part(struct report *r, int n, const char *policy, bool dht, const char *suffix)
{
    char cmd[1024], line[256];
    FILE *p;

    progress("a ring of %d nodes (routing %s)%s: a link cut%s", n, policy,
             dht ? " and the directory" : "", dht ? ", 30 lookups" : "");
    snprintf(cmd, sizeof(cmd), "sh %s %s %d %s %s 2>&1", RING_SH, net.bin, n, policy,
             dht ? "--dht" : "");
    p = popen(cmd, "r");
    if (p == NULL)
        return;
    while (fgets(line, sizeof(line), p) != NULL) {
        char name[64], unit[32], fig[96], note[128];
        double v;

        if (sscanf(line, "figure %63s %lf %31s", name, &v, unit) != 3) {
            fprintf(stderr, "  .. %s", line);
            continue;
        }
        snprintf(fig, sizeof(fig), "%s_%s", name, suffix);
        snprintf(note, sizeof(note), "ring of %d, routing %s", n, policy);
        /* The report keeps the strings: copies that live to the end. */
        report_value(r, strdup(fig), v, strdup(unit), 1, strdup(note));
    }
    if (pclose(p) != 0)
        fprintf(stderr, "bench unicast: ring.sh %d %s failed\n", n, policy);
}

/* ---- daemons that restarted ------------------------------------------------ */

#define DAEMONS_MAX 64

struct daemon {
    pid_t pid;
    int node;
    char prog[40];
};

/* The daemons of every node now: how many. */
static int daemons_list(struct daemon *d, int max)
{
    struct dirent *e;
    DIR *dir = opendir("/proc");
    int n = 0;

    if (dir == NULL)
        return 0;
    while ((e = readdir(dir)) != NULL && n < max) {
        pid_t pid = (pid_t)atoi(e->d_name);

        for (int i = 0; pid > 0 && i < net.n; i++) {
            if (node_daemon(pid, i, d[n].prog, sizeof(d[n].prog)) != NULL) {
                d[n].pid = pid;
                d[n++].node = i;
                break;
            }
        }
    }
    closedir(dir);
    return n;
}

/* How many times node i's IRM daemon restarted a daemon that died (its
 * log, warn level). */
static int node_restarts(int i)
{
    char path[160], line[512];
    int n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.log", net.run_dir, net.node[i]);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        n += strstr(line, ") died: restarting") != NULL;
    fclose(f);
    return n;
}

/* daemon_restarts: the restarts of daemons that died (the IRM daemons'
 * logs), per node, and which of the daemons there were before the flows
 * are gone, in note. */
static void daemons_restarted(struct report *r, const struct daemon *before, int nb, char *note,
                              size_t len)
{
    struct daemon now[DAEMONS_MAX];
    int nn = daemons_list(now, DAEMONS_MAX), gone = 0, restarts = 0;
    size_t used = (size_t)snprintf(note, len, "per node:");

    for (int i = 0; i < net.n; i++) {
        int k = node_restarts(i);

        restarts += k;
        if (used < len)
            used += (size_t)snprintf(note + used, len - used, " %c %d", letter(i), k);
    }
    if (used < len)
        used += (size_t)snprintf(note + used, len - used, "; gone:");

    for (int k = 0; k < nb; k++) {
        bool alive = false;

        for (int j = 0; j < nn && !alive; j++)
            alive = now[j].pid == before[k].pid;
        if (alive)
            continue;
        gone++;
        if (used < len)
            used +=
                (size_t)snprintf(note + used, len - used, " %s of %c (pid %d)", before[k].prog,
                                 letter(before[k].node), (int)before[k].pid);
    }
    if (gone == 0 && used < len)
        snprintf(note + used, len - used, " none");
    report_value(r, "daemon_restarts", restarts, "", (size_t)nb, note);
}

/* The 1-minute load average: the machine is shared. */
static double load_1min(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");

    if (f != NULL) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

/* ---- main ------------------------------------------------------------------ */

static void on_signal(int sig)
{
    (void)sig;
    netns_down(&net); /* in a forked child: nothing */
    _exit(130);
}

static int fail(void)
{
    net.keep_logs = true;
    netns_down(&net);
    return 1;
}

int main(int argc, char **argv)
{
    static struct report rep;
    static char note_idle[256], note_after[256], note_restarts[512];
    static struct daemon daemons[DAEMONS_MAX];
    int ndaemons;
    size_t n = 100000, allocs = 10000, failed, procs_idle, procs_after;
    double rss_idle, rss_after, rss_sum_idle, rss_sum_after, load_start = load_1min();
    bool quick = false;
    double secs = 1.0;
    int rounds = 5, nodes = 4;
    bool four;
    char title[1400];

    if (argc == 2 && strcmp(argv[1], "--server") == 0)
        return flow_report_map(true) < 0 ? 1 : flow_server_main();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            n = 20000;
            secs = 0.5;
            rounds = 2;
            allocs = 1000;
            quick = true;
        } else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc &&
                   (strcmp(argv[i + 1], "2") == 0 || strcmp(argv[i + 1], "4") == 0)) {
            nodes = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench unicast: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (geteuid() != 0) {
        fprintf(stderr, "bench unicast: needs root (network namespaces)\n");
        return 1;
    }
    spin = spin_default_ns();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    progress("%d namespaces in a line, veth pairs, a node in each", nodes);
    if (netns_up(&net, nodes, "unicast") < 0)
        return fail();
    if (!netns_have(&net, SHIM_UDP) || !netns_have(&net, ROUTING)) {
        fprintf(stderr, "bench unicast: %s or %s is not built\n", SHIM_UDP, ROUTING);
        return fail();
    }
    for (const char *const *p = (const char *const[]){FA, DIRECTORY, NULL}; *p != NULL; p++)
        if (!netns_have(&net, *p))
            fprintf(stderr, "bench unicast: %s is not built: flows will not be allocated\n",
                    *p);

    /* The shims first: a unicast IPCP registers its names only in the
     * layers made before it. */
    progress("udp4 shims on the %d links", nodes - 1);
    if (link_shims_up(0) < 0)
        return fail();
    four = nodes == 4 && link_shims_up(1) == 0 && link_shims_up(2) == 0;
    progress("layer net: net.a bootstraps, net.b enrolls and connects");
    if (netns_irm(&net, 0, "ipcp bootstrap name net.a type unicast layer net ls_t_recalc 1") !=
        0) {
        fprintf(stderr, "bench unicast: net.a cannot bootstrap layer net\n");
        return fail();
    }
    if (member_up(1) < 0 || name_up(PATH_UNICAST) < 0)
        return fail();
    if (four) {
        progress("net.c and net.d enroll and connect: a line of four");
        four = member_up(2) == 0 && member_up(3) == 0 && name_up(PATH_UNICAST4) == 0;
    }
    if (nodes == 4 && !four)
        net.keep_logs = true;
    if (netns_enter(&net, 0) < 0)
        return fail();
    setenv("OUROBUS_NODE", net.node[0], 1);
    if (name_reached(PATH_UNICAST) < 0)
        return fail();
    if (four && name_reached(PATH_UNICAST4) < 0) {
        four = false;
        net.keep_logs = true;
    }
    layer_nodes = four ? 4 : 2;
    progress("node A's memory, idle (the layer up, names resolved once)");
    rss_idle = node_rss(note_idle, sizeof(note_idle), &procs_idle, &rss_sum_idle);
    ndaemons = daemons_list(daemons, DAEMONS_MAX);

    {
        struct rtt_job jobs[] = {
            {.name = "udp_rtt",
             .note = "UDP sockets A <-> B, 64 B",
             .size = 64,
             .kind = PATH_UDP,
             .n = n,
             .run = rtt_round},
            {.name = "unicast_rtt",
             .note = "flow over layer net A <-> B, 64 B",
             .size = 64,
             .kind = PATH_UNICAST,
             .n = n,
             .run = rtt_round},
            {.name = "unicast4_rtt",
             .note = "flow over layer net A <-> D, 3 hops, 64 B",
             .size = 64,
             .kind = PATH_UNICAST4,
             .n = n,
             .run = rtt_round},
        };
        rtt_rounds_run(&rep, jobs, four ? 3 : 2, rounds, "unicast");
    }
    /* Before the streams: a stream floods the layer's rings, and what the
     * daemons make of that (adjacencies lost for a few seconds) is no part
     * of the allocations. */
    failed = alloc_rate(&rep, allocs);
    {
        struct stream_job jobs[] = {
            {.name = "udp_tput_1400",
             .note = "UDP sockets A -> B, 1400 B",
             .kind = PATH_UDP,
             .run = stream_round},
            {.name = "unicast_tput_1400",
             .note = "flow over layer net A -> B, 1400 B",
             .kind = PATH_UNICAST,
             .run = stream_round},
            {.name = "unicast4_tput_1400",
             .note = "flow over layer net A -> D, 3 hops, 1400 B",
             .kind = PATH_UNICAST4,
             .run = stream_round},
        };
        stream_rounds_run(&rep, jobs, four ? 3 : 2, rounds, secs, 1400, "unicast");
    }
    progress("node A's memory after the flows");
    rss_after = node_rss(note_after, sizeof(note_after), &procs_after, &rss_sum_after);
    report_value(&rep, "node_rss_mb", rss_idle, "MB", procs_idle, note_idle);
    report_value(&rep, "node_rss_sum_mb", rss_sum_idle, "MB", procs_idle,
                 "the same processes' VmRSS summed (shared pages in each)");
    report_value(&rep, "node_rss_mb_after", rss_after, "MB", procs_after, note_after);
    daemons_restarted(&rep, daemons, ndaemons, note_restarts, sizeof(note_restarts));

    snprintf(
        title, sizeof(title),
        "bench unicast: %d nodes in network namespaces in a line joined by veth pairs,\n"
        "layer net (unicast: routing, fa, directory) over udp4 shims; %s;\n"
        "plain UDP sockets between A and B in the same run. Latencies are medians of\n"
        "the round trips, rates are counted at the receiver (medians of %d interleaved\n"
        "rounds each). node_rss_mb: the resident memory of node A's daemons together,\n"
        "each page once (private pages, and each shared mapping - the pool, the\n"
        "libraries - once), idle before the flows; node_rss_mb_after: the same after\n"
        "them; node_rss_sum_mb: their VmRSS summed. The rings (ring.sh, after the\n"
        "line is down): the longest pause of a 100/s oping across a link cut, and\n"
        "the directory's lookups from one node of a 32-node ring.\n"
        "Load average (1 min): %.1f at the start, %.1f at the end.%s",
        net.n,
        net.n == 4
            ? "nodes A and C and\nthe client on CPU 0, nodes B and D and the servers on CPU 1"
            : "node A and the\nclient on CPU 0, node B and the server on CPU 1",
        rounds, load_start, load_1min(),
        nodes == 4 && !four ? "\nThe line of four did not come up: unicast4 skipped." : "");
    if (failed > 0)
        net.keep_logs = true;
    netns_down(&net);
    ring_part(&rep, 6, "lfa", false, "ring6_lfa");
    ring_part(&rep, 6, "link-state", false, "ring6_simple");
    if (!quick)
        ring_part(&rep, 32, "lfa", true, "ring32_lfa");
    report_table(&rep, title);
    report_ratio(&rep, "unicast_rtt", "udp_rtt");
    report_ratio(&rep, "unicast_tput_1400", "udp_tput_1400");
    report_ratio_to(&rep, "node_rss_mb", RSS_TARGET_MB);
    if (four) {
        report_ratio(&rep, "unicast4_rtt", "udp_rtt");
        report_ratio(&rep, "unicast4_tput_1400", "udp_tput_1400");
    }
    printf("flow_alloc_rate %.0f/s, %zu of %zu failed\n",
           report_find(&rep, "flow_alloc_rate")->value, failed, allocs);
    return failed > 0 ? 1 : 0;
}
