/*
 * fake_irmd.h - a stand-in for the IRM daemon in unit tests: a bus server
 * at a node's irmd.ctl, run by a thread, with a small registry (names,
 * IPCPs, bindings, processes, flows) and a log of every request it got.
 */
#ifndef OUROBUS_TEST_FAKE_IRMD_H
#define OUROBUS_TEST_FAKE_IRMD_H

#include "bus_server.h"
#include "deadline.h"
#include "irm.pb.h"
#include "run_folder.h"
#include "tap.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#define FAKE_LOG_MAX    64
#define FAKE_BODY_MAX   8192
#define FAKE_METHOD_MAX 64
#define FAKE_NAMES_MAX  400
#define FAKE_IPCPS_MAX  80
#define FAKE_BINDS_MAX  24
#define FAKE_PROCS_MAX  40
#define FAKE_FLOWS_MAX  200
#define FAKE_FIRST_PID  4000

struct fake_req {
    uint32_t method;
    size_t len;
    uint8_t body[FAKE_BODY_MAX];
};

struct fake_irmd {
    pthread_t thread;
    pthread_mutex_t lock;
    atomic_int stop;
    atomic_int ready; /* 1 serving, -1 failed */
    char endpoint[160];
    char sock_path[160];
    /* every request, in order (the first FAKE_LOG_MAX) */
    struct fake_req log[FAKE_LOG_MAX];
    int nlog;
    int calls; /* all requests, logged or not */
    /* a status to answer instead of doing the work, per method */
    bool forced[FAKE_METHOD_MAX];
    int status[FAKE_METHOD_MAX];
    /* list pages: add this many names while a name list is being read */
    int grow_names;
    uint32_t bogus_total; /* != 0: every list says this total */
    /* the registry */
    irm_name_info_t names[FAKE_NAMES_MAX];
    int nnames;
    irm_ipcp_info_t ipcps[FAKE_IPCPS_MAX];
    int nipcps;
    int next_pid;
    irm_bind_entry_t binds[FAKE_BINDS_MAX];
    int nbinds;
    irm_proc_entry_t procs[FAKE_PROCS_MAX];
    int nprocs;
    irm_flow_entry_t flows[FAKE_FLOWS_MAX];
    int nflows;
};

static inline int fake_name_find(struct fake_irmd *f, const char *name)
{
    for (int i = 0; i < f->nnames; i++)
        if (strcmp(f->names[i].name, name) == 0)
            return i;
    return -1;
}

static inline int fake_ipcp_find(struct fake_irmd *f, int32_t pid)
{
    for (int i = 0; i < f->nipcps; i++)
        if (f->ipcps[i].pid == pid)
            return i;
    return -1;
}

/* Add a name to the registry (the caller holds the lock or the thread
 * does not run yet). */
static inline void fake_add_name(struct fake_irmd *f, const char *name, irm_lb_t lb)
{
    if (f->nnames == FAKE_NAMES_MAX)
        return;
    snprintf(f->names[f->nnames].name, sizeof(f->names[0].name), "%s", name);
    f->names[f->nnames++].lb = lb;
}

static inline int32_t fake_add_ipcp(struct fake_irmd *f, const char *name, irm_ipcp_type_t type,
                                    const char *layer)
{
    irm_ipcp_info_t *p;

    if (f->nipcps == FAKE_IPCPS_MAX)
        return -1;
    p = &f->ipcps[f->nipcps++];
    memset(p, 0, sizeof(*p));
    p->pid = f->next_pid++;
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->type = type;
    snprintf(p->layer, sizeof(p->layer), "%s", layer != NULL ? layer : "");
    p->state = layer != NULL && layer[0] ? 2 : 1; /* operational : boot */
    return p->pid;
}

