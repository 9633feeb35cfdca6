/*
 * methods_ipcp.c - the IRM daemon's bus methods for IPCPs: what the irm
 * command asks of them (create, destroy, list, bootstrap, enroll, connect,
 * names), and what IPCP daemons tell it (announce, flows their layer brings
 * or answers, flows their layer lost).
 */
#include "irmd.h"

#include "bus_server.h"
#include "ipcp.pb.h"
#include "ipcp_config_msg.h"
#include "log.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <stdlib.h>
#include <string.h>

int methods_ipcp_register(struct irmd *d);
uint64_t wait_deadline(const struct bus_request *req, uint32_t timeout_ms, uint32_t cap_ms);

static bool name_ok(const char *name)
{
    return name[0] != '\0' && strlen(name) <= NAME_SIZE;
}

/* The IPCP a request names by pid: its process, or the last one while it
 * is down (irm ipcp list shows that one). */
static struct reg_ipcp *ipcp_of(struct irmd *d, pid_t pid)
{
    struct reg_ipcp *i;

    if (pid <= 0)
        return NULL;
    for (i = zlistx_first(d->reg.ipcps); i != NULL; i = zlistx_next(d->reg.ipcps))
        if (i->pid == pid || (i->pid == 0 && i->last_pid == pid))
            return i;
    return NULL;
}

/* ---- what the irm command asks ---- */

static int on_ipcp_create(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_ipcp_create_t m = IRM_IPCP_CREATE_INIT_ZERO;

    if (bus_request_decode(req, IRM_IPCP_CREATE_FIELDS, &m) < 0 || !name_ok(m.name) ||
        m.type > IRM_IPCP_TYPE_UDP6)
        return -EINVAL;
    return ipcps_create(d, m.name, (enum ipcp_type)m.type, rep);
}

static int on_ipcp_destroy(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_ipcp_ref_t m = IRM_IPCP_REF_INIT_ZERO;
    struct reg_ipcp *i;

    (void)rep;
    if (bus_request_decode(req, IRM_IPCP_REF_FIELDS, &m) < 0 || m.pid <= 0)
        return -EINVAL;
    i = ipcp_of(d, m.pid);
    if (i == NULL)
        return -EIPCP;
    return ipcps_destroy(d, i);
}

static int on_ipcp_list(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_list_page_t page = IRM_LIST_PAGE_INIT_ZERO;
    irm_ipcp_list_t *out = calloc(1, sizeof(*out));
    struct reg_ipcp *i;
    uint32_t k = 0;
    int err;

    if (out == NULL)
        return -ENOMEM;
    bus_request_decode(req, IRM_LIST_PAGE_FIELDS, &page);
    for (i = zlistx_first(d->reg.ipcps); i != NULL; i = zlistx_next(d->reg.ipcps), k++) {
        irm_ipcp_info_t *e;
        if (k < page.offset || out->ipcps_count >= 32)
            continue;
        e = &out->ipcps[out->ipcps_count++];
        e->pid = i->pid > 0 ? i->pid : i->last_pid;
        snprintf(e->name, sizeof(e->name), "%s", i->name);
        e->type = (irm_ipcp_type_t)i->type;
        snprintf(e->layer, sizeof(e->layer), "%s", i->layer ? i->layer : "");
        e->state = (uint32_t)i->state;
        snprintf(e->endpoint, sizeof(e->endpoint), "%s", i->endpoint ? i->endpoint : "");
        e->max_sdu = i->max_sdu;
    }
    out->total = k;
    err = bus_reply_encode(rep, IRM_IPCP_LIST_FIELDS, out);
    free(out);
    return err;
}

static int on_ipcp_bootstrap(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_ipcp_bootstrap_t *m = calloc(1, sizeof(*m));
    struct ipcp_config conf;
    struct reg_ipcp *i;
    int err = -EINVAL;

    if (m == NULL)
        return -ENOMEM;
    /* A config that does not hold together never reaches the IPCP. */
    if (bus_request_decode(req, IRM_IPCP_BOOTSTRAP_FIELDS, m) < 0 || !m->has_conf ||
        !name_ok(m->conf.layer) || ipcp_config_from_msg(&m->conf, &conf) < 0)
        goto out;
    err = -EIPCP;
    i = ipcp_of(d, m->pid);
    if (i == NULL)
        goto out;
    err = -EIPCPTYPE;
    if ((enum ipcp_type)m->conf.type != i->type) {
        log_warn("IPCP %s is of another type than its bootstrap config", i->name);
        goto out;
    }
    err = -EIPCPSTATE;
    if (i->bootstrapped || i->pid <= 0)
        goto out;
    err = ipcps_bootstrap(d, i, &m->conf, rep);
out:
    free(m);
    return err;
}

