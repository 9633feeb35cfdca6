/*
 * yaml_schema.c - libcyaml's load of a configuration file, with its log
 * captured and rewritten: libcyaml says "Invalid ENUM value: shim-xyz" with
 * a backtrace of keys; we say "unknown IPCP type 'shim-xyz' (expected ...)"
 * at the value's own line and column.
 */
#include "yaml_schema.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

const char *yaml_suggest(const char *word, const char *const *words)
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
static void what_of(const struct yaml_schema *s, const struct failure *f, char *buf, size_t len)
{
    if (f->key[0] == '\0')
        snprintf(buf, len, "the %s", s->file);
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

static void explain_unknown_key(const struct yaml_schema *s, struct yaml_doc *doc,
                                struct failure *f, const char *key, struct yaml_pos *pos,
                                char *why, size_t len)
{
    const cyaml_schema_value_t *m = yaml_schema_walk(s->top, f->path, NULL);
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
    near = yaml_suggest(key, list);
    if (near != NULL)
        snprintf(why, len, "unknown key '%s' in %s (did you mean '%s'?)", key,
                 s->mapping_noun(f->path), near);
    else
        snprintf(why, len, "unknown key '%s' in %s (expected %s)", key,
                 s->mapping_noun(f->path), keys);
}

static void explain(const struct yaml_schema *s, struct yaml_doc *doc, struct failure *f,
                    cyaml_err_t e, struct yaml_pos *pos, char *why, size_t len)
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
    what_of(s, f, what, sizeof(what));

    if (sscanf(f->msg, "Unexpected key: %127s", arg) == 1) {
        explain_unknown_key(s, doc, f, arg, pos, why, len);
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
                     bare(s->mapping_noun(f->path)), name);
        else
            snprintf(why, len, "missing key '%s' in %s", arg, s->mapping_noun(f->path));
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
                     s->mapping_noun(f->path), yaml_doc_pos(first).line);
        else
            snprintf(why, len, "'%s' is given twice", arg);
    } else if (sscanf(f->msg, "Invalid ENUM value: %127[^\n]", arg) == 1) {
        const char *noun = NULL;
        const struct irm_word *words = s->key_words(f->key, &noun);
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

        v = yaml_schema_walk(s->top, f->path, &field);
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
            snprintf(why, len, "a %s is a mapping of keys (%s) to values", s->file,
                     s->top_keys);
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

int yaml_schema_load(const struct yaml_schema *s, struct yaml_doc *doc, const void *data,
                     size_t len, void **out, struct yaml_pos *pos, char *why, size_t why_len)
{
    struct capture *cap;
    cyaml_config_t cfg = {
        .log_fn = capture_log,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_WARNING,
        .flags = CYAML_CFG_NO_ALIAS,
    };
    struct failure f;
    cyaml_err_t e;

    assert(s && doc && out && pos && why);

    *out = NULL;
    cap = calloc(1, sizeof(*cap));
    if (cap == NULL)
        return -ENOMEM;
    cfg.log_ctx = cap;
    e = cyaml_load_data(data, len, &cfg, s->top, (cyaml_data_t **)out, NULL);
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
    explain(s, doc, &f, e, pos, why, why_len);
    free(cap);
    return -EINVAL;
}

void yaml_schema_free(const struct yaml_schema *s, void *data)
{
    cyaml_config_t cfg = {.mem_fn = cyaml_mem, .log_level = CYAML_LOG_ERROR};

    assert(s);

    if (data != NULL)
        cyaml_free(&cfg, s->top, data, 0);
}

const cyaml_schema_value_t *yaml_schema_walk(const cyaml_schema_value_t *top, const char *path,
                                             const cyaml_schema_field_t **field)
{
    const cyaml_schema_value_t *v = top;

    if (field != NULL)
        *field = NULL;
    while (v != NULL && *path != '\0') {
        size_t len = strcspn(path, ".");
        char *end;

        strtoul(path, &end, 10);
        if (len > 0 && end == path + len) {
            v = v->type == CYAML_SEQUENCE ? v->sequence.entry : NULL;
            if (field != NULL)
                *field = NULL;
        } else if (v->type == CYAML_MAPPING) {
            const cyaml_schema_field_t *f = v->mapping.fields;

            while (f->key != NULL && (strlen(f->key) != len || strncmp(f->key, path, len) != 0))
                f++;
            v = f->key != NULL ? &f->value : NULL;
            if (field != NULL)
                *field = f->key != NULL ? f : NULL;
        } else {
            v = NULL;
        }
        path += len;
        if (*path == '.')
            path++;
    }
    return v;
}

void yaml_schema_last_key(const char *path, char *buf, size_t len)
{
    const char *last = "";
    size_t last_len = 0;

    for (const char *p = path; *p != '\0';) {
        size_t n = strcspn(p, ".");

        if (n > 0 && !(*p >= '0' && *p <= '9')) {
            last = p;
            last_len = n;
        }
        p += n;
        if (*p == '.')
            p++;
    }
    snprintf(buf, len, "%.*s", (int)last_len, last);
}

/* ---- semantic checks ---------------------------------------------------- */

static int fail_pos(struct yaml_check *c, struct yaml_pos p, const char *fmt, va_list ap)
{
    int n = snprintf(c->err, c->len, "%s:%u:%u: ", c->fname, p.line, p.col);

    if (n >= 0 && (size_t)n < c->len)
        vsnprintf(c->err + n, c->len - (size_t)n, fmt, ap);
    return -EINVAL;
}

int yaml_check_fail(struct yaml_check *c, const char *path, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = fail_pos(c, yaml_doc_where(&c->doc, path), fmt, ap);
    va_end(ap);
    return r;
}

int yaml_check_fail_key(struct yaml_check *c, const char *path, const char *key,
                        const char *fmt, ...)
{
    yaml_node_t *k = yaml_doc_key(&c->doc, path, key, 0);
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = fail_pos(c, k ? yaml_doc_pos(k) : yaml_doc_where(&c->doc, path), fmt, ap);
    va_end(ap);
    return r;
}

void yaml_check_path(char *buf, size_t len, const char *base, const char *key)
{
    if (snprintf(buf, len, "%s%s%s", base, *base ? "." : "", key) >= (int)len)
        buf[0] = '\0';
}

int yaml_file_read(const char *path, size_t max, char **data, size_t *len, char *err,
                   size_t err_len)
{
    struct stat st;
    char *buf;
    size_t n;
    FILE *f;
    int r;

    assert(path && data && len && err);

    *data = NULL;
    f = fopen(path, "r");
    if (f == NULL) {
        r = -errno;
        snprintf(err, err_len, "%s: %s", path, strerror(-r));
        return r;
    }
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        snprintf(err, err_len, "%s: not a file", path);
        return -EINVAL;
    }
    if ((uint64_t)st.st_size > max) {
        fclose(f);
        snprintf(err, err_len, "%s: the file is bigger than %zu bytes", path, max);
        return -EFBIG;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    r = ferror(f) ? -EIO : 0;
    fclose(f);
    if (r < 0) {
        free(buf);
        snprintf(err, err_len, "%s: %s", path, strerror(EIO));
        return r;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
