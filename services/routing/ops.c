/*
 * ops.c - what the IPCP library asks of a unicast IPCP (struct ipcp_ops):
 * bootstrap (address, the modules, the names in the layers below),
 * enrollment, connections; and the glue between nbrs and ls.
 */
#include "routing.h"

#include "bus_server.h"
#include "enroll.h"
#include "hash.h"
#include "log.h"
#include "ls.h"
#include "mgmt.h"
#include "nbrs.h"
#include "np1.h"
#include "pff.h"
#include "routing.pb.h"
#include "state_file.h"

#include <errno.h>
#include <inttypes.h>
#include <ourobus/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define EID_LSA 3u /* docs/unicast.md */

/* ---- glue ---- */

static void on_up(void *arg, int id, uint64_t addr)
{
    struct routing *r = arg;

    ls_adj_up(r->ls, id, addr);
}

static void on_down(void *arg, int id, uint64_t addr)
{
    struct routing *r = arg;

    ls_adj_down(r->ls, id, addr);
}

static void on_recv(void *arg, int id, const struct dt_hdr *h, const uint8_t *buf, size_t len)
{
    struct routing *r = arg;
    bool taken;

    if (h->eid == EID_LSA) {
        ls_recv(r->ls, id, buf, len);
        return;
    }
    if (h->eid <= MGMT_EID_MAX)
        taken = mgmt_deliver(r->mgmt, h->eid, buf, len);
    else
        taken = r->np1 != NULL && np1_deliver(r->np1, h, buf, len);
    if (!taken && r->nbrs != NULL)
        nbrs_count_drop(r->nbrs, FWD_DROP_NOEID);
}

static void on_enroll(void *arg, int fd, const uint8_t *buf, size_t len)
{
    enroll_serve(arg, fd, buf, len);
}

