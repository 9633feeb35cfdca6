/*
 * test_call_pool.c - bus calls on worker threads, results on the loop:
 * the callback's thread, order, status and body; many calls each answered
 * once; no server, a deadline, a reply that comes late; pending counts; a
 * destroy with calls still queued; nanopb bodies.
 *
 *   zloop (test thread) <--eventfd-- call_pool workers --ipc--> server thread
 */
#include "bus_client.h"
#include "bus_server.h"
#include "bustest.pb.h"
#include "call_pool.h"
#include "deadline.h"
#include "proc.h"
#include "tap.h"

#include <errno.h>
#include <pb_decode.h>
#include <pthread.h>
#include <stdatomic.h>

#define M_ECHO  1 /* status: the body's length; the body back */
#define M_LATER 2 /* body: u32 ms; answered then with status 42 and "late" */
#define M_NEVER 3 /* never answered */
#define M_FAIL  4 /* -EPERM */
#define M_PB    5 /* bustest_echo -> bustest_echo with number + 1 */

#define LATER_MAX 64
#define MANY      200

/* ---- the server ------------------------------------------------------- */

struct server {
    pthread_t thread;
    char endpoint[160];
    atomic_int stop;
    atomic_int ready;
    atomic_int calls[8];
    struct bus_server *bus;
    struct {
        uint64_t ticket;
        uint64_t due;
    } later[LATER_MAX];
    int nlater;
};

static int on_echo(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server *s = arg;

    atomic_fetch_add(&s->calls[M_ECHO], 1);
    if (bus_reply_set_body(rep, req->body.data, req->body.size) < 0)
        return -EMSGSIZE;
    return (int)req->body.size;
}

static int on_later(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server *s = arg;
    uint32_t ms = 0;

    atomic_fetch_add(&s->calls[M_LATER], 1);
    if (req->body.size != sizeof(ms) || s->nlater == LATER_MAX)
        return -EINVAL;
    memcpy(&ms, req->body.data, sizeof(ms));
    s->later[s->nlater].ticket = bus_reply_defer(rep);
    s->later[s->nlater].due = deadline_after_ms(ms);
    s->nlater++;
    return BUS_REPLY_DEFERRED;
}

static int on_never(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server *s = arg;

    (void)req;
    atomic_fetch_add(&s->calls[M_NEVER], 1);
    return bus_reply_defer(rep) != 0 ? BUS_REPLY_DEFERRED : -ENOMEM;
}

static int on_fail(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server *s = arg;

    (void)req;
    (void)rep;
    atomic_fetch_add(&s->calls[M_FAIL], 1);
    return -EPERM;
}

static int on_pb(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server *s = arg;
    bustest_echo_t m = BUSTEST_ECHO_INIT_ZERO;

    atomic_fetch_add(&s->calls[M_PB], 1);
    if (bus_request_decode(req, BUSTEST_ECHO_FIELDS, &m) < 0)
        return -EBADMSG;
    m.number++;
    return bus_reply_encode(rep, BUSTEST_ECHO_FIELDS, &m);
}

/* Answer the deferred M_LATER requests that are due. */
static void later_answer(struct server *s)
{
    uint64_t now = now_ns();

    for (int i = 0; i < s->nlater;) {
        if (s->later[i].due > now) {
            i++;
            continue;
        }
        bus_server_reply_deferred(s->bus, s->later[i].ticket, 42, "late", 4);
        s->later[i] = s->later[--s->nlater];
    }
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    zpoller_t *poller;

    s->bus = bus_server_new(s->endpoint, 0xca11, NULL);
    if (s->bus == NULL) {
        atomic_store(&s->ready, -1);
        return NULL;
    }
    bus_server_add_method(s->bus, M_ECHO, BUS_METHOD_IDEMPOTENT, on_echo, s);
    bus_server_add_method(s->bus, M_LATER, BUS_METHOD_IDEMPOTENT, on_later, s);
    bus_server_add_method(s->bus, M_NEVER, BUS_METHOD_IDEMPOTENT, on_never, s);
    bus_server_add_method(s->bus, M_FAIL, BUS_METHOD_IDEMPOTENT, on_fail, s);
    bus_server_add_method(s->bus, M_PB, BUS_METHOD_IDEMPOTENT, on_pb, s);
    poller = zpoller_new(bus_server_sock(s->bus), NULL);
    atomic_store(&s->ready, 1);
    while (!atomic_load(&s->stop)) {
        zpoller_wait(poller, 2);
        while (bus_server_handle_one(s->bus) > 0)
            ;
        later_answer(s);
    }
    zpoller_destroy(&poller);
    bus_server_destroy(&s->bus);
    return NULL;
}

