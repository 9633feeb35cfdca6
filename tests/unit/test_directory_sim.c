/*
 * test_directory_sim.c - many DHT nodes in one process, joined by an
 * in-memory message queue (1 ms per message) and a simulated clock: every
 * node publishes its name, every node resolves every other name (hop
 * counts as diag lines), a node that leaves does not hide other names,
 * and an unpublished name disappears, by REMOVE or by expiry.
 *
 *   node 0 <- bootstrap of nodes 1..N-1; every node: dht_publish("node-i")
 *   all-to-all dht_query; node X goes silent; all-to-all again; ...
 */
#include "dht.h"
#include "hash.h"
#include "tap.h"

#include "kbucket.h"

#include <errno.h>

#define LATENCY       1    /* ms per message */
#define TICK          1000 /* ms between dht_tick calls */
#define N_MAX         100
#define LEAVERS       3         /* nodes that leave at once (fewer than k) */
#define MSGS_MAX      5000000u  /* messages queued at once, at most */
#define DELIVERED_MAX 50000000u /* messages delivered in the whole test */

struct qmsg {
    struct qmsg *next;
    uint64_t at, from, to;
    size_t len;
    uint8_t buf[];
};

struct sim {
    size_t n;
    struct dht *node[N_MAX];
    bool down[N_MAX];
    bool mute[N_MAX]; /* its messages are lost, it still receives */
    uint8_t id[N_MAX][HASH_MAX];
    uint8_t name[N_MAX][HASH_MAX];
    struct qmsg *head, *tail;
    size_t queued;
    uint64_t now;
    uint64_t next_tick;
    uint64_t delivered;
    bool overflow;
};

struct query {
    bool done;
    int err;
    size_t n;
    uint64_t addr;
};

/* Each node gets its own context so the queue knows who sent. */
struct node_ctx {
    struct sim *s;
    uint64_t addr;
};

static struct node_ctx ctxs[N_MAX];

static int node_send(void *ctx, uint64_t to, const uint8_t *buf, size_t len)
{
    struct node_ctx *nc = ctx;
    struct sim *s = nc->s;
    struct qmsg *m;

    if (s->mute[nc->addr - 1] || to == 0 || to > s->n)
        return 0;
    if (s->queued >= MSGS_MAX) {
        s->overflow = true;
        return 0;
    }
    m = malloc(sizeof(*m) + len);
    if (m == NULL)
        bail_out("no memory for a message");
    m->next = NULL;
    m->at = s->now + LATENCY;
    m->from = nc->addr;
    m->to = to;
    m->len = len;
    memcpy(m->buf, buf, len);
    if (s->tail)
        s->tail->next = m;
    else
        s->head = m;
    s->tail = m;
    s->queued++;
    return 0;
}

static void sim_params(struct dht_params *p, size_t k)
{
    dht_params_default(p);
    p->k = k;
    /* Short lifetimes so expiry fits the simulation; everything else is the
     * reference's default. */
    p->t_expire = 600;
    p->t_replicate = 60;
    p->t_refresh = 120;
}

static void sim_init(struct sim *s, size_t n, size_t k)
{
    struct dht_params p;
    char name[32];

    memset(s, 0, sizeof(*s));
    s->n = n;
    s->now = 1000000;
    s->next_tick = s->now + TICK;
    sim_params(&p, k);
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "ipcp-%zu", i);
        hash_name(DIR_HASH_SHA3_256, name, s->id[i]);
        snprintf(name, sizeof(name), "node-%zu", i);
        hash_name(DIR_HASH_SHA3_256, name, s->name[i]);
        ctxs[i] = (struct node_ctx){s, i + 1};
        s->node[i] = dht_new(&p, s->id[i], i + 1, node_send, &ctxs[i]);
        if (s->node[i] == NULL)
            bail_out("dht_new failed");
    }
}

static void sim_fini(struct sim *s)
{
    while (s->head) {
        struct qmsg *m = s->head;

        s->head = m->next;
        free(m);
    }
    for (size_t i = 0; i < s->n; i++)
        dht_destroy(&s->node[i]);
}

static size_t pending(const struct sim *s)
{
    size_t n = 0;

    for (size_t i = 0; i < s->n; i++)
        n += s->down[i] ? 0 : dht_pending(s->node[i]);
    return n;
}

/* Deliver messages and tick the nodes until nothing is in flight, or for
 * at least min_ms, at most max_ms of simulated time. */
