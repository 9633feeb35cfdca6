/*
 * irmd_client.c - per-thread bus clients to the node's IRM daemon.
 */
#include "irmd_client.h"

#include "bus_client.h"
#include "log.h"
#include "proc_self.h"

#include <czmq.h>

#include <errno.h>
#include <ourobus/errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define IRMD_RETRY_MS 250

/* Process-wide: which node, and what we know of its daemon. Guarded by
 * lock; threads read the generation to notice a change of node. */
static struct {
    pthread_mutex_t lock;
    struct run_folder rf;
    char endpoint[RUN_PATH_MAX + 32];
    int resolved;
    _Atomic uint32_t gen;          /* bumped by irmd_client_use_node */
    _Atomic uint64_t epoch;        /* the daemon's last epoch seen */
    void (*on_restart)(void *arg); /* called once per new epoch */
    void *on_restart_arg;
    pthread_key_t key;
    pthread_once_t once;
} irmd = {.lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

/* Every thread's client, so that the ones not in a call can be closed at
 * exit: czmq pauses an exiting process 200 ms for each socket left open. */
struct client_slot {
    pthread_mutex_t busy; /* held during a call */
    struct bus_client *client;
    pid_t pid;
};

#define CLIENT_SLOTS 256
static struct client_slot slots[CLIENT_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

/* This thread's client, for one node generation and one process. */
static __thread struct {
    struct client_slot *slot;
    uint32_t gen;
} tls;

static void slot_release(struct client_slot *s)
{
    pthread_mutex_lock(&slots_lock);
    /* A forked child must not touch its parent's socket: it forgets it. */
    if (s->client != NULL && s->pid == proc_self_pid())
        bus_client_destroy(&s->client);
    s->client = NULL;
    s->pid = 0;
    pthread_mutex_unlock(&slots_lock);
}

static void client_free(void *arg)
{
    if (arg != NULL)
        slot_release(arg);
    tls.slot = NULL;
}

static void close_idle_clients(void)
{
    pid_t me = proc_self_pid();

    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < CLIENT_SLOTS; i++) {
        struct client_slot *s = &slots[i];
        if (s->client == NULL || s->pid != me || pthread_mutex_trylock(&s->busy) != 0)
            continue;
        bus_client_destroy(&s->client);
        s->pid = 0;
        pthread_mutex_unlock(&s->busy);
    }
    pthread_mutex_unlock(&slots_lock);
}

/* Recursive: a call's restart callback may call again on the same thread. */
static void slots_init(void)
{
    pthread_mutexattr_t ma;

    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    for (int i = 0; i < CLIENT_SLOTS; i++)
        pthread_mutex_init(&slots[i].busy, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_mutex_init(&slots_lock, NULL);
}

/* In a forked child, a lock held by a thread of the parent would stay held. */
static void irmd_after_fork(void)
{
    slots_init();
    pthread_mutex_init(&irmd.lock, NULL);
    tls.slot = NULL;
}

static void irmd_init(void)
{
    slots_init();
    pthread_atfork(NULL, NULL, irmd_after_fork);
    pthread_key_create(&irmd.key, client_free);
    /* czmq would install its own SIGINT/SIGTERM handlers with its first
     * socket, and an application's Ctrl-C would no longer stop it: keep the
     * process's own handlers. */
    zsys_init();
    zsys_handler_set(NULL);
    /* After czmq's own exit handler, so it runs before it. */
    atexit(close_idle_clients);
}

void irmd_client_quiet(void)
{
    pthread_once(&irmd.once, irmd_init);
    zsys_set_logstream(NULL);
}

static int resolve_locked(void)
{
    int err;

    if (irmd.resolved)
        return 0;
    err = run_folder_for_client(&irmd.rf, node_name_default(NULL));
    if (err < 0)
        return err;
    err = run_folder_endpoint(&irmd.rf, IRMD_SERVICE ".ctl", irmd.endpoint,
                              sizeof(irmd.endpoint));
    if (err < 0)
        return err;
    irmd.resolved = 1;
    return 0;
}

int irmd_client_use_node(const char *node)
{
    struct run_folder rf;
    int err;

    node = node_name_default(node);
    if (node_name_check(node) < 0)
        return -EINVAL;
    err = run_folder_for_client(&rf, node);
    if (err < 0)
        return err;
    pthread_mutex_lock(&irmd.lock);
    irmd.rf = rf;
    err = run_folder_endpoint(&irmd.rf, IRMD_SERVICE ".ctl", irmd.endpoint,
                              sizeof(irmd.endpoint));
    irmd.resolved = err == 0;
    atomic_fetch_add(&irmd.gen, 1);
    atomic_store(&irmd.epoch, 0);
    pthread_mutex_unlock(&irmd.lock);
    return err;
}

const struct run_folder *irmd_client_run_folder(void)
{
    pthread_mutex_lock(&irmd.lock);
    resolve_locked();
    pthread_mutex_unlock(&irmd.lock);
    return &irmd.rf;
}

static int map_probe(int err)
{
    if (err == 0)
        return 0;
    if (err == -EACCES || err == -EPERM)
        return -EACCES;
    return -EIRMD;
}

int irmd_client_probe(void)
{
    char ep[sizeof(irmd.endpoint)];
    int err;

    pthread_mutex_lock(&irmd.lock);
    err = resolve_locked();
    snprintf(ep, sizeof(ep), "%s", irmd.endpoint);
    pthread_mutex_unlock(&irmd.lock);
    if (err < 0)
        return err;
    return map_probe(bus_probe(ep));
}

static void seen_epoch(void *arg, uint64_t old_epoch, uint64_t new_epoch)
{
    uint64_t known = atomic_load(&irmd.epoch);
    void (*fn)(void *);
    void *fn_arg;

    (void)arg;
    (void)old_epoch;
    if (known == new_epoch)
        return;
    /* Only the thread that moves the process to the new epoch reacts. */
    if (!atomic_compare_exchange_strong(&irmd.epoch, &known, new_epoch))
        return;
    if (known == 0)
        return; /* the first epoch seen: no restart */
    pthread_mutex_lock(&irmd.lock);
    fn = irmd.on_restart;
    fn_arg = irmd.on_restart_arg;
    pthread_mutex_unlock(&irmd.lock);
    log_info("the IRM daemon of node %s restarted", irmd.rf.node);
    if (fn != NULL)
        fn(fn_arg);
}

/* This thread's client slot, made on first use (and again after a fork or
 * a change of node), returned locked. NULL with *err set when there is none. */
static struct client_slot *thread_client(int *err)
{
    uint32_t gen = atomic_load(&irmd.gen);
    pid_t me = proc_self_pid();
    struct client_slot *s = tls.slot;
    char ident[64];
    char ep[sizeof(irmd.endpoint)];

    pthread_once(&irmd.once, irmd_init);
    if (s != NULL && (s->pid != me || tls.gen != gen || s->client == NULL)) {
        if (s->pid == me)
            slot_release(s); /* another node now, or closed at exit */
        s = tls.slot = NULL;
    }
    if (s != NULL) {
        pthread_mutex_lock(&s->busy);
        return s;
    }
    pthread_mutex_lock(&irmd.lock);
    *err = resolve_locked();
    snprintf(ep, sizeof(ep), "%s", irmd.endpoint);
    pthread_mutex_unlock(&irmd.lock);
    if (*err < 0)
        return NULL;
    *err = map_probe(bus_probe(ep));
    if (*err < 0)
        return NULL;
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < CLIENT_SLOTS && s == NULL; i++)
        if (slots[i].client == NULL || slots[i].pid != me)
            s = &slots[i];
    if (s == NULL) {
        pthread_mutex_unlock(&slots_lock);
        *err = -ENOMEM;
        return NULL;
    }
    snprintf(ident, sizeof(ident), "%s/%d/%d", program_invocation_short_name, (int)me,
             (int)proc_self_tid());
    s->client = bus_client_new(ep, ident);
    s->pid = me;
    pthread_mutex_unlock(&slots_lock);
    if (s->client == NULL) {
        s->pid = 0;
        *err = -ENOMEM;
        return NULL;
    }
    bus_client_set_retry(s->client, IRMD_RETRY_MS);
    bus_client_on_epoch(s->client, seen_epoch, NULL);
    tls.slot = s;
    tls.gen = gen;
    pthread_setspecific(irmd.key, s);
    pthread_mutex_lock(&s->busy);
    return s;
}

int irmd_call(uint32_t method, const pb_msgdesc_t *req_fields, const void *req,
              const pb_msgdesc_t *rep_fields, void *rep, int timeout_ms)
{
    struct client_slot *s;
    struct bus_client *c;
    uint64_t epoch;
    int err = 0;
    int r;

    s = thread_client(&err);
    if (s == NULL)
        return err;
    c = s->client;
    r = bus_client_call_pb(c, method, req_fields, req, rep_fields, rep,
                           timeout_ms < 0 ? INT32_MAX : timeout_ms);
    epoch = bus_client_server_epoch(c);
    pthread_mutex_unlock(&s->busy);
    if (r == -ETIMEDOUT) {
        /* Say why: no daemon any more, or just no answer in time. */
        err = irmd_client_probe();
        if (err < 0)
            return err;
    }
    if (epoch != 0 && atomic_load(&irmd.epoch) == 0)
        atomic_store(&irmd.epoch, epoch);
    return r;
}

void irmd_client_on_restart(void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&irmd.lock);
    irmd.on_restart = fn;
    irmd.on_restart_arg = arg;
    pthread_mutex_unlock(&irmd.lock);
}

uint64_t irmd_client_epoch(void)
{
    return atomic_load(&irmd.epoch);
}
