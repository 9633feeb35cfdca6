/*
 * t_flow_api.c - the flow API's documented behaviour against a running IRM
 * daemon (tests/integration/flow_api.sh starts it): bad descriptors and
 * names, timeouts, non-blocking calls, partial reads, access modes, sizes,
 * a closed or killed peer, flow sets and events, queue lengths, threads,
 * fork.
 */
#include "child.h"
#include "deadline.h"
#include "tap.h"
#include "test_irm.h"

#include <ourobus/dev.h>
#include <ourobus/fccntl.h>
#include <ourobus/fqueue.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#define MS 1000000ull

/* ---- the echo server: one thread per flow; the first byte of a packet
 * says what to do with it ---- */

enum { CMD_ECHO = 'E', CMD_CLOSE = 'C', CMD_SEND = 'N' };

struct send_cmd {
    char cmd;
    uint32_t count;
    uint32_t size;
} __attribute__((packed));

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    static __thread char buf[1 << 17];

    for (;;) {
        ssize_t n = flow_read(fd, buf, sizeof(buf));
        if (n < 0)
            break;
        if (n == 0)
            continue;
        if (buf[0] == CMD_CLOSE)
            break;
        if (buf[0] == CMD_SEND && n >= (ssize_t)sizeof(struct send_cmd)) {
            struct send_cmd c;
            memcpy(&c, buf, sizeof(c));
            memset(buf, 'x', c.size);
            for (uint32_t i = 0; i < c.count; i++)
                flow_write(fd, buf, c.size);
            continue;
        }
        flow_write(fd, buf, (size_t)n);
    }
    flow_dealloc(fd);
    return NULL;
}

