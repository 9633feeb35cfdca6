/*
 * test_ipcp_dev.c - the IPCP daemons' library against a fake IRM daemon:
 * the announce and what a resume gives back (config, names, flows and
 * their blobs, in pages), the IRM daemon's requests turned into ops, N+1
 * flows (allocation and its answer, requests from the layer, the ways
 * they end), the zero-copy data path, a data thread racing a flow's end,
 * a restart of the IRM daemon, and destroy.
 *
 *   test as IRM --bus_client--> <run>/t-ipcp.X.ctl   [service loop thread]
 *   ipcp_dev --irmd_call, call_pool--> <run>/irmd.ctl   [fake IRM thread]
 *   test as application <--rings, event queues (/dev/shm)--> ipcp_dev
 *
 * The fake makes what the real daemon makes: the packet pool, the IPCP's
 * event queues, the application's, and two rings per flow.
 */
#include "bus_client.h"
#include "bus_events.h"
#include "bus_server.h"
#include "deadline.h"
#include "event_queue.h"
#include "evq_set.h"
#include "hash.h"
#include "ipcp.pb.h"
#include "ipcp_dev.h"
#include "irm.pb.h"
#include "log.h"
#include "pool.h"
#include "proc.h"
#include "qos_msg.h"
#include "ring.h"
#include "ring_shm.h"
#include "run_folder.h"
#include "service.h"
#include "shm_object.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <ourobus/errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#define IDS        64 /* flow ids used: 1..63 */
#define RING_SLOTS 8
#define APP_QUEUE  2 /* the application's queue its rx ring posts to */
#define LOG_MAX    256
#define LOG_BODY   2048
#define WAIT_MS    5000

static struct run_folder RF;
static char NODE[32];

/* ---- the fake IRM daemon ---------------------------------------------- */

struct logged {
    uint32_t method;
    size_t len;
    uint8_t body[LOG_BODY];
};

struct fake {
    pthread_t thread;
    atomic_int stop;
    atomic_int ready;
    atomic_int ticking; /* publish ticks of another epoch: "restarted" */
    char endpoint[160];
    char events[160];
    pthread_mutex_t lock;
    irm_ipcp_resume_t *resume; /* every announce gets this ... */
    irm_ipcp_flow_t flows[8];  /* ... with these flows, page by page */
    int nflows;
    int page;
    int req_arr_status;
    irm_flow_info_t req_arr_info;
    int alloc_reply_status;
    struct logged *log;
    int nlog;
};

static struct fake F;

static int fake_on_call(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct fake *f = arg;
    irm_ipcp_info_t info = IRM_IPCP_INFO_INIT_ZERO;
    irm_ipcp_resume_t *r;
    int err = 0;

    pthread_mutex_lock(&f->lock);
    if (f->nlog < LOG_MAX && req->body.size <= LOG_BODY) {
        f->log[f->nlog].method = req->method;
        f->log[f->nlog].len = req->body.size;
        memcpy(f->log[f->nlog].body, req->body.data, req->body.size);
        f->nlog++;
    }
    switch (req->method) {
    case IRM_METHOD_IPCP_ANNOUNCE:
        r = malloc(sizeof(*r));
        if (r == NULL || bus_request_decode(req, IRM_IPCP_INFO_FIELDS, &info) < 0) {
            free(r);
            err = -EINVAL;
            break;
        }
        *r = *f->resume;
        r->flows_count = 0;
        for (int k = (int)info.flows_offset; k < f->nflows && (int)r->flows_count < f->page;
             k++)
            r->flows[r->flows_count++] = f->flows[k];
        r->flows_total = (uint32_t)f->nflows;
        err = bus_reply_encode(rep, IRM_IPCP_RESUME_FIELDS, r);
        free(r);
        break;
    case IRM_METHOD_IPCP_FLOW_REQ_ARR:
        err = f->req_arr_status;
        if (err == 0)
            err = bus_reply_encode(rep, IRM_FLOW_INFO_FIELDS, &f->req_arr_info);
        break;
    case IRM_METHOD_IPCP_FLOW_ALLOC_REPLY:
        err = f->alloc_reply_status;
        break;
    case IRM_METHOD_IPCP_FLOW_BLOB:
    case IRM_METHOD_IPCP_FLOW_CLOSE:
        break;
    default:
        err = -ENOSYS;
    }
    pthread_mutex_unlock(&f->lock);
    return err;
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    struct bus_server *s = bus_server_new(f->endpoint, 0x5eed0002, NULL);
    struct bus_pub *pub = bus_pub_new(f->events, 0x0ddba11);
    uint64_t next_tick = 0;
    zpoller_t *poller;

    if (s == NULL || pub == NULL) {
        bus_pub_destroy(&pub);
        bus_server_destroy(&s);
        atomic_store(&f->ready, -1);
        return NULL;
    }
    for (uint32_t m = IRM_METHOD_IPCP_ANNOUNCE; m <= IRM_METHOD_IPCP_FLOW_CLOSE; m++)
        bus_server_add_method(s, m, BUS_METHOD_IDEMPOTENT, fake_on_call, f);
    poller = zpoller_new(bus_server_sock(s), NULL);
    atomic_store(&f->ready, 1);
    while (!atomic_load(&f->stop)) {
        zpoller_wait(poller, 5);
        while (bus_server_handle_one(s) > 0)
            ;
        if (atomic_load(&f->ticking) && now_ns() >= next_tick) {
            bus_pub_tick(pub);
            next_tick = now_ns() + 20000000ull;
        }
    }
    zpoller_destroy(&poller);
    bus_pub_destroy(&pub);
    bus_server_destroy(&s);
    return NULL;
}

static void fake_start(void)
{
    uint64_t end = deadline_after_ms(WAIT_MS);

    pthread_mutex_init(&F.lock, NULL);
    F.resume = calloc(1, sizeof(*F.resume));
    F.log = calloc(LOG_MAX, sizeof(*F.log));
    if (F.resume == NULL || F.log == NULL)
        bail_out("out of memory");
    F.page = 24;
    run_folder_endpoint(&RF, "irmd.ctl", F.endpoint, sizeof(F.endpoint));
    run_folder_endpoint(&RF, "irmd.evt", F.events, sizeof(F.events));
    if (pthread_create(&F.thread, NULL, fake_main, &F) != 0)
        bail_out("cannot start the fake IRM daemon");
    while (atomic_load(&F.ready) == 0 && now_ns() < end)
        usleep(1000);
    if (atomic_load(&F.ready) != 1)
        bail_out("the fake IRM daemon did not start");
}

static void fake_stop(void)
{
    atomic_store(&F.stop, 1);
    pthread_join(F.thread, NULL);
    free(F.resume);
    free(F.log);
    pthread_mutex_destroy(&F.lock);
}

/* How many requests of method came, and decode the last one. */
static int fake_last(uint32_t method, const pb_msgdesc_t *fields, void *msg)
{
    int n = 0, last = -1;

    pthread_mutex_lock(&F.lock);
    for (int i = 0; i < F.nlog; i++)
        if (F.log[i].method == method) {
            n++;
            last = i;
        }
    if (last >= 0 && fields != NULL) {
        struct bus_part b = {F.log[last].body, F.log[last].len};
        if (bus_body_decode(&b, fields, msg) < 0)
            n = -1;
    }
    pthread_mutex_unlock(&F.lock);
    return n;
}

/* How many IPCP_FLOW_CLOSE (or FLOW_BLOB, ALLOC_REPLY) came for flow id. */
static int fake_for_flow(uint32_t method, uint32_t id)
{
    int n = 0;

    pthread_mutex_lock(&F.lock);
    for (int i = 0; i < F.nlog; i++) {
        struct bus_part b = {F.log[i].body, F.log[i].len};
        irm_flow_dealloc_t d = IRM_FLOW_DEALLOC_INIT_ZERO;
        irm_flow_blob_t bl = IRM_FLOW_BLOB_INIT_ZERO;
        irm_flow_alloc_reply_t ar = IRM_FLOW_ALLOC_REPLY_INIT_ZERO;

        if (F.log[i].method != method)
            continue;
        if (method == IRM_METHOD_IPCP_FLOW_CLOSE)
            n += bus_body_decode(&b, IRM_FLOW_DEALLOC_FIELDS, &d) == 0 && d.flow_id == id;
        else if (method == IRM_METHOD_IPCP_FLOW_BLOB)
            n += bus_body_decode(&b, IRM_FLOW_BLOB_FIELDS, &bl) == 0 && bl.flow_id == id;
        else
            n += bus_body_decode(&b, IRM_FLOW_ALLOC_REPLY_FIELDS, &ar) == 0 && ar.flow_id == id;
    }
    pthread_mutex_unlock(&F.lock);
    return n;
}

