/*
 * irm_ipcp.c - parse irm ipcp create|destroy|enroll|connect|disconnect|list
 * (bootstrap has its own file, irm_boot.c).
 */
#include "irm_parse.h"

#include "irm_words.h"

#include <errno.h>
#include <string.h>

enum { V_CREATE, V_DESTROY, V_BOOTSTRAP, V_ENROLL, V_CONNECT, V_DISCONNECT, V_LIST };

static const struct irm_kw verbs[] = {
    {"create", V_CREATE, 0}, {"destroy", V_DESTROY, 0}, {"bootstrap", V_BOOTSTRAP, 0},
    {"enroll", V_ENROLL, 0}, {"connect", V_CONNECT, 0}, {"disconnect", V_DISCONNECT, 0},
    {"list", V_LIST, 0},     {"enrol", V_ENROLL, 0},    {NULL, 0, 0}};

enum { K_NAME, K_TYPE, K_LAYER, K_DST, K_AUTOBIND, K_COMPONENT, K_QOS };

/* Which keyword each verb takes (the mask bits). */
#define M_CREATE     0x01u
#define M_DESTROY    0x02u
#define M_ENROLL     0x04u
#define M_CONNECT    0x08u
#define M_DISCONNECT 0x10u
#define M_LIST       0x20u

static const struct irm_kw keys[] = {
    {"name", K_NAME, M_CREATE | M_DESTROY | M_ENROLL | M_CONNECT | M_DISCONNECT | M_LIST},
    {"type", K_TYPE, M_CREATE | M_ENROLL | M_LIST},
    {"layer", K_LAYER, M_ENROLL | M_LIST},
    {"dst", K_DST, M_ENROLL | M_CONNECT | M_DISCONNECT},
    {"autobind", K_AUTOBIND, M_ENROLL},
    {"component", K_COMPONENT, M_CONNECT | M_DISCONNECT},
    {"qos", K_QOS, M_CONNECT},
    {NULL, 0, 0}};

static int set_once(struct irm_args *a, const char *kw, const char **slot, const char *what)
{
    if (*slot != NULL)
        return irm_args_fail(a, "'%s' given twice", kw);
    return irm_args_name(a, kw, what, slot);
}

static int parse_component(struct irm_args *a, const char *v)
{
    char list[64];
    int c = irm_word_value(irm_words_component, v);

    if (c < 0)
        return irm_args_fail(a, "unknown component '%s' (expected %s)", v,
                             irm_word_list(irm_words_component, list, sizeof(list)));
    a->cmd->component = c == IRM_COMP_DT ? "dt" : c == IRM_COMP_MGMT ? "mgmt" : NULL;
    return 0;
}

static int parse_qos(struct irm_args *a, const char *v)
{
    static const qosspec_t *const presets[] = {
        [IRM_QOS_RAW] = &qos_raw,     [IRM_QOS_BEST] = &qos_best_effort,
        [IRM_QOS_VIDEO] = &qos_video, [IRM_QOS_VOICE] = &qos_voice,
        [IRM_QOS_DATA] = &qos_data,
    };
    char list[64];
    int q = irm_word_value(irm_words_qos, v);

    if (q < 0)
        return irm_args_fail(a, "unknown QoS '%s' (expected %s)", v,
                             irm_word_list(irm_words_qos, list, sizeof(list)));
    a->cmd->qos = *presets[q];
    return 0;
}

