/*
 * reg.c - the registry's tables and lookups. Pure bookkeeping: no shared
 * memory, no bus, no files (broker.c, reaper.c and persist.c do those).
 */
#include "reg.h"

#include "deadline.h"

#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

static size_t int_hash(const void *key)
{
    return (size_t)((uintptr_t)key * 2654435761u);
}

static int int_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y ? -1 : x > y;
}

void *reg_int_key(uint32_t v)
{
    return (void *)(uintptr_t)v;
}

static zhashx_t *int_table(void)
{
    zhashx_t *h = zhashx_new();

    if (h == NULL)
        return NULL;
    zhashx_set_key_hasher(h, int_hash);
    zhashx_set_key_comparator(h, int_cmp);
    zhashx_set_key_duplicator(h, NULL);
    zhashx_set_key_destructor(h, NULL);
    return h;
}

int reg_init(struct reg *r)
{
    memset(r, 0, sizeof(*r));
    r->names = zhashx_new();
    r->prog_binds = zlistx_new();
    r->proc_binds = zlistx_new();
    r->procs = int_table();
    r->flows = int_table();
    r->ipcps = zlistx_new();
    r->accepts = zlistx_new();
    r->allocs = zlistx_new();
    r->next_flow_id = 1;
    if (!r->names || !r->prog_binds || !r->proc_binds || !r->procs || !r->flows || !r->ipcps ||
        !r->accepts || !r->allocs) {
        reg_fini(r);
        return -ENOMEM;
    }
    return 0;
}

static void name_free(struct reg_name *n)
{
    free(n->name);
    free(n);
}

static void prog_bind_free(struct reg_prog_bind *b)
{
    for (int i = 0; i < b->argc; i++)
        free(b->argv[i]);
    free(b->argv);
    free(b->name);
    free(b->path);
    free(b->base);
    free(b);
}

static void proc_bind_free(struct reg_proc_bind *b)
{
    free(b->name);
    free(b);
}

static void ipcp_free(struct reg_ipcp *i)
{
    if (i->regs != NULL) {
        for (char *n = zlistx_first(i->regs); n != NULL; n = zlistx_next(i->regs))
            free(n);
        zlistx_destroy(&i->regs);
    }
    if (i->plan != NULL)
        free(i->plan->regs);
    free(i->plan);
    free(i->conf);
    free(i->name);
    free(i->layer);
    free(i->endpoint);
    free(i);
}

static void alloc_free(struct reg_alloc *a)
{
    free(a->name);
    free(a);
}

static void flow_free(struct reg_flow *f)
{
    free(f->name);
    free(f);
}

void reg_fini(struct reg *r)
{
    void *it;

    if (r->names != NULL) {
        for (it = zhashx_first(r->names); it != NULL; it = zhashx_next(r->names))
            name_free(it);
        zhashx_destroy(&r->names);
    }
    if (r->prog_binds != NULL) {
        for (it = zlistx_first(r->prog_binds); it != NULL; it = zlistx_next(r->prog_binds))
            prog_bind_free(it);
        zlistx_destroy(&r->prog_binds);
    }
    if (r->proc_binds != NULL) {
        for (it = zlistx_first(r->proc_binds); it != NULL; it = zlistx_next(r->proc_binds))
            proc_bind_free(it);
        zlistx_destroy(&r->proc_binds);
    }
    if (r->procs != NULL) {
        for (it = zhashx_first(r->procs); it != NULL; it = zhashx_next(r->procs))
            free(it);
        zhashx_destroy(&r->procs);
    }
    if (r->flows != NULL) {
        for (it = zhashx_first(r->flows); it != NULL; it = zhashx_next(r->flows))
            flow_free(it);
        zhashx_destroy(&r->flows);
    }
    if (r->ipcps != NULL) {
        for (it = zlistx_first(r->ipcps); it != NULL; it = zlistx_next(r->ipcps))
            ipcp_free(it);
        zlistx_destroy(&r->ipcps);
    }
    if (r->accepts != NULL) {
        for (it = zlistx_first(r->accepts); it != NULL; it = zlistx_next(r->accepts))
            free(it);
        zlistx_destroy(&r->accepts);
    }
    if (r->allocs != NULL) {
        for (it = zlistx_first(r->allocs); it != NULL; it = zlistx_next(r->allocs))
            alloc_free(it);
        zlistx_destroy(&r->allocs);
    }
}

/* ---- names ------------------------------------------------------------ */

