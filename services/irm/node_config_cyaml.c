/*
 * node_config_cyaml.c - libcyaml's load of the node file, with its log
 * captured and rewritten: libcyaml says "Invalid ENUM value: shim-xyz" with
 * a backtrace of keys; we say "unknown IPCP type 'shim-xyz' (expected ...)"
 * at the value's own line and column.
 */
#include "node_config_cyaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAPTURE_MAX  4096
#define PATH_MAX_LEN 512
#define STEPS_MAX    16

/* What libcyaml logged during one load. */
struct capture {
    char text[CAPTURE_MAX];
    size_t len;
};

static void capture_log(cyaml_log_t level, void *ctx, const char *fmt, va_list ap)
{
    struct capture *c = ctx;
    int n;

    (void)level;
    if (c->len >= sizeof(c->text) - 1)
        return;
    n = vsnprintf(c->text + c->len, sizeof(c->text) - c->len, fmt, ap);
    if (n > 0)
        c->len +=
            (size_t)n < sizeof(c->text) - c->len ? (size_t)n : sizeof(c->text) - c->len - 1;
}

/* The log taken apart: the message, and the path the backtrace walks. */
struct failure {
    char msg[256];
    char path[PATH_MAX_LEN];   /* "ipcps.1.type" */
    char key[64];              /* the last key of the path, "" if none */
    bool last_is_index;        /* the path ends in a sequence entry */
    struct yaml_pos cyaml_pos; /* libcyaml's own idea of the place */
    bool has_pos;
};

static void path_push(char *path, const char *step)
{
    size_t n = strlen(path);

    snprintf(path + n, PATH_MAX_LEN - n, "%s%s", n ? "." : "", step);
}

/* Drop the last step of path. */
static void path_pop(char *path)
{
    char *dot = strrchr(path, '.');

    if (dot != NULL)
        *dot = '\0';
    else
        path[0] = '\0';
}

static void parse_capture(const struct capture *c, struct failure *f)
{
    char steps[STEPS_MAX][64];
    int n = 0;
    const char *line = c->text;

    memset(f, 0, sizeof(*f));
    while (*line != '\0') {
        size_t len = strcspn(line, "\n");
        char l[320];
        char name[64];
        unsigned ln, col;

        snprintf(l, sizeof(l), "%.*s", (int)len, line);
        line += len + (line[len] == '\n');
        if (sscanf(l, " in mapping field '%63[^']' (line: %u, column: %u)", name, &ln, &col) ==
                3 ||
            sscanf(l, " in sequence entry '%63[^']' (line: %u, column: %u)", name, &ln, &col) ==
                3) {
            bool entry = strstr(l, "sequence entry") != NULL;

            if (n == 0) {
                f->cyaml_pos = (struct yaml_pos){ln, col};
                f->has_pos = true;
            }
            if (n < STEPS_MAX) {
                if (entry)
                    snprintf(steps[n], sizeof(steps[n]), "%ld", strtol(name, NULL, 10) - 1);
                else
                    snprintf(steps[n], sizeof(steps[n]), "%s", name);
                n++;
            }
        } else if (sscanf(l, " in mapping (line: %u, column: %u)", &ln, &col) == 2) {
            if (n == 0) {
                f->cyaml_pos = (struct yaml_pos){ln, col};
                f->has_pos = true;
            }
        } else if (strncmp(l, "Load: ", 6) == 0 && strcmp(l + 6, "Backtrace:") != 0 &&
                   f->msg[0] == '\0') {
            snprintf(f->msg, sizeof(f->msg), "%.250s", l + 6);
        }
    }
    /* The backtrace goes from the inside out. */
    for (int i = n - 1; i >= 0; i--) {
        if (steps[i][0] == '-')
            continue; /* entry 0: before the first entry */
        path_push(f->path, steps[i]);
        if (steps[i][0] >= '0' && steps[i][0] <= '9') {
            f->last_is_index = true;
        } else {
            f->last_is_index = false;
            snprintf(f->key, sizeof(f->key), "%s", steps[i]);
        }
    }
}

/* ---- typo suggestions ------------------------------------------------- */

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[65];

    if (la > 64 || lb > 64)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];

        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *ncs_suggest(const char *word, const char *const *words)
{
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits */

    for (; *words != NULL; words++) {
        size_t d = distance(word, *words);

        if (d < best_d && d < strlen(*words)) {
            best = *words;
            best_d = d;
        }
    }
    return best;
}

/* ---- the messages ------------------------------------------------------ */

