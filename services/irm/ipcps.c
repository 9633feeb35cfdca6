/*
 * ipcps.c - the IPCP daemons of the node: started and restarted with
 * back-off (the ones we start), announced (every one), kept with their
 * flows while they restart, asked to bootstrap, to register names, to
 * answer queries and to carry flows - through calls made off the main loop
 * (call_pool), answered to the irm client when the IPCP answers.
 */
#include "irmd.h"

#include "deadline.h"
#include "hash.h"
#include "ipcp.pb.h"
#include "ipcp_config_msg.h"
#include "log.h"
#include "qos_msg.h"
#include "shm_object.h"

#include <errno.h>
#include <limits.h>
#include <ourobus/errno.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* The daemon that runs an IPCP of a type, and the name of the type. */
static const char *ipcp_binary(enum ipcp_type type)
{
    switch (type) {
    case IPCP_UDP4:
    case IPCP_UDP6:
        return "ourobus-shim-udp";
    case IPCP_ETH_LLC:
    case IPCP_ETH_DIX:
        return "ourobus-shim-eth";
    case IPCP_UNICAST:
        return "ourobus-routing";
    case IPCP_BROADCAST:
        return "ourobus-broadcast";
    default:
        return NULL;
    }
}

static const char *ipcp_state_name(enum ipcp_state s)
{
    switch (s) {
    case IPCP_STATE_INIT:
        return "not bootstrapped yet";
    case IPCP_STATE_BOOT:
        return "booting";
    case IPCP_STATE_OPERATIONAL:
        return "operational";
    default:
        return "down";
    }
}

static const char *type_name(enum ipcp_type type)
{
    static const char *const names[] = {"local",   "unicast", "broadcast", "eth-llc",
                                        "eth-dix", "udp4",    "udp6"};
    return type < IPCP_INVALID ? names[type] : "invalid";
}

/* Preference for a flow to a name not served here: the lowest layer wins. */
static int type_rank(enum ipcp_type type)
{
    return (int)type;
}

/* Look for a program next to this daemon (an installed tree, or the build
 * tree where each service has its folder), then in PATH. */
int ipcps_find_program(struct irmd *d, const char *prog, char *out, size_t len)
{
    const char *path = getenv("PATH");
    const char *svc = prog + strlen("ourobus-");
    char cand[PATH_MAX];

    snprintf(cand, sizeof(cand), "%s/%s", d->exe_dir, prog);
    if (access(cand, X_OK) == 0)
        goto found;
    snprintf(cand, sizeof(cand), "%s/../%s/%s", d->exe_dir, svc, prog);
    if (access(cand, X_OK) == 0)
        goto found;
    while (path != NULL && *path != '\0') {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, path, prog);
        if (access(cand, X_OK) == 0)
            goto found;
        path = colon ? colon + 1 : NULL;
    }
    return -ENOENT;
found:
    snprintf(out, len, "%s", cand);
    return 0;
}

static void plan_step(struct irmd *d, struct reg_ipcp *i);
static void plan_drop(struct reg_ipcp *i);

/* A timer for an IPCP, by name: the IPCP may be gone when it fires. */
struct ipcp_timer {
    struct irmd *d;
    char name[NAME_SIZE + 1];
    uint64_t ticket;         /* the IPCP's timer_ticket when it was set */
    int id;                  /* the zloop timer */
    struct ipcp_timer *next; /* in d->ipcp_timers until it fires */
};

int ipcps_init(struct irmd *d)
{
    d->calls = call_pool_new(d->loop, "irmd", CALL_POOL_THREADS);
    return d->calls != NULL ? 0 : -ENOMEM;
}

void ipcps_fini(struct irmd *d)
{
    companions_fini(d);
    call_pool_destroy(&d->calls);
    /* Timers that never fired (a grace period, a restart) own their arg. */
    while (d->ipcp_timers != NULL) {
        struct ipcp_timer *a = d->ipcp_timers;

        d->ipcp_timers = a->next;
        zloop_timer_end(d->loop, a->id);
        free(a);
    }
}

/* ---- start, restart ---- */

static pid_t spawn_ipcp(struct irmd *d, struct reg_ipcp *i)
{
    const char *bin = ipcp_binary(i->type);
    char path[PATH_MAX], node_env[64];
    char *argv[] = {path,    "--node", (char *)d->rf->node,        "--ipcp",
                    i->name, "--type", (char *)type_name(i->type), NULL};
    posix_spawnattr_t attr;
    struct reg_proc *p;
    char **env;
    size_t n = 0;
    pid_t pid;
    int err;

    if (bin == NULL || ipcps_find_program(d, bin, path, sizeof(path)) < 0)
        return -EIPCPTYPE;
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
    env[n] = node_env;
    posix_spawnattr_init(&attr);
    service_spawnattr_unblock_signals(&attr);
    err = posix_spawn(&pid, path, NULL, &attr, argv, env);
    posix_spawnattr_destroy(&attr);
    free(env);
    if (err != 0) {
        log_err("IPCP %s: cannot start %s: %s", i->name, path, strerror(err));
        return -err;
    }
    /* Known at once: reaped when it exits, even before it announces. */
    p = reg_proc_add(&d->reg, pid, i->name);
    if (p != NULL) {
        p->spawned = true;
        p->ipcp = true;
        procs_watch(d, p);
    }
    log_info("IPCP %s: started %s (pid %d)", i->name, path, (int)pid);
    return pid;
}

static struct ipcp_timer *timer_new(struct irmd *d, const char *name)
{
    struct ipcp_timer *a = calloc(1, sizeof(*a));

    if (a != NULL) {
        a->d = d;
        snprintf(a->name, sizeof(a->name), "%s", name);
    }
    return a;
}

/* Run fn for IPCP i in ms, unless something newer happens to i first (a
 * later timer, its announce, its destruction): then the timer does
 * nothing when it fires. */