struct reg_name *reg_name_get(struct reg *r, const char *name)
{
    return zhashx_lookup(r->names, name);
}

struct reg_name *reg_name_add(struct reg *r, const char *name, enum pol_balance lb)
{
    struct reg_name *n = reg_name_get(r, name);

    if (n != NULL) {
        if (lb != LB_INVALID)
            n->lb = lb;
        return n;
    }
    n = calloc(1, sizeof(*n));
    if (n == NULL || (n->name = strdup(name)) == NULL) {
        free(n);
        return NULL;
    }
    n->lb = lb == LB_INVALID ? LB_RR : lb;
    zhashx_insert(r->names, name, n);
    return n;
}

int reg_name_del(struct reg *r, const char *name)
{
    struct reg_name *n = reg_name_get(r, name);

    if (n == NULL)
        return -ENAME;
    zhashx_delete(r->names, name);
    name_free(n);
    return 0;
}

/* ---- bindings ------------------------------------------------------------- */

int reg_prog_bind(struct reg *r, const char *name, const char *path, bool auto_start, int argc,
                  char **argv)
{
    struct reg_prog_bind *b;
    char *tmp;

    reg_prog_unbind(r, path, name); /* a new binding replaces the old one */
    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return -ENOMEM;
    b->name = strdup(name);
    b->path = strdup(path);
    tmp = strdup(path);
    b->base = tmp ? strdup(basename(tmp)) : NULL;
    free(tmp);
    b->auto_start = auto_start;
    b->argv = calloc((size_t)argc + 2, sizeof(char *));
    if (!b->name || !b->path || !b->base || !b->argv)
        goto fail;
    b->argv[0] = strdup(path);
    for (int i = 0; i < argc; i++)
        if ((b->argv[i + 1] = strdup(argv[i])) == NULL)
            goto fail;
    b->argc = argc + 1;
    if (b->argv[0] == NULL)
        goto fail;
    zlistx_add_end(r->prog_binds, b);
    return 0;
fail:
    b->argc = b->argv ? argc + 1 : 0;
    prog_bind_free(b);
    return -ENOMEM;
}

int reg_prog_unbind(struct reg *r, const char *path, const char *name)
{
    struct reg_prog_bind *b;
    int n = 0;

    /* Deleting at the cursor steps it back: the loop goes on correctly. */
    for (b = zlistx_first(r->prog_binds); b != NULL; b = zlistx_next(r->prog_binds)) {
        if (strcmp(b->path, path) == 0 && (name == NULL || strcmp(b->name, name) == 0)) {
            zlistx_delete(r->prog_binds, zlistx_cursor(r->prog_binds));
            prog_bind_free(b);
            n++;
        }
    }
    return n;
}

int reg_proc_bind(struct reg *r, const char *name, pid_t pid)
{
    struct reg_proc_bind *b;

    for (b = zlistx_first(r->proc_binds); b != NULL; b = zlistx_next(r->proc_binds))
        if (b->pid == pid && strcmp(b->name, name) == 0)
            return 0;
    b = calloc(1, sizeof(*b));
    if (b == NULL || (b->name = strdup(name)) == NULL) {
        free(b);
        return -ENOMEM;
    }
    b->pid = pid;
    zlistx_add_end(r->proc_binds, b);
    return 0;
}

int reg_proc_unbind(struct reg *r, pid_t pid, const char *name)
{
    struct reg_proc_bind *b;
    int n = 0;

    for (b = zlistx_first(r->proc_binds); b != NULL; b = zlistx_next(r->proc_binds)) {
        if (b->pid == pid && (name == NULL || strcmp(b->name, name) == 0)) {
            zlistx_delete(r->proc_binds, zlistx_cursor(r->proc_binds));
            proc_bind_free(b);
            n++;
        }
    }
    return n;
}

bool reg_serves(struct reg *r, const struct reg_proc *p, const char *name)
{
    struct reg_proc_bind *b;
    struct reg_prog_bind *g;

    for (b = zlistx_first(r->proc_binds); b != NULL; b = zlistx_next(r->proc_binds))
        if (b->pid == p->pid && strcmp(b->name, name) == 0)
            return true;
    for (g = zlistx_first(r->prog_binds); g != NULL; g = zlistx_next(r->prog_binds))
        if (strcmp(g->base, p->prog) == 0 && strcmp(g->name, name) == 0)
            return true;
    return false;
}

