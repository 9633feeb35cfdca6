/*
 * node_config_schema.c - the libcyaml schema of the node file, and the
 * look-ups the error messages make in it.
 */
#include "node_config_schema.h"

#include "log.h"
#include "pool.h"

#include <ourobus/irm.h>
#include <stdlib.h>
#include <string.h>

#define NCS_STRVAL(w, v, c) {w, v},
#define COUNT(a)            (sizeof(a) / sizeof((a)[0]))

static const cyaml_strval_t type_strs[] = {IRM_WORDS_IPCP_TYPE(NCS_STRVAL)};
static const cyaml_strval_t lb_strs[] = {IRM_WORDS_LB(NCS_STRVAL)};
static const cyaml_strval_t hash_strs[] = {IRM_WORDS_HASH(NCS_STRVAL)};
static const cyaml_strval_t routing_strs[] = {IRM_WORDS_ROUTING(NCS_STRVAL)};
static const cyaml_strval_t cong_strs[] = {IRM_WORDS_CONG(NCS_STRVAL)};
static const cyaml_strval_t addr_auth_strs[] = {IRM_WORDS_ADDR_AUTH(NCS_STRVAL)};
static const cyaml_strval_t directory_strs[] = {IRM_WORDS_DIRECTORY(NCS_STRVAL)};
static const cyaml_strval_t component_strs[] = {IRM_WORDS_COMPONENT(NCS_STRVAL)};
static const cyaml_strval_t qos_strs[] = {IRM_WORDS_QOS(NCS_STRVAL)};
static const cyaml_strval_t level_strs[] = {IRM_WORDS_LOG_LEVEL(NCS_STRVAL)};

/* YAML's booleans, strictly: libcyaml 1.3 takes any other word for true. */
static const cyaml_strval_t bool_strs[] = {IRM_WORDS_BOOL(NCS_STRVAL)};

static const struct irm_word bool_words[] = {IRM_WORDS_BOOL(IRM_WORD_ENTRY){NULL, 0, 0}};
static const struct irm_word level_words[] = {IRM_WORDS_LOG_LEVEL(IRM_WORD_ENTRY){NULL, 0, 0}};
static const struct irm_word directory_words[] = {
    IRM_WORDS_DIRECTORY(IRM_WORD_ENTRY){NULL, 0, 0}};

#define OPT  (CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER)
#define ENUM (CYAML_FLAG_STRICT)
#define BOOL (CYAML_FLAG_STRICT | CYAML_FLAG_CASE_INSENSITIVE)

static const cyaml_schema_value_t arg_schema = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, NCS_ARG_MAX),
};
static const cyaml_schema_value_t name_ref_schema = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, NAME_SIZE),
};

static const cyaml_schema_field_t program_fields[] = {
    CYAML_FIELD_STRING_PTR("path", CYAML_FLAG_POINTER, struct ncs_program, path, 1,
                           NCS_PATH_MAX),
    CYAML_FIELD_SEQUENCE("args", OPT, struct ncs_program, args, &arg_schema, 0, NCS_ARGS_MAX),
    CYAML_FIELD_ENUM_PTR("auto", OPT | BOOL, struct ncs_program, auto_start, bool_strs,
                         COUNT(bool_strs)),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t program_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ncs_program, program_fields),
};

static const cyaml_schema_field_t name_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct ncs_name, name, 1, NAME_SIZE),
    CYAML_FIELD_ENUM_PTR("lb", OPT | ENUM, struct ncs_name, lb, lb_strs, COUNT(lb_strs)),
    CYAML_FIELD_SEQUENCE("programs", OPT, struct ncs_name, programs, &program_schema, 0,
                         NCS_PROGRAMS_MAX),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t name_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ncs_name, name_fields),
};