static int echo_server(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_t t;
        int fd = flow_accept(NULL, NULL);
        if (fd < 0)
            return 1;
        pthread_create(&t, NULL, serve, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
}

static const char *srv_name = "t-echo";

static int alloc(void)
{
    struct timespec t = {5, 0};
    return flow_alloc(srv_name, NULL, &t);
}

static void test_bad_input(void)
{
    char buf[8];
    char longname[300];
    uint64_t t0;

    is(flow_read(5, buf, 8), -EBADF, "read on a descriptor below the flow range: -EBADF");
    is(flow_write(5000, buf, 8), -EBADF, "write beyond the range: -EBADF");
    is(flow_read(100, buf, 8), -ENOTALLOC, "read on a descriptor with no flow: -ENOTALLOC");
    is(flow_dealloc(100), -ENOTALLOC, "dealloc of no flow: -ENOTALLOC");
    is(flow_dealloc(-1), -EINVAL, "dealloc of -1: -EINVAL");
    is(fccntl(100, FLOWGFLAGS, NULL), -ENOTALLOC, "fccntl on no flow: -ENOTALLOC");
    is(flow_alloc(NULL, NULL, NULL), -EINVAL, "alloc to NULL: -EINVAL");
    is(flow_alloc("", NULL, NULL), -EINVAL, "alloc to an empty name: -EINVAL");
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    is(flow_alloc(longname, NULL, NULL), -EINVAL, "alloc to a 299-byte name: -EINVAL");
    t0 = now_ns();
    is(flow_alloc("t-no-such-name", NULL, NULL), -ENAME, "alloc to an unknown name: -ENAME");
    ok(now_ns() - t0 < 500 * MS, "at once (%llu ms)",
       (unsigned long long)((now_ns() - t0) / MS));
    {
        struct timespec bad = {0, 2000000000};
        is(flow_accept(NULL, &bad), -EINVAL, "a timespec with 2e9 ns: -EINVAL");
    }
}

static void test_basic(void)
{
    qosspec_t q = qos_voice;
    struct timespec t = {5, 0};
    char out[100], in[200];
    int fd;

    fd = flow_alloc(srv_name, &q, &t);
    ok(fd >= 64 && fd < 4096, "alloc: a descriptor in [64, 4096) (%d)", fd);
    ok(q.delay == qos_voice.delay && q.in_order == 1, "the granted QoS comes back in *qs");
    memset(out, 0, sizeof(out));
    out[0] = CMD_ECHO;
    snprintf(out + 1, sizeof(out) - 1, "hello %d", fd);
    is(flow_write(fd, out, sizeof(out)), sizeof(out), "write 100 bytes");
    is(flow_read(fd, in, sizeof(in)), sizeof(out), "read 100 bytes back");
    ok(memcmp(in, out, sizeof(out)) == 0, "the same bytes");
    {
        qosspec_t g;
        ok(fccntl(fd, FLOWGQOSSPEC, &g) == 0 && g.max_gap == qos_voice.max_gap,
           "FLOWGQOSSPEC gives the QoS");
    }
    is(flow_dealloc(fd), 0, "dealloc");
    is(flow_read(fd, in, sizeof(in)), -ENOTALLOC, "read after dealloc: -ENOTALLOC");
    is(flow_dealloc(fd), -ENOTALLOC, "a second dealloc: -ENOTALLOC");
}

static void test_timeouts_flags(void)
{
    struct timespec t = {0, 100000000}, g;
    uint32_t flags;
    char buf[16];
    uint64_t t0, dt;
    int fd = alloc();

    is(fccntl(fd, FLOWGRCVTIMEO, &g), -EPERM, "no read timeout set: FLOWGRCVTIMEO -EPERM");
    is(fccntl(fd, FLOWSRCVTIMEO, &t), 0, "set a 100 ms read timeout");
    ok(fccntl(fd, FLOWGRCVTIMEO, &g) == 0 && g.tv_nsec == 100000000, "and read it back");
    t0 = now_ns();
    is(flow_read(fd, buf, sizeof(buf)), -ETIMEDOUT, "an idle read times out");
    dt = now_ns() - t0;
    ok(dt >= 99 * MS && dt < 600 * MS, "after 100 ms (%llu ms)", (unsigned long long)(dt / MS));
    is(fccntl(fd, FLOWSRCVTIMEO, NULL), 0, "clear it");
    is(fccntl(fd, FLOWGRCVTIMEO, &g), -EPERM, "gone");
    ok(fccntl(fd, FLOWGFLAGS, &flags) == 0 && flags == FLOWFDEFAULT,
       "default flags: read-write, no partial writes (%o)", flags);
    is(fccntl(fd, FLOWSFLAGS, FLOWFRDWR | FLOWFRNOBLOCK), 0, "non-blocking reads");
    t0 = now_ns();
    is(flow_read(fd, buf, sizeof(buf)), -EAGAIN, "a read with nothing to read: -EAGAIN");
    ok(now_ns() - t0 < 50 * MS, "at once");
    is(fccntl(fd, FLOWSFLAGS, FLOWFRDONLY), 0, "read-only");
    is(flow_write(fd, "E", 1), -EPERM, "a write on a read-only flow: -EPERM");
    is(fccntl(fd, FLOWSFLAGS, FLOWFWRONLY), 0, "write-only");
    is(flow_read(fd, buf, sizeof(buf)), -EPERM, "a read on a write-only flow: -EPERM");
    is(fccntl(fd, FLOWSFLAGS, 0xffffff), -EINVAL, "unknown flags: -EINVAL");
    is(fccntl(fd, 0777, NULL), -ENOTSUP, "an unknown command: -ENOTSUP");
    is(fccntl(fd, FRCTGFLAGS, &flags), -EPERM, "FRCP flags of a raw flow: -EPERM");
    fccntl(fd, FLOWSFLAGS, FLOWFDEFAULT);
    flow_dealloc(fd);
}

static void test_partial(void)
{
    struct send_cmd c = {CMD_SEND, 1, 3000};
    char buf[4096];
    ssize_t a, b, x, y;
    int fd = alloc();

    flow_write(fd, &c, sizeof(c));
    a = flow_read(fd, buf, 1000);
    b = flow_read(fd, buf, 1000);
    x = flow_read(fd, buf, 1000);
    y = flow_read(fd, buf, 1000);
    ok(a == 1000 && b == 1000 && x == 1000 && y == 0,
       "a 3000-byte packet read by 1000: 1000, 1000, 1000, then 0 ends it (%zd %zd %zd %zd)", a,
       b, x, y);
    flow_write(fd, &c, sizeof(c));
    a = flow_read(fd, buf, 700);
    b = flow_read(fd, buf, 700);
    x = flow_read(fd, buf, 700);
    y = flow_read(fd, buf, 700);
    ok(a == 700 && b == 700 && x == 700 && y == 700 && flow_read(fd, buf, 700) == 200,
       "read by 700: 700 x 4, then 200");
    fccntl(fd, FLOWSFLAGS, FLOWFDEFAULT | FLOWFRNOPART);
    flow_write(fd, &c, sizeof(c));
    c.size = 10;
    flow_write(fd, &c, sizeof(c));
    is(flow_read(fd, buf, 1000), -EMSGSIZE, "no partial reads: a small buffer gets -EMSGSIZE");
    is(flow_read(fd, buf, 1000), 10, "the packet is dropped: the next read gets the next one");
    flow_dealloc(fd);
}

static void test_sizes(void)
{
    size_t big = 2u << 20;
    char *p = calloc(1, big);
    int fd = alloc();

    is(flow_write(fd, p, big), -EMSGSIZE, "2 MiB in one packet: -EMSGSIZE");
    fccntl(fd, FLOWSFLAGS, FLOWFRDWR);
    p[0] = CMD_ECHO;
    is(flow_write(fd, p, big), (ssize_t)big, "with partial writes on, it goes as several");
    is(flow_write(fd, "", 0), 0, "a 0-byte write (a keepalive) is fine");
    free(p);
    flow_dealloc(fd);
}

struct reader {
    int fd;
    volatile ssize_t got;
    volatile uint64_t at;
};

static void *blocked_read(void *arg)
{
    struct reader *r = arg;
    char buf[64];

    r->got = flow_read(r->fd, buf, sizeof(buf));
    r->at = now_ns();
    return NULL;
}

static void test_peer_close(void)
{
    struct reader r = {.fd = alloc()};
    pthread_t t;
    uint64_t t0;

    pthread_create(&t, NULL, blocked_read, &r);
    usleep(50000);
    t0 = now_ns();
    flow_write(r.fd, "C", 1); /* the server deallocates its end */
    pthread_join(t, NULL);
    is(r.got, -EFLOWPEER, "the peer deallocates: a blocked read ends with -EFLOWPEER");
    ok(r.at - t0 < 200 * MS, "at once (%llu ms)", (unsigned long long)((r.at - t0) / MS));
    is(flow_write(r.fd, "E", 1), -EFLOWPEER, "a write to a gone peer: -EFLOWPEER");
    flow_dealloc(r.fd);
}

static void test_fqueue(void)
{
    struct send_cmd c = {CMD_SEND, 3, 10};
    struct timespec t = {2, 0}, z = {0, 50000000};
    fset_t *set = fset_create(), *other = fset_create();
    fqueue_t *fq = fqueue_create();
    int fd = alloc(), fd2 = alloc();
    int pkts = 0, n;
    char buf[64];

    ok(set != NULL && other != NULL && fq != NULL, "create two flow sets and a queue");
    is(fset_add(set, fd), 0, "add a flow");
    ok(fset_has(set, fd) && !fset_has(other, fd), "fset_has says where it is");
    is(fset_add(other, fd), -EPERM, "a flow is in one set only: -EPERM");
    flow_write(fd, &c, sizeof(c));
    is(fevent(set, fq, &t), 1, "fevent: events came");
    do {
        while ((n = fqueue_next(fq)) >= 0)
            pkts += n == fd && fqueue_type(fq) == FLOW_PKT;
    } while (pkts < 3 && fevent(set, fq, &t) == 1);
    is(pkts, 3, "one FLOW_PKT event per packet");
    is(fqueue_next(fq), -EPERM, "then the queue is exhausted: -EPERM");
    for (int i = 0; i < 3; i++)
        flow_read(fd, buf, sizeof(buf));
    is(fevent(set, fq, &z), -ETIMEDOUT, "no more events: -ETIMEDOUT");
    /* Data already queued when a flow joins a set gives an event at once. */
    c.count = 1;
    flow_write(fd2, &c, sizeof(c));
    usleep(50000);
    fset_add(set, fd2);
    ok(fevent(set, fq, &t) == 1 && fqueue_next(fq) == fd2 && fqueue_type(fq) == FLOW_PKT,
       "a flow added with data queued: FLOW_PKT at once");
    flow_read(fd2, buf, sizeof(buf));
    flow_write(fd2, "C", 1);
    ok(fevent(set, fq, &t) == 1 && fqueue_next(fq) == fd2 && fqueue_type(fq) == FLOW_DEALLOC,
       "the peer deallocates: FLOW_DEALLOC");
    fset_del(set, fd);
    ok(!fset_has(set, fd), "fset_del removes it");
    {
        size_t q = 99, tq = 99;
        int e1, e2;
        c.count = 5;
        flow_write(fd, &c, sizeof(c));
        usleep(100000);
        e1 = fccntl(fd, FLOWGRXQLEN, &q);
        e2 = fccntl(fd, FLOWGTXQLEN, &tq);
        ok(e1 == 0 && q == 5, "FLOWGRXQLEN: 5 packets wait (%zu)", q);
        ok(e2 == 0 && tq == 0, "FLOWGTXQLEN: nothing waits to go (%zu)", tq);
    }
    flow_dealloc(fd);
    flow_dealloc(fd2);
    fset_destroy(set);
    fset_destroy(other);
    fqueue_destroy(fq);
}

static int lone_server(void *arg)
{
    (void)arg;
    int fd = flow_accept(NULL, NULL);
    if (fd < 0)
        return 1;
    pause();
    return 0;
}

static void test_kill_peer(void)
{
    struct reader r;
    pid_t srv = child_run(lone_server, NULL);
    struct timespec t = {5, 0};
    fset_t *set = fset_create();
    fqueue_t *fq = fqueue_create();
    pthread_t th;
    uint64_t t0;

    test_bind_process(srv, "t-lone");
    r.fd = flow_alloc("t-lone", NULL, &t);
    ok(r.fd >= 0, "a flow to a server that will be killed");
    fset_add(set, r.fd);
    pthread_create(&th, NULL, blocked_read, &r);
    usleep(50000);
    t0 = now_ns();
    kill(srv, SIGKILL);
    pthread_join(th, NULL);
    is(r.got, -EFLOWPEER, "kill -9 of the server: the blocked read ends with -EFLOWPEER");
    ok(r.at - t0 < 1000 * MS, "within 1 s (%llu ms)", (unsigned long long)((r.at - t0) / MS));
    ok(fevent(set, fq, &t) == 1 && fqueue_next(fq) == r.fd && fqueue_type(fq) == FLOW_PEER,
       "and its flow set gets FLOW_PEER");
    child_wait(srv, 1000);
    flow_dealloc(r.fd);
    fset_destroy(set);
    fqueue_destroy(fq);
}

static void *pinger(void *arg)
{
    int fd = alloc();
    char buf[32] = {CMD_ECHO};
    intptr_t good = 0;

    (void)arg;
    for (int i = 0; fd >= 0 && i < 1000; i++) {
        snprintf(buf + 1, sizeof(buf) - 1, "%d", i);
        if (flow_write(fd, buf, sizeof(buf)) == sizeof(buf) &&
            flow_read(fd, buf, sizeof(buf)) == sizeof(buf) && atoi(buf + 1) == i)
            good++;
    }
    flow_dealloc(fd);
    return (void *)good;
}

static void test_threads(void)
{
    pthread_t t[4];
    intptr_t total = 0;

    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, pinger, NULL);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (intptr_t)r;
    }
    is(total, 4000, "4 threads, a flow each, 1000 echoes each, all in order");
}