/* ---- shared memory the daemon would make ------------------------------- */

static struct pool *POOL;
static char POOL_NAME[SHM_NAME_MAX];
static struct evq_set APP;
static char APP_EVQ[SHM_NAME_MAX];

/* The application's view of a flow: the IPCP holds end e; ring d carries
 * end d's packets. */
struct app_flow {
    int e;
    struct ring_map ring[2];
    char name[2][SHM_NAME_MAX];
};

static struct app_flow FLOWS[IDS];

static struct ring *app_tx(uint32_t id)
{
    return FLOWS[id].ring[1 - FLOWS[id].e].ring;
}

static struct ring *app_rx(uint32_t id)
{
    return FLOWS[id].ring[FLOWS[id].e].ring;
}

/* Make flow id's rings, the IPCP at end e; its end's description. */
static irm_flow_info_t flow_make(uint32_t id, int e)
{
    irm_flow_info_t info = IRM_FLOW_INFO_INIT_ZERO;
    struct app_flow *a = &FLOWS[id];

    a->e = e;
    for (int dir = 0; dir < 2; dir++) {
        ring_shm_name(&RF, id, dir, a->name[dir], sizeof(a->name[dir]));
        shm_object_unlink(a->name[dir]);
        if (ring_shm_create(&a->ring[dir], a->name[dir], RING_SLOTS, ring_shm_tag(id, dir),
                            0600) < 0)
            bail_out("cannot make the rings of flow %u", id);
        /* The IPCP reads its rx ring through its event queue. */
        if (dir != e)
            ring_set_notify(a->ring[dir].ring, NP1_QUEUE);
        else
            ring_set_notify(a->ring[dir].ring, APP_QUEUE);
    }
    info.flow_id = id;
    info.peer_pid = getpid();
    snprintf(info.tx_ring, sizeof(info.tx_ring), "%s", a->name[e]);
    snprintf(info.rx_ring, sizeof(info.rx_ring), "%s", a->name[1 - e]);
    snprintf(info.peer_evq, sizeof(info.peer_evq), "%s", APP_EVQ);
    info.has_qos = true;
    info.qos.delay = 77;
    info.qos.loss = 1;
    info.mpl_ms = 3;
    snprintf(info.name, sizeof(info.name), "name-%u", id);
    return info;
}

static void flow_unmake(uint32_t id)
{
    for (int dir = 0; dir < 2; dir++) {
        ring_shm_detach(&FLOWS[id].ring[dir]);
        if (FLOWS[id].name[dir][0] != '\0')
            shm_object_unlink(FLOWS[id].name[dir]);
    }
}

/* The application writes text on flow id: 0 and the block, or -errno. */
static int app_send(uint32_t id, const char *text, uint64_t *off)
{
    size_t len = strlen(text);
    int err = pool_alloc(POOL, len, off);

    if (err < 0)
        return err;
    memcpy(pool_blk_data(POOL, *off), text, len);
    pool_blk_give(POOL, *off, app_tx(id)->tag);
    err = ring_push(app_tx(id), *off);
    if (err < 0) {
        pool_blk_take(POOL, *off);
        pool_free(POOL, *off);
    }
    return err;
}

/* The IPCP's event queues, named after it. */
static void ipcp_evq_make(const char *ipcp, struct evq_set *s, char *name, size_t len)
{
    char obj[NAME_SIZE + 16];

    snprintf(obj, sizeof(obj), "evq.ipcp.%s", ipcp);
    run_folder_shm_name(&RF, obj, name, len);
    shm_object_unlink(name);
    if (evq_set_create(s, name, 4, 256, 0600, getpid()) < 0)
        bail_out("cannot make the event queues of IPCP %s", ipcp);
}

/* Remove every shm object of the node. */
static void shm_wipe(void)
{
    size_t plen = strlen(RF.shm_prefix) - 1;
    DIR *dir = opendir("/dev/shm");
    struct dirent *e;

    while (dir != NULL && (e = readdir(dir)) != NULL) {
        char name[300];

        if (strncmp(e->d_name, RF.shm_prefix + 1, plen) != 0)
            continue;
        snprintf(name, sizeof(name), "/%s", e->d_name);
        shm_object_unlink(name);
    }
    if (dir != NULL)
        closedir(dir);
}

/* ---- the IPCP's ops, recording ----------------------------------------- */

struct rec {
    pthread_mutex_t lock;
    pthread_t loop_thread;
    struct ipcp_dev *dev;
    bool off_loop; /* an op that must run on the loop did not */
    int bootstraps;
    struct ipcp_config conf;
    bool boot_sets_state;
    int regs, unregs, reg_status;
    uint8_t hash[IPCP_HASH_MAX];
    size_t hash_len;
    uint8_t reg_hashes[8][IPCP_HASH_MAX];
    int nreg_hashes;
    int queries;
    bool query_on_loop;
    int query_timeout;
    bool query_hold; /* ops->query waits until this is false */
    pthread_cond_t cond;
    bool query_after_destroy; /* ops->query ended after ipcp_dev_destroy had */
    int query_ends;
    atomic_int destroyed;
    int allocs, alloc_status, alloc_timeout;
    uint32_t alloc_id;
    pid_t alloc_peer;
    qosspec_t alloc_qos;
    int deallocs[IDS];
    bool peer_closed[IDS];
    bool rings_held[IDS]; /* rings still there when flow_dealloc ran */
    atomic_bool dealloc_started[IDS];
    int restores[IDS];
    char blob[IDS][IPCP_BLOB_MAX + 1];
    int arrived;
    struct np1_flow *arrived_flow;
    uint32_t arrived_id;
    int arrived_err;
    void *arrived_arg;
    bool arrived_on_loop;
    int enrolls, connects, disconnects, job_status;
    bool job_on_loop;
    char job_dst[NAME_SIZE + 1], job_comp[NAME_SIZE + 1];
    qosspec_t job_qos;
    int job_timeout;
};

static struct rec R;

static void on_loop_check(void)
{
    if (!pthread_equal(pthread_self(), R.loop_thread))
        R.off_loop = true;
}

static int op_bootstrap(void *ctx, const struct ipcp_config *conf)
{
    bool set;

    pthread_mutex_lock(&R.lock);
    on_loop_check();
    R.bootstraps++;
    R.conf = *conf;
    set = R.boot_sets_state;
    pthread_mutex_unlock(&R.lock);
    return set ? ipcp_dev_set_state(R.dev, IPCP_STATE_OPERATIONAL, conf->layer_info.name, 1400)
               : 0;
}

static int op_reg(void *ctx, const uint8_t *hash, size_t len)
{
    int err;

    pthread_mutex_lock(&R.lock);
    on_loop_check();
    R.regs++;
    memcpy(R.hash, hash, len);
    R.hash_len = len;
    if (R.nreg_hashes < 8)
        memcpy(R.reg_hashes[R.nreg_hashes++], hash, len);
    err = R.reg_status;
    pthread_mutex_unlock(&R.lock);
    return err;
}

static int op_unreg(void *ctx, const uint8_t *hash, size_t len)
{
    pthread_mutex_lock(&R.lock);
    on_loop_check();
    R.unregs++;
    memcpy(R.hash, hash, len);
    R.hash_len = len;
    pthread_mutex_unlock(&R.lock);
    return 0;
}

/* The layer reaches the last name registered only. */
static int op_query(void *ctx, const uint8_t *hash, size_t len, int timeout_ms)
{
    int err;

    pthread_mutex_lock(&R.lock);
    R.queries++;
    R.query_on_loop = pthread_equal(pthread_self(), R.loop_thread);
    R.query_timeout = timeout_ms;
    err = R.hash_len == len && memcmp(R.hash, hash, len) == 0 ? 0 : -ENAME;
    while (R.query_hold)
        pthread_cond_wait(&R.cond, &R.lock);
    R.query_after_destroy = atomic_load(&R.destroyed);
    R.query_ends++;
    pthread_mutex_unlock(&R.lock);
    return err;
}

static int op_flow_alloc(void *ctx, struct np1_flow *f, const uint8_t *hash, size_t len,
                         int timeout_ms)
{
    int err;

    pthread_mutex_lock(&R.lock);
    on_loop_check();
    R.allocs++;
    R.alloc_id = f->id;
    R.alloc_peer = f->peer;
    R.alloc_qos = f->qos;
    R.alloc_timeout = timeout_ms;
    memcpy(R.hash, hash, len);
    R.hash_len = len;
    err = R.alloc_status;
    pthread_mutex_unlock(&R.lock);
    return err;
}