static const cyaml_schema_field_t conn_fields[] = {
    CYAML_FIELD_STRING_PTR("dst", CYAML_FLAG_POINTER, struct ncs_conn, dst, 1, NAME_SIZE),
    CYAML_FIELD_ENUM_PTR("component", OPT | ENUM, struct ncs_conn, component, component_strs,
                         COUNT(component_strs)),
    CYAML_FIELD_ENUM_PTR("qos", OPT | ENUM, struct ncs_conn, qos, qos_strs, COUNT(qos_strs)),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t conn_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ncs_conn, conn_fields),
};

static const cyaml_schema_field_t peer_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct ncs_peer, name, 1, NAME_SIZE),
    CYAML_FIELD_STRING_PTR("ip", CYAML_FLAG_POINTER, struct ncs_peer, ip, 1, NCS_WORD_MAX),
    CYAML_FIELD_UINT_PTR("port", OPT, struct ncs_peer, port),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t peer_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ncs_peer, peer_fields),
};

#define U32(key, member) CYAML_FIELD_UINT_PTR(key, OPT, struct ncs_ipcp, member)
#define WORD(key, member)                                                                      \
    CYAML_FIELD_STRING_PTR(key, OPT, struct ncs_ipcp, member, 1, NCS_WORD_MAX)

static const cyaml_schema_field_t ipcp_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct ncs_ipcp, name, 1, NAME_SIZE),
    CYAML_FIELD_ENUM("type", ENUM, struct ncs_ipcp, type, type_strs, COUNT(type_strs)),
    CYAML_FIELD_STRING_PTR("layer", OPT, struct ncs_ipcp, layer, 1, LAYER_NAME_SIZE),
    CYAML_FIELD_ENUM_PTR("bootstrap", OPT | BOOL, struct ncs_ipcp, bootstrap, bool_strs,
                         COUNT(bool_strs)),
    CYAML_FIELD_STRING_PTR("enroll", OPT, struct ncs_ipcp, enroll, 1, NAME_SIZE),
    CYAML_FIELD_ENUM_PTR("autobind", OPT | BOOL, struct ncs_ipcp, autobind, bool_strs,
                         COUNT(bool_strs)),
    CYAML_FIELD_SEQUENCE("register", OPT, struct ncs_ipcp, reg, &name_ref_schema, 0,
                         NCS_REGISTER_MAX),
    CYAML_FIELD_SEQUENCE("connect", OPT, struct ncs_ipcp, connect, &conn_schema, 0,
                         NCS_CONNECT_MAX),
    CYAML_FIELD_ENUM_PTR("hash", OPT | ENUM, struct ncs_ipcp, hash, hash_strs,
                         COUNT(hash_strs)),
    U32("addr_size", addr_size),
    U32("eid_size", eid_size),
    U32("max_ttl", max_ttl),
    CYAML_FIELD_ENUM_PTR("addr_auth", OPT | ENUM, struct ncs_ipcp, addr_auth, addr_auth_strs,
                         COUNT(addr_auth_strs)),
    CYAML_FIELD_ENUM_PTR("directory", OPT | ENUM, struct ncs_ipcp, directory, directory_strs,
                         COUNT(directory_strs)),
    CYAML_FIELD_ENUM_PTR("routing", OPT | ENUM, struct ncs_ipcp, routing, routing_strs,
                         COUNT(routing_strs)),
    U32("ls_t_recalc", ls_t_recalc),
    U32("ls_t_update", ls_t_update),
    U32("ls_t_timeo", ls_t_timeo),
    CYAML_FIELD_ENUM_PTR("congestion", OPT | ENUM, struct ncs_ipcp, congestion, cong_strs,
                         COUNT(cong_strs)),
    U32("dht_alpha", dht_alpha),
    U32("dht_k", dht_k),
    U32("dht_t_expire", dht_t_expire),
    U32("dht_t_refresh", dht_t_refresh),
    U32("dht_t_replicate", dht_t_replicate),
    WORD("ip", ip),
    U32("port", port),
    WORD("dns", dns),
    WORD("dev", dev),
    U32("ethertype", ethertype),
    CYAML_FIELD_SEQUENCE("peers", OPT, struct ncs_ipcp, peers, &peer_schema, 0, UDP_PEERS_MAX),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t ipcp_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ncs_ipcp, ipcp_fields),
};

