/*
 * procs.c - the processes of the node: announced by libflow, each given a
 * set of event queues, watched through a pidfd, and reaped within
 * milliseconds of their death: flows closed (peers told at once), waiting
 * requests dropped, bindings removed, pool blocks reclaimed.
 */
#include "irmd.h"

#include "bus_server.h"
#include "log.h"
#include "shm_object.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int pidfd_open_pid(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int on_exit_fd(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct irmd *d = arg;
    struct reg_proc *p;

    (void)loop;
    /* Find the process behind the fd (few processes: a scan is fine). */
    for (p = zhashx_first(d->reg.procs); p != NULL; p = zhashx_next(d->reg.procs))
        if (p->pidfd == item->fd)
            break;
    if (p != NULL)
        procs_reap(d, p->pid);
    return 0;
}

int procs_watch(struct irmd *d, struct reg_proc *p)
{
    zmq_pollitem_t item = {.fd = -1, .events = ZMQ_POLLIN};

    if (p->pidfd >= 0)
        return 0;
    p->pidfd = pidfd_open_pid(p->pid);
    if (p->pidfd < 0)
        return -errno;
    fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
    item.fd = p->pidfd;
    if (zloop_poller(d->loop, &item, on_exit_fd, d) < 0) {
        close(p->pidfd);
        p->pidfd = -1;
        return -ENOMEM;
    }
    return 0;
}

static void unwatch(struct irmd *d, struct reg_proc *p)
{
    zmq_pollitem_t item = {.fd = p->pidfd};

    if (p->pidfd < 0)
        return;
    zloop_poller_end(d->loop, &item);
    close(p->pidfd);
    p->pidfd = -1;
}

/* The process's event queues: reused if they survived our restart (or,
 * for an IPCP, its own restart: they are named after the IPCP). */
static int evq_open(struct irmd *d, struct reg_proc *p)
{
    char obj[NAME_SIZE + 16];
    int err;

    if (p->evq.base != NULL)
        return 0;
    if (p->ipcp)
        snprintf(obj, sizeof(obj), "evq.ipcp.%s", p->prog);
    else
        snprintf(obj, sizeof(obj), "evq.%d", (int)p->pid);
    err = run_folder_shm_name(d->rf, obj, p->evq_name, sizeof(p->evq_name));
    if (err < 0)
        return err;
    if (evq_set_attach(&p->evq, p->evq_name) == 0)
        return 0;
    shm_object_unlink(p->evq_name);
    return evq_set_create(&p->evq, p->evq_name, EVQ_SET_COUNT, EVQ_SET_SLOTS, d->shm_mode,
                          p->pid);
}

/* The queues of the application side of an IPCP daemon: named after its
 * pid, as an application's. */
static int app_evq_open(struct irmd *d, struct reg_proc *p)
{
    char obj[32];
    int err;

    if (p->app_evq.base != NULL)
        return 0;
    snprintf(obj, sizeof(obj), "evq.%d", (int)p->pid);
    err = run_folder_shm_name(d->rf, obj, p->app_evq_name, sizeof(p->app_evq_name));
    if (err < 0)
        return err;
    if (evq_set_attach(&p->app_evq, p->app_evq_name) == 0)
        return 0;
    shm_object_unlink(p->app_evq_name);
    return evq_set_create(&p->app_evq, p->app_evq_name, EVQ_SET_COUNT, EVQ_SET_SLOTS,
                          d->shm_mode, p->pid);
}

const char *procs_evq_name(const struct reg_proc *p, bool ipcp_end)
{
    return p->ipcp && p->app && !ipcp_end ? p->app_evq_name : p->evq_name;
}

static struct evq_set *evq_of(struct reg_proc *p, bool ipcp_end)
{
    return p->ipcp && p->app && !ipcp_end ? &p->app_evq : &p->evq;
}

static int announce(struct irmd *d, pid_t pid, const char *prog, bool ipcp,
                    struct reg_proc **out)
{
    struct reg_proc *p;
    bool fresh;
    int err;