static void schedule(struct irmd *d, struct reg_ipcp *i, uint32_t ms, zloop_timer_fn fn)
{
    static uint64_t tickets;
    struct ipcp_timer *a = timer_new(d, i->name);

    if (a == NULL)
        return;
    a->ticket = i->timer_ticket = ++tickets;
    a->id = zloop_timer(d->loop, ms, 1, fn, a);
    if (a->id < 0) {
        i->timer_ticket = 0;
        free(a);
        return;
    }
    a->next = d->ipcp_timers;
    d->ipcp_timers = a;
}

/* The IPCP a timer is for, if the timer still stands; frees a. */
static struct reg_ipcp *timer_ipcp(struct ipcp_timer *a)
{
    struct reg_ipcp *i = reg_ipcp_by_name(&a->d->reg, a->name);

    for (struct ipcp_timer **pp = &a->d->ipcp_timers; *pp != NULL; pp = &(*pp)->next)
        if (*pp == a) {
            *pp = a->next;
            break;
        }
    if (i != NULL && i->timer_ticket != a->ticket)
        i = NULL;
    if (i != NULL)
        i->timer_ticket = 0;
    free(a);
    return i;
}

static void info_of(const struct reg_ipcp *i, irm_ipcp_info_t *m)
{
    memset(m, 0, sizeof(*m));
    m->pid = i->pid;
    snprintf(m->name, sizeof(m->name), "%s", i->name);
    m->type = (irm_ipcp_type_t)i->type;
    snprintf(m->layer, sizeof(m->layer), "%s", i->layer ? i->layer : "");
    m->state = (uint32_t)i->state;
    snprintf(m->endpoint, sizeof(m->endpoint), "%s", i->endpoint ? i->endpoint : "");
    m->max_sdu = i->max_sdu;
}

static void reply_create(struct irmd *d, struct reg_ipcp *i, int status)
{
    irm_ipcp_info_t m;
    uint8_t buf[IRM_IPCP_INFO_SIZE];
    pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));

    if (i->create_ticket == 0)
        return;
    info_of(i, &m);
    if (status == 0 && !pb_encode(&os, IRM_IPCP_INFO_FIELDS, &m))
        status = -ENOMEM;
    bus_server_reply_deferred(service_bus(d->svc), i->create_ticket, status, buf,
                              status == 0 ? os.bytes_written : 0);
    i->create_ticket = 0;
}

static int on_create_timeout(zloop_t *loop, int timer, void *arg)
{
    struct irmd *d = ((struct ipcp_timer *)arg)->d;
    struct reg_ipcp *i = timer_ipcp(arg);

    (void)loop;
    (void)timer;
    if (i != NULL && !i->announced) {
        log_err("IPCP %s: its daemon did not announce itself in time", i->name);
        reply_create(d, i, -EIPCP);
        if (i->pid > 0)
            kill(i->pid, SIGTERM);
        i->spawned = false;
    }
    return 0;
}

int ipcps_create(struct irmd *d, const char *name, enum ipcp_type type, struct bus_reply *rep)
{
    struct reg_ipcp *i;
    char path[PATH_MAX];
    pid_t pid;

    if (reg_ipcp_by_name(&d->reg, name) != NULL)
        return -EEXIST;
    if (type == IPCP_LOCAL) {
        log_info("IPCP %s: local flows need no IPCP, the IRM daemon wires them", name);
        return -EIPCPTYPE;
    }
    if (ipcp_binary(type) == NULL ||
        ipcps_find_program(d, ipcp_binary(type), path, sizeof(path)) < 0) {
        log_warn("IPCP %s: %s is not installed", name,
                 ipcp_binary(type) ? ipcp_binary(type) : "its daemon");
        return -EIPCPTYPE;
    }
    i = reg_ipcp_add(&d->reg, 0, name, type);
    if (i == NULL)
        return -ENOMEM;
    i->spawned = true;
    i->state = IPCP_STATE_INIT;
    i->backoff_ms = IRMD_IPCP_BACKOFF_MS;
    pid = spawn_ipcp(d, i);
    if (pid < 0) {
        reg_ipcp_remove(&d->reg, i);
        return (int)pid;
    }
    i->pid = pid;
    schedule(d, i, IRMD_IPCP_CALL_MS, on_create_timeout);
    persist_ipcp(d, i, true);
    if (type == IPCP_UNICAST)
        companions_start(d, name);
    if (rep == NULL)
        return 0; /* the node file's: nobody waits */
    i->create_ticket = bus_reply_defer(rep);
    return BUS_REPLY_DEFERRED;
}

static int on_restart(zloop_t *loop, int timer, void *arg)
{
    struct irmd *d = ((struct ipcp_timer *)arg)->d;
    struct reg_ipcp *i = timer_ipcp(arg);
    pid_t pid;

    (void)loop;
    (void)timer;
    if (i == NULL || i->pid > 0 || !i->spawned)
        return 0;
    pid = spawn_ipcp(d, i);
    if (pid > 0) {
        i->pid = pid;
        i->state = IPCP_STATE_INIT;
        return 0;
    }
    /* Try again later. */
    schedule(d, i, i->backoff_ms, on_restart);
    i->backoff_ms =
        i->backoff_ms * 2 > IRMD_IPCP_BACKOFF_MAX ? IRMD_IPCP_BACKOFF_MAX : i->backoff_ms * 2;
    return 0;
}

/* Close every flow end of i: the layer is gone for them. */
static void close_flows(struct irmd *d, struct reg_ipcp *i, pid_t pid)
{
    uint32_t ids[256];
    int n;

    do {
        n = 0;
        for (struct reg_flow *f = zhashx_first(d->reg.flows); f != NULL && n < 256;
             f = zhashx_next(d->reg.flows))
            for (int e = 0; e < 2; e++)
                if (f->end[e].ipcp && f->end[e].pid == pid && f->end[e].open) {
                    ids[n++] = f->id;
                    break;
                }
        for (int k = 0; k < n; k++) {
            struct reg_flow *f = reg_flow_get(&d->reg, ids[k]);
            for (int e = 0; f != NULL && e < 2; e++) {
                if (f->end[e].ipcp && f->end[e].pid == pid && f->end[e].open) {
                    broker_close_end(d, f, e, true);
                    f = reg_flow_get(&d->reg, ids[k]);
                }
            }
        }
    } while (n == 256);
    (void)i;
}