static void op_flow_dealloc(void *ctx, struct np1_flow *f)
{
    atomic_store(&R.dealloc_started[f->id % IDS], true);
    pthread_mutex_lock(&R.lock);
    on_loop_check();
    R.deallocs[f->id % IDS]++;
    R.peer_closed[f->id % IDS] = f->peer_closed;
    R.rings_held[f->id % IDS] = f->rx != NULL && f->tx != NULL;
    pthread_mutex_unlock(&R.lock);
}

/* A blob "no" cannot be restored. */
static int op_flow_restore(void *ctx, struct np1_flow *f, const void *blob, size_t len)
{
    int err = len == 2 && memcmp(blob, "no", 2) == 0 ? -EINVAL : 0;

    pthread_mutex_lock(&R.lock);
    on_loop_check();
    R.restores[f->id % IDS]++;
    memcpy(R.blob[f->id % IDS], blob, len);
    R.blob[f->id % IDS][len] = '\0';
    pthread_mutex_unlock(&R.lock);
    return err;
}

/* Enrollment learns a udp4 config of layer "joined". */
static int op_enroll(void *ctx, const char *dst, struct ipcp_config *conf, int timeout_ms)
{
    int err;

    pthread_mutex_lock(&R.lock);
    R.enrolls++;
    R.job_on_loop = pthread_equal(pthread_self(), R.loop_thread);
    snprintf(R.job_dst, sizeof(R.job_dst), "%s", dst);
    R.job_timeout = timeout_ms;
    err = R.job_status;
    pthread_mutex_unlock(&R.lock);
    memset(conf, 0, sizeof(*conf));
    conf->type = IPCP_UDP4;
    conf->layer_info.dir_hash_algo = DIR_HASH_MD5;
    snprintf(conf->layer_info.name, sizeof(conf->layer_info.name), "joined");
    conf->udp.af = AF_INET;
    memcpy(&conf->udp.ip.v4, "\x7f\x00\x00\x01", 4);
    conf->udp.port = 4001;
    return err;
}

static int op_connect(void *ctx, const char *dst, const char *component, const qosspec_t *qos,
                      int timeout_ms)
{
    int err;

    pthread_mutex_lock(&R.lock);
    R.connects++;
    R.job_on_loop = pthread_equal(pthread_self(), R.loop_thread);
    snprintf(R.job_dst, sizeof(R.job_dst), "%s", dst);
    snprintf(R.job_comp, sizeof(R.job_comp), "%s", component);
    R.job_qos = *qos;
    R.job_timeout = timeout_ms;
    err = R.job_status;
    pthread_mutex_unlock(&R.lock);
    return err;
}

static int op_disconnect(void *ctx, const char *dst, const char *component, int timeout_ms)
{
    pthread_mutex_lock(&R.lock);
    R.disconnects++;
    R.job_on_loop = pthread_equal(pthread_self(), R.loop_thread);
    snprintf(R.job_dst, sizeof(R.job_dst), "%s", dst);
    snprintf(R.job_comp, sizeof(R.job_comp), "%s", component);
    R.job_timeout = timeout_ms;
    pthread_mutex_unlock(&R.lock);
    return 0;
}

static const struct ipcp_ops OPS = {
    .enroll = op_enroll,
    .connect = op_connect,
    .disconnect = op_disconnect,
    .bootstrap = op_bootstrap,
    .reg = op_reg,
    .unreg = op_unreg,
    .query = op_query,
    .flow_alloc = op_flow_alloc,
    .flow_dealloc = op_flow_dealloc,
    .flow_restore = op_flow_restore,
};

static int rec_int(const int *field)
{
    int v;

    pthread_mutex_lock(&R.lock);
    v = *field;
    pthread_mutex_unlock(&R.lock);
    return v;
}

static bool wait_int(const int *field, int want, int ms)
{
    uint64_t end = deadline_after_ms(ms);

    while (rec_int(field) < want && now_ns() < end)
        usleep(1000);
    return rec_int(field) >= want;
}

static bool wait_fake(uint32_t method, uint32_t id, int want, int ms)
{
    uint64_t end = deadline_after_ms(ms);
    int n;

    do {
        n = id != 0 ? fake_for_flow(method, id) : fake_last(method, NULL, NULL);
        if (n >= want)
            return true;
        usleep(1000);
    } while (now_ns() < end);
    return false;
}

/* ---- an IPCP in this process: its service's loop on a thread ---------- */

struct ipcp {
    struct service *svc;
    struct ipcp_dev *dev;
    pthread_t thread;
    bool running;
    int mail_fd;
    void (*fn)(void *);
    void *arg;
    atomic_int done;
    char ep[160];
    struct bus_client *irm; /* the test as the IRM daemon */
};

static int on_mailbox(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct ipcp *p = arg;
    uint64_t n;

    (void)loop;
    (void)item;
    if (read(p->mail_fd, &n, sizeof(n)) == (ssize_t)sizeof(n) && p->fn != NULL) {
        p->fn(p->arg);
        p->fn = NULL;
        atomic_store(&p->done, 1);
    }
    return 0;
}

/* Run fn(arg) on the loop's thread and wait for it. */
static bool on_loop(struct ipcp *p, void (*fn)(void *), void *arg)
{
    uint64_t one = 1, end = deadline_after_ms(WAIT_MS);

    atomic_store(&p->done, 0);
    p->arg = arg;
    p->fn = fn;
    if (write(p->mail_fd, &one, sizeof(one)) < 0)
        return false;
    while (!atomic_load(&p->done) && now_ns() < end)
        usleep(500);
    return atomic_load(&p->done);
}

static void *loop_main(void *arg)
{
    struct ipcp *p = arg;

    pthread_mutex_lock(&R.lock);
    R.loop_thread = pthread_self();
    pthread_mutex_unlock(&R.lock);
    service_run(p->svc);
    return NULL;
}

/* Start service t-ipcp.<tag> for IPCP name; dev NULL (errno) on failure. */
static bool ipcp_start(struct ipcp *p, const char *tag, const char *name)
{
    zmq_pollitem_t item = {.events = ZMQ_POLLIN};
    char svc[SERVICE_NAME_MAX + 1], ident[64];

    memset(p, 0, sizeof(*p));
    snprintf(svc, sizeof(svc), "t-ipcp.%s", tag);
    p->svc = service_new(svc, NODE);
    if (p->svc == NULL)
        bail_out("no service %s", svc);
    p->mail_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    item.fd = p->mail_fd;
    zloop_poller(service_loop(p->svc), &item, on_mailbox, p);
    snprintf(ident, sizeof(ident), "%s.ctl", svc);
    run_folder_endpoint(&RF, ident, p->ep, sizeof(p->ep));
    p->dev = ipcp_dev_new(p->svc, name, IPCP_UDP4, &OPS, NULL);
    if (p->dev == NULL)
        return false;
    R.dev = p->dev;
    snprintf(ident, sizeof(ident), "test-irm/%s", tag);
    p->irm = bus_client_new(p->ep, ident);
    p->running = pthread_create(&p->thread, NULL, loop_main, p) == 0;
    return p->running;
}

static void stop_service(void *arg)
{
    service_stop(((struct ipcp *)arg)->svc);
}

/* Stop the loop, destroy the IPCP, then the service. */
static void ipcp_stop(struct ipcp *p)
{
    zmq_pollitem_t item = {.fd = p->mail_fd, .events = ZMQ_POLLIN};

    if (p->running) {
        on_loop(p, stop_service, p);
        pthread_join(p->thread, NULL);
    }
    ipcp_dev_destroy(&p->dev);
    bus_client_destroy(&p->irm);
    zloop_poller_end(service_loop(p->svc), &item);
    close(p->mail_fd);
    service_destroy(&p->svc);
    R.dev = NULL;
}

static void noop(void *arg)
{
    (void)arg;
}

/* Call the IPCP as the IRM daemon does. */
static int irm_call(struct ipcp *p, uint32_t method, const pb_msgdesc_t *fields, const void *m)
{
    return bus_client_call_pb(p->irm, method, fields, m, NULL, NULL, 3000);
}

static int call_hash(struct ipcp *p, uint32_t method, const char *name)
{
    ipcp_hash_t m = IPCP_HASH_INIT_ZERO;

    m.hash.size = (pb_size_t)hash_name(DIR_HASH_MD5, name, m.hash.bytes);
    return irm_call(p, method, IPCP_HASH_FIELDS, &m);
}

static int call_dealloc(struct ipcp *p, uint32_t id)
{
    ipcp_flow_ref_t m = {.flow_id = id};

    return irm_call(p, IPCP_METHOD_DEALLOC, IPCP_FLOW_REF_FIELDS, &m);
}

