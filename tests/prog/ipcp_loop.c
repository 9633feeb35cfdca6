/*
 * ipcp_loop - a test IPCP whose "layer" is itself: a flow it is asked to
 * allocate to a name registered in it comes back to it as a flow request,
 * and the two flows are joined, packets moved from one to the other
 * without a copy. It exercises the IRM daemon's IPCP side and ipcp_dev
 * (announce, bootstrap, names, queries, pending flows, requests, endings,
 * restarts) without a network.
 *
 *   ipcp_loop --node NODE --ipcp NAME [--type udp4] [--max-sdu N]
 *             [--refuse] [--slow-ms N] [--redirect NAME]
 *
 * --redirect: a flow to a name not registered in it arrives as a request
 * for NAME (registered in it, served by a local program): the way to make
 * a flow go through the IPCP on a single node.
 * --refuse: answer every allocation with -ECONNREFUSED (as a peer
 * refusing); --slow-ms: answer allocations that late. Prints its counters
 * at exit: "ipcp_loop moved N dropped D flows F".
 */
#include "deadline.h"
#include "event_queue.h"
#include "hash.h"
#include "ipcp_dev.h"
#include "log.h"
#include "service.h"

#include <errno.h>
#include <getopt.h>
#include <ourobus/errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REGS 64

struct loop {
    struct ipcp_dev *dev;
    struct service *svc;
    uint32_t max_sdu;
    bool refuse;
    int slow_ms;
    const char *redirect;
    enum dir_hash_algo algo;
    uint8_t regs[MAX_REGS][IPCP_HASH_MAX];
    size_t reg_len[MAX_REGS];
    int nregs;
    pthread_mutex_t lock;
    pthread_t mover;
    _Atomic bool stop;
    _Atomic uint64_t moved, dropped, flows;
};

/* A flow's partner: the id of the flow its packets go to. */
static uint32_t partner(const struct np1_flow *f)
{
    return (uint32_t)(uintptr_t)f->priv;
}

static int find_reg(struct loop *l, const uint8_t *hash, size_t len)
{
    for (int i = 0; i < l->nregs; i++)
        if (l->reg_len[i] == len && memcmp(l->regs[i], hash, len) == 0)
            return i;
    return -1;
}

static int op_bootstrap(void *ctx, const struct ipcp_config *conf)
{
    struct loop *l = ctx;

    l->algo = conf->layer_info.dir_hash_algo;
    return ipcp_dev_set_state(l->dev, IPCP_STATE_OPERATIONAL, conf->layer_info.name,
                              l->max_sdu);
}

