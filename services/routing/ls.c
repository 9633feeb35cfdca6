/*
 * ls.c - our LSA, the flood, the database's ageing and the route
 * recalculation, under one lock, ticked by a thread of its own.
 */
#include "ls.h"

#include "log.h"
#include "lsdb.h"
#include "pff_build.h"
#include "routes_file.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LS_METRIC 1u

/* One of our adjacencies, as our LSA says it. */
struct ls_link {
    uint64_t addr;
    int id; /* the adjacency (nbrs) we reach it over; -1 once down */
    bool down;
    uint64_t down_at; /* ms: the withdrawal is announced until ls_t_timeo after */
};

struct ls {
    struct ls_conf conf;
    struct pff *pff;
    ls_send_fn send;
    void *arg;
    pthread_mutex_t lock;
    struct lsdb *db;
    uint64_t seqno;
    struct ls_link links[LSA_LINKS_MAX];
    size_t n_links;
    uint64_t last_update, last_recalc, routed_version;
    bool force;                 /* recompute at the next tick */
    struct graph_route *routes; /* the last table, for the log of changes */
    size_t n_routes;
    _Atomic bool stop;
    pthread_t thread;
};

static uint64_t mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static uint64_t wall_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* ---- flooding ---- */

static void send_lsa(struct ls *l, int id, const struct lsa *a)
{
    uint8_t buf[LSA_LEN_MAX];
    int len = lsa_encode(a, buf, sizeof(buf));

    if (len > 0)
        l->send(l->arg, id, buf, (size_t)len);
}

/* To every adjacency up but the one it came from. */
static void flood(struct ls *l, const struct lsa *a, int from)
{
    for (size_t i = 0; i < l->n_links; i++)
        if (!l->links[i].down && l->links[i].id != from)
            send_lsa(l, l->links[i].id, a);
}

/* A new LSA of ours (a change, or the periodic refresh): stored, flooded. */
static void originate(struct ls *l, uint64_t now)
{
    struct lsa a = {.origin = l->conf.self};

    l->seqno++;
    a.seqno = l->seqno;
    for (size_t i = 0; i < l->n_links && a.n_links < LSA_LINKS_MAX; i++) {
        struct lsa_link *k = &a.links[a.n_links++];
        k->addr = l->links[i].addr;
        k->metric = LS_METRIC;
        k->down = l->links[i].down;
    }
    if (lsdb_insert(l->db, &a, now) < 0)
        log_warn("our own LSA does not fit the database");
    l->last_update = now;
    flood(l, &a, -1);
}

static struct ls_link *link_of(struct ls *l, uint64_t addr)
{
    for (size_t i = 0; i < l->n_links; i++)
        if (l->links[i].addr == addr)
            return &l->links[i];
    return NULL;
}

static int dump_one(const struct lsa *a, void *arg)
{
    struct ls *l = ((void **)arg)[0];
    int id = *(int *)((void **)arg)[1];

    send_lsa(l, id, a);
    return 0;
}

void ls_adj_up(struct ls *l, int id, uint64_t addr)
{
    struct ls_link *k;
    void *args[2] = {l, &id};
    uint64_t now = mono_ms();

    assert(l != NULL && addr != 0);
    pthread_mutex_lock(&l->lock);
    k = link_of(l, addr);
    if (k == NULL && l->n_links < LSA_LINKS_MAX)
        k = &l->links[l->n_links++];
    if (k == NULL) {
        pthread_mutex_unlock(&l->lock);
        log_warn("neighbour %" PRIu64 ": more than %u adjacencies, not announced", addr,
                 LSA_LINKS_MAX);
        return;
    }
    *k = (struct ls_link){.addr = addr, .id = id};
    originate(l, now); /* the new neighbour gets it too */
    lsdb_foreach(l->db, dump_one, args);
    l->force = true;
    pthread_mutex_unlock(&l->lock);
}

void ls_adj_down(struct ls *l, int id, uint64_t addr)
{
    struct ls_link *k;

    assert(l != NULL);
    pthread_mutex_lock(&l->lock);
    k = link_of(l, addr);
    if (k != NULL && k->id == id && !k->down) {
        k->down = true;
        k->id = -1;
        k->down_at = mono_ms();
        originate(l, k->down_at); /* the explicit withdrawal */
        l->force = true;
    }
    pthread_mutex_unlock(&l->lock);
}

void ls_recv(struct ls *l, int id, const uint8_t *buf, size_t len)
{
    struct lsa a, mine;
    uint64_t now = mono_ms();
    int v;

    assert(l != NULL);
    if (lsa_decode(buf, len, &a) < 0) {
        log_dbg("an LSA that does not decode from adjacency %d: dropped", id);
        return;
    }
    pthread_mutex_lock(&l->lock);
    if (a.origin == l->conf.self) {
        /* A copy from before a restart: jump past it. */
        if (a.seqno > l->seqno) {
            log_info("an LSA of ours with seqno %" PRIu64 " is around: jumping past it",
                     a.seqno);
            l->seqno = a.seqno;
            originate(l, now);
        }
        pthread_mutex_unlock(&l->lock);
        return;
    }
    v = lsdb_insert(l->db, &a, now);
    if (v == LSDB_NEWER)
        flood(l, &a, id);
    else if (v == LSDB_OLDER && lsdb_get(l->db, a.origin, &mine) == 0)
        send_lsa(l, id, &mine); /* the sender catches up */
    else if (v < 0)
        log_warn("LSA of %" PRIu64 " not stored: %s", a.origin, strerror(-v));
    pthread_mutex_unlock(&l->lock);
}