static void sim_run(struct sim *s, uint64_t min_ms, uint64_t max_ms)
{
    uint64_t start = s->now;

    /* Bounded by simulated time and by the messages of the whole test. */
    while (s->now < start + max_ms && s->delivered < DELIVERED_MAX) {
        if (s->head == NULL && pending(s) == 0 && s->now >= start + min_ms)
            break;
        if (s->head != NULL && s->head->at <= s->next_tick) {
            struct qmsg *m = s->head;

            s->head = m->next;
            if (s->head == NULL)
                s->tail = NULL;
            s->queued--;
            if (m->at > s->now)
                s->now = m->at;
            if (!s->down[m->to - 1]) {
                dht_recv(s->node[m->to - 1], m->buf, m->len, m->from, s->now);
                s->delivered++;
            }
            free(m);
            continue;
        }
        s->now = s->next_tick;
        s->next_tick += TICK;
        for (size_t i = 0; i < s->n; i++) {
            if (!s->down[i])
                dht_tick(s->node[i], s->now);
        }
    }
}

static void on_answer(void *ctx, const uint8_t *key, int err, const struct dht_value *v,
                      size_t n)
{
    struct query *q = ctx;

    (void)key;
    q->done = true;
    q->err = err;
    q->n = n;
    q->addr = n > 0 ? v[0].addr : 0;
}

/* Every live node asks for every live node's name but its own: how many
 * answers were right (the name's node address), wrong, or missing. */
static void all_to_all(struct sim *s, size_t *right, size_t *wrong, size_t *none)
{
    static struct query q[N_MAX][N_MAX];

    memset(q, 0, sizeof(q));
    *right = *wrong = *none = 0;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < s->n && !s->down[i]; j++) {
            if (j != i && !s->down[j])
                dht_query(s->node[i], s->name[j], s->now, on_answer, &q[i][j]);
        }
        /* Flush now and then so no node holds over 128 lookups. */
        sim_run(s, 0, 60000);
    }
    sim_run(s, 0, 120000);
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < s->n && !s->down[i]; j++) {
            if (j == i || s->down[j])
                continue;
            if (!q[i][j].done || q[i][j].err != 0)
                (*none)++;
            else if (q[i][j].addr == j + 1 && q[i][j].n == 1)
                (*right)++;
            else
                (*wrong)++;
        }
    }
}

static void hop_figures(struct sim *s, struct dht_stats *sum, uint64_t *max)
{
    memset(sum, 0, sizeof(*sum));
    *max = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct dht_stats st;

        dht_get_stats(s->node[i], &st);
        sum->queries += st.queries;
        sum->queries_local += st.queries_local;
        sum->queries_failed += st.queries_failed;
        sum->query_hops += st.query_hops;
        sum->msgs_sent += st.msgs_sent;
        sum->msgs_bad += st.msgs_bad;
        sum->timeouts += st.timeouts;
        if (st.query_hops_max > *max)
            *max = st.query_hops_max;
    }
}

/* How many live nodes other than except can resolve name j. */
static size_t resolvers(struct sim *s, size_t j, size_t except)
{
    static struct query q[N_MAX];
    size_t got = 0;

    memset(q, 0, sizeof(q));
    for (size_t i = 0; i < s->n; i++) {
        if (i != except && !s->down[i])
            dht_query(s->node[i], s->name[j], s->now, on_answer, &q[i]);
    }
    sim_run(s, 0, 60000);
    for (size_t i = 0; i < s->n; i++)
        got += q[i].done && q[i].err == 0;
    return got;
}

