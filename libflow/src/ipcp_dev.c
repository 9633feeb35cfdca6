/*
 * ipcp_dev.c - an IPCP daemon's life with its IRM daemon: the announce and
 * what it gives back after a restart (config, names, flows), the requests
 * the IRM daemon sends (bootstrap, names, queries, flows) turned into the
 * IPCP's ops, a new announce when the IRM daemon restarts, and the work
 * other threads hand to the main loop.
 */
#include "ipcp_dev_priv.h"

#include "bus_events.h"
#include "deadline.h"
#include "ipcp.pb.h"
#include "ipcp_config_msg.h"
#include "log.h"
#include "pool.h"
#include "proc_self.h"
#include "qos_msg.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <pb_decode.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define IPCP_DEV_CALLERS 4 /* threads for calls to the IRM daemon */

/* ---- the announce ---- */

static int announce(struct ipcp_dev *d, uint32_t flows_offset, irm_ipcp_resume_t *r)
{
    irm_ipcp_info_t m = IRM_IPCP_INFO_INIT_ZERO;
    int err;

    m.pid = d->pid;
    snprintf(m.name, sizeof(m.name), "%s", d->name);
    m.type = (irm_ipcp_type_t)d->type;
    snprintf(m.layer, sizeof(m.layer), "%s", d->layer);
    m.state = (uint32_t)d->state;
    snprintf(m.endpoint, sizeof(m.endpoint), "%s", d->endpoint);
    m.flows_offset = flows_offset;
    m.max_sdu = d->max_sdu;
    memset(r, 0, sizeof(*r));
    err = irmd_call(IRM_METHOD_IPCP_ANNOUNCE, IRM_IPCP_INFO_FIELDS, &m, IRM_IPCP_RESUME_FIELDS,
                    r, IRMD_CALL_TIMEOUT);
    if (err >= 0)
        d->irmd_epoch = irmd_client_epoch();
    return err;
}

int ipcp_dev_set_state(struct ipcp_dev *d, enum ipcp_state state, const char *layer,
                       uint32_t max_sdu)
{
    irm_ipcp_resume_t *r = calloc(1, sizeof(*r));
    int err;

    if (r == NULL)
        return -ENOMEM;
    d->state = state;
    if (layer != NULL)
        snprintf(d->layer, sizeof(d->layer), "%s", layer);
    if (max_sdu != 0)
        d->max_sdu = max_sdu;
    err = announce(d, 0, r);
    free(r);
    if (err < 0)
        log_warn("cannot tell the IRM daemon our state: %s", strerror(err < -999 ? EIO : -err));
    return err;
}

struct pool *ipcp_dev_pool(struct ipcp_dev *d)
{
    return d->pool;
}

struct evq *ipcp_dev_evq(struct ipcp_dev *d)
{
    return evq_set_queue(&d->evq, NP1_QUEUE);
}

/* ---- bootstrap and resume ---- */

static int bootstrap_conf(struct ipcp_dev *d, const struct ipcp_config *conf)
{
    const char *layer = conf->layer_info.name;
    int err;

    if (conf->type != d->type)
        return -EIPCPTYPE;
    err = d->ops->bootstrap != NULL ? d->ops->bootstrap(d->ctx, conf) : 0;
    if (err < 0) {
        log_err("bootstrap in layer %s failed: %s", layer, strerror(err < -999 ? EIO : -err));
        return err;
    }
    d->bootstrapped = true;
    if (d->state != IPCP_STATE_OPERATIONAL || strcmp(d->layer, layer) != 0)
        ipcp_dev_set_state(d, IPCP_STATE_OPERATIONAL, layer, 0);
    log_info("bootstrapped in layer %s", d->layer);
    return 0;
}

static int bootstrap(struct ipcp_dev *d, const irm_ipcp_config_t *m)
{
    struct ipcp_config conf;
    int err;

    err = ipcp_config_from_msg(m, &conf);
    if (err < 0) {
        log_err("a bootstrap config that does not hold together: refused");
        return err;
    }
    return bootstrap_conf(d, &conf);
}

