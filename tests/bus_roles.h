/*
 * bus_roles.h - the processes test_bus runs besides itself: a server with
 * test methods, a reply-dropping proxy, and clients. Included once.
 */
#ifndef OUROBUS_TEST_BUS_ROLES_H
#define OUROBUS_TEST_BUS_ROLES_H

#include "bus_client.h"
#include "bus_server.h"
#include "bus_socket.h"
#include "bustest.pb.h"
#include "log.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#define M_ECHO    1 /* idempotent: bustest_echo back, number + 1 */
#define M_INCR    2 /* dedup: the counter file + 1, as bustest_count */
#define M_RAW     3 /* idempotent: the body back, status = its length */
#define M_LATER   4 /* dedup, deferred: answered by M_RELEASE */
#define M_RELEASE 5 /* answer the deferred M_LATERs; status: how many */
#define M_RUNS    6 /* status: how many times M_LATER ran */

/* ---- helpers ---------------------------------------------------------- */

static uint64_t file_read_u64(const char *path)
{
    char buf[32] = "";
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strtoull(buf, NULL, 16);
}

/* Write a value whole (rename), so that a reader never sees half of it. */
static void file_write_u64(const char *path, uint64_t v)
{
    char tmp[256];
    char buf[32];
    int fd;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    snprintf(buf, sizeof(buf), "%" PRIx64 "\n", v);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    if (write(fd, buf, strlen(buf)) < 0)
        diag("write %s: %s", tmp, strerror(errno));
    close(fd);
    rename(tmp, path);
}

/* ---- the server role -------------------------------------------------- */

struct server_ctx {
    const char *counter;
    struct bus_server *server;
    uint64_t tickets[16];
    int n_tickets;
    int later_runs;
};

static int on_echo(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    bustest_echo_t e = BUSTEST_ECHO_INIT_ZERO;
    int err = bus_request_decode(req, BUSTEST_ECHO_FIELDS, &e);

    if (err < 0)
        return err;
    e.number++;
    return bus_reply_encode(rep, BUSTEST_ECHO_FIELDS, &e);
}

static int on_incr(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server_ctx *ctx = arg;
    bustest_count_t c = BUSTEST_COUNT_INIT_ZERO;

    c.value = file_read_u64(ctx->counter) + 1;
    c.pid = (uint64_t)getpid();
    file_write_u64(ctx->counter, c.value);
    return bus_reply_encode(rep, BUSTEST_COUNT_FIELDS, &c);
}

static int on_raw(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    int err = bus_reply_set_body(rep, req->body.data, req->body.size);

    return err < 0 ? err : (int)req->body.size;
}

static int on_later(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server_ctx *ctx = arg;

    ctx->later_runs++;
    if (ctx->n_tickets == 16)
        return -EBUSY;
    ctx->tickets[ctx->n_tickets] = bus_reply_defer(rep);
    if (ctx->tickets[ctx->n_tickets] == 0)
        return -ENOMEM;
    ctx->n_tickets++;
    return BUS_REPLY_DEFERRED;
}

static int on_release(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct server_ctx *ctx = arg;
    int n = 0;

    for (int i = 0; i < ctx->n_tickets; i++)
        if (bus_server_reply_deferred(ctx->server, ctx->tickets[i], 100 + ctx->later_runs,
                                      "later", 5) == 0)
            n++;
    ctx->n_tickets = 0;
    if (bus_server_deferred_count(ctx->server) != 0 ||
        bus_server_reply_deferred(ctx->server, 12345, 0, NULL, 0) != -ENOENT)
        return -EPROTO;
    return n;
}

static int on_runs(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    return ((struct server_ctx *)arg)->later_runs;
}