static int on_grace_over(zloop_t *loop, int timer, void *arg)
{
    struct irmd *d = ((struct ipcp_timer *)arg)->d;
    struct reg_ipcp *i = timer_ipcp(arg);

    (void)loop;
    (void)timer;
    if (i != NULL && i->pid == 0 && i->down_since != 0) {
        log_warn("IPCP %s did not come back: its flows end", i->name);
        close_flows(d, i, i->last_pid);
    }
    return 0;
}

void ipcps_died(struct irmd *d, struct reg_ipcp *i, pid_t pid)
{
    uint64_t now = now_ns();

    if (i->pid != pid)
        return;
    if (!i->announced) {
        /* It never came up: irm ipcp create fails, nothing is kept. */
        log_err("IPCP %s: its daemon (pid %d) exited before it announced itself", i->name,
                (int)pid);
        reply_create(d, i, -EIPCP);
        if (i->type == IPCP_UNICAST)
            companions_stop(d, i->name);
        broker_ipcp_down(d, pid);
        persist_ipcp(d, i, false);
        reg_ipcp_remove(&d->reg, i);
        return;
    }
    i->last_pid = pid;
    i->pid = 0;
    i->state = IPCP_STATE_DOWN;
    i->down_since = now;
    broker_ipcp_down(d, pid);
    if (i->spawned) {
        if (i->up_since != 0 && now - i->up_since > (uint64_t)IRMD_IPCP_STABLE_MS * 1000000ull)
            i->backoff_ms = IRMD_IPCP_BACKOFF_MS;
        log_warn("IPCP %s (pid %d) died: restarting it in %u ms, its flows wait", i->name,
                 (int)pid, i->backoff_ms);
        schedule(d, i, i->backoff_ms, on_restart);
        i->backoff_ms = i->backoff_ms * 2 > IRMD_IPCP_BACKOFF_MAX ? IRMD_IPCP_BACKOFF_MAX
                                                                  : i->backoff_ms * 2;
    } else {
        log_warn("IPCP %s (pid %d) died: its flows wait %u s for it to come back", i->name,
                 (int)pid, IRMD_IPCP_GRACE_MS / 1000);
        schedule(d, i, IRMD_IPCP_GRACE_MS, on_grace_over);
    }
    i->up_since = 0;
    persist_ipcp(d, i, true);
}

int ipcps_destroy(struct irmd *d, struct reg_ipcp *i)
{
    char evq[SHM_NAME_MAX], obj[NAME_SIZE + 16];
    pid_t pid = i->pid > 0 ? i->pid : i->last_pid;

    log_info("IPCP %s (pid %d) destroyed", i->name, (int)i->pid);
    i->spawned = false;
    i->timer_ticket = 0;
    if (i->type == IPCP_UNICAST)
        companions_stop(d, i->name);
    if (i->pid > 0)
        kill(i->pid, SIGTERM);
    close_flows(d, i, pid);
    persist_ipcp(d, i, false);
    snprintf(obj, sizeof(obj), "evq.ipcp.%s", i->name);
    if (run_folder_shm_name(d->rf, obj, evq, sizeof(evq)) == 0)
        shm_object_unlink(evq);
    reg_ipcp_remove(&d->reg, i);
    return 0;
}

/* ---- announce and resume ---- */

#define RESUME_FLOWS 24 /* flows per announce reply (irm.options) */

static void resume_fill(struct irmd *d, struct reg_ipcp *i, uint32_t offset,
                        irm_ipcp_resume_t *r)
{
    struct reg_proc *p = reg_proc_get(&d->reg, i->pid);
    uint32_t k = 0;

    r->bootstrapped = i->bootstrapped && i->conf != NULL;
    if (r->bootstrapped) {
        r->has_conf = true;
        r->conf = *i->conf;
    }
    snprintf(r->pool, sizeof(r->pool), "%s", d->pool_name);
    if (p != NULL) {
        snprintf(r->evq, sizeof(r->evq), "%s", p->evq_name);
        r->evq_count = p->evq.count;
        r->evq_slots = p->evq.slots;
    }
    for (struct reg_flow *f = zhashx_first(d->reg.flows); f != NULL;
         f = zhashx_next(d->reg.flows)) {
        for (int e = 0; e < 2; e++) {
            irm_ipcp_flow_t *out;
            if (!f->end[e].ipcp || f->end[e].pid != i->pid || !f->end[e].open ||
                f->state == FLOW_PENDING)
                continue;
            if (k++ < offset || r->flows_count >= RESUME_FLOWS)
                continue;
            out = &r->flows[r->flows_count++];
            out->has_info = true;
            broker_flow_info(d, f, e, &out->info);
            memcpy(out->blob.bytes, f->blob, f->blob_len);
            out->blob.size = (pb_size_t)f->blob_len;
            memcpy(out->hash.bytes, f->hash, f->hash_len);
            out->hash.size = (pb_size_t)f->hash_len;
        }
    }
    r->flows_total = k;
    for (char *n = zlistx_first(i->regs); n != NULL && r->regs_count < REG_IPCP_NAMES;
         n = zlistx_next(i->regs)) {
        int len = ipcps_hash(i, n, r->regs[r->regs_count].bytes);
        if (len > 0)
            r->regs[r->regs_count++].size = (pb_size_t)len;
    }
}