/* A flow the IRM kept for us: take it back. */
static void restore_flow(struct ipcp_dev *d, const irm_ipcp_flow_t *fl)
{
    struct np1 *f;
    int err;

    if (np1_get(d, fl->info.flow_id) != NULL)
        return;
    f = np1_open(d, &fl->info, fl->hash.bytes, fl->hash.size, NP1_OPEN, &err);
    if (f == NULL) {
        irm_flow_dealloc_t m = {.pid = d->pid, .flow_id = fl->info.flow_id};
        np1_irm_call(d, IRM_METHOD_IPCP_FLOW_CLOSE, IRM_FLOW_DEALLOC_FIELDS, &m,
                     IRMD_CALL_TIMEOUT, NULL, NULL);
        return;
    }
    err = d->bootstrapped && d->ops->flow_restore != NULL
              ? d->ops->flow_restore(d->ctx, &f->pub, fl->blob.bytes, fl->blob.size)
              : -ENOTSUP;
    if (err < 0) {
        log_warn("flow %u cannot be restored (%s): it ends", f->pub.id,
                 strerror(err < -999 ? EIO : -err));
        f->pub.peer_closed = true;
        np1_end(d, f, true);
        return;
    }
    /* Its application left while we were away: send what it queued. */
    if ((ring_state(f->rx.ring) & RING_PROD_GONE) ||
        (ring_state(f->tx.ring) & RING_CONS_GONE)) {
        np1_closing(d, f);
        return;
    }
    np1_kick(d, f);
}

