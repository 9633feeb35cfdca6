/*
 * ourobus/irm.h - the management API of a node's IRM daemon (what the irm
 * command uses): names and their load balancing, program and process
 * bindings, registration in layers, and IPCPs. Calls return 0 (or a
 * count, or a pid) and a negative error code on failure, like the flow API.
 */
#ifndef OUROBUS_IRM_H
#define OUROBUS_IRM_H

#include <ourobus/errno.h>
#include <ourobus/qos.h>

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#define NAME_SIZE       255 /* longest name */
#define LAYER_NAME_SIZE 255 /* longest layer name */
#define DEV_NAME_SIZE   15  /* longest network interface name */

enum ipcp_type {
    IPCP_LOCAL = 0,
    IPCP_UNICAST,
    IPCP_BROADCAST,
    IPCP_ETH_LLC,
    IPCP_ETH_DIX,
    IPCP_UDP4,
    IPCP_UDP6,
    IPCP_INVALID
};

/* How the flows for a name are spread over the processes accepting it. */
enum pol_balance {
    LB_RR = 0, /* round-robin: the process waiting longest */
    LB_SPILL,  /* spill-over: the most recent accepter first */
    LB_INVALID
};

struct name_info {
    char name[NAME_SIZE + 1];
    enum pol_balance pol_lb;
};

enum ipcp_state {
    IPCP_STATE_INIT = 0,
    IPCP_STATE_BOOT,
    IPCP_STATE_OPERATIONAL,
    IPCP_STATE_DOWN
};

struct ipcp_list_info {
    pid_t pid;
    enum ipcp_type type;
    enum ipcp_state state;
    char name[NAME_SIZE + 1];
    char layer[LAYER_NAME_SIZE + 1];
};

/* ---- IPCP configuration (bootstrap) ----------------------------------- */

enum dir_hash_algo {
    DIR_HASH_SHA3_224 = 0,
    DIR_HASH_SHA3_256,
    DIR_HASH_SHA3_384,
    DIR_HASH_SHA3_512,
    DIR_HASH_MD5, /* what the UDP shims use: it fits a DNS label */
};

enum routing_pol { ROUTING_LINK_STATE = 0, ROUTING_LFA, ROUTING_ECMP };
enum cong_avoid { CA_NONE = 0, CA_MB_ECN };
enum addr_auth { ADDR_AUTH_FLAT = 0 };

struct layer_info {
    char name[LAYER_NAME_SIZE + 1];
    enum dir_hash_algo dir_hash_algo;
};

struct dt_config {
    uint8_t addr_size; /* bytes, 4 */
    uint8_t eid_size;  /* bytes, 8 */
    uint8_t max_ttl;   /* 60 */
    enum routing_pol routing;
    uint32_t ls_t_recalc; /* s, 4 */
    uint32_t ls_t_update; /* s, 15 */
    uint32_t ls_t_timeo;  /* s, 60 */
};

struct dht_config {
    uint32_t alpha;       /* 3 */
    uint32_t k;           /* 8 */
    uint32_t t_expire;    /* s, 86400 */
    uint32_t t_refresh;   /* s, 900 */
    uint32_t t_replicate; /* s, 900 */
};

struct uni_config {
    struct dt_config dt;
    struct dht_config dht;
    enum addr_auth addr_auth;
    enum cong_avoid cong_avoid;
};

#define UDP_PEERS_MAX 32 /* names of a UDP layer reached without DNS */

/* A name of a UDP layer and where its IPCP listens (the static map). */
struct udp_peer {
    char name[NAME_SIZE + 1];
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } ip;          /* of the layer's address family */
    uint16_t port; /* 0: the layer's port */
};

struct udp_config {
    int af; /* AF_INET or AF_INET6 */
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } ip, dns;     /* dns all-zero: no DNS server */
    uint16_t port; /* 3435 */
    /* Names resolved without DNS, looked up first. */
    uint32_t n_peers;
    struct udp_peer peers[UDP_PEERS_MAX];
};

struct eth_config {
    char dev[DEV_NAME_SIZE + 1];
    uint16_t ethertype; /* DIX only, 0xA000 */
};

struct ipcp_config {
    struct layer_info layer_info;
    enum ipcp_type type;
    union {
        struct uni_config unicast;
        struct udp_config udp;
        struct eth_config eth;
    };
};

/* The reference's defaults for each type (layer name left empty). */
void ipcp_config_default(struct ipcp_config *conf, enum ipcp_type type);

/* ---- binding options ----------------------------------------------------- */

#define BIND_AUTO 0x01 /* start the program when a flow arrives and none accepts */

#ifdef __cplusplus
extern "C" {
#endif

/* Talk to the IRM daemon of this node (NULL: $OUROBUS_NODE or "default")
 * from now on. 0 or -EINVAL for a bad node name. */
int irm_use_node(const char *node);

/* IPCPs */
pid_t irm_create_ipcp(const char *name, enum ipcp_type type);
int irm_destroy_ipcp(pid_t pid);
ssize_t irm_list_ipcps(struct ipcp_list_info **ipcps); /* free(*ipcps) */
int irm_bootstrap_ipcp(pid_t pid, const struct ipcp_config *conf);
int irm_enroll_ipcp(pid_t pid, const char *dst);
int irm_connect_ipcp(pid_t pid, const char *dst, const char *component, qosspec_t qs);
int irm_disconnect_ipcp(pid_t pid, const char *dst, const char *component);

/* Bindings: the program prog (a path) or the process pid accepts flows
 * for name. argv (argc strings) are the arguments an auto-started
 * program gets. A NULL name unbinds from every name. */
int irm_bind_program(const char *prog, const char *name, uint16_t opts, int argc, char **argv);
int irm_unbind_program(const char *prog, const char *name);
int irm_bind_process(pid_t pid, const char *name);
int irm_unbind_process(pid_t pid, const char *name);

/* Names */
int irm_create_name(const struct name_info *info);
int irm_destroy_name(const char *name);
ssize_t irm_list_names(struct name_info **names); /* free(*names) */

/* Make name reachable through (or no longer through) the IPCP pid. */
int irm_reg_name(const char *name, pid_t pid);
int irm_unreg_name(const char *name, pid_t pid);

#ifdef __cplusplus
}
#endif

#endif