int ipcps_announce(struct irmd *d, const irm_ipcp_info_t *m, irm_ipcp_resume_t *resume)
{
    struct reg_ipcp *i = reg_ipcp_by_name(&d->reg, m->name);
    enum ipcp_state was = i != NULL ? i->state : IPCP_STATE_DOWN;
    struct reg_proc *p;
    bool fresh;
    pid_t old;
    int err;

    if (i == NULL) {
        /* Started by another supervisor (compose, systemd). */
        i = reg_ipcp_add(&d->reg, m->pid, m->name, (enum ipcp_type)m->type);
        if (i == NULL)
            return -ENOMEM;
        i->backoff_ms = IRMD_IPCP_BACKOFF_MS;
    } else if (i->type != (enum ipcp_type)m->type) {
        return -EIPCPTYPE;
    }
    /* The process before this one: a pid we spawned is already i->pid. */
    old = i->pid > 0 && i->pid != m->pid ? i->pid : i->last_pid;
    if (old != m->pid && old > 0) {
        /* A new process of this IPCP: its flows are its own again. */
        for (struct reg_flow *f = zhashx_first(d->reg.flows); f != NULL;
             f = zhashx_next(d->reg.flows)) {
            for (int e = 0; e < 2; e++) {
                if (!f->end[e].ipcp || f->end[e].pid != old)
                    continue;
                f->end[e].pid = m->pid;
                ring_set_producer(f->ring[e].ring, m->pid);
                ring_set_consumer(f->ring[1 - e].ring, m->pid);
                persist_flow(d, f, true);
            }
        }
        if (i->pid > 0 && i->pid != m->pid && reg_proc_get(&d->reg, i->pid) != NULL)
            log_warn("IPCP %s: pid %d replaces pid %d", i->name, (int)m->pid, (int)i->pid);
    }
    fresh = reg_proc_get(&d->reg, m->pid) == NULL || i->pid != m->pid;
    i->pid = m->pid;
    err = procs_announce_ipcp(d, m->pid, i->name, &p);
    if (err < 0)
        return err;
    i->timer_ticket = 0; /* a restart or a grace period in wait: no more */
    i->announced = true;
    if (i->up_since == 0)
        i->up_since = now_ns();
    i->down_since = 0;
    i->state = (enum ipcp_state)m->state;
    if (m->layer[0] != '\0') {
        free(i->layer);
        i->layer = strdup(m->layer);
    }
    free(i->endpoint);
    i->endpoint = strdup(m->endpoint);
    if (m->max_sdu != 0)
        i->max_sdu = m->max_sdu;
    reply_create(d, i, 0);
    persist_ipcp(d, i, true);
    if (resume != NULL)
        resume_fill(d, i, m->flows_offset, resume);
    if (i->plan != NULL && !i->plan->busy)
        plan_step(d, i);
    if (m->flows_offset == 0 && (fresh || i->state != was))
        log_info("IPCP %s (%s, pid %d) %s, %s", i->name, type_name(i->type), (int)i->pid,
                 fresh ? "announced" : "reports", ipcp_state_name(i->state));
    return 0;
}

/* ---- calls to an IPCP ---- */

struct ipcp_call {
    struct irmd *d;
    uint64_t ticket;
    char ipcp[NAME_SIZE + 1];
    char name[NAME_SIZE + 1];
    bool reg;
    irm_ipcp_config_t *conf; /* a bootstrap: kept when it succeeds */
    uint32_t method;         /* a forwarded request */
};

static struct ipcp_call *call_new(struct irmd *d, struct reg_ipcp *i, struct bus_reply *rep)
{
    struct ipcp_call *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->d = d;
    snprintf(c->ipcp, sizeof(c->ipcp), "%s", i->name);
    if (rep != NULL) {
        c->ticket = bus_reply_defer(rep);
        if (c->ticket == 0) {
            free(c);
            return NULL;
        }
    }
    return c;
}

static void call_free(struct ipcp_call *c)
{
    free(c->conf);
    free(c);
}

static void reply_call(struct ipcp_call *c, int status, const uint8_t *rep, size_t len)
{
    if (c->ticket != 0)
        bus_server_reply_deferred(service_bus(c->d->svc), c->ticket, status, rep,
                                  status >= 0 ? len : 0);
}

static int submit(struct irmd *d, struct reg_ipcp *i, uint32_t method,
                  const pb_msgdesc_t *fields, const void *msg, int timeout_ms,
                  call_done_fn done, void *c)
{
    int err;

    if (i->pid <= 0 || i->endpoint == NULL || i->endpoint[0] == '\0')
        return -EIPCPSTATE;
    err = call_pool_submit_pb(d->calls, i->endpoint, method, fields, msg, timeout_ms, done, c);
    return err;
}

static void on_bootstrapped(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct ipcp_call *c = arg;
    struct reg_ipcp *i = reg_ipcp_by_name(&c->d->reg, c->ipcp);

    if (status == 0 && i != NULL) {
        free(i->conf);
        i->conf = c->conf;
        c->conf = NULL;
        i->bootstrapped = true;
        free(i->layer);
        i->layer = strdup(i->conf->layer);
        persist_ipcp(c->d, i, true);
        log_info("IPCP %s bootstrapped in layer %s", i->name, i->layer);
    } else {
        log_warn("IPCP %s: bootstrap failed: %d", c->ipcp, status);
    }
    reply_call(c, status, rep, len);
    if (i != NULL && i->plan != NULL && c->ticket == 0) {
        i->plan->busy = false;
        if (status < 0) {
            log_err("node file: IPCP %s could not be bootstrapped: its names are not "
                    "registered",
                    i->name);
            plan_drop(i);
        } else {
            plan_step(c->d, i);
        }
    }
    call_free(c);
}

int ipcps_bootstrap(struct irmd *d, struct reg_ipcp *i, const irm_ipcp_config_t *conf,
                    struct bus_reply *rep)
{
    ipcp_bootstrap_t *m = calloc(1, sizeof(*m));
    struct ipcp_call *c;
    int err = -ENOMEM;

    if (m == NULL)
        return -ENOMEM;
    c = call_new(d, i, rep);
    if (c == NULL || (c->conf = malloc(sizeof(*conf))) == NULL)
        goto fail;
    *c->conf = *conf;
    m->has_conf = true;
    m->conf = *conf;
    err = submit(d, i, IPCP_METHOD_BOOTSTRAP, IPCP_BOOTSTRAP_FIELDS, m, IRMD_IPCP_CALL_MS,
                 on_bootstrapped, c);
    if (err < 0)
        goto fail;
    free(m);
    return BUS_REPLY_DEFERRED;
fail:
    if (c != NULL) {
        bus_server_drop_deferred(service_bus(d->svc), c->ticket);
        call_free(c);
    }
    free(m);
    return err;
}

