/*
 * irm_run.c - run a parsed irm command: pick the node, dispatch to the verb
 * group, and turn every failure into one clear line.
 */
#include "irm_run.h"

#include "irm_words.h"
#include "irmd_client.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int irm_fail(struct irm_ctx *c, const char *fmt, ...)
{
    va_list ap;

    fputs("irm: ", c->err);
    va_start(ap, fmt);
    vfprintf(c->err, fmt, ap);
    va_end(ap);
    fputc('\n', c->err);
    return IRM_EXIT_FAILED;
}

int irm_fail_usage(struct irm_ctx *c)
{
    fprintf(c->err, "irm: %s\n", c->cmd->error);
    return IRM_EXIT_USAGE;
}

const char *irm_strerror(int err)
{
    switch (-err) {
    case ENOTALLOC:
        return "the flow is not allocated";
    case EIPCPTYPE:
        return "wrong or unsupported IPCP type";
    case EIRMD:
        return "the IRM daemon is not running";
    case EIPCP:
        return "the IPCP failed (or no layer serves the name)";
    case EIPCPSTATE:
        return "the IPCP is in the wrong state for this (already bootstrapped or enrolled?)";
    case EFLOWDOWN:
        return "the flow is down";
    case EFLOWPEER:
        return "the peer is gone";
    case ENAME:
        return "no such name";
    case ECRYPT:
        return "encryption failed";
    case EAUTH:
        return "authentication failed";
    case ENOSYS:
        return "the IRM daemon does not know this request (another version?)";
    case EPROTO:
    case EBADMSG:
        return "the IRM daemon's answer makes no sense (another version?)";
    default:
        return strerror(-err);
    }
}

int irm_fail_call(struct irm_ctx *c, int err, const char *fmt, ...)
{
    const struct run_folder *rf = irmd_client_run_folder();
    va_list ap;

    if (err == -EIRMD)
        return irm_fail(c,
                        "the IRM daemon of node '%s' is not running (no socket at %s/%s.ctl)",
                        rf->node, rf->path, IRMD_SERVICE);
    fputs("irm: ", c->err);
    va_start(ap, fmt);
    vfprintf(c->err, fmt, ap);
    va_end(ap);
    if (err == -ETIMEDOUT)
        fprintf(c->err, ": the IRM daemon of node '%s' did not answer in time\n", rf->node);
    else if (err == -EACCES && irmd_client_probe() == -EACCES)
        fprintf(c->err, ": this user may not use node '%s' (%s)\n", rf->node, rf->path);
    else
        fprintf(c->err, ": %s\n", irm_strerror(err));
    return IRM_EXIT_FAILED;
}

const char *irm_type_str(enum ipcp_type type)
{
    return irm_word_name(irm_words_ipcp_type, (int)type);
}

const char *irm_state_str(enum ipcp_state state)
{
    static const char *const s[] = {
        [IPCP_STATE_INIT] = "init",
        [IPCP_STATE_BOOT] = "boot",
        [IPCP_STATE_OPERATIONAL] = "operational",
        [IPCP_STATE_DOWN] = "down",
    };

    return (unsigned)state <= IPCP_STATE_DOWN ? s[state] : "?";
}

int irm_ipcp_find(const char *name, struct ipcp_list_info *info)
{
    struct ipcp_list_info *l;
    ssize_t n = irm_list_ipcps(&l);
    int r = -ENOENT;

    if (n < 0)
        return (int)n;
    for (ssize_t i = 0; i < n; i++) {
        if (strcmp(l[i].name, name) == 0) {
            *info = l[i];
            r = 0;
            break;
        }
    }
    free(l);
    return r;
}

int irm_name_ensure(struct irm_ctx *c, const char *name)
{
    struct name_info info = {.pol_lb = LB_RR};
    struct name_info *l;
    ssize_t n = irm_list_names(&l);
    bool found = false;
    int err;

    if (n < 0)
        return irm_fail_call(c, (int)n, "cannot list the names");
    for (ssize_t i = 0; i < n && !found; i++)
        found = strcmp(l[i].name, name) == 0;
    free(l);
    if (found)
        return 0;
    snprintf(info.name, sizeof(info.name), "%s", name);
    err = irm_create_name(&info);
    if (err < 0 && err != -EEXIST) /* -EEXIST: created meanwhile */
        return irm_fail_call(c, err, "cannot create name '%s'", name);
    return 0;
}

int irm_cmd_run(struct irm_cmd *cmd, FILE *out, FILE *err)
{
    struct irm_ctx c = {.cmd = cmd, .out = out, .err = err};
    int r;

    if (irm_use_node(cmd->node) < 0)
        return irm_fail(&c, "bad node name '%s'", cmd->node ? cmd->node : "");
    switch (cmd->op) {
    case IRM_OP_IPCP_CREATE:
    case IRM_OP_IPCP_DESTROY:
    case IRM_OP_IPCP_BOOTSTRAP:
    case IRM_OP_IPCP_ENROLL:
    case IRM_OP_IPCP_CONNECT:
    case IRM_OP_IPCP_DISCONNECT:
    case IRM_OP_IPCP_LIST:
        r = irm_run_ipcp(&c);
        break;
    case IRM_OP_BIND_PROGRAM:
    case IRM_OP_BIND_PROCESS:
    case IRM_OP_BIND_IPCP:
    case IRM_OP_BIND_LIST:
    case IRM_OP_UNBIND_PROGRAM:
    case IRM_OP_UNBIND_PROCESS:
    case IRM_OP_UNBIND_IPCP:
        r = irm_run_bind(&c);
        break;
    case IRM_OP_NAME_CREATE:
    case IRM_OP_NAME_DESTROY:
    case IRM_OP_NAME_REGISTER:
    case IRM_OP_NAME_UNREGISTER:
    case IRM_OP_NAME_LIST:
        r = irm_run_name(&c);
        break;
    case IRM_OP_FLOW_LIST:
    case IRM_OP_PROC_LIST:
        r = irm_run_list(&c);
        break;
    default:
        r = IRM_EXIT_OK;
        break;
    }
    fflush(out);
    return r;
}

int irm_main(int argc, char **argv, FILE *out, FILE *err)
{
    struct irm_cmd *cmd = calloc(1, sizeof(*cmd));
    int r;

    if (cmd == NULL) {
        fputs("irm: out of memory\n", err);
        return IRM_EXIT_FAILED;
    }
    if (irm_cmd_parse(cmd, argc, argv) < 0) {
        fprintf(err, "irm: %s (see '%s --help')\n", cmd->error, irm_usage_words(cmd->topic));
        r = IRM_EXIT_USAGE;
    } else if (cmd->op == IRM_OP_HELP) {
        irm_usage_print(cmd->topic, out);
        r = IRM_EXIT_OK;
    } else if (cmd->op == IRM_OP_VERSION) {
        fprintf(out, "irm (ourobus) %s\n", OUROBUS_VERSION);
        r = IRM_EXIT_OK;
    } else {
        r = irm_cmd_run(cmd, out, err);
    }
    free(cmd);
    return r;
}