static int forked(void *arg)
{
    int parent_fd = (int)(intptr_t)arg;
    char buf[8];
    int fd;

    if (flow_read(parent_fd, buf, sizeof(buf)) != -ENOTALLOC)
        return 1; /* the parent's flows are not the child's */
    fd = alloc();
    if (fd < 0 || flow_write(fd, "E", 1) != 1 || flow_read(fd, buf, sizeof(buf)) != 1)
        return 2;
    return flow_dealloc(fd) == 0 ? 0 : 3;
}

static void test_fork(void)
{
    int fd = alloc();

    is(child_wait(child_run(forked, (void *)(intptr_t)fd), 10000), 0,
       "a forked child has none of its parent's flows and makes its own");
    ok(flow_write(fd, "E", 1) == 1, "the parent's flow still works");
    flow_dealloc(fd);
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void test_eintr(void)
{
    struct sigaction sa = {.sa_handler = on_usr1}; /* no SA_RESTART */
    struct reader r = {.fd = alloc()};
    pthread_t t;

    sigaction(SIGUSR1, &sa, NULL);
    pthread_create(&t, NULL, blocked_read, &r);
    usleep(50000);
    pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    is(r.got, -EINTR, "a signal handler without SA_RESTART interrupts a blocked read: -EINTR");
    flow_dealloc(r.fd);
}

static void test_accept_timeout(void)
{
    struct timespec t = {0, 200000000};
    uint64_t t0 = now_ns();

    is(flow_accept(NULL, &t), -ETIMEDOUT, "flow_accept with nobody calling: -ETIMEDOUT");
    ok(now_ns() - t0 >= 190 * MS && now_ns() - t0 < 2000 * MS, "after 200 ms (%llu ms)",
       (unsigned long long)((now_ns() - t0) / MS));
}

int main(void)
{
    pid_t srv;

    plan(72);
    test_bad_input();
    srv = child_run(echo_server, NULL);
    if (test_bind_process(srv, srv_name) != 0)
        bail_out("cannot bind the echo server");
    test_basic();
    test_timeouts_flags();
    test_partial();
    test_sizes();
    test_peer_close();
    test_fqueue();
    test_kill_peer();
    test_threads();
    test_fork();
    test_eintr();
    test_accept_timeout();
    kill(srv, SIGKILL);
    child_wait(srv, 2000);
    return done();
}
