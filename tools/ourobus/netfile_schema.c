/*
 * netfile_schema.c - the libcyaml schema of the network file, and what its
 * error messages need to know of each key.
 */
#include "netfile_schema.h"

#include "log.h"

#include <ourobus/irm.h>
#include <string.h>

#define STRVAL(w, v, c) {w, v},
#define COUNT(a)        (sizeof(a) / sizeof((a)[0]))

/* The layer types the launcher makes: not local, which has no peers. */
#define NF_WORDS_LAYER_TYPE(X)                                                                 \
    X("udp4", IPCP_UDP4, true)                                                                 \
    X("udp6", IPCP_UDP6, true)                                                                 \
    X("eth-dix", IPCP_ETH_DIX, true)                                                           \
    X("eth-llc", IPCP_ETH_LLC, true)                                                           \
    X("unicast", IPCP_UNICAST, true)                                                           \
    X("broadcast", IPCP_BROADCAST, true)

static const cyaml_strval_t type_strs[] = {NF_WORDS_LAYER_TYPE(STRVAL)};
static const cyaml_strval_t hash_strs[] = {IRM_WORDS_HASH(STRVAL)};
static const cyaml_strval_t routing_strs[] = {IRM_WORDS_ROUTING(STRVAL)};
static const cyaml_strval_t cong_strs[] = {IRM_WORDS_CONG(STRVAL)};
static const cyaml_strval_t addr_auth_strs[] = {IRM_WORDS_ADDR_AUTH(STRVAL)};
static const cyaml_strval_t directory_strs[] = {IRM_WORDS_DIRECTORY(STRVAL)};
static const cyaml_strval_t component_strs[] = {IRM_WORDS_COMPONENT(STRVAL)};
static const cyaml_strval_t qos_strs[] = {IRM_WORDS_QOS(STRVAL)};
static const cyaml_strval_t level_strs[] = {IRM_WORDS_LOG_LEVEL(STRVAL)};
static const cyaml_strval_t bool_strs[] = {IRM_WORDS_BOOL(STRVAL)};

const struct irm_word nfs_layer_types[] = {NF_WORDS_LAYER_TYPE(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word nfs_levels[] = {IRM_WORDS_LOG_LEVEL(IRM_WORD_ENTRY){NULL, 0, 0}};
static const struct irm_word bool_words[] = {IRM_WORDS_BOOL(IRM_WORD_ENTRY){NULL, 0, 0}};
static const struct irm_word directory_words[] = {
    IRM_WORDS_DIRECTORY(IRM_WORD_ENTRY){NULL, 0, 0}};

#define OPT  (CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER)
#define ENUM (CYAML_FLAG_STRICT)
#define BOOL (CYAML_FLAG_STRICT | CYAML_FLAG_CASE_INSENSITIVE)

static const cyaml_schema_value_t arg_schema = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, NFS_ARG_MAX),
};
static const cyaml_schema_value_t name_schema = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, NAME_SIZE),
};
static const cyaml_schema_value_t node_ref_schema = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, NFS_NODE_MAX),
};

static const cyaml_schema_field_t program_fields[] = {
    CYAML_FIELD_STRING_PTR("path", CYAML_FLAG_POINTER, struct nfs_program, path, 1,
                           NFS_PATH_MAX),
    CYAML_FIELD_SEQUENCE("args", OPT, struct nfs_program, args, &arg_schema, 0,
                         NETFILE_ARGS_MAX),
    CYAML_FIELD_SEQUENCE("bind", OPT, struct nfs_program, bind, &name_schema, 0,
                         NETFILE_LISTS_MAX),
    CYAML_FIELD_ENUM_PTR("auto", OPT | BOOL, struct nfs_program, auto_start, bool_strs,
                         COUNT(bool_strs)),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t program_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_program, program_fields),
};

static const cyaml_schema_field_t node_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct nfs_node, name, 1, NFS_NODE_MAX),
    CYAML_FIELD_STRING_PTR("pool", OPT, struct nfs_node, pool, 1, NFS_WORD_MAX),
    CYAML_FIELD_ENUM_PTR("log", OPT | ENUM, struct nfs_node, log, level_strs,
                         COUNT(level_strs)),
    CYAML_FIELD_SEQUENCE("programs", OPT, struct nfs_node, programs, &program_schema, 0,
                         NETFILE_ARGS_MAX),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t node_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_node, node_fields),
};

