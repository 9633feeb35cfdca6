/*
 * cmd_up.c - ourobus up: for each node of the network file, its node file
 * in its run folder and its ourobus-irmd; then a wait until every IPCP is
 * operational, then the programs of the file. A failure stops what was
 * started.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_MAX 16384

/* The node's irmd.lock names a live daemon: its pid, else 0. */
static pid_t running_irmd(const struct run_folder *rf)
{
    char path[RUN_PATH_MAX + 16];
    FILE *f;
    int pid = 0;

    snprintf(path, sizeof(path), "%s/irmd.lock", rf->path);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%d", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid > 0 && launcher_alive(pid, 0) ? pid : 0;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return -errno;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -errno;
}

/* How many of the node's IPCPs are operational (irm ipcp list); -1 if
 * its daemon does not answer. */
static int operational(const struct launcher *l, const char *node)
{
    const char *argv[] = {l->irm, "--node", node, "ipcp", "list", NULL};
    char out[LIST_MAX];
    int n = 0;

    if (launcher_run(argv, NULL, out, sizeof(out), 2000) != 0)
        return -1;
    for (char *s = out; (s = strstr(s, " operational")) != NULL; s++)
        n++;
    return n;
}

/* Is pid one of the node's processes (irm proc list)? */
static bool known_process(const struct launcher *l, const char *node, pid_t pid)
{
    const char *argv[] = {l->irm, "--node", node, "proc", "list", NULL};
    char out[LIST_MAX];
    char want[24];

    if (launcher_run(argv, NULL, out, sizeof(out), 2000) != 0)
        return false;
    snprintf(want, sizeof(want), "\n%d ", (int)pid);
    return strstr(out, want) != NULL;
}

static void show_log(const struct run_folder *rf, const char *file)
{
    char path[RUN_PATH_MAX + 64];
    char line[512];
    long size;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", rf->path, file);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, size > 4000 ? size - 4000 : 0, SEEK_SET);
    fprintf(stderr, "ourobus: the end of %s:\n", path);
    while (fgets(line, sizeof(line), f) != NULL)
        fprintf(stderr, "  %s", line);
    fclose(f);
}

/* The programs of every node, found before anything starts. */
static int find_programs(const struct launcher *l, char (*paths)[LAUNCHER_PROGS_MAX][PATH_MAX])
{
    const struct nfs_net *n = l->nf->net;

    for (unsigned i = 0; i < n->nodes_count; i++) {
        for (unsigned j = 0; j < n->nodes[i].programs_count; j++) {
            const char *p = n->nodes[i].programs[j].path;

            if (launcher_find(l, p, paths[i][j], PATH_MAX) < 0) {
                fprintf(stderr,
                        "ourobus: node %s: program '%s' is not found (not next to ourobus, "
                        "nor in $PATH)\n",
                        n->nodes[i].name, p);
                return -ENOENT;
            }
        }
    }
    return 0;
}

/* Without namespaces, an Ethernet segment needs the host's interface. */
static int check_mode(const struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;

    for (unsigned i = 0; l->mode == NETFILE_PROCESSES && i < n->segments_count; i++) {
        if (n->segments[i].dev == NULL) {
            fprintf(stderr,
                    "ourobus: %s: segment '%s' has no 'dev': without --netns, give the "
                    "host's interface its members use\n",
                    l->nf->path, n->segments[i].name);
            return -EINVAL;
        }
    }
    for (unsigned i = 0; i < n->nodes_count; i++) {
        struct run_folder rf;
        pid_t pid;

        if (run_folder_for_daemon(&rf, n->nodes[i].name) < 0) {
            fprintf(stderr, "ourobus: node %s: no run folder for it\n", n->nodes[i].name);
            return -EINVAL;
        }
        pid = running_irmd(&rf);
        if (pid > 0) {
            fprintf(stderr,
                    "ourobus: node %s is already running (irmd pid %d): 'ourobus down %s' "
                    "first\n",
                    n->nodes[i].name, (int)pid, l->nf->path);
            return -EBUSY;
        }
    }
    return 0;
}