/* An enrolled IPCP answers with the layer's config it learnt: kept as
 * if it had been bootstrapped with it, so a restart gives it back. */
static void keep_enrolled(struct ipcp_call *c, const uint8_t *rep, size_t len)
{
    struct reg_ipcp *i = reg_ipcp_by_name(&c->d->reg, c->ipcp);
    ipcp_bootstrap_t *m = calloc(1, sizeof(*m));
    pb_istream_t is = pb_istream_from_buffer(rep, len);

    if (m == NULL || i == NULL || !pb_decode(&is, IPCP_BOOTSTRAP_FIELDS, m) || !m->has_conf) {
        log_warn("IPCP %s enrolled without giving its config: a restart cannot rejoin",
                 c->ipcp);
        free(m);
        return;
    }
    free(i->conf);
    i->conf = malloc(sizeof(*i->conf));
    if (i->conf != NULL) {
        *i->conf = m->conf;
        i->bootstrapped = true;
        free(i->layer);
        i->layer = strdup(i->conf->layer);
        persist_ipcp(c->d, i, true);
        log_info("IPCP %s enrolled in layer %s", i->name, i->conf->layer);
    }
    free(m);
}

static void on_forwarded(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct ipcp_call *c = arg;

    if (c->method == IPCP_METHOD_ENROLL && status == 0) {
        keep_enrolled(c, rep, len);
        rep = NULL; /* irm_ipcp_enroll answers with an empty body */
        len = 0;
    }
    reply_call(c, status, rep, len);
    call_free(c);
}

int ipcps_forward(struct irmd *d, struct reg_ipcp *i, uint32_t method,
                  const pb_msgdesc_t *fields, const void *msg, struct bus_reply *rep)
{
    struct ipcp_call *c = call_new(d, i, rep);
    int err;

    if (c == NULL)
        return -ENOMEM;
    c->method = method;
    err = submit(d, i, method, fields, msg, IRMD_IPCP_CALL_MS * 4, on_forwarded, c);
    if (err < 0) {
        bus_server_drop_deferred(service_bus(d->svc), c->ticket);
        call_free(c);
        return err;
    }
    return BUS_REPLY_DEFERRED;
}

static void on_reg_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct ipcp_call *c = arg;
    struct reg_ipcp *i = reg_ipcp_by_name(&c->d->reg, c->ipcp);

    if (status == 0 && i != NULL) {
        if (c->reg)
            reg_ipcp_add_name(i, c->name);
        else
            reg_ipcp_del_name(i, c->name);
        persist_ipcp_reg(c->d, i->name, c->name, c->reg);
        log_info("name %s %sregistered in IPCP %s (layer %s)", c->name, c->reg ? "" : "un",
                 i->name, i->layer ? i->layer : "?");
    }
    reply_call(c, status, rep, len);
    if (i != NULL && i->plan != NULL && c->ticket == 0 && c->reg) {
        if (status < 0)
            log_err("node file: name %s could not be registered in IPCP %s: %d", c->name,
                    i->name, status);
        i->plan->busy = false;
        plan_step(c->d, i);
    }
    call_free(c);
}

int ipcps_reg_name(struct irmd *d, struct reg_ipcp *i, const char *name, bool reg,
                   struct bus_reply *rep)
{
    ipcp_hash_t m = IPCP_HASH_INIT_ZERO;
    struct ipcp_call *c;
    int len, err;

    if (i->state != IPCP_STATE_OPERATIONAL)
        return -EIPCPSTATE;
    if (!reg && !reg_ipcp_has_name(i, name))
        return -ENOENT;
    if (reg && !reg_ipcp_has_name(i, name) && zlistx_size(i->regs) >= REG_IPCP_NAMES)
        return -ENOSPC;
    len = ipcps_hash(i, name, m.hash.bytes);
    if (len < 0)
        return len;
    m.hash.size = (pb_size_t)len;
    c = call_new(d, i, rep);
    if (c == NULL)
        return -ENOMEM;
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->reg = reg;
    err = submit(d, i, reg ? IPCP_METHOD_REG : IPCP_METHOD_UNREG, IPCP_HASH_FIELDS, &m,
                 IRMD_IPCP_CALL_MS, on_reg_done, c);
    if (err < 0) {
        bus_server_drop_deferred(service_bus(d->svc), c->ticket);
        call_free(c);
        return err;
    }
    return BUS_REPLY_DEFERRED;
}

int ipcps_hash(const struct reg_ipcp *i, const char *name, uint8_t *out)
{
    enum dir_hash_algo algo;

    if (i->conf != NULL)
        algo = (enum dir_hash_algo)i->conf->dir_hash_algo;
    else
        algo = i->type == IPCP_UDP4 || i->type == IPCP_UDP6 ? DIR_HASH_MD5 : DIR_HASH_SHA3_256;
    return hash_name(algo, name, out);
}

struct dealloc_call {
    struct irmd *d;
    uint32_t flow_id;
    pid_t pid;
};

static void on_dealloc_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct dealloc_call *c = arg;
    struct reg_flow *f = reg_flow_get(&c->d->reg, c->flow_id);

    (void)rep;
    (void)len;
    /* It does not hold the flow (any more): its end closes here. Else it
     * closes it itself once it sent what was queued. */
    if (status == -ENOTALLOC && f != NULL) {
        for (int e = 0; e < 2; e++) {
            if (f->end[e].ipcp && f->end[e].pid == c->pid && f->end[e].open) {
                broker_close_end(c->d, f, e, false);
                break;
            }
        }
    } else if (status < 0 && status != -ENOTALLOC) {
        log_dbg("flow %u: IPCP %d did not take the dealloc (%d): its restart will", c->flow_id,
                (int)c->pid, status);
    }
    free(c);
}

void ipcps_flow_dealloc(struct irmd *d, struct reg_ipcp *i, uint32_t flow_id)
{
    ipcp_flow_ref_t m = {.flow_id = flow_id};
    struct dealloc_call *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return;
    c->d = d;
    c->flow_id = flow_id;
    c->pid = i->pid;
    if (submit(d, i, IPCP_METHOD_DEALLOC, IPCP_FLOW_REF_FIELDS, &m, IRMD_IPCP_CALL_MS,
               on_dealloc_done, c) < 0)
        free(c);
}

