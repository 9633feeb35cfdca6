/*
 * methods_admin.c - the IRM daemon's bus methods for names and bindings:
 * what the irm command asks for (IPCPs: methods_ipcp.c).
 */
#include "irmd.h"

#include "bus_server.h"
#include "log.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int methods_admin_register(struct irmd *d);

static bool name_ok(const char *name)
{
    return name[0] != '\0' && strlen(name) <= NAME_SIZE;
}

/* ---- names ---- */

static int on_name_create(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_name_info_t m = IRM_NAME_INFO_INIT_ZERO;
    struct reg_name *n;

    (void)rep;
    if (bus_request_decode(req, IRM_NAME_INFO_FIELDS, &m) < 0 || !name_ok(m.name))
        return -EINVAL;
    n = reg_name_add(&d->reg, m.name, m.lb == IRM_LB_SPILL ? LB_SPILL : LB_RR);
    if (n == NULL)
        return -ENOMEM;
    persist_name(d, n, true);
    log_info("name %s created (%s)", n->name, n->lb == LB_SPILL ? "spill-over" : "round-robin");
    return 0;
}

static int on_name_destroy(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_name_t m = IRM_NAME_INIT_ZERO;
    struct reg_name *n;

    (void)rep;
    if (bus_request_decode(req, IRM_NAME_FIELDS, &m) < 0 || !name_ok(m.name))
        return -EINVAL;
    n = reg_name_get(&d->reg, m.name);
    if (n == NULL)
        return -ENAME;
    persist_name(d, n, false);
    reg_name_del(&d->reg, m.name);
    log_info("name %s destroyed", m.name);
    return 0;
}

static int on_name_list(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_list_page_t page = IRM_LIST_PAGE_INIT_ZERO;
    irm_name_list_t *out = calloc(1, sizeof(*out));
    struct reg_name *n;
    uint32_t i = 0;
    int err;

    if (out == NULL)
        return -ENOMEM;
    bus_request_decode(req, IRM_LIST_PAGE_FIELDS, &page);
    for (n = zhashx_first(d->reg.names); n != NULL; n = zhashx_next(d->reg.names), i++) {
        if (i < page.offset || out->names_count >= 96)
            continue;
        snprintf(out->names[out->names_count].name, sizeof(out->names[0].name), "%s", n->name);
        out->names[out->names_count++].lb = n->lb == LB_SPILL ? IRM_LB_SPILL : IRM_LB_RR;
    }
    out->total = i;
    err = bus_reply_encode(rep, IRM_NAME_LIST_FIELDS, out);
    free(out);
    return err;
}

/* ---- bindings ---- */

static int on_bind_program(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_bind_program_t *m = calloc(1, sizeof(*m));
    char *argv[16];
    struct reg_name *n;
    struct stat st;
    int err;

    (void)rep;
    if (m == NULL)
        return -ENOMEM;
    err = -EINVAL;
    if (bus_request_decode(req, IRM_BIND_PROGRAM_FIELDS, m) < 0 || !name_ok(m->name) ||
        m->prog[0] != '/')
        goto out;
    err = -ENOENT;
    if (stat(m->prog, &st) < 0 || !S_ISREG(st.st_mode))
        goto out;
    n = reg_name_add(&d->reg, m->name, LB_INVALID);
    for (pb_size_t i = 0; i < m->args_count; i++)
        argv[i] = m->args[i];
    err = n == NULL ? -ENOMEM
                    : reg_prog_bind(&d->reg, m->name, m->prog, m->auto_start,
                                    (int)m->args_count, argv);
    if (err == 0) {
        persist_name(d, n, true);
        persist_binds(d);
        log_info("program %s bound to %s%s", m->prog, m->name, m->auto_start ? " (auto)" : "");
        broker_match(d);
    }
out:
    free(m);
    return err;
}

static int on_unbind_program(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_bind_program_t *m = calloc(1, sizeof(*m));
    int n = -EINVAL;

    (void)rep;
    if (m == NULL)
        return -ENOMEM;
    if (bus_request_decode(req, IRM_BIND_PROGRAM_FIELDS, m) == 0 && m->prog[0] != '\0') {
        n = reg_prog_unbind(&d->reg, m->prog, m->name[0] ? m->name : NULL);
        if (n > 0) {
            persist_binds(d);
            log_info("program %s unbound from %s", m->prog, m->name[0] ? m->name : "all names");
        }
        n = n > 0 ? 0 : -ENOENT;
    }
    free(m);
    return n;
}