/* Is id among the flows the IRM daemon listed? */
static bool listed(const uint32_t *ids, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Take back what the IRM daemon gives: first is our first announce (we
 * may be a restarted IPCP); otherwise the daemon restarted and we hold
 * what we hold: flows it no longer knows end. */
static void resume(struct ipcp_dev *d, irm_ipcp_resume_t *r, bool first)
{
    uint32_t *seen = NULL;
    size_t nseen = 0, cap = 0;
    uint32_t offset = 0, before = d->nflows;
    int err;

    if (first && r->bootstrapped && r->has_conf && !d->bootstrapped) {
        log_info("restarted: bootstrapping again in layer %s", r->conf.layer);
        bootstrap(d, &r->conf);
    }
    for (pb_size_t k = 0; first && d->bootstrapped && k < r->regs_count; k++)
        if (d->ops->reg != NULL && d->ops->reg(d->ctx, r->regs[k].bytes, r->regs[k].size) < 0)
            log_warn("a name registered before the restart could not be registered again");
    for (;;) {
        for (pb_size_t k = 0; k < r->flows_count; k++) {
            if (nseen == cap) {
                uint32_t *n = realloc(seen, (cap ? cap * 2 : 64) * sizeof(*seen));
                if (n == NULL)
                    break;
                seen = n;
                cap = cap ? cap * 2 : 64;
            }
            seen[nseen++] = r->flows[k].info.flow_id;
            if (first)
                restore_flow(d, &r->flows[k]);
        }
        offset += r->flows_count;
        if (r->flows_count == 0 || offset >= r->flows_total)
            break;
        err = announce(d, offset, r);
        if (err < 0) {
            log_warn("cannot fetch our flows from the IRM daemon: %d", err);
            break;
        }
    }
    if (first && nseen > 0)
        log_info("%u of the %zu flows the IRM daemon kept for us are back", d->nflows - before,
                 nseen);
    if (!first) {
        uint32_t ids[1024];
        int n = ipcp_dev_flow_ids(d, ids, 1024);
        for (int k = 0; k < n; k++) {
            struct np1 *f = np1_get(d, ids[k]);
            if (f != NULL && atomic_load(&f->state) != NP1_PENDING &&
                !listed(seen, nseen, ids[k])) {
                log_warn("flow %u: the IRM daemon no longer knows it: it ends", ids[k]);
                np1_end(d, f, false);
            }
        }
    }
    free(seen);
}

static int on_start(zloop_t *loop, int timer, void *arg)
{
    struct ipcp_dev *d = arg;
    irm_ipcp_resume_t *r = calloc(1, sizeof(*r));

    (void)loop;
    (void)timer;
    d->start_timer = -1;
    if (r == NULL)
        return 0;
    if (announce(d, 0, r) == 0)
        resume(d, r, true);
    else
        log_err("the IRM daemon did not answer our announce");
    d->resumed = true;
    free(r);
    return 0;
}

/* The IRM daemon's ticks: a new epoch is a restarted daemon. */
static int on_irmd_event(zloop_t *loop, zsock_t *sock, void *arg)
{
    struct ipcp_dev *d = arg;
    struct bus_event ev;
    irm_ipcp_resume_t *r;

    (void)loop;
    (void)sock;
    while (bus_sub_recv(d->sub, &ev, 0) == 0) {
        if (ev.epoch == d->irmd_epoch || !d->resumed)
            continue;
        log_info("the IRM daemon restarted: announcing again");
        r = calloc(1, sizeof(*r));
        if (r == NULL)
            break;
        if (announce(d, 0, r) == 0)
            resume(d, r, false);
        free(r);
    }
    return 0;
}

/* ---- the IRM daemon's requests ---- */

static int on_bootstrap(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct ipcp_dev *d = arg;
    ipcp_bootstrap_t *m = calloc(1, sizeof(*m));
    int err = -EINVAL;

    (void)rep;
    if (m == NULL)
        return -ENOMEM;
    if (bus_request_decode(req, IPCP_BOOTSTRAP_FIELDS, m) == 0 && m->has_conf)
        err = d->bootstrapped ? -EIPCPSTATE : bootstrap(d, &m->conf);
    free(m);
    return err;
}

/* ---- enrollment and connections: ops that wait for the layer ---- */

struct job {
    struct ipcp_dev *d;
    uint32_t method; /* IPCP_METHOD_ENROLL, _CONNECT, _DISCONNECT */
    uint64_t ticket;
    int timeout_ms;
    char dst[NAME_SIZE + 1];
    char component[NAME_SIZE + 1];
    qosspec_t qos;
    struct ipcp_config conf; /* ENROLL: what the op learnt */
    int status;
};

static void *job_main(void *arg)
{
    struct job *j = arg;
    struct ipcp_dev *d = j->d;

    switch (j->method) {
    case IPCP_METHOD_ENROLL:
        j->status = d->ops->enroll(d->ctx, j->dst, &j->conf, j->timeout_ms);
        break;
    case IPCP_METHOD_CONNECT:
        j->status = d->ops->connect(d->ctx, j->dst, j->component, &j->qos, j->timeout_ms);
        break;
    default:
        j->status = d->ops->disconnect(d->ctx, j->dst, j->component, j->timeout_ms);
        break;
    }
    if (np1_mail_job(d, j) < 0) {
        bus_server_drop_deferred(service_bus(d->svc), j->ticket);
        free(j);
    }
    atomic_fetch_sub(&d->queries, 1); /* last: d may be freed once it is 0 */
    return NULL;
}

/* A job that ran: on the loop, an enrolled IPCP bootstraps with what it
 * learnt, and the IRM daemon hears the outcome (with the config). */
static void job_done(struct ipcp_dev *d, struct job *j)
{
    struct bus_server *bus = service_bus(d->svc);
    ipcp_bootstrap_t *m;
    uint8_t *body;
    int err = j->status, len;

    if (j->method != IPCP_METHOD_ENROLL || err < 0) {
        if (err < 0)
            log_warn("%s %s failed: %s",
                     j->method == IPCP_METHOD_ENROLL    ? "enrollment with"
                     : j->method == IPCP_METHOD_CONNECT ? "connection to"
                                                        : "disconnection from",
                     j->dst, strerror(err < -999 ? EIO : -err));
        bus_server_reply_deferred(bus, j->ticket, err, NULL, 0);
        return;
    }
    err = d->bootstrapped ? -EIPCPSTATE : bootstrap_conf(d, &j->conf);
    m = calloc(1, sizeof(*m));
    body = malloc(IPCP_BOOTSTRAP_SIZE);
    if (err == 0 && (m == NULL || body == NULL))
        err = -ENOMEM;
    len = 0;
    if (err == 0) {
        m->has_conf = true;
        ipcp_config_to_msg(&j->conf, &m->conf);
        len = bus_body_encode(body, IPCP_BOOTSTRAP_SIZE, IPCP_BOOTSTRAP_FIELDS, m);
        if (len < 0)
            err = len;
    }
    if (err == 0)
        log_info("enrolled in layer %s through %s", j->conf.layer_info.name, j->dst);
    bus_server_reply_deferred(bus, j->ticket, err, err == 0 ? body : NULL,
                              err == 0 ? (size_t)len : 0);
    free(body);
    free(m);
}

static int on_job(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct ipcp_dev *d = arg;
    struct job *j;
    pthread_t t;
    uint64_t now = now_ns();
    bool have;
    int err = -EINVAL;

    have = req->method == IPCP_METHOD_ENROLL    ? d->ops->enroll != NULL
           : req->method == IPCP_METHOD_CONNECT ? d->ops->connect != NULL
                                                : d->ops->disconnect != NULL;
    if (!have) {
        log_info("request %u: an IPCP of this type has no enrollment or connections",
                 req->method);
        return -ENOTSUP;
    }
    j = calloc(1, sizeof(*j));
    if (j == NULL)
        return -ENOMEM;
    j->d = d;
    j->method = req->method;
    if (req->method == IPCP_METHOD_ENROLL) {
        ipcp_enroll_t m = IPCP_ENROLL_INIT_ZERO;
        if (bus_request_decode(req, IPCP_ENROLL_FIELDS, &m) < 0 || m.dst[0] == '\0')
            goto fail;
        snprintf(j->dst, sizeof(j->dst), "%s", m.dst);
        err = -EIPCPSTATE;
        if (d->bootstrapped)
            goto fail;
    } else {
        irm_ipcp_connect_t m = IRM_IPCP_CONNECT_INIT_ZERO;
        if (bus_request_decode(req, IRM_IPCP_CONNECT_FIELDS, &m) < 0 || m.dst[0] == '\0')
            goto fail;
        snprintf(j->dst, sizeof(j->dst), "%s", m.dst);
        snprintf(j->component, sizeof(j->component), "%s", m.component);
        j->qos = qos_raw;
        if (m.has_qos)
            qos_msg_to_spec(&m.qos, &j->qos);
        err = -EIPCPSTATE;
        if (d->state != IPCP_STATE_OPERATIONAL)
            goto fail;
    }
    j->timeout_ms = req->deadline > now ? (int)((req->deadline - now) / 1000000ull) : 10000;
    if (j->timeout_ms > 60000)
        j->timeout_ms = 60000;
    err = -ENOMEM;
    j->ticket = bus_reply_defer(rep);
    if (j->ticket == 0)
        goto fail;
    atomic_fetch_add(&d->queries, 1);
    if (pthread_create(&t, NULL, job_main, j) != 0) {
        atomic_fetch_sub(&d->queries, 1);
        bus_server_drop_deferred(service_bus(d->svc), j->ticket);
        goto fail;
    }
    pthread_detach(t);
    return BUS_REPLY_DEFERRED;
fail:
    free(j);
    return err;
}

static int on_reg(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct ipcp_dev *d = arg;
    ipcp_hash_t m = IPCP_HASH_INIT_ZERO;
    int (*op)(void *, const uint8_t *, size_t);

    (void)rep;
    if (bus_request_decode(req, IPCP_HASH_FIELDS, &m) < 0 || m.hash.size == 0)
        return -EINVAL;
    if (d->state != IPCP_STATE_OPERATIONAL)
        return -EIPCPSTATE;
    op = req->method == IPCP_METHOD_REG ? d->ops->reg : d->ops->unreg;
    return op != NULL ? op(d->ctx, m.hash.bytes, m.hash.size) : 0;
}

struct query {
    struct ipcp_dev *d;
    uint64_t ticket;
    uint8_t hash[IPCP_HASH_MAX];
    size_t len;
    int timeout_ms;
};

static void *query_main(void *arg)
{
    struct query *q = arg;
    struct ipcp_dev *d = q->d;
    int err = d->ops->query(d->ctx, q->hash, q->len, q->timeout_ms);

    np1_mail(d, MAIL_QUERY, 0, q->ticket, err);
    free(q);
    atomic_fetch_sub(&d->queries, 1); /* last: d may be freed once it is 0 */
    return NULL;
}

static int on_query(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct ipcp_dev *d = arg;
    ipcp_hash_t m = IPCP_HASH_INIT_ZERO;
    struct query *q;
    pthread_t t;
    uint64_t now = now_ns();

    if (bus_request_decode(req, IPCP_HASH_FIELDS, &m) < 0 || m.hash.size == 0)
        return -EINVAL;
    if (d->state != IPCP_STATE_OPERATIONAL)
        return -EIPCPSTATE;
    if (d->ops->query == NULL)
        return 0;
    q = calloc(1, sizeof(*q));
    if (q == NULL)
        return -ENOMEM;
    q->d = d;
    memcpy(q->hash, m.hash.bytes, m.hash.size);
    q->len = m.hash.size;
    q->timeout_ms = req->deadline > now ? (int)((req->deadline - now) / 1000000ull) : 1000;
    if (q->timeout_ms > 60000)
        q->timeout_ms = 60000;
    /* A query may wait for the layer: off the loop. */
    q->ticket = bus_reply_defer(rep);
    atomic_fetch_add(&d->queries, 1);
    if (q->ticket == 0 || pthread_create(&t, NULL, query_main, q) != 0) {
        atomic_fetch_sub(&d->queries, 1);
        if (q->ticket != 0)
            bus_server_drop_deferred(service_bus(d->svc), q->ticket);
        free(q);
        return -ENOMEM;
    }
    pthread_detach(t);
    return BUS_REPLY_DEFERRED;
}

static int on_alloc(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct ipcp_dev *d = arg;
    ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));
    struct np1 *f;
    int err = -EINVAL;

    (void)rep;
    if (m == NULL)
        return -ENOMEM;
    if (bus_request_decode(req, IPCP_FLOW_ALLOC_FIELDS, m) < 0 || !m->has_info ||
        m->hash.size == 0)
        goto out;
    err = -EIPCPSTATE;
    if (d->state != IPCP_STATE_OPERATIONAL || d->ops->flow_alloc == NULL)
        goto out;
    f = np1_open(d, &m->info, m->hash.bytes, m->hash.size, NP1_PENDING, &err);
    if (f == NULL)
        goto out;
    err = d->ops->flow_alloc(d->ctx, &f->pub, m->hash.bytes, m->hash.size,
                             m->timeout_ms ? (int)m->timeout_ms : 10000);
    if (err < 0) {
        /* The IRM learns it from the answer: our end goes without a word. */
        f->pub.peer_closed = true;
        np1_end(d, f, false);
    }