bool ls_knows(struct ls *l, uint64_t addr)
{
    struct lsa a;
    bool known;

    pthread_mutex_lock(&l->lock);
    known = addr == l->conf.self || lsdb_get(l->db, addr, &a) == 0 || link_of(l, addr) != NULL;
    pthread_mutex_unlock(&l->lock);
    return known;
}

/* ---- routes ---- */

static int nhop_of(void *arg, uint64_t addr)
{
    struct ls_link *k = link_of(arg, addr);

    return k != NULL && !k->down ? k->id : -1;
}

static const struct graph_route *route_of(const struct graph_route *r, size_t n, uint64_t dst)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].dst == dst)
            return &r[i];
    return NULL;
}

static void log_changes(struct ls *l, const struct graph_route *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct graph_route *o = route_of(l->routes, l->n_routes, r[i].dst);
        if (o == NULL || o->n_nhops != r[i].n_nhops ||
            memcmp(o->nhops, r[i].nhops, r[i].n_nhops * sizeof(r[i].nhops[0])) != 0 ||
            o->cost != r[i].cost)
            log_info("route to %" PRIu64 ": via %" PRIu64 "%s, cost %" PRIu64, r[i].dst,
                     r[i].nhops[0], r[i].n_nhops > 1 ? " (and others)" : "", r[i].cost);
    }
    for (size_t i = 0; i < l->n_routes; i++)
        if (route_of(r, n, l->routes[i].dst) == NULL)
            log_info("route to %" PRIu64 ": gone", l->routes[i].dst);
}

static void recalc(struct ls *l, uint64_t now)
{
    struct graph_route *r = NULL;
    uint64_t nbrs[LSA_LINKS_MAX];
    size_t n = 0, k = 0;

    if (graph_routes(l->db, l->conf.self, l->conf.policy, &r, &n) < 0) {
        log_warn("out of memory computing the routes");
        return;
    }
    for (uint8_t cube = 0; cube < QOS_CUBE_MAX; cube++) {
        struct pff_table *t = pff_build(r, n, nhop_of, l), *old;
        if (t == NULL)
            continue;
        /* The forwarding threads may still read the old table: it goes
         * after their grace period (they never take our lock inside it). */
        old = pff_publish(l->pff, cube, t);
        if (old != NULL)
            pff_synchronize(l->pff);
        pff_table_free(&old);
    }
    for (size_t i = 0; i < l->n_links; i++)
        if (!l->links[i].down)
            nbrs[k++] = l->links[i].addr;
    log_changes(l, r, n);
    if (routes_file_write(l->conf.routes_path, l->conf.self, nbrs, k, r, n) < 0)
        log_warn("cannot write %s", l->conf.routes_path);
    graph_routes_free(&l->routes);
    l->routes = r;
    l->n_routes = n;
    l->last_recalc = now;
    l->routed_version = lsdb_version(l->db);
    l->force = false;
}

static void tick(struct ls *l, uint64_t now)
{
    size_t kept = 0;
    bool dropped = false;

    /* A withdrawal is announced for ls_t_timeo, long enough for every
     * copy of the link's LSA to have aged out. */
    for (size_t i = 0; i < l->n_links; i++) {
        if (l->links[i].down && now - l->links[i].down_at > l->conf.t_timeo_ms) {
            dropped = true;
            continue;
        }
        l->links[kept++] = l->links[i];
    }
    l->n_links = kept;
    if (dropped || now - l->last_update >= l->conf.t_update_ms)
        originate(l, now);
    if (lsdb_age(l->db, now) > 0)
        l->force = true;
    if (l->force || lsdb_version(l->db) != l->routed_version ||
        now - l->last_recalc >= l->conf.t_recalc_ms)
        recalc(l, now);
}

static void *ls_main(void *arg)
{
    struct ls *l = arg;

    while (!atomic_load(&l->stop)) {
        pthread_mutex_lock(&l->lock);
        tick(l, mono_ms());
        pthread_mutex_unlock(&l->lock);
        usleep(LS_TICK_MS * 1000);
    }
    return NULL;
}

struct ls *ls_new(const struct ls_conf *conf, struct pff *p, ls_send_fn send, void *arg)
{
    struct ls *l = calloc(1, sizeof(*l));

    assert(conf != NULL && p != NULL && send != NULL && conf->self != 0);
    if (l == NULL)
        return NULL;
    l->conf = *conf;
    l->pff = p;
    l->send = send;
    l->arg = arg;
    /* A restarted IPCP must not send seqnos its neighbours still hold. */
    l->seqno = wall_ms();
    l->force = true;
    pthread_mutex_init(&l->lock, NULL);
    l->db = lsdb_new(conf->t_timeo_ms);
    if (l->db == NULL)
        goto fail;
    pthread_mutex_lock(&l->lock);
    originate(l, mono_ms());
    recalc(l, mono_ms());
    pthread_mutex_unlock(&l->lock);
    if (pthread_create(&l->thread, NULL, ls_main, l) != 0)
        goto fail;
    return l;
fail:
    lsdb_destroy(&l->db);
    pthread_mutex_destroy(&l->lock);
    free(l);
    return NULL;
}

void ls_destroy(struct ls **p)
{
    struct ls *l;

    if (p == NULL || *p == NULL)
        return;
    l = *p;
    atomic_store(&l->stop, true);
    pthread_join(l->thread, NULL);
    graph_routes_free(&l->routes);
    lsdb_destroy(&l->db);
    pthread_mutex_destroy(&l->lock);
    free(l);
    *p = NULL;
}
