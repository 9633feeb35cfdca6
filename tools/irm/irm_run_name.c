/*
 * irm_run_name.c - irm name create|destroy|register|unregister|list against
 * the daemon; registrations go to every IPCP the patterns match.
 */
#include "irm_run.h"
#include "irm_table.h"
#include "irm_words.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static int run_create(struct irm_ctx *c)
{
    struct name_info info = {.pol_lb = c->cmd->lb};
    int err;

    snprintf(info.name, sizeof(info.name), "%s", c->cmd->name);
    err = irm_create_name(&info);
    if (err == -EEXIST)
        return irm_fail(c, "name '%s' exists", c->cmd->name);
    if (err < 0)
        return irm_fail_call(c, err, "cannot create name '%s'", c->cmd->name);
    return IRM_EXIT_OK;
}

static int run_destroy(struct irm_ctx *c)
{
    int err = irm_destroy_name(c->cmd->name);

    if (err == -ENAME || err == -ENOENT)
        return irm_fail(c, "no such name '%s'", c->cmd->name);
    if (err < 0)
        return irm_fail_call(c, err, "cannot destroy name '%s'", c->cmd->name);
    return IRM_EXIT_OK;
}

static bool matches(const char *const *patterns, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (fnmatch(patterns[i], s, 0) == 0)
            return true;
    return false;
}

/* Does pattern match one IPCP (by name, or by layer)? */
static bool matches_one(const struct ipcp_list_info *l, ssize_t n, const char *pattern,
                        bool layer)
{
    for (ssize_t i = 0; i < n; i++)
        if (fnmatch(pattern, layer ? l[i].layer : l[i].name, 0) == 0)
            return true;
    return false;
}

static int run_reg(struct irm_ctx *c, bool reg)
{
    struct irm_cmd *cmd = c->cmd;
    struct ipcp_list_info *l;
    ssize_t n = irm_list_ipcps(&l);
    int r = IRM_EXIT_OK;
    int failed = IRM_EXIT_OK;

    if (n < 0)
        return irm_fail_call(c, (int)n, "cannot list the IPCPs");
    /* Every pattern must match something, before anything is changed. */
    for (int i = 0; i < cmd->n_ipcps && r == IRM_EXIT_OK; i++)
        if (!matches_one(l, n, cmd->ipcps[i], false))
            r = irm_fail(c, "no IPCP called '%s' (see 'irm ipcp list')", cmd->ipcps[i]);
    for (int i = 0; i < cmd->n_layers && r == IRM_EXIT_OK; i++)
        if (!matches_one(l, n, cmd->layers[i], true))
            r = irm_fail(c, "no IPCP in layer '%s' (see 'irm ipcp list')", cmd->layers[i]);
    if (r == IRM_EXIT_OK && reg)
        r = irm_name_ensure(c, cmd->name);
    /* Each IPCP once, even when several patterns match it. A refusal by
     * one IPCP does not stop the others. */
    for (ssize_t i = 0; r == IRM_EXIT_OK && i < n; i++) {
        int err;

        if (!matches(cmd->ipcps, cmd->n_ipcps, l[i].name) &&
            !matches(cmd->layers, cmd->n_layers, l[i].layer))
            continue;
        err = reg ? irm_reg_name(cmd->name, l[i].pid) : irm_unreg_name(cmd->name, l[i].pid);
        if (err == 0)
            continue;
        if (err == -ENAME) {
            r = irm_fail(c, "no such name '%s'", cmd->name);
            break;
        }
        failed =
            irm_fail_call(c, err, "cannot %s name '%s' %s IPCP '%s' (layer '%s')",
                          reg ? "register" : "unregister", cmd->name, reg ? "with" : "from",
                          l[i].name, l[i].layer[0] ? l[i].layer : "-");
        if (err == -EIRMD || err == -ETIMEDOUT)
            break;
    }
    free(l);
    return r != IRM_EXIT_OK ? r : failed;
}

static int run_list(struct irm_ctx *c)
{
    static const char *const head[] = {"NAME", "LB"};
    struct name_info *l;
    struct irm_table *t;
    ssize_t n = irm_list_names(&l);
    int r = IRM_EXIT_OK;

    if (n < 0)
        return irm_fail_call(c, (int)n, "cannot list the names");
    t = irm_table_new(2, head);
    for (ssize_t i = 0; t != NULL && i < n; i++) {
        const char *row[2] = {l[i].name, irm_word_name(irm_words_lb, (int)l[i].pol_lb)};

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

int irm_run_name(struct irm_ctx *c)
{
    switch (c->cmd->op) {
    case IRM_OP_NAME_CREATE:
        return run_create(c);
    case IRM_OP_NAME_DESTROY:
        return run_destroy(c);
    case IRM_OP_NAME_REGISTER:
        return run_reg(c, true);
    case IRM_OP_NAME_UNREGISTER:
        return run_reg(c, false);
    default:
        return run_list(c);
    }
}