static void server_start(struct server *s, const char *dir)
{
    uint64_t end = deadline_after_ms(5000);

    snprintf(s->endpoint, sizeof(s->endpoint), "ipc://%s/pool-server.ctl", dir);
    if (pthread_create(&s->thread, NULL, server_main, s) != 0)
        bail_out("cannot start the server thread");
    while (atomic_load(&s->ready) == 0 && now_ns() < end)
        usleep(1000);
    if (atomic_load(&s->ready) != 1)
        bail_out("the server did not start");
}

static void server_stop(struct server *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
}

/* ---- the loop side ---------------------------------------------------- */

struct result {
    int runs; /* times its callback ran */
    int order;
    int status;
    uint8_t body[64];
    size_t len;
    pthread_t thread;
    uint64_t at;
};

struct batch {
    struct result r[MANY];
    int delivered;
};

struct token {
    struct batch *b;
    int i;
};

static struct token tokens[MANY];

static void on_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    struct token *t = arg;
    struct result *r = &t->b->r[t->i];

    r->runs++;
    r->order = t->b->delivered++;
    r->status = status;
    r->len = len;
    if (len <= sizeof(r->body) && len > 0)
        memcpy(r->body, rep, len);
    r->thread = pthread_self();
    r->at = now_ns();
}

static void batch_reset(struct batch *b)
{
    memset(b, 0, sizeof(*b));
    for (int i = 0; i < MANY; i++)
        tokens[i] = (struct token){b, i};
}

struct until {
    bool (*cond)(void *);
    void *arg;
    uint64_t end;
};

static int on_check(zloop_t *loop, int timer, void *arg)
{
    struct until *u = arg;

    (void)loop;
    (void)timer;
    return u->cond(u->arg) || now_ns() >= u->end ? -1 : 0;
}

/* Run the loop until cond holds, at most ms. Returns cond. */
static bool run_until(zloop_t *loop, bool (*cond)(void *), void *arg, int ms)
{
    struct until u = {cond, arg, deadline_after_ms(ms)};
    int t;

    if (cond(arg))
        return true;
    t = zloop_timer(loop, 1, 0, on_check, &u);
    zloop_start(loop);
    zloop_timer_end(loop, t);
    return cond(arg);
}

struct count_of {
    struct batch *b;
    int want;
};

static bool delivered_at_least(void *arg)
{
    struct count_of *c = arg;

    return c->b->delivered >= c->want;
}

static bool never(void *arg)
{
    (void)arg;
    return false;
}

static void test_order(zloop_t *loop, const char *ep, struct batch *b)
{
    struct call_pool *p = call_pool_new(loop, "cp-order", 1);
    struct count_of want = {b, 20};
    bool in_order = true, on_loop = true, right = true;

    ok(p != NULL, "a pool with one worker");
    if (p == NULL)
        bail_out("no pool");
    batch_reset(b);
    for (int i = 0; i < 20; i++) {
        char body[16];
        int n = snprintf(body, sizeof(body), "call %d", i);

        call_pool_submit(p, ep, M_ECHO, body, (size_t)n, 3000, on_done, &tokens[i]);
    }
    is(call_pool_pending(p), 20, "20 calls pending: none is delivered before the loop runs");
    ok(run_until(loop, delivered_at_least, &want, 5000), "all 20 delivered");
    for (int i = 0; i < 20; i++) {
        char body[16];
        int n = snprintf(body, sizeof(body), "call %d", i);

        in_order &= b->r[i].order == i && b->r[i].runs == 1;
        on_loop &= pthread_equal(b->r[i].thread, pthread_self());
        right &= b->r[i].status == n && b->r[i].len == (size_t)n &&
                 memcmp(b->r[i].body, body, (size_t)n) == 0;
    }
    ok(in_order, "one worker, quick calls: results come in submit order, once each");
    ok(on_loop, "every callback runs on the loop's thread");
    ok(right, "with the server's status and body");
    is(call_pool_pending(p), 0, "nothing pending after delivery");
    call_pool_destroy(&p);
    ok(p == NULL, "destroy NULLs the pointer");
    call_pool_destroy(&p);
    call_pool_destroy(NULL);
}