int ipcps_candidates(struct irmd *d, pid_t caller, char names[][NAME_SIZE + 1], int max)
{
    struct reg_ipcp *all[64];
    int n = 0;

    /* An IPCP that allocates a flow (an N-1 flow of a unicast IPCP) never
     * gets it over its own layer. */
    for (struct reg_ipcp *i = zlistx_first(d->reg.ipcps); i != NULL && n < 64;
         i = zlistx_next(d->reg.ipcps))
        if (i->pid > 0 && i->pid != caller && i->state == IPCP_STATE_OPERATIONAL &&
            i->type != IPCP_BROADCAST)
            all[n++] = i;
    /* Insertion sort: by type, then pid (as the reference orders them). */
    for (int a = 1; a < n; a++)
        for (int b = a;
             b > 0 && (type_rank(all[b]->type) < type_rank(all[b - 1]->type) ||
                       (all[b]->type == all[b - 1]->type && all[b]->pid < all[b - 1]->pid));
             b--) {
            struct reg_ipcp *t = all[b];
            all[b] = all[b - 1];
            all[b - 1] = t;
        }
    for (int k = 0; k < n && k < max; k++)
        snprintf(names[k], NAME_SIZE + 1, "%s", all[k]->name);
    return n < max ? n : max;
}

const char *ipcps_name_of(struct reg_ipcp *i, const uint8_t *hash, size_t len)
{
    uint8_t h[HASH_MAX];

    for (char *n = zlistx_first(i->regs); n != NULL; n = zlistx_next(i->regs))
        if (ipcps_hash(i, n, h) == (int)len && memcmp(h, hash, len) == 0)
            return n;
    return NULL;
}

void ipcps_restore(struct irmd *d)
{
    char names[64][NAME_SIZE + 1];
    int n = 0;

    /* Collected first: what follows may remove IPCPs from the list. */
    for (struct reg_ipcp *i = zlistx_first(d->reg.ipcps); i != NULL && n < 64;
         i = zlistx_next(d->reg.ipcps))
        snprintf(names[n++], NAME_SIZE + 1, "%s", i->name);
    for (int k = 0; k < n; k++) {
        struct reg_ipcp *i = reg_ipcp_by_name(&d->reg, names[k]);
        struct reg_proc *p;
        pid_t pid;
        if (i == NULL)
            continue;
        if (i->type == IPCP_UNICAST && i->spawned)
            companions_start(d, i->name);
        pid = i->pid;
        if (pid > 0 && reg_proc_get(&d->reg, pid) == NULL) {
            /* Started, not yet announced when we stopped. */
            if (kill(pid, 0) == 0 && (p = reg_proc_add(&d->reg, pid, i->name)) != NULL) {
                p->ipcp = true;
                if (procs_watch(d, p) == 0)
                    continue;
                reg_proc_del(&d->reg, pid);
            }
            i->pid = 0;
            i->last_pid = pid;
        } else if (pid > 0) {
            continue; /* running: watched by procs_restore */
        }
        /* Down: as if it had just died. */
        i->pid = pid > 0 ? pid : i->last_pid;
        ipcps_died(d, i, i->pid);
    }
}

/* ---- flows through an IPCP ---- */

#define ALLOC_CANDIDATES 8

/* A flow_alloc looking for the layer that reaches its name. */
struct alloc_ctx {
    struct irmd *d;
    uint64_t ticket;
    pid_t pid;
    char name[NAME_SIZE + 1];
    irm_qos_t qos;
    uint64_t deadline;
    char cand[ALLOC_CANDIDATES][NAME_SIZE + 1];
    int n, k;
    int err; /* the best reason so far why none does */
    uint32_t flow_id;
};

static void alloc_next(struct alloc_ctx *a);

/* Which IPCP reached a name lately: the next allocation to the name goes
 * straight to it, without asking the layers again (a unicast layer's
 * flow request resolves the name itself). Kept ALLOC_VIA_MS; a name that
 * moved fails its allocations for that long at most. */
#define ALLOC_VIA_N  64
#define ALLOC_VIA_MS 5000
static struct {
    char name[NAME_SIZE + 1];
    char ipcp[NAME_SIZE + 1];
    uint64_t until; /* ns */
} via_cache[ALLOC_VIA_N];

static void via_put(const char *name, const char *ipcp)
{
    uint64_t now = now_ns();
    int slot = 0;

    for (int i = 0; i < ALLOC_VIA_N; i++) {
        if (strcmp(via_cache[i].name, name) == 0) {
            slot = i;
            break;
        }
        if (via_cache[i].until < via_cache[slot].until)
            slot = i;
    }
    snprintf(via_cache[slot].name, sizeof(via_cache[slot].name), "%s", name);
    snprintf(via_cache[slot].ipcp, sizeof(via_cache[slot].ipcp), "%s", ipcp);
    via_cache[slot].until = now + (uint64_t)ALLOC_VIA_MS * 1000000ull;
}

static void via_drop(const char *name)
{
    for (int i = 0; i < ALLOC_VIA_N; i++)
        if (strcmp(via_cache[i].name, name) == 0)
            via_cache[i].until = 0;
}

void ipcps_alloc_failed(const char *name)
{
    via_drop(name);
}

static const char *via_get(const char *name)
{
    uint64_t now = now_ns();

    for (int i = 0; i < ALLOC_VIA_N; i++)
        if (via_cache[i].until > now && strcmp(via_cache[i].name, name) == 0)
            return via_cache[i].ipcp;
    return NULL;
}

static int ms_left(uint64_t deadline, int cap)
{
    uint64_t now = now_ns();
    uint64_t left;

    if (deadline <= now)
        return 0;
    left = (deadline - now) / 1000000ull;
    return left < (uint64_t)cap ? (int)left : cap;
}

static void alloc_end(struct alloc_ctx *a, int err)
{
    if (err < 0 && a->ticket != 0)
        bus_server_reply_deferred(service_bus(a->d->svc), a->ticket, err, NULL, 0);
    free(a);
}