out:
    free(m);
    return err;
}

static int on_dealloc(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct ipcp_dev *d = arg;
    ipcp_flow_ref_t m = IPCP_FLOW_REF_INIT_ZERO;
    struct np1 *f;

    (void)rep;
    if (bus_request_decode(req, IPCP_FLOW_REF_FIELDS, &m) < 0)
        return -EINVAL;
    if (!d->resumed)
        return -EAGAIN; /* our flows are not back yet: the resume sees it */
    f = np1_get(d, m.flow_id);
    if (f == NULL)
        return -ENOTALLOC; /* the IRM closes our end itself */
    switch (atomic_load(&f->state)) {
    case NP1_PENDING:
        np1_end(d, f, true);
        break;
    case NP1_OPEN:
        np1_closing(d, f);
        break;
    default:
        break;
    }
    return 0;
}

/* ---- work other threads handed us ---- */

static int on_mail(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct ipcp_dev *d = arg;
    struct mail *list, *rev = NULL;
    uint64_t n;

    (void)loop;
    (void)item;
    if (read(d->mail_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        return 0;
    pthread_mutex_lock(&d->lock);
    list = d->mail;
    d->mail = NULL;
    pthread_mutex_unlock(&d->lock);
    while (list != NULL) {
        struct mail *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    while (rev != NULL) {
        struct mail *m = rev;
        struct np1 *f;
        rev = m->next;
        switch (m->kind) {
        case MAIL_FIN:
        case MAIL_CLOSE:
            f = np1_get(d, m->flow_id);
            if (f != NULL)
                np1_end(d, f, true);
            break;
        case MAIL_QUERY:
            bus_server_reply_deferred(service_bus(d->svc), m->ticket, m->status, NULL, 0);
            break;
        case MAIL_JOB:
            job_done(d, m->job);
            free(m->job);
            break;
        }
        free(m);
    }
    return 0;
}

/* ---- life ---- */

/* Serve the IRM daemon's requests on the service's bus (on), or no more. */
static int serve(struct ipcp_dev *d, bool on)
{
    static const struct {
        uint32_t method;
        enum bus_method_kind kind;
        bus_handler_fn fn;
    } table[] = {
        {IPCP_METHOD_BOOTSTRAP, BUS_METHOD_DEDUP, on_bootstrap},
        {IPCP_METHOD_ENROLL, BUS_METHOD_DEDUP, on_job},
        {IPCP_METHOD_CONNECT, BUS_METHOD_DEDUP, on_job},
        {IPCP_METHOD_DISCONNECT, BUS_METHOD_DEDUP, on_job},
        {IPCP_METHOD_REG, BUS_METHOD_IDEMPOTENT, on_reg},
        {IPCP_METHOD_UNREG, BUS_METHOD_IDEMPOTENT, on_reg},
        {IPCP_METHOD_QUERY, BUS_METHOD_IDEMPOTENT, on_query},
        {IPCP_METHOD_ALLOC, BUS_METHOD_DEDUP, on_alloc},
        {IPCP_METHOD_DEALLOC, BUS_METHOD_IDEMPOTENT, on_dealloc},
    };

    struct bus_server *bus = service_bus(d->svc);
    size_t n = sizeof(table) / sizeof(table[0]);

    for (size_t i = 0; on && i < n; i++) {
        int err = bus_server_add_method(bus, table[i].method, table[i].kind, table[i].fn, d);
        if (err < 0) {
            while (i-- > 0)
                bus_server_remove_method(bus, table[i].method);
            return err;
        }
    }
    for (size_t i = 0; !on && i < n; i++)
        bus_server_remove_method(bus, table[i].method);
    d->serving = on;
    return 0;
}

struct ipcp_dev *ipcp_dev_new(struct service *svc, const char *name, enum ipcp_type type,
                              const struct ipcp_ops *ops, void *ctx)
{
    const struct run_folder *rf = service_run_folder(svc);
    struct ipcp_dev *d = calloc(1, sizeof(*d));
    irm_ipcp_resume_t *r = calloc(1, sizeof(*r));
    zmq_pollitem_t item = {.events = ZMQ_POLLIN};
    char file[SERVICE_NAME_MAX + 8], evt[RUN_PATH_MAX + 64];
    int err = -ENOMEM;

    if (d == NULL || r == NULL)
        goto fail;
    d->svc = svc;
    d->loop = service_loop(svc);
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->type = type;
    d->ops = ops;
    d->ctx = ctx;
    d->pid = proc_self_pid();
    d->state = IPCP_STATE_INIT;
    d->mail_fd = -1;
    d->close_timer = -1;
    d->retire_timer = -1;
    d->start_timer = -1;
    pthread_mutex_init(&d->lock, NULL);
    snprintf(file, sizeof(file), "%s.ctl", service_name(svc));
    err = run_folder_endpoint(rf, file, d->endpoint, sizeof(d->endpoint));
    if (err == 0)
        err = run_folder_endpoint(rf, IRMD_SERVICE ".ctl", d->irmd_ep, sizeof(d->irmd_ep));
    if (err == 0)
        err = run_folder_endpoint(rf, IRMD_SERVICE ".evt", evt, sizeof(evt));
    if (err == 0)
        err = irmd_client_use_node(rf->node);
    if (err < 0)
        goto fail;
    err = -ENOMEM;
    d->mail_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    item.fd = d->mail_fd;
    if (d->mail_fd < 0 || zloop_poller(d->loop, &item, on_mail, d) < 0)
        goto fail;
    d->calls = call_pool_new(d->loop, d->name, IPCP_DEV_CALLERS);
    if (d->calls == NULL)
        goto fail;
    err = serve(d, true);
    if (err < 0)
        goto fail;
    err = announce(d, 0, r);
    if (err < 0) {
        log_err("cannot announce IPCP %s to the IRM daemon: %s", name,
                err == -EIRMD ? "it is not running" : strerror(err < -999 ? EIO : -err));
        goto fail;
    }
    err = pool_attach(r->pool, &d->pool);
    if (err == 0)
        err = evq_set_attach(&d->evq, r->evq);
    if (err < 0) {
        log_err("cannot map the node's pool or our event queues: %s", strerror(-err));
        goto fail;
    }
    d->sub = bus_sub_new(evt);
    if (d->sub != NULL) {
        bus_sub_subscribe(d->sub, BUS_TOPIC_TICK);
        zloop_reader(d->loop, bus_sub_sock(d->sub), on_irmd_event, d);
    } else {
        log_warn("cannot follow the IRM daemon's events: a restart of it goes unnoticed");
    }
    /* What the IRM kept for us is taken back on the loop's first turn,
     * when the caller holds d. */
    d->start_timer = zloop_timer(d->loop, 1, 1, on_start, d);
    free(r);
    return d;
fail:
    free(r);
    ipcp_dev_destroy(&d);
    errno = err == -EIRMD ? EIRMD : err < 0 && err > -1000 ? -err : EIO;
    return NULL;
}

void ipcp_dev_destroy(struct ipcp_dev **p)
{
    struct ipcp_dev *d;
    zmq_pollitem_t item = {.events = ZMQ_POLLIN};

    if (p == NULL || *p == NULL)
        return;
    d = *p;
    /* A query thread holds d until it has handed its answer in. */
    if (atomic_load(&d->queries) > 0)
        log_info("waiting for %d queries in progress", atomic_load(&d->queries));
    while (atomic_load(&d->queries) > 0)
        usleep(1000);
    if (d->serving)
        serve(d, false); /* no handler may see d once it is freed */
    if (d->sub != NULL) {
        zloop_reader_end(d->loop, bus_sub_sock(d->sub));
        bus_sub_destroy(&d->sub);
    }
    call_pool_destroy(&d->calls);
    if (d->start_timer >= 0)
        zloop_timer_end(d->loop, d->start_timer);
    if (d->close_timer >= 0)
        zloop_timer_end(d->loop, d->close_timer);
    if (d->retire_timer >= 0)
        zloop_timer_end(d->loop, d->retire_timer);
    np1_release_all(d);
    if (d->mail_fd >= 0) {
        item.fd = d->mail_fd;
        zloop_poller_end(d->loop, &item);
        close(d->mail_fd);
    }
    while (d->mail != NULL) {
        struct mail *m = d->mail;
        d->mail = m->next;
        free(m->job);
        free(m);
    }
    evq_set_detach(&d->evq);
    pool_detach(&d->pool);
    pthread_mutex_destroy(&d->lock);
    free(d);
    *p = NULL;
}