static int call_alloc(struct ipcp *p, uint32_t id, const char *name)
{
    ipcp_flow_alloc_t *m = calloc(1, sizeof(*m));
    int err;

    m->has_info = true;
    m->info = flow_make(id, 1);
    m->hash.size = (pb_size_t)hash_name(DIR_HASH_MD5, name, m->hash.bytes);
    m->timeout_ms = 1234;
    err = irm_call(p, IPCP_METHOD_ALLOC, IPCP_FLOW_ALLOC_FIELDS, m);
    free(m);
    return err;
}

static bool hash_is(const uint8_t *h, size_t len, const char *name)
{
    uint8_t want[HASH_MAX];
    int n = hash_name(DIR_HASH_MD5, name, want);

    return n > 0 && (size_t)n == len && memcmp(h, want, len) == 0;
}

static void conf_msg(irm_ipcp_config_t *c, const char *layer)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->layer, sizeof(c->layer), "%s", layer);
    c->type = IRM_IPCP_TYPE_UDP4;
    c->dir_hash_algo = DIR_HASH_MD5;
    memcpy(c->ip.bytes, "\x7f\x00\x00\x01", 4);
    c->ip.size = 4;
    c->port = 4000;
}

/* What the fake's announce reply holds: pool, the IPCP's queues, no
 * config, no names, no flows. */
static void resume_reset(const char *evq)
{
    pthread_mutex_lock(&F.lock);
    memset(F.resume, 0, sizeof(*F.resume));
    snprintf(F.resume->pool, sizeof(F.resume->pool), "%s", POOL_NAME);
    snprintf(F.resume->evq, sizeof(F.resume->evq), "%s", evq);
    F.resume->evq_count = 4;
    F.resume->evq_slots = 256;
    F.nflows = 0;
    F.page = 24;
    F.nlog = 0;
    F.req_arr_status = 0;
    F.alloc_reply_status = 0;
    pthread_mutex_unlock(&F.lock);
}

/* ---- the tests ---------------------------------------------------------- */

static void test_no_daemon(void)
{
    struct ipcp p;

    bool started = ipcp_start(&p, "none", "none");
    int err = errno;

    ok(!started && p.dev == NULL && err == EIRMD,
       "no IRM daemon: ipcp_dev_new fails with EIRMD (%s)", strerror(err));
    /* The failure took its methods off the bus: a retry on the same
     * service fails for the same reason, not with EEXIST. */
    errno = 0;
    p.dev = ipcp_dev_new(p.svc, "none", IPCP_UDP4, &OPS, NULL);
    err = errno;
    ok(p.dev == NULL && err == EIRMD, "a retry on the same service fails the same way (%s)",
       strerror(err));
    ipcp_stop(&p);
}

static void test_announce(struct ipcp *p)
{
    irm_ipcp_info_t info = IRM_IPCP_INFO_INIT_ZERO;

    ok(ipcp_start(p, "fresh", "fresh"), "ipcp_dev_new with a daemon");
    ok(fake_last(IRM_METHOD_IPCP_ANNOUNCE, IRM_IPCP_INFO_FIELDS, &info) >= 1 &&
           strcmp(info.name, "fresh") == 0 && info.type == IRM_IPCP_TYPE_UDP4 &&
           info.pid == getpid() && strcmp(info.endpoint, p->ep) == 0 &&
           info.state == IPCP_STATE_INIT,
       "it announced itself: name, type, pid, its bus endpoint, state INIT");
    ok(ipcp_dev_pool(p->dev) != NULL && ipcp_dev_evq(p->dev) != NULL,
       "it mapped the pool and its event queues the daemon named");
    /* The resume runs on the first loop turn: a second announce. */
    ok(wait_fake(IRM_METHOD_IPCP_ANNOUNCE, 0, 2, WAIT_MS) && on_loop(p, noop, NULL),
       "the first loop turn announces again to take back what the daemon kept");
    is(rec_int(&R.bootstraps), 0, "nothing kept: no bootstrap");
}

static void test_requests(struct ipcp *p)
{
    ipcp_bootstrap_t *b = calloc(1, sizeof(*b));
    irm_ipcp_info_t info = IRM_IPCP_INFO_INIT_ZERO;
    ipcp_enroll_t en = IPCP_ENROLL_INIT_ZERO;
    int n;

    is(call_hash(p, IPCP_METHOD_REG, "early"), -EIPCPSTATE,
       "REG before the bootstrap: -EIPCPSTATE");
    is(call_hash(p, IPCP_METHOD_QUERY, "early"), -EIPCPSTATE, "QUERY too");
    is(rec_int(&R.regs) + rec_int(&R.queries), 0, "neither reached the ops");

    b->has_conf = true;
    conf_msg(&b->conf, "lay");
    b->conf.type = IRM_IPCP_TYPE_UDP6;
    memcpy(b->conf.ip.bytes, "0123456789abcdef", 16);
    b->conf.ip.size = 16;
    is(irm_call(p, IPCP_METHOD_BOOTSTRAP, IPCP_BOOTSTRAP_FIELDS, b), -EIPCPTYPE,
       "BOOTSTRAP with another type's config: -EIPCPTYPE");
    n = fake_last(IRM_METHOD_IPCP_ANNOUNCE, NULL, NULL);
    conf_msg(&b->conf, "lay");
    R.boot_sets_state = true;
    is(irm_call(p, IPCP_METHOD_BOOTSTRAP, IPCP_BOOTSTRAP_FIELDS, b), 0, "BOOTSTRAP answers 0");
    ok(rec_int(&R.bootstraps) == 1 && strcmp(R.conf.layer_info.name, "lay") == 0 &&
           R.conf.type == IPCP_UDP4 && R.conf.udp.port == 4000 &&
           R.conf.layer_info.dir_hash_algo == DIR_HASH_MD5 &&
           memcmp(&R.conf.udp.ip, "\x7f\x00\x00\x01", 4) == 0,
       "ops->bootstrap got the config: layer, type, address, port, hash");
    ok(fake_last(IRM_METHOD_IPCP_ANNOUNCE, IRM_IPCP_INFO_FIELDS, &info) == n + 1 &&
           info.state == IPCP_STATE_OPERATIONAL && strcmp(info.layer, "lay") == 0 &&
           info.max_sdu == 1400,
       "the state the op set reached the daemon once: operational, layer, max SDU");
    is(irm_call(p, IPCP_METHOD_BOOTSTRAP, IPCP_BOOTSTRAP_FIELDS, b), -EIPCPSTATE,
       "a second BOOTSTRAP: -EIPCPSTATE");
    is(rec_int(&R.bootstraps), 1, "without running the op");
    free(b);

    is(call_hash(p, IPCP_METHOD_REG, "alpha"), 0, "REG");
    ok(rec_int(&R.regs) == 1 && hash_is(R.hash, R.hash_len, "alpha"),
       "reached ops->reg with the name's hash");
    R.reg_status = -ENOSPC;
    is(call_hash(p, IPCP_METHOD_REG, "beta"), -ENOSPC, "the op's error is the answer");
    R.reg_status = 0;
    is(call_hash(p, IPCP_METHOD_UNREG, "beta"), 0, "UNREG");
    ok(rec_int(&R.unregs) == 1 && hash_is(R.hash, R.hash_len, "beta"),
       "reached ops->unreg with the hash");
    call_hash(p, IPCP_METHOD_REG, "alpha");
    is(call_hash(p, IPCP_METHOD_QUERY, "alpha"), 0, "QUERY of a name the layer reaches: 0");
    ok(rec_int(&R.queries) == 1 && !R.query_on_loop && R.query_timeout > 1000 &&
           R.query_timeout <= 3000,
       "ops->query ran off the loop, with the caller's time left (%d ms)", R.query_timeout);
    is(call_hash(p, IPCP_METHOD_QUERY, "nobody"), -ENAME, "of one it does not: -ENAME");
    snprintf(en.dst, sizeof(en.dst), "peer");
    is(irm_call(p, IPCP_METHOD_ENROLL, IPCP_ENROLL_FIELDS, &en), -EIPCPSTATE,
       "ENROLL of a bootstrapped IPCP: -EIPCPSTATE");
    is(rec_int(&R.enrolls), 0, "without running the op");
}