static int on_bind_process(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_bind_process_t m = IRM_BIND_PROCESS_INIT_ZERO;
    struct reg_name *n;
    int err;

    (void)rep;
    if (bus_request_decode(req, IRM_BIND_PROCESS_FIELDS, &m) < 0 || m.pid <= 0 ||
        !name_ok(m.name))
        return -EINVAL;
    if (kill(m.pid, 0) < 0 && errno == ESRCH)
        return -ESRCH;
    n = reg_name_add(&d->reg, m.name, LB_INVALID);
    if (n == NULL)
        return -ENOMEM;
    err = reg_proc_bind(&d->reg, m.name, m.pid);
    if (err < 0)
        return err;
    persist_name(d, n, true);
    persist_binds(d);
    log_info("process %d bound to %s", (int)m.pid, m.name);
    broker_match(d);
    return 0;
}

static int on_unbind_process(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_bind_process_t m = IRM_BIND_PROCESS_INIT_ZERO;
    int n;

    (void)rep;
    if (bus_request_decode(req, IRM_BIND_PROCESS_FIELDS, &m) < 0 || m.pid <= 0)
        return -EINVAL;
    n = reg_proc_unbind(&d->reg, m.pid, m.name[0] ? m.name : NULL);
    if (n == 0)
        return -ENOENT;
    persist_binds(d);
    log_info("process %d unbound from %s", (int)m.pid, m.name[0] ? m.name : "all names");
    return 0;
}

static int on_bind_list(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_list_page_t page = IRM_LIST_PAGE_INIT_ZERO;
    irm_bind_list_t *out = calloc(1, sizeof(*out));
    struct reg_prog_bind *g;
    struct reg_proc_bind *b;
    uint32_t i = 0;
    int err;

    if (out == NULL)
        return -ENOMEM;
    bus_request_decode(req, IRM_LIST_PAGE_FIELDS, &page);
    for (g = zlistx_first(d->reg.prog_binds); g != NULL;
         g = zlistx_next(d->reg.prog_binds), i++) {
        irm_bind_entry_t *e;
        if (i < page.offset || out->binds_count >= 8)
            continue;
        e = &out->binds[out->binds_count++];
        snprintf(e->name, sizeof(e->name), "%s", g->name);
        snprintf(e->prog, sizeof(e->prog), "%s", g->path);
        e->auto_start = g->auto_start;
        for (int a = 1; a < g->argc && e->args_count < 16; a++)
            snprintf(e->args[e->args_count++], sizeof(e->args[0]), "%s", g->argv[a]);
    }
    for (b = zlistx_first(d->reg.proc_binds); b != NULL;
         b = zlistx_next(d->reg.proc_binds), i++) {
        irm_bind_entry_t *e;
        if (i < page.offset || out->binds_count >= 8)
            continue;
        e = &out->binds[out->binds_count++];
        snprintf(e->name, sizeof(e->name), "%s", b->name);
        e->pid = b->pid;
    }
    out->total = i;
    err = bus_reply_encode(rep, IRM_BIND_LIST_FIELDS, out);
    free(out);
    return err;
}

int methods_admin_register(struct irmd *d)
{
    static const struct {
        uint32_t method;
        bus_handler_fn fn;
    } table[] = {
        {IRM_METHOD_NAME_CREATE, on_name_create},
        {IRM_METHOD_NAME_DESTROY, on_name_destroy},
        {IRM_METHOD_NAME_LIST, on_name_list},
        {IRM_METHOD_BIND_PROGRAM, on_bind_program},
        {IRM_METHOD_UNBIND_PROGRAM, on_unbind_program},
        {IRM_METHOD_BIND_PROCESS, on_bind_process},
        {IRM_METHOD_UNBIND_PROCESS, on_unbind_process},
        {IRM_METHOD_BIND_LIST, on_bind_list},
    };
    struct bus_server *s = service_bus(d->svc);

    /* Each of these states its outcome ("bind X to Y"): running it twice
     * leaves the same registry. */
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        int err =
            bus_server_add_method(s, table[i].method, BUS_METHOD_IDEMPOTENT, table[i].fn, d);
        if (err < 0)
            return err;
    }
    return 0;
}
