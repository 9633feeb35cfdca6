/*
 * irm_parse.c - the irm command line down to its object: global options,
 * help requests, and the dispatch to each verb group's parser.
 */
#include "irm_parse.h"

#include "irm_words.h"
#include "run_folder.h"

#include <errno.h>
#include <string.h>

enum irm_object { OBJ_IPCP, OBJ_BIND, OBJ_UNBIND, OBJ_NAME, OBJ_FLOW, OBJ_PROC, OBJ_HELP };

static const struct irm_kw objects[] = {
    {"ipcp", OBJ_IPCP, 0},    {"bind", OBJ_BIND, 0}, {"unbind", OBJ_UNBIND, 0},
    {"name", OBJ_NAME, 0},    {"flow", OBJ_FLOW, 0}, {"proc", OBJ_PROC, 0},
    {"process", OBJ_PROC, 0}, {"help", OBJ_HELP, 0}, {NULL, 0, 0}};

static const struct irm_kw list_verb[] = {{"list", 0, 0}, {NULL, 0, 0}};

int irm_parse_enter(struct irm_args *a, enum irm_topic topic)
{
    a->cmd->topic = topic;
    if (!irm_args_help(a))
        return 0;
    a->cmd->op = IRM_OP_HELP;
    return 1;
}

bool irm_parse_asks_help(struct irm_args *a)
{
    const char *w = irm_args_peek(a);

    if (w == NULL || !irm_args_help(a))
        return false;
    a->cmd->op = IRM_OP_HELP;
    return true;
}

int irm_parse_end(struct irm_args *a)
{
    const char *w = irm_args_peek(a);

    if (w == NULL)
        return 0;
    if (irm_args_help(a)) {
        a->cmd->op = IRM_OP_HELP;
        return 0;
    }
    return irm_args_fail(a, "unexpected '%s'", w);
}

int irm_parse_type(struct irm_args *a, const char *kw, const char *word)
{
    int t = irm_word_value(irm_words_ipcp_type, word);
    char list[160];

    if (t < 0)
        return irm_args_fail(a, "unknown IPCP type '%s' (expected %s)", word,
                             irm_word_list(irm_words_ipcp_type, list, sizeof(list)));
    if (a->cmd->type_set && a->cmd->type != (enum ipcp_type)t)
        return irm_args_fail(a, "'%s' given twice", kw);
    a->cmd->type = (enum ipcp_type)t;
    a->cmd->type_set = true;
    return 0;
}

/* irm flow list, irm proc list: the verb may be left out. */
static int parse_list_only(struct irm_args *a, enum irm_topic topic, enum irm_op op)
{
    if (irm_parse_enter(a, topic))
        return 0;
    if (irm_args_peek(a) != NULL &&
        irm_args_match(a, list_verb, 0, "verb", irm_args_next(a)) < 0)
        return -EINVAL;
    a->cmd->op = op;
    return irm_parse_end(a);
}

/* --node NAME, --node=NAME, --help, --version before the object. */
static int parse_options(struct irm_args *a)
{
    const char *w;

    while ((w = irm_args_peek(a)) != NULL && w[0] == '-') {
        irm_args_next(a);
        if (strcmp(w, "--node") == 0 || strcmp(w, "-n") == 0) {
            if (irm_args_value(a, w, "a node name", &a->cmd->node) < 0)
                return -EINVAL;
        } else if (strncmp(w, "--node=", 7) == 0) {
            a->cmd->node = w + 7;
        } else if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0) {
            a->cmd->op = IRM_OP_HELP;
            return 1;
        } else if (strcmp(w, "--version") == 0 || strcmp(w, "-V") == 0) {
            a->cmd->op = IRM_OP_VERSION;
            return 1;
        } else {
            return irm_args_fail(a,
                                 "unknown option '%s' (expected --node NAME, --help or "
                                 "--version)",
                                 w);
        }
    }
    if (a->cmd->node != NULL && node_name_check(a->cmd->node) < 0)
        return irm_args_fail(a, "bad node name '%s' (1 to %d characters of A-Z a-z 0-9 _ . -)",
                             a->cmd->node, NODE_NAME_MAX);
    return 0;
}

int irm_cmd_parse(struct irm_cmd *cmd, int argc, char **argv)
{
    struct irm_args a = {.argc = argc, .argv = argv, .pos = 1, .cmd = cmd};
    int obj;
    int r;

    memset(cmd, 0, sizeof(*cmd));
    cmd->op = IRM_OP_HELP;
    cmd->topic = IRM_TOPIC_MAIN;
    cmd->qos = qos_raw;
    cmd->lb = LB_RR;
    r = parse_options(&a);
    if (r != 0)
        return r < 0 ? r : 0;
    if (irm_args_peek(&a) == NULL)
        return irm_args_fail(&a, "a command is expected: ipcp, bind, unbind, name, flow or "
                                 "proc");
    if (irm_parse_enter(&a, IRM_TOPIC_MAIN) && strcmp(irm_args_peek(&a), "help") != 0)
        return 0;
    obj = irm_args_match(&a, objects, 0, "command", irm_args_next(&a));
    if (obj == OBJ_HELP) {
        /* irm help [words...]: the page of those words */
        a.want_help = true;
        cmd->op = IRM_OP_HELP;
        if (irm_args_peek(&a) == NULL)
            return 0;
        obj = irm_args_match(&a, objects, 0, "command", irm_args_next(&a));
    }
    switch (obj) {
    case OBJ_IPCP:
        r = irm_parse_ipcp(&a);
        break;
    case OBJ_BIND:
        r = irm_parse_bind(&a, false);
        break;
    case OBJ_UNBIND:
        r = irm_parse_bind(&a, true);
        break;
    case OBJ_NAME:
        r = irm_parse_name(&a);
        break;
    case OBJ_FLOW:
        r = parse_list_only(&a, IRM_TOPIC_FLOW, IRM_OP_FLOW_LIST);
        break;
    case OBJ_PROC:
        r = parse_list_only(&a, IRM_TOPIC_PROC, IRM_OP_PROC_LIST);
        break;
    case OBJ_HELP:
        return 0; /* irm help help */
    default:
        return -EINVAL;
    }
    if (a.want_help) {
        /* irm help ipcp bootstrap ...: the words only pick the page */
        cmd->op = IRM_OP_HELP;
        cmd->error[0] = '\0';
        return 0;
    }
    return r;
}
