/*
 * test_irmd_ipcps.c - the IRM daemon's IPCP side, with the daemon's loop
 * on a thread and the test playing the IPCP (a bus server, and a forked
 * child as its process) and the application (its own pid): announce and
 * list, bootstrap and the config kept, names and their hashes, flows
 * through the IPCP (allocated, refused, timed out), flow requests from
 * the layer, the IPCP's death and its next process, the state files read
 * by a new daemon.
 *
 *   test (application, irm) --bus--> <run>/irmd.ctl  [irmd loop thread]
 *   irmd call_pool --bus--> ipc://<tmp>/fake-ipcp.ctl  [fake IPCP thread]
 *   test (as the IPCP, pid of a forked child) --bus--> <run>/irmd.ctl
 */
#include "irmd.h"

#include "bus_client.h"
#include "child.h"
#include "deadline.h"
#include "hash.h"
#include "ipcp.pb.h"
#include "irmd_client.h"
#include "proc.h"
#include "shm_object.h"
#include "tap.h"

#include <dirent.h>
#include <ourobus/errno.h>
#include <stdatomic.h>
#include <sys/eventfd.h>

#define WAIT_MS  5000
#define LOG_MAX  128
#define LOG_BODY 2048

static char NODE[32];
static char IRMD_EP[160];

/* ---- the fake IPCP -------------------------------------------------------- */

struct logged {
    uint32_t method;
    size_t len;
    uint8_t body[LOG_BODY];
    bool rings; /* ALLOC: both rings of the flow existed */
};

struct fake {
    pthread_t thread;
    atomic_int stop;
    atomic_int ready;
    char endpoint[128];
    pthread_mutex_t lock;
    int status[IPCP_METHOD_DEALLOC + 1];
    struct logged log[LOG_MAX];
    int nlog;
};

static struct fake *F;

static bool shm_exists(const char *name)
{
    char path[300];

    snprintf(path, sizeof(path), "/dev/shm/%s", name + 1);
    return name[0] == '/' && access(path, F_OK) == 0;
}

static int fake_on_call(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct fake *f = arg;
    struct logged *l = NULL;
    int err;

    (void)rep;
    pthread_mutex_lock(&f->lock);
    if (f->nlog < LOG_MAX && req->body.size <= LOG_BODY) {
        l = &f->log[f->nlog++];
        l->method = req->method;
        l->len = req->body.size;
        memcpy(l->body, req->body.data, req->body.size);
    }
    if (l != NULL && req->method == IPCP_METHOD_ALLOC) {
        ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));

        if (m != NULL && bus_request_decode(req, IPCP_FLOW_ALLOC_FIELDS, m) == 0)
            l->rings = shm_exists(m->info.rx_ring) && shm_exists(m->info.tx_ring);
        free(m);
    }
    err = f->status[req->method];
    pthread_mutex_unlock(&f->lock);
    return err;
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    struct bus_server *s = bus_server_new(f->endpoint, 0x1bc9, NULL);
    zpoller_t *poller;

    if (s == NULL) {
        atomic_store(&f->ready, -1);
        return NULL;
    }
    for (uint32_t m = IPCP_METHOD_BOOTSTRAP; m <= IPCP_METHOD_DEALLOC; m++)
        bus_server_add_method(s, m, BUS_METHOD_IDEMPOTENT, fake_on_call, f);
    poller = zpoller_new(bus_server_sock(s), NULL);
    atomic_store(&f->ready, 1);
    while (!atomic_load(&f->stop)) {
        zpoller_wait(poller, 5);
        while (bus_server_handle_one(s) > 0)
            ;
    }
    zpoller_destroy(&poller);
    bus_server_destroy(&s);
    return NULL;
}

static void fake_start(const char *dir)
{
    uint64_t end = deadline_after_ms(WAIT_MS);

    F = calloc(1, sizeof(*F));
    if (F == NULL)
        bail_out("out of memory");
    pthread_mutex_init(&F->lock, NULL);
    snprintf(F->endpoint, sizeof(F->endpoint), "ipc://%s/fake-ipcp.ctl", dir);
    if (pthread_create(&F->thread, NULL, fake_main, F) != 0)
        bail_out("cannot start the fake IPCP");
    while (atomic_load(&F->ready) == 0 && now_ns() < end)
        usleep(1000);
    if (atomic_load(&F->ready) != 1)
        bail_out("the fake IPCP did not start");
}

static void fake_stop(void)
{
    atomic_store(&F->stop, 1);
    pthread_join(F->thread, NULL);
    pthread_mutex_destroy(&F->lock);
    free(F);
}

static void fake_status(uint32_t method, int status)
{
    pthread_mutex_lock(&F->lock);
    F->status[method] = status;
    pthread_mutex_unlock(&F->lock);
}

/* How many requests of method came; the k-th (from 0; -1: the last)
 * decoded into msg. */
static int fake_req(uint32_t method, int k, const pb_msgdesc_t *fields, void *msg, bool *rings)
{
    int n = 0, pick = -1;

    pthread_mutex_lock(&F->lock);
    for (int i = 0; i < F->nlog; i++) {
        if (F->log[i].method != method)
            continue;
        if (n == k || k < 0)
            pick = i;
        n++;
    }
    if (pick >= 0 && fields != NULL) {
        struct bus_part b = {F->log[pick].body, F->log[pick].len};
        if (bus_body_decode(&b, fields, msg) < 0)
            n = -1;
    }
    if (pick >= 0 && rings != NULL)
        *rings = F->log[pick].rings;
    pthread_mutex_unlock(&F->lock);
    return n;
}

static bool fake_wait(uint32_t method, int want, int ms)
{
    uint64_t end = deadline_after_ms(ms);

    while (fake_req(method, -1, NULL, NULL, NULL) < want && now_ns() < end)
        usleep(1000);
    return fake_req(method, -1, NULL, NULL, NULL) >= want;
}