static void on_alloc_sent(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct alloc_ctx *a = arg;
    struct reg_flow *f = reg_flow_get(&a->d->reg, a->flow_id);

    (void)rep;
    (void)len;
    /* Sent: the peer's answer comes as IPCP_FLOW_ALLOC_REPLY. A layer that
     * refused is asked again next time. */
    if (status < 0)
        via_drop(a->name);
    if (status < 0 && f != NULL && f->state == FLOW_PENDING)
        broker_pending_done(a->d, f, status == -ENAME ? -ENAME : status, 0, NULL, 0);
    free(a);
}

/* Allocate through candidate k, which reaches the name. */
static void alloc_via(struct alloc_ctx *a)
{
    struct irmd *d = a->d;
    struct reg_ipcp *i = reg_ipcp_by_name(&d->reg, a->cand[a->k]);
    ipcp_flow_alloc_t *m;
    struct reg_flow *f;
    int len, err;

    if (reg_proc_get(&d->reg, a->pid) == NULL) {
        bus_server_drop_deferred(service_bus(d->svc), a->ticket);
        free(a); /* the application left */
        return;
    }
    if (i == NULL || i->pid <= 0 || i->state != IPCP_STATE_OPERATIONAL) {
        a->k++;
        alloc_next(a);
        return;
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        alloc_end(a, -ENOMEM);
        return;
    }
    len = ipcps_hash(i, a->name, m->hash.bytes);
    if (len < 0) {
        free(m);
        alloc_end(a, len);
        return;
    }
    m->hash.size = (pb_size_t)len;
    f = broker_flow_pending(d, a->pid, i, a->name, &a->qos, m->hash.bytes, (size_t)len,
                            a->deadline, a->ticket);
    if (f == NULL) {
        free(m);
        alloc_end(a, -ENOMEM);
        return;
    }
    a->ticket = 0; /* the flow answers it now */
    a->flow_id = f->id;
    m->has_info = true;
    broker_flow_info(d, f, 1, &m->info);
    m->timeout_ms = (uint32_t)ms_left(a->deadline, IRMD_ALLOC_CAP_MS);
    err = submit(d, i, IPCP_METHOD_ALLOC, IPCP_FLOW_ALLOC_FIELDS, m, IRMD_IPCP_CALL_MS,
                 on_alloc_sent, a);
    free(m);
    if (err < 0) {
        broker_pending_done(d, f, err, 0, NULL, 0);
        free(a);
    }
}

static void on_queried(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct alloc_ctx *a = arg;

    (void)rep;
    (void)len;
    if (status == 0) {
        via_put(a->name, a->cand[a->k]);
        alloc_via(a);
        return;
    }
    if (status != -ENAME && a->err == -ENAME)
        a->err = status;
    a->k++;
    alloc_next(a);
}

/* Ask the next candidate whether its layer reaches the name. */
static void alloc_next(struct alloc_ctx *a)
{
    struct irmd *d = a->d;
    ipcp_hash_t m = IPCP_HASH_INIT_ZERO;
    struct reg_ipcp *i;
    int len, ms;

    for (; a->k < a->n; a->k++) {
        i = reg_ipcp_by_name(&d->reg, a->cand[a->k]);
        if (i == NULL || i->pid <= 0)
            continue;
        ms = ms_left(a->deadline, IRMD_QUERY_MS);
        if (ms <= 0) {
            alloc_end(a, -ETIMEDOUT);
            return;
        }
        len = ipcps_hash(i, a->name, m.hash.bytes);
        if (len < 0)
            continue;
        m.hash.size = (pb_size_t)len;
        if (submit(d, i, IPCP_METHOD_QUERY, IPCP_HASH_FIELDS, &m, ms, on_queried, a) == 0)
            return;
    }
    log_dbg("flow_alloc by %d: no layer reaches '%s'", (int)a->pid, a->name);
    alloc_end(a, a->err);
}

int ipcps_alloc(struct irmd *d, pid_t pid, const char *name, const irm_qos_t *qos,
                uint64_t deadline, struct bus_reply *rep)
{
    struct alloc_ctx *a;
    int n;

    a = calloc(1, sizeof(*a));
    if (a == NULL)
        return -ENOMEM;
    n = ipcps_candidates(d, pid, a->cand, ALLOC_CANDIDATES);
    if (n == 0) {
        free(a);
        log_dbg("flow_alloc by %d: '%s' is not served here and no layer is up", (int)pid, name);
        return -ENAME;
    }
    a->d = d;
    a->pid = pid;
    snprintf(a->name, sizeof(a->name), "%s", name);
    a->qos = *qos;
    a->deadline = deadline;
    a->n = n;
    a->err = -ENAME;
    a->ticket = bus_reply_defer(rep);
    if (a->ticket == 0) {
        free(a);
        return -ENOMEM;
    }
    if (n == 1) {
        alloc_via(a); /* one layer: its allocation is the query */
        return BUS_REPLY_DEFERRED;
    }
    {
        const char *via = via_get(name);

        for (int k = 0; via != NULL && k < n; k++)
            if (strcmp(a->cand[k], via) == 0) {
                a->k = k;
                alloc_via(a);
                return BUS_REPLY_DEFERRED;
            }
    }
    alloc_next(a);
    return BUS_REPLY_DEFERRED;
}

/* ---- IPCPs of the node file ---- */

static void plan_drop(struct reg_ipcp *i)
{
    if (i->plan != NULL) {
        free(i->plan->regs);
        free(i->plan->conns);
    }
    free(i->plan);
    i->plan = NULL;
}

/* An enrollment or a connection of the node file answered. */
static void on_plan_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct ipcp_call *c = arg;
    struct reg_ipcp *i = reg_ipcp_by_name(&c->d->reg, c->ipcp);
    bool enroll = c->method == IPCP_METHOD_ENROLL;

    if (enroll && status == 0)
        keep_enrolled(c, rep, len);
    if (status < 0)
        log_err("node file: IPCP %s: %s failed: %d", c->ipcp,
                enroll ? "the enrollment" : "a connection", status);
    if (i != NULL && i->plan != NULL) {
        i->plan->busy = false;
        if (enroll && status < 0)
            plan_drop(i); /* no layer: nothing else can follow */
        else
            plan_step(c->d, i);
    }
    call_free(c);
}