static int on_ipcp_enroll(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_ipcp_enroll_t m = IRM_IPCP_ENROLL_INIT_ZERO;
    ipcp_enroll_t fwd = IPCP_ENROLL_INIT_ZERO;
    struct reg_ipcp *i;

    if (bus_request_decode(req, IRM_IPCP_ENROLL_FIELDS, &m) < 0 || !name_ok(m.dst))
        return -EINVAL;
    i = ipcp_of(d, m.pid);
    if (i == NULL)
        return -EIPCP;
    snprintf(fwd.dst, sizeof(fwd.dst), "%s", m.dst);
    return ipcps_forward(d, i, IPCP_METHOD_ENROLL, IPCP_ENROLL_FIELDS, &fwd, rep);
}

static int on_ipcp_connect(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_ipcp_connect_t m = IRM_IPCP_CONNECT_INIT_ZERO;
    struct reg_ipcp *i;

    if (bus_request_decode(req, IRM_IPCP_CONNECT_FIELDS, &m) < 0 || !name_ok(m.dst))
        return -EINVAL;
    i = ipcp_of(d, m.pid);
    if (i == NULL)
        return -EIPCP;
    return ipcps_forward(d, i,
                         req->method == IRM_METHOD_IPCP_CONNECT ? IPCP_METHOD_CONNECT
                                                                : IPCP_METHOD_DISCONNECT,
                         IRM_IPCP_CONNECT_FIELDS, &m, rep);
}

static int on_name_reg(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_name_reg_t m = IRM_NAME_REG_INIT_ZERO;
    struct reg_ipcp *i;

    if (bus_request_decode(req, IRM_NAME_REG_FIELDS, &m) < 0 || !name_ok(m.name))
        return -EINVAL;
    i = ipcp_of(d, m.ipcp_pid);
    if (i == NULL)
        return -EIPCP;
    return ipcps_reg_name(d, i, m.name, req->method == IRM_METHOD_NAME_REG, rep);
}

/* ---- what IPCP daemons tell ---- */

static int on_ipcp_announce(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_ipcp_info_t m = IRM_IPCP_INFO_INIT_ZERO;
    irm_ipcp_resume_t *r;
    int err;

    if (bus_request_decode(req, IRM_IPCP_INFO_FIELDS, &m) < 0 || m.pid <= 0 ||
        !name_ok(m.name) || m.type > IRM_IPCP_TYPE_UDP6 || m.state > IPCP_STATE_DOWN)
        return -EINVAL;
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return -ENOMEM;
    err = ipcps_announce(d, &m, r);
    if (err == 0)
        err = bus_reply_encode(rep, IRM_IPCP_RESUME_FIELDS, r);
    free(r);
    return err;
}

/* The IPCP of pid, when it is up. */
static struct reg_ipcp *ipcp_up(struct irmd *d, pid_t pid)
{
    return pid > 0 ? reg_ipcp_get(&d->reg, pid) : NULL;
}

static int on_flow_req_arr(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_flow_req_arr_t m = IRM_FLOW_REQ_ARR_INIT_ZERO;
    irm_flow_info_t info = IRM_FLOW_INFO_INIT_ZERO;
    struct alloc_req q;
    struct reg_ipcp *i;
    const char *name;
    int r;

    if (bus_request_decode(req, IRM_FLOW_REQ_ARR_FIELDS, &m) < 0 || m.hash.size == 0)
        return -EINVAL;
    i = ipcp_up(d, m.pid);
    if (i == NULL)
        return -EIPCP;
    name = ipcps_name_of(i, m.hash.bytes, m.hash.size);
    if (name == NULL) {
        log_dbg("IPCP %s: a flow request for a name not registered in it", i->name);
        return -ENAME;
    }
    q = (struct alloc_req){.pid = m.pid,
                           .name = name,
                           .qos = &m.qos,
                           .deadline = wait_deadline(req, m.timeout_ms, IRMD_ALLOC_CAP_MS),
                           .by_ipcp = true,
                           .mpl_ms = m.mpl_ms,
                           .blob = m.blob.bytes,
                           .blob_len = m.blob.size,
                           .hash = m.hash.bytes,
                           .hash_len = m.hash.size};
    r = broker_alloc(d, &q, rep, &info);
    if (r != 0)
        return r;
    return bus_reply_encode(rep, IRM_FLOW_INFO_FIELDS, &info);
}

/* The flow f and the end IPCP pid holds in it, or -1. */
static int ipcp_end(const struct reg_flow *f, pid_t pid)
{
    for (int e = 0; f != NULL && e < 2; e++)
        if (f->end[e].ipcp && f->end[e].pid == pid)
            return e;
    return -1;
}