/* CONNECT and DISCONNECT run their ops on a thread of their own. */
static void test_connect(struct ipcp *p)
{
    irm_ipcp_connect_t c = IRM_IPCP_CONNECT_INIT_ZERO;

    snprintf(c.dst, sizeof(c.dst), "net.b");
    snprintf(c.component, sizeof(c.component), "dt");
    c.has_qos = true;
    qos_msg_from_spec(&qos_voice, &c.qos);
    is(irm_call(p, IPCP_METHOD_CONNECT, IRM_IPCP_CONNECT_FIELDS, &c), 0, "CONNECT answers 0");
    pthread_mutex_lock(&R.lock);
    ok(R.connects == 1 && !R.job_on_loop && strcmp(R.job_dst, "net.b") == 0 &&
           strcmp(R.job_comp, "dt") == 0 && R.job_qos.delay == qos_voice.delay &&
           R.job_timeout > 1000 && R.job_timeout <= 3000,
       "ops->connect ran off the loop with dst, component, QoS and the time left (%d ms)",
       R.job_timeout);
    R.job_status = -EHOSTUNREACH;
    pthread_mutex_unlock(&R.lock);
    is(irm_call(p, IPCP_METHOD_CONNECT, IRM_IPCP_CONNECT_FIELDS, &c), -EHOSTUNREACH,
       "a connection that fails: the op's error is the answer");
    pthread_mutex_lock(&R.lock);
    R.job_status = 0;
    pthread_mutex_unlock(&R.lock);
    c.has_qos = false;
    c.component[0] = '\0';
    is(irm_call(p, IPCP_METHOD_DISCONNECT, IRM_IPCP_CONNECT_FIELDS, &c), 0,
       "DISCONNECT answers 0");
    ok(rec_int(&R.disconnects) == 1 && !R.job_on_loop && R.job_comp[0] == '\0',
       "ops->disconnect ran off the loop, both components");
    c.dst[0] = '\0';
    is(irm_call(p, IPCP_METHOD_CONNECT, IRM_IPCP_CONNECT_FIELDS, &c), -EINVAL,
       "CONNECT without a destination: -EINVAL");
}

/* A fresh IPCP enrolls: the op learns the config, the library bootstraps
 * with it on the loop and answers with it. */
static void test_enroll(void)
{
    ipcp_enroll_t en = IPCP_ENROLL_INIT_ZERO;
    irm_ipcp_info_t info = IRM_IPCP_INFO_INIT_ZERO;
    ipcp_bootstrap_t *b = calloc(1, sizeof(*b));
    struct evq_set evq;
    char evq_name[SHM_NAME_MAX];
    struct ipcp p;
    int n;

    ipcp_evq_make("enr", &evq, evq_name, sizeof(evq_name));
    resume_reset(evq_name);
    R.bootstraps = 0;
    R.boot_sets_state = false;
    if (b == NULL || !ipcp_start(&p, "enr", "enr"))
        bail_out("no IPCP enr");
    on_loop(&p, noop, NULL);
    snprintf(en.dst, sizeof(en.dst), "net.a");
    pthread_mutex_lock(&R.lock);
    R.job_status = -ETIMEDOUT;
    pthread_mutex_unlock(&R.lock);
    is(irm_call(&p, IPCP_METHOD_ENROLL, IPCP_ENROLL_FIELDS, &en), -ETIMEDOUT,
       "an enrollment that fails: the op's error");
    is(rec_int(&R.bootstraps), 0, "and no bootstrap");
    pthread_mutex_lock(&R.lock);
    R.job_status = 0;
    pthread_mutex_unlock(&R.lock);
    n = fake_last(IRM_METHOD_IPCP_ANNOUNCE, NULL, NULL);
    is(bus_client_call_pb(p.irm, IPCP_METHOD_ENROLL, IPCP_ENROLL_FIELDS, &en,
                          IPCP_BOOTSTRAP_FIELDS, b, 3000),
       0, "ENROLL answers 0");
    ok(b->has_conf && strcmp(b->conf.layer, "joined") == 0 && b->conf.port == 4001 &&
           b->conf.type == IRM_IPCP_TYPE_UDP4,
       "with the config the op learnt (for the IRM daemon to keep)");
    ok(rec_int(&R.enrolls) == 2 && !R.job_on_loop && strcmp(R.job_dst, "net.a") == 0,
       "ops->enroll ran off the loop with the destination");
    ok(rec_int(&R.bootstraps) == 1 && strcmp(R.conf.layer_info.name, "joined") == 0 &&
           R.conf.udp.port == 4001,
       "ops->bootstrap ran with that config");
    ok(fake_last(IRM_METHOD_IPCP_ANNOUNCE, IRM_IPCP_INFO_FIELDS, &info) > n &&
           info.state == IPCP_STATE_OPERATIONAL && strcmp(info.layer, "joined") == 0,
       "the IPCP is operational in the layer it joined");
    is(irm_call(&p, IPCP_METHOD_ENROLL, IPCP_ENROLL_FIELDS, &en), -EIPCPSTATE,
       "a second ENROLL: -EIPCPSTATE");
    ipcp_stop(&p);
    evq_set_detach(&evq);
    shm_object_unlink(evq_name);
    free(b);
}

static void test_alloc(struct ipcp *p)
{
    irm_flow_alloc_reply_t ar = IRM_FLOW_ALLOC_REPLY_INIT_ZERO;
    struct np1_flow *f;

    is(call_alloc(p, 20, "alpha"), 0, "ALLOC answers 0 once the op sent the request");
    ok(rec_int(&R.allocs) == 1 && R.alloc_id == 20 && R.alloc_peer == getpid() &&
           R.alloc_timeout == 1234 && R.alloc_qos.delay == 77 &&
           hash_is(R.hash, R.hash_len, "alpha"),
       "ops->flow_alloc got the flow (id, peer, QoS), the hash and the timeout");
    f = ipcp_flow_get(p->dev, 20);
    ok(f != NULL && f->id == 20 && f->rx != NULL && f->tx != NULL &&
           hash_is(f->hash, f->hash_len, "alpha"),
       "the flow is found by id, with its rings and hash");
    is(ipcp_flow_alloc_reply(p->dev, f, 0, 7, "peer-20", 7), 0, "the peer accepted: reply 0");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_ALLOC_REPLY, 20, 1, WAIT_MS) &&
           fake_last(IRM_METHOD_IPCP_FLOW_ALLOC_REPLY, IRM_FLOW_ALLOC_REPLY_FIELDS, &ar) > 0 &&
           ar.pid == getpid() && ar.response == 0 && ar.mpl_ms == 7 && ar.blob.size == 7 &&
           memcmp(ar.blob.bytes, "peer-20", 7) == 0,
       "IPCP_FLOW_ALLOC_REPLY reached the daemon: response, packet lifetime, blob");
    ok(f->mpl_ms == 7, "the flow carries the layer's packet lifetime");
    is(ipcp_flow_alloc_reply(p->dev, f, 0, 7, NULL, 0), -ENOTALLOC,
       "a second reply: -ENOTALLOC (no longer waiting)");

    R.alloc_status = -EHOSTUNREACH;
    is(call_alloc(p, 21, "alpha"), -EHOSTUNREACH, "ALLOC the op refuses: its error");
    ok(ipcp_flow_get(p->dev, 21) == NULL && rec_int(&R.deallocs[21]) == 1 && R.peer_closed[21],
       "the flow ended at once (flow_dealloc, peer_closed)");
    ok(on_loop(p, noop, NULL) && fake_for_flow(IRM_METHOD_IPCP_FLOW_CLOSE, 21) == 0,
       "without IPCP_FLOW_CLOSE: the daemon knows from the answer");
    R.alloc_status = 0;

    is(call_alloc(p, 22, "alpha"), 0, "another ALLOC");
    f = ipcp_flow_get(p->dev, 22);
    is(f != NULL ? ipcp_flow_alloc_reply(p->dev, f, -ECONNREFUSED, 0, NULL, 0) : -1, 0,
       "the peer refused: reply -ECONNREFUSED");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 22, 1, WAIT_MS) &&
           fake_last(IRM_METHOD_IPCP_FLOW_ALLOC_REPLY, IRM_FLOW_ALLOC_REPLY_FIELDS, &ar) > 0 &&
           ar.flow_id == 22 && ar.response == -ECONNREFUSED,
       "the daemon got the refusal, then IPCP_FLOW_CLOSE");
    ok(rec_int(&R.deallocs[22]) == 1 && R.peer_closed[22] && ipcp_flow_get(p->dev, 22) == NULL,
       "the flow ended once, peer_closed");

    pthread_mutex_lock(&F.lock);
    F.alloc_reply_status = -ENOTALLOC;
    pthread_mutex_unlock(&F.lock);
    is(call_alloc(p, 23, "alpha"), 0, "an ALLOC the daemon gives up on");
    f = ipcp_flow_get(p->dev, 23);
    is(f != NULL ? ipcp_flow_alloc_reply(p->dev, f, 0, 1, NULL, 0) : -1, 0,
       "the peer's acceptance is sent");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 23, 1, WAIT_MS) && rec_int(&R.deallocs[23]) == 1 &&
           !R.peer_closed[23],
       "the daemon's -ENOTALLOC ends it: flow_dealloc (the peer is told), IPCP_FLOW_CLOSE");
    pthread_mutex_lock(&F.lock);
    F.alloc_reply_status = 0;
    pthread_mutex_unlock(&F.lock);
}