/* server <endpoint> <dedup file> <counter file> <epoch file> */
static int role_server(char **argv)
{
    struct server_ctx ctx = {.counter = argv[3]};
    struct bus_server *s;
    zpoller_t *poller;
    uint64_t epoch;
    int rc = 0;

    log_init("bus-server", "test");
    if (sodium_init() < 0)
        return 2;
    do
        randombytes_buf(&epoch, sizeof(epoch));
    while (epoch == 0);
    s = bus_server_new(argv[1], epoch, argv[2]);
    if (s == NULL)
        return 3;
    ctx.server = s;
    if (bus_server_add_method(s, M_LATER, BUS_METHOD_DEDUP, on_later, &ctx) < 0 ||
        bus_server_add_method(s, M_RELEASE, BUS_METHOD_IDEMPOTENT, on_release, &ctx) < 0 ||
        bus_server_add_method(s, M_RUNS, BUS_METHOD_IDEMPOTENT, on_runs, &ctx) < 0)
        rc = 4;
    if (bus_server_add_method(s, M_ECHO, BUS_METHOD_IDEMPOTENT, on_echo, &ctx) < 0 ||
        bus_server_add_method(s, M_INCR, BUS_METHOD_DEDUP, on_incr, &ctx) < 0 ||
        bus_server_add_method(s, M_RAW, BUS_METHOD_IDEMPOTENT, on_raw, &ctx) < 0 ||
        bus_server_add_method(s, M_RAW, BUS_METHOD_IDEMPOTENT, on_raw, &ctx) != -EEXIST)
        rc = 4;
    file_write_u64(argv[4], epoch);
    poller = zpoller_new(bus_server_sock(s), NULL);
    while (rc == 0) {
        zpoller_wait(poller, 1000);
        if (zpoller_terminated(poller))
            break;
        while (bus_server_handle_one(s) > 0)
            ;
    }
    zpoller_destroy(&poller);
    bus_server_destroy(&s);
    return rc;
}

/* ---- the proxy role --------------------------------------------------- */

/* proxy <front endpoint> <back endpoint> <marker file>: forwards requests;
 * drops every reply of the first server epoch it sees, touching the marker
 * file each time. One DEALER per client, with the client's identity, so
 * the server sees the client itself. */
static int role_proxy(char **argv)
{
    zsock_t *front = zsock_new(ZMQ_ROUTER);
    zsock_t *backs[8];
    char ids[8][BUS_IDENTITY_MAX + 1];
    int n_backs = 0;
    uint64_t first_epoch = 0;
    zpoller_t *poller;
    void *which;

    bus_sock_set_options(front);
    if (zsock_bind(front, "%s", argv[1]) < 0)
        return 2;
    poller = zpoller_new(front, NULL);
    for (;;) {
        which = zpoller_wait(poller, 1000);
        if (zpoller_terminated(poller))
            break;
        if (which == front) {
            zmsg_t *msg = zmsg_recv(front);
            char *id = msg ? zmsg_popstr(msg) : NULL;
            int i;

            for (i = 0; id != NULL && i < n_backs; i++)
                if (strcmp(ids[i], id) == 0)
                    break;
            if (id != NULL && i == n_backs && n_backs < 8) {
                backs[i] = zsock_new(ZMQ_DEALER);
                bus_sock_set_options(backs[i]);
                zsock_set_identity(backs[i], id);
                zsock_connect(backs[i], "%s", argv[2]);
                snprintf(ids[i], sizeof(ids[i]), "%s", id);
                zpoller_add(poller, backs[i]);
                n_backs++;
            }
            if (id != NULL && i < n_backs)
                zmsg_send(&msg, backs[i]);
            zstr_free(&id);
            zmsg_destroy(&msg);
            continue;
        }
        for (int i = 0; i < n_backs; i++) {
            struct bus_frame f;
            zmsg_t *msg;

            if (which != backs[i])
                continue;
            msg = zmsg_recv(backs[i]);
            if (msg == NULL)
                break;
            if (bus_frame_parse_msg(&f, BUS_SHAPE_REPLY, msg) == 0) {
                if (first_epoch == 0)
                    first_epoch = f.hdr.epoch;
                if (f.hdr.epoch == first_epoch) {
                    file_write_u64(argv[3], f.hdr.request_id);
                    zmsg_destroy(&msg);
                    break;
                }
            }
            zmsg_pushstr(msg, ids[i]);
            zmsg_send(&msg, front);
            zmsg_destroy(&msg);
        }
    }
    zpoller_destroy(&poller);
    for (int i = 0; i < n_backs; i++)
        zsock_destroy(&backs[i]);
    zsock_destroy(&front);
    return 0;
}

