/*
 * run_folder.h - where a node keeps its sockets, lock files and state, and
 * how its shared-memory objects are named (DESIGN.md section 5).
 *
 *   root:      /run/ourobus/<node>, shm /ourobus.<node>.<object>
 *   otherwise: $XDG_RUNTIME_DIR/ourobus/<node> or /tmp/ourobus-<uid>/<node>,
 *              shm /ourobus.u<uid>.<node>.<object>
 * OUROBUS_RUN_DIR replaces the parent folder; OUROBUS_NODE names the node
 * when no --node is given. A client (an application) uses the system node
 * when /run/ourobus/<node> exists, otherwise its own user's.
 */
#ifndef OUROBUS_RUN_FOLDER_H
#define OUROBUS_RUN_FOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NODE_NAME_MAX 32
#define RUN_PATH_MAX  96 /* keeps ipc://<run>/<service>.ctl under 107 bytes */
#define SHM_NAME_MAX  128

struct run_folder {
    char node[NODE_NAME_MAX + 1];
    char path[RUN_PATH_MAX];       /* the node's folder */
    char shm_prefix[SHM_NAME_MAX]; /* "/ourobus.<node>." or "/ourobus.u<uid>.<node>." */
    bool system;                   /* the root-owned system node */
};

/* 0 when name can be one component of a path in the run folder and of a
 * shm name: 1..max characters of [A-Za-z0-9_.-], not starting with '.'.
 * Else -EINVAL. */
int run_folder_name_check(const char *name, size_t max);

/* 0 when node is a valid node name (run_folder_name_check, 32 chars). */
int node_name_check(const char *node);

/* The node name to use: arg if not NULL, else $OUROBUS_NODE, else "default". */
const char *node_name_default(const char *arg);

/* Resolve the folder of node for a daemon of this uid (no file system
 * change). -EINVAL for a bad node name, -ENAMETOOLONG for a long path. */
int run_folder_for_daemon(struct run_folder *rf, const char *node);

/* Resolve the folder of node as a client sees it: the system node if it
 * exists, else this user's. */
int run_folder_for_client(struct run_folder *rf, const char *node);

/* Create the folder (and its parents) with mode 0770 (0700 for a private
 * parent). Refuses a parent owned by another user: -EPERM. */
int run_folder_create(const struct run_folder *rf);

/* path of a file in the folder: "<path>/<file>". -ENAMETOOLONG if it does
 * not fit. */
int run_folder_file(const struct run_folder *rf, const char *file, char *buf, size_t len);

/* ZeroMQ endpoint "ipc://<path>/<file>". */
int run_folder_endpoint(const struct run_folder *rf, const char *file, char *buf, size_t len);

/* POSIX shm name of an object of the node: "<shm_prefix><object>". */
int run_folder_shm_name(const struct run_folder *rf, const char *object, char *buf, size_t len);

#endif
