/*
 * test_bus.c - the bus end to end between real processes over ipc://:
 * calls, deadlines, retries across a kill -9 with no second execution.
 *
 *   client --ipc--> [reply-dropping proxy] --ipc--> server (killed, restarted)
 *
 * The program re-executes itself (/proc/self/exe) in the roles of server,
 * proxy and client (bus_roles.h); with no argument it is the test.
 */
#include "bus_roles.h"
#include "bustest.pb.h"
#include "deadline.h"
#include "log.h"
#include "proc.h"
#include "run_folder.h"
#include "tap.h"

struct paths {
    struct run_folder rf;
    char ctl[160];    /* the server */
    char proxy[160];  /* the proxy's front */
    char silent[160]; /* a ROUTER that never answers */
    char odd[160];    /* a server with odd replies */
    char dedup[160];
    char counter[160];
    char epoch[160];
    char marker[160];
    char result[160];
};

static struct paths P;

static pid_t server_start(void)
{
    const char *args[] = {"server", P.ctl, P.dedup, P.counter, P.epoch, NULL};
    pid_t pid;

    unlink(P.epoch);
    pid = proc_spawn(NULL, args);
    if (!proc_wait_file(P.epoch, 5000))
        diag("server %d did not start", (int)pid);
    return pid;
}

struct epoch_seen {
    int calls;
    uint64_t old_epoch;
    uint64_t new_epoch;
};

static void on_epoch(void *arg, uint64_t old_epoch, uint64_t new_epoch)
{
    struct epoch_seen *e = arg;

    e->calls++;
    e->old_epoch = old_epoch;
    e->new_epoch = new_epoch;
}

static void test_calls(struct bus_client *c)
{
    bustest_echo_t req = BUSTEST_ECHO_INIT_ZERO;
    bustest_echo_t rep = BUSTEST_ECHO_INIT_ZERO;
    char raw[64];
    size_t len = 0;
    char ep[200];

    is(bus_probe(P.ctl), 0, "probe: the server listens");
    snprintf(ep, sizeof(ep), "ipc://%s/nobody.ctl", P.rf.path);
    is(bus_probe(ep), -ENOENT, "probe: no socket file is -ENOENT");
    is(bus_probe("tcp://127.0.0.1:1"), -EINVAL, "probe: not an ipc endpoint");

    snprintf(req.text, sizeof(req.text), "hello");
    req.number = 41;
    is(bus_client_call_pb(c, M_ECHO, BUSTEST_ECHO_FIELDS, &req, BUSTEST_ECHO_FIELDS, &rep,
                          3000),
       0, "echo call answered");
    ok(rep.number == 42 && strcmp(rep.text, "hello") == 0, "echo reply decoded (number + 1)");
    ok(bus_client_server_epoch(c) != 0 && bus_client_server_epoch(c) == file_read_u64(P.epoch),
       "the reply carries the server's epoch");

    is(bus_client_call(c, M_RAW, "xyz", 3, raw, sizeof(raw), &len, 3000), 3,
       "raw call: positive status passed through");
    ok(len == 3 && memcmp(raw, "xyz", 3) == 0, "raw reply body");
    is(bus_client_call(c, M_RAW, "0123456789abcdef", 16, raw, 8, &len, 3000), -EMSGSIZE,
       "reply bigger than the caller's buffer");
    is(bus_client_call(c, 99, NULL, 0, NULL, 0, NULL, 3000), -ENOSYS,
       "unknown method: -ENOSYS");
    is(bus_client_call(c, M_ECHO, "\x0a\x7f", 2, NULL, 0, NULL, 3000), -EBADMSG,
       "bad body for the method: -EBADMSG");
}

/* Send frames on a raw DEALER; the status of the reply, or 1 if none. */
static int raw_send(zsock_t *d, const struct bus_part *parts, size_t n, uint64_t *id)
{
    struct bus_frame f;
    zmsg_t *msg;
    int r = 1;

    if (bus_frame_send_parts(d, parts, n) < 0)
        return 2;
    msg = zmsg_recv(d);
    if (msg != NULL && bus_frame_parse_msg(&f, BUS_SHAPE_REPLY, msg) == 0) {
        r = f.hdr.status;
        if (id != NULL)
            *id = f.hdr.request_id;
    }
    zmsg_destroy(&msg);
    return r;
}

