/*
 * ourobus-irmd - the IRM daemon of a node: registry of names, bindings,
 * processes, flows and IPCPs; flow broker; owner of the packet pool;
 * reaper of dead processes.
 */
#include "irmd.h"

#include "irmd_client.h"
#include "log.h"
#include "shm_object.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUROBUS_GROUP "ourobus"

static void usage(FILE *f)
{
    fprintf(f, "usage: ourobus-irmd [--node NAME] [--config FILE] [--log LEVEL] [--syslog]\n"
               "       ourobus-irmd --wipe [--node NAME]\n"
               "\n"
               "The IRM daemon of a node: names, bindings, processes, flows and IPCPs.\n"
               "\n"
               "  -n, --node NAME    the node (default: $OUROBUS_NODE or 'default')\n"
               "  -c, --config FILE  load a node file (YAML, see ourobus-node(5))\n"
               "  -l, --log LEVEL    err, warn, info (default) or debug\n"
               "      --syslog       also log to syslog\n"
               "      --wipe         remove what a stopped node left (IPCP daemons, state,\n"
               "                     shared memory)\n"
               "  -h, --help         this text\n"
               "      --version      the version\n"
               "\n"
               "SIGTERM/SIGINT stop the daemon and keep its state: a restart resumes it and\n"
               "running flows never stop. SIGHUP reloads the node file.\n");
}

/* Root runs the node for root and the ourobus group: everything it makes
 * (run folder, sockets, shm objects) gets that group and mode 0660/0770.
 * Anyone else runs a private node. */
static void access_setup(struct irmd *d)
{
    struct group *g;

    if (geteuid() != 0) {
        umask(0077);
        d->shm_mode = 0600;
        return;
    }
    g = getgrnam(OUROBUS_GROUP);
    if (g == NULL) {
        umask(0077);
        d->shm_mode = 0600;
        log_warn("no group '%s': the node is open to root only (groupadd %s to share it)",
                 OUROBUS_GROUP, OUROBUS_GROUP);
        return;
    }
    if (setegid(g->gr_gid) < 0) {
        log_warn("cannot use group %s: %s", OUROBUS_GROUP, strerror(errno));
        umask(0077);
        d->shm_mode = 0600;
        return;
    }
    umask(0007);
    d->shm_mode = 0660;
}

/* Use the pool a previous run left (processes still hold it), or make one. */
static int pool_open(struct irmd *d)
{
    int err;

    err = run_folder_shm_name(d->rf, "pool", d->pool_name, sizeof(d->pool_name));
    if (err < 0)
        return err;
    if (pool_attach(d->pool_name, &d->pool) == 0) {
        log_info("packet pool %s taken over from the previous run", d->pool_name);
        if (pool_cfg_bytes(&d->pool_cfg) != d->pool->len)
            log_warn("the pool keeps its size (%zu MiB) while processes may use it; the "
                     "node file's (%zu MiB) applies once the node is wiped",
                     d->pool->len >> 20, pool_cfg_bytes(&d->pool_cfg) >> 20);
        return 0;
    }
    shm_object_unlink(d->pool_name);
    err = pool_create(d->pool_name, &d->pool_cfg, d->shm_mode, &d->pool);
    if (err < 0) {
        log_err("cannot create the packet pool %s: %s", d->pool_name, strerror(-err));
        return err;
    }
    log_info("packet pool %s: %zu MiB", d->pool_name, pool_cfg_bytes(&d->pool_cfg) >> 20);
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Stop the IPCP daemons a stopped node left running (SIGTERM, then
 * SIGKILL after 2 s); how many there were. */
static int stop_ipcps(const char *node)
{
    pid_t pids[256];
    int n = 0;
    struct dirent *e;
    DIR *dir = opendir("/proc");

    if (dir == NULL)
        return 0;
    while ((e = readdir(dir)) != NULL && n < 256) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);

        if (*end == '\0' && pid > 0 && pid != getpid() &&
            irmd_daemon_of((pid_t)pid, node, NULL, NULL))
            pids[n++] = (pid_t)pid;
    }
    closedir(dir);
    for (int i = 0; i < n; i++)
        kill(pids[i], SIGTERM);
    for (int t = 0; t < 200; t++) {
        int alive = 0;

        for (int i = 0; i < n; i++)
            if (pids[i] > 0 && kill(pids[i], 0) == 0 &&
                irmd_daemon_of(pids[i], node, NULL, NULL))
                alive++;
        if (alive == 0)
            return n;
        usleep(10000);
    }
    for (int i = 0; i < n; i++)
        if (kill(pids[i], 0) == 0 && irmd_daemon_of(pids[i], node, NULL, NULL)) {
            fprintf(stderr, "ourobus-irmd: IPCP process %d did not stop: killed\n",
                    (int)pids[i]);
            kill(pids[i], SIGKILL);
        }
    return n;
}

/* Remove what a stopped node left behind: the IPCP daemons it started (or
 * that announced to it) still running, its shm objects and run folder. */
