/*
 * state_file.h - what a restarted routing daemon needs beyond the config
 * the IRM daemon keeps: its address in the layer and the neighbours it
 * connected to, in a small text file of the run folder
 * (routing.<ipcp>.state), replaced atomically.
 */
#ifndef OUROBUS_STATE_FILE_H
#define OUROBUS_STATE_FILE_H

#include <ourobus/irm.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_CONNECT_MAX 64

struct routing_state {
    char layer[LAYER_NAME_SIZE + 1];
    uint64_t addr;
    size_t n_connect;
    char connect[STATE_CONNECT_MAX][NAME_SIZE + 1]; /* names we connected to */
};

/* Read path into st: 0, -ENOENT (no file), or -EBADMSG (a line that does
 * not parse: the file is ignored). */
int state_file_load(const char *path, struct routing_state *st);

/* Write st to path (a temporary file renamed over it): 0 or -errno. */
int state_file_save(const char *path, const struct routing_state *st);

#endif