static void test_malformed(struct bus_client *c)
{
    static uint8_t big[70000];
    zsock_t *d = zsock_new(ZMQ_DEALER);
    uint8_t hbuf[BUS_HEADER_MAX];
    struct bus_part p[3];
    bus_header_t h;
    uint64_t id = 0;
    int n;

    zsock_set_identity(d, "raw-client");
    zsock_set_rcvtimeo(d, 3000);
    zsock_connect(d, "%s", P.ctl);

    bus_header_init(&h, BUS_KIND_REQUEST, 1);
    h.request_id = 77;
    h.method = M_RAW;
    n = bus_header_encode(&h, hbuf, sizeof(hbuf));

    p[0] = (struct bus_part){NULL, 0};
    p[1] = (struct bus_part){(const uint8_t *)"\xff\xff\xff", 3};
    p[2] = (struct bus_part){NULL, 0};
    is(raw_send(d, p, 3, NULL), -EBADMSG, "garbage header: -EBADMSG reply");

    p[1] = (struct bus_part){hbuf, (size_t)n};
    ok(raw_send(d, p, 2, &id) == -EPROTO && id == 77,
       "missing body frame: -EPROTO reply to the request id");
    ok(raw_send(d, &p[1], 2, &id) == -EPROTO, "missing delimiter: -EPROTO reply");

    p[2] = (struct bus_part){big, sizeof(big)};
    is(raw_send(d, p, 3, NULL), -EMSGSIZE, "body over 64 kB: -EMSGSIZE reply");

    h.version = 99;
    n = bus_header_encode(&h, hbuf, sizeof(hbuf));
    p[1] = (struct bus_part){hbuf, (size_t)n};
    p[2] = (struct bus_part){NULL, 0};
    is(raw_send(d, p, 3, NULL), -EPROTONOSUPPORT, "another version: -EPROTONOSUPPORT reply");

    /* Expired on arrival: dropped, so the next reply is for the next one. */
    bus_header_init(&h, BUS_KIND_REQUEST, 1);
    h.method = M_RAW;
    h.request_id = 50;
    h.sent_ms = bus_realtime_ms() - 10000;
    h.timeout_ms = 1000;
    n = bus_header_encode(&h, hbuf, sizeof(hbuf));
    p[1] = (struct bus_part){hbuf, (size_t)n};
    bus_frame_send_parts(d, p, 3);
    h.request_id = 51;
    h.sent_ms = bus_realtime_ms();
    n = bus_header_encode(&h, hbuf, sizeof(hbuf));
    p[1] = (struct bus_part){hbuf, (size_t)n};
    ok(raw_send(d, p, 3, &id) == 0 && id == 51,
       "a request expired on arrival is dropped, the next one answered");

    zsock_destroy(&d);

    {
        bustest_echo_t e = BUSTEST_ECHO_INIT_ZERO;

        e.number = 1;
        ok(bus_client_call_pb(c, M_ECHO, BUSTEST_ECHO_FIELDS, &e, BUSTEST_ECHO_FIELDS, &e,
                              3000) == 0 &&
               e.number == 2,
           "after all that, the server still serves");
    }
}

/* A handler that answers later; its dedup retries wait for that answer. */
static void test_deferred(struct bus_client *c)
{
    zsock_t *d = zsock_new(ZMQ_DEALER);
    uint8_t hbuf[BUS_HEADER_MAX];
    struct bus_part p[3];
    struct bus_frame f;
    bus_header_t h;
    zmsg_t *msg;
    int n;

    zsock_set_identity(d, "later-client");
    zsock_set_rcvtimeo(d, 200);
    zsock_connect(d, "%s", P.ctl);
    bus_header_init(&h, BUS_KIND_REQUEST, 5);
    h.request_id = 500;
    h.method = M_LATER;
    n = bus_header_encode(&h, hbuf, sizeof(hbuf));
    p[0] = (struct bus_part){NULL, 0};
    p[1] = (struct bus_part){hbuf, (size_t)n};
    p[2] = (struct bus_part){NULL, 0};

    bus_frame_send_parts(d, p, 3);
    bus_frame_send_parts(d, p, 3); /* a retry while the reply is pending */
    msg = zmsg_recv(d);
    ok(msg == NULL, "a deferred request is not answered at once");
    zmsg_destroy(&msg);
    is(bus_client_call(c, M_RELEASE, NULL, 0, NULL, 0, NULL, 3000), 1,
       "one deferred reply pending (the retry did not run again), now answered");
    msg = zmsg_recv(d);
    ok(msg != NULL && bus_frame_parse_msg(&f, BUS_SHAPE_REPLY, msg) == 0 &&
           f.hdr.request_id == 500 && f.hdr.status == 101 && f.body.size == 5 &&
           memcmp(f.body.data, "later", 5) == 0,
       "the deferred reply arrives with its status and body");
    zmsg_destroy(&msg);
    msg = zmsg_recv(d);
    ok(msg == NULL, "once");
    zmsg_destroy(&msg);
    bus_frame_send_parts(d, p, 3);
    msg = zmsg_recv(d);
    ok(msg != NULL && bus_frame_parse_msg(&f, BUS_SHAPE_REPLY, msg) == 0 &&
           f.hdr.request_id == 500 && f.hdr.status == 101,
       "a later retry gets the recorded reply");
    zmsg_destroy(&msg);
    is(bus_client_call(c, M_RUNS, NULL, 0, NULL, 0, NULL, 3000), 1,
       "the deferred handler ran once");
    zsock_destroy(&d);
}