bool reg_name_bound(struct reg *r, const char *name)
{
    struct reg_proc_bind *b;
    struct reg_prog_bind *g;

    for (b = zlistx_first(r->proc_binds); b != NULL; b = zlistx_next(r->proc_binds))
        if (strcmp(b->name, name) == 0)
            return true;
    for (g = zlistx_first(r->prog_binds); g != NULL; g = zlistx_next(r->prog_binds))
        if (strcmp(g->name, name) == 0)
            return true;
    return false;
}

struct reg_prog_bind *reg_name_auto_prog(struct reg *r, const char *name)
{
    struct reg_prog_bind *g;

    for (g = zlistx_first(r->prog_binds); g != NULL; g = zlistx_next(r->prog_binds))
        if (g->auto_start && strcmp(g->name, name) == 0)
            return g;
    return NULL;
}

/* ---- processes ----------------------------------------------------------- */

struct reg_proc *reg_proc_get(struct reg *r, pid_t pid)
{
    return pid > 0 ? zhashx_lookup(r->procs, reg_int_key((uint32_t)pid)) : NULL;
}

struct reg_proc *reg_proc_add(struct reg *r, pid_t pid, const char *prog)
{
    struct reg_proc *p = reg_proc_get(r, pid);

    if (p == NULL) {
        p = calloc(1, sizeof(*p));
        if (p == NULL)
            return NULL;
        p->pid = pid;
        p->pidfd = -1;
        zhashx_insert(r->procs, reg_int_key((uint32_t)pid), p);
    }
    snprintf(p->prog, sizeof(p->prog), "%s", prog);
    return p;
}

void reg_proc_del(struct reg *r, pid_t pid)
{
    struct reg_proc *p = reg_proc_get(r, pid);

    if (p == NULL)
        return;
    zhashx_delete(r->procs, reg_int_key((uint32_t)pid));
    free(p);
}

/* ---- flows ------------------------------------------------------------------- */

struct reg_flow *reg_flow_get(struct reg *r, uint32_t id)
{
    return id != 0 ? zhashx_lookup(r->flows, reg_int_key(id)) : NULL;
}

struct reg_flow *reg_flow_insert(struct reg *r, uint32_t id, const char *name, pid_t pid0,
                                 pid_t pid1)
{
    struct reg_flow *f;

    if (id == 0 || id > FLOW_ID_MAX || reg_flow_get(r, id) != NULL)
        return NULL;
    f = calloc(1, sizeof(*f));
    if (f == NULL || (f->name = strdup(name)) == NULL) {
        free(f);
        return NULL;
    }
    f->id = id;
    f->state = FLOW_ALLOCATED;
    f->end[0] = (struct reg_flow_end){.pid = pid0, .open = true};
    f->end[1] = (struct reg_flow_end){.pid = pid1, .open = true};
    zhashx_insert(r->flows, reg_int_key(id), f);
    return f;
}

struct reg_flow *reg_flow_new(struct reg *r, const char *name, pid_t pid0, pid_t pid1)
{
    uint32_t id = 0;

    /* Ids count up and wrap, skipping ones in use, so a stale id seen by a
     * slow process is unlikely to name a new flow. */
    for (uint32_t tries = 0; tries < FLOW_ID_MAX; tries++) {
        uint32_t c = r->next_flow_id;
        r->next_flow_id = c >= FLOW_ID_MAX ? 1 : c + 1;
        if (reg_flow_get(r, c) == NULL) {
            id = c;
            break;
        }
    }
    if (id == 0)
        return NULL;
    return reg_flow_insert(r, id, name, pid0, pid1);
}

void reg_flow_del(struct reg *r, uint32_t id)
{
    struct reg_flow *f = reg_flow_get(r, id);

    if (f == NULL)
        return;
    zhashx_delete(r->flows, reg_int_key(id));
    flow_free(f);
}

/* ---- IPCPs --------------------------------------------------------------------- */

struct reg_ipcp *reg_ipcp_get(struct reg *r, pid_t pid)
{
    struct reg_ipcp *i;

    if (pid <= 0)
        return NULL;
    for (i = zlistx_first(r->ipcps); i != NULL; i = zlistx_next(r->ipcps))
        if (i->pid == pid)
            return i;
    return NULL;
}

struct reg_ipcp *reg_ipcp_by_name(struct reg *r, const char *name)
{
    struct reg_ipcp *i;