static int start_node(const struct launcher *l, unsigned i,
                      char (*paths)[LAUNCHER_PROGS_MAX][PATH_MAX])
{
    const struct nfs_node *d = &l->nf->net->nodes[i];
    const char *progs[LAUNCHER_PROGS_MAX];
    const char *wipe[] = {l->irmd, "--wipe", "--node", d->name, NULL};
    struct node_state st = {0};
    struct run_folder rf;
    char conf[RUN_PATH_MAX + 16];
    char log[RUN_PATH_MAX + 16];
    char *text;
    pid_t pid;
    int err;

    for (unsigned j = 0; j < d->programs_count; j++)
        progs[j] = paths[i][j];
    err = run_folder_for_daemon(&rf, d->name);
    if (err < 0)
        return err;
    /* what a node that died left: its IPCPs, shm objects, state */
    launcher_run(wipe, NULL, NULL, 0, l->timeout_ms);
    err = run_folder_create(&rf);
    if (err < 0) {
        fprintf(stderr, "ourobus: node %s: cannot make %s: %s\n", d->name, rf.path,
                strerror(-err));
        return err;
    }
    text = netfile_node_file(l->nf, l->mode, d->name, progs);
    if (text == NULL)
        return -ENOMEM;
    snprintf(conf, sizeof(conf), "%s/node.yaml", rf.path);
    snprintf(log, sizeof(log), "%s/irmd.log", rf.path);
    err = write_file(conf, text);
    free(text);
    if (err < 0) {
        fprintf(stderr, "ourobus: node %s: cannot write %s: %s\n", d->name, conf,
                strerror(-err));
        return err;
    }
    if (l->mode == NETFILE_NETNS)
        netns_name(l, d->name, st.netns, sizeof(st.netns));
    {
        const char *argv[] = {l->irmd, "--node", d->name, "--config", conf, NULL};

        pid = launcher_spawn(argv, d->name, st.netns, log);
    }
    if (pid < 0) {
        fprintf(stderr, "ourobus: node %s: cannot start %s: %s\n", d->name, l->irmd,
                strerror((int)-pid));
        return (int)pid;
    }
    st.pids[0] = pid;
    st.starts[0] = launcher_start_time(pid);
    snprintf(st.what[0], sizeof(st.what[0]), "irmd");
    st.n = 1;
    err = state_file_write(&rf, &st);
    if (err < 0) {
        launcher_stop(pid, st.starts[0], l->timeout_ms);
        fprintf(stderr, "ourobus: node %s: cannot write its state: %s\n", d->name,
                strerror(-err));
        return err;
    }
    launcher_say(l, "node %s: ourobus-irmd pid %d, node file %s%s%s", d->name, (int)pid, conf,
                 st.netns[0] ? ", namespace " : "", st.netns);
    return 0;
}

/* Wait until the node's IPCPs are all operational. */
static int wait_node(const struct launcher *l, const char *node)
{
    unsigned want = netfile_node_ipcps(l->nf, node);
    long long end = launcher_now_ms() + l->timeout_ms;
    struct node_state st;
    struct run_folder rf;
    int n = -1;

    run_folder_for_daemon(&rf, node);
    state_file_read(&rf, &st);
    while (launcher_now_ms() < end) {
        if (st.n > 0 && !launcher_alive(st.pids[0], st.starts[0])) {
            fprintf(stderr, "ourobus: node %s: ourobus-irmd (pid %d) exited\n", node,
                    (int)st.pids[0]);
            show_log(&rf, "irmd.log");
            return -ECHILD;
        }
        n = operational(l, node);
        if (n >= 0 && (unsigned)n >= want)
            break;
        launcher_sleep_ms(50);
    }
    if (n < 0 || (unsigned)n < want) {
        fprintf(stderr, "ourobus: node %s: %d of its %u IPCPs operational after %d ms\n", node,
                n < 0 ? 0 : n, want, l->timeout_ms);
        show_log(&rf, "irmd.log");
        return -ETIMEDOUT;
    }
    launcher_say(l, "node %s: %u IPCP%s operational", node, want, want == 1 ? "" : "s");
    return 0;
}

