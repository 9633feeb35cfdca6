/*
 * irm_run.h - carrying out a parsed irm command: the groups of verbs (one
 * file each) and what they share: messages for failures, finding an IPCP
 * by its name, making sure a name exists.
 */
#ifndef OUROBUS_IRM_RUN_H
#define OUROBUS_IRM_RUN_H

#include "irm_cmd.h"

struct irm_ctx {
    struct irm_cmd *cmd;
    FILE *out;
    FILE *err;
};

/* Print "irm: <message>" on err; returns IRM_EXIT_FAILED. */
__attribute__((format(printf, 2, 3))) int irm_fail(struct irm_ctx *c, const char *fmt, ...);

/* A call to the daemon failed with err: "irm: <what>: <why>", or the
 * daemon's absence said plainly. Returns IRM_EXIT_FAILED. */
__attribute__((format(printf, 3, 4))) int irm_fail_call(struct irm_ctx *c, int err,
                                                        const char *fmt, ...);

/* A usage error found while running (cmd->error): IRM_EXIT_USAGE. */
int irm_fail_usage(struct irm_ctx *c);

/* Words for an error code of the flow and management APIs. */
const char *irm_strerror(int err);

/* The IPCP called name: 0 and *info, -ENOENT, or the list's -errno. */
int irm_ipcp_find(const char *name, struct ipcp_list_info *info);

/* Create name (round-robin) unless it exists: 0 or an exit code. */
int irm_name_ensure(struct irm_ctx *c, const char *name);

/* Type and state in words. */
const char *irm_type_str(enum ipcp_type type);
const char *irm_state_str(enum ipcp_state state);

int irm_run_ipcp(struct irm_ctx *c); /* irm_run_ipcp.c */
int irm_run_bind(struct irm_ctx *c); /* irm_run_bind.c: bind, unbind, bind list */
int irm_run_name(struct irm_ctx *c); /* irm_run_name.c */
int irm_run_list(struct irm_ctx *c); /* irm_run_list.c: flow list, proc list */

#endif
