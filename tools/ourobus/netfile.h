/*
 * netfile.h - the network file (YAML, docs/network-file.md): the nodes of a
 * network, its UDP links and Ethernet segments, its layers and who is in
 * them, and what each node runs; checked as a whole, every mistake reported
 * as "FILE:LINE:COLUMN: message". The launcher (ourobus) reads it.
 */
#ifndef OUROBUS_NETFILE_H
#define OUROBUS_NETFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETFILE_ERR_MAX   512
#define NETFILE_FILE_MAX  (1u << 20)
#define NETFILE_NODES_MAX 64
#define NETFILE_LISTS_MAX 256 /* links, segments, layers, members, names */
#define NETFILE_ARGS_MAX  16

/* ---- the file as written (libcyaml loads into these; optional values are
 * pointers, NULL when absent) ---------------------------------------------- */

/* A program the node runs. */
struct nfs_program {
    char *path; /* absolute, or found next to ourobus or in $PATH */
    char **args;
    unsigned args_count;
    char **bind; /* the names its processes accept flows for */
    unsigned bind_count;
    bool *auto_start; /* key "auto": irmd starts it on a flow, not the launcher */
};

struct nfs_node {
    char *name;
    char *pool; /* a size, "32MiB" */
    char *log;  /* err, warn, info, debug */
    struct nfs_program *programs;
    unsigned programs_count;
};

/* A node on a UDP link, and its port there. */
struct nfs_link_end {
    char *node;
    uint32_t port;
};

struct nfs_link {
    char *name;
    char *ip; /* the address of every end without namespaces (127.0.0.1 or ::1) */
    struct nfs_link_end *nodes;
    unsigned nodes_count;
};

struct nfs_segment {
    char *name;
    char *dev; /* without namespaces: the host's interface the members use */
    char **nodes;
    unsigned nodes_count;
};

/* Names a node makes reachable in a layer. */
struct nfs_reg {
    char *node;
    char **names;
    unsigned names_count;
};

/* A member of a unicast or broadcast layer besides its bootstrap node. */
struct nfs_member {
    char *node;
    char *enroll; /* the member node it enrolls with; the bootstrap node if NULL */
};

struct nfs_conn {
    char *from;
    char *to;
    int *component;
    int *qos;
};

struct nfs_layer {
    char *name;
    int type;      /* enum ipcp_type */
    char *link;    /* udp4, udp6 */
    char *segment; /* eth-llc, eth-dix */
    char **over;   /* unicast, broadcast: the lower layers */
    unsigned over_count;
    char *bootstrap; /* unicast, broadcast: the node that makes the layer */
    struct nfs_member *members;
    unsigned members_count;
    struct nfs_conn *connect;
    unsigned connect_count;
    struct nfs_reg *reg; /* key "register" */
    unsigned reg_count;
    /* parameters, as in the node file */
    int *hash;
    uint32_t *ethertype;
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
};

struct nfs_net {
    char *network;   /* a name for the network: namespaces are ob-<network>-... */
    char *addresses; /* the private IPv4 range of --netns, "10.99.0.0/16" */
    struct nfs_node *nodes;
    unsigned nodes_count;
    struct nfs_link *links;
    unsigned links_count;
    struct nfs_segment *segments;
    unsigned segments_count;
    struct nfs_layer *layers;
    unsigned layers_count;
};

/* ---- the checked network ---------------------------------------------- */

struct netfile {
    char *path;          /* as given */
    struct nfs_net *net; /* the file, every reference checked */
    uint32_t base;       /* addresses: the range, host order */
    unsigned prefix;     /* its length, 8 to 16 */
};

/* Load and check the network file at path: 0 and *out (netfile_destroy
 * it), or -errno with err holding one line "path:line:col: message"
 * (-EINVAL for content, -ENOENT etc. to open, -EFBIG, -ENOMEM). */
int netfile_load_file(const char *path, struct netfile **out, char *err, size_t len);

/* The same from memory; fname names the text in messages. */
int netfile_load_data(const char *fname, const void *data, size_t size, struct netfile **out,
                      char *err, size_t len);

/* Free it; NULLs *p. Accepts NULL. */
void netfile_destroy(struct netfile **p);

/* The index of node name, or -1. */
int netfile_node(const struct netfile *nf, const char *name);

/* The layer named name, or NULL. */
const struct nfs_layer *netfile_layer(const struct netfile *nf, const char *name);

/* Is node a member of the layer? */
bool netfile_layer_has(const struct netfile *nf, const struct nfs_layer *l, const char *node);

/* How the nodes reach one another: on the loopback as processes, or each
 * in its network namespace with addresses from the file's range. */
enum netfile_mode {
    NETFILE_PROCESSES = 0,
    NETFILE_NETNS,
};

/* The address of node on link li ("127.0.0.1", "10.99.1.2"). */
void netfile_link_ip(const struct netfile *nf, enum netfile_mode mode, unsigned li,
                     const char *node, char *buf, size_t len);

/* The name of node's IPCP in layer l: "<layer>.<node>". */
void netfile_ipcp_name(const struct nfs_layer *l, const char *node, char *buf, size_t len);

/* The interface of a member of segment si: in its namespace "s<si>";
 * with processes, the segment's dev (NULL if it has none). */
void netfile_segment_dev(const struct netfile *nf, enum netfile_mode mode, unsigned si,
                         char *buf, size_t len);

/* The node file of node (ourobus-irmd --config) as text (free it):
 * its pool, names, programs and, layer by layer, its IPCPs with their
 * addresses, registrations and the peers map. NULL if out of memory. */
char *netfile_node_file(const struct netfile *nf, enum netfile_mode mode, const char *node,
                        const char *const *prog_paths);

/* How many IPCPs node has (one per layer it is in). */
unsigned netfile_node_ipcps(const struct netfile *nf, const char *node);

#endif
