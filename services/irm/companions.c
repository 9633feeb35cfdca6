/*
 * companions.c - the two services that run beside the routing daemon of a
 * unicast IPCP the IRM daemon started (docs/unicast.md): ourobus-fa and
 * ourobus-directory. They are started with the IPCP, restarted alone when
 * they die (100 ms, doubling up to 5 s; a run of 10 s resets the delay),
 * stopped when the IPCP is destroyed, and found again (adopted, by their
 * command line) by an IRM daemon that restarted while they ran.
 */
#include "irmd.h"

#include "deadline.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMP_KINDS       2
#define COMP_BACKOFF_MS  100u
#define COMP_BACKOFF_MAX 5000u
#define COMP_STABLE_MS   10000u

extern char **environ;

static const char *const comp_bin[COMP_KINDS] = {"ourobus-fa", "ourobus-directory"};

struct companion {
    struct irmd *d;
    char ipcp[NAME_SIZE + 1];
    int kind;
    pid_t pid;  /* 0 while down */
    int pidfd;  /* readable when it exits, -1 if none */
    bool child; /* spawned by this process: reaped with waitpid */
    uint32_t backoff_ms;
    uint64_t up_since; /* ns */
    int timer;         /* the restart timer, -1 if none */
};

static struct companion *comps[IRMD_COMPANIONS_MAX];

static const char *comp_name(const struct companion *c)
{
    return comp_bin[c->kind] + strlen("ourobus-");
}

static int on_exit_fd(zloop_t *loop, zmq_pollitem_t *item, void *arg);

static void watch(struct companion *c)
{
    zmq_pollitem_t item = {.fd = -1, .events = ZMQ_POLLIN};

    c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    if (c->pidfd < 0)
        return;
    item.fd = c->pidfd;
    if (zloop_poller(c->d->loop, &item, on_exit_fd, c) < 0) {
        close(c->pidfd);
        c->pidfd = -1;
    }
}

static void unwatch(struct companion *c)
{
    zmq_pollitem_t item = {.fd = c->pidfd};

    if (c->pidfd < 0)
        return;
    zloop_poller_end(c->d->loop, &item);
    close(c->pidfd);
    c->pidfd = -1;
}

bool irmd_daemon_of(pid_t pid, const char *node, const char *prog, const char *ipcp)
{
    char path[64], args[4096];
    bool node_ok = false, ipcp_ok = false;
    const char *base;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return false;
    n = fread(args, 1, sizeof(args) - 1, f);
    fclose(f);
    args[n] = '\0';
    base = strrchr(args, '/') != NULL ? strrchr(args, '/') + 1 : args;
    if (n == 0 || (prog != NULL ? strcmp(base, prog) != 0 : strncmp(base, "ourobus-", 8) != 0))
        return false;
    for (size_t i = strlen(args) + 1; i < n; i += strlen(args + i) + 1) {
        size_t next = i + strlen(args + i) + 1;
        const char *val = next < n ? args + next : "";

        if (strcmp(args + i, "--node") == 0 && strcmp(val, node) == 0)
            node_ok = true;
        else if (strcmp(args + i, "--ipcp") == 0 && (ipcp == NULL || strcmp(val, ipcp) == 0))
            ipcp_ok = true;
    }
    return node_ok && ipcp_ok;
}

/* Is pid c's program for c's node and IPCP (an adoption)? */
static bool is_comp(pid_t pid, const struct companion *c)
{
    return irmd_daemon_of(pid, c->d->rf->node, comp_bin[c->kind], c->ipcp);
}

static pid_t find_running(const struct companion *c)
{
    struct dirent *e;
    DIR *dir = opendir("/proc");
    pid_t found = 0;

    if (dir == NULL)
        return 0;
    while (found == 0 && (e = readdir(dir)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);

        if (*end == '\0' && pid > 0 && pid != getpid() && is_comp((pid_t)pid, c))
            found = (pid_t)pid;
    }
    closedir(dir);
    return found;
}

