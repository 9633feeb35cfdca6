/*
 * bench_netns.c - namespaces, veth links, nodes and irm for the benchmarks
 * that cross a network.
 */
#include "bench_netns.h"

#include "proc.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A shell command, its output to /dev/null unless it redirects it: 0 when
 * it succeeded. */
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(cmd) - 20)
        return -1;
    if (strchr(cmd, '>') == NULL)
        strcat(cmd, " >/dev/null 2>&1");
    return system(cmd) == 0 ? 0 : -1;
}

int netns_enter(const struct netns_line *p, int i)
{
    char path[96];
    int fd, r;

    snprintf(path, sizeof(path), "/run/netns/%s", p->ns[i]);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    r = setns(fd, CLONE_NEWNET);
    close(fd);
    return r;
}

bool netns_have(const struct netns_line *p, const char *rel)
{
    char path[700];

    snprintf(path, sizeof(path), "%s/%s", p->bin, rel);
    return access(path, X_OK) == 0;
}

int netns_irm(const struct netns_line *p, int i, const char *fmt, ...)
{
    char args[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return sh("OUROBUS_RUN_DIR=%s %s/tools/irm/irm --node %s %s >>%s/%s.log 2>&1", p->run_dir,
              p->bin, p->node[i], args, p->run_dir, p->node[i]);
}

static pid_t irmd_start(struct netns_line *p, int i)
{
    char path[700], sock[200], log[200];
    pid_t pid;

    snprintf(path, sizeof(path), "%s/services/irm/ourobus-irmd", p->bin);
    snprintf(log, sizeof(log), "%s/%s.log", p->run_dir, p->node[i]);
    pid = fork();
    if (pid == 0) {
        const char *lvl = getenv("BENCH_LOG");
        int null = open("/dev/null", O_WRONLY);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

        if (lvl == NULL)
            lvl = getenv("BENCH_SHIM_LOG"); /* its older name */
        if (lvl == NULL)
            lvl = "warn";
        /* The daemons it starts log at the same level. */
        setenv("OUROBUS_LOG", lvl, 1);
        /* The node's daemons on one CPU: the IPCPs it starts inherit it. */
        bench_pin(i);
        if (netns_enter(p, i) < 0)
            _exit(126);
        dup2(null, 1);
        dup2(fd >= 0 ? fd : null, 2);
        execl(path, "ourobus-irmd", "--node", p->node[i], "--log", lvl, (char *)NULL);
        _exit(127);
    }
    snprintf(sock, sizeof(sock), "%s/%s/irmd.ctl", p->run_dir, p->node[i]);
    for (int t = 0; t < 500; t++) {
        if (access(sock, F_OK) == 0)
            return pid;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* Link i: a veth pair from namespace i to namespace i+1, 10.72.i.1 and .2. */
static int link_up(struct netns_line *p, int i)
{
    struct netns_link *l = &p->link[i];

    for (int e = 0; e < 2; e++) {
        snprintf(l->ifc[e], sizeof(l->ifc[e]), "vb%d%c%d", (int)getpid() % 100000, 'a' + i, e);
        snprintf(l->addr[e], sizeof(l->addr[e]), "10.72.%d.%d", i, e + 1);
    }
    if (sh("ip link add %s netns %s type veth peer name %s netns %s", l->ifc[0], p->ns[i],
           l->ifc[1], p->ns[i + 1]) < 0)
        return -1;
    for (int e = 0; e < 2; e++)
        if (sh("ip -n %s addr add %s/24 dev %s", p->ns[i + e], l->addr[e], l->ifc[e]) < 0 ||
            sh("ip -n %s link set %s up", p->ns[i + e], l->ifc[e]) < 0)
            return -1;
    return 0;
}

int netns_up(struct netns_line *p, int n, const char *tag)
{
    ssize_t len;
    char *slash;

    p->n = n < 2 ? 2 : n > NETNS_MAX ? NETNS_MAX : n;
    p->owner = getpid();
    snprintf(p->tag, sizeof(p->tag), "%s", tag);
    len = readlink("/proc/self/exe", p->bin, sizeof(p->bin) - 1);
    p->bin[len > 0 ? len : 0] = '\0';
    for (int up = 0; up < 3 && (slash = strrchr(p->bin, '/')) != NULL; up++)
        *slash = '\0'; /* <build>/bench/<tag>/bench_<tag> -> <build> */
    snprintf(p->run_dir, sizeof(p->run_dir), "/tmp/ourobus-bench-%s-%d", p->tag, (int)getpid());
    mkdir(p->run_dir, 0755);
    setenv("OUROBUS_RUN_DIR", p->run_dir, 1);
    for (int i = 0; i < p->n; i++) {
        snprintf(p->ns[i], sizeof(p->ns[i]), "obb%d%c", (int)getpid(), 'a' + i);
        snprintf(p->node[i], sizeof(p->node[i]), "b%c%d%c", p->tag[0], (int)getpid(), 'a' + i);
        p->irmd[i] = -1;
    }
    for (int i = 0; i < p->n; i++) {
        if (sh("ip netns add %s", p->ns[i]) < 0 ||
            sh("ip -n %s link set lo up", p->ns[i]) < 0) {
            fprintf(stderr, "bench %s: cannot make network namespace %s\n", p->tag, p->ns[i]);
            p->ns[i][0] = '\0';
            return -1;
        }
    }
    for (int i = 0; i + 1 < p->n; i++) {
        if (link_up(p, i) < 0) {
            fprintf(stderr, "bench %s: cannot make the veth pair of link %d\n", p->tag, i);
            return -1;
        }
    }
    for (int i = 0; i < p->n; i++) {
        p->irmd[i] = irmd_start(p, i);
        if (p->irmd[i] < 0) {
            fprintf(stderr, "bench %s: the IRM daemon of %s does not start\n", p->tag,
                    p->node[i]);
            return -1;
        }
    }
    return 0;
}

void netns_down(struct netns_line *p)
{
    char wipe[NETNS_MAX * 720] = ""; /* a command per node: paths up to 512 */
    size_t used = 0;

    if (p->owner != getpid() || p->n == 0)
        return; /* a child that was forked from the owner, or done already */

    for (int i = 0; i < p->n; i++)
        if (p->irmd[i] > 0)
            kill(p->irmd[i], SIGTERM);
    for (int i = 0; i < p->n; i++) {
        if (p->irmd[i] > 0 && bench_wait(p->irmd[i], 3000) < 0) /* killed after 3 s */
            waitpid(p->irmd[i], NULL, WNOHANG);
        /* Its IPCP daemons outlive it: the wipe stops them (waiting up to
         * 2 s for each node), all nodes at once. */
        if (p->irmd[i] > 0 && used < sizeof(wipe))
            used +=
                (size_t)snprintf(wipe + used, sizeof(wipe) - used,
                                 "%s/services/irm/ourobus-irmd --wipe --node %s >>%s/%s.log "
                                 "2>&1 & ",
                                 p->bin, p->node[i], p->run_dir, p->node[i]);
    }
    if (used > 0 && used < sizeof(wipe))
        sh("export OUROBUS_RUN_DIR=%s; %s wait", p->run_dir, wipe);
    for (int i = 0; i < p->n; i++) {
        if (p->ns[i][0] == '\0')
            continue;
        /* What the nodes started (their IPCPs) lives in the namespaces. */
        sh("ip netns pids %s | grep -vx %d | xargs -r kill -9", p->ns[i], (int)getpid());
        sh("ip netns del %s", p->ns[i]);
    }
    if (p->keep_logs || getenv("BENCH_KEEP_LOGS") != NULL) {
        char logs[128];

        snprintf(logs, sizeof(logs), "/tmp/ourobus-bench-%s-%d.logs", p->tag, (int)getpid());
        if (sh("mkdir -p %s && cp %s/*.log %s/", logs, p->run_dir, logs) == 0)
            fprintf(stderr, "bench %s: the nodes' logs are in %s\n", p->tag, logs);
    }
    sh("rm -rf %s", p->run_dir);
    p->n = 0;
}