static void test_dealloc(struct ipcp *p)
{
    struct np1_flow *f = ipcp_flow_get(p->dev, 20);
    uint64_t off;

    is(call_dealloc(p, 999), -ENOTALLOC, "DEALLOC of a flow it does not hold: -ENOTALLOC");
    is(call_dealloc(p, 20), 0, "DEALLOC of an open flow with nothing queued: 0");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 20, 1, WAIT_MS),
       "IPCP_FLOW_CLOSE reached the daemon");
    ok(rec_int(&R.deallocs[20]) == 1 && !R.peer_closed[20] && R.rings_held[20],
       "ops->flow_dealloc ran once, before the rings went, to tell the peer");
    ok(ipcp_flow_get(p->dev, 20) == NULL, "the flow is no longer found");
    is(f != NULL ? np1_flow_read(p->dev, f, &off) : 0, -ENOTALLOC,
       "a reader holding the pointer: -ENOTALLOC");
    is(pool_alloc(POOL, 8, &off), 0, "a block to write");
    is(f != NULL ? np1_flow_write(p->dev, f, off) : 0, -ENOTALLOC, "a writer: -ENOTALLOC");
    ok(pool_blk(POOL, off)->owner == (uint32_t)getpid(), "the block is still the writer's");
    pool_free(POOL, off);
    ok(ring_state(app_tx(20)) & RING_CONS_GONE && ring_state(app_rx(20)) & RING_PROD_GONE,
       "the application's rings say the IPCP is gone");
    is(call_dealloc(p, 20), -ENOTALLOC, "DEALLOC again: -ENOTALLOC");
    is(rec_int(&R.deallocs[20]), 1, "flow_dealloc still ran once");
    flow_unmake(20);
    flow_unmake(21);
    flow_unmake(22);
    flow_unmake(23);
}

static void test_data(struct ipcp *p)
{
    struct evq *app_q = evq_set_queue(&APP, APP_QUEUE);
    irm_flow_blob_t bl = IRM_FLOW_BLOB_INIT_ZERO;
    struct evq_event ev;
    struct np1_flow *f;
    uint64_t off, got, sent[RING_SLOTS];
    int n = 0, err;

    call_alloc(p, 30, "alpha");
    f = ipcp_flow_get(p->dev, 30);
    if (f == NULL || ipcp_flow_alloc_reply(p->dev, f, 0, 1, NULL, 0) < 0)
        bail_out("no flow 30");
    while (evq_next(app_q, &ev) == 1)
        ;
    is(app_send(30, "hello ipcp", &off), 0, "the application writes a packet");
    is(np1_flow_read(p->dev, f, &got), 0, "np1_flow_read takes it");
    ok(got == off && pool_blk_len(POOL, got) == 10 &&
           memcmp(pool_blk_data(POOL, got), "hello ipcp", 10) == 0,
       "the same block, the same bytes (no copy)");
    ok(pool_blk(POOL, got)->owner == (uint32_t)getpid(), "held by the reader now");
    pool_free(POOL, got);
    is(np1_flow_read(p->dev, f, &got), -EAGAIN, "nothing more: -EAGAIN");

    pool_alloc(POOL, 5, &off);
    memcpy(pool_blk_data(POOL, off), "reply", 5);
    is(np1_flow_write(p->dev, f, off), 0, "np1_flow_write");
    ok(ring_pop(app_rx(30), &got) == 0 && got == off &&
           pool_blk(POOL, off)->owner == (POOL_OWNER_TAG | ring_shm_tag(30, 1)),
       "the block is on the application's ring, owned by the ring's tag");
    ok(evq_next(app_q, &ev) == 1 && ev.flow == 30 && ev.type == EVQ_FLOW_PKT,
       "EVQ_FLOW_PKT posted to the queue the application chose");
    pool_blk_take(POOL, got);
    pool_free(POOL, got);

    ring_set_notify(app_rx(30), 0);
    pool_alloc(POOL, 5, &off);
    np1_flow_write(p->dev, f, off);
    is(evq_next(app_q, &ev), 0, "no queue chosen: no event");
    ring_pop(app_rx(30), &got);
    pool_blk_take(POOL, got);
    pool_free(POOL, got);
    ring_set_notify(app_rx(30), APP_QUEUE);

    do {
        if (pool_alloc(POOL, 4, &sent[n]) < 0)
            break;
        err = np1_flow_write(p->dev, f, sent[n]);
    } while (err == 0 && ++n < RING_SLOTS);
    pool_alloc(POOL, 4, &off);
    is(n == RING_SLOTS ? np1_flow_write(p->dev, f, off) : -1, -EAGAIN,
       "a full ring (%d packets): -EAGAIN", n);
    ok(pool_blk(POOL, off)->owner == (uint32_t)getpid(), "and the block is still the caller's");
    pool_free(POOL, off);
    while (ring_pop(app_rx(30), &got) == 0) {
        pool_blk_take(POOL, got);
        pool_free(POOL, got);
    }
    while (evq_next(app_q, &ev) == 1)
        ;

    np1_flow_set_down(p->dev, f, true);
    ok(ring_state(app_tx(30)) & RING_DOWN && evq_next(app_q, &ev) == 1 && ev.flow == 30 &&
           ev.type == EVQ_FLOW_DOWN,
       "np1_flow_set_down: the rings say down, the application hears FLOW_DOWN");
    np1_flow_set_down(p->dev, f, false);
    ok(!(ring_state(app_tx(30)) & RING_DOWN) && evq_next(app_q, &ev) == 1 &&
           ev.type == EVQ_FLOW_UP,
       "and up again: FLOW_UP");

    is(ipcp_flow_set_blob(p->dev, f, "blob-30", 7), 0, "ipcp_flow_set_blob");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_BLOB, 30, 1, WAIT_MS), "reaches the daemon");
    /* No blob: NULL, 0 (UBSan: no memcpy from NULL). */
    is(ipcp_flow_set_blob(p->dev, f, NULL, 0), 0, "ipcp_flow_set_blob with no blob");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_BLOB, 30, 2, WAIT_MS) &&
           fake_last(IRM_METHOD_IPCP_FLOW_BLOB, IRM_FLOW_BLOB_FIELDS, &bl) > 0 &&
           bl.flow_id == 30 && bl.blob.size == 0,
       "clears the daemon's record");

    app_send(30, "late", &off);
    ipcp_flow_close(p->dev, f);
    ok(ring_state(app_tx(30)) & RING_CONS_GONE && ring_state(app_rx(30)) & RING_PROD_GONE,
       "ipcp_flow_close: the application learns at once");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 30, 1, WAIT_MS) && rec_int(&R.deallocs[30]) == 1 &&
           R.peer_closed[30],
       "the loop ends the flow: flow_dealloc once (peer_closed), IPCP_FLOW_CLOSE");
    pool_alloc(POOL, 4, &off);
    ok(np1_flow_read(p->dev, f, &got) == -ENOTALLOC &&
           np1_flow_write(p->dev, f, off) == -ENOTALLOC,
       "after ipcp_flow_close: np1_flow_read/write give -ENOTALLOC");
    pool_free(POOL, off);
    flow_unmake(30);

    /* The application leaves: its writer end goes. */
    call_alloc(p, 31, "alpha");
    f = ipcp_flow_get(p->dev, 31);
    ipcp_flow_alloc_reply(p->dev, f, 0, 1, NULL, 0);
    app_send(31, "last", &off);
    ring_set_state(app_tx(31), RING_PROD_GONE);
    ok(np1_flow_read(p->dev, f, &got) == 0 && got == off,
       "the application left: what it wrote is still read");
    pool_free(POOL, got);
    is(np1_flow_read(p->dev, f, &got), -EFLOWPEER, "then -EFLOWPEER");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 31, 1, WAIT_MS) && rec_int(&R.deallocs[31]) == 1,
       "and the flow ends on the loop: flow_dealloc, IPCP_FLOW_CLOSE");
    is(np1_flow_read(p->dev, f, &got), -ENOTALLOC, "an ended flow: -ENOTALLOC");
    flow_unmake(31);
}