static void test_deadline(void)
{
    zsock_t *silent = zsock_new(ZMQ_ROUTER);
    struct bus_client *c;
    uint64_t t0;
    int64_t ms;
    int r;
    int n = 0;
    int same = 0;
    zmsg_t *msg;
    char ep[200];

    zsock_set_rcvtimeo(silent, 0);
    zsock_bind(silent, "%s", P.silent);
    c = bus_client_new(P.silent, "deadline");
    bus_client_set_retry(c, 100);
    t0 = now_ns();
    r = bus_client_call(c, M_RAW, "a", 1, NULL, 0, NULL, 600);
    ms = (int64_t)((now_ns() - t0) / 1000000);
    is(r, -ETIMEDOUT, "a server that never answers: -ETIMEDOUT");
    ok(ms >= 590 && ms <= 800, "at the deadline (600 ms), not much later: %" PRId64 " ms", ms);
    while ((msg = zmsg_recv(silent)) != NULL) {
        struct bus_frame f;

        n++;
        if (bus_frame_parse_msg(&f, BUS_SHAPE_REQUEST, msg) == 0 && f.hdr.request_id == 1)
            same++;
        zmsg_destroy(&msg);
    }
    ok(n >= 4 && same == n, "retried every 100 ms with the same request id (%d/%d)", same, n);
    bus_client_destroy(&c);
    zsock_destroy(&silent);

    {
        const char *args[] = {"odd", P.odd, NULL};
        pid_t odd = proc_spawn(NULL, args);

        c = bus_client_new(P.odd, "odd-client");
        is(bus_client_call(c, 1, NULL, 0, NULL, 0, NULL, 3000), 7,
           "a stale reply (another request id) is skipped for the right one");
        t0 = now_ns();
        r = bus_client_call(c, 2, NULL, 0, NULL, 0, NULL, 3000);
        ms = (int64_t)((now_ns() - t0) / 1000000);
        ok(r == -EBADMSG && ms < 1000, "a malformed reply: -EBADMSG at once (%" PRId64 " ms)",
           ms);
        bus_client_destroy(&c);
        proc_stop(odd, SIGTERM);
    }

    snprintf(ep, sizeof(ep), "ipc://%s/nobody.ctl", P.rf.path);
    c = bus_client_new(ep, "deadline2");
    t0 = now_ns();
    r = bus_client_call(c, M_RAW, NULL, 0, NULL, 0, NULL, 200);
    ms = (int64_t)((now_ns() - t0) / 1000000);
    ok(r == -ETIMEDOUT && ms < 400, "nobody listening at all: -ETIMEDOUT too (%" PRId64 " ms)",
       ms);
    bus_client_destroy(&c);
}

/* Restart the server; the client's next call sees the new epoch. */
static pid_t test_epoch(struct bus_client *c, pid_t server)
{
    struct epoch_seen seen = {0, 0, 0};
    uint64_t e1 = bus_client_server_epoch(c);
    int ws;
    bustest_echo_t e = BUSTEST_ECHO_INIT_ZERO;

    bus_client_on_epoch(c, on_epoch, &seen);
    kill(server, SIGTERM);
    ws = proc_wait(server, 5000);
    ok(proc_exited(ws, 0), "server: SIGTERM, clean exit 0");
    server = server_start();
    is(bus_client_call_pb(c, M_ECHO, BUSTEST_ECHO_FIELDS, &e, BUSTEST_ECHO_FIELDS, &e, 5000), 0,
       "a call after the restart is answered");
    is(seen.calls, 1, "the epoch callback fired once");
    ok(seen.old_epoch == e1 && seen.new_epoch == file_read_u64(P.epoch) && e1 != seen.new_epoch,
       "with the old and the new epoch");
    is(bus_client_call_pb(c, M_ECHO, BUSTEST_ECHO_FIELDS, &e, BUSTEST_ECHO_FIELDS, &e, 5000), 0,
       "another call...");
    is(seen.calls, 1, "...does not fire it again");
    return server;
}

/* The client's first INCR is executed by server 1, whose reply the proxy
 * drops; server 1 is killed (-9) and restarted; the retry must get the
 * recorded reply from server 2, not a second execution. */
