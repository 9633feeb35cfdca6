/*
 * node_config_cyaml.h - load a node file with libcyaml, and when it refuses
 * the text, turn its log (a message and a backtrace of keys and entries)
 * into one line with the exact place, found in the document tree.
 */
#ifndef OUROBUS_NODE_CONFIG_CYAML_H
#define OUROBUS_NODE_CONFIG_CYAML_H

#include "node_config_schema.h"
#include "yaml_doc.h"

#include <stddef.h>

/* Load data into *out (free it with ncs_free). 0, -EINVAL with *pos and
 * why, or -ENOMEM. doc is the same text, already loaded. */
int ncs_load(struct yaml_doc *doc, const void *data, size_t len, struct ncs_node **out,
             struct yaml_pos *pos, char *why, size_t why_len);

void ncs_free(struct ncs_node *node);

/* The closest of words (a NULL-terminated list) to word, if it is close
 * enough to be a typo of it; NULL otherwise. */
const char *ncs_suggest(const char *word, const char *const *words);

#endif