static void save_state(struct routing *r)
{
    struct routing_state *st = calloc(1, sizeof(*st));
    int err;

    if (st == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    snprintf(st->layer, sizeof(st->layer), "%s", r->conf.layer_info.name);
    st->addr = r->addr;
    pthread_mutex_unlock(&r->lock);
    if (r->nbrs != NULL)
        st->n_connect = nbrs_wanted(r->nbrs, st->connect, STATE_CONNECT_MAX);
    if (st->n_connect > STATE_CONNECT_MAX)
        st->n_connect = STATE_CONNECT_MAX;
    err = state_file_save(r->state_path, st);
    if (err < 0)
        log_warn("cannot write %s: %s", r->state_path, strerror(-err));
    free(st);
}

static void on_wanted(void *arg)
{
    save_state(arg);
}

static const struct nbrs_ops nbrs_glue = {
    .up = on_up, .down = on_down, .recv = on_recv, .enroll = on_enroll, .wanted = on_wanted};

static int send_lsa(void *arg, int id, const uint8_t *lsa, size_t len)
{
    struct routing *r = arg;

    return nbrs_send(r->nbrs, id, EID_LSA, lsa, len);
}

/* ---- the layers below ---- */

/* Create name on the node and bind this process to it: it accepts the
 * N-1 flows to it. */
static void bind_name(const char *name)
{
    struct name_info ni = {.pol_lb = LB_RR};
    int err;

    snprintf(ni.name, sizeof(ni.name), "%s", name);
    err = irm_create_name(&ni);
    if (err < 0 && err != -EEXIST && err != -ENAME)
        log_dbg("name %s: create: %d", name, err);
    err = irm_bind_process(getpid(), name);
    if (err < 0)
        log_warn("cannot bind this process to %s: %d", name, err);
}

static bool below_has(const struct routing *r, pid_t pid)
{
    for (size_t i = 0; i < r->n_below; i++)
        if (r->below[i] == pid)
            return true;
    return false;
}

/* Register our IPCP name and our layer's name in every operational IPCP
 * of the node (the layers below) not done yet: at bootstrap, and later
 * for a layer that comes up after us. */
static void reg_below(struct routing *r)
{
    const char *names[2] = {r->name, r->conf.layer_info.name};
    struct ipcp_list_info *l = NULL;
    ssize_t n = irm_list_ipcps(&l);
    bool after_us = false;

    for (ssize_t i = 0; i < n; i++) {
        int err = 0;

        /* The IRM daemon lists IPCPs in the order they were made: a
         * unicast layer made after ours runs over ours or beside it, never
         * under it (two layers over each other would carry each other's
         * adjacencies in a loop). Shims are always below. */
        if (l[i].pid == getpid())
            after_us = true;
        if (after_us && l[i].type == IPCP_UNICAST)
            continue;
        if (l[i].pid == getpid() || l[i].state != IPCP_STATE_OPERATIONAL ||
            strcmp(l[i].layer, r->conf.layer_info.name) == 0 || below_has(r, l[i].pid))
            continue;
        for (int k = 0; k < 2 && err == 0; k++)
            err = irm_reg_name(names[k], l[i].pid);
        if (err < 0) {
            log_warn("cannot register %s and %s in IPCP %s: %d", names[0], names[1], l[i].name,
                     err);
            continue;
        }
        log_info("%s and %s registered in IPCP %s (layer %s)", names[0], names[1], l[i].name,
                 l[i].layer);
        if (r->n_below < ROUTING_BELOW_MAX)
            r->below[r->n_below++] = l[i].pid;
    }
    free(l);
}

static int on_below_timer(zloop_t *loop, int timer, void *arg)
{
    (void)loop;
    (void)timer;
    reg_below(arg);
    return 0;
}

/* ---- ops ---- */

static uint64_t random_addr(uint8_t width)
{
    uint64_t mask = width >= 8 ? UINT64_MAX : (1ull << (8u * width)) - 1, v = 0;

    for (int i = 0; i < 16 && (v & mask) == 0; i++)
        if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
            v = (uint64_t)time(NULL) + (uint64_t)getpid();
    return (v & mask) != 0 ? v & mask : 1;
}

static enum graph_policy policy_of(enum routing_pol p)
{
    return p == ROUTING_LFA ? GRAPH_LFA : p == ROUTING_ECMP ? GRAPH_ECMP : GRAPH_SIMPLE;
}

static int routing_bootstrap(void *ctx, const struct ipcp_config *conf)
{
    struct routing *r = ctx;
    const struct dt_config *dt = &conf->unicast.dt;
    struct routing_state *st = calloc(1, sizeof(*st));
    struct ls_conf lc;
    uint64_t addr;
    int err;

    if (st == NULL)
        return -ENOMEM;
    err = -EIPCPSTATE;
    if (r->booted) /* asked again after a restart: the same layer */
        goto out;
    err = dt_fmt_init(&r->fmt, dt->addr_size, dt->eid_size);
    if (err < 0 || dt->ls_t_update == 0 || dt->ls_t_timeo <= dt->ls_t_update)
        goto out;
    /* The address: the one an enrollment of this process just assigned,
     * else ours before a restart, else a random one (the first member). */
    pthread_mutex_lock(&r->lock);
    addr = r->enroll_addr;
    pthread_mutex_unlock(&r->lock);
    if (addr == 0 && state_file_load(r->state_path, st) == 0 &&
        strcmp(st->layer, conf->layer_info.name) == 0) {
        addr = st->addr;
        log_info("address %" PRIu64 " again (from %s)", addr, r->state_path);
    } else {
        memset(st, 0, sizeof(*st));
    }
    if (addr == 0)
        addr = random_addr(dt->addr_size);
    err = -ENOMEM;
    r->pff = pff_new();
    if (r->pff == NULL)
        goto out;
    pthread_mutex_lock(&r->lock);
    r->conf = *conf;
    r->addr = addr;
    pthread_mutex_unlock(&r->lock);
    lc = (struct ls_conf){.self = addr,
                          .policy = policy_of(dt->routing),
                          .t_recalc_ms = (dt->ls_t_recalc ? dt->ls_t_recalc : 1) * 1000u,
                          .t_update_ms = dt->ls_t_update * 1000u,
                          .t_timeo_ms = dt->ls_t_timeo * 1000u,
                          .routes_path = r->routes_path};
    r->ls = ls_new(&lc, r->pff, send_lsa, r);
    if (r->ls == NULL)
        goto fail_ls;
    r->nbrs = nbrs_new(&r->fmt, addr, dt->max_ttl, r->pff, &nbrs_glue, r);
    if (r->nbrs == NULL)
        goto fail_nbrs;
    if (r->mgmt != NULL && mgmt_start(r->mgmt, &r->fmt, addr, dt->max_ttl, r->nbrs) < 0)
        log_warn("cannot read the management rings: no companion can send");
    if (r->np1 != NULL && np1_start(r->np1) < 0)
        log_warn("cannot start the N+1 send thread: applications cannot send");
    pthread_mutex_lock(&r->lock);
    r->booted = true;
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < st->n_connect; i++)
        nbrs_want(r->nbrs, st->connect[i]); /* saves the state file too */
    save_state(r);
    bind_name(r->name);
    bind_name(conf->layer_info.name);
    reg_below(r);
    r->below_timer = zloop_timer(service_loop(r->svc), ROUTING_BELOW_MS, 0, on_below_timer, r);
    log_info("layer %s: address %" PRIu64 ", %zu neighbour(s) to reconnect",
             conf->layer_info.name, addr, st->n_connect);
    free(st);
    return 0;
fail_nbrs:
    ls_destroy(&r->ls);
fail_ls:
    pff_destroy(&r->pff);
out:
    free(st);
    return err;
}

static int routing_reg(void *ctx, const uint8_t *hash, size_t len)
{
    struct routing *r = ctx;

    return r->np1 != NULL ? np1_reg(r->np1, hash, len) : -ENOMEM;
}

