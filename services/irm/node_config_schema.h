/*
 * node_config_schema.h - the node file as libcyaml sees it: the structs it
 * loads into (optional values are pointers, NULL when absent) and their
 * schema, plus what the error messages need to know of each key.
 */
#ifndef OUROBUS_NODE_CONFIG_SCHEMA_H
#define OUROBUS_NODE_CONFIG_SCHEMA_H

#include "irm_words.h"
#include "yaml_schema.h"

#include <cyaml/cyaml.h>
#include <stdbool.h>
#include <stdint.h>

/* Bounds of the lists of a node file. */
#define NCS_NAMES_MAX    1024
#define NCS_PROGRAMS_MAX 16
#define NCS_ARGS_MAX     16
#define NCS_IPCPS_MAX    256
#define NCS_CONNECT_MAX  64
#define NCS_REGISTER_MAX 256
#define NCS_ARG_MAX      255
#define NCS_PATH_MAX     1023
#define NCS_WORD_MAX     64 /* sizes, addresses, devices as written */

struct ncs_program {
    char *path;
    char **args;
    unsigned args_count;
    bool *auto_start; /* key "auto" */
};

struct ncs_name {
    char *name;
    int *lb;
    struct ncs_program *programs;
    unsigned programs_count;
};

struct ncs_conn {
    char *dst;
    int *component;
    int *qos;
};

/* A name of a UDP layer reached without DNS. */
struct ncs_peer {
    char *name;
    char *ip;
    uint32_t *port;
};

struct ncs_ipcp {
    char *name;
    int type;
    char *layer;
    bool *bootstrap;
    char *enroll;
    bool *autobind;
    char **reg; /* key "register" */
    unsigned reg_count;
    struct ncs_conn *connect;
    unsigned connect_count;
    /* the parameters of a bootstrap */
    int *hash;
    uint32_t *addr_size;
    uint32_t *eid_size;
    uint32_t *max_ttl;
    int *addr_auth;
    int *directory;
    int *routing;
    uint32_t *ls_t_recalc;
    uint32_t *ls_t_update;
    uint32_t *ls_t_timeo;
    int *congestion;
    uint32_t *dht_alpha;
    uint32_t *dht_k;
    uint32_t *dht_t_expire;
    uint32_t *dht_t_refresh;
    uint32_t *dht_t_replicate;
    char *ip;
    uint32_t *port;
    char *dns;
    char *dev;
    uint32_t *ethertype;
    struct ncs_peer *peers;
    unsigned peers_count;
};

struct ncs_class {
    char *block;
    uint32_t count;
};

struct ncs_pool {
    char *size;
    struct ncs_class *classes;
    unsigned classes_count;
};

struct ncs_log {
    int level;
};

struct ncs_node {
    struct ncs_log *log;
    struct ncs_pool *pool;
    struct ncs_name *names;
    unsigned names_count;
    struct ncs_ipcp *ipcps;
    unsigned ipcps_count;
};

/* The top of the schema: a struct ncs_node. */
extern const cyaml_schema_value_t ncs_node_schema;

/* The node file's schema with what its messages need. */
extern const struct yaml_schema ncs_schema;

#endif