/* A DEALLOC for flow id came. */
static bool fake_dealloc_of(uint32_t id, int ms)
{
    uint64_t end = deadline_after_ms(ms);

    do {
        int n = fake_req(IPCP_METHOD_DEALLOC, -1, NULL, NULL, NULL);
        for (int k = 0; k < n; k++) {
            ipcp_flow_ref_t m = IPCP_FLOW_REF_INIT_ZERO;
            if (fake_req(IPCP_METHOD_DEALLOC, k, IPCP_FLOW_REF_FIELDS, &m, NULL) > 0 &&
                m.flow_id == id)
                return true;
        }
        usleep(1000);
    } while (now_ns() < end);
    return false;
}

/* ---- the daemon ------------------------------------------------------------ */

struct daemon {
    struct irmd d;
    pthread_t thread;
    bool running;
    int mail_fd;
    void (*fn)(void *);
    void *arg;
    atomic_int done;
};

static struct daemon S; /* the IRM daemon under test */

static int on_mailbox(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct daemon *m = arg;
    uint64_t n;

    (void)loop;
    (void)item;
    if (read(m->mail_fd, &n, sizeof(n)) == (ssize_t)sizeof(n) && m->fn != NULL) {
        m->fn(m->arg);
        m->fn = NULL;
        atomic_store(&m->done, 1);
    }
    return 0;
}

/* Run fn(arg) on the daemon's loop thread and wait for it. */
static bool on_loop(struct daemon *m, void (*fn)(void *), void *arg)
{
    uint64_t one = 1, end = deadline_after_ms(WAIT_MS);

    atomic_store(&m->done, 0);
    m->arg = arg;
    m->fn = fn;
    if (write(m->mail_fd, &one, sizeof(one)) < 0)
        return false;
    while (!atomic_load(&m->done) && now_ns() < end)
        usleep(500);
    return atomic_load(&m->done);
}

/* As main.c sets the daemon up, with a small pool and small rings. */
static int daemon_init(struct daemon *m)
{
    struct irmd *d = &m->d;
    zmq_pollitem_t item = {.events = ZMQ_POLLIN};
    int n;

    memset(m, 0, sizeof(*m));
    d->sweep_timer = -1;
    d->ring_slots = 16;
    d->shm_mode = 0600;
    d->pool_cfg = (struct pool_cfg){.nclasses = 1, .cls = {{512, 256}}};
    d->svc = service_new(IRMD_SERVICE, NODE);
    if (d->svc == NULL)
        bail_out("no irmd service");
    d->rf = service_run_folder(d->svc);
    d->loop = service_loop(d->svc);
    if (reg_init(&d->reg) < 0 ||
        run_folder_shm_name(d->rf, "pool", d->pool_name, sizeof(d->pool_name)) < 0)
        bail_out("no registry");
    if (pool_attach(d->pool_name, &d->pool) < 0 &&
        pool_create(d->pool_name, &d->pool_cfg, 0600, &d->pool) < 0)
        bail_out("no pool");
    if (persist_init(d) < 0 || ipcps_init(d) < 0)
        bail_out("no state folder or call pool");
    n = persist_load(d);
    ipcps_restore(d);
    if (methods_register(d) < 0)
        bail_out("cannot serve the methods");
    m->mail_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    item.fd = m->mail_fd;
    zloop_poller(d->loop, &item, on_mailbox, m);
    return n;
}

static void *daemon_main(void *arg)
{
    service_run(((struct daemon *)arg)->d.svc);
    return NULL;
}

static void daemon_start(struct daemon *m)
{
    m->running = pthread_create(&m->thread, NULL, daemon_main, m) == 0;
    if (!m->running)
        bail_out("no loop thread");
}

static void stop_service(void *arg)
{
    service_stop(arg);
}

/* Stop (calls to IPCPs delivered first), and take everything down as
 * main.c does; rings and state stay for the next daemon. */
static void daemon_fini(struct daemon *m)
{
    struct irmd *d = &m->d;
    zmq_pollitem_t item = {.fd = m->mail_fd, .events = ZMQ_POLLIN};
    uint64_t end = deadline_after_ms(WAIT_MS);

    if (m->running) {
        while (call_pool_pending(d->calls) > 0 && now_ns() < end)
            usleep(1000);
        on_loop(m, stop_service, d->svc);
        pthread_join(m->thread, NULL);
    }
    ipcps_fini(d);
    for (struct reg_proc *p = zhashx_first(d->reg.procs); p != NULL;
         p = zhashx_next(d->reg.procs)) {
        if (p->pidfd >= 0)
            close(p->pidfd);
        evq_set_detach(&p->evq);
    }
    for (struct reg_flow *f = zhashx_first(d->reg.flows); f != NULL;
         f = zhashx_next(d->reg.flows))
        for (int dir = 0; dir < 2; dir++)
            ring_shm_detach(&f->ring[dir]);
    pool_detach(&d->pool);
    reg_fini(&d->reg);
    zloop_poller_end(d->loop, &item);
    close(m->mail_fd);
    service_destroy(&d->svc);
}

/* ---- calls to the daemon ------------------------------------------------- */

static struct bus_client *C;

static int call(uint32_t method, const pb_msgdesc_t *fields, const void *req,
                const pb_msgdesc_t *rep_fields, void *rep)
{
    return bus_client_call_pb(C, method, fields, req, rep_fields, rep, 3000);
}

/* A call that waits (flow_alloc, flow_accept, a flow request), on a thread. */
struct acall {
    pthread_t thread;
    uint32_t method;
    const pb_msgdesc_t *fields;
    union {
        irm_flow_alloc_t alloc;
        irm_flow_accept_t accept;
        irm_flow_req_arr_t req_arr;
    } req;
    irm_flow_info_t rep;
    int status;
    uint64_t took_ms;
    atomic_int done;
};

static void *acall_main(void *arg)
{
    static atomic_int seq;
    struct acall *a = arg;
    char ident[48];
    struct bus_client *c;
    uint64_t t0 = now_ns();

    snprintf(ident, sizeof(ident), "test-async/%d", atomic_fetch_add(&seq, 1));
    c = bus_client_new(IRMD_EP, ident);
    a->status = c == NULL ? -ENOMEM
                          : bus_client_call_pb(c, a->method, a->fields, &a->req,
                                               IRM_FLOW_INFO_FIELDS, &a->rep, 8000);
    a->took_ms = (now_ns() - t0) / 1000000;
    bus_client_destroy(&c);
    atomic_store(&a->done, 1);
    return NULL;
}

