/*
 * node_config.c - load the node file: libyaml's tree for the places,
 * libcyaml for the structure, then what a schema cannot say (sizes, paths,
 * names declared twice; the IPCPs in node_config_ipcp.c), each error at
 * its line and column.
 */
#include "node_config.h"

#include "node_config_check.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the pool ----------------------------------------------------------- */

/* "64MiB", "2KiB", "2048", "1 GiB": bytes. 0 or -EINVAL. */
static int size_parse(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        unsigned shift;
    } units[] = {{"", 0},     {"b", 0},  {"k", 10},   {"kib", 10}, {"m", 20},
                 {"mib", 20}, {"g", 30}, {"gib", 30}, {"t", 40},   {"tib", 40}};
    unsigned long long v;
    char unit[8];
    char *end;
    size_t n = 0;

    if (!isdigit((unsigned char)s[0]))
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0)
        return -EINVAL;
    while (*end == ' ')
        end++;
    while (end[n] != '\0' && n < sizeof(unit) - 1) {
        unit[n] = (char)tolower((unsigned char)end[n]);
        n++;
    }
    unit[n] = '\0';
    if (end[n] != '\0')
        return -EINVAL;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(units[i].unit, unit) != 0)
            continue;
        if (v > (UINT64_MAX >> units[i].shift))
            return -EINVAL;
        *out = (uint64_t)v << units[i].shift;
        return 0;
    }
    return -EINVAL;
}

/* The default classes, their counts scaled so the pool takes about bytes. */
static int pool_scaled(struct yaml_check *c, const char *size, struct pool_cfg *cfg)
{
    uint64_t bytes;
    double f;
    const char *why;

    if (size_parse(size, &bytes) < 0)
        return yaml_check_fail(c, "pool.size",
                               "'size' is a size such as 64MiB (a number and B, KiB, MiB, "
                               "GiB or TiB), not '%s'",
                               size);
    if (bytes < (1u << 20))
        return yaml_check_fail(c, "pool.size", "'size' is at least 1MiB, not '%s'", size);
    pool_cfg_default(cfg);
    f = (double)bytes / (double)pool_cfg_bytes(cfg);
    for (uint32_t i = 0; i < cfg->nclasses; i++) {
        double n = floor((double)cfg->cls[i].count * f + 0.5);

        cfg->cls[i].count = n < 1 ? 1 : n > (double)UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    }
    if (pool_cfg_check(cfg, &why) < 0)
        return yaml_check_fail(c, "pool.size",
                               "a pool of %s does not work: %s (give 'classes' instead)", size,
                               why);
    return 0;
}

static int pool_classes(struct yaml_check *c, const struct ncs_pool *p, struct pool_cfg *cfg)
{
    const char *why;

    memset(cfg, 0, sizeof(*cfg));
    cfg->nclasses = p->classes_count;
    for (unsigned i = 0; i < p->classes_count; i++) {
        char path[NCC_PATH_LEN];
        uint64_t b;

        snprintf(path, sizeof(path), "pool.classes.%u.block", i);
        if (size_parse(p->classes[i].block, &b) < 0)
            return yaml_check_fail(c, path, "'block' is a size such as 2048 or 2KiB, not '%s'",
                                   p->classes[i].block);
        if (b < 512 || b > (1u << 30) || (b & (b - 1)) != 0)
            return yaml_check_fail(c, path,
                                   "'block' is a power of two from 512 to 1GiB, not '%s'",
                                   p->classes[i].block);
        if (i > 0 && b <= cfg->cls[i - 1].blk_size)
            return yaml_check_fail(c, path,
                                   "the classes go from small blocks to big ones: '%s' is not "
                                   "bigger than the class above",
                                   p->classes[i].block);
        cfg->cls[i].blk_size = (uint32_t)b;
        cfg->cls[i].count = p->classes[i].count;
        snprintf(path, sizeof(path), "pool.classes.%u.count", i);
        if (cfg->cls[i].count == 0 || cfg->cls[i].count > (1u << 24))
            return yaml_check_fail(c, path, "'count' is from 1 to 16777216 blocks, not %u",
                                   cfg->cls[i].count);
    }
    if (pool_cfg_check(cfg, &why) < 0)
        return yaml_check_fail(c, "pool.classes", "these classes do not work: %s", why);
    return 0;
}

