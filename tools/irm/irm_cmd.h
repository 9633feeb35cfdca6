/*
 * irm_cmd.h - one irm command line as a request: irm_cmd_parse() reads the
 * words (keywords by unambiguous prefix) without talking to anyone, and
 * irm_cmd_run() carries the request out against the node's IRM daemon.
 */
#ifndef OUROBUS_IRM_CMD_H
#define OUROBUS_IRM_CMD_H

#include <ourobus/irm.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes of the irm command. */
#define IRM_EXIT_OK     0
#define IRM_EXIT_FAILED 1 /* the daemon refused, or something failed */
#define IRM_EXIT_USAGE  2 /* the command line is wrong */

enum irm_op {
    IRM_OP_HELP = 0, /* print the usage of cmd->topic */
    IRM_OP_VERSION,
    IRM_OP_IPCP_CREATE,
    IRM_OP_IPCP_DESTROY,
    IRM_OP_IPCP_BOOTSTRAP,
    IRM_OP_IPCP_ENROLL,
    IRM_OP_IPCP_CONNECT,
    IRM_OP_IPCP_DISCONNECT,
    IRM_OP_IPCP_LIST,
    IRM_OP_BIND_PROGRAM,
    IRM_OP_BIND_PROCESS,
    IRM_OP_BIND_IPCP,
    IRM_OP_BIND_LIST,
    IRM_OP_UNBIND_PROGRAM,
    IRM_OP_UNBIND_PROCESS,
    IRM_OP_UNBIND_IPCP,
    IRM_OP_NAME_CREATE,
    IRM_OP_NAME_DESTROY,
    IRM_OP_NAME_REGISTER,
    IRM_OP_NAME_UNREGISTER,
    IRM_OP_NAME_LIST,
    IRM_OP_FLOW_LIST,
    IRM_OP_PROC_LIST,
};

/* The help pages: one per level of the command. */
enum irm_topic {
    IRM_TOPIC_MAIN = 0,
    IRM_TOPIC_IPCP,
    IRM_TOPIC_IPCP_CREATE,
    IRM_TOPIC_IPCP_DESTROY,
    IRM_TOPIC_IPCP_BOOTSTRAP,
    IRM_TOPIC_IPCP_ENROLL,
    IRM_TOPIC_IPCP_CONNECT,
    IRM_TOPIC_IPCP_DISCONNECT,
    IRM_TOPIC_IPCP_LIST,
    IRM_TOPIC_BIND,
    IRM_TOPIC_BIND_PROGRAM,
    IRM_TOPIC_BIND_PROCESS,
    IRM_TOPIC_BIND_IPCP,
    IRM_TOPIC_BIND_LIST,
    IRM_TOPIC_UNBIND,
    IRM_TOPIC_UNBIND_PROGRAM,
    IRM_TOPIC_UNBIND_PROCESS,
    IRM_TOPIC_UNBIND_IPCP,
    IRM_TOPIC_NAME,
    IRM_TOPIC_NAME_CREATE,
    IRM_TOPIC_NAME_DESTROY,
    IRM_TOPIC_NAME_REGISTER,
    IRM_TOPIC_NAME_UNREGISTER,
    IRM_TOPIC_NAME_LIST,
    IRM_TOPIC_FLOW,
    IRM_TOPIC_PROC,
    IRM_TOPIC_COUNT
};

/* The parameters of a bootstrap, as given (checked once the type is known). */
enum irm_boot_param {
    IRM_BP_HASH = 0,
    IRM_BP_ADDR,
    IRM_BP_EID,
    IRM_BP_TTL,
    IRM_BP_ADDR_AUTH,
    IRM_BP_DIRECTORY,
    IRM_BP_DHT_ALPHA,
    IRM_BP_DHT_K,
    IRM_BP_DHT_T_EXPIRE,
    IRM_BP_DHT_T_REFRESH,
    IRM_BP_DHT_T_REPLICATE,
    IRM_BP_ROUTING,
    IRM_BP_LS_T_RECALC,
    IRM_BP_LS_T_UPDATE,
    IRM_BP_LS_T_TIMEO,
    IRM_BP_CONGESTION,
    IRM_BP_DEVICE,
    IRM_BP_ETHERTYPE,
    IRM_BP_IP,
    IRM_BP_PORT,
    IRM_BP_DNS,
    IRM_BP_COUNT
};

#define IRM_MATCH_MAX 64 /* ipcp/layer patterns of a name (un)register */
#define IRM_ARGS_MAX  16 /* arguments of an auto-started program */
#define IRM_ERROR_MAX 320

struct irm_cmd {
    enum irm_op op;
    enum irm_topic topic; /* the level the words reached (for help and hints) */
    const char *node;     /* --node, NULL: $OUROBUS_NODE or "default" */

    /* Operands; strings point into argv. */
    const char *ipcp;  /* the IPCP's name (ipcp verbs, bind/unbind ipcp) */
    const char *name;  /* the name (name verbs, bind/unbind) */
    const char *layer; /* bootstrap, enroll, list filter */
    const char *dst;   /* enroll, connect, disconnect */
    const char *prog;  /* bind/unbind program, as given */
    pid_t pid;         /* bind/unbind process */
    enum ipcp_type type;
    bool type_set;
    bool autobind;

    /* bootstrap: the parameters as given; conf once the type is known */
    const char *boot[IRM_BP_COUNT];
    const char *peers[UDP_PEERS_MAX]; /* udp: "NAME=ADDR[:PORT]", repeatable */
    int n_peers;
    struct ipcp_config conf;
    bool conf_ready;

    /* connect / disconnect */
    const char *component; /* "dt", "mgmt", or NULL for both */
    qosspec_t qos;

    /* bind program */
    bool auto_start;
    int argc;
    char **argv;

    /* name create */
    enum pol_balance lb;

    /* name (un)register: IPCP names and layers, '*' and '?' wildcards */
    const char *ipcps[IRM_MATCH_MAX];
    int n_ipcps;
    const char *layers[IRM_MATCH_MAX];
    int n_layers;

    char error[IRM_ERROR_MAX]; /* a usage error */
};

/* Read argv (argv[0] is the program) into cmd. 0, or -EINVAL with the
 * reason in cmd->error and cmd->topic the page to point at. */
int irm_cmd_parse(struct irm_cmd *cmd, int argc, char **argv);

/* Fill cmd->conf for an IPCP of type from the bootstrap parameters. 0 or
 * -EINVAL with cmd->error set. */
int irm_cmd_boot_config(struct irm_cmd *cmd, enum ipcp_type type);

/* Carry out a parsed request: results to out, one line per failure to err.
 * Returns the exit code. */
int irm_cmd_run(struct irm_cmd *cmd, FILE *out, FILE *err);

/* Print the help page of topic. */
void irm_usage_print(enum irm_topic topic, FILE *out);

/* The command words of topic, e.g. "irm ipcp bootstrap". */
const char *irm_usage_words(enum irm_topic topic);

/* The whole command: parse, run or print help; the exit code. */
int irm_main(int argc, char **argv, FILE *out, FILE *err);

#endif