static void test_many(zloop_t *loop, const char *ep, struct server *s, struct batch *b)
{
    struct call_pool *p = call_pool_new(loop, "cp-many", CALL_POOL_THREADS);
    struct count_of want = {b, MANY};
    int before = atomic_load(&s->calls[M_ECHO]);
    bool once = true;

    batch_reset(b);
    for (int i = 0; i < MANY; i++)
        if (call_pool_submit(p, ep, M_ECHO, &i, sizeof(i), 5000, on_done, &tokens[i]) < 0)
            once = false;
    ok(run_until(loop, delivered_at_least, &want, 8000),
       "%d calls on %d workers: all delivered", MANY, CALL_POOL_THREADS);
    for (int i = 0; i < MANY; i++) {
        int got = -1;

        if (b->r[i].len == sizeof(got))
            memcpy(&got, b->r[i].body, sizeof(got));
        once &= b->r[i].runs == 1 && b->r[i].status == (int)sizeof(int) && got == i;
    }
    ok(once, "each exactly once, with its own reply");
    ok(atomic_load(&s->calls[M_ECHO]) - before >= MANY, "the server saw them all (%d)",
       atomic_load(&s->calls[M_ECHO]) - before);
    is(call_pool_pending(p), 0, "none pending");
    call_pool_destroy(&p);
}

static void test_failures(zloop_t *loop, const char *dir, const char *ep, struct batch *b)
{
    struct call_pool *p = call_pool_new(loop, "cp-fail", 2);
    struct count_of want = {b, 1};
    char none[200];
    uint64_t t0;
    uint32_t ms;

    snprintf(none, sizeof(none), "ipc://%s/nobody.ctl", dir);
    batch_reset(b);
    t0 = now_ns();
    call_pool_submit(p, none, M_ECHO, "x", 1, 5000, on_done, &tokens[0]);
    run_until(loop, delivered_at_least, &want, 3000);
    ok(b->r[0].runs == 1 && b->r[0].status < 0,
       "no server at the endpoint: the call fails (%d)", b->r[0].status);
    ok(b->r[0].at - t0 < 1000000000ull, "at once, not at its 5 s deadline (%llu ms)",
       (unsigned long long)((b->r[0].at - t0) / 1000000));

    batch_reset(b);
    t0 = now_ns();
    call_pool_submit(p, ep, M_NEVER, NULL, 0, 300, on_done, &tokens[0]);
    ok(run_until(loop, delivered_at_least, &want, 3000), "a call nobody answers ends");
    is(b->r[0].status, -ETIMEDOUT, "with -ETIMEDOUT");
    ok(b->r[0].at - t0 >= 280000000ull && b->r[0].at - t0 < 1500000000ull,
       "after about its 300 ms timeout (%llu ms)",
       (unsigned long long)((b->r[0].at - t0) / 1000000));

    batch_reset(b);
    ms = 150;
    t0 = now_ns();
    call_pool_submit(p, ep, M_LATER, &ms, sizeof(ms), 3000, on_done, &tokens[0]);
    ok(run_until(loop, delivered_at_least, &want, 4000) && b->r[0].status == 42 &&
           b->r[0].len == 4 && memcmp(b->r[0].body, "late", 4) == 0,
       "a deferred reply: the server's status and body when it answers");
    ok(b->r[0].at - t0 >= 140000000ull, "not before the server answered (%llu ms)",
       (unsigned long long)((b->r[0].at - t0) / 1000000));

    batch_reset(b);
    call_pool_submit(p, ep, M_FAIL, "y", 1, 3000, on_done, &tokens[0]);
    ok(run_until(loop, delivered_at_least, &want, 3000) && b->r[0].status == -EPERM &&
           b->r[0].len == 0,
       "an error status comes back as such, without a body");
    call_pool_destroy(&p);
}