static pid_t test_no_duplicate(pid_t server)
{
    const char *proxy_args[] = {"proxy", P.proxy, P.ctl, P.marker, NULL};
    const char *incr_args[] = {"incr", P.proxy, "incr-client", P.result, NULL};
    uint64_t e1 = file_read_u64(P.epoch);
    pid_t proxy = proc_spawn(NULL, proxy_args);
    pid_t client;
    int status = 99;
    uint64_t value = 0;
    uint64_t epoch = 0;
    FILE *f;
    int ws;

    unlink(P.counter);
    client = proc_spawn(NULL, incr_args);
    ok(proc_wait_file(P.marker, 5000), "the proxy dropped the first reply");
    is(file_read_u64(P.counter), 1, "server 1 executed the request once");
    kill(server, SIGKILL);
    ws = proc_wait(server, 5000);
    ok(ws >= 0 && WIFSIGNALED(ws), "server 1 killed with SIGKILL");
    server = server_start();
    ok(file_read_u64(P.epoch) != e1, "server 2 runs, with a new epoch");

    ws = proc_wait(client, 20000);
    ok(proc_exited(ws, 0), "the client finished");
    f = fopen(P.result, "r");
    if (f == NULL || fscanf(f, "%d %" SCNu64 " %" SCNx64, &status, &value, &epoch) != 3)
        diag("no result from the client");
    if (f != NULL)
        fclose(f);
    is(status, 0, "its retry was answered");
    is(value, 1, "with the recorded reply (counter value 1)");
    ok(epoch == file_read_u64(P.epoch), "by the restarted server");
    is(file_read_u64(P.counter), 1, "the request was executed exactly once");

    proc_stop(proxy, SIGTERM);
    return server;
}

static void test_many_clients(void)
{
    char ids[4][32];
    pid_t pids[4];
    int good = 0;

    for (int i = 0; i < 4; i++) {
        const char *args[] = {"echo", P.ctl, ids[i], "200", NULL};

        snprintf(ids[i], sizeof(ids[i]), "echo-%d", i);
        pids[i] = proc_spawn(NULL, args);
    }
    for (int i = 0; i < 4; i++) {
        int ws = proc_wait(pids[i], 20000);

        if (proc_exited(ws, 0))
            good++;
    }
    is(good, 4, "4 clients at once, 200 calls each, every reply matched its request");
}

static void paths_init(void)
{
    proc_tmp_dir("bus");
    if (run_folder_for_daemon(&P.rf, "bus-test") < 0 || run_folder_create(&P.rf) < 0)
        bail_out("cannot create the run folder");
    run_folder_endpoint(&P.rf, "server.ctl", P.ctl, sizeof(P.ctl));
    run_folder_endpoint(&P.rf, "proxy.ctl", P.proxy, sizeof(P.proxy));
    run_folder_endpoint(&P.rf, "silent.ctl", P.silent, sizeof(P.silent));
    run_folder_endpoint(&P.rf, "odd.ctl", P.odd, sizeof(P.odd));
    run_folder_file(&P.rf, "server.dedup", P.dedup, sizeof(P.dedup));
    run_folder_file(&P.rf, "counter", P.counter, sizeof(P.counter));
    run_folder_file(&P.rf, "epoch", P.epoch, sizeof(P.epoch));
    run_folder_file(&P.rf, "dropped", P.marker, sizeof(P.marker));
    run_folder_file(&P.rf, "result", P.result, sizeof(P.result));
}

int main(int argc, char **argv)
{
    struct bus_client *c;
    pid_t server;
    int ws;

    if (argc > 4 && strcmp(argv[1], "server") == 0)
        return role_server(argv + 1);
    if (argc > 3 && strcmp(argv[1], "proxy") == 0)
        return role_proxy(argv + 1);
    if (argc > 3 && strcmp(argv[1], "incr") == 0)
        return role_incr(argv + 1);
    if (argc > 3 && strcmp(argv[1], "echo") == 0)
        return role_echo(argv + 1);
    if (argc > 2 && strcmp(argv[1], "odd") == 0)
        return role_odd(argv + 1);

    plan(47);
    setenv("OUROBUS_LOG", "warn", 0);
    log_init("test_bus", "bus-test");
    paths_init();

    server = server_start();
    c = bus_client_new(P.ctl, "test-client");
    if (c == NULL)
        bail_out("no client");

    test_calls(c);
    test_malformed(c);
    test_deferred(c);
    test_deadline();
    server = test_epoch(c, server);
    server = test_no_duplicate(server);
    test_many_clients();

    bus_client_destroy(&c);
    kill(server, SIGTERM);
    ws = proc_wait(server, 5000);
    ok(proc_exited(ws, 0), "server: clean exit at the end");
    return done();
}