/* The keywords of a verb, until the words end. */
static int parse_keys(struct irm_args *a, unsigned mask)
{
    struct irm_cmd *cmd = a->cmd;
    bool comp_set = false;
    bool qos_set = false;

    while (irm_args_peek(a) != NULL) {
        const char *kw;
        const char *v;
        int k;

        if (irm_parse_asks_help(a))
            return 0;
        kw = irm_args_next(a);
        k = irm_args_match(a, keys, mask, "keyword", kw);
        if (k < 0)
            return -EINVAL;
        switch (k) {
        case K_NAME:
            if (set_once(a, "name", &cmd->ipcp, "an IPCP name") < 0)
                return -EINVAL;
            break;
        case K_LAYER:
            if (set_once(a, "layer", &cmd->layer, "a layer name") < 0)
                return -EINVAL;
            break;
        case K_DST:
            if (set_once(a, "dst", &cmd->dst, "the name of a member of the layer") < 0)
                return -EINVAL;
            break;
        case K_TYPE:
            if (irm_args_value(a, "type", "an IPCP type", &v) < 0 ||
                irm_parse_type(a, "type", v) < 0)
                return -EINVAL;
            break;
        case K_AUTOBIND:
            cmd->autobind = true;
            break;
        case K_COMPONENT:
            if (comp_set)
                return irm_args_fail(a, "'component' given twice");
            comp_set = true;
            if (irm_args_value(a, "component", "dt or mgmt", &v) < 0 ||
                parse_component(a, v) < 0)
                return -EINVAL;
            break;
        case K_QOS:
            if (qos_set)
                return irm_args_fail(a, "'qos' given twice");
            qos_set = true;
            if (irm_args_value(a, "qos", "a QoS preset", &v) < 0 || parse_qos(a, v) < 0)
                return -EINVAL;
            break;
        }
    }
    return 0;
}

static int need(struct irm_args *a, const void *v, const char *kw, const char *what)
{
    if (a->cmd->op == IRM_OP_HELP || v != NULL)
        return 0;
    return irm_args_fail(a, "'%s %s' is required", kw, what);
}

int irm_parse_ipcp(struct irm_args *a)
{
    static const struct {
        enum irm_topic topic;
        enum irm_op op;
        unsigned mask;
    } v[] = {
        [V_CREATE] = {IRM_TOPIC_IPCP_CREATE, IRM_OP_IPCP_CREATE, M_CREATE},
        [V_DESTROY] = {IRM_TOPIC_IPCP_DESTROY, IRM_OP_IPCP_DESTROY, M_DESTROY},
        [V_BOOTSTRAP] = {IRM_TOPIC_IPCP_BOOTSTRAP, IRM_OP_IPCP_BOOTSTRAP, 0},
        [V_ENROLL] = {IRM_TOPIC_IPCP_ENROLL, IRM_OP_IPCP_ENROLL, M_ENROLL},
        [V_CONNECT] = {IRM_TOPIC_IPCP_CONNECT, IRM_OP_IPCP_CONNECT, M_CONNECT},
        [V_DISCONNECT] = {IRM_TOPIC_IPCP_DISCONNECT, IRM_OP_IPCP_DISCONNECT, M_DISCONNECT},
        [V_LIST] = {IRM_TOPIC_IPCP_LIST, IRM_OP_IPCP_LIST, M_LIST},
    };
    struct irm_cmd *cmd = a->cmd;
    int verb;

    if (irm_parse_enter(a, IRM_TOPIC_IPCP))
        return 0;
    verb = irm_args_match(a, verbs, 0, "verb", irm_args_next(a));
    if (verb < 0)
        return -EINVAL;
    if (irm_parse_enter(a, v[verb].topic))
        return 0;
    cmd->op = v[verb].op;
    if (verb == V_BOOTSTRAP)
        return irm_parse_bootstrap(a);
    if (parse_keys(a, v[verb].mask) < 0)
        return -EINVAL;
    if (cmd->op == IRM_OP_HELP || verb == V_LIST)
        return 0;
    if (need(a, cmd->ipcp, "name", "<IPCP name>") < 0)
        return -EINVAL;
    switch (verb) {
    case V_CREATE:
        return need(a, cmd->type_set ? "" : NULL, "type", "<type>");
    case V_ENROLL:
        if (cmd->type_set && cmd->type != IPCP_UNICAST && cmd->type != IPCP_BROADCAST)
            return irm_args_fail(a, "only unicast and broadcast IPCPs enroll, not %s",
                                 irm_word_name(irm_words_ipcp_type, (int)cmd->type));
        if (cmd->dst == NULL && cmd->layer == NULL)
            return irm_args_fail(a, "'dst <member>' or 'layer <layer>' is required (dst "
                                    "defaults to the layer's name)");
        if (cmd->dst == NULL)
            cmd->dst = cmd->layer;
        return 0;
    case V_CONNECT:
    case V_DISCONNECT:
        return need(a, cmd->dst, "dst", "<member of the layer>");
    default:
        return 0;
    }
}
