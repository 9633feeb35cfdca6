/*
 * irm_run_ipcp.c - irm ipcp create|destroy|bootstrap|enroll|connect|
 * disconnect|list against the daemon: IPCPs are found by name, created when
 * a bootstrap or an enrollment needs them, and removed again if it fails.
 */
#include "irm_run.h"
#include "irm_table.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* The IPCP the command names; an exit code if it is not there. */
static int find(struct irm_ctx *c, struct ipcp_list_info *info)
{
    int err = irm_ipcp_find(c->cmd->ipcp, info);

    if (err == -ENOENT)
        return irm_fail(c, "no IPCP called '%s' (see 'irm ipcp list')", c->cmd->ipcp);
    if (err < 0)
        return irm_fail_call(c, err, "cannot list the IPCPs");
    return 0;
}

static int run_create(struct irm_ctx *c)
{
    pid_t pid = irm_create_ipcp(c->cmd->ipcp, c->cmd->type);

    if (pid == -EEXIST)
        return irm_fail(c, "an IPCP called '%s' exists", c->cmd->ipcp);
    if (pid < 0)
        return irm_fail_call(c, pid, "cannot create %s IPCP '%s'", irm_type_str(c->cmd->type),
                             c->cmd->ipcp);
    return IRM_EXIT_OK;
}

static int run_destroy(struct irm_ctx *c)
{
    struct ipcp_list_info info;
    int r = find(c, &info);
    int err;

    if (r != 0)
        return r;
    err = irm_destroy_ipcp(info.pid);
    if (err < 0)
        return irm_fail_call(c, err, "cannot destroy IPCP '%s' (pid %d)", info.name,
                             (int)info.pid);
    return IRM_EXIT_OK;
}

/* The IPCP of a bootstrap or an enrollment: found, or created with type
 * (*created set). An exit code on failure. */
static int find_or_create(struct irm_ctx *c, enum ipcp_type type, struct ipcp_list_info *info,
                          bool *created)
{
    struct irm_cmd *cmd = c->cmd;
    int err = irm_ipcp_find(cmd->ipcp, info);

    *created = false;
    if (err == 0) {
        if (cmd->type_set && info->type != cmd->type)
            return irm_fail(c, "IPCP '%s' is a %s IPCP, not %s", info->name,
                            irm_type_str(info->type), irm_type_str(cmd->type));
        return 0;
    }
    if (err != -ENOENT)
        return irm_fail_call(c, err, "cannot list the IPCPs");
    info->pid = irm_create_ipcp(cmd->ipcp, type);
    if (info->pid < 0)
        return irm_fail_call(c, info->pid, "cannot create %s IPCP '%s'", irm_type_str(type),
                             cmd->ipcp);
    info->type = type;
    snprintf(info->name, sizeof(info->name), "%s", cmd->ipcp);
    info->layer[0] = '\0';
    *created = true;
    return 0;
}

/* Bind the IPCP to its own name and to its layer's: other IPCPs enroll
 * and connect through those names. */
static int autobind(struct irm_ctx *c, pid_t pid, const char *name, const char *layer)
{
    const char *names[2] = {name, layer};
    int err;

    for (int i = 0; i < 2; i++) {
        int r = irm_name_ensure(c, names[i]);

        if (r != 0)
            return r;
        err = irm_bind_process(pid, names[i]);
        if (err < 0)
            return irm_fail_call(c, err, "cannot bind IPCP '%s' to name '%s'", name, names[i]);
    }
    return 0;
}

static void unbind_quietly(pid_t pid, const char *name, const char *layer)
{
    irm_unbind_process(pid, name);
    irm_unbind_process(pid, layer);
}

static int run_bootstrap(struct irm_ctx *c)
{
    struct irm_cmd *cmd = c->cmd;
    struct ipcp_list_info info;
    bool created;
    int r;
    int err;

    /* With a type the configuration is known already; else it is the
     * existing IPCP's, and it must exist. */
    if (!cmd->type_set) {
        err = irm_ipcp_find(cmd->ipcp, &info);
        if (err == -ENOENT)
            return irm_fail(c, "no IPCP called '%s': give 'type TYPE' to create it", cmd->ipcp);
        if (err < 0)
            return irm_fail_call(c, err, "cannot list the IPCPs");
        if (irm_cmd_boot_config(cmd, info.type) < 0)
            return irm_fail_usage(c);
    }
    r = find_or_create(c, cmd->type, &info, &created);
    if (r != 0)
        return r;
    if (cmd->autobind) {
        r = autobind(c, info.pid, info.name, cmd->layer);
        if (r != 0)
            goto fail_started;
    }
    err = irm_bootstrap_ipcp(info.pid, &cmd->conf);
    if (err < 0) {
        r = irm_fail_call(c, err, "cannot bootstrap IPCP '%s' in layer '%s'", info.name,
                          cmd->layer);
        goto fail_started;
    }
    return IRM_EXIT_OK;

fail_started:
    if (cmd->autobind) /* either name may be bound already */
        unbind_quietly(info.pid, info.name, cmd->layer);
    if (created)
        irm_destroy_ipcp(info.pid);
    return r;
}