static int convert_pool(struct yaml_check *c, const struct ncs_pool *p, struct pool_cfg *cfg)
{
    pool_cfg_default(cfg);
    if (p == NULL)
        return 0;
    if (p->size != NULL && p->classes != NULL)
        return yaml_check_fail_key(c, "pool", "classes",
                                   "give the pool a 'size' or its 'classes', not both");
    if (p->size != NULL)
        return pool_scaled(c, p->size, cfg);
    if (p->classes != NULL)
        return pool_classes(c, p, cfg);
    return 0;
}

/* ---- names -------------------------------------------------------------- */

static int convert_program(struct yaml_check *c, const char *path, const struct ncs_program *r,
                           struct node_program *p)
{
    char at[NCC_PATH_LEN];

    yaml_check_path(at, sizeof(at), path, "path");
    if (r->path[0] != '/')
        return yaml_check_fail(c, at,
                               "'path' is the program's absolute path (the daemon starts it), "
                               "not '%s'",
                               r->path);
    if (r->args_count > 0 && (r->auto_start == NULL || !*r->auto_start))
        return yaml_check_fail_key(c, path, "args",
                                   "'args' are for a program the daemon starts: add "
                                   "'auto: true'");
    p->path = strdup(r->path);
    if (p->path == NULL)
        return -ENOMEM;
    p->auto_start = r->auto_start != NULL && *r->auto_start;
    if (r->args_count == 0)
        return 0;
    p->argv = calloc(r->args_count, sizeof(*p->argv));
    if (p->argv == NULL)
        return -ENOMEM;
    for (unsigned i = 0; i < r->args_count; i++) {
        p->argv[i] = strdup(r->args[i]);
        if (p->argv[i] == NULL)
            return -ENOMEM;
        p->argc++;
    }
    return 0;
}

