/*
 * bench_netns.h - the two-host setup of bench shim: two network namespaces
 * joined by a veth pair (10.72.0.1 and 10.72.0.2), a node in each, and the
 * irm command run against either.
 */
#ifndef OUROBUS_BENCH_NETNS_H
#define OUROBUS_BENCH_NETNS_H

#include <stdbool.h>
#include <sys/types.h>

#define NETNS_ADDR_A "10.72.0.1"
#define NETNS_ADDR_B "10.72.0.2"

struct netns_pair {
    char ns[2][32];   /* namespace names */
    char ifc[2][16];  /* their veth ends */
    char node[2][32]; /* node names */
    pid_t irmd[2];
    char run_dir[64];
    char bin[512]; /* the build tree's root */
};

/* Make the namespaces, the veth pair and the addresses; start a node in
 * each, its IRM daemon (and the IPCPs it starts) pinned to CPU side.
 * 0 or -1 (with what failed on stderr). */
int netns_up(struct netns_pair *p);

/* Stop the nodes, wipe them, remove the namespaces. */
void netns_down(struct netns_pair *p);

/* Move the calling process into namespace side (0: A, 1: B). */
int netns_enter(const struct netns_pair *p, int side);

/* Run "irm --node <side's node> ARGS": its exit status (output to the log). */
int netns_irm(const struct netns_pair *p, int side, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Is this program of the build tree there (e.g. "services/shim-eth/ourobus-shim-eth")? */
bool netns_have(const struct netns_pair *p, const char *rel);

#endif