static int run_enroll(struct irm_ctx *c)
{
    struct irm_cmd *cmd = c->cmd;
    struct ipcp_list_info info;
    bool created;
    int r;
    int err;

    r = find_or_create(c, cmd->type_set ? cmd->type : IPCP_UNICAST, &info, &created);
    if (r != 0)
        return r;
    if (info.type != IPCP_UNICAST && info.type != IPCP_BROADCAST) {
        r = irm_fail(c, "IPCP '%s' is a %s IPCP: only unicast and broadcast IPCPs enroll",
                     info.name, irm_type_str(info.type));
        goto fail;
    }
    err = irm_enroll_ipcp(info.pid, cmd->dst);
    if (err < 0) {
        r = irm_fail_call(c, err, "cannot enroll IPCP '%s' through '%s'", info.name, cmd->dst);
        goto fail;
    }
    /* Which layer did it join? */
    err = irm_ipcp_find(cmd->ipcp, &info);
    if (err < 0) {
        r = irm_fail_call(c, err, "cannot list the IPCPs");
        goto fail;
    }
    if (cmd->layer != NULL && strcmp(info.layer, cmd->layer) != 0) {
        r = irm_fail(c, "IPCP '%s' joined layer '%s' through '%s', not '%s'", info.name,
                     info.layer, cmd->dst, cmd->layer);
        goto fail;
    }
    if (cmd->autobind) {
        r = autobind(c, info.pid, info.name, info.layer);
        if (r != 0)
            return r;
    }
    return IRM_EXIT_OK;

fail:
    if (created)
        irm_destroy_ipcp(info.pid);
    return r;
}

static int run_connect(struct irm_ctx *c, bool connect)
{
    struct irm_cmd *cmd = c->cmd;
    struct ipcp_list_info info;
    int r = find(c, &info);
    int err;

    if (r != 0)
        return r;
    if (info.type != IPCP_UNICAST && info.type != IPCP_BROADCAST)
        return irm_fail(c, "IPCP '%s' is a %s IPCP: only unicast and broadcast IPCPs %s",
                        info.name, irm_type_str(info.type), connect ? "connect" : "disconnect");
    if (connect)
        err = irm_connect_ipcp(info.pid, cmd->dst, cmd->component, cmd->qos);
    else
        err = irm_disconnect_ipcp(info.pid, cmd->dst, cmd->component);
    if (err < 0)
        return irm_fail_call(c, err, "cannot %s IPCP '%s' %s '%s'",
                             connect ? "connect" : "disconnect", info.name,
                             connect ? "to" : "from", cmd->dst);
    return IRM_EXIT_OK;
}

static bool wanted(const struct irm_cmd *cmd, const struct ipcp_list_info *i)
{
    return (cmd->ipcp == NULL || fnmatch(cmd->ipcp, i->name, 0) == 0) &&
           (cmd->layer == NULL || fnmatch(cmd->layer, i->layer, 0) == 0) &&
           (!cmd->type_set || cmd->type == i->type);
}

static int run_list(struct irm_ctx *c)
{
    static const char *const head[] = {"PID", "NAME", "TYPE", "LAYER", "STATE"};
    struct ipcp_list_info *l;
    struct irm_table *t;
    ssize_t n = irm_list_ipcps(&l);
    int r = IRM_EXIT_OK;

    if (n < 0)
        return irm_fail_call(c, (int)n, "cannot list the IPCPs");
    t = irm_table_new(5, head);
    for (ssize_t i = 0; t != NULL && i < n; i++) {
        char pid[16];
        const char *row[5];

        if (!wanted(c->cmd, &l[i]))
            continue;
        snprintf(pid, sizeof(pid), "%d", (int)l[i].pid);
        row[0] = pid;
        row[1] = l[i].name;
        row[2] = irm_type_str(l[i].type);
        row[3] = l[i].layer[0] ? l[i].layer : "-";
        row[4] = irm_state_str(l[i].state);
        if (irm_table_add(t, row) < 0)
            irm_table_destroy(&t);
    }
    if (t != NULL)
        irm_table_print(t, c->out);
    else
        r = irm_fail(c, "out of memory");
    irm_table_destroy(&t);
    free(l);
    return r;
}

int irm_run_ipcp(struct irm_ctx *c)
{
    switch (c->cmd->op) {
    case IRM_OP_IPCP_CREATE:
        return run_create(c);
    case IRM_OP_IPCP_DESTROY:
        return run_destroy(c);
    case IRM_OP_IPCP_BOOTSTRAP:
        return run_bootstrap(c);
    case IRM_OP_IPCP_ENROLL:
        return run_enroll(c);
    case IRM_OP_IPCP_CONNECT:
        return run_connect(c, true);
    case IRM_OP_IPCP_DISCONNECT:
        return run_connect(c, false);
    default:
        return run_list(c);
    }
}
