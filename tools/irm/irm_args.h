/*
 * irm_args.h - reading the words of an irm command line: a cursor over
 * argv, keywords matched by unambiguous prefix (an exact word wins), and
 * values checked as numbers, addresses or names, each failure a usage
 * error written into the command.
 */
#ifndef OUROBUS_IRM_ARGS_H
#define OUROBUS_IRM_ARGS_H

#include "irm_cmd.h"

#include <stdbool.h>
#include <stdint.h>

/* One keyword: several words may share an id (aliases). */
struct irm_kw {
    const char *word;
    int id;
    unsigned mask; /* the caller's (e.g. the IPCP types it applies to), and: */
};

/* A keyword that wins a shared prefix over the others of its table, e.g.
 * bootstrap's name, layer and type over its parameters ('t' is type, not
 * ttl). Only a prefix several of these share is ambiguous among them. */
#define IRM_KW_FIRST 0x80000000u

struct irm_args {
    int argc;
    char **argv;
    int pos; /* the next word */
    struct irm_cmd *cmd;
    bool want_help; /* "irm help ...": the words only pick the page */
};

/* The next word, or NULL at the end (not consumed). */
const char *irm_args_peek(const struct irm_args *a);

/* Take the next word; NULL at the end. */
const char *irm_args_next(struct irm_args *a);

/* Is the next word a request for help (--help, -h, help), or are the
 * words over after "irm help ..."? */
bool irm_args_help(const struct irm_args *a);

/* Match word among the keywords of table whose mask has a bit of mask
 * (mask 0: all): an exact word, else a unique prefix among the IRM_KW_FIRST
 * keywords, else a unique prefix among all. The id, or -1 after writing "irm <topic>: unknown <what>
 * 'x' (expected ...)" or "... ambiguous <what> 'x': a or b" into the
 * command's error. */
int irm_args_match(struct irm_args *a, const struct irm_kw *table, unsigned mask,
                   const char *what, const char *word);

/* A usage error: "irm <words of the topic>: <message>". Returns -EINVAL. */
__attribute__((format(printf, 2, 3))) int irm_args_fail(struct irm_args *a, const char *fmt,
                                                        ...);

/* The value after keyword kw: a word, or a usage error ("'kw' needs <what>"). */
int irm_args_value(struct irm_args *a, const char *kw, const char *what, const char **out);

/* A name or layer of 1..255 characters, given for kw. */
int irm_args_name(struct irm_args *a, const char *kw, const char *what, const char **out);

/* A whole number in [min, max] (decimal or 0x hex). */
int irm_args_u32(struct irm_args *a, const char *kw, const char *s, uint32_t min, uint32_t max,
                 uint32_t *out);

/* A process id. */
int irm_args_pid(struct irm_args *a, const char *kw, const char *s, pid_t *out);

/* "a, b or c": the distinct words of table (masked), into buf. */
const char *irm_args_words(const struct irm_kw *table, unsigned mask, char *buf, size_t len);

#endif