    for (i = zlistx_first(r->ipcps); i != NULL; i = zlistx_next(r->ipcps))
        if (strcmp(i->name, name) == 0)
            return i;
    return NULL;
}

struct reg_ipcp *reg_ipcp_add(struct reg *r, pid_t pid, const char *name, enum ipcp_type type)
{
    struct reg_ipcp *i = reg_ipcp_get(r, pid);

    if (i == NULL) {
        i = calloc(1, sizeof(*i));
        if (i == NULL || (i->regs = zlistx_new()) == NULL) {
            free(i);
            return NULL;
        }
        i->pid = pid;
        zlistx_add_end(r->ipcps, i);
    }
    free(i->name);
    i->name = strdup(name);
    i->type = type;
    return i->name ? i : NULL;
}

void reg_ipcp_remove(struct reg *r, struct reg_ipcp *i)
{
    void *h = zlistx_find(r->ipcps, i);

    if (h != NULL)
        zlistx_delete(r->ipcps, h);
    ipcp_free(i);
}

void reg_ipcp_del(struct reg *r, pid_t pid)
{
    struct reg_ipcp *i = reg_ipcp_get(r, pid);

    if (i != NULL)
        reg_ipcp_remove(r, i);
}

bool reg_ipcp_has_name(struct reg_ipcp *i, const char *name)
{
    for (char *n = zlistx_first(i->regs); n != NULL; n = zlistx_next(i->regs))
        if (strcmp(n, name) == 0)
            return true;
    return false;
}

int reg_ipcp_add_name(struct reg_ipcp *i, const char *name)
{
    char *n;

    if (reg_ipcp_has_name(i, name))
        return 0;
    if (zlistx_size(i->regs) >= REG_IPCP_NAMES)
        return -ENOSPC;
    n = strdup(name);
    if (n == NULL)
        return -ENOMEM;
    zlistx_add_end(i->regs, n);
    return 0;
}

int reg_ipcp_del_name(struct reg_ipcp *i, const char *name)
{
    for (char *n = zlistx_first(i->regs); n != NULL; n = zlistx_next(i->regs)) {
        if (strcmp(n, name) == 0) {
            zlistx_delete(i->regs, zlistx_cursor(i->regs));
            free(n);
            return 0;
        }
    }
    return -ENOENT;
}

/* ---- waiting allocations and accepts ----------------------------------------------- */

struct reg_accept *reg_accept_add(struct reg *r, pid_t pid, uint64_t ticket, uint64_t deadline)
{
    struct reg_accept *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->pid = pid;
    a->ticket = ticket;
    a->since = now_ns();
    a->deadline = deadline;
    zlistx_add_end(r->accepts, a);
    return a;
}

struct reg_alloc *reg_alloc_add(struct reg *r, pid_t pid, uint64_t ticket, const char *name,
                                const irm_qos_t *qos, uint64_t deadline)
{
    struct reg_alloc *a = calloc(1, sizeof(*a));

    if (a == NULL || (a->name = strdup(name)) == NULL) {
        free(a);
        return NULL;
    }
    a->pid = pid;
    a->ticket = ticket;
    a->qos = *qos;
    a->since = now_ns();
    a->deadline = deadline;
    zlistx_add_end(r->allocs, a);
    return a;
}

struct reg_accept *reg_accept_pick(struct reg *r, const char *name)
{
    struct reg_name *n = reg_name_get(r, name);
    struct reg_accept *a, *pick = NULL;

    for (a = zlistx_first(r->accepts); a != NULL; a = zlistx_next(r->accepts)) {
        struct reg_proc *p = reg_proc_get(r, a->pid);
        if (p == NULL || !reg_serves(r, p, name))
            continue;
        /* Round-robin: the accept waiting longest gets the flow. Spill-over:
         * the latest, so one process takes flows until it is busy and only
         * then do they spill over to the others. */
        if (pick == NULL || (n != NULL && n->lb == LB_SPILL && a->since >= pick->since))
            pick = a;
    }
    return pick;
}

void reg_accept_remove(struct reg *r, struct reg_accept *a)
{
    void *h = zlistx_find(r->accepts, a);

    if (h != NULL)
        zlistx_delete(r->accepts, h);
    free(a);
}

void reg_alloc_remove(struct reg *r, struct reg_alloc *a)
{
    void *h = zlistx_find(r->allocs, a);

    if (h != NULL)
        zlistx_delete(r->allocs, h);
    alloc_free(a);
}