static void acall_start(struct acall *a, uint32_t method, const pb_msgdesc_t *fields)
{
    a->method = method;
    a->fields = fields;
    atomic_store(&a->done, 0);
    if (pthread_create(&a->thread, NULL, acall_main, a) != 0)
        bail_out("no thread");
}

/* Wait for the call to be answered (it gives up itself after 8 s). */
static bool acall_wait(struct acall *a, int ms)
{
    uint64_t end = deadline_after_ms(ms);
    bool done;

    while (!atomic_load(&a->done) && now_ns() < end)
        usleep(1000);
    done = atomic_load(&a->done);
    pthread_join(a->thread, NULL);
    return done;
}

static void alloc_start(struct acall *a, const char *name, uint32_t timeout_ms, pid_t app)
{
    memset(a, 0, sizeof(*a));
    a->req.alloc.pid = app;
    snprintf(a->req.alloc.name, sizeof(a->req.alloc.name), "%s", name);
    a->req.alloc.has_qos = true;
    a->req.alloc.qos.loss = 1;
    a->req.alloc.timeout_ms = timeout_ms;
    acall_start(a, IRM_METHOD_FLOW_ALLOC, IRM_FLOW_ALLOC_FIELDS);
}

static int announce(pid_t pid, uint32_t state, const char *layer, irm_ipcp_resume_t *r)
{
    irm_ipcp_info_t m = IRM_IPCP_INFO_INIT_ZERO;

    m.pid = pid;
    snprintf(m.name, sizeof(m.name), "udp0");
    m.type = IRM_IPCP_TYPE_UDP4;
    m.state = state;
    snprintf(m.layer, sizeof(m.layer), "%s", layer);
    snprintf(m.endpoint, sizeof(m.endpoint), "%s", F->endpoint);
    m.max_sdu = 1400;
    memset(r, 0, sizeof(*r));
    return call(IRM_METHOD_IPCP_ANNOUNCE, IRM_IPCP_INFO_FIELDS, &m, IRM_IPCP_RESUME_FIELDS, r);
}

static int alloc_reply(pid_t ipcp, uint32_t id, int response, const char *blob)
{
    irm_flow_alloc_reply_t m = IRM_FLOW_ALLOC_REPLY_INIT_ZERO;

    m.pid = ipcp;
    m.flow_id = id;
    m.response = response;
    m.mpl_ms = 5;
    m.blob.size = (pb_size_t)strlen(blob);
    memcpy(m.blob.bytes, blob, m.blob.size);
    return call(IRM_METHOD_IPCP_FLOW_ALLOC_REPLY, IRM_FLOW_ALLOC_REPLY_FIELDS, &m, NULL, NULL);
}

static int name_reg(uint32_t method, const char *name, pid_t ipcp)
{
    irm_name_reg_t m = IRM_NAME_REG_INIT_ZERO;

    snprintf(m.name, sizeof(m.name), "%s", name);
    m.ipcp_pid = ipcp;
    return call(method, IRM_NAME_REG_FIELDS, &m, NULL, NULL);
}

