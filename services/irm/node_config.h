/*
 * node_config.h - the node file that ourobus-irmd --config loads (YAML,
 * docs/node-file.md): the packet pool, names with their load balancing and
 * programs, IPCPs with their layer, bootstrap or enrollment, parameters,
 * connections and registrations, and the log level. Every mistake is
 * reported as "FILE:LINE:COLUMN: message".
 */
#ifndef OUROBUS_NODE_CONFIG_H
#define OUROBUS_NODE_CONFIG_H

#include "log.h"
#include "pool.h"

#include <ourobus/irm.h>
#include <stdbool.h>
#include <stddef.h>

#define NODE_CONFIG_ERR_MAX  512
#define NODE_CONFIG_FILE_MAX (1u << 20) /* a bigger file is refused */

/* A program that accepts the flows for a name. */
struct node_program {
    char *path;  /* absolute */
    char **argv; /* argc arguments for an auto-started program */
    int argc;
    bool auto_start;
};

struct node_name {
    struct name_info info; /* name and load balancing */
    struct node_program *progs;
    size_t nprogs;
};

/* What the daemon does with an IPCP once it is created. */
enum node_ipcp_mode {
    NODE_IPCP_CREATE = 0, /* nothing more: bootstrap or enroll it by hand */
    NODE_IPCP_BOOTSTRAP,  /* bootstrap conf */
    NODE_IPCP_ENROLL,     /* enroll through dst */
};

/* An adjacency of a unicast or broadcast IPCP (irm ipcp connect). */
struct node_conn {
    char dst[NAME_SIZE + 1];
    const char *component; /* "dt", "mgmt", or NULL: both */
    qosspec_t qos;
};

struct node_ipcp {
    char name[NAME_SIZE + 1];
    enum ipcp_type type;
    enum node_ipcp_mode mode;
    struct ipcp_config conf; /* bootstrap: all of it; otherwise type and layer */
    char dst[NAME_SIZE + 1]; /* enroll: the member (or layer) to enroll with */
    struct node_conn *conns; /* after bootstrap or enrollment */
    size_t nconns;
    char (*regs)[NAME_SIZE + 1]; /* names to register in its layer */
    size_t nregs;
    bool autobind; /* bind it to its name and its layer's */
};

struct node_config {
    bool log_set; /* the file sets the level */
    enum log_level log_level;
    struct pool_cfg pool; /* checked with pool_cfg_check */
    struct node_name *names;
    size_t nnames;
    struct node_ipcp *ipcps; /* in the file's order: the order to start them */
    size_t nipcps;
};

/* Load and check the node file at path. 0 and *out (node_config_destroy
 * it), or -errno with err holding one line "path:line:col: message"
 * (-EINVAL for content, -ENOENT etc. to open, -EFBIG, -ENOMEM). */
int node_config_load_file(const char *path, struct node_config **out, char *err, size_t len);

/* The same from memory; fname names the text in messages. */
int node_config_load_data(const char *fname, const void *data, size_t size,
                          struct node_config **out, char *err, size_t len);

/* Free a loaded configuration; NULLs *p. Accepts NULL. */
void node_config_destroy(struct node_config **p);

#endif