    if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
        return -ESRCH;
    p = reg_proc_get(&d->reg, pid);
    fresh = p == NULL;
    /* A process may be both an IPCP daemon and an application of the
     * layers below it: each side keeps queues of its own, whichever
     * announced first (a later announce of either must not take the
     * other's away while it maps them). */
    if (p != NULL && p->ipcp && !ipcp) {
        err = app_evq_open(d, p);
        if (err < 0) {
            log_err("cannot make the event queues of process %d: %s", (int)pid, strerror(-err));
            return err;
        }
        if (!p->app)
            log_info("IPCP process %d (%s) is an application too", (int)pid, p->prog);
        p->app = true;
        *out = p;
        broker_match(d);
        return 0;
    }
    if (p != NULL && !p->ipcp && ipcp && p->evq.base != NULL) {
        p->app_evq = p->evq;
        snprintf(p->app_evq_name, sizeof(p->app_evq_name), "%s", p->evq_name);
        p->app = true;
        memset(&p->evq, 0, sizeof(p->evq));
        p->evq_name[0] = '\0';
    }
    p = reg_proc_add(&d->reg, pid, prog);
    if (p == NULL)
        return -ENOMEM;
    p->ipcp = ipcp;
    err = procs_watch(d, p);
    if (err < 0 && err != -ENOSYS) {
        log_err("cannot watch process %d: %s", (int)pid, strerror(-err));
        reg_proc_del(&d->reg, pid);
        return err == -ESRCH ? -ESRCH : err;
    }
    err = evq_open(d, p);
    if (err < 0) {
        log_err("cannot make the event queues of process %d: %s", (int)pid, strerror(-err));
        unwatch(d, p);
        reg_proc_del(&d->reg, pid);
        return err;
    }
    persist_proc(d, p, true);
    if (fresh && !ipcp)
        log_info("process %d (%s) announced", (int)pid, prog);
    *out = p;
    if (!ipcp)
        broker_match(d); /* it may serve waiting allocations */
    return 0;
}

int procs_announce(struct irmd *d, pid_t pid, const char *prog, struct reg_proc **out)
{
    return announce(d, pid, prog, false, out);
}

int procs_announce_ipcp(struct irmd *d, pid_t pid, const char *ipcp_name, struct reg_proc **out)
{
    return announce(d, pid, ipcp_name, true, out);
}

void procs_restore(struct irmd *d, struct reg_proc *p)
{
    pid_t pid = p->pid;

    if (procs_watch(d, p) < 0 || evq_open(d, p) < 0) {
        log_info("process %d (%s) died while we were down", (int)pid, p->prog);
        procs_reap(d, pid);
    }
}

void procs_post(struct irmd *d, pid_t pid, bool ipcp_end, struct ring *r, uint32_t flow_id,
                uint8_t type)
{
    struct reg_proc *p = reg_proc_get(&d->reg, pid);
    uint32_t q = ring_notify(r);
    struct evq *evq;

    /* A reader without a flow set blocks on the ring itself: the state
     * change woke it, no event is needed. */
    if (p == NULL || q == 0 || (evq = evq_set_queue(evq_of(p, ipcp_end), q)) == NULL)
        return;
    if (evq_post(evq, flow_id, type) < 0)
        log_warn("event queue %u of process %d is full: it will rescan", q, (int)pid);
}

/* Does reaping the process close end e of f? Not an IPCP's own ends: they
 * wait for its next process. */
#define CLOSES(f, e)                                                                           \
    ((f)->end[e].pid == pid && (f)->end[e].open && (ipcp == NULL || !(f)->end[e].ipcp))

