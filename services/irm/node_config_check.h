/*
 * node_config_check.h - what the checks of a node file share: where the
 * text is (for line and column), and how an error is written. Used by
 * node_config.c (pool, names, loading) and node_config_ipcp.c (IPCPs).
 */
#ifndef OUROBUS_NODE_CONFIG_CHECK_H
#define OUROBUS_NODE_CONFIG_CHECK_H

#include "node_config.h"
#include "node_config_schema.h"
#include "yaml_doc.h"

#include <stddef.h>

#define NCC_PATH_LEN 96 /* "ipcps.12.connect.3.dst" */

struct ncc {
    const char *fname;
    struct yaml_doc doc;
    char *err;
    size_t len;
};

/* "FILE:LINE:COL: message" about the value at path (a yaml_doc path), or
 * the nearest of its parents. Returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int ncc_fail(struct ncc *c, const char *path,
                                                   const char *fmt, ...);

/* The same about key itself in the mapping at path. */
__attribute__((format(printf, 4, 5))) int ncc_fail_key(struct ncc *c, const char *path,
                                                       const char *key, const char *fmt, ...);

/* buf = "<base>.<key>" (empty if it does not fit: the place is then the
 * file's start, never a wrong one). */
void ncc_path(char *buf, size_t len, const char *base, const char *key);

/* The IPCPs of raw into cfg->ipcps (node_config_ipcp.c). 0 or -errno. */
int ncc_convert_ipcps(struct ncc *c, const struct ncs_node *raw, struct node_config *cfg);

#endif
