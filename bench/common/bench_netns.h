/*
 * bench_netns.h - hosts for the benchmarks that cross a network: network
 * namespaces in a line, each joined to the next by a veth pair, a node in
 * each, and the irm command run against any of them.
 *
 *   ns 0 (node 0)         ns 1 (node 1)         ns 2 ...
 *   10.72.0.1 ---link 0--- 10.72.0.2
 *                          10.72.1.1 ---link 1--- 10.72.1.2 ...
 */
#ifndef OUROBUS_BENCH_NETNS_H
#define OUROBUS_BENCH_NETNS_H

#include <stdbool.h>
#include <sys/types.h>

#define NETNS_MAX 4

/* The two ends of link 0: node 0 (A) and node 1 (B). */
#define NETNS_ADDR_A "10.72.0.1"
#define NETNS_ADDR_B "10.72.0.2"

/* Link i joins node i (end 0, 10.72.i.1) and node i+1 (end 1, 10.72.i.2). */
struct netns_link {
    char ifc[2][16];  /* the veth ends */
    char addr[2][32]; /* their addresses */
};

struct netns_line {
    int n;        /* nodes */
    char tag[16]; /* the benchmark's name, for messages and the run folder */
    char ns[NETNS_MAX][32];
    char node[NETNS_MAX][32];
    struct netns_link link[NETNS_MAX - 1];
    pid_t irmd[NETNS_MAX];
    char run_dir[64]; /* OUROBUS_RUN_DIR of every node; their logs <node>.log */
    char bin[512];    /* the build tree's root */
    bool keep_logs;   /* netns_down saves the nodes' logs */
    pid_t owner;      /* the process that made it: only it takes it down */
};

/* Make n namespaces (2..NETNS_MAX) in a line, the veth pairs and their
 * addresses; start a node in each, its IRM daemon (and the IPCPs it starts)
 * pinned to CPU i. The daemons log at $BENCH_LOG (default warn) into the
 * run folder. 0 or -1 (with what failed on stderr). */
int netns_up(struct netns_line *p, int n, const char *tag);

/* Stop the nodes, wipe them, remove the namespaces and the run folder
 * (the logs are moved out first when keep_logs is set or $BENCH_KEEP_LOGS
 * is). Only in the process that called netns_up; again is a no-op. */
void netns_down(struct netns_line *p);

/* Move the calling process into namespace i. */
int netns_enter(const struct netns_line *p, int i);

/* Run "irm --node <node i> ARGS": its exit status (output to node i's log). */
int netns_irm(const struct netns_line *p, int i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Is this program of the build tree there (e.g. "services/shim-eth/ourobus-shim-eth")? */
bool netns_have(const struct netns_line *p, const char *rel);

#endif
