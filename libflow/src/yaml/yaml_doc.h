/*
 * yaml_doc.h - where things are in a YAML text: libyaml's document tree,
 * kept beside a libcyaml load so that every error points at its line and
 * column, and a first pass that refuses what a configuration file does not
 * take (syntax errors, aliases, a second document).
 */
#ifndef OUROBUS_YAML_DOC_H
#define OUROBUS_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* A place in the text, counted from 1. */
struct yaml_pos {
    unsigned line;
    unsigned col;
};

struct yaml_doc {
    yaml_document_t doc;
    bool loaded;
};

/* Parse data (len bytes). 0, or -EINVAL with the place and the reason in
 * *pos and why; -ENOMEM. */
int yaml_doc_load(struct yaml_doc *d, const void *data, size_t len, struct yaml_pos *pos,
                  char *why, size_t why_len);

void yaml_doc_free(struct yaml_doc *d);

/* The node at path: keys and 0-based indices separated by dots, e.g.
 * "ipcps.2.port"; "" is the root. NULL if there is none. */
yaml_node_t *yaml_doc_node(struct yaml_doc *d, const char *path);

/* The nth (0: first) key node named key in the mapping at path, or NULL. */
yaml_node_t *yaml_doc_key(struct yaml_doc *d, const char *path, const char *key, int nth);

/* Where node starts. */
struct yaml_pos yaml_doc_pos(const yaml_node_t *node);

/* Where path is, or the nearest of its parents that exists (1:1 at worst). */
struct yaml_pos yaml_doc_where(struct yaml_doc *d, const char *path);

/* The text of a scalar node; NULL for another node. */
const char *yaml_doc_scalar(const yaml_node_t *node);

/* The items of the sequence at path (0 if it is not one). */
size_t yaml_doc_count(struct yaml_doc *d, const char *path);

#endif
