/*
 * irm_run_list.c - irm flow list and irm proc list: what the daemon knows
 * of the node's flows and processes, as tables.
 */
#include "api/irmd_list.h"
#include "irm_run.h"
#include "irm_table.h"

#include <stdlib.h>
#include <string.h>

static void pid_str(char *buf, size_t len, int32_t pid)
{
    if (pid > 0)
        snprintf(buf, len, "%d", (int)pid);
    else
        snprintf(buf, len, "-");
}

static int flow_list(struct irm_ctx *c)
{
    static const char *const head[] = {"ID", "NAME", "FROM", "TO", "STATE", "QUEUED"};
    struct irmd_list_desc d = IRMD_LIST_FLOWS;
    irm_flow_entry_t *l;
    struct irm_table *t;
    ssize_t n = irmd_list_fetch(&d, (void **)&l);
    int r = IRM_EXIT_OK;

    if (n < 0)
        return irm_fail_call(c, (int)n, "cannot list the flows");
    t = irm_table_new(6, head);
    for (ssize_t i = 0; t != NULL && i < n; i++) {
        char id[16], a[16], b[16], q[32];
        const char *row[6] = {id, l[i].name, a, b, l[i].state, q};

        snprintf(id, sizeof(id), "%u", l[i].flow_id);
        pid_str(a, sizeof(a), l[i].pid_a);
        pid_str(b, sizeof(b), l[i].pid_b);
        snprintf(q, sizeof(q), "%u/%u", l[i].queued_ab, l[i].queued_ba);
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

static int proc_list(struct irm_ctx *c)
{
    static const char *const head[] = {"PID", "PROGRAM", "FLOWS", "NAMES"};
    struct irmd_list_desc d = IRMD_LIST_PROCS;
    irm_proc_entry_t *l;
    struct irm_table *t;
    ssize_t n = irmd_list_fetch(&d, (void **)&l);
    int r = IRM_EXIT_OK;

    if (n < 0)
        return irm_fail_call(c, (int)n, "cannot list the processes");
    t = irm_table_new(4, head);
    for (ssize_t i = 0; t != NULL && i < n; i++) {
        char pid[16], flows[16], names[4 * 258];
        const char *row[4] = {pid, l[i].prog, flows, names};
        size_t len = 0;

        snprintf(pid, sizeof(pid), "%d", (int)l[i].pid);
        snprintf(flows, sizeof(flows), "%u", l[i].flows);
        names[0] = '\0';
        for (pb_size_t j = 0; j < l[i].names_count; j++)
            len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", j ? "," : "",
                                    l[i].names[j]);
        if (l[i].names_count == 0)
            snprintf(names, sizeof(names), "-");
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

int irm_run_list(struct irm_ctx *c)
{
    return c->cmd->op == IRM_OP_FLOW_LIST ? flow_list(c) : proc_list(c);
}