/* odd <endpoint>: a server that answers method 1 with a stale reply
 * (another request id, status 111) then the right one (status 7), and
 * anything else with a garbage header. */
static int role_odd(char **argv)
{
    zsock_t *router = zsock_new(ZMQ_ROUTER);
    zpoller_t *poller;

    if (zsock_bind(router, "%s", argv[1]) < 0)
        return 2;
    poller = zpoller_new(router, NULL);
    for (;;) {
        void *which = zpoller_wait(poller, 1000);
        struct bus_frame f;
        bus_header_t h;
        zmsg_t *msg;

        if (zpoller_terminated(poller))
            break;
        if (which != router)
            continue;
        msg = zmsg_recv(router);
        if (msg == NULL || bus_frame_parse_msg(&f, BUS_SHAPE_REQUEST, msg) < 0) {
            zmsg_destroy(&msg);
            continue;
        }
        bus_header_init(&h, BUS_KIND_REPLY, 0x0dd);
        h.method = f.hdr.method;
        if (f.hdr.method == 1) {
            h.request_id = f.hdr.request_id + 1000;
            h.status = 111;
            bus_frame_send_reply(router, &f.identity, &h, NULL, 0);
            h.request_id = f.hdr.request_id;
            h.status = 7;
            bus_frame_send_reply(router, &f.identity, &h, NULL, 0);
        } else {
            struct bus_part p[4] = {
                f.identity, {NULL, 0}, {(const uint8_t *)"\xff", 1}, {NULL, 0}};

            bus_frame_send_parts(router, p, 4);
        }
        zmsg_destroy(&msg);
    }
    zpoller_destroy(&poller);
    zsock_destroy(&router);
    return 0;
}

/* ---- the client roles ------------------------------------------------- */

/* incr <endpoint> <identity> <result file>: one INCR call; writes
 * "<status> <value> <server epoch>" to the result file. */
static int role_incr(char **argv)
{
    struct bus_client *c = bus_client_new(argv[1], argv[2]);
    bustest_count_t req = BUSTEST_COUNT_INIT_ZERO;
    bustest_count_t rep = BUSTEST_COUNT_INIT_ZERO;
    FILE *f;
    int r;

    if (c == NULL)
        return 2;
    bus_client_set_retry(c, 100);
    r = bus_client_call_pb(c, M_INCR, BUSTEST_COUNT_FIELDS, &req, BUSTEST_COUNT_FIELDS, &rep,
                           15000);
    f = fopen(argv[3], "w");
    if (f != NULL) {
        fprintf(f, "%d %" PRIu64 " %" PRIx64 "\n", r, rep.value, bus_client_server_epoch(c));
        fclose(f);
    }
    bus_client_destroy(&c);
    return 0;
}

/* echo <endpoint> <identity> <count>: count echo calls, each checked. */
static int role_echo(char **argv)
{
    struct bus_client *c = bus_client_new(argv[1], argv[2]);
    int n = atoi(argv[3]);
    int bad = 0;

    if (c == NULL)
        return 2;
    for (int i = 0; i < n; i++) {
        bustest_echo_t req = BUSTEST_ECHO_INIT_ZERO;
        bustest_echo_t rep = BUSTEST_ECHO_INIT_ZERO;
        int r;

        snprintf(req.text, sizeof(req.text), "%s#%d", argv[2], i);
        req.number = (uint32_t)i;
        r = bus_client_call_pb(c, M_ECHO, BUSTEST_ECHO_FIELDS, &req, BUSTEST_ECHO_FIELDS, &rep,
                               5000);
        if (r != 0 || rep.number != (uint32_t)i + 1 || strcmp(rep.text, req.text) != 0)
            bad++;
    }
    bus_client_destroy(&c);
    return bad == 0 ? 0 : 1;
}

#endif