static int spawn(struct companion *c)
{
    char path[PATH_MAX];
    char *argv[] = {path, "--node", (char *)c->d->rf->node, "--ipcp", c->ipcp, NULL};
    posix_spawnattr_t attr;
    pid_t pid;
    int err;

    if (ipcps_find_program(c->d, comp_bin[c->kind], path, sizeof(path)) < 0) {
        log_warn("IPCP %s: %s is not installed: its layer cannot %s", c->ipcp,
                 comp_bin[c->kind], c->kind == 0 ? "allocate flows" : "resolve names");
        return -ENOENT;
    }
    posix_spawnattr_init(&attr);
    service_spawnattr_unblock_signals(&attr);
    err = posix_spawn(&pid, path, NULL, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    if (err != 0) {
        log_err("IPCP %s: cannot start %s: %s", c->ipcp, path, strerror(err));
        return -err;
    }
    c->pid = pid;
    c->child = true;
    c->up_since = now_ns();
    watch(c);
    log_info("IPCP %s: started its %s (pid %d)", c->ipcp, comp_name(c), (int)pid);
    return 0;
}

static int on_restart(zloop_t *loop, int timer, void *arg)
{
    struct companion *c = arg;

    (void)loop;
    (void)timer;
    c->timer = -1;
    if (c->pid == 0 && spawn(c) < 0) {
        c->timer = zloop_timer(c->d->loop, COMP_BACKOFF_MAX, 1, on_restart, c);
    }
    return 0;
}

static int on_exit_fd(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct companion *c = arg;
    uint64_t ran = now_ns() - c->up_since;

    (void)loop;
    (void)item;
    unwatch(c);
    if (c->child)
        waitpid(c->pid, NULL, WNOHANG);
    if (ran > (uint64_t)COMP_STABLE_MS * 1000000ull)
        c->backoff_ms = COMP_BACKOFF_MS;
    log_warn("IPCP %s: its %s (pid %d) died: restarting it in %u ms", c->ipcp, comp_name(c),
             (int)c->pid, c->backoff_ms);
    c->pid = 0;
    c->timer = zloop_timer(c->d->loop, c->backoff_ms, 1, on_restart, c);
    c->backoff_ms = c->backoff_ms * 2 > COMP_BACKOFF_MAX ? COMP_BACKOFF_MAX : c->backoff_ms * 2;
    return 0;
}

void companions_start(struct irmd *d, const char *ipcp)
{
    for (int k = 0; k < COMP_KINDS; k++) {
        struct companion *c = NULL;
        int slot = -1;

        for (int i = 0; i < IRMD_COMPANIONS_MAX; i++) {
            if (comps[i] == NULL && slot < 0)
                slot = i;
            else if (comps[i] != NULL && comps[i]->kind == k &&
                     strcmp(comps[i]->ipcp, ipcp) == 0)
                c = comps[i];
        }
        if (c != NULL)
            continue; /* running or about to be restarted */
        if (slot < 0 || (c = calloc(1, sizeof(*c))) == NULL) {
            log_err("IPCP %s: no room to start its %s", ipcp, comp_bin[k]);
            continue;
        }
        c->d = d;
        c->kind = k;
        c->pidfd = -1;
        c->timer = -1;
        c->backoff_ms = COMP_BACKOFF_MS;
        snprintf(c->ipcp, sizeof(c->ipcp), "%s", ipcp);
        comps[slot] = c;
        c->pid = find_running(c);
        if (c->pid > 0) {
            c->up_since = now_ns();
            watch(c);
            log_info("IPCP %s: its %s runs (pid %d)", ipcp, comp_name(c), (int)c->pid);
        } else if (spawn(c) < 0) {
            c->pid = 0;
            c->timer = zloop_timer(d->loop, COMP_BACKOFF_MAX, 1, on_restart, c);
        }
    }
}

static void release(struct companion *c, bool stop)
{
    if (c->timer >= 0)
        zloop_timer_end(c->d->loop, c->timer);
    unwatch(c);
    if (stop && c->pid > 0) {
        kill(c->pid, SIGTERM);
        for (int t = 0; t < 100 && c->child; t++) {
            if (waitpid(c->pid, NULL, WNOHANG) != 0)
                break;
            if (t == 99) {
                kill(c->pid, SIGKILL);
                waitpid(c->pid, NULL, 0);
            }
            usleep(10000);
        }
    }
    free(c);
}

void companions_stop(struct irmd *d, const char *ipcp)
{
    (void)d;
    for (int i = 0; i < IRMD_COMPANIONS_MAX; i++)
        if (comps[i] != NULL && strcmp(comps[i]->ipcp, ipcp) == 0) {
            log_info("IPCP %s: stopping its %s (pid %d)", ipcp, comp_name(comps[i]),
                     (int)comps[i]->pid);
            release(comps[i], true);
            comps[i] = NULL;
        }
}

void companions_fini(struct irmd *d)
{
    (void)d;
    /* They keep running, as the IPCP daemons do: the next IRM daemon
     * adopts them. */
    for (int i = 0; i < IRMD_COMPANIONS_MAX; i++)
        if (comps[i] != NULL) {
            release(comps[i], false);
            comps[i] = NULL;
        }
}
