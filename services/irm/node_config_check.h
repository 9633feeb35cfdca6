/*
 * node_config_check.h - what the checks of a node file share: where the
 * text is (for line and column), and how an error is written. Used by
 * node_config.c (pool, names, loading) and node_config_ipcp.c (IPCPs).
 */
#ifndef OUROBUS_NODE_CONFIG_CHECK_H
#define OUROBUS_NODE_CONFIG_CHECK_H

#include "node_config.h"
#include "node_config_schema.h"
#include "yaml_schema.h"

#include <stddef.h>

#define NCC_PATH_LEN YAML_CHECK_PATH_LEN

/* The IPCPs of raw into cfg->ipcps (node_config_ipcp.c). 0 or -errno. */
int ncc_convert_ipcps(struct yaml_check *c, const struct ncs_node *raw,
                      struct node_config *cfg);

#endif
