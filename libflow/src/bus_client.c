/*
 * bus_client.c - synchronous calls over a DEALER: resend the same request id
 * until a matching reply or the deadline, and notice a restarted server.
 */
#include "bus_client.h"

#include "bus_frame.h"
#include "bus_socket.h"
#include "deadline.h"
#include "log.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct bus_client {
    zsock_t *sock;
    uint64_t epoch;        /* ours, sent with every request */
    uint64_t server_epoch; /* from the last matching reply */
    uint64_t next_id;
    int retry_ms;
    bus_epoch_fn on_epoch;
    void *on_epoch_arg;
    bool epoch_changed; /* a callback is due: old -> server_epoch */
    uint64_t epoch_old;
    bool in_callback;
    uint8_t *req_buf; /* bus_client_call_pb's encoded request */
    uint8_t *rep_buf; /* and its reply */
};

struct bus_client *bus_client_new(const char *endpoint, const char *identity)
{
    struct bus_client *c;

    assert(endpoint);
    assert(identity);
    assert(identity[0] != '\0' && strlen(identity) <= BUS_IDENTITY_MAX);

    if (sodium_init() < 0)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->retry_ms = BUS_RETRY_MS;
    do
        randombytes_buf(&c->epoch, sizeof(c->epoch));
    while (c->epoch == 0);
    c->req_buf = malloc(BUS_BODY_MAX);
    c->rep_buf = malloc(BUS_BODY_MAX);
    if (c->req_buf == NULL || c->rep_buf == NULL)
        goto fail_buf;
    c->sock = zsock_new(ZMQ_DEALER);
    if (c->sock == NULL)
        goto fail_buf;
    bus_sock_set_options(c->sock);
    zsock_set_identity(c->sock, identity);
    zsock_set_rcvtimeo(c->sock, 0);
    zsock_set_maxmsgsize(c->sock, BUS_FRAME_LIMIT);
    if (zsock_connect(c->sock, "%s", endpoint) < 0) {
        log_err("bus: cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto fail_connect;
    }
    return c;

fail_connect:
    zsock_destroy(&c->sock);
fail_buf:
    free(c->rep_buf);
    free(c->req_buf);
    free(c);
    return NULL;
}

void bus_client_destroy(struct bus_client **p)
{
    struct bus_client *c;

    assert(p);
    c = *p;
    if (c == NULL)
        return;
    zsock_destroy(&c->sock);
    free(c->rep_buf);
    free(c->req_buf);
    free(c);
    *p = NULL;
}

void bus_client_set_retry(struct bus_client *c, int ms)
{
    assert(c);
    assert(ms > 0);
    c->retry_ms = ms;
}

void bus_client_on_epoch(struct bus_client *c, bus_epoch_fn fn, void *arg)
{
    assert(c);
    c->on_epoch = fn;
    c->on_epoch_arg = arg;
}

uint64_t bus_client_server_epoch(const struct bus_client *c)
{
    assert(c);
    return c->server_epoch;
}

uint64_t bus_client_epoch(const struct bus_client *c)
{
    assert(c);
    return c->epoch;
}

/* One attempt. A full queue (no server for a while) is not an error: the
 * next attempt, or the deadline, follows. */
static void attempt_send(struct bus_client *c, uint64_t id, uint32_t method, const void *body,
                         size_t len, uint64_t deadline)
{
    bus_header_t h;
    int64_t left = deadline_left_ms(deadline);
    int err;

    bus_header_init(&h, BUS_KIND_REQUEST, c->epoch);
    h.request_id = id;
    h.method = method;
    h.timeout_ms = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
    h.sent_ms = bus_realtime_ms();
    err = bus_frame_send_request(c->sock, &h, body, len);
    if (err < 0)
        log_dbg("bus: request %" PRIu64 " not queued: %s", id, strerror(-err));
}

/* Take a received message: 1 if it is the reply to request id (its status
 * in *status), 0 if it is stale, -EBADMSG if malformed. */
static int reply_take(struct bus_client *c, zmsg_t *msg, uint64_t id, uint32_t method,
                      int *status, void *rep, size_t rep_cap, size_t *rep_len)
{
    struct bus_frame f;
    int err;

    err = bus_frame_parse_msg(&f, BUS_SHAPE_REPLY, msg);
    if (err < 0) {
        log_dbg("bus: malformed reply: %s", strerror(-err));
        return -EBADMSG;
    }
    if (f.hdr.request_id != id)
        return 0;
    if (f.hdr.method != method)
        return -EBADMSG;
    if (c->server_epoch != 0 && f.hdr.epoch != c->server_epoch && !c->epoch_changed) {
        c->epoch_changed = true;
        c->epoch_old = c->server_epoch;
    }
    c->server_epoch = f.hdr.epoch;
    *status = f.hdr.status;
    if (rep_len != NULL)
        *rep_len = f.body.size;
    if (rep == NULL)
        return 1;
    if (f.body.size > rep_cap) {
        *status = -EMSGSIZE;
        return 1;
    }
    if (f.body.size > 0)
        memcpy(rep, f.body.data, f.body.size);
    return 1;
}

static int call_raw(struct bus_client *c, uint32_t method, const void *body, size_t len,
                    void *rep, size_t rep_cap, size_t *rep_len, int timeout_ms)
{
    uint64_t deadline = deadline_after_ms(timeout_ms);
    uint64_t id = ++c->next_id;
    uint64_t next_send = 0;
    uint64_t retry = (uint64_t)c->retry_ms * 1000000ull;
    zmq_pollitem_t item = {zsock_resolve(c->sock), 0, ZMQ_POLLIN, 0};

    if (len > BUS_BODY_MAX)
        return -EMSGSIZE;
    for (;;) {
        uint64_t now = now_ns();
        uint64_t until;
        zmsg_t *msg;
        int status;
        int r;

        if (now >= deadline)
            return -ETIMEDOUT;
        if (now >= next_send) {
            attempt_send(c, id, method, body, len, deadline);
            next_send = now + retry;
        }
        until = next_send < deadline ? next_send : deadline;
        if (zmq_poll(&item, 1, (long)((until - now + 999999) / 1000000)) < 0 && errno != EINTR)
            return -errno;
        while ((msg = zmsg_recv(c->sock)) != NULL) {
            r = reply_take(c, msg, id, method, &status, rep, rep_cap, rep_len);
            zmsg_destroy(&msg);
            if (r != 0)
                return r < 0 ? r : status;
        }
    }
}

/* Run the epoch callback if a reply showed a new epoch. A nested call from
 * the callback that sees yet another epoch makes the loop run again. */
static void epoch_notify(struct bus_client *c)
{
    if (c->in_callback)
        return;
    c->in_callback = true;
    while (c->epoch_changed) {
        uint64_t old = c->epoch_old;

        c->epoch_changed = false;
        log_info("bus: server restarted (epoch %016" PRIx64 " -> %016" PRIx64 ")", old,
                 c->server_epoch);
        if (c->on_epoch != NULL)
            c->on_epoch(c->on_epoch_arg, old, c->server_epoch);
    }
    c->in_callback = false;
}

int bus_client_call(struct bus_client *c, uint32_t method, const void *body, size_t len,
                    void *rep, size_t rep_cap, size_t *rep_len, int timeout_ms)
{
    int r;

    assert(c);
    assert(body || len == 0);
    assert(rep || rep_cap == 0);
    assert(timeout_ms >= 0);

    r = call_raw(c, method, body, len, rep, rep_cap, rep_len, timeout_ms);
    epoch_notify(c);
    return r;
}

int bus_client_call_pb(struct bus_client *c, uint32_t method, const pb_msgdesc_t *req_fields,
                       const void *req, const pb_msgdesc_t *rep_fields, void *rep,
                       int timeout_ms)
{
    struct bus_part body;
    size_t len = 0;
    int n;
    int r;

    assert(c);
    assert(req_fields && req);
    assert(!rep_fields || rep);
    assert(timeout_ms >= 0);

    n = bus_body_encode(c->req_buf, BUS_BODY_MAX, req_fields, req);
    if (n < 0)
        return n;
    r = call_raw(c, method, c->req_buf, (size_t)n, c->rep_buf, BUS_BODY_MAX, &len, timeout_ms);
    /* Decode before the callback: a nested call reuses rep_buf. */
    if (r >= 0 && rep_fields != NULL) {
        body = (struct bus_part){c->rep_buf, len};
        if (bus_body_decode(&body, rep_fields, rep) < 0)
            r = -EBADMSG;
    }
    epoch_notify(c);
    return r;
}

int bus_probe(const char *endpoint)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *path;
    socklen_t sa_len;
    size_t n;
    int fd;
    int err = 0;

    assert(endpoint);

    if (strncmp(endpoint, "ipc://", 6) != 0)
        return -EINVAL;
    path = endpoint + 6;
    n = strlen(path);
    if (n == 0 || n >= sizeof(sa.sun_path))
        return -EINVAL;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@') /* abstract namespace, as libzmq spells it */
        sa.sun_path[0] = '\0';
    sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    /* EAGAIN: a listener whose backlog is full, still a listener. */
    if (connect(fd, (struct sockaddr *)&sa, sa_len) < 0 && errno != EAGAIN)
        err = -errno;
    close(fd);
    return err;
}