static void keys_of(const cyaml_schema_value_t *m, char *buf, size_t len, const char **list,
                    size_t max)
{
    size_t n = 0, k = 0;

    buf[0] = '\0';
    for (const cyaml_schema_field_t *f = m->mapping.fields; f->key != NULL; f++) {
        int r = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", f->key);

        if (r > 0 && (size_t)r < len - n)
            n += (size_t)r;
        if (k < max - 1)
            list[k++] = f->key;
    }
    list[k] = NULL;
}

/* "what" for the value at f->path: "'port'", or "an entry of 'register'". */
static void what_of(const struct failure *f, char *buf, size_t len)
{
    if (f->key[0] == '\0')
        snprintf(buf, len, "the node file");
    else if (f->last_is_index)
        snprintf(buf, len, "an entry of '%s'", f->key);
    else
        snprintf(buf, len, "'%s'", f->key);
}

/* "an IPCP" -> "IPCP" */
static const char *bare(const char *noun)
{
    if (strncmp(noun, "an ", 3) == 0)
        return noun + 3;
    if (strncmp(noun, "a ", 2) == 0)
        return noun + 2;
    return noun;
}

static void unquote(const char *s, char *buf, size_t len)
{
    size_t n = strlen(s);

    if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'')
        snprintf(buf, len, "%.*s", (int)(n - 2), s + 1);
    else
        snprintf(buf, len, "%s", s);
}

static void explain_unknown_key(struct yaml_doc *doc, struct failure *f, const char *key,
                                struct yaml_pos *pos, char *why, size_t len)
{
    const cyaml_schema_value_t *m = ncs_walk(f->path, NULL);
    yaml_node_t *k = yaml_doc_key(doc, f->path, key, 0);
    const char *list[64];
    char keys[1024];
    const char *near;

    if (k != NULL)
        *pos = yaml_doc_pos(k);
    if (m == NULL || m->type != CYAML_MAPPING) {
        snprintf(why, len, "unknown key '%s'", key);
        return;
    }
    keys_of(m, keys, sizeof(keys), list, 64);
    near = ncs_suggest(key, list);
    if (near != NULL)
        snprintf(why, len, "unknown key '%s' in %s (did you mean '%s'?)", key,
                 ncs_mapping_noun(f->path), near);
    else
        snprintf(why, len, "unknown key '%s' in %s (expected %s)", key,
                 ncs_mapping_noun(f->path), keys);
}

static void explain(struct yaml_doc *doc, struct failure *f, cyaml_err_t e,
                    struct yaml_pos *pos, char *why, size_t len)
{
    const cyaml_schema_field_t *field = NULL;
    const cyaml_schema_value_t *v;
    yaml_node_t *node;
    char what[96];
    char val[128];
    char arg[128];
    unsigned u;

    *pos = f->has_pos ? f->cyaml_pos : (struct yaml_pos){1, 1};
    node = yaml_doc_node(doc, f->path);
    if (node != NULL)
        *pos = yaml_doc_pos(node);
    what_of(f, what, sizeof(what));

