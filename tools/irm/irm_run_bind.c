/*
 * irm_run_bind.c - irm bind|unbind program|process|ipcp and irm bind list
 * against the daemon.
 */
#include "api/irmd_list.h"
#include "irm_run.h"
#include "irm_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int fail_prog(struct irm_ctx *c, int err, const char *verb)
{
    const char *prog = c->cmd->prog;

    if (err == -ENOENT && strchr(prog, '/') == NULL)
        return irm_fail(c, "no program '%s' in $PATH", prog);
    if (err == -ENOENT)
        return irm_fail(c, "no program at '%s'", prog);
    if (err == -EACCES && strchr(prog, '/') == NULL)
        return irm_fail(c, "'%s' in $PATH is not an executable file", prog);
    if (err == -EACCES || err == -EISDIR)
        return irm_fail(c, "'%s' is not an executable file", prog);
    if (c->cmd->name != NULL)
        return irm_fail_call(c, err, "cannot %s program '%s' %s name '%s'", verb, prog,
                             verb[0] == 'b' ? "to" : "from", c->cmd->name);
    return irm_fail_call(c, err, "cannot %s program '%s'", verb, prog);
}

static int fail_pid(struct irm_ctx *c, int err, const char *verb, const char *what, pid_t pid)
{
    if (c->cmd->name != NULL)
        return irm_fail_call(c, err, "cannot %s %s %d %s name '%s'", verb, what, (int)pid,
                             verb[0] == 'b' ? "to" : "from", c->cmd->name);
    return irm_fail_call(c, err, "cannot %s %s %d", verb, what, (int)pid);
}

/* The pid of the process or IPCP the command names; an exit code if none. */
static int target_pid(struct irm_ctx *c, pid_t *pid)
{
    struct ipcp_list_info info;
    int err;

    if (c->cmd->ipcp == NULL) {
        *pid = c->cmd->pid;
        return 0;
    }
    err = irm_ipcp_find(c->cmd->ipcp, &info);
    if (err == -ENOENT)
        return irm_fail(c, "no IPCP called '%s' (see 'irm ipcp list')", c->cmd->ipcp);
    if (err < 0)
        return irm_fail_call(c, err, "cannot list the IPCPs");
    *pid = info.pid;
    return 0;
}

static int run_bind(struct irm_ctx *c)
{
    struct irm_cmd *cmd = c->cmd;
    pid_t pid = 0;
    int r;
    int err;

    if (cmd->op != IRM_OP_BIND_PROGRAM) {
        r = target_pid(c, &pid);
        if (r != 0)
            return r;
    }
    r = irm_name_ensure(c, cmd->name);
    if (r != 0)
        return r;
    if (cmd->op == IRM_OP_BIND_PROGRAM) {
        err = irm_bind_program(cmd->prog, cmd->name, cmd->auto_start ? BIND_AUTO : 0, cmd->argc,
                               cmd->argv);
        return err < 0 ? fail_prog(c, err, "bind") : IRM_EXIT_OK;
    }
    err = irm_bind_process(pid, cmd->name);
    if (err == -ENAME)
        return irm_fail(c, "no such name '%s'", cmd->name);
    if (err < 0)
        return fail_pid(c, err, "bind", cmd->ipcp ? "IPCP" : "process", pid);
    return IRM_EXIT_OK;
}

static int run_unbind(struct irm_ctx *c)
{
    struct irm_cmd *cmd = c->cmd;
    pid_t pid = 0;
    int r;
    int err;

    if (cmd->op == IRM_OP_UNBIND_PROGRAM) {
        err = irm_unbind_program(cmd->prog, cmd->name);
        return err < 0 ? fail_prog(c, err, "unbind") : IRM_EXIT_OK;
    }
    r = target_pid(c, &pid);
    if (r != 0)
        return r;
    err = irm_unbind_process(pid, cmd->name);
    if (err == -ENAME)
        return irm_fail(c, "no such name '%s'", cmd->name);
    if (err < 0)
        return fail_pid(c, err, "unbind", cmd->ipcp ? "IPCP" : "process", pid);
    return IRM_EXIT_OK;
}

/* "prog arg1 arg2", arguments with spaces quoted. */
static void join_args(const irm_bind_entry_t *b, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    for (pb_size_t i = 0; i < b->args_count && n < len; i++) {
        const char *q =
            strpbrk(b->args[i], " \t'\"") != NULL || b->args[i][0] == '\0' ? "'" : "";
        int r = snprintf(buf + n, len - n, "%s%s%s%s", i ? " " : "", q, b->args[i], q);

        if (r < 0)
            break;
        n += (size_t)r;
    }
}

static int run_list(struct irm_ctx *c)
{
    static const char *const head[] = {"NAME", "BOUND", "AUTO", "ARGS"};
    struct irmd_list_desc d = IRMD_LIST_BINDS;
    struct ipcp_list_info *ipcps = NULL;
    irm_bind_entry_t *l;
    struct irm_table *t;
    ssize_t ni;
    ssize_t n = irmd_list_fetch(&d, (void **)&l);
    int r = IRM_EXIT_OK;

    if (n < 0)
        return irm_fail_call(c, (int)n, "cannot list the bindings");
    ni = irm_list_ipcps(&ipcps); /* to tell IPCPs from other processes */
    t = irm_table_new(4, head);
    for (ssize_t i = 0; t != NULL && i < n; i++) {
        char who[1100];
        char args[1024];
        const char *row[4];

        if (l[i].prog[0] != '\0')
            snprintf(who, sizeof(who), "program %s", l[i].prog);
        else
            snprintf(who, sizeof(who), "process %d", (int)l[i].pid);
        for (ssize_t j = 0; l[i].prog[0] == '\0' && j < ni; j++)
            if (ipcps[j].pid == l[i].pid)
                snprintf(who, sizeof(who), "ipcp %s (%d)", ipcps[j].name, (int)l[i].pid);
        join_args(&l[i], args, sizeof(args));
        row[0] = l[i].name;
        row[1] = who;
        row[2] = l[i].auto_start ? "yes" : "-";
        row[3] = args[0] ? args : "-";
        if (irm_table_add(t, row) < 0)
            irm_table_destroy(&t);
    }
    if (t != NULL)
        irm_table_print(t, c->out);
    else
        r = irm_fail(c, "out of memory");
    irm_table_destroy(&t);
    free(ipcps);
    free(l);
    return r;
}

int irm_run_bind(struct irm_ctx *c)
{
    switch (c->cmd->op) {
    case IRM_OP_BIND_PROGRAM:
    case IRM_OP_BIND_PROCESS:
    case IRM_OP_BIND_IPCP:
        return run_bind(c);
    case IRM_OP_BIND_LIST:
        return run_list(c);
    default:
        return run_unbind(c);
    }
}