static int convert_names(struct yaml_check *c, const struct ncs_node *raw,
                         struct node_config *cfg)
{
    if (raw->names_count == 0)
        return 0;
    cfg->names = calloc(raw->names_count, sizeof(*cfg->names));
    if (cfg->names == NULL)
        return -ENOMEM;
    for (unsigned i = 0; i < raw->names_count; i++) {
        const struct ncs_name *r = &raw->names[i];
        struct node_name *n = &cfg->names[i];
        char path[NCC_PATH_LEN];
        int err;

        cfg->nnames++;
        for (unsigned j = 0; j < i; j++) {
            if (strcmp(raw->names[j].name, r->name) != 0)
                continue;
            snprintf(path, sizeof(path), "names.%u.name", j);
            {
                unsigned first = yaml_doc_where(&c->doc, path).line;

                snprintf(path, sizeof(path), "names.%u.name", i);
                return yaml_check_fail(
                    c, path, "name '%s' is declared twice (first at line %u)", r->name, first);
            }
        }
        snprintf(n->info.name, sizeof(n->info.name), "%s", r->name);
        n->info.pol_lb = r->lb != NULL ? (enum pol_balance) * r->lb : LB_RR;
        if (r->programs_count == 0)
            continue;
        n->progs = calloc(r->programs_count, sizeof(*n->progs));
        if (n->progs == NULL)
            return -ENOMEM;
        for (unsigned j = 0; j < r->programs_count; j++) {
            for (unsigned k = 0; k < j; k++) {
                if (strcmp(r->programs[k].path, r->programs[j].path) == 0) {
                    snprintf(path, sizeof(path), "names.%u.programs.%u.path", i, j);
                    return yaml_check_fail(c, path, "program '%s' is bound to '%s' twice",
                                           r->programs[j].path, r->name);
                }
            }
            snprintf(path, sizeof(path), "names.%u.programs.%u", i, j);
            n->nprogs++;
            err = convert_program(c, path, &r->programs[j], &n->progs[j]);
            if (err < 0)
                return err;
        }
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------ */

void node_config_destroy(struct node_config **p)
{
    struct node_config *cfg;

    if (p == NULL || *p == NULL)
        return;
    cfg = *p;
    for (size_t i = 0; i < cfg->nnames; i++) {
        for (size_t j = 0; j < cfg->names[i].nprogs; j++) {
            struct node_program *pr = &cfg->names[i].progs[j];

            for (int k = 0; k < pr->argc; k++)
                free(pr->argv[k]);
            free(pr->argv);
            free(pr->path);
        }
        free(cfg->names[i].progs);
    }
    free(cfg->names);
    for (size_t i = 0; i < cfg->nipcps; i++) {
        free(cfg->ipcps[i].conns);
        free(cfg->ipcps[i].regs);
    }
    free(cfg->ipcps);
    free(cfg);
    *p = NULL;
}

int node_config_load_data(const char *fname, const void *data, size_t size,
                          struct node_config **out, char *err, size_t len)
{
    struct yaml_check c = {.fname = fname, .err = err, .len = len};
    struct node_config *cfg = NULL;
    struct ncs_node *raw = NULL;
    struct yaml_pos pos;
    char why[NODE_CONFIG_ERR_MAX];
    int r;

    assert(fname && out && err && len > 0);
    assert(data || size == 0);

    *out = NULL;
    err[0] = '\0';
    if (size > NODE_CONFIG_FILE_MAX) {
        snprintf(err, len, "%s: the file is bigger than %u bytes", fname, NODE_CONFIG_FILE_MAX);
        return -EFBIG;
    }
    r = yaml_doc_load(&c.doc, data, size, &pos, why, sizeof(why));
    if (r < 0)
        goto fail_doc;
    r = yaml_schema_load(&ncs_schema, &c.doc, data, size, (void **)&raw, &pos, why,
                         sizeof(why));
    if (r < 0)
        goto fail_doc;
    cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL) {
        r = -ENOMEM;
        goto fail;
    }
    cfg->log_level = LOG_LVL_INFO;
    r = convert_pool(&c, raw ? raw->pool : NULL, &cfg->pool);
    if (r == 0 && raw != NULL && raw->log != NULL) {
        cfg->log_set = true;
        cfg->log_level = (enum log_level)raw->log->level;
    }
    if (r == 0 && raw != NULL)
        r = convert_names(&c, raw, cfg);
    if (r == 0 && raw != NULL)
        r = ncc_convert_ipcps(&c, raw, cfg);
    if (r < 0)
        goto fail;
    yaml_schema_free(&ncs_schema, raw);
    yaml_doc_free(&c.doc);
    *out = cfg;
    return 0;

fail_doc:
    if (r == -EINVAL)
        snprintf(err, len, "%s:%u:%u: %s", fname, pos.line, pos.col, why);
fail:
    if (r == -ENOMEM)
        snprintf(err, len, "%s: out of memory", fname);
    node_config_destroy(&cfg);
    yaml_schema_free(&ncs_schema, raw);
    yaml_doc_free(&c.doc);
    return r;
}

int node_config_load_file(const char *path, struct node_config **out, char *err, size_t len)
{
    char *data;
    size_t n;
    int r;

    assert(path && out && err && len > 0);

    *out = NULL;
    r = yaml_file_read(path, NODE_CONFIG_FILE_MAX, &data, &n, err, len);
    if (r < 0)
        return r;
    r = node_config_load_data(path, data, n, out, err, len);
    free(data);
    return r;
}