static int bootstrap(pid_t ipcp, irm_ipcp_type_t type)
{
    irm_ipcp_bootstrap_t *m = calloc(1, sizeof(*m));
    int err;

    m->pid = ipcp;
    m->has_conf = true;
    snprintf(m->conf.layer, sizeof(m->conf.layer), "lay");
    m->conf.type = type;
    m->conf.dir_hash_algo = DIR_HASH_MD5;
    if (type == IRM_IPCP_TYPE_UDP4) {
        memcpy(m->conf.ip.bytes, "\x7f\x00\x00\x01", 4);
        m->conf.ip.size = 4;
    } else {
        memcpy(m->conf.ip.bytes,
               "\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
        m->conf.ip.size = 16;
    }
    err = call(IRM_METHOD_IPCP_BOOTSTRAP, IRM_IPCP_BOOTSTRAP_FIELDS, m, NULL, NULL);
    free(m);
    return err;
}

static bool hash_is(const uint8_t *h, size_t len, const char *name)
{
    uint8_t want[HASH_MAX];
    int n = hash_name(DIR_HASH_MD5, name, want);

    return n > 0 && (size_t)n == len && memcmp(h, want, len) == 0;
}

/* The flow id's entry in the daemon's list; false if it is not listed. */
static bool flow_entry(uint32_t id, irm_flow_entry_t *out)
{
    irm_list_page_t pg = IRM_LIST_PAGE_INIT_ZERO;
    irm_flow_list_t *l = calloc(1, sizeof(*l));
    bool found = false;

    if (call(IRM_METHOD_FLOW_LIST, IRM_LIST_PAGE_FIELDS, &pg, IRM_FLOW_LIST_FIELDS, l) == 0)
        for (pb_size_t k = 0; k < l->flows_count && !found; k++)
            if (l->flows[k].flow_id == id) {
                *out = l->flows[k];
                found = true;
            }
    free(l);
    return found;
}

static bool flow_gone(uint32_t id, int ms)
{
    uint64_t end = deadline_after_ms(ms);
    irm_flow_entry_t e;

    while (flow_entry(id, &e) && now_ns() < end)
        usleep(2000);
    return !flow_entry(id, &e);
}

static bool ipcp_entry(irm_ipcp_info_t *out)
{
    irm_list_page_t pg = IRM_LIST_PAGE_INIT_ZERO;
    irm_ipcp_list_t *l = calloc(1, sizeof(*l));
    bool found = false;

    if (call(IRM_METHOD_IPCP_LIST, IRM_LIST_PAGE_FIELDS, &pg, IRM_IPCP_LIST_FIELDS, l) == 0 &&
        l->ipcps_count == 1 && l->total == 1) {
        *out = l->ipcps[0];
        found = true;
    }
    free(l);
    return found;
}

/* ---- the tests ------------------------------------------------------------- */

/* The IPCP's process: it only has to live. It must not hold the
 * daemon's lock (a copy of its fd) past the daemon. */
static int sleeper(void *arg)
{
    (void)arg;
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    for (;;)
        pause();
    return 0;
}

static irm_ipcp_resume_t *R; /* the last resume */

static void test_announce(pid_t ipcp)
{
    irm_ipcp_info_t m = IRM_IPCP_INFO_INIT_ZERO;
    irm_ipcp_info_t info;

    is(announce(ipcp, IPCP_STATE_INIT, "", R), 0, "an IPCP daemon announces itself");
    ok(strcmp(R->pool, S.d.pool_name) == 0 && strstr(R->evq, "evq.ipcp.udp0") != NULL &&
           shm_exists(R->evq),
       "the resume names the pool and its event queues, named after it (%s)", R->evq);
    ok(!R->bootstrapped && !R->has_conf && R->regs_count == 0 && R->flows_total == 0,
       "nothing to take back yet");
    ok(ipcp_entry(&info) && info.pid == ipcp && strcmp(info.name, "udp0") == 0 &&
           info.type == IRM_IPCP_TYPE_UDP4 && info.state == IPCP_STATE_INIT &&
           strcmp(info.endpoint, F->endpoint) == 0 && info.max_sdu == 1400,
       "IPCP_LIST shows it: pid, name, type, state, endpoint, max SDU");
    m.pid = ipcp;
    snprintf(m.name, sizeof(m.name), "udp0");
    m.type = IRM_IPCP_TYPE_ETH_DIX;
    is(call(IRM_METHOD_IPCP_ANNOUNCE, IRM_IPCP_INFO_FIELDS, &m, NULL, NULL), -EIPCPTYPE,
       "its name announced with another type: -EIPCPTYPE");
    is(name_reg(IRM_METHOD_NAME_REG, "echo", ipcp), -EIPCPSTATE,
       "NAME_REG before it is operational: -EIPCPSTATE");
}

static void test_bootstrap(pid_t ipcp)
{
    ipcp_bootstrap_t *b = calloc(1, sizeof(*b));
    irm_ipcp_info_t info;

    is(bootstrap(ipcp, IRM_IPCP_TYPE_UDP6), -EIPCPTYPE,
       "BOOTSTRAP with another type's config: -EIPCPTYPE");
    is(fake_req(IPCP_METHOD_BOOTSTRAP, -1, NULL, NULL, NULL), 0, "without asking the IPCP");
    fake_status(IPCP_METHOD_BOOTSTRAP, -EADDRINUSE);
    is(bootstrap(ipcp, IRM_IPCP_TYPE_UDP4), -EADDRINUSE,
       "the IPCP's bootstrap fails: its error is the answer");
    announce(ipcp, IPCP_STATE_INIT, "", R);
    ok(!R->bootstrapped && !R->has_conf, "and no config is kept");
    fake_status(IPCP_METHOD_BOOTSTRAP, 0);
    is(bootstrap(ipcp, IRM_IPCP_TYPE_UDP4), 0, "BOOTSTRAP answered once the IPCP answered 0");
    ok(fake_req(IPCP_METHOD_BOOTSTRAP, -1, IPCP_BOOTSTRAP_FIELDS, b, NULL) == 2 &&
           b->has_conf && strcmp(b->conf.layer, "lay") == 0 &&
           b->conf.type == IRM_IPCP_TYPE_UDP4 && b->conf.ip.size == 4 &&
           memcmp(b->conf.ip.bytes, "\x7f\x00\x00\x01", 4) == 0,
       "the IPCP got BOOTSTRAP with the config");
    free(b);
    /* The IPCP reports the state its bootstrap gave it. */
    is(announce(ipcp, IPCP_STATE_OPERATIONAL, "lay", R), 0, "it announces itself operational");
    ok(R->bootstrapped && R->has_conf && strcmp(R->conf.layer, "lay") == 0 &&
           R->conf.ip.size == 4 && R->conf.dir_hash_algo == DIR_HASH_MD5,
       "an announce now gets the config back: bootstrapped, layer, address, hash");
    is(bootstrap(ipcp, IRM_IPCP_TYPE_UDP4), -EIPCPSTATE, "a second BOOTSTRAP: -EIPCPSTATE");
    ok(ipcp_entry(&info) && info.state == IPCP_STATE_OPERATIONAL &&
           strcmp(info.layer, "lay") == 0,
       "IPCP_LIST: operational in its layer");
}

#define EXTRA_NAMES 20

static bool resume_has(const irm_ipcp_resume_t *r, const char *name)
{
    for (pb_size_t k = 0; k < r->regs_count; k++)
        if (hash_is(r->regs[k].bytes, r->regs[k].size, name))
            return true;
    return false;
}

static void test_names(pid_t ipcp)
{
    ipcp_hash_t h = IPCP_HASH_INIT_ZERO;

    is(name_reg(IRM_METHOD_NAME_REG, "echo", ipcp), 0, "NAME_REG in the IPCP");
    ok(fake_req(IPCP_METHOD_REG, -1, IPCP_HASH_FIELDS, &h, NULL) == 1 &&
           hash_is(h.hash.bytes, h.hash.size, "echo"),
       "the IPCP got REG with the name's hash in its layer (MD5)");
    fake_status(IPCP_METHOD_REG, -ENOSPC);
    is(name_reg(IRM_METHOD_NAME_REG, "nope", ipcp), -ENOSPC,
       "the IPCP's refusal is the answer");
    fake_status(IPCP_METHOD_REG, 0);
    announce(ipcp, IPCP_STATE_OPERATIONAL, "lay", R);
    ok(R->regs_count == 1 && hash_is(R->regs[0].bytes, R->regs[0].size, "echo"),
       "the resume lists the registered name's hash, not the refused one");
    is(name_reg(IRM_METHOD_NAME_UNREG, "nope", ipcp), -ENOENT,
       "NAME_UNREG of a name not registered in it: -ENOENT");
    is(name_reg(IRM_METHOD_NAME_REG, "echo", 99999999), -EIPCP, "NAME_REG in no IPCP: -EIPCP");

    /* More names than a resume once carried (16). */
    for (int k = 0; k < EXTRA_NAMES + 1; k++) {
        char n[16];

        snprintf(n, sizeof(n), "n%d", k);
        if (name_reg(IRM_METHOD_NAME_REG, n, ipcp) < 0)
            break;
    }
    is(name_reg(IRM_METHOD_NAME_UNREG, "n0", ipcp), 0, "NAME_UNREG");
    ok(fake_req(IPCP_METHOD_UNREG, -1, IPCP_HASH_FIELDS, &h, NULL) == 1 &&
           hash_is(h.hash.bytes, h.hash.size, "n0"),
       "the IPCP got UNREG with the hash");
    announce(ipcp, IPCP_STATE_OPERATIONAL, "lay", R);
    ok(R->regs_count == 1 + EXTRA_NAMES && resume_has(R, "echo") && resume_has(R, "n20") &&
           !resume_has(R, "n0"),
       "a resume gives back every name registered (%d)", (int)R->regs_count);
}

static uint32_t test_alloc(pid_t ipcp)
{
    ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));
    irm_flow_entry_t e;
    struct acall a;
    bool rings = false;
    uint32_t id = 0;

    alloc_start(&a, "far", 3000, getpid());
    ok(fake_wait(IPCP_METHOD_ALLOC, 1, WAIT_MS) &&
           fake_req(IPCP_METHOD_ALLOC, -1, IPCP_FLOW_ALLOC_FIELDS, m, &rings) == 1,
       "a flow_alloc to a name not served here goes to the IPCP as ALLOC");
    id = m->info.flow_id;
    ok(m->has_info && id != 0 && m->info.peer_pid == getpid() &&
           hash_is(m->hash.bytes, m->hash.size, "far") && m->timeout_ms > 0 &&
           m->timeout_ms <= 3000,
       "with the IPCP's end of the flow, the hash in its layer and the time left");
    ok(rings && m->info.rx_ring[0] != '\0' && strcmp(m->info.rx_ring, m->info.tx_ring) != 0,
       "whose two rings exist in /dev/shm when the IPCP is asked");
    ok(flow_entry(id, &e) && strcmp(e.state, "pending") == 0, "the flow is listed as pending");
    is(alloc_reply(ipcp, id, 0, "blob-A"), 0, "IPCP_FLOW_ALLOC_REPLY 0: the peer accepted");
    ok(acall_wait(&a, WAIT_MS) && a.status == 0 && a.rep.flow_id == id, "flow_alloc answers 0");
    ok(a.rep.max_sdu == 1400 && a.rep.peer_pid == ipcp && a.rep.mpl_ms == 1 + 5 &&
           strcmp(a.rep.tx_ring, m->info.rx_ring) == 0,
       "with the flow's info: the IPCP's max SDU, the IPCP as peer, the layer's lifetime");
    ok(flow_entry(id, &e) && strcmp(e.state, "allocated") == 0 && e.pid_a == getpid() &&
           e.pid_b == ipcp,
       "FLOW_LIST: allocated, between the application and the IPCP");
    is(alloc_reply(ipcp, id, 0, ""), -ENOTALLOC, "a second reply: -ENOTALLOC");
    free(m);
    return id;
}

