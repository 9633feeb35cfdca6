/*
 * methods.c - the IRM daemon's bus methods for processes and flows:
 * decode the request, act through the registry and the broker, encode the
 * reply. Names, bindings and IPCPs are in methods_admin.c.
 */
#include "irmd.h"

#include "bus_server.h"
#include "deadline.h"
#include "log.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <string.h>

int methods_admin_register(struct irmd *d);
int methods_ipcp_register(struct irmd *d);
uint64_t wait_deadline(const struct bus_request *req, uint32_t timeout_ms, uint32_t cap_ms);

/* When a waiting request gives up: its own timeout (0: the cap, or none),
 * and never after the client stops waiting for the reply. */
uint64_t wait_deadline(const struct bus_request *req, uint32_t timeout_ms, uint32_t cap_ms)
{
    uint64_t d = DEADLINE_NONE;

    if (timeout_ms != 0)
        d = now_ns() + (uint64_t)timeout_ms * 1000000ull;
    else if (cap_ms != 0)
        d = now_ns() + (uint64_t)cap_ms * 1000000ull;
    if (req->deadline < d)
        d = req->deadline;
    return d;
}

/* ---- processes ---- */

static int on_proc_announce(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_proc_announce_t m = IRM_PROC_ANNOUNCE_INIT_ZERO;
    irm_proc_info_t out = IRM_PROC_INFO_INIT_ZERO;
    struct reg_proc *p;
    struct reg_flow *f;
    uint32_t stale[64];
    int nstale = 0;
    int err;

    if (bus_request_decode(req, IRM_PROC_ANNOUNCE_FIELDS, &m) < 0 || m.pid <= 0)
        return -EINVAL;
    err = procs_announce(d, m.pid, m.prog, &p);
    if (err < 0)
        return err;
    if (m.reannounce)
        log_info("process %d (%s) announced again, holding %u flows", (int)m.pid, m.prog,
                 (unsigned)m.flows_count);
    /* A re-announce lists the flows the process holds: an end an earlier
     * run of ours made and the process does not hold (our crash cut its
     * allocation short) is closed. Flows made by this run may be on their
     * way to the process while it re-announces: they are left alone. */
    if (m.reannounce) {
        for (f = zhashx_first(d->reg.flows); f != NULL && nstale < 64;
             f = zhashx_next(d->reg.flows)) {
            bool held = false;
            for (pb_size_t i = 0; i < m.flows_count; i++)
                held |= m.flows[i] == f->id;
            for (int e = 0; e < 2 && !held && f->restored; e++)
                if (f->end[e].pid == m.pid && f->end[e].open)
                    stale[nstale++] = f->id;
        }
        for (int i = 0; i < nstale; i++) {
            f = reg_flow_get(&d->reg, stale[i]);
            for (int e = 0; f != NULL && e < 2; e++)
                if (f->end[e].pid == m.pid && f->end[e].open) {
                    log_info("flow %u: process %d no longer holds it", f->id, (int)m.pid);
                    broker_close_end(d, f, e, false);
                    f = reg_flow_get(&d->reg, stale[i]);
                }
        }
    }
    snprintf(out.pool, sizeof(out.pool), "%s", d->pool_name);
    snprintf(out.evq, sizeof(out.evq), "%s", procs_evq_name(p, false));
    out.evq_count = p->app ? p->app_evq.count : p->evq.count;
    out.evq_slots = p->app ? p->app_evq.slots : p->evq.slots;
    return bus_reply_encode(rep, IRM_PROC_INFO_FIELDS, &out);
}

static int on_proc_exit(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_proc_exit_t m = IRM_PROC_EXIT_INIT_ZERO;

    (void)rep;
    if (bus_request_decode(req, IRM_PROC_EXIT_FIELDS, &m) < 0 || m.pid <= 0)
        return -EINVAL;
    procs_reap(d, m.pid);
    return 0;
}

static int on_proc_list(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_list_page_t page = IRM_LIST_PAGE_INIT_ZERO;
    irm_proc_list_t *out = calloc(1, sizeof(*out));
    uint32_t i = 0;
    struct reg_proc *p;
    int err;

    if (out == NULL)
        return -ENOMEM;
    bus_request_decode(req, IRM_LIST_PAGE_FIELDS, &page);
    for (p = zhashx_first(d->reg.procs); p != NULL; p = zhashx_next(d->reg.procs), i++) {
        irm_proc_entry_t *e;
        struct reg_flow *f;
        if (i < page.offset || out->procs_count >= 16)
            continue;
        e = &out->procs[out->procs_count++];
        e->pid = p->pid;
        snprintf(e->prog, sizeof(e->prog), "%s", p->prog);
        for (f = zhashx_first(d->reg.flows); f != NULL; f = zhashx_next(d->reg.flows))
            e->flows += (f->end[0].pid == p->pid && f->end[0].open) +
                        (f->end[1].pid == p->pid && f->end[1].open);
        for (struct reg_name *n = zhashx_first(d->reg.names); n != NULL && e->names_count < 4;
             n = zhashx_next(d->reg.names))
            if (reg_serves(&d->reg, p, n->name))
                snprintf(e->names[e->names_count++], sizeof(e->names[0]), "%s", n->name);
    }
    out->total = i;
    err = bus_reply_encode(rep, IRM_PROC_LIST_FIELDS, out);
    free(out);
    return err;
}

/* ---- flows ---- */

