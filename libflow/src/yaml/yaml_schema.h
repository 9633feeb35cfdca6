/*
 * yaml_schema.h - a configuration file loaded with libcyaml against a
 * schema, every mistake as one line "FILE:LINE:COL: message": libcyaml's
 * log is rewritten in the file's own words, at the place found in the
 * document tree (yaml_doc.h). Used by the node file and the network file.
 */
#ifndef OUROBUS_YAML_SCHEMA_H
#define OUROBUS_YAML_SCHEMA_H

#include "irm_words.h"
#include "yaml_doc.h"

#include <cyaml/cyaml.h>
#include <stddef.h>

#define YAML_CHECK_PATH_LEN 96 /* "ipcps.12.connect.3.dst" */

/* What the messages need to know of a schema. */
struct yaml_schema {
    const cyaml_schema_value_t *top; /* a mapping, loaded as a pointer */
    const char *file;                /* "node file" */
    const char *top_keys;            /* "log, pool, names, ipcps" */
    /* The words of an enumerated key, and what the key is called ("IPCP
     * type"); NULL noun for a boolean. NULL if the key is not one. */
    const struct irm_word *(*key_words)(const char *key, const char **noun);
    /* What the mapping at path is: "an IPCP", "a program", ... */
    const char *(*mapping_noun)(const char *path);
};

/* Load data (len bytes) into *out (free it with yaml_schema_free). 0,
 * -EINVAL with *pos and why, or -ENOMEM. doc is the same text, loaded. */
int yaml_schema_load(const struct yaml_schema *s, struct yaml_doc *doc, const void *data,
                     size_t len, void **out, struct yaml_pos *pos, char *why, size_t why_len);

/* Free what yaml_schema_load made. Accepts NULL. */
void yaml_schema_free(const struct yaml_schema *s, void *data);

/* The schema of what sits at path ("ipcps.2.port") under top, and the
 * mapping field that holds it when the last step is a key (*field, may be
 * NULL). NULL if the path leaves the schema. */
const cyaml_schema_value_t *yaml_schema_walk(const cyaml_schema_value_t *top, const char *path,
                                             const cyaml_schema_field_t **field);

/* The last key of path ("ipcps.2.connect.0" -> "connect"), for a noun
 * look-up; "" if none. */
void yaml_schema_last_key(const char *path, char *buf, size_t len);

/* The closest of words (a NULL-terminated list) to word, if it is close
 * enough to be a typo of it; NULL otherwise. */
const char *yaml_suggest(const char *word, const char *const *words);

/* The semantic checks of a file: its name, its tree, where errors go. */
struct yaml_check {
    const char *fname;
    struct yaml_doc doc;
    char *err;
    size_t len;
};

/* "FILE:LINE:COL: message" about the value at path (a yaml_doc path), or
 * the nearest of its parents. Returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int
yaml_check_fail(struct yaml_check *c, const char *path, const char *fmt, ...);

/* The same about key itself in the mapping at path. */
__attribute__((format(printf, 4, 5))) int yaml_check_fail_key(struct yaml_check *c,
                                                              const char *path, const char *key,
                                                              const char *fmt, ...);

/* buf = "<base>.<key>" (empty if it does not fit: the place is then the
 * file's start, never a wrong one). */
void yaml_check_path(char *buf, size_t len, const char *base, const char *key);

/* Read a whole file of at most max bytes: 0 and *data (free it) and *len,
 * or -errno with err holding "path: reason". */
int yaml_file_read(const char *path, size_t max, char **data, size_t *len, char *err,
                   size_t err_len);

#endif