static void on_arrived(void *ctx, void *arg, struct np1_flow *f, int err)
{
    pthread_mutex_lock(&R.lock);
    R.arrived++;
    R.arrived_flow = f;
    R.arrived_id = f != NULL ? f->id : 0;
    R.arrived_err = err;
    R.arrived_arg = arg;
    R.arrived_on_loop = pthread_equal(pthread_self(), R.loop_thread);
    pthread_mutex_unlock(&R.lock);
}

static void test_req_arr(struct ipcp *p)
{
    irm_flow_req_arr_t m = IRM_FLOW_REQ_ARR_INIT_ZERO;
    uint8_t h[HASH_MAX];
    int hl = hash_name(DIR_HASH_MD5, "alpha", h);
    uint32_t ids[8];
    int n;

    pthread_mutex_lock(&F.lock);
    F.req_arr_info = flow_make(40, 0);
    pthread_mutex_unlock(&F.lock);
    is(ipcp_flow_req_arr(p->dev, h, (size_t)hl, &qos_raw, 9, "peer-ep", 7, 2000, on_arrived,
                         &F),
       0, "ipcp_flow_req_arr from another thread");
    ok(wait_int(&R.arrived, 1, WAIT_MS) && R.arrived_flow != NULL && R.arrived_id == 40 &&
           R.arrived_err == 0 && R.arrived_arg == &F,
       "done runs with the open flow");
    ok(R.arrived_on_loop, "on the loop's thread");
    ok(fake_last(IRM_METHOD_IPCP_FLOW_REQ_ARR, IRM_FLOW_REQ_ARR_FIELDS, &m) == 1 &&
           m.pid == getpid() && hash_is(m.hash.bytes, m.hash.size, "alpha") && m.mpl_ms == 9 &&
           m.blob.size == 7 && memcmp(m.blob.bytes, "peer-ep", 7) == 0 &&
           m.timeout_ms == 2000 && m.has_qos && m.qos.loss == 1,
       "the daemon got the request: hash, QoS, packet lifetime, blob, timeout");
    ok(ipcp_flow_get(p->dev, 40) == R.arrived_flow &&
           hash_is(R.arrived_flow->hash, R.arrived_flow->hash_len, "alpha"),
       "the flow is found by id, with the name's hash");

    pthread_mutex_lock(&F.lock);
    F.req_arr_status = -ENAME;
    pthread_mutex_unlock(&F.lock);
    ipcp_flow_req_arr(p->dev, h, (size_t)hl, &qos_raw, 9, NULL, 0, 2000, on_arrived, NULL);
    ok(wait_int(&R.arrived, 2, WAIT_MS) && R.arrived_flow == NULL && R.arrived_err == -ENAME,
       "a refused request: done with NULL and the daemon's error");
    is(ipcp_flow_req_arr(p->dev, h, 0, &qos_raw, 9, NULL, 0, 2000, on_arrived, NULL), -EINVAL,
       "an empty hash: -EINVAL");

    call_alloc(p, 41, "alpha");
    ipcp_flow_alloc_reply(p->dev, ipcp_flow_get(p->dev, 41), 0, 1, NULL, 0);
    n = ipcp_dev_flow_ids(p->dev, ids, 8);
    ok(n == 2 && ((ids[0] == 40 && ids[1] == 41) || (ids[0] == 41 && ids[1] == 40)),
       "ipcp_dev_flow_ids lists the open flows (%d)", n);
    is(ipcp_dev_flow_ids(p->dev, ids, 1), 1, "at most max");
}

/* ---- a data thread racing the flow's end ---- */

struct racer {
    struct ipcp_dev *dev;
    struct np1_flow *f;
    uint32_t id;
    atomic_int go;
    atomic_int reads, writes;
    int after_end; /* data calls that succeeded after flow_dealloc began */
    int last_read, last_write;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    uint64_t end = deadline_after_ms(WAIT_MS), off;

    atomic_store(&r->go, 1);
    do {
        bool ended = atomic_load(&R.dealloc_started[r->id]);

        r->last_read = np1_flow_read(r->dev, r->f, &off);
        if (r->last_read == 0) {
            atomic_fetch_add(&r->reads, 1);
            r->after_end += ended;
            pool_free(POOL, off);
        }
        if (pool_alloc(POOL, 16, &off) < 0)
            continue;
        ended = atomic_load(&R.dealloc_started[r->id]);
        r->last_write = np1_flow_write(r->dev, r->f, off);
        if (r->last_write == 0) {
            atomic_fetch_add(&r->writes, 1);
            r->after_end += ended;
        } else {
            pool_free(POOL, off);
        }
    } while ((r->last_read != -ENOTALLOC || r->last_write != -ENOTALLOC) && now_ns() < end);
    atomic_store(&r->go, 2);
    return NULL;
}

static void test_race(struct ipcp *p)
{
    struct racer r = {.dev = p->dev, .id = 42};
    pthread_t t;
    uint64_t off, end;
    bool dealloced = false;
    int sent = 0;

    call_alloc(p, 42, "alpha");
    r.f = ipcp_flow_get(p->dev, 42);
    if (r.f == NULL || ipcp_flow_alloc_reply(p->dev, r.f, 0, 1, NULL, 0) < 0)
        bail_out("no flow 42");
    pthread_create(&t, NULL, racer_main, &r);
    end = deadline_after_ms(WAIT_MS);
    while (!atomic_load(&r.go) && now_ns() < end)
        usleep(100);
    /* Feed it and drain what it writes; once it has moved 50 packets each
     * way, end the flow under it, and go on until it sees the end. */
    while (atomic_load(&r.go) != 2 && now_ns() < end) {
        if (app_send(42, "race", &off) == 0)
            sent++;
        while (ring_pop(app_rx(42), &off) == 0) {
            pool_blk_take(POOL, off);
            pool_free(POOL, off);
        }
        if (!dealloced && atomic_load(&r.reads) >= 50 && atomic_load(&r.writes) >= 50) {
            call_dealloc(p, 42);
            dealloced = true;
        }
    }
    pthread_join(t, NULL);
    ok(r.last_read == -ENOTALLOC && r.last_write == -ENOTALLOC,
       "a data thread racing DEALLOC ends with -ENOTALLOC on both sides (%d reads, %d writes)",
       atomic_load(&r.reads), atomic_load(&r.writes));
    is(r.after_end, 0, "no read or write succeeded once flow_dealloc had begun");
    ok(wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 42, 1, WAIT_MS) && rec_int(&R.deallocs[42]) == 1,
       "the flow ended once (flow_dealloc, IPCP_FLOW_CLOSE)");
    while (ring_pop(app_rx(42), &off) == 0) {
        pool_blk_take(POOL, off);
        pool_free(POOL, off);
    }
    diag("the application sent %d packets during the race", sent);
    flow_unmake(42);
}

static void *stopper_main(void *arg)
{
    ipcp_stop(arg);
    atomic_store(&R.destroyed, 1);
    return NULL;
}

/* The daemon stops while ops->query waits for the layer: the query's
 * thread must not outlive the IPCP it answers for. */
static void test_stop_in_query(struct ipcp *p)
{
    ipcp_hash_t m = IPCP_HASH_INIT_ZERO;
    int n = rec_int(&R.queries);
    uint64_t end;
    pthread_t t;

    pthread_mutex_lock(&R.lock);
    R.query_hold = true;
    pthread_mutex_unlock(&R.lock);
    m.hash.size = (pb_size_t)hash_name(DIR_HASH_MD5, "slow", m.hash.bytes);
    is(bus_client_call_pb(p->irm, IPCP_METHOD_QUERY, IPCP_HASH_FIELDS, &m, NULL, NULL, 300),
       -ETIMEDOUT, "a QUERY the layer is slow to answer: the caller gives up");
    ok(wait_int(&R.queries, n + 1, WAIT_MS), "ops->query is still waiting");
    pthread_create(&t, NULL, stopper_main, p);
    end = deadline_after_ms(300);
    while (!atomic_load(&R.destroyed) && now_ns() < end)
        usleep(1000);
    ok(!atomic_load(&R.destroyed), "the daemon stops: ipcp_dev_destroy waits for the query");
    pthread_mutex_lock(&R.lock);
    R.query_hold = false;
    pthread_cond_broadcast(&R.cond);
    pthread_mutex_unlock(&R.lock);
    end = deadline_after_ms(WAIT_MS);
    while (!atomic_load(&R.destroyed) && now_ns() < end)
        usleep(1000);
    if (!atomic_load(&R.destroyed))
        bail_out("ipcp_dev_destroy does not return");
    pthread_join(t, NULL);
    ok(wait_int(&R.query_ends, n + 1, WAIT_MS) && !R.query_after_destroy,
       "and returns once it ended (ASan: no use after free)");
}