static int wipe(const char *node)
{
    struct run_folder rf;
    char lock[RUN_PATH_MAX + 16];
    struct dirent *e;
    FILE *f;
    DIR *dir;
    int pid = 0;
    int err = run_folder_for_daemon(&rf, node);

    if (err < 0)
        return err;
    snprintf(lock, sizeof(lock), "%s/irmd.lock", rf.path);
    f = fopen(lock, "r");
    if (f != NULL) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    if (pid > 0 && kill(pid, 0) == 0) {
        fprintf(stderr, "ourobus-irmd: node %s is running (pid %d): stop it first\n", node,
                pid);
        return -EBUSY;
    }
    if (stop_ipcps(node) > 0)
        fprintf(stderr, "ourobus-irmd: stopped the IPCP daemons of node %s\n", node);
    dir = opendir("/dev/shm");
    if (dir != NULL) {
        size_t plen = strlen(rf.shm_prefix) - 1; /* the prefix without its '/' */
        while ((e = readdir(dir)) != NULL) {
            char name[NAME_MAX + 2];
            if (strncmp(e->d_name, rf.shm_prefix + 1, plen) != 0)
                continue;
            snprintf(name, sizeof(name), "/%s", e->d_name);
            shm_object_unlink(name);
        }
        closedir(dir);
    }
    if (nftw(rf.path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT) {
        fprintf(stderr, "ourobus-irmd: cannot remove %s: %s\n", rf.path, strerror(errno));
        return -errno;
    }
    return 0;
}

/* SIGHUP: read the node file again; a broken one changes nothing. */
static void on_reload(void *arg)
{
    struct irmd *d = arg;
    struct node_config *c = NULL;
    char err[512];

    if (d->config_path == NULL) {
        log_info("SIGHUP: no node file to reload");
        return;
    }
    if (node_config_load_file(d->config_path, &c, err, sizeof(err)) < 0) {
        log_err("SIGHUP: %s: nothing changed", err);
        return;
    }
    log_info("SIGHUP: reloading %s", d->config_path);
    config_apply(d, c, d->config);
    node_config_destroy(&d->config);
    d->config = c;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"node", required_argument, NULL, 'n'}, {"config", required_argument, NULL, 'c'},
        {"log", required_argument, NULL, 'l'},  {"syslog", no_argument, NULL, 's'},
        {"wipe", no_argument, NULL, 'w'},       {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},    {NULL, 0, NULL, 0}};
    struct irmd d = {.sweep_timer = -1, .ring_slots = IRMD_RING_SLOTS};
    const char *node = NULL, *config = NULL;
    char self[PATH_MAX];
    bool use_syslog = false, do_wipe = false;
    int lvl = -1;
    int c, n, err;

    while ((c = getopt_long(argc, argv, "n:c:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            node = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'l':
            lvl = log_level_parse(optarg);
            if (lvl < 0) {
                fprintf(stderr, "ourobus-irmd: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case 's':
            use_syslog = true;
            break;
        case 'w':
            do_wipe = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("ourobus-irmd 0.1.0\n");
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ourobus-irmd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    node = node_name_default(node);
    if (node_name_check(node) < 0) {
        fprintf(stderr, "ourobus-irmd: bad node name '%s' (1-32 of A-Z a-z 0-9 _ - .)\n", node);
        return 2;
    }
    if (do_wipe)
        return wipe(node) == 0 ? 0 : 1;
    if (config != NULL) {
        char why[512];
        /* A broken node file stops the start before anything is made. */
        if (node_config_load_file(config, &d.config, why, sizeof(why)) < 0) {
            fprintf(stderr, "ourobus-irmd: %s\n", why);
            return 2;
        }
        d.config_path = config;
    }
    if (sodium_init() < 0)
        return 1;
    log_init(IRMD_SERVICE, node);
    if (lvl >= 0)
        log_set_level((enum log_level)lvl);
    log_use_syslog(use_syslog);
    access_setup(&d);
    n = (int)readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        snprintf(d.exe_dir, sizeof(d.exe_dir), "%s", dirname(self));
    }
    if (d.config != NULL)
        d.pool_cfg = d.config->pool;
    else
        pool_cfg_default(&d.pool_cfg);

    d.svc = service_new(IRMD_SERVICE, node);
    if (d.svc == NULL)
        return errno == EADDRINUSE ? 3 : 1;
    d.rf = service_run_folder(d.svc);
    d.loop = service_loop(d.svc);
    service_on_reload(d.svc, on_reload, &d);
    err = reg_init(&d.reg);
    if (err < 0)
        goto fail_reg;
    err = pool_open(&d);
    if (err < 0)
        goto fail_pool;
    err = persist_init(&d);
    if (err < 0) {
        log_err("cannot make the state folder: %s", strerror(-err));
        goto fail_state;
    }
    err = ipcps_init(&d);
    if (err < 0) {
        log_err("cannot start the IPCP call threads: %s", strerror(-err));
        goto fail_state;
    }
    n = persist_load(&d);
    ipcps_restore(&d);
    if (n > 0)
        log_info("state restored: %zu names, %zu processes, %zu flows, %zu IPCPs",
                 zhashx_size(d.reg.names), zhashx_size(d.reg.procs), zhashx_size(d.reg.flows),
                 zlistx_size(d.reg.ipcps));
    if (d.config != NULL)
        config_apply(&d, d.config, NULL);
    err = methods_register(&d);
    if (err < 0) {
        log_err("cannot serve the bus methods: %s", strerror(-err));
        goto fail_state;
    }
    log_info("running (pid %d, epoch %016llx)", (int)getpid(),
             (unsigned long long)service_epoch(d.svc));
    err = service_run(d.svc);
    log_info("stopping: state kept for the next run");
fail_state:
    ipcps_fini(&d);
    node_config_destroy(&d.config);
    pool_detach(&d.pool);
fail_pool:
    reg_fini(&d.reg);
fail_reg:
    service_destroy(&d.svc);
    return err < 0 ? 1 : 0;
}