static const cyaml_schema_field_t link_end_fields[] = {
    CYAML_FIELD_STRING_PTR("node", CYAML_FLAG_POINTER, struct nfs_link_end, node, 1,
                           NFS_NODE_MAX),
    CYAML_FIELD_UINT("port", CYAML_FLAG_DEFAULT, struct nfs_link_end, port),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t link_end_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_link_end, link_end_fields),
};

static const cyaml_schema_field_t link_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct nfs_link, name, 1, NFS_WORD_MAX),
    CYAML_FIELD_STRING_PTR("ip", OPT, struct nfs_link, ip, 1, NFS_WORD_MAX),
    CYAML_FIELD_SEQUENCE("nodes", CYAML_FLAG_POINTER, struct nfs_link, nodes, &link_end_schema,
                         1, NETFILE_NODES_MAX),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t link_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_link, link_fields),
};

static const cyaml_schema_field_t segment_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct nfs_segment, name, 1,
                           NFS_WORD_MAX),
    CYAML_FIELD_STRING_PTR("dev", OPT, struct nfs_segment, dev, 1, NFS_WORD_MAX),
    CYAML_FIELD_SEQUENCE("nodes", CYAML_FLAG_POINTER, struct nfs_segment, nodes,
                         &node_ref_schema, 1, NETFILE_NODES_MAX),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t segment_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_segment, segment_fields),
};

static const cyaml_schema_field_t reg_fields[] = {
    CYAML_FIELD_STRING_PTR("node", CYAML_FLAG_POINTER, struct nfs_reg, node, 1, NFS_NODE_MAX),
    CYAML_FIELD_SEQUENCE("names", CYAML_FLAG_POINTER, struct nfs_reg, names, &name_schema, 1,
                         NETFILE_LISTS_MAX),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t reg_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_reg, reg_fields),
};

static const cyaml_schema_field_t member_fields[] = {
    CYAML_FIELD_STRING_PTR("node", CYAML_FLAG_POINTER, struct nfs_member, node, 1,
                           NFS_NODE_MAX),
    CYAML_FIELD_STRING_PTR("enroll", OPT, struct nfs_member, enroll, 1, NFS_NODE_MAX),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t member_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_member, member_fields),
};

static const cyaml_schema_field_t conn_fields[] = {
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_POINTER, struct nfs_conn, from, 1, NFS_NODE_MAX),
    CYAML_FIELD_STRING_PTR("to", CYAML_FLAG_POINTER, struct nfs_conn, to, 1, NFS_NODE_MAX),
    CYAML_FIELD_ENUM_PTR("component", OPT | ENUM, struct nfs_conn, component, component_strs,
                         COUNT(component_strs)),
    CYAML_FIELD_ENUM_PTR("qos", OPT | ENUM, struct nfs_conn, qos, qos_strs, COUNT(qos_strs)),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t conn_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_conn, conn_fields),
};

#define U32(key, member) CYAML_FIELD_UINT_PTR(key, OPT, struct nfs_layer, member)
#define ENUM_PTR(key, member, strs)                                                            \
    CYAML_FIELD_ENUM_PTR(key, OPT | ENUM, struct nfs_layer, member, strs, COUNT(strs))