static int on_flow_alloc_reply(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_flow_alloc_reply_t m = IRM_FLOW_ALLOC_REPLY_INIT_ZERO;
    struct reg_flow *f;

    (void)rep;
    if (bus_request_decode(req, IRM_FLOW_ALLOC_REPLY_FIELDS, &m) < 0 || m.response > 0)
        return -EINVAL;
    f = reg_flow_get(&d->reg, m.flow_id);
    if (f == NULL || f->state != FLOW_PENDING || ipcp_end(f, m.pid) != 1)
        return -ENOTALLOC; /* given up meanwhile: the IPCP lets go of it */
    if (m.response < 0 && f->name != NULL)
        ipcps_alloc_failed(f->name); /* ask the layers again next time */
    broker_pending_done(d, f, m.response, m.mpl_ms, m.blob.bytes, m.blob.size);
    return 0;
}

static int on_flow_blob(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_flow_blob_t m = IRM_FLOW_BLOB_INIT_ZERO;
    struct reg_flow *f;

    (void)rep;
    if (bus_request_decode(req, IRM_FLOW_BLOB_FIELDS, &m) < 0)
        return -EINVAL;
    f = reg_flow_get(&d->reg, m.flow_id);
    if (ipcp_end(f, m.pid) < 0)
        return -ENOTALLOC;
    memcpy(f->blob, m.blob.bytes, m.blob.size);
    f->blob_len = m.blob.size;
    if (f->state != FLOW_PENDING)
        persist_flow(d, f, true);
    return 0;
}

static int on_flow_close(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct irmd *d = arg;
    irm_flow_dealloc_t m = IRM_FLOW_DEALLOC_INIT_ZERO;
    struct reg_flow *f;
    int e;

    (void)rep;
    if (bus_request_decode(req, IRM_FLOW_DEALLOC_FIELDS, &m) < 0 || m.pid <= 0)
        return -EINVAL;
    f = reg_flow_get(&d->reg, m.flow_id);
    if (f == NULL)
        return 0; /* already gone */
    e = ipcp_end(f, m.pid);
    if (e < 0)
        return -EPERM;
    if (f->end[e].open)
        log_dbg("flow %u: IPCP %d closed its end", f->id, (int)m.pid);
    return broker_close_end(d, f, e, false);
}

int methods_ipcp_register(struct irmd *d)
{
    static const struct {
        uint32_t method;
        enum bus_method_kind kind;
        bus_handler_fn fn;
    } table[] = {
        /* A retried create must not start a second daemon. */
        {IRM_METHOD_IPCP_CREATE, BUS_METHOD_DEDUP, on_ipcp_create},
        {IRM_METHOD_IPCP_DESTROY, BUS_METHOD_IDEMPOTENT, on_ipcp_destroy},
        {IRM_METHOD_IPCP_LIST, BUS_METHOD_IDEMPOTENT, on_ipcp_list},
        {IRM_METHOD_IPCP_BOOTSTRAP, BUS_METHOD_DEDUP, on_ipcp_bootstrap},
        {IRM_METHOD_IPCP_ENROLL, BUS_METHOD_DEDUP, on_ipcp_enroll},
        {IRM_METHOD_IPCP_CONNECT, BUS_METHOD_DEDUP, on_ipcp_connect},
        {IRM_METHOD_IPCP_DISCONNECT, BUS_METHOD_DEDUP, on_ipcp_connect},
        {IRM_METHOD_NAME_REG, BUS_METHOD_DEDUP, on_name_reg},
        {IRM_METHOD_NAME_UNREG, BUS_METHOD_DEDUP, on_name_reg},
        {IRM_METHOD_IPCP_ANNOUNCE, BUS_METHOD_IDEMPOTENT, on_ipcp_announce},
        /* A retried request must not make a second flow, a retried
         * answer must find the one it answered. */
        {IRM_METHOD_IPCP_FLOW_REQ_ARR, BUS_METHOD_DEDUP, on_flow_req_arr},
        {IRM_METHOD_IPCP_FLOW_ALLOC_REPLY, BUS_METHOD_DEDUP, on_flow_alloc_reply},
        {IRM_METHOD_IPCP_FLOW_BLOB, BUS_METHOD_IDEMPOTENT, on_flow_blob},
        {IRM_METHOD_IPCP_FLOW_CLOSE, BUS_METHOD_IDEMPOTENT, on_flow_close},
    };
    struct bus_server *s = service_bus(d->svc);

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        int err = bus_server_add_method(s, table[i].method, table[i].kind, table[i].fn, d);
        if (err < 0)
            return err;
    }
    return 0;
}