static void on_pb_done(void *arg, int status, const uint8_t *rep, size_t len)
{
    bustest_echo_t *m = arg;
    pb_istream_t is = pb_istream_from_buffer(rep, len);

    if (status < 0 || !pb_decode(&is, BUSTEST_ECHO_FIELDS, m))
        m->number = 0xdead;
    m->number |= 0x80000000u; /* delivered */
}

static bool pb_delivered(void *arg)
{
    return (((bustest_echo_t *)arg)->number & 0x80000000u) != 0;
}

static void test_pb(zloop_t *loop, const char *ep)
{
    struct call_pool *p = call_pool_new(loop, "cp-pb", 1);
    bustest_echo_t req = BUSTEST_ECHO_INIT_ZERO, rep = BUSTEST_ECHO_INIT_ZERO;

    snprintf(req.text, sizeof(req.text), "nanopb");
    req.number = 6;
    is(call_pool_submit_pb(p, ep, M_PB, BUSTEST_ECHO_FIELDS, &req, 3000, on_pb_done, &rep), 0,
       "submit_pb encodes the message");
    ok(run_until(loop, pb_delivered, &rep, 3000) && (rep.number & 0x7fffffffu) == 7 &&
           strcmp(rep.text, "nanopb") == 0,
       "the server decoded it and its reply decodes (number + 1)");
    call_pool_destroy(&p);
}

/* A worker stuck in a call, calls queued behind it: destroy waits for the
 * call's deadline only, frees the rest (ASan: no leak) and runs none. */
static void test_destroy(zloop_t *loop, const char *ep, struct server *s, struct batch *b)
{
    struct call_pool *p = call_pool_new(loop, "cp-destroy", 1);
    uint64_t end = deadline_after_ms(3000), t0;
    int never_before = atomic_load(&s->calls[M_NEVER]);

    batch_reset(b);
    call_pool_submit(p, ep, M_NEVER, "stuck", 5, 400, on_done, &tokens[0]);
    for (int i = 1; i < 50; i++)
        call_pool_submit(p, ep, M_ECHO, "queued", 6, 3000, on_done, &tokens[i]);
    is(call_pool_pending(p), 50, "50 calls pending");
    /* The worker is in the first call once the server has it. */
    while (atomic_load(&s->calls[M_NEVER]) == never_before && now_ns() < end)
        usleep(1000);
    ok(atomic_load(&s->calls[M_NEVER]) > never_before, "the worker is in the stuck call");
    t0 = now_ns();
    call_pool_destroy(&p);
    ok(p == NULL && now_ns() - t0 < 2000000000ull,
       "destroy returns within a bound (%llu ms): the call's deadline, not the queue's",
       (unsigned long long)((now_ns() - t0) / 1000000));
    run_until(loop, never, NULL, 50);
    is(b->delivered, 0, "no callback of a dropped call runs, even on a later loop turn");
}

int main(void)
{
    static struct batch b;
    struct server s = {0};
    const char *dir;
    zloop_t *loop;

    plan(26);
    dir = proc_tmp_dir("callpool");
    server_start(&s, dir);
    loop = zloop_new();

    test_order(loop, s.endpoint, &b);
    test_many(loop, s.endpoint, &s, &b);
    test_failures(loop, dir, s.endpoint, &b);
    test_pb(loop, s.endpoint);
    test_destroy(loop, s.endpoint, &s, &b);

    zloop_destroy(&loop);
    server_stop(&s);
    return done();
}
