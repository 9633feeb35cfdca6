/*
 * irm_name.c - parse irm name create|destroy|register|unregister|list: the
 * names of a node, their load balancing and the layers they are in.
 */
#include "irm_parse.h"

#include "irm_words.h"

#include <errno.h>
#include <string.h>

enum { V_CREATE, V_DESTROY, V_REGISTER, V_UNREGISTER, V_LIST };

static const struct irm_kw verbs[] = {
    {"create", V_CREATE, 0},         {"destroy", V_DESTROY, 0}, {"register", V_REGISTER, 0},
    {"unregister", V_UNREGISTER, 0}, {"list", V_LIST, 0},       {NULL, 0, 0}};

enum { K_LB, K_IPCP, K_LAYER };

#define M_CREATE 0x1u
#define M_REG    0x2u

static const struct irm_kw keys[] = {
    {"lb", K_LB, M_CREATE}, {"ipcp", K_IPCP, M_REG}, {"layer", K_LAYER, M_REG}, {NULL, 0, 0}};

static int add_match(struct irm_args *a, const char *kw, const char **list, int *n)
{
    const char *v;

    if (*n == IRM_MATCH_MAX)
        return irm_args_fail(a, "at most %d '%s' words", IRM_MATCH_MAX, kw);
    if (irm_args_name(a, kw,
                      kw[0] == 'i' ? "an IPCP name or pattern" : "a layer name or pattern",
                      &v) < 0)
        return -EINVAL;
    list[(*n)++] = v;
    return 0;
}

static int parse_keys(struct irm_args *a, unsigned mask)
{
    struct irm_cmd *cmd = a->cmd;
    bool lb_set = false;

    while (irm_args_peek(a) != NULL) {
        const char *v;
        char words[64];
        int k;
        int lb;

        if (irm_parse_asks_help(a))
            return 0;
        k = irm_args_match(a, keys, mask, "keyword", irm_args_next(a));
        if (k < 0)
            return -EINVAL;
        switch (k) {
        case K_LB:
            if (lb_set)
                return irm_args_fail(a, "'lb' given twice");
            lb_set = true;
            if (irm_args_value(a, "lb", "a load-balancing policy", &v) < 0)
                return -EINVAL;
            lb = irm_word_value(irm_words_lb, v);
            if (lb < 0)
                return irm_args_fail(a, "unknown load-balancing policy '%s' (expected %s)", v,
                                     irm_word_list(irm_words_lb, words, sizeof(words)));
            cmd->lb = (enum pol_balance)lb;
            break;
        case K_IPCP:
            if (add_match(a, "ipcp", cmd->ipcps, &cmd->n_ipcps) < 0)
                return -EINVAL;
            break;
        case K_LAYER:
            if (add_match(a, "layer", cmd->layers, &cmd->n_layers) < 0)
                return -EINVAL;
            break;
        }
    }
    return 0;
}

int irm_parse_name(struct irm_args *a)
{
    static const struct {
        enum irm_topic topic;
        enum irm_op op;
        unsigned mask;
    } v[] = {
        [V_CREATE] = {IRM_TOPIC_NAME_CREATE, IRM_OP_NAME_CREATE, M_CREATE},
        [V_DESTROY] = {IRM_TOPIC_NAME_DESTROY, IRM_OP_NAME_DESTROY, 0},
        [V_REGISTER] = {IRM_TOPIC_NAME_REGISTER, IRM_OP_NAME_REGISTER, M_REG},
        [V_UNREGISTER] = {IRM_TOPIC_NAME_UNREGISTER, IRM_OP_NAME_UNREGISTER, M_REG},
        [V_LIST] = {IRM_TOPIC_NAME_LIST, IRM_OP_NAME_LIST, 0},
    };
    struct irm_cmd *cmd = a->cmd;
    int verb;

    if (irm_parse_enter(a, IRM_TOPIC_NAME))
        return 0;
    verb = irm_args_match(a, verbs, 0, "verb", irm_args_next(a));
    if (verb < 0)
        return -EINVAL;
    if (irm_parse_enter(a, v[verb].topic))
        return 0;
    cmd->op = v[verb].op;
    if (verb == V_LIST)
        return irm_parse_end(a);
    if (irm_args_peek(a) == NULL)
        return irm_args_fail(a, "a name is required");
    if (irm_args_name(a, "name", "a name", &cmd->name) < 0)
        return -EINVAL;
    if (v[verb].mask == 0)
        return irm_parse_end(a);
    if (parse_keys(a, v[verb].mask) < 0)
        return -EINVAL;
    if (cmd->op != IRM_OP_HELP && v[verb].mask == M_REG && cmd->n_ipcps == 0 &&
        cmd->n_layers == 0)
        return irm_args_fail(a, "'ipcp <IPCP>' or 'layer <layer>' is required (as many as "
                                "wanted, with * and ? wildcards)");
    return 0;
}