    if (sscanf(f->msg, "Unexpected key: %127s", arg) == 1) {
        explain_unknown_key(doc, f, arg, pos, why, len);
    } else if (sscanf(f->msg, "Missing required mapping field: %127s", arg) == 1) {
        char np[PATH_MAX_LEN + 8];
        const char *name;

        if (!f->last_is_index && f->key[0] != '\0')
            path_pop(f->path); /* a key inside the mapping: the mapping is its parent */
        node = yaml_doc_node(doc, f->path);
        if (node != NULL)
            *pos = yaml_doc_pos(node);
        snprintf(np, sizeof(np), "%s%sname", f->path, *f->path ? "." : "");
        name = strcmp(arg, "name") != 0 ? yaml_doc_scalar(yaml_doc_node(doc, np)) : NULL;
        if (name != NULL)
            snprintf(why, len, "missing key '%s' in %s '%.64s'", arg,
                     bare(ncs_mapping_noun(f->path)), name);
        else
            snprintf(why, len, "missing key '%s' in %s", arg, ncs_mapping_noun(f->path));
    } else if (sscanf(f->msg, "Mapping field already seen: %127s", arg) == 1) {
        yaml_node_t *first, *second;

        if (!f->last_is_index && strcmp(f->key, arg) == 0)
            path_pop(f->path);
        first = yaml_doc_key(doc, f->path, arg, 0);
        second = yaml_doc_key(doc, f->path, arg, 1);
        if (second != NULL)
            *pos = yaml_doc_pos(second);
        if (first != NULL)
            snprintf(why, len, "'%s' is given twice in %s (first at line %u)", arg,
                     ncs_mapping_noun(f->path), yaml_doc_pos(first).line);
        else
            snprintf(why, len, "'%s' is given twice", arg);
    } else if (sscanf(f->msg, "Invalid ENUM value: %127[^\n]", arg) == 1) {
        const char *noun = NULL;
        const struct irm_word *words = ncs_key_words(f->key, &noun);
        char list[256];

        if (words != NULL && noun == NULL)
            snprintf(why, len, "%s is true or false, not '%s'", what, arg);
        else if (words != NULL)
            snprintf(why, len, "unknown %s '%s' (expected %s)", noun, arg,
                     irm_word_list(words, list, sizeof(list)));
        else
            snprintf(why, len, "unknown value '%s' for %s", arg, what);
    } else if (sscanf(f->msg, "Invalid UINT value: %127[^\n]", arg) == 1 ||
               sscanf(f->msg, "Invalid uint64_t value: %127[^\n]", arg) == 1 ||
               sscanf(f->msg, "Invalid INT value: %127[^\n]", arg) == 1 ||
               sscanf(f->msg, "Invalid int64_t value: %127[^\n]", arg) == 1) {
        unsigned long long max;

        v = ncs_walk(f->path, &field);
        max = v != NULL && v->data_size < 8 ? (1ull << (8 * v->data_size)) - 1 : ~0ull;
        unquote(arg, val, sizeof(val));
        snprintf(why, len, "%s is a whole number from 0 to %llu, not '%s'", what, max, val);
    } else if (sscanf(f->msg, "Excessive entries (%u max)", &u) == 1) {
        yaml_node_t *extra;
        char ip[PATH_MAX_LEN + 16];

        if (f->last_is_index)
            path_pop(f->path);
        snprintf(ip, sizeof(ip), "%s.%u", f->path, u);
        extra = yaml_doc_node(doc, ip);
        if (extra != NULL)
            *pos = yaml_doc_pos(extra);
        snprintf(why, len, "'%s' has at most %u entries", f->key, u);
    } else if (sscanf(f->msg, "Insufficient entries (%*u of %u min)", &u) == 1) {
        if (f->last_is_index)
            path_pop(f->path);
        snprintf(why, len, "'%s' needs at least %u entr%s", f->key, u, u == 1 ? "y" : "ies");
    } else if (sscanf(f->msg, "Expecting %127s got event", arg) == 1) {
        size_t n = strlen(arg);

        if (n > 0 && arg[n - 1] == ',')
            arg[n - 1] = '\0';
        if (f->key[0] == '\0')
            snprintf(why, len,
                     "a node file is a mapping of keys (log, pool, names, ipcps) to "
                     "values");
        else if (strcmp(arg, "SEQUENCE") == 0)
            snprintf(why, len, "%s is a list ([a, b] or lines starting with '- ')", what);
        else if (strcmp(arg, "MAPPING") == 0)
            snprintf(why, len, "%s is a mapping of keys to values ('key: value' lines)", what);
        else
            snprintf(why, len, "%s is a single value, not a list or a mapping", what);
    } else if (sscanf(f->msg, "STRING length < %u", &u) == 1) {
        snprintf(why, len, "%s is empty", what);
    } else if (sscanf(f->msg, "STRING length > %u", &u) == 1) {
        snprintf(why, len, "%s is longer than %u characters", what, u);
    } else if (f->msg[0] != '\0') {
        snprintf(why, len, "%s: %s", what, f->msg);
    } else {
        snprintf(why, len, "%s", cyaml_strerror(e));
    }
}

int ncs_load(struct yaml_doc *doc, const void *data, size_t len, struct ncs_node **out,
             struct yaml_pos *pos, char *why, size_t why_len)
{
    struct capture *cap = calloc(1, sizeof(*cap));
    cyaml_config_t cfg = {
        .log_fn = capture_log,
        .log_ctx = cap,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_WARNING,
        .flags = CYAML_CFG_NO_ALIAS,
    };
    struct failure f;
    cyaml_err_t e;

    *out = NULL;
    if (cap == NULL)
        return -ENOMEM;
    e = cyaml_load_data(data, len, &cfg, &ncs_node_schema, (cyaml_data_t **)out, NULL);
    if (e == CYAML_OK) {
        free(cap);
        return 0;
    }
    *out = NULL;
    if (e == CYAML_ERR_OOM) {
        free(cap);
        return -ENOMEM;
    }
    parse_capture(cap, &f);
    explain(doc, &f, e, pos, why, why_len);
    free(cap);
    return -EINVAL;
}

void ncs_free(struct ncs_node *node)
{
    cyaml_config_t cfg = {.mem_fn = cyaml_mem, .log_level = CYAML_LOG_ERROR};

    if (node != NULL)
        cyaml_free(&cfg, &ncs_node_schema, node, 0);
}