static void test_refused(pid_t ipcp)
{
    ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));
    struct acall a;
    int n = fake_req(IPCP_METHOD_ALLOC, -1, NULL, NULL, NULL);

    fake_status(IPCP_METHOD_DEALLOC, -ENOTALLOC);
    alloc_start(&a, "far2", 3000, getpid());
    fake_wait(IPCP_METHOD_ALLOC, n + 1, WAIT_MS);
    fake_req(IPCP_METHOD_ALLOC, -1, IPCP_FLOW_ALLOC_FIELDS, m, NULL);
    is(alloc_reply(ipcp, m->info.flow_id, -ECONNREFUSED, ""), 0, "the peer refuses");
    acall_wait(&a, WAIT_MS);
    ok(a.status == -ECONNREFUSED, "the application's flow_alloc gets the IPCP's error (%d)",
       a.status);
    ok(fake_dealloc_of(m->info.flow_id, WAIT_MS), "the IPCP is told to let the flow go");
    ok(flow_gone(m->info.flow_id, WAIT_MS),
       "it does not hold it (-ENOTALLOC): the flow is gone");

    /* The IPCP cannot even send the request. */
    fake_status(IPCP_METHOD_ALLOC, -EHOSTUNREACH);
    alloc_start(&a, "far5", 3000, getpid());
    acall_wait(&a, WAIT_MS);
    ok(a.status == -EHOSTUNREACH, "ALLOC refused by the IPCP: flow_alloc gets its error (%d)",
       a.status);
    fake_req(IPCP_METHOD_ALLOC, -1, IPCP_FLOW_ALLOC_FIELDS, m, NULL);
    ok(fake_dealloc_of(m->info.flow_id, WAIT_MS) && flow_gone(m->info.flow_id, WAIT_MS),
       "the IPCP is told, the flow is gone");
    fake_status(IPCP_METHOD_ALLOC, 0);
    fake_status(IPCP_METHOD_DEALLOC, 0);
    free(m);
}

static void test_timeout(pid_t ipcp)
{
    ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));
    irm_flow_dealloc_t cl = IRM_FLOW_DEALLOC_INIT_ZERO;
    irm_flow_entry_t e;
    struct acall a;
    int n = fake_req(IPCP_METHOD_ALLOC, -1, NULL, NULL, NULL);

    alloc_start(&a, "far3", 300, getpid());
    fake_wait(IPCP_METHOD_ALLOC, n + 1, WAIT_MS);
    fake_req(IPCP_METHOD_ALLOC, -1, IPCP_FLOW_ALLOC_FIELDS, m, NULL);
    ok(acall_wait(&a, WAIT_MS) && a.status == -ETIMEDOUT,
       "the peer never answers: flow_alloc fails with -ETIMEDOUT");
    ok(a.took_ms >= 280 && a.took_ms < 2000, "at its deadline (%llu ms)",
       (unsigned long long)a.took_ms);
    ok(fake_dealloc_of(m->info.flow_id, WAIT_MS), "and the IPCP gets DEALLOC");
    ok(flow_entry(m->info.flow_id, &e) && strcmp(e.state, "closing") == 0,
       "the flow waits for the IPCP to close its end");
    is(alloc_reply(ipcp, m->info.flow_id, 0, ""), -ENOTALLOC, "a late acceptance: -ENOTALLOC");
    cl.pid = ipcp;
    cl.flow_id = m->info.flow_id;
    is(call(IRM_METHOD_IPCP_FLOW_CLOSE, IRM_FLOW_DEALLOC_FIELDS, &cl, NULL, NULL), 0,
       "IPCP_FLOW_CLOSE");
    ok(flow_gone(m->info.flow_id, WAIT_MS), "then the flow is gone");
    free(m);
}