/* Answer a page of a list: entries from offset, as many as fit. */
#define FAKE_PAGE(f, req, rep, type, up, field, src, n)                                        \
    ({                                                                                         \
        irm_list_page_t pg_ = IRM_LIST_PAGE_INIT_ZERO;                                         \
        type##_t *l_ = calloc(1, sizeof(*l_));                                                 \
        size_t cap_ = sizeof(l_->field) / sizeof(l_->field[0]);                                \
        int r_ = bus_request_decode(req, IRM_LIST_PAGE_FIELDS, &pg_);                          \
        if (l_ != NULL && r_ == 0) {                                                           \
            l_->total = (f)->bogus_total ? (f)->bogus_total : (uint32_t)(n);                   \
            for (uint32_t i_ = pg_.offset; i_ < (uint32_t)(n) && l_->field##_count < cap_;     \
                 i_++)                                                                         \
                l_->field[l_->field##_count++] = (src)[i_];                                    \
            r_ = bus_reply_encode(rep, up##_FIELDS, l_);                                       \
        }                                                                                      \
        free(l_);                                                                              \
        l_ == NULL ? -ENOMEM : r_;                                                             \
    })

static inline int fake_work(struct fake_irmd *f, const struct bus_request *req,
                            struct bus_reply *rep)
{
    switch (req->method) {
    case IRM_METHOD_NAME_CREATE: {
        irm_name_info_t m = IRM_NAME_INFO_INIT_ZERO;

        if (bus_request_decode(req, IRM_NAME_INFO_FIELDS, &m) < 0)
            return -EBADMSG;
        if (fake_name_find(f, m.name) >= 0)
            return -EEXIST;
        fake_add_name(f, m.name, m.lb);
        return 0;
    }
    case IRM_METHOD_NAME_DESTROY: {
        irm_name_t m = IRM_NAME_INIT_ZERO;
        int i;

        if (bus_request_decode(req, IRM_NAME_FIELDS, &m) < 0)
            return -EBADMSG;
        i = fake_name_find(f, m.name);
        if (i < 0)
            return -ENAME;
        f->names[i] = f->names[--f->nnames];
        return 0;
    }
    case IRM_METHOD_NAME_LIST: {
        irm_list_page_t pg = IRM_LIST_PAGE_INIT_ZERO;

        if (bus_request_decode(req, IRM_LIST_PAGE_FIELDS, &pg) == 0 && pg.offset > 0 &&
            f->grow_names > 0) {
            char n[32];

            snprintf(n, sizeof(n), "grown-%d", f->grow_names--);
            fake_add_name(f, n, IRM_LB_RR);
        }
        return FAKE_PAGE(f, req, rep, irm_name_list, IRM_NAME_LIST, names, f->names, f->nnames);
    }
    case IRM_METHOD_IPCP_CREATE: {
        irm_ipcp_create_t m = IRM_IPCP_CREATE_INIT_ZERO;
        int32_t pid;

        if (bus_request_decode(req, IRM_IPCP_CREATE_FIELDS, &m) < 0)
            return -EBADMSG;
        for (int i = 0; i < f->nipcps; i++)
            if (strcmp(f->ipcps[i].name, m.name) == 0)
                return -EEXIST;
        pid = fake_add_ipcp(f, m.name, m.type, NULL);
        if (pid < 0)
            return -ENOMEM;
        return bus_reply_encode(rep, IRM_IPCP_INFO_FIELDS, &f->ipcps[fake_ipcp_find(f, pid)]);
    }
    case IRM_METHOD_IPCP_DESTROY: {
        irm_ipcp_ref_t m = IRM_IPCP_REF_INIT_ZERO;
        int i;

        if (bus_request_decode(req, IRM_IPCP_REF_FIELDS, &m) < 0)
            return -EBADMSG;
        i = fake_ipcp_find(f, m.pid);
        if (i < 0)
            return -ENOENT;
        memmove(&f->ipcps[i], &f->ipcps[i + 1],
                sizeof(f->ipcps[0]) * (size_t)(f->nipcps - i - 1));
        f->nipcps--;
        return 0;
    }
    case IRM_METHOD_IPCP_BOOTSTRAP: {
        irm_ipcp_bootstrap_t m = IRM_IPCP_BOOTSTRAP_INIT_ZERO;
        int i;

        if (bus_request_decode(req, IRM_IPCP_BOOTSTRAP_FIELDS, &m) < 0)
            return -EBADMSG;
        i = fake_ipcp_find(f, m.pid);
        if (i < 0)
            return -ENOENT;
        if (f->ipcps[i].type != m.conf.type)
            return -EIPCPTYPE;
        snprintf(f->ipcps[i].layer, sizeof(f->ipcps[i].layer), "%s", m.conf.layer);
        f->ipcps[i].state = 2;
        return 0;
    }
    case IRM_METHOD_IPCP_ENROLL: {
        irm_ipcp_enroll_t m = IRM_IPCP_ENROLL_INIT_ZERO;
        int i;

        if (bus_request_decode(req, IRM_IPCP_ENROLL_FIELDS, &m) < 0)
            return -EBADMSG;
        i = fake_ipcp_find(f, m.pid);
        if (i < 0)
            return -ENOENT;
        /* The layer of the enroller: a name "<layer>.<x>" or the layer. */
        snprintf(f->ipcps[i].layer, sizeof(f->ipcps[i].layer), "%.*s", (int)strcspn(m.dst, "."),
                 m.dst);
        f->ipcps[i].state = 2;
        return 0;
    }
    case IRM_METHOD_IPCP_LIST:
        return FAKE_PAGE(f, req, rep, irm_ipcp_list, IRM_IPCP_LIST, ipcps, f->ipcps, f->nipcps);
    case IRM_METHOD_BIND_LIST:
        return FAKE_PAGE(f, req, rep, irm_bind_list, IRM_BIND_LIST, binds, f->binds, f->nbinds);
    case IRM_METHOD_PROC_LIST:
        return FAKE_PAGE(f, req, rep, irm_proc_list, IRM_PROC_LIST, procs, f->procs, f->nprocs);
    case IRM_METHOD_FLOW_LIST:
        return FAKE_PAGE(f, req, rep, irm_flow_list, IRM_FLOW_LIST, flows, f->flows, f->nflows);
    case IRM_METHOD_NAME_REG:
    case IRM_METHOD_NAME_UNREG: {
        irm_name_reg_t m = IRM_NAME_REG_INIT_ZERO;

        if (bus_request_decode(req, IRM_NAME_REG_FIELDS, &m) < 0)
            return -EBADMSG;
        if (fake_ipcp_find(f, m.ipcp_pid) < 0)
            return -EIPCP;
        return fake_name_find(f, m.name) < 0 ? -ENAME : 0;
    }
    case IRM_METHOD_BIND_PROGRAM:
    case IRM_METHOD_UNBIND_PROGRAM:
    case IRM_METHOD_BIND_PROCESS:
    case IRM_METHOD_UNBIND_PROCESS:
    case IRM_METHOD_IPCP_CONNECT:
    case IRM_METHOD_IPCP_DISCONNECT:
        return 0;
    default:
        return -ENOSYS;
    }
}

static inline int fake_on_call(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct fake_irmd *f = arg;
    int r;

    pthread_mutex_lock(&f->lock);
    f->calls++;
    if (f->nlog < FAKE_LOG_MAX && req->body.size <= FAKE_BODY_MAX) {
        struct fake_req *l = &f->log[f->nlog++];

        l->method = req->method;
        l->len = req->body.size;
        memcpy(l->body, req->body.data, req->body.size);
    }
    if (req->method < FAKE_METHOD_MAX && f->forced[req->method])
        r = f->status[req->method];
    else
        r = fake_work(f, req, rep);
    pthread_mutex_unlock(&f->lock);
    return r;
}

static inline void *fake_thread(void *arg)
{
    struct fake_irmd *f = arg;
    struct bus_server *s = bus_server_new(f->endpoint, 0x5eed0001, NULL);
    zpoller_t *poller;

    if (s == NULL) {
        atomic_store(&f->ready, -1);
        return NULL;
    }
    for (uint32_t m = 1; m < FAKE_METHOD_MAX; m++)
        bus_server_add_method(s, m, BUS_METHOD_IDEMPOTENT, fake_on_call, f);
    poller = zpoller_new(bus_server_sock(s), NULL);
    atomic_store(&f->ready, 1);
    while (!atomic_load(&f->stop)) {
        zpoller_wait(poller, 20);
        while (bus_server_handle_one(s) > 0)
            ;
    }
    zpoller_destroy(&poller);
    bus_server_destroy(&s);
    return NULL;
}

/* Serve as the IRM daemon of node (in $OUROBUS_RUN_DIR); NULL on failure. */
static inline struct fake_irmd *fake_irmd_start(const char *node)
{
    struct fake_irmd *f = calloc(1, sizeof(*f));
    struct run_folder rf;
    uint64_t end = deadline_after_ms(5000);

    if (f == NULL)
        return NULL;
    pthread_mutex_init(&f->lock, NULL);
    f->next_pid = FAKE_FIRST_PID;
    if (run_folder_for_daemon(&rf, node) < 0 || run_folder_create(&rf) < 0 ||
        run_folder_endpoint(&rf, "irmd.ctl", f->endpoint, sizeof(f->endpoint)) < 0 ||
        run_folder_file(&rf, "irmd.ctl", f->sock_path, sizeof(f->sock_path)) < 0 ||
        pthread_create(&f->thread, NULL, fake_thread, f) != 0) {
        free(f);
        return NULL;
    }
    while (atomic_load(&f->ready) == 0 && now_ns() < end)
        usleep(1000);
    if (atomic_load(&f->ready) != 1) {
        atomic_store(&f->stop, 1);
        pthread_join(f->thread, NULL);
        free(f);
        return NULL;
    }
    return f;
}

static inline void fake_irmd_stop(struct fake_irmd **p)
{
    if (*p == NULL)
        return;
    atomic_store(&(*p)->stop, 1);
    pthread_join((*p)->thread, NULL);
    pthread_mutex_destroy(&(*p)->lock);
    free(*p);
    *p = NULL;
}

/* Forget the log and the forced statuses. */
static inline void fake_reset(struct fake_irmd *f)
{
    pthread_mutex_lock(&f->lock);
    f->nlog = 0;
    f->calls = 0;
    memset(f->forced, 0, sizeof(f->forced));
    f->bogus_total = 0;
    f->grow_names = 0;
    pthread_mutex_unlock(&f->lock);
}

/* Answer method with status from now on (without doing anything). */
static inline void fake_force(struct fake_irmd *f, uint32_t method, int status)
{
    pthread_mutex_lock(&f->lock);
    f->forced[method] = true;
    f->status[method] = status;
    pthread_mutex_unlock(&f->lock);
}

static inline int fake_calls(struct fake_irmd *f)
{
    int n;

    pthread_mutex_lock(&f->lock);
    n = f->calls;
    pthread_mutex_unlock(&f->lock);
    return n;
}

/* Decode the i-th logged request (-1: the last) if it is of method. */
static inline bool fake_req(struct fake_irmd *f, int i, uint32_t method,
                            const pb_msgdesc_t *fields, void *msg)
{
    struct bus_part body;
    bool r = false;

    pthread_mutex_lock(&f->lock);
    if (i < 0)
        i = f->nlog + i;
    if (i >= 0 && i < f->nlog && f->log[i].method == method) {
        body = (struct bus_part){f->log[i].body, f->log[i].len};
        r = fields == NULL || bus_body_decode(&body, fields, msg) == 0;
    }
    pthread_mutex_unlock(&f->lock);
    return r;
}

/* How many logged requests were of method. */
static inline int fake_count(struct fake_irmd *f, uint32_t method)
{
    int n = 0;

    pthread_mutex_lock(&f->lock);
    for (int i = 0; i < f->nlog; i++)
        n += f->log[i].method == method;
    pthread_mutex_unlock(&f->lock);
    return n;
}

#endif
