/*
 * netfile_check.h - what the checks of a network file share: netfile.c
 * (nodes, links, segments, loading) and netfile_layer.c (layers).
 */
#ifndef OUROBUS_NETFILE_CHECK_H
#define OUROBUS_NETFILE_CHECK_H

#include "netfile.h"
#include "netfile_schema.h"
#include "yaml_schema.h"

#define PATH_LEN YAML_CHECK_PATH_LEN

/* "<what> '<name>' is declared twice (first at line N)" when an entry of
 * list (n structs of stride bytes, each starting with its char *name)
 * repeats an earlier one's name. 0 or -EINVAL. */
int nfc_unique(struct yaml_check *c, const char *list, const char *what, const void *base,
               size_t stride, unsigned n);

/* A node reference at path must name a node of the file. 0 or -EINVAL. */
int nfc_node_ref(struct yaml_check *c, const struct netfile *nf, const char *path,
                 const char *node, const char *what);

const struct nfs_link *nfc_find_link(const struct nfs_net *n, const char *name);
const struct nfs_segment *nfc_find_segment(const struct nfs_net *n, const char *name);

/* "udp4", "unicast", ... */
const char *nfc_type_name(int t);

/* The layers (netfile_layer.c). 0 or -EINVAL. */
int nfc_check_layers(struct yaml_check *c, struct netfile *nf);

#endif
