/*
 * netfile_schema.h - the network file as libcyaml sees it (the nfs_*
 * structs of netfile.h) and the words of its enumerated keys.
 */
#ifndef OUROBUS_NETFILE_SCHEMA_H
#define OUROBUS_NETFILE_SCHEMA_H

#include "netfile.h"
#include "yaml_schema.h"

#define NFS_NODE_MAX    32 /* a node name (run_folder.h's NODE_NAME_MAX) */
#define NFS_NETWORK_MAX 16 /* a network name: part of namespace names */
#define NFS_WORD_MAX    64
#define NFS_ARG_MAX     255
#define NFS_PATH_MAX    1023

extern const struct yaml_schema nfs_schema;

/* The layer types (udp4 ... broadcast) and log levels, for messages. */
extern const struct irm_word nfs_layer_types[];
extern const struct irm_word nfs_levels[];

#endif