/* Waiting accepts and allocations, read on the daemon's loop. */
struct waiting {
    size_t accepts, allocs;
};

static void read_waiting(void *arg)
{
    struct waiting *w = arg;

    w->accepts = zlistx_size(S.d.reg.accepts);
    w->allocs = zlistx_size(S.d.reg.allocs);
}

static bool wait_waiting(size_t accepts, size_t allocs, int ms)
{
    uint64_t end = deadline_after_ms(ms);
    struct waiting w = {0};

    do {
        if (on_loop(&S, read_waiting, &w) && w.accepts == accepts && w.allocs == allocs)
            return true;
        usleep(1000);
    } while (now_ns() < end);
    return false;
}

static void req_arr_of(struct acall *a, pid_t ipcp, const char *name, const char *blob)
{
    memset(a, 0, sizeof(*a));
    a->req.req_arr.pid = ipcp;
    a->req.req_arr.hash.size =
        (pb_size_t)hash_name(DIR_HASH_MD5, name, a->req.req_arr.hash.bytes);
    a->req.req_arr.has_qos = true;
    a->req.req_arr.qos.loss = 1;
    a->req.req_arr.mpl_ms = 4;
    a->req.req_arr.blob.size = (pb_size_t)strlen(blob);
    memcpy(a->req.req_arr.blob.bytes, blob, a->req.req_arr.blob.size);
    a->req.req_arr.timeout_ms = 4000;
}

static void accept_of(struct acall *a)
{
    memset(a, 0, sizeof(*a));
    a->req.accept.pid = getpid();
    a->req.accept.timeout_ms = 4000;
}

static uint32_t test_req_arr(pid_t ipcp)
{
    irm_bind_process_t b = IRM_BIND_PROCESS_INIT_ZERO;
    irm_flow_dealloc_t d = IRM_FLOW_DEALLOC_INIT_ZERO;
    irm_flow_info_t info = IRM_FLOW_INFO_INIT_ZERO;
    struct acall acc, req;
    irm_flow_entry_t e;
    uint32_t id;
    int n;

    b.pid = getpid();
    snprintf(b.name, sizeof(b.name), "echo");
    is(call(IRM_METHOD_BIND_PROCESS, IRM_BIND_PROCESS_FIELDS, &b, NULL, NULL), 0,
       "the application binds itself to echo");

    /* The application accepts first. */
    accept_of(&acc);
    acall_start(&acc, IRM_METHOD_FLOW_ACCEPT, IRM_FLOW_ACCEPT_FIELDS);
    ok(wait_waiting(1, 0, WAIT_MS), "the application waits in flow_accept");
    req_arr_of(&req, ipcp, "echo", "peer-B");
    is(call(IRM_METHOD_IPCP_FLOW_REQ_ARR, IRM_FLOW_REQ_ARR_FIELDS, &req.req.req_arr,
            IRM_FLOW_INFO_FIELDS, &req.rep),
       0, "IPCP_FLOW_REQ_ARR for a registered name: the IPCP gets a flow at once");
    ok(acall_wait(&acc, WAIT_MS) && acc.status == 0 && acc.rep.flow_id == req.rep.flow_id &&
           req.rep.flow_id != 0,
       "and the accepting application the same flow");
    ok(req.rep.peer_pid == getpid() && acc.rep.peer_pid == ipcp &&
           strcmp(req.rep.tx_ring, acc.rep.rx_ring) == 0 &&
           strcmp(req.rep.rx_ring, acc.rep.tx_ring) == 0,
       "each end sees the other as peer, the rings crossed");
    ok(acc.rep.max_sdu == 1400 && acc.rep.mpl_ms == 1 + 4,
       "the application's end carries the IPCP's max SDU and the layer's lifetime");
    ok(flow_entry(req.rep.flow_id, &e) && e.pid_a == ipcp && e.pid_b == getpid(),
       "FLOW_LIST: from the IPCP to the application");

    id = req.rep.flow_id;
    /* The request comes first and waits for an accept. */
    req_arr_of(&acc, ipcp, "echo", "peer-C");
    acall_start(&acc, IRM_METHOD_IPCP_FLOW_REQ_ARR, IRM_FLOW_REQ_ARR_FIELDS);
    ok(wait_waiting(0, 1, WAIT_MS), "a request nobody accepts yet waits");
    accept_of(&req);
    is(call(IRM_METHOD_FLOW_ACCEPT, IRM_FLOW_ACCEPT_FIELDS, &req.req.accept,
            IRM_FLOW_INFO_FIELDS, &info),
       0, "the application's flow_accept takes it");
    ok(acall_wait(&acc, WAIT_MS) && acc.status == 0 && acc.rep.flow_id == info.flow_id &&
           info.peer_pid == ipcp && info.max_sdu == 1400,
       "the IPCP's request is answered with the same flow");
    d.pid = getpid();
    d.flow_id = info.flow_id;
    n = fake_req(IPCP_METHOD_DEALLOC, -1, NULL, NULL, NULL);
    is(call(IRM_METHOD_FLOW_DEALLOC, IRM_FLOW_DEALLOC_FIELDS, &d, NULL, NULL), 0,
       "the application deallocates it");
    ok(fake_wait(IPCP_METHOD_DEALLOC, n + 1, WAIT_MS) && fake_dealloc_of(info.flow_id, 0),
       "the IPCP gets DEALLOC for it");
    ok(flow_entry(info.flow_id, &e) && strcmp(e.state, "closing") == 0,
       "the flow waits for the IPCP's end");
    d.pid = 12345;
    is(call(IRM_METHOD_IPCP_FLOW_CLOSE, IRM_FLOW_DEALLOC_FIELDS, &d, NULL, NULL), -EPERM,
       "IPCP_FLOW_CLOSE from a process that holds no end of it: -EPERM");
    d.pid = ipcp;
    is(call(IRM_METHOD_IPCP_FLOW_CLOSE, IRM_FLOW_DEALLOC_FIELDS, &d, NULL, NULL), 0,
       "IPCP_FLOW_CLOSE from the IPCP");
    ok(flow_gone(info.flow_id, WAIT_MS), "the flow is gone");

    req_arr_of(&acc, ipcp, "nope", "");
    is(call(IRM_METHOD_IPCP_FLOW_REQ_ARR, IRM_FLOW_REQ_ARR_FIELDS, &acc.req.req_arr, NULL,
            NULL),
       -ENAME, "a request for a name not registered in the IPCP: -ENAME");
    acc.req.req_arr.pid = getpid();
    is(call(IRM_METHOD_IPCP_FLOW_REQ_ARR, IRM_FLOW_REQ_ARR_FIELDS, &acc.req.req_arr, NULL,
            NULL),
       -EIPCP, "from a process that is no IPCP: -EIPCP");
    return id;
}

