/*
 * irm_bind.c - parse irm bind|unbind program|process|ipcp and irm bind list:
 * which program, process or IPCP accepts the flows for a name.
 */
#include "irm_parse.h"

#include <errno.h>
#include <string.h>

enum { O_PROGRAM, O_PROCESS, O_IPCP, O_LIST };

#define M_BIND   0x1u
#define M_UNBIND 0x2u

static const struct irm_kw objects[] = {{"program", O_PROGRAM, M_BIND | M_UNBIND},
                                        {"process", O_PROCESS, M_BIND | M_UNBIND},
                                        {"ipcp", O_IPCP, M_BIND | M_UNBIND},
                                        {"list", O_LIST, M_BIND},
                                        {NULL, 0, 0}};

enum { K_NAME, K_AUTO };

static const struct irm_kw keys[] = {
    {"name", K_NAME, M_BIND | M_UNBIND}, {"auto", K_AUTO, M_BIND}, {NULL, 0, 0}};

/* The arguments after "--": for an auto-started program. */
static int take_args(struct irm_args *a)
{
    struct irm_cmd *cmd = a->cmd;

    cmd->argc = a->argc - a->pos;
    cmd->argv = a->argv + a->pos;
    a->pos = a->argc;
    if (cmd->argc > IRM_ARGS_MAX)
        return irm_args_fail(a, "at most %d arguments after '--', not %d", IRM_ARGS_MAX,
                             cmd->argc);
    for (int i = 0; i < cmd->argc; i++)
        if (strlen(cmd->argv[i]) > 255)
            return irm_args_fail(a, "argument %d after '--' is longer than 255 characters",
                                 i + 1);
    return 0;
}

/* name N, auto (bind program), -- args (bind program). */
static int parse_keys(struct irm_args *a, unsigned mask, bool program)
{
    struct irm_cmd *cmd = a->cmd;

    while (irm_args_peek(a) != NULL) {
        const char *kw;
        int k;

        if (irm_parse_asks_help(a))
            return 0;
        kw = irm_args_next(a);
        if (strcmp(kw, "--") == 0) {
            if (!program || mask != M_BIND)
                return irm_args_fail(a, "unexpected '--' (arguments are for 'bind program')");
            if (take_args(a) < 0)
                return -EINVAL;
            break;
        }
        k = irm_args_match(a, keys, mask, "keyword", kw);
        if (k < 0)
            return -EINVAL;
        if (k == K_AUTO && !program)
            return irm_args_fail(a, "'auto' is for programs: a process or an IPCP is not "
                                    "started");
        if (k == K_AUTO) {
            cmd->auto_start = true;
            continue;
        }
        if (cmd->name != NULL)
            return irm_args_fail(a, "'name' given twice");
        if (irm_args_name(a, "name", "a name", &cmd->name) < 0)
            return -EINVAL;
    }
    if (cmd->op == IRM_OP_HELP)
        return 0;
    if (mask == M_BIND && cmd->name == NULL)
        return irm_args_fail(a, "'name <name>' is required");
    if (cmd->argc > 0 && !cmd->auto_start)
        return irm_args_fail(a, "arguments after '--' are for a program the daemon starts: "
                                "add 'auto'");
    return 0;
}

int irm_parse_bind(struct irm_args *a, bool unbind)
{
    static const enum irm_topic topics[2][4] = {
        {IRM_TOPIC_BIND_PROGRAM, IRM_TOPIC_BIND_PROCESS, IRM_TOPIC_BIND_IPCP,
         IRM_TOPIC_BIND_LIST},
        {IRM_TOPIC_UNBIND_PROGRAM, IRM_TOPIC_UNBIND_PROCESS, IRM_TOPIC_UNBIND_IPCP, 0},
    };
    static const enum irm_op ops[2][4] = {
        {IRM_OP_BIND_PROGRAM, IRM_OP_BIND_PROCESS, IRM_OP_BIND_IPCP, IRM_OP_BIND_LIST},
        {IRM_OP_UNBIND_PROGRAM, IRM_OP_UNBIND_PROCESS, IRM_OP_UNBIND_IPCP, 0},
    };
    unsigned mask = unbind ? M_UNBIND : M_BIND;
    struct irm_cmd *cmd = a->cmd;
    const char *what;
    int obj;

    if (irm_parse_enter(a, unbind ? IRM_TOPIC_UNBIND : IRM_TOPIC_BIND))
        return 0;
    obj = irm_args_match(a, objects, mask, "object", irm_args_next(a));
    if (obj < 0)
        return -EINVAL;
    if (irm_parse_enter(a, topics[unbind][obj]))
        return 0;
    cmd->op = ops[unbind][obj];
    if (obj == O_LIST)
        return irm_parse_end(a);
    what = obj == O_PROGRAM ? "a program" : obj == O_PROCESS ? "a process id" : "an IPCP name";
    switch (obj) {
    case O_PROGRAM:
        if (irm_args_value(a, "program", what, &cmd->prog) < 0)
            return -EINVAL;
        if (cmd->prog[0] == '\0' || strlen(cmd->prog) >= 1024)
            return irm_args_fail(a, "'program' needs a program name or path (under 1024 "
                                    "characters)");
        break;
    case O_PROCESS: {
        const char *v;

        if (irm_args_value(a, "process", what, &v) < 0 ||
            irm_args_pid(a, "process", v, &cmd->pid) < 0)
            return -EINVAL;
        break;
    }
    case O_IPCP:
        if (irm_args_name(a, "ipcp", what, &cmd->ipcp) < 0)
            return -EINVAL;
        break;
    }
    return parse_keys(a, mask, obj == O_PROGRAM);
}