static const cyaml_schema_field_t layer_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct nfs_layer, name, 1,
                           LAYER_NAME_SIZE),
    CYAML_FIELD_ENUM("type", ENUM, struct nfs_layer, type, type_strs, COUNT(type_strs)),
    CYAML_FIELD_STRING_PTR("link", OPT, struct nfs_layer, link, 1, NFS_WORD_MAX),
    CYAML_FIELD_STRING_PTR("segment", OPT, struct nfs_layer, segment, 1, NFS_WORD_MAX),
    CYAML_FIELD_SEQUENCE("over", OPT, struct nfs_layer, over, &name_schema, 1,
                         NETFILE_LISTS_MAX),
    CYAML_FIELD_STRING_PTR("bootstrap", OPT, struct nfs_layer, bootstrap, 1, NFS_NODE_MAX),
    CYAML_FIELD_SEQUENCE("members", OPT, struct nfs_layer, members, &member_schema, 0,
                         NETFILE_NODES_MAX),
    CYAML_FIELD_SEQUENCE("connect", OPT, struct nfs_layer, connect, &conn_schema, 0,
                         NETFILE_LISTS_MAX),
    CYAML_FIELD_SEQUENCE("register", OPT, struct nfs_layer, reg, &reg_schema, 0,
                         NETFILE_NODES_MAX),
    ENUM_PTR("hash", hash, hash_strs),
    U32("ethertype", ethertype),
    U32("addr_size", addr_size),
    U32("eid_size", eid_size),
    U32("max_ttl", max_ttl),
    ENUM_PTR("addr_auth", addr_auth, addr_auth_strs),
    ENUM_PTR("directory", directory, directory_strs),
    ENUM_PTR("routing", routing, routing_strs),
    U32("ls_t_recalc", ls_t_recalc),
    U32("ls_t_update", ls_t_update),
    U32("ls_t_timeo", ls_t_timeo),
    ENUM_PTR("congestion", congestion, cong_strs),
    U32("dht_alpha", dht_alpha),
    U32("dht_k", dht_k),
    U32("dht_t_expire", dht_t_expire),
    U32("dht_t_refresh", dht_t_refresh),
    U32("dht_t_replicate", dht_t_replicate),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t layer_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct nfs_layer, layer_fields),
};

static const cyaml_schema_field_t net_fields[] = {
    CYAML_FIELD_STRING_PTR("network", OPT, struct nfs_net, network, 1, NFS_NETWORK_MAX),
    CYAML_FIELD_STRING_PTR("addresses", OPT, struct nfs_net, addresses, 1, NFS_WORD_MAX),
    CYAML_FIELD_SEQUENCE("nodes", CYAML_FLAG_POINTER, struct nfs_net, nodes, &node_schema, 1,
                         NETFILE_NODES_MAX),
    CYAML_FIELD_SEQUENCE("links", OPT, struct nfs_net, links, &link_schema, 0,
                         NETFILE_LISTS_MAX),
    CYAML_FIELD_SEQUENCE("segments", OPT, struct nfs_net, segments, &segment_schema, 0,
                         NETFILE_LISTS_MAX),
    CYAML_FIELD_SEQUENCE("layers", OPT, struct nfs_net, layers, &layer_schema, 0,
                         NETFILE_LISTS_MAX),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t net_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct nfs_net, net_fields),
};

static const struct irm_word *key_words(const char *key, const char **noun)
{
    static const struct {
        const char *key;
        const char *noun;
        const struct irm_word *words;
    } k[] = {
        {"type", "layer type", nfs_layer_types},
        {"hash", "hash algorithm", irm_words_hash},
        {"routing", "routing policy", irm_words_routing},
        {"congestion", "congestion avoidance", irm_words_cong},
        {"addr_auth", "address authority", irm_words_addr_auth},
        {"directory", "directory", directory_words},
        {"component", "component", irm_words_component},
        {"qos", "QoS", irm_words_qos},
        {"log", "log level", nfs_levels},
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
        {"nodes", "a node"},         {"programs", "a program"},      {"links", "a link"},
        {"segments", "a segment"},   {"layers", "a layer"},          {"members", "a member"},
        {"connect", "a connection"}, {"register", "a registration"},
    };
    char last[64];

    yaml_schema_last_key(path, last, sizeof(last));
    /* "links.0.nodes.1" is an end of a link, "segments.0.nodes" a list */
    if (strcmp(last, "nodes") == 0 && strncmp(path, "links.", 6) == 0)
        return "an end of a link";
    for (size_t i = 0; i < COUNT(n); i++)
        if (strcmp(n[i].key, last) == 0)
            return n[i].noun;
    return "the network file";
}

const struct yaml_schema nfs_schema = {
    .top = &net_schema,
    .file = "network file",
    .top_keys = "network, addresses, nodes, links, segments, layers",
    .key_words = key_words,
    .mapping_noun = mapping_noun,
};