/* An application that dies while its flow waits for the peer. */
static void test_app_death(pid_t ipcp)
{
    irm_proc_announce_t pa = IRM_PROC_ANNOUNCE_INIT_ZERO;
    irm_proc_info_t pi = IRM_PROC_INFO_INIT_ZERO;
    ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));
    irm_flow_dealloc_t cl = IRM_FLOW_DEALLOC_INIT_ZERO;
    int n = fake_req(IPCP_METHOD_ALLOC, -1, NULL, NULL, NULL);
    pid_t app = child_run(sleeper, NULL);
    struct acall a;

    pa.pid = app;
    snprintf(pa.prog, sizeof(pa.prog), "short-lived");
    is(call(IRM_METHOD_PROC_ANNOUNCE, IRM_PROC_ANNOUNCE_FIELDS, &pa, IRM_PROC_INFO_FIELDS, &pi),
       0, "another application announces itself");
    alloc_start(&a, "far6", 6000, app);
    ok(fake_wait(IPCP_METHOD_ALLOC, n + 1, WAIT_MS) &&
           fake_req(IPCP_METHOD_ALLOC, -1, IPCP_FLOW_ALLOC_FIELDS, m, NULL) == n + 1 &&
           m->info.peer_pid == app,
       "its flow_alloc reaches the IPCP");
    child_kill9(app);
    acall_wait(&a, WAIT_MS);
    ok(a.status == -EFLOWPEER, "it dies: the flow_alloc is answered -EFLOWPEER (%d)", a.status);
    ok(fake_dealloc_of(m->info.flow_id, WAIT_MS), "and the IPCP gets DEALLOC");
    cl.pid = ipcp;
    cl.flow_id = m->info.flow_id;
    call(IRM_METHOD_IPCP_FLOW_CLOSE, IRM_FLOW_DEALLOC_FIELDS, &cl, NULL, NULL);
    ok(flow_gone(m->info.flow_id, WAIT_MS), "its IPCP_FLOW_CLOSE ends the flow");
    free(m);
}

static void test_death(pid_t ipcp, uint32_t f1, uint32_t f2)
{
    ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));
    irm_flow_entry_t e1, e2;
    irm_ipcp_info_t info;
    struct acall a;
    int n = fake_req(IPCP_METHOD_ALLOC, -1, NULL, NULL, NULL);

    alloc_start(&a, "far4", 6000, getpid());
    ok(fake_wait(IPCP_METHOD_ALLOC, n + 1, WAIT_MS) &&
           fake_req(IPCP_METHOD_ALLOC, -1, IPCP_FLOW_ALLOC_FIELDS, m, NULL) == n + 1,
       "a flow waits for the peer's answer");
    child_kill9(ipcp);
    acall_wait(&a, WAIT_MS);
    ok(a.status == -EIPCP,
       "the IPCP's process dies: the waiting flow_alloc fails with -EIPCP (%d)", a.status);
    ok(flow_gone(m->info.flow_id, WAIT_MS), "the pending flow is gone");
    ok(flow_entry(f1, &e1) && flow_entry(f2, &e2) && e1.pid_b == ipcp && e2.pid_a == ipcp &&
           strcmp(e1.state, "allocated") == 0 && strcmp(e2.state, "allocated") == 0,
       "FLOW_LIST still shows its two flows, allocated, with its ends");
    ok(ipcp_entry(&info) && info.state == IPCP_STATE_DOWN && info.pid == ipcp,
       "IPCP_LIST: down, with its last pid");
    a.req.alloc.timeout_ms = 1000;
    is(call(IRM_METHOD_FLOW_ALLOC, IRM_FLOW_ALLOC_FIELDS, &a.req.alloc, NULL, NULL), -ENAME,
       "no IPCP up: a flow to a name not served here is -ENAME at once");
    free(m);
}

/* Its next process takes the flows back. */
static pid_t test_back(pid_t old, uint32_t f1, uint32_t f2)
{
    pid_t ipcp = child_run(sleeper, NULL);
    irm_flow_entry_t e;
    bool seen1 = false, seen2 = false;

    is(announce(ipcp, IPCP_STATE_INIT, "", R), 0, "a new process of the IPCP announces");
    ok(R->bootstrapped && R->has_conf && strcmp(R->conf.layer, "lay") == 0 &&
           R->regs_count == 1 + EXTRA_NAMES && resume_has(R, "echo"),
       "it gets the config and the names back");
    for (pb_size_t k = 0; k < R->flows_count; k++) {
        irm_ipcp_flow_t *fl = &R->flows[k];
        if (fl->info.flow_id == f1)
            seen1 = fl->blob.size == 6 && memcmp(fl->blob.bytes, "blob-A", 6) == 0 &&
                    hash_is(fl->hash.bytes, fl->hash.size, "far") &&
                    shm_exists(fl->info.rx_ring);
        if (fl->info.flow_id == f2)
            seen2 = fl->blob.size == 6 && memcmp(fl->blob.bytes, "peer-B", 6) == 0 &&
                    hash_is(fl->hash.bytes, fl->hash.size, "echo");
    }
    ok(R->flows_total == 2 && seen1 && seen2,
       "and both flows, with the blobs and hashes it recorded, their rings still there");
    ok(flow_entry(f1, &e) && e.pid_b == ipcp && e.pid_b != old,
       "the flows' ends are the new process's");
    announce(ipcp, IPCP_STATE_OPERATIONAL, "lay", R);
    return ipcp;
}