void procs_reap(struct irmd *d, pid_t pid)
{
    struct reg_proc *p = reg_proc_get(&d->reg, pid);
    struct reg_flow *f;
    struct reg_accept *a;
    struct reg_alloc *w;
    struct reg_ipcp *ipcp;
    uint32_t ids[256];
    int nflows = 0;
    int blocks;
    bool more = true;

    if (p == NULL)
        return;
    unwatch(d, p);
    if (p->spawned)
        waitpid(pid, NULL, WNOHANG);
    ipcp = p->ipcp ? reg_ipcp_get(&d->reg, pid) : NULL;
    if (ipcp != NULL) {
        /* An IPCP keeps its flows while it restarts; blocks it held in
         * them may be stranded under the ring tags. */
        for (f = zhashx_first(d->reg.flows); f != NULL; f = zhashx_next(d->reg.flows))
            for (int e = 0; e < 2; e++)
                if (f->end[e].ipcp && f->end[e].pid == pid && f->end[e].open) {
                    f->dirty = true;
                    nflows++;
                }
        more = p->app;
    }
    /* Close its ends of flows (an IPCP's application side's only); the
     * peers learn it at once. Flows are collected first: closing may
     * delete them from the table. */
    while (more) {
        int n = 0;
        more = false;
        for (f = zhashx_first(d->reg.flows); f != NULL; f = zhashx_next(d->reg.flows)) {
            if (CLOSES(f, 0) || CLOSES(f, 1)) {
                if (n == (int)(sizeof(ids) / sizeof(ids[0]))) {
                    more = true;
                    break;
                }
                ids[n++] = f->id;
            }
        }
        for (int i = 0; i < n; i++) {
            f = reg_flow_get(&d->reg, ids[i]);
            for (int e = 0; f != NULL && e < 2; e++) {
                if (CLOSES(f, e)) {
                    broker_close_end(d, f, e, true);
                    f = reg_flow_get(&d->reg, ids[i]);
                }
            }
        }
        if (ipcp == NULL)
            nflows += n;
    }
    for (a = zlistx_first(d->reg.accepts); a != NULL; a = zlistx_next(d->reg.accepts)) {
        if (a->pid == pid) {
            bus_server_drop_deferred(service_bus(d->svc), a->ticket);
            zlistx_delete(d->reg.accepts, zlistx_cursor(d->reg.accepts));
            free(a);
        }
    }
    for (w = zlistx_first(d->reg.allocs); w != NULL; w = zlistx_next(d->reg.allocs)) {
        if (w->pid == pid) {
            bus_server_drop_deferred(service_bus(d->svc), w->ticket);
            zlistx_delete(d->reg.allocs, zlistx_cursor(d->reg.allocs));
            free(w->name);
            free(w);
        }
    }
    if (reg_proc_unbind(&d->reg, pid, NULL) > 0)
        persist_binds(d);
    blocks = pool_reclaim(d->pool, pid);
    evq_set_detach(&p->evq);
    /* An IPCP's queues stay: its flows' applications post to them, and
     * its next process reads them. */
    if (p->evq_name[0] != '\0' && !p->ipcp)
        shm_object_unlink(p->evq_name);
    if (p->app) {
        evq_set_detach(&p->app_evq);
        if (p->app_evq_name[0] != '\0')
            shm_object_unlink(p->app_evq_name);
    }
    if (ipcp != NULL)
        log_info("IPCP process %d (%s) exited: %d flow end%s kept, %d pool block%s reclaimed",
                 (int)pid, p->prog, nflows, nflows == 1 ? "" : "s", blocks,
                 blocks == 1 ? "" : "s");
    else
        log_info("process %d (%s) exited: %d flow end%s closed, %d pool block%s reclaimed",
                 (int)pid, p->prog, nflows, nflows == 1 ? "" : "s", blocks,
                 blocks == 1 ? "" : "s");
    persist_proc(d, p, false);
    reg_proc_del(&d->reg, pid);
    if (ipcp != NULL)
        ipcps_died(d, ipcp, pid);
}

pid_t procs_spawn(struct irmd *d, const struct reg_prog_bind *b)
{
    posix_spawnattr_t attr;
    char node_env[64];
    char **env;
    size_t n = 0;
    pid_t pid;
    int err;

    /* The program talks to this node, whatever the environment said. */
    while (environ[n] != NULL)
        n++;
    env = calloc(n + 2, sizeof(char *));
    if (env == NULL)
        return -ENOMEM;
    snprintf(node_env, sizeof(node_env), "OUROBUS_NODE=%s", d->rf->node);
    n = 0;
    for (char **e = environ; *e != NULL; e++)
        if (strncmp(*e, "OUROBUS_NODE=", 13) != 0)
            env[n++] = *e;
    env[n++] = node_env;
    posix_spawnattr_init(&attr);
    service_spawnattr_unblock_signals(&attr);
    err = posix_spawn(&pid, b->path, NULL, &attr, b->argv, env);
    posix_spawnattr_destroy(&attr);
    free(env);
    if (err != 0) {
        log_err("cannot start %s for name %s: %s", b->path, b->name, strerror(err));
        return -err;
    }
    log_info("started %s (pid %d) for a flow to %s", b->path, (int)pid, b->name);
    /* Known at once, so it is not started twice and is reaped. */
    {
        struct reg_proc *p = reg_proc_add(&d->reg, pid, b->base);
        if (p != NULL) {
            p->spawned = true;
            procs_watch(d, p);
        }
    }
    return pid;
}