/* Send i method (msg) for its plan: 0 (the answer steps the plan on), or
 * -errno. */
static int plan_call(struct irmd *d, struct reg_ipcp *i, uint32_t method,
                     const pb_msgdesc_t *fields, const void *msg)
{
    struct ipcp_call *c = call_new(d, i, NULL);
    int err;

    if (c == NULL)
        return -ENOMEM;
    c->method = method;
    i->plan->busy = true;
    err = submit(d, i, method, fields, msg, IRMD_IPCP_CALL_MS * 4, on_plan_done, c);
    if (err < 0) {
        i->plan->busy = false;
        call_free(c);
    }
    return err;
}

/* The next thing the node file wants of i, if i can take it now. */
static void plan_step(struct irmd *d, struct reg_ipcp *i)
{
    struct reg_ipcp_plan *p = i->plan;
    int err;

    if (p == NULL || p->busy || i->pid <= 0 || !i->announced)
        return;
    if (p->boot && !i->bootstrapped) {
        p->busy = true;
        err = ipcps_bootstrap(d, i, &p->conf, NULL);
        if (err < 0 && err != BUS_REPLY_DEFERRED) {
            log_err("node file: cannot bootstrap IPCP %s: %d", i->name, err);
            plan_drop(i);
        }
        return;
    }
    if (p->boot && i->conf != NULL && strcmp(i->conf->layer, p->conf.layer) != 0)
        log_warn("node file: IPCP %s is in layer %s, not %s: destroy it to change its layer",
                 i->name, i->conf->layer, p->conf.layer);
    p->boot = false;
    if (p->enroll && !i->bootstrapped) {
        ipcp_enroll_t m = IPCP_ENROLL_INIT_ZERO;

        p->enroll = false;
        snprintf(m.dst, sizeof(m.dst), "%s", p->dst);
        err = plan_call(d, i, IPCP_METHOD_ENROLL, IPCP_ENROLL_FIELDS, &m);
        if (err < 0) {
            log_err("node file: cannot enroll IPCP %s: %d", i->name, err);
            plan_drop(i);
        }
        return;
    }
    p->enroll = false;
    while (p->next < p->nregs) {
        const char *name = p->regs[p->next++];
        if (reg_ipcp_has_name(i, name))
            continue;
        p->busy = true;
        err = ipcps_reg_name(d, i, name, true, NULL);
        if (err == BUS_REPLY_DEFERRED)
            return;
        p->busy = false;
        log_err("node file: cannot register name %s in IPCP %s: %d", name, i->name, err);
    }
    while (p->next_conn < p->nconns) {
        irm_ipcp_connect_t *m = &p->conns[p->next_conn++];

        m->pid = i->pid;
        err = plan_call(d, i, IPCP_METHOD_CONNECT, IRM_IPCP_CONNECT_FIELDS, m);
        if (err == 0)
            return;
        log_err("node file: cannot connect IPCP %s to %s: %d", i->name, m->dst, err);
    }
    log_info("node file: IPCP %s is set up (layer %s, %zu names, %zu connections)", i->name,
             i->layer ? i->layer : "-", zlistx_size(i->regs), p->nconns);
    plan_drop(i);
}

int ipcps_from_node(struct irmd *d, const struct node_ipcp *n)
{
    struct reg_ipcp *i = reg_ipcp_by_name(&d->reg, n->name);
    struct reg_ipcp_plan *p;
    int err;

    if (i != NULL && i->type != n->type) {
        log_err("node file: IPCP %s exists as another type: left alone", n->name);
        return -EIPCPTYPE;
    }
    if ((n->mode == NODE_IPCP_ENROLL || n->nconns > 0) && n->type != IPCP_UNICAST)
        log_warn("node file: IPCP %s: enrollment and connections need a unicast or broadcast "
                 "layer, which this build runs for unicast only",
                 n->name);
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -ENOMEM;
    p->boot = n->mode == NODE_IPCP_BOOTSTRAP;
    if (p->boot)
        ipcp_config_to_msg(&n->conf, &p->conf);
    p->enroll = n->mode == NODE_IPCP_ENROLL && n->type == IPCP_UNICAST;
    snprintf(p->dst, sizeof(p->dst), "%s", n->dst);
    if (n->nconns > 0 && n->type == IPCP_UNICAST) {
        p->conns = calloc(n->nconns, sizeof(*p->conns));
        if (p->conns == NULL) {
            free(p);
            return -ENOMEM;
        }
        for (size_t k = 0; k < n->nconns; k++) {
            irm_ipcp_connect_t *m = &p->conns[k];
            snprintf(m->dst, sizeof(m->dst), "%s", n->conns[k].dst);
            snprintf(m->component, sizeof(m->component), "%s",
                     n->conns[k].component ? n->conns[k].component : "");
            m->has_qos = true;
            qos_msg_from_spec(&n->conns[k].qos, &m->qos);
        }
        p->nconns = n->nconns;
    }
    if (n->nregs > 0) {
        p->regs = calloc(n->nregs, sizeof(*p->regs));
        if (p->regs == NULL) {
            free(p->conns);
            free(p);
            return -ENOMEM;
        }
        memcpy(p->regs, n->regs, n->nregs * sizeof(*p->regs));
        p->nregs = n->nregs;
    }
    if (i == NULL) {
        err = ipcps_create(d, n->name, n->type, NULL);
        i = reg_ipcp_by_name(&d->reg, n->name);
        if (err < 0 || i == NULL) {
            log_err("node file: cannot start IPCP %s: %d", n->name, err);
            free(p->regs);
            free(p->conns);
            free(p);
            return err < 0 ? err : -ENOMEM;
        }
        log_info("node file: IPCP %s started", n->name);
    }
    plan_drop(i);
    i->plan = p;
    plan_step(d, i);
    return 0;
}