static int routing_unreg(void *ctx, const uint8_t *hash, size_t len)
{
    struct routing *r = ctx;

    return r->np1 != NULL ? np1_unreg(r->np1, hash, len) : -ENOMEM;
}

static int routing_query(void *ctx, const uint8_t *hash, size_t len, int timeout_ms)
{
    struct routing *r = ctx;

    return r->np1 != NULL && r->booted ? np1_query(r->np1, hash, len, timeout_ms) : -ENAME;
}

static int routing_flow_alloc(void *ctx, struct np1_flow *f, const uint8_t *hash, size_t len,
                              int timeout_ms)
{
    struct routing *r = ctx;

    if (!r->booted || r->np1 == NULL)
        return -EIPCPSTATE;
    return np1_flow_alloc(r->np1, f, hash, len, timeout_ms);
}

static void routing_flow_dealloc(void *ctx, struct np1_flow *f)
{
    struct routing *r = ctx;

    if (r->np1 != NULL)
        np1_flow_dealloc(r->np1, f);
}

static int routing_flow_restore(void *ctx, struct np1_flow *f, const void *blob, size_t len)
{
    struct routing *r = ctx;

    return r->np1 != NULL ? np1_flow_restore(r->np1, f, blob, len) : -ENOMEM;
}

static int routing_enroll(void *ctx, const char *dst, struct ipcp_config *conf, int timeout_ms)
{
    return enroll_join(ctx, dst, conf, timeout_ms);
}

static int routing_connect(void *ctx, const char *dst, const char *component,
                           const qosspec_t *qos, int timeout_ms)
{
    struct routing *r = ctx;
    int err;

    /* One N-1 flow carries both components (dt and mgmt). */
    (void)component;
    if (!r->booted)
        return -EIPCPSTATE;
    err = nbrs_connect(r->nbrs, dst, qos, timeout_ms > 1000 ? timeout_ms - 500 : timeout_ms);
    if (err == 0)
        log_info("connected to %s", dst);
    return err;
}

static int routing_disconnect(void *ctx, const char *dst, const char *component, int timeout_ms)
{
    struct routing *r = ctx;

    (void)component;
    (void)timeout_ms;
    if (!r->booted)
        return -EIPCPSTATE;
    return nbrs_disconnect(r->nbrs, dst);
}

const struct ipcp_ops routing_ops = {
    .bootstrap = routing_bootstrap,
    .reg = routing_reg,
    .unreg = routing_unreg,
    .query = routing_query,
    .flow_alloc = routing_flow_alloc,
    .flow_dealloc = routing_flow_dealloc,
    .flow_restore = routing_flow_restore,
    .enroll = routing_enroll,
    .connect = routing_connect,
    .disconnect = routing_disconnect,
};

void routing_stop(struct routing *r)
{
    if (r->below_timer >= 0)
        zloop_timer_end(service_loop(r->svc), r->below_timer);
    r->below_timer = -1;
    np1_stop(r->np1);
    mgmt_stop(r->mgmt);
    nbrs_destroy(&r->nbrs);
    if (r->nbrs != NULL)
        return; /* threads still run: what they use is left to the exit */
    ls_destroy(&r->ls);
    pff_destroy(&r->pff);
}

/* ---- the companions ---- */

static int on_mgmt_attach(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct routing *r = arg;
    routing_mgmt_attach_t m = ROUTING_MGMT_ATTACH_INIT_ZERO;
    routing_mgmt_rings_t out = ROUTING_MGMT_RINGS_INIT_ZERO;
    int err;

    if (bus_request_decode(req, ROUTING_MGMT_ATTACH_FIELDS, &m) < 0)
        return -EINVAL;
    if (r->mgmt == NULL)
        return -ENOMEM;
    err = mgmt_attach(r->mgmt, m.eid, out.tx, out.rx);
    if (err < 0)
        return err;
    if (run_folder_shm_name(service_run_folder(r->svc), "pool", out.pool, sizeof(out.pool)) < 0)
        return -ENAMETOOLONG;
    pthread_mutex_lock(&r->lock);
    if (r->booted) {
        int hl = hash_len(r->conf.layer_info.dir_hash_algo);

        out.addr = r->addr;
        out.addr_size = r->conf.unicast.dt.addr_size;
        out.eid_size = r->conf.unicast.dt.eid_size;
        out.hash_len = hl > 0 ? (uint32_t)hl : 0;
    }
    pthread_mutex_unlock(&r->lock);
    return bus_reply_encode(rep, ROUTING_MGMT_RINGS_FIELDS, &out);
}

int routing_serve_mgmt(struct routing *r)
{
    r->mgmt = mgmt_new(service_run_folder(r->svc), r->name, ipcp_dev_pool(r->dev));
    if (r->mgmt == NULL)
        return -ENOMEM;
    mgmt_recover(r->mgmt);
    return bus_server_add_method(service_bus(r->svc), ROUTING_METHOD_MGMT_ATTACH,
                                 BUS_METHOD_IDEMPOTENT, on_mgmt_attach, r);
}
