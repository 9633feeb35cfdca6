/*
 * bench_netns.c - namespaces, veth, nodes and irm for bench shim.
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

/* A shell command, quiet: 0 when it succeeded. */
static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(cmd) - 20)
        return -1;
    strcat(cmd, " >/dev/null 2>&1");
    return system(cmd) == 0 ? 0 : -1;
}

int netns_enter(const struct netns_pair *p, int side)
{
    char path[96];
    int fd, r;

    snprintf(path, sizeof(path), "/run/netns/%s", p->ns[side]);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    r = setns(fd, CLONE_NEWNET);
    close(fd);
    return r;
}

bool netns_have(const struct netns_pair *p, const char *rel)
{
    char path[700];

    snprintf(path, sizeof(path), "%s/%s", p->bin, rel);
    return access(path, X_OK) == 0;
}

int netns_irm(const struct netns_pair *p, int side, const char *fmt, ...)
{
    char args[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return sh("OUROBUS_RUN_DIR=%s %s/tools/irm/irm --node %s %s", p->run_dir, p->bin,
              p->node[side], args);
}

static pid_t irmd_start(struct netns_pair *p, int side)
{
    char path[700], sock[200];
    pid_t pid;

    snprintf(path, sizeof(path), "%s/services/irm/ourobus-irmd", p->bin);
    pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);

        /* The node's daemons on one CPU: the IPCPs it starts inherit it. */
        bench_pin(side);
        if (netns_enter(p, side) < 0)
            _exit(126);
        const char *lvl = getenv("BENCH_SHIM_LOG"); /* the daemons' log on stderr */

        dup2(fd, 1);
        if (lvl == NULL)
            dup2(fd, 2);
        execl(path, "ourobus-irmd", "--node", p->node[side], "--log", lvl ? lvl : "warn",
              (char *)NULL);
        _exit(127);
    }
    snprintf(sock, sizeof(sock), "%s/%s/irmd.ctl", p->run_dir, p->node[side]);
    for (int i = 0; i < 500; i++) {
        if (access(sock, F_OK) == 0)
            return pid;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

int netns_up(struct netns_pair *p)
{
    ssize_t n;
    char *slash;

    n = readlink("/proc/self/exe", p->bin, sizeof(p->bin) - 1);
    p->bin[n > 0 ? n : 0] = '\0';
    for (int up = 0; up < 3 && (slash = strrchr(p->bin, '/')) != NULL; up++)
        *slash = '\0'; /* <build>/bench/shim/bench_shim -> <build> */
    snprintf(p->run_dir, sizeof(p->run_dir), "/tmp/ourobus-bench-shim-%d", (int)getpid());
    mkdir(p->run_dir, 0755);
    setenv("OUROBUS_RUN_DIR", p->run_dir, 1);
    for (int s = 0; s < 2; s++) {
        snprintf(p->ns[s], sizeof(p->ns[s]), "obb%d%c", (int)getpid(), 'a' + s);
        snprintf(p->ifc[s], sizeof(p->ifc[s]), "vb%d%c", (int)getpid() % 100000, 'a' + s);
        snprintf(p->node[s], sizeof(p->node[s]), "bs%d%c", (int)getpid(), 'a' + s);
        p->irmd[s] = -1;
        if (sh("ip netns add %s", p->ns[s]) < 0 ||
            sh("ip -n %s link set lo up", p->ns[s]) < 0) {
            fprintf(stderr, "bench shim: cannot make network namespace %s\n", p->ns[s]);
            return -1;
        }
    }
    if (sh("ip link add %s netns %s type veth peer name %s netns %s", p->ifc[0], p->ns[0],
           p->ifc[1], p->ns[1]) < 0 ||
        sh("ip -n %s addr add %s/24 dev %s", p->ns[0], NETNS_ADDR_A, p->ifc[0]) < 0 ||
        sh("ip -n %s addr add %s/24 dev %s", p->ns[1], NETNS_ADDR_B, p->ifc[1]) < 0 ||
        sh("ip -n %s link set %s up", p->ns[0], p->ifc[0]) < 0 ||
        sh("ip -n %s link set %s up", p->ns[1], p->ifc[1]) < 0) {
        fprintf(stderr, "bench shim: cannot make the veth pair\n");
        return -1;
    }
    for (int s = 0; s < 2; s++) {
        p->irmd[s] = irmd_start(p, s);
        if (p->irmd[s] < 0) {
            fprintf(stderr, "bench shim: the IRM daemon of %s does not start\n", p->node[s]);
            return -1;
        }
    }
    return 0;
}

void netns_down(struct netns_pair *p)
{
    for (int s = 0; s < 2; s++) {
        if (p->irmd[s] > 0) {
            kill(p->irmd[s], SIGTERM);
            if (bench_wait(p->irmd[s], 3000) < 0) /* kills it after the timeout */
                waitpid(p->irmd[s], NULL, WNOHANG);
            sh("OUROBUS_RUN_DIR=%s %s/services/irm/ourobus-irmd --wipe --node %s", p->run_dir,
               p->bin, p->node[s]);
        }
    }
    for (int s = 0; s < 2; s++) {
        /* What the nodes started (their IPCPs) lives in the namespaces. */
        sh("ip netns pids %s | grep -vx %d | xargs -r kill -9", p->ns[s], (int)getpid());
        sh("ip netns del %s", p->ns[s]);
    }
    sh("rm -rf %s", p->run_dir);
}