static int start_programs(const struct launcher *l, unsigned i,
                          char (*paths)[LAUNCHER_PROGS_MAX][PATH_MAX])
{
    const struct nfs_node *d = &l->nf->net->nodes[i];
    struct node_state st;
    struct run_folder rf;
    int err;

    run_folder_for_daemon(&rf, d->name);
    err = state_file_read(&rf, &st);
    if (err < 0)
        return err;
    for (unsigned j = 0; j < d->programs_count; j++) {
        const struct nfs_program *p = &d->programs[j];
        const char *argv[NETFILE_ARGS_MAX + 2];
        char log[RUN_PATH_MAX + 64];
        char *base = basename(paths[i][j]);
        long long end = launcher_now_ms() + l->timeout_ms;
        pid_t pid;

        if (p->auto_start != NULL && *p->auto_start)
            continue; /* irmd starts it on a flow */
        argv[0] = paths[i][j];
        for (unsigned k = 0; k < p->args_count; k++)
            argv[k + 1] = p->args[k];
        argv[p->args_count + 1] = NULL;
        snprintf(log, sizeof(log), "%s/%s.%u.log", rf.path, base, j);
        pid = launcher_spawn(argv, d->name, st.netns, log);
        if (pid < 0) {
            fprintf(stderr, "ourobus: node %s: cannot start %s: %s\n", d->name, paths[i][j],
                    strerror((int)-pid));
            return (int)pid;
        }
        st.pids[st.n] = pid;
        st.starts[st.n] = launcher_start_time(pid);
        snprintf(st.what[st.n], sizeof(st.what[st.n]), "%.31s", base);
        st.n++;
        err = state_file_write(&rf, &st);
        if (err < 0)
            return err;
        /* ready when the node knows the process (it accepts flows) */
        while (!known_process(l, d->name, pid) && launcher_now_ms() < end) {
            if (!launcher_alive(pid, st.starts[st.n - 1]))
                break;
            launcher_sleep_ms(50);
        }
        if (!known_process(l, d->name, pid)) {
            fprintf(stderr, "ourobus: node %s: %s (pid %d) did not start\n", d->name,
                    paths[i][j], (int)pid);
            snprintf(log, sizeof(log), "%s.%u.log", base, j);
            show_log(&rf, log);
            return -ECHILD;
        }
        launcher_say(l, "node %s: %s pid %d", d->name, base, (int)pid);
    }
    return 0;
}

int cmd_up(struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;
    char(*paths)[LAUNCHER_PROGS_MAX][PATH_MAX];
    unsigned ipcps = 0, progs = 0;
    int err;

    paths = calloc(n->nodes_count, sizeof(*paths));
    if (paths == NULL)
        return 1;
    err = check_mode(l);
    err = err ?: find_programs(l, paths);
    if (err < 0) {
        free(paths);
        return 1;
    }
    if (l->mode == NETFILE_NETNS) {
        launcher_say(l, "network namespaces and links of %s", l->nf->path);
        err = netns_up(l);
        if (err < 0) {
            free(paths);
            return 1;
        }
    }
    for (unsigned i = 0; err == 0 && i < n->nodes_count; i++)
        err = start_node(l, i, paths);
    for (unsigned i = 0; err == 0 && i < n->nodes_count; i++) {
        err = wait_node(l, n->nodes[i].name);
        ipcps += netfile_node_ipcps(l->nf, n->nodes[i].name);
    }
    for (unsigned i = 0; err == 0 && i < n->nodes_count; i++) {
        err = start_programs(l, i, paths);
        for (unsigned j = 0; j < n->nodes[i].programs_count; j++)
            progs +=
                !(n->nodes[i].programs[j].auto_start && *n->nodes[i].programs[j].auto_start);
    }
    free(paths);
    if (err < 0) {
        fprintf(stderr, "ourobus: up failed: stopping what was started\n");
        l->quiet = true;
        cmd_down(l);
        return 1;
    }
    launcher_say(l, "up: %u node%s, %u IPCP%s operational, %u program%s", n->nodes_count,
                 n->nodes_count == 1 ? "" : "s", ipcps, ipcps == 1 ? "" : "s", progs,
                 progs == 1 ? "" : "s");
    return 0;
}