/* The IRM daemon restarted and no longer knows flow 41: it ends, quietly. */
static void test_irmd_restart(struct ipcp *p)
{
    int n = fake_last(IRM_METHOD_IPCP_ANNOUNCE, NULL, NULL);
    irm_ipcp_flow_t kept = IRM_IPCP_FLOW_INIT_ZERO;

    kept.has_info = true;
    kept.info.flow_id = 40;
    pthread_mutex_lock(&F.lock);
    F.flows[0] = kept;
    F.nflows = 1;
    pthread_mutex_unlock(&F.lock);
    atomic_store(&F.ticking, 1);
    ok(wait_fake(IRM_METHOD_IPCP_ANNOUNCE, 0, n + 1, WAIT_MS),
       "a tick of a new epoch: it announces again");
    atomic_store(&F.ticking, 0);
    ok(wait_int(&R.deallocs[41], 1, WAIT_MS) && ipcp_flow_get(p->dev, 41) == NULL,
       "a flow the daemon no longer lists ends");
    ok(ipcp_flow_get(p->dev, 40) != NULL && rec_int(&R.deallocs[40]) == 0,
       "a flow it lists stays");
    ok(on_loop(p, noop, NULL) && fake_for_flow(IRM_METHOD_IPCP_FLOW_CLOSE, 41) == 0,
       "the daemon that forgot it is not told");
    pthread_mutex_lock(&F.lock);
    F.nflows = 0;
    pthread_mutex_unlock(&F.lock);
}

/* A restart of the IPCP: the daemon gives back config, names and flows. */
static void test_resume(void)
{
    static const char *blobs[] = {"b50", "b51", "b52", "no"};
    irm_ipcp_info_t info = IRM_IPCP_INFO_INIT_ZERO;
    struct evq_set evq;
    char evq_name[SHM_NAME_MAX];
    struct evq_event ev;
    struct ipcp p;
    uint64_t off;
    bool kicked = false;

    ipcp_evq_make("back", &evq, evq_name, sizeof(evq_name));
    resume_reset(evq_name);
    pthread_mutex_lock(&F.lock);
    F.resume->bootstrapped = true;
    F.resume->has_conf = true;
    conf_msg(&F.resume->conf, "kept");
    for (int k = 0; k < 2; k++)
        F.resume->regs[k].size =
            (pb_size_t)hash_name(DIR_HASH_MD5, k ? "n2" : "n1", F.resume->regs[k].bytes);
    F.resume->regs_count = 2;
    for (uint32_t k = 0; k < 4; k++) {
        irm_ipcp_flow_t *fl = &F.flows[k];

        memset(fl, 0, sizeof(*fl));
        fl->has_info = true;
        fl->info = flow_make(50 + k, 1);
        fl->blob.size = (pb_size_t)strlen(blobs[k]);
        memcpy(fl->blob.bytes, blobs[k], fl->blob.size);
        fl->hash.size = (pb_size_t)hash_name(DIR_HASH_MD5, "n1", fl->hash.bytes);
    }
    F.nflows = 4;
    F.page = 3;
    pthread_mutex_unlock(&F.lock);
    flow_unmake(52); /* its rings are gone */
    app_send(50, "queued while away", &off);

    memset(R.deallocs, 0, sizeof(R.deallocs));
    R.bootstraps = R.regs = 0;
    R.nreg_hashes = 0;
    R.boot_sets_state = false;
    ok(ipcp_start(&p, "back", "back"), "a restarted IPCP announces");
    ok(wait_int(&R.restores[51], 1, WAIT_MS) && on_loop(&p, noop, NULL),
       "its first loop turn takes back what the daemon kept");
    ok(R.bootstraps == 1 && strcmp(R.conf.layer_info.name, "kept") == 0,
       "ops->bootstrap ran with the kept config");
    ok(fake_last(IRM_METHOD_IPCP_ANNOUNCE, IRM_IPCP_INFO_FIELDS, &info) >= 3 &&
           info.state == IPCP_STATE_OPERATIONAL && strcmp(info.layer, "kept") == 0,
       "the op did not set a state: it reports OPERATIONAL in the layer itself");
    ok(R.regs == 2 && hash_is(R.reg_hashes[0], 16, "n1") && hash_is(R.reg_hashes[1], 16, "n2"),
       "its names are registered again (ops->reg with each hash)");
    ok(R.restores[50] == 1 && strcmp(R.blob[50], "b50") == 0 && R.restores[51] == 1 &&
           strcmp(R.blob[51], "b51") == 0,
       "ops->flow_restore got each flow's blob");
    ok(ipcp_flow_get(p.dev, 50) != NULL && ipcp_flow_get(p.dev, 51) != NULL &&
           hash_is(ipcp_flow_get(p.dev, 50)->hash, ipcp_flow_get(p.dev, 50)->hash_len, "n1"),
       "the restored flows are found, with their hash");
    ok(R.restores[53] == 1 && ipcp_flow_get(p.dev, 53) == NULL && R.deallocs[53] == 1 &&
           R.peer_closed[53] && wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 53, 1, WAIT_MS),
       "one the op cannot restore ends (flow_dealloc, IPCP_FLOW_CLOSE) - it came on page 2");
    ok(R.restores[52] == 0 && ipcp_flow_get(p.dev, 52) == NULL &&
           wait_fake(IRM_METHOD_IPCP_FLOW_CLOSE, 52, 1, WAIT_MS),
       "one whose rings are gone is closed with the daemon");
    while (evq_next(ipcp_dev_evq(p.dev), &ev) == 1)
        kicked |= ev.flow == 50 && ev.type == EVQ_FLOW_PKT;
    ok(kicked, "a packet queued while it was away is announced on its event queue");
    ipcp_stop(&p);
    ok(R.deallocs[50] == 0 && R.deallocs[51] == 0 &&
           fake_for_flow(IRM_METHOD_IPCP_FLOW_CLOSE, 50) == 0,
       "ipcp_dev_destroy keeps the flows: no flow_dealloc, the daemon is not told");
    ok(!(ring_state(app_rx(50)) & RING_PROD_GONE), "and the application's rings stay up");
    for (uint32_t k = 50; k < 54; k++)
        flow_unmake(k);
    evq_set_detach(&evq);
    shm_object_unlink(evq_name);
}

int main(void)
{
    struct pool_cfg cfg = {.nclasses = 1, .cls = {{512, 256}}};
    struct evq_set evq;
    char evq_name[SHM_NAME_MAX];
    struct ipcp p;

    plan(112 + 1 + 6 + 8);
    proc_tmp_dir("ipcpdev");
    snprintf(NODE, sizeof(NODE), "ipd%d", (int)getpid());
    setenv("OUROBUS_NODE", NODE, 1);
    setenv("OUROBUS_LOG", "warn", 0);
    log_init("test_ipcp_dev", NODE);
    if (run_folder_for_daemon(&RF, NODE) < 0 || run_folder_create(&RF) < 0)
        bail_out("no run folder");
    atexit(shm_wipe); /* a bail out too */
    pthread_mutex_init(&R.lock, NULL);
    pthread_cond_init(&R.cond, NULL);

    /* Before any thread: the services block their signals. */
    test_no_daemon();

    run_folder_shm_name(&RF, "pool", POOL_NAME, sizeof(POOL_NAME));
    run_folder_shm_name(&RF, "evq.app", APP_EVQ, sizeof(APP_EVQ));
    if (pool_create(POOL_NAME, &cfg, 0600, &POOL) < 0 ||
        evq_set_create(&APP, APP_EVQ, 4, 256, 0600, getpid()) < 0)
        bail_out("cannot make the pool and the application's queues");
    fake_start();
    ipcp_evq_make("fresh", &evq, evq_name, sizeof(evq_name));
    resume_reset(evq_name);

    test_announce(&p);
    test_requests(&p);
    test_connect(&p);
    test_alloc(&p);
    test_dealloc(&p);
    test_data(&p);
    test_req_arr(&p);
    test_race(&p);
    test_irmd_restart(&p);
    ok(!R.off_loop, "every op that must run on the loop did");
    test_stop_in_query(&p);
    ok(rec_int(&R.deallocs[40]) == 0, "destroy: no flow_dealloc for the flows it held");
    flow_unmake(40);
    flow_unmake(41);
    evq_set_detach(&evq);
    shm_object_unlink(evq_name);

    test_resume();
    test_enroll();

    fake_stop();
    evq_set_detach(&APP);
    pool_detach(&POOL);
    shm_wipe();
    return done();
}