/* The IPCP's process is also an application (a unicast IPCP's N-1
 * flows): each side keeps its own event queues whichever announces, and a
 * flow it allocates never goes over its own layer. */
static void test_ipcp_app(pid_t ipcp)
{
    irm_proc_announce_t pa = IRM_PROC_ANNOUNCE_INIT_ZERO;
    irm_proc_info_t pi = IRM_PROC_INFO_INIT_ZERO;
    irm_flow_alloc_t fa = IRM_FLOW_ALLOC_INIT_ZERO;
    char app_evq[sizeof(pi.evq)], want[32];

    pa.pid = ipcp;
    snprintf(pa.prog, sizeof(pa.prog), "routing");
    snprintf(want, sizeof(want), "evq.%d", (int)ipcp);
    is(call(IRM_METHOD_PROC_ANNOUNCE, IRM_PROC_ANNOUNCE_FIELDS, &pa, IRM_PROC_INFO_FIELDS, &pi),
       0, "the IPCP's process announces itself as an application");
    ok(strstr(pi.evq, want) != NULL && shm_exists(pi.evq),
       "its application side gets queues of its own (%s)", pi.evq);
    snprintf(app_evq, sizeof(app_evq), "%s", pi.evq);
    is(announce(ipcp, IPCP_STATE_OPERATIONAL, "lay", R), 0, "the IPCP announces again");
    ok(strstr(R->evq, "evq.ipcp.udp0") != NULL && shm_exists(R->evq) && shm_exists(app_evq),
       "it keeps its own queues, and the application side's stay");
    fa.pid = ipcp;
    snprintf(fa.name, sizeof(fa.name), "far7");
    fa.timeout_ms = 1000;
    is(call(IRM_METHOD_FLOW_ALLOC, IRM_FLOW_ALLOC_FIELDS, &fa, NULL, NULL), -ENAME,
       "a flow it allocates is not offered to its own layer: -ENAME at once");
}

/* A new daemon reads the state the first one left. */
static void test_persist(uint32_t f1, uint32_t f2)
{
    struct reg_ipcp *i;
    struct reg_flow *f;

    daemon_fini(&S);
    ok(daemon_init(&S) > 0, "a new daemon loads the state folder");
    i = reg_ipcp_by_name(&S.d.reg, "udp0");
    ok(i != NULL && i->type == IPCP_UDP4 && i->bootstrapped && i->conf != NULL &&
           strcmp(i->conf->layer, "lay") == 0 && i->conf->ip.size == 4,
       "the IPCP is back with its config");
    ok(i != NULL && reg_ipcp_has_name(i, "echo") && !reg_ipcp_has_name(i, "nope") &&
           reg_ipcp_has_name(i, "n20") && zlistx_size(i->regs) == 1 + EXTRA_NAMES,
       "and its names");
    f = reg_flow_get(&S.d.reg, f1);
    ok(f != NULL && f->restored && f->end[1].ipcp && f->end[1].pid == i->pid &&
           f->blob_len == 6 && reg_flow_get(&S.d.reg, f2) != NULL,
       "its flows too, with their blobs");
    daemon_fini(&S);
}

/* Remove every shm object of the node. */
static void shm_wipe(void)
{
    struct run_folder rf;
    size_t plen;
    DIR *dir = opendir("/dev/shm");
    struct dirent *e;

    if (run_folder_for_daemon(&rf, NODE) < 0)
        return;
    plen = strlen(rf.shm_prefix) - 1;
    while (dir != NULL && (e = readdir(dir)) != NULL) {
        char name[300];

        if (strncmp(e->d_name, rf.shm_prefix + 1, plen) != 0)
            continue;
        snprintf(name, sizeof(name), "/%s", e->d_name);
        shm_object_unlink(name);
    }
    if (dir != NULL)
        closedir(dir);
}

int main(void)
{
    irm_proc_announce_t pa = IRM_PROC_ANNOUNCE_INIT_ZERO;
    irm_proc_info_t pi = IRM_PROC_INFO_INIT_ZERO;
    const char *dir;
    uint32_t f1, f2;
    pid_t ipcp;

    plan(84 + 5);
    dir = proc_tmp_dir("irmdipcps");
    snprintf(NODE, sizeof(NODE), "irp%d", (int)getpid());
    setenv("OUROBUS_LOG", "warn", 0);
    atexit(shm_wipe);
    /* The service first: it blocks its signals before any thread. */
    daemon_init(&S);
    run_folder_endpoint(S.d.rf, "irmd.ctl", IRMD_EP, sizeof(IRMD_EP));
    fake_start(dir);
    daemon_start(&S);
    C = bus_client_new(IRMD_EP, "test-main");
    R = calloc(1, sizeof(*R));
    ipcp = child_run(sleeper, NULL);
    if (C == NULL || R == NULL || ipcp < 0)
        bail_out("no client or no IPCP process");
    pa.pid = getpid();
    snprintf(pa.prog, sizeof(pa.prog), "test");
    if (call(IRM_METHOD_PROC_ANNOUNCE, IRM_PROC_ANNOUNCE_FIELDS, &pa, IRM_PROC_INFO_FIELDS,
             &pi) < 0)
        bail_out("the application cannot announce itself");

    test_announce(ipcp);
    test_bootstrap(ipcp);
    test_names(ipcp);
    f1 = test_alloc(ipcp);
    test_refused(ipcp);
    test_timeout(ipcp);
    f2 = test_req_arr(ipcp);
    test_app_death(ipcp);
    test_death(ipcp, f1, f2);
    ipcp = test_back(ipcp, f1, f2);
    test_ipcp_app(ipcp);
    bus_client_destroy(&C);
    test_persist(f1, f2);

    child_kill9(ipcp);
    fake_stop();
    free(R);
    return done();
}