static const cyaml_schema_field_t class_fields[] = {
    CYAML_FIELD_STRING_PTR("block", CYAML_FLAG_POINTER, struct ncs_class, block, 1,
                           NCS_WORD_MAX),
    CYAML_FIELD_UINT("count", CYAML_FLAG_DEFAULT, struct ncs_class, count),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t class_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ncs_class, class_fields),
};

static const cyaml_schema_field_t pool_fields[] = {
    CYAML_FIELD_STRING_PTR("size", OPT, struct ncs_pool, size, 1, NCS_WORD_MAX),
    CYAML_FIELD_SEQUENCE("classes", OPT, struct ncs_pool, classes, &class_schema, 1,
                         POOL_MAX_CLASSES),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t log_fields[] = {
    CYAML_FIELD_ENUM("level", ENUM, struct ncs_log, level, level_strs, COUNT(level_strs)),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t node_fields[] = {
    CYAML_FIELD_MAPPING_PTR("log", OPT, struct ncs_node, log, log_fields),
    CYAML_FIELD_MAPPING_PTR("pool", OPT, struct ncs_node, pool, pool_fields),
    CYAML_FIELD_SEQUENCE("names", OPT, struct ncs_node, names, &name_schema, 0, NCS_NAMES_MAX),
    CYAML_FIELD_SEQUENCE("ipcps", OPT, struct ncs_node, ipcps, &ipcp_schema, 0, NCS_IPCPS_MAX),
    CYAML_FIELD_END,
};

const cyaml_schema_value_t ncs_node_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct ncs_node, node_fields),
};

static const struct irm_word *key_words(const char *key, const char **noun)
{
    static const struct {
        const char *key;
        const char *noun;
        const struct irm_word *words;
    } k[] = {
        {"type", "IPCP type", irm_words_ipcp_type},
        {"lb", "load-balancing policy", irm_words_lb},
        {"hash", "hash algorithm", irm_words_hash},
        {"routing", "routing policy", irm_words_routing},
        {"congestion", "congestion avoidance", irm_words_cong},
        {"addr_auth", "address authority", irm_words_addr_auth},
        {"directory", "directory", directory_words},
        {"component", "component", irm_words_component},
        {"qos", "QoS", irm_words_qos},
        {"level", "log level", level_words},
        {"bootstrap", NULL, bool_words},
        {"autobind", NULL, bool_words},
        {"auto", NULL, bool_words},
    };

    for (size_t i = 0; key != NULL && i < COUNT(k); i++) {
        if (strcmp(k[i].key, key) == 0) {
            if (noun != NULL)
                *noun = k[i].noun;
            return k[i].words;
        }
    }
    return NULL;
}

static const char *mapping_noun(const char *path)
{
    static const struct {
        const char *key;
        const char *noun;
    } n[] = {
        {"log", "'log'"},
        {"pool", "'pool'"},
        {"classes", "a pool class"},
        {"names", "a name"},
        {"programs", "a program"},
        {"ipcps", "an IPCP"},
        {"connect", "a connection"},
        {"peers", "a peer"},
    };
    char last[64];

    yaml_schema_last_key(path, last, sizeof(last));
    for (size_t i = 0; i < COUNT(n); i++)
        if (strcmp(n[i].key, last) == 0)
            return n[i].noun;
    return "the node file";
}

const struct yaml_schema ncs_schema = {
    .top = &ncs_node_schema,
    .file = "node file",
    .top_keys = "log, pool, names, ipcps",
    .key_words = key_words,
    .mapping_noun = mapping_noun,
};
