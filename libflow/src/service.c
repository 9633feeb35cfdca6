/*
 * service.c - bring a daemon up in order (folder, lock, signals, epoch,
 * sockets), run its zloop until a signal says stop, take it down in reverse.
 */
#include "service.h"

#include "log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define SERVICE_TICK_MS 1000 /* events' tick (bus_pub_tick) */

struct service {
    char name[SERVICE_NAME_MAX + 1];
    struct run_folder rf;
    int lock_fd;
    int signal_fd;
    uint64_t epoch;
    zloop_t *loop;
    struct bus_server *bus;
    struct bus_pub *events;
    service_reload_fn on_reload;
    void *on_reload_arg;
    bool stopping; /* the loop ends because we asked it to */
};

int service_name_check(const char *name)
{
    return run_folder_name_check(name, SERVICE_NAME_MAX);
}

static void signals_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

void service_child_unblock_signals(void)
{
    sigset_t set;

    signals_set(&set);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int service_spawnattr_unblock_signals(posix_spawnattr_t *attr)
{
    sigset_t none;
    short flags;
    int err;

    assert(attr);

    sigemptyset(&none);
    err = posix_spawnattr_getflags(attr, &flags);
    if (err == 0)
        err = posix_spawnattr_setsigmask(attr, &none);
    if (err == 0)
        err = posix_spawnattr_setflags(attr, flags | POSIX_SPAWN_SETSIGMASK);
    return -err;
}

/* Take <run>/<name>.lock and write our pid in it. -EADDRINUSE, with the
 * holder named in the log, if another instance has it. */
static int lock_take(struct service *s)
{
    char path[RUN_PATH_MAX + SERVICE_NAME_MAX + 8];
    char pid[24] = "";
    ssize_t n;
    int err;

    err = run_folder_file(&s->rf, s->name, path, sizeof(path));
    if (err < 0)
        return err;
    strcat(path, ".lock");
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (s->lock_fd < 0) {
        err = -errno;
        log_err("cannot open lock %s: %s", path, strerror(errno));
        return err;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        err = errno == EWOULDBLOCK ? -EADDRINUSE : -errno;
        n = pread(s->lock_fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (err == -EADDRINUSE)
            log_err("%s already runs on node %s (pid %s, lock %s)", s->name, s->rf.node,
                    pid[0] ? pid : "unknown", path);
        else
            log_err("cannot lock %s: %s", path, strerror(-err));
        close(s->lock_fd);
        s->lock_fd = -1;
        return err;
    }
    n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    if (ftruncate(s->lock_fd, 0) < 0 || pwrite(s->lock_fd, pid, (size_t)n, 0) != n)
        log_warn("cannot write pid in %s: %s", path, strerror(errno));
    return 0;
}

static void lock_release(struct service *s)
{
    if (s->lock_fd < 0)
        return;
    /* The file stays (unlinking a lock file races with the next taker);
     * emptied, it names no pid. */
    if (ftruncate(s->lock_fd, 0) < 0)
        log_warn("cannot empty the lock file: %s", strerror(errno));
    close(s->lock_fd);
    s->lock_fd = -1;
}

static int on_signal(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct service *s = arg;
    struct signalfd_siginfo si;

    while (read(s->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            log_info("SIGHUP: reload");
            if (s->on_reload != NULL)
                s->on_reload(s->on_reload_arg);
        } else {
            log_info("%s: shutting down", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
            s->stopping = true;
        }
    }
    return s->stopping ? -1 : 0;
}

static int on_tick(zloop_t *loop, int timer_id, void *arg)
{
    struct service *s = arg;

    bus_pub_tick(s->events);
    return 0;
}

static int on_stop(zloop_t *loop, int timer_id, void *arg)
{
    return -1;
}

/* The run folder file <name><ext> as an ipc:// endpoint. */
static int endpoint_of(const struct service *s, const char *ext, char *buf, size_t len)
{
    char file[SERVICE_NAME_MAX + 8];

    snprintf(file, sizeof(file), "%s%s", s->name, ext);
    return run_folder_endpoint(&s->rf, file, buf, len);
}

/* Bind the bus server and the publisher, and put them in the loop. */
static int sockets_open(struct service *s)
{
    char ep[RUN_PATH_MAX + SERVICE_NAME_MAX + 16];
    char dedup[RUN_PATH_MAX + SERVICE_NAME_MAX + 8];
    int err;

    err = endpoint_of(s, ".ctl", ep, sizeof(ep));
    if (err == 0)
        err = run_folder_file(&s->rf, s->name, dedup, sizeof(dedup) - 6);
    if (err < 0) {
        log_err("run folder path too long for %s", s->name);
        return err;
    }
    strcat(dedup, ".dedup");
    s->bus = bus_server_new(ep, s->epoch, dedup);
    if (s->bus == NULL)
        return -EADDRNOTAVAIL;
    if (bus_server_attach(s->bus, s->loop) < 0)
        return -ENOMEM;

    err = endpoint_of(s, ".evt", ep, sizeof(ep));
    if (err < 0)
        return err;
    s->events = bus_pub_new(ep, s->epoch);
    if (s->events == NULL)
        return -EADDRNOTAVAIL;
    if (zloop_timer(s->loop, SERVICE_TICK_MS, 0, on_tick, s) < 0)
        return -ENOMEM;
    return 0;
}

struct service *service_new(const char *name, const char *node)
{
    zmq_pollitem_t item = {NULL, -1, ZMQ_POLLIN, 0};
    struct service *s;
    sigset_t set;
    int err;

    assert(name);
    assert(node);

    if (service_name_check(name) < 0 || node_name_check(node) < 0) {
        fprintf(stderr, "invalid service or node name: '%s' on '%s'\n", name, node);
        errno = EINVAL;
        return NULL;
    }
    /* Before any thread exists, so that all of them inherit the mask. */
    signals_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    log_init(name, node);

    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->lock_fd = -1;

    err = run_folder_for_daemon(&s->rf, node);
    if (err == 0)
        err = run_folder_create(&s->rf);
    if (err < 0) {
        log_err("cannot create the run folder of node %s: %s", node, strerror(-err));
        goto fail_folder;
    }
    err = lock_take(s);
    if (err < 0)
        goto fail_folder;

    s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (s->signal_fd < 0) {
        err = -errno;
        log_err("cannot open a signalfd: %s", strerror(errno));
        goto fail_signalfd;
    }
    if (sodium_init() < 0) {
        err = -ENOSYS;
        log_err("libsodium does not initialise");
        goto fail_sodium;
    }
    do
        randombytes_buf(&s->epoch, sizeof(s->epoch));
    while (s->epoch == 0);

    /* zsys_init installs czmq's SIGINT/SIGTERM handler: remove it after. */
    zsys_init();
    zsys_handler_set(NULL);
    s->loop = zloop_new();
    if (s->loop == NULL) {
        err = -ENOMEM;
        goto fail_sodium;
    }
    item.fd = s->signal_fd;
    if (zloop_poller(s->loop, &item, on_signal, s) < 0) {
        err = -ENOMEM;
        goto fail_poller;
    }
    err = sockets_open(s);
    if (err < 0)
        goto fail_sockets;

    log_info("started in %s, epoch %016" PRIx64, s->rf.path, s->epoch);
    return s;

fail_sockets:
    bus_pub_destroy(&s->events);
    bus_server_destroy(&s->bus);
fail_poller:
    zloop_destroy(&s->loop);
fail_sodium:
    close(s->signal_fd);
fail_signalfd:
    lock_release(s);
fail_folder:
    free(s);
    errno = -err;
    return NULL;
}

void service_destroy(struct service **p)
{
    struct service *s;

    assert(p);
    s = *p;
    if (s == NULL)
        return;
    bus_pub_destroy(&s->events);
    bus_server_destroy(&s->bus);
    zloop_destroy(&s->loop);
    close(s->signal_fd);
    lock_release(s);
    log_info("stopped");
    free(s);
    *p = NULL;
}

int service_run(struct service *s)
{
    assert(s);

    zloop_start(s->loop);
    if (s->stopping)
        return 0;
    log_err("main loop failed");
    return -1;
}

void service_stop(struct service *s)
{
    assert(s);

    s->stopping = true;
    zloop_timer(s->loop, 1, 1, on_stop, s);
}

void service_on_reload(struct service *s, service_reload_fn fn, void *arg)
{
    assert(s);
    s->on_reload = fn;
    s->on_reload_arg = arg;
}

struct bus_server *service_bus(struct service *s)
{
    assert(s);
    return s->bus;
}

struct bus_pub *service_events(struct service *s)
{
    assert(s);
    return s->events;
}

zloop_t *service_loop(struct service *s)
{
    assert(s);
    return s->loop;
}

uint64_t service_epoch(const struct service *s)
{
    assert(s);
    return s->epoch;
}

const char *service_name(const struct service *s)
{
    assert(s);
    return s->name;
}

const struct run_folder *service_run_folder(const struct service *s)
{
    assert(s);
    return &s->rf;
}