/* n nodes with buckets of k; lv (< k) of them leave at once. */
static void run_network(size_t n, size_t k, size_t lv)
{
    static struct sim s;
    struct dht_stats sum;
    uint64_t max;
    size_t right, wrong, none, joined = 0, leaver[LEAVERS] = {0}, gone, faded;

    diag("%zu nodes, k = %zu:", n, k);
    sim_init(&s, n, k);
    for (size_t i = 1; i < n; i++) {
        dht_bootstrap(s.node[i], 1, s.now);
        sim_run(&s, 0, 30000);
    }
    for (size_t i = 0; i < n; i++)
        joined += dht_contacts(s.node[i]) >= k;
    is(joined, n, "%zu nodes: every node knows at least k = %zu contacts after joining", n, k);

    for (size_t i = 0; i < n; i++)
        dht_publish(s.node[i], s.name[i], i + 1, s.now);
    sim_run(&s, 0, 60000);
    ok(!s.overflow, "%zu nodes: the message queue never overflowed", n);

    all_to_all(&s, &right, &wrong, &none);
    is(right, n * (n - 1), "%zu nodes: all %zu name resolutions are right", n, n * (n - 1));
    is(wrong + none, 0, "%zu nodes: none wrong or missing (%zu, %zu)", n, wrong, none);
    hop_figures(&s, &sum, &max);
    ok(sum.queries > 0, "%zu nodes: %llu resolutions went to the network", n,
       (unsigned long long)sum.queries);
    diag("%zu nodes: %llu lookups from the network, %llu answered locally, hops mean %.2f "
         "max %llu, %llu messages",
         n, (unsigned long long)sum.queries, (unsigned long long)sum.queries_local,
         sum.queries ? (double)sum.query_hops / (double)sum.queries : 0.0,
         (unsigned long long)max, (unsigned long long)sum.msgs_sent);
    ok(max <= 6, "%zu nodes: at most 6 hops to any name (got %llu)", n,
       (unsigned long long)max);
    is(sum.msgs_bad, 0, "%zu nodes: no message was dropped as malformed", n);

    /* The lv nodes closest to name 0's key hold its first copies: they
     * leave, so a lookup's first requests for it go unanswered. */
    for (size_t left = 0; left < lv; left++) {
        size_t best = n;

        for (size_t i = 1; i < n; i++) {
            if (!s.down[i] &&
                (best == n || kbucket_cmp(s.id[i], s.id[best], s.name[0], 32) < 0))
                best = i;
        }
        s.down[best] = s.mute[best] = true;
        leaver[left] = best;
    }
    all_to_all(&s, &right, &wrong, &none);
    is(right, (n - lv) * (n - lv - 1),
       "%zu nodes: %zu nodes gone (%zu, %zu, ...), the others still resolve every other name",
       n, lv, leaver[0], leaver[1]);
    is(wrong + none, 0, "%zu nodes: ... none wrong or missing (%zu, %zu)", n, wrong, none);
    hop_figures(&s, &sum, &max);
    /* With fewer leavers than alpha (3), a lookup's first round also asks a
     * live holder and may end before any request to the dead can time out. */
    if (lv >= 3)
        ok(sum.timeouts > 0, "%zu nodes: ... %llu requests to them timed out on the way", n,
           (unsigned long long)sum.timeouts);
    diag("%zu nodes: after %zu nodes left: hops mean %.2f max %llu (all queries so far)", n, lv,
         sum.queries ? (double)sum.query_hops / (double)sum.queries : 0.0,
         (unsigned long long)max);

    /* Name 2 is unpublished: REMOVE reaches its holders. */
    for (gone = 2; s.down[gone]; gone++)
        ;
    is(resolvers(&s, gone, gone), n - 1 - lv, "%zu nodes: name %zu resolves before", n, gone);
    is(dht_unpublish(s.node[gone], s.name[gone], s.now), 0, "%zu nodes: node %zu unpublishes",
       n, gone);
    is(dht_unpublish(s.node[gone], s.name[gone], s.now), -ENOENT, "... twice: -ENOENT");
    sim_run(&s, 0, 60000);
    is(resolvers(&s, gone, gone), 0, "%zu nodes: after REMOVE, nobody resolves name %zu", n,
       gone);
    sim_run(&s, 3 * 60000, 4 * 60000);
    is(resolvers(&s, gone, gone), 0,
       "%zu nodes: replication rounds later, it stays gone (tombstones)", n);

    /* The next name's REMOVE is lost: its copies expire (t_expire 600 s). */
    for (faded = gone + 1; s.down[faded]; faded++)
        ;
    s.mute[faded] = true;
    dht_unpublish(s.node[faded], s.name[faded], s.now);
    sim_run(&s, 0, 60000);
    s.mute[faded] = false;
    ok(resolvers(&s, faded, faded) > 0, "%zu nodes: REMOVE of name %zu lost: still resolved", n,
       faded);
    sim_run(&s, 601000, 700000);
    is(resolvers(&s, faded, faded), 0, "%zu nodes: %zu s later its copies have expired", n,
       (size_t)601);
    is(resolvers(&s, 0, 0), n - 1 - lv, "%zu nodes: while name 0 is still there (republished)",
       n);
    ok(s.delivered < DELIVERED_MAX, "%zu nodes: %llu messages delivered", n,
       (unsigned long long)s.delivered);
    sim_fini(&s);
}

int main(void)
{
    run_network(32, 8, LEAVERS);
    run_network(100, 8, LEAVERS);
    /* Small buckets: lookups must take several hops. */
    run_network(100, 3, 2);
    return done();
}