static int op_reg(void *ctx, const uint8_t *hash, size_t len)
{
    struct loop *l = ctx;
    int err = 0;

    pthread_mutex_lock(&l->lock);
    if (find_reg(l, hash, len) < 0) {
        if (l->nregs == MAX_REGS) {
            err = -ENOSPC;
        } else {
            memcpy(l->regs[l->nregs], hash, len);
            l->reg_len[l->nregs++] = len;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return err;
}

static int op_unreg(void *ctx, const uint8_t *hash, size_t len)
{
    struct loop *l = ctx;
    int i;

    pthread_mutex_lock(&l->lock);
    i = find_reg(l, hash, len);
    if (i >= 0) {
        l->nregs--;
        memcpy(l->regs[i], l->regs[l->nregs], IPCP_HASH_MAX);
        l->reg_len[i] = l->reg_len[l->nregs];
    }
    pthread_mutex_unlock(&l->lock);
    return 0;
}

static int op_query(void *ctx, const uint8_t *hash, size_t len, int timeout_ms)
{
    struct loop *l = ctx;
    int i;

    (void)timeout_ms;
    pthread_mutex_lock(&l->lock);
    i = find_reg(l, hash, len);
    pthread_mutex_unlock(&l->lock);
    return i >= 0 || l->redirect != NULL ? 0 : -ENAME;
}

/* The flow request came back: join the two, answer the allocation. */
static void on_arrived(void *ctx, void *arg, struct np1_flow *b, int err)
{
    struct loop *l = ctx;
    uint32_t a_id = (uint32_t)(uintptr_t)arg;
    struct np1_flow *a = ipcp_flow_get(l->dev, a_id);

    if (a == NULL) { /* given up on meanwhile */
        if (b != NULL)
            ipcp_flow_close(l->dev, b);
        return;
    }
    if (b == NULL) {
        ipcp_flow_alloc_reply(l->dev, a, err, 0, NULL, 0);
        return;
    }
    a->priv = (void *)(uintptr_t)b->id;
    b->priv = (void *)(uintptr_t)a->id;
    ipcp_flow_set_blob(l->dev, b, &a->id, sizeof(a->id));
    if (ipcp_flow_alloc_reply(l->dev, a, 0, 1, &b->id, sizeof(b->id)) < 0) {
        b->priv = NULL;
        ipcp_flow_close(l->dev, b);
        return;
    }
    atomic_fetch_add(&l->flows, 1);
}

struct later {
    struct loop *l;
    uint32_t id;
    uint8_t hash[IPCP_HASH_MAX];
    size_t len;
    qosspec_t qos;
};

static void ask(struct loop *l, uint32_t id, const uint8_t *hash, size_t len,
                const qosspec_t *qos)
{
    struct np1_flow *a = ipcp_flow_get(l->dev, id);
    int err;

    if (a == NULL)
        return;
    if (l->refuse) {
        ipcp_flow_alloc_reply(l->dev, a, -ECONNREFUSED, 0, NULL, 0);
        return;
    }
    err = ipcp_flow_req_arr(l->dev, hash, len, qos, 1, NULL, 0, 5000, on_arrived,
                            (void *)(uintptr_t)id);
    if (err < 0)
        ipcp_flow_alloc_reply(l->dev, a, err, 0, NULL, 0);
}

static int on_later(zloop_t *loop, int timer, void *arg)
{
    struct later *w = arg;

    (void)loop;
    (void)timer;
    ask(w->l, w->id, w->hash, w->len, &w->qos);
    free(w);
    return 0;
}

static int op_flow_alloc(void *ctx, struct np1_flow *f, const uint8_t *hash, size_t len,
                         int timeout_ms)
{
    struct loop *l = ctx;
    uint8_t other[HASH_MAX];
    struct later *w;
    int n;

    (void)timeout_ms;
    if (op_query(ctx, hash, len, 0) < 0)
        return -ENAME;
    pthread_mutex_lock(&l->lock);
    n = find_reg(l, hash, len);
    pthread_mutex_unlock(&l->lock);
    if (n < 0) {
        n = hash_name(l->algo, l->redirect, other);
        if (n < 0)
            return n;
        hash = other;
        len = (size_t)n;
    }
    if (l->slow_ms <= 0) {
        ask(l, f->id, hash, len, &f->qos);
        return 0;
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL)
        return -ENOMEM;
    w->l = l;
    w->id = f->id;
    memcpy(w->hash, hash, len);
    w->len = len;
    w->qos = f->qos;
    zloop_timer(service_loop(l->svc), (size_t)l->slow_ms, 1, on_later, w);
    return 0;
}

static void op_flow_dealloc(void *ctx, struct np1_flow *f)
{
    struct loop *l = ctx;
    struct np1_flow *other = partner(f) ? ipcp_flow_get(l->dev, partner(f)) : NULL;

    /* The "peer" is the other flow: it ends too. */
    if (other != NULL && !f->peer_closed && partner(other) == f->id)
        ipcp_flow_close(l->dev, other);
    f->priv = NULL;
}

static int op_flow_restore(void *ctx, struct np1_flow *f, const void *blob, size_t len)
{
    uint32_t id;

    (void)ctx;
    if (len != sizeof(id))
        return -EINVAL;
    memcpy(&id, blob, sizeof(id));
    f->priv = (void *)(uintptr_t)id;
    return 0;
}

/* Move every packet queued on flow id to its partner. */
static void move(struct loop *l, uint32_t id)
{
    struct pool *pool = ipcp_dev_pool(l->dev);
    struct np1_flow *f = ipcp_flow_get(l->dev, id), *to;
    uint64_t off;

    if (f == NULL || partner(f) == 0)
        return;
    to = ipcp_flow_get(l->dev, partner(f));
    if (to == NULL)
        return; /* not restored yet: the packets wait (see the rescan) */
    while (np1_flow_read(l->dev, f, &off) == 0) {
        if (np1_flow_write(l->dev, to, off) < 0) {
            pool_free(pool, off);
            atomic_fetch_add(&l->dropped, 1);
        } else {
            atomic_fetch_add(&l->moved, 1);
        }
    }
}

static void *mover_main(void *arg)
{
    struct loop *l = arg;
    struct evq *q = ipcp_dev_evq(l->dev);
    struct evq_event ev;
    uint32_t ids[1024];

    while (!atomic_load(&l->stop)) {
        /* Quiet for 100 ms, or events lost: look at every flow (after a
         * restart a flow may wait for its partner to be restored). */
        if (evq_wait(q, &ev, now_ns() + 100000000ull, NULL) < 0 || (ev.type & EVQ_OVERFLOW)) {
            int n = ipcp_dev_flow_ids(l->dev, ids, 1024);
            for (int i = 0; i < n; i++)
                move(l, ids[i]);
            continue;
        }
        move(l, ev.flow);
    }
    return NULL;
}

static enum ipcp_type type_of(const char *word)
{
    if (strcmp(word, "udp6") == 0)
        return IPCP_UDP6;
    if (strcmp(word, "eth-dix") == 0)
        return IPCP_ETH_DIX;
    if (strcmp(word, "eth-llc") == 0)
        return IPCP_ETH_LLC;
    return IPCP_UDP4;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: ipcp_loop --node NODE --ipcp NAME [--type udp4|udp6|eth-dix|eth-llc]\n"
                 "                 [--max-sdu N] [--refuse] [--slow-ms N] [--redirect NAME]\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"node", required_argument, NULL, 'n'},
                                         {"ipcp", required_argument, NULL, 'i'},
                                         {"type", required_argument, NULL, 't'},
                                         {"max-sdu", required_argument, NULL, 'm'},
                                         {"refuse", no_argument, NULL, 'r'},
                                         {"slow-ms", required_argument, NULL, 's'},
                                         {"redirect", required_argument, NULL, 'R'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static const struct ipcp_ops ops = {
        .bootstrap = op_bootstrap,
        .reg = op_reg,
        .unreg = op_unreg,
        .query = op_query,
        .flow_alloc = op_flow_alloc,
        .flow_dealloc = op_flow_dealloc,
        .flow_restore = op_flow_restore,
    };
    struct loop l = {.max_sdu = 1400};
    const char *node = NULL, *name = NULL;
    enum ipcp_type type = IPCP_UDP4;
    char svc_name[SERVICE_NAME_MAX + 1];
    int c, err;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            node = optarg;
            break;
        case 'i':
            name = optarg;
            break;
        case 't':
            type = type_of(optarg);
            break;
        case 'm':
            l.max_sdu = (uint32_t)atoi(optarg);
            break;
        case 'r':
            l.refuse = true;
            break;
        case 's':
            l.slow_ms = atoi(optarg);
            break;
        case 'R':
            l.redirect = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (name == NULL) {
        usage(stderr);
        return 2;
    }
    snprintf(svc_name, sizeof(svc_name), "ipcp-loop.%s", name);
    l.svc = service_new(svc_name, node_name_default(node));
    if (l.svc == NULL)
        return 1;
    pthread_mutex_init(&l.lock, NULL);
    l.dev = ipcp_dev_new(l.svc, name, type, &ops, &l);
    if (l.dev == NULL) {
        fprintf(stderr, "ipcp_loop: cannot start: %s\n", strerror(errno));
        service_destroy(&l.svc);
        return 1;
    }
    pthread_create(&l.mover, NULL, mover_main, &l);
    err = service_run(l.svc);
    atomic_store(&l.stop, true);
    pthread_join(l.mover, NULL);
    ipcp_dev_destroy(&l.dev);
    service_destroy(&l.svc);
    printf("ipcp_loop moved %llu dropped %llu flows %llu\n",
           (unsigned long long)atomic_load(&l.moved),
           (unsigned long long)atomic_load(&l.dropped),
           (unsigned long long)atomic_load(&l.flows));
    return err < 0 ? 1 : 0;
}