static int on_flow_alloc(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_flow_alloc_t m = IRM_FLOW_ALLOC_INIT_ZERO;
    irm_flow_info_t info = IRM_FLOW_INFO_INIT_ZERO;
    struct alloc_req q;
    int r;

    if (bus_request_decode(req, IRM_FLOW_ALLOC_FIELDS, &m) < 0 || m.pid <= 0 ||
        m.name[0] == '\0')
        return -EINVAL;
    q = (struct alloc_req){.pid = m.pid,
                           .name = m.name,
                           .qos = &m.qos,
                           .deadline = wait_deadline(req, m.timeout_ms, IRMD_ALLOC_CAP_MS)};
    r = broker_alloc(d, &q, rep, &info);
    if (r != 0)
        return r;
    return bus_reply_encode(rep, IRM_FLOW_INFO_FIELDS, &info);
}

static int on_flow_accept(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_flow_accept_t m = IRM_FLOW_ACCEPT_INIT_ZERO;
    irm_flow_info_t info = IRM_FLOW_INFO_INIT_ZERO;
    int r;

    if (bus_request_decode(req, IRM_FLOW_ACCEPT_FIELDS, &m) < 0 || m.pid <= 0)
        return -EINVAL;
    r = broker_accept(d, m.pid, wait_deadline(req, m.timeout_ms, 0), rep, &info);
    if (r != 0)
        return r;
    return bus_reply_encode(rep, IRM_FLOW_INFO_FIELDS, &info);
}

static int on_flow_join(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    irm_flow_join_t m = IRM_FLOW_JOIN_INIT_ZERO;

    (void)arg;
    (void)rep;
    if (bus_request_decode(req, IRM_FLOW_JOIN_FIELDS, &m) < 0 || m.layer[0] == '\0')
        return -EINVAL;
    /* Broadcast layers come with the broadcast IPCP. */
    log_info("flow_join by %d: no broadcast layer named '%s'", (int)m.pid, m.layer);
    return -EIPCP;
}

static int on_flow_dealloc(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_flow_dealloc_t m = IRM_FLOW_DEALLOC_INIT_ZERO;
    struct reg_flow *f;

    (void)rep;
    if (bus_request_decode(req, IRM_FLOW_DEALLOC_FIELDS, &m) < 0 || m.pid <= 0)
        return -EINVAL;
    f = reg_flow_get(&d->reg, m.flow_id);
    if (f == NULL)
        return 0; /* already gone: a retry, or torn down by its peer */
    for (int e = 0; e < 2; e++)
        if (f->end[e].pid == m.pid)
            return broker_close_end(d, f, e, false);
    return -EPERM; /* not an end of this flow */
}

static int on_flow_list(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_list_page_t page = IRM_LIST_PAGE_INIT_ZERO;
    irm_flow_list_t *out = calloc(1, sizeof(*out));
    struct reg_flow *f;
    uint32_t i = 0;
    int err;

    if (out == NULL)
        return -ENOMEM;
    bus_request_decode(req, IRM_LIST_PAGE_FIELDS, &page);
    for (f = zhashx_first(d->reg.flows); f != NULL; f = zhashx_next(d->reg.flows), i++) {
        irm_flow_entry_t *e;
        if (i < page.offset || out->flows_count >= 96)
            continue;
        e = &out->flows[out->flows_count++];
        e->flow_id = f->id;
        snprintf(e->name, sizeof(e->name), "%s", f->name);
        e->pid_a = f->end[0].pid;
        e->pid_b = f->end[1].pid;
        snprintf(e->state, sizeof(e->state), "%s",
                 f->state == FLOW_ALLOCATED ? "allocated"
                 : f->state == FLOW_PENDING ? "pending"
                                            : "closing");
        e->queued_ab = f->ring[0].ring ? ring_count(f->ring[0].ring) : 0;
        e->queued_ba = f->ring[1].ring ? ring_count(f->ring[1].ring) : 0;
    }
    out->total = i;
    err = bus_reply_encode(rep, IRM_FLOW_LIST_FIELDS, out);
    free(out);
    return err;
}

int methods_register(struct irmd *d)
{
    static const struct {
        uint32_t method;
        enum bus_method_kind kind;
        bus_handler_fn fn;
    } table[] = {
        {IRM_METHOD_PROC_ANNOUNCE, BUS_METHOD_IDEMPOTENT, on_proc_announce},
        {IRM_METHOD_PROC_EXIT, BUS_METHOD_IDEMPOTENT, on_proc_exit},
        {IRM_METHOD_PROC_LIST, BUS_METHOD_IDEMPOTENT, on_proc_list},
        /* A retried alloc or accept must not make a second flow. */
        {IRM_METHOD_FLOW_ALLOC, BUS_METHOD_DEDUP, on_flow_alloc},
        {IRM_METHOD_FLOW_ACCEPT, BUS_METHOD_DEDUP, on_flow_accept},
        {IRM_METHOD_FLOW_JOIN, BUS_METHOD_IDEMPOTENT, on_flow_join},
        {IRM_METHOD_FLOW_DEALLOC, BUS_METHOD_IDEMPOTENT, on_flow_dealloc},
        {IRM_METHOD_FLOW_LIST, BUS_METHOD_IDEMPOTENT, on_flow_list},
    };
    struct bus_server *s = service_bus(d->svc);
    int err;

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        err = bus_server_add_method(s, table[i].method, table[i].kind, table[i].fn, d);
        if (err < 0)
            return err;
    }
    err = methods_admin_register(d);
    return err < 0 ? err : methods_ipcp_register(d);
}
