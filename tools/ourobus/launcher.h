/*
 * launcher.h - what the commands of ourobus (up, down, status, check)
 * share: the network file, how the nodes are run (processes or network
 * namespaces), where the programs are, and the run-time pieces: starting
 * and stopping processes, the state file of each node, the namespaces.
 */
#ifndef OUROBUS_LAUNCHER_H
#define OUROBUS_LAUNCHER_H

#include "netfile.h"
#include "run_folder.h"

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define LAUNCHER_PROGS_MAX 16 /* programs per node (the schema's bound) */
#define LAUNCHER_PIDS_MAX  64

struct launcher {
    struct netfile *nf;
    enum netfile_mode mode;
    char exe_dir[PATH_MAX]; /* the folder of the ourobus binary */
    char irmd[PATH_MAX];    /* ourobus-irmd */
    char irm[PATH_MAX];     /* irm */
    int timeout_ms;         /* for one node to come up, or to stop */
    bool quiet;             /* no progress lines */
};

/* ---- processes (node_proc.c) -------------------------------------------- */

/* The program prog: itself if it holds a '/', else found next to ourobus
 * (<dir>/prog, <dir>/../prog/prog, <dir>/../../services/<svc>/prog for a
 * daemon) or in $PATH; resolved to its real path. 0 or -ENOENT. */
int launcher_find(const struct launcher *l, const char *prog, char *out, size_t len);

/* Start argv in the background as a process of node (OUROBUS_NODE set,
 * its own session, in netns when not NULL), its output to log. The pid,
 * or -errno. */
pid_t launcher_spawn(const char *const *argv, const char *node, const char *netns,
                     const char *log);

/* Run argv and wait for it (at most timeout_ms: then it is killed); its
 * output in out (len bytes, may be NULL). Its exit status, or -errno,
 * -ETIMEDOUT. */
int launcher_run(const char *const *argv, const char *node, char *out, size_t len,
                 int timeout_ms);

/* The start time of pid (/proc/<pid>/stat, clock ticks since boot), 0 if
 * there is no such process: with the pid, it names one process. */
unsigned long long launcher_start_time(pid_t pid);

/* Is the process (pid, start time) still there? */
bool launcher_alive(pid_t pid, unsigned long long start);

/* Stop a process: SIGTERM, then SIGKILL after timeout_ms. 0 once gone. */
int launcher_stop(pid_t pid, unsigned long long start, int timeout_ms);

/* Milliseconds on the monotonic clock. */
long long launcher_now_ms(void);

/* Sleep ms milliseconds. */
void launcher_sleep_ms(int ms);

/* ---- state (state_file.c) ----------------------------------------------- */

/* What ourobus started for one node, kept in its run folder. */
struct node_state {
    pid_t pids[LAUNCHER_PIDS_MAX]; /* pids[0]: the irmd */
    unsigned long long starts[LAUNCHER_PIDS_MAX];
    char what[LAUNCHER_PIDS_MAX][32]; /* "irmd", "oping", ... */
    int n;
    char netns[64]; /* "" without namespaces */
};

/* "<run folder>/ourobus.state" */
int state_file_path(const struct run_folder *rf, char *buf, size_t len);

/* Write st (replacing what was there). 0 or -errno. */
int state_file_write(const struct run_folder *rf, const struct node_state *st);

/* Read it. 0, -ENOENT when there is none, or -errno. */
int state_file_read(const struct run_folder *rf, struct node_state *st);

/* ---- network namespaces (netns.c) ---------------------------------------- */

/* The namespace of node: "ob-<network>-<node>". */
void netns_name(const struct launcher *l, const char *node, char *buf, size_t len);

/* Make the namespaces of every node, the switch namespace with a bridge
 * per link and segment, and a veth from each member to its bridge, with
 * the links' addresses. 0 or -errno (what was made is removed). */
int netns_up(const struct launcher *l);

/* Remove them (those that exist). 0 or -errno. */
int netns_down(const struct launcher *l);

/* Does the namespace exist? */
bool netns_exists(const char *name);

/* ---- commands ------------------------------------------------------------ */

int cmd_up(struct launcher *l);
int cmd_down(struct launcher *l);
int cmd_status(struct launcher *l);

/* A progress line on stdout (unless quiet). */
__attribute__((format(printf, 2, 3))) void launcher_say(const struct launcher *l,
                                                        const char *fmt, ...);

#endif
