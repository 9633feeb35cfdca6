/*
 * bus_server.c - receive requests on a ROUTER, run their handlers, record the
 * replies of dedup methods before sending them, refuse malformed requests.
 */
#include "bus_server.h"

#include "bus_dedup.h"
#include "bus_socket.h"
#include "deadline.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Messages handled per wake-up of the loop before others get a turn. */
#define SERVER_BATCH 64

struct bus_method {
    uint32_t id;
    enum bus_method_kind kind;
    bus_handler_fn fn;
    void *arg;
};

/* A request whose reply a handler deferred. */
struct bus_pending {
    uint64_t ticket;
    uint8_t client[BUS_IDENTITY_MAX];
    size_t client_len;
    uint64_t client_epoch;
    uint64_t request_id;
    uint32_t method;
    enum bus_method_kind kind;
};

struct bus_server {
    zsock_t *sock;
    char *endpoint;
    struct bus_ipc_file file;
    uint64_t epoch;
    char *dedup_path;
    struct bus_dedup *dedup;
    struct bus_method *methods;
    size_t n_methods;
    zloop_t *loop;
    uint8_t *body; /* reply buffer, BUS_BODY_MAX bytes */
    struct bus_pending *pending;
    size_t n_pending;
    uint64_t next_ticket;
    struct bus_server_stats stats;
};

static struct bus_method *method_find(const struct bus_server *s, uint32_t id)
{
    for (size_t i = 0; i < s->n_methods; i++)
        if (s->methods[i].id == id)
            return &s->methods[i];
    return NULL;
}

int bus_reply_set_body(struct bus_reply *rep, const void *body, size_t len)
{
    assert(rep);
    assert(body || len == 0);

    if (len > rep->cap)
        return -EMSGSIZE;
    if (len > 0)
        memcpy(rep->body, body, len);
    rep->len = len;
    return 0;
}

int bus_reply_encode(struct bus_reply *rep, const pb_msgdesc_t *fields, const void *msg)
{
    int n;

    assert(rep);
    assert(fields);
    assert(msg);

    n = bus_body_encode(rep->body, rep->cap, fields, msg);
    if (n < 0)
        return n;
    rep->len = (size_t)n;
    return 0;
}

int bus_request_decode(const struct bus_request *req, const pb_msgdesc_t *fields, void *msg)
{
    assert(req);
    assert(fields);
    assert(msg);

    return bus_body_decode(&req->body, fields, msg);
}

uint64_t bus_reply_defer(struct bus_reply *rep)
{
    struct bus_server *s;
    struct bus_pending *v;
    struct bus_pending *p;

    assert(rep);
    assert(rep->server && rep->req);

    if (rep->deferred != 0)
        return rep->deferred;
    s = rep->server;
    v = realloc(s->pending, (s->n_pending + 1) * sizeof(*v));
    if (v == NULL)
        return 0;
    s->pending = v;
    p = &s->pending[s->n_pending++];
    p->ticket = ++s->next_ticket;
    memcpy(p->client, rep->req->client.data, rep->req->client.size);
    p->client_len = rep->req->client.size;
    p->client_epoch = rep->req->client_epoch;
    p->request_id = rep->req->id;
    p->method = rep->req->method;
    p->kind = method_find(s, p->method)->kind;
    rep->deferred = p->ticket;
    return p->ticket;
}

struct bus_server *bus_server_new(const char *endpoint, uint64_t epoch, const char *dedup_path)
{
    struct bus_server *s;

    assert(endpoint);

    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->epoch = epoch;
    s->endpoint = strdup(endpoint);
    s->body = malloc(BUS_BODY_MAX);
    if (s->endpoint == NULL || s->body == NULL)
        goto fail_body;
    if (dedup_path != NULL) {
        s->dedup_path = strdup(dedup_path);
        if (s->dedup_path == NULL)
            goto fail_path;
    }
    s->sock = zsock_new(ZMQ_ROUTER);
    if (s->sock == NULL)
        goto fail_sock;
    bus_sock_set_options(s->sock);
    /* A restarted client reclaims its identity; a reply to a client that
     * is gone fails at once instead of vanishing in the ROUTER. */
    zsock_set_router_handover(s->sock, 1);
    zsock_set_router_mandatory(s->sock, 1);
    zsock_set_rcvtimeo(s->sock, 0);
    /* Oversize frames up to this get an error reply; larger ones cost a
     * disconnect rather than memory. */
    zsock_set_maxmsgsize(s->sock, BUS_FRAME_LIMIT);
    if (zsock_bind(s->sock, "%s", endpoint) < 0) {
        log_err("bus: cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto fail_bind;
    }
    bus_ipc_file_note(&s->file, endpoint);
    return s;

fail_bind:
    zsock_destroy(&s->sock);
fail_sock:
    free(s->dedup_path);
fail_path:
    free(s->body);
fail_body:
    free(s->endpoint);
    free(s);
    return NULL;
}

void bus_server_destroy(struct bus_server **p)
{
    struct bus_server *s;

    assert(p);
    s = *p;
    if (s == NULL)
        return;
    if (s->loop != NULL)
        zloop_reader_end(s->loop, s->sock);
    zsock_destroy(&s->sock);
    /* libzmq leaves the socket file of an ipc:// endpoint behind. */
    bus_ipc_file_remove(&s->file);
    bus_dedup_destroy(&s->dedup);
    free(s->pending);
    free(s->methods);
    free(s->dedup_path);
    free(s->body);
    free(s->endpoint);
    free(s);
    *p = NULL;
}

int bus_server_add_method(struct bus_server *s, uint32_t method, enum bus_method_kind kind,
                          bus_handler_fn fn, void *arg)
{
    struct bus_method *m;

    assert(s);
    assert(fn);
    assert(kind == BUS_METHOD_IDEMPOTENT || kind == BUS_METHOD_DEDUP);

    if (method_find(s, method) != NULL)
        return -EEXIST;
    if (kind == BUS_METHOD_DEDUP && s->dedup == NULL) {
        if (s->dedup_path == NULL)
            return -EINVAL;
        s->dedup = bus_dedup_open(s->dedup_path, BUS_DEDUP_SLOTS);
        if (s->dedup == NULL)
            return -errno;
    }
    m = realloc(s->methods, (s->n_methods + 1) * sizeof(*m));
    if (m == NULL)
        return -ENOMEM;
    s->methods = m;
    s->methods[s->n_methods++] = (struct bus_method){method, kind, fn, arg};
    return 0;
}

int bus_server_remove_method(struct bus_server *s, uint32_t method)
{
    for (size_t i = 0; i < s->n_methods; i++) {
        if (s->methods[i].id == method) {
            s->methods[i] = s->methods[--s->n_methods];
            return 0;
        }
    }
    return -ENOENT;
}

static int on_readable(zloop_t *loop, zsock_t *sock, void *arg)
{
    struct bus_server *s = arg;

    for (int i = 0; i < SERVER_BATCH; i++)
        if (bus_server_handle_one(s) == 0)
            break;
    return 0;
}

int bus_server_attach(struct bus_server *s, zloop_t *loop)
{
    assert(s);
    assert(loop);
    assert(s->loop == NULL);

    if (zloop_reader(loop, s->sock, on_readable, s) < 0)
        return -1;
    s->loop = loop;
    return 0;
}

zsock_t *bus_server_sock(struct bus_server *s)
{
    assert(s);
    return s->sock;
}

uint64_t bus_server_epoch(const struct bus_server *s)
{
    assert(s);
    return s->epoch;
}

void bus_server_get_stats(const struct bus_server *s, struct bus_server_stats *st)
{
    assert(s);
    assert(st);
    *st = s->stats;
}

static void reply_send(struct bus_server *s, const struct bus_part *client, uint64_t id,
                       uint32_t method, int status, const void *body, size_t len)
{
    bus_header_t h;
    int err;

    bus_header_init(&h, BUS_KIND_REPLY, s->epoch);
    h.request_id = id;
    h.method = method;
    h.status = status;
    err = bus_frame_send_reply(s->sock, client, &h, body, len);
    if (err < 0) {
        /* The client is gone (it will retry and find the recorded reply if
         * the method is a dedup one) or its queue is full. */
        s->stats.unsent++;
        log_dbg("bus: reply to request %" PRIu64 " not sent: %s", id, strerror(-err));
    }
}

static struct bus_pending *pending_find_key(struct bus_server *s, const struct bus_dedup_key *k)
{
    for (size_t i = 0; i < s->n_pending; i++) {
        struct bus_pending *p = &s->pending[i];

        if (p->request_id == k->request_id && p->client_epoch == k->client_epoch &&
            p->client_len == k->client_len && memcmp(p->client, k->client, k->client_len) == 0)
            return p;
    }
    return NULL;
}

static struct bus_pending *pending_find(struct bus_server *s, uint64_t ticket)
{
    for (size_t i = 0; i < s->n_pending; i++)
        if (s->pending[i].ticket == ticket)
            return &s->pending[i];
    return NULL;
}

static void pending_remove(struct bus_server *s, struct bus_pending *p)
{
    *p = s->pending[--s->n_pending];
}

int bus_server_reply_deferred(struct bus_server *s, uint64_t ticket, int status,
                              const void *body, size_t len)
{
    struct bus_pending *p;
    struct bus_dedup_key key;
    struct bus_part client;
    int err;

    assert(s);
    assert(body || len == 0);
    assert(status != BUS_REPLY_DEFERRED);

    p = pending_find(s, ticket);
    if (p == NULL)
        return -ENOENT;
    if (len > (p->kind == BUS_METHOD_DEDUP ? BUS_DEDUP_BODY_MAX : BUS_BODY_MAX))
        return -EMSGSIZE;
    client = (struct bus_part){p->client, p->client_len};
    if (p->kind == BUS_METHOD_DEDUP) {
        key = (struct bus_dedup_key){p->client, p->client_len, p->client_epoch, p->request_id};
        err = bus_dedup_insert(s->dedup, &key, status, body, len);
        if (err < 0)
            log_err("bus: reply of request %" PRIu64 " not recorded: %s", p->request_id,
                    strerror(-err));
    }
    reply_send(s, &client, p->request_id, p->method, status, body, len);
    pending_remove(s, p);
    return 0;
}

void bus_server_drop_deferred(struct bus_server *s, uint64_t ticket)
{
    struct bus_pending *p;

    assert(s);

    p = pending_find(s, ticket);
    if (p != NULL)
        pending_remove(s, p);
}

size_t bus_server_deferred_count(const struct bus_server *s)
{
    assert(s);
    return s->n_pending;
}

/* Refuse a malformed message; answer it if it says who sent it. */
static void request_refuse(struct bus_server *s, const struct bus_frame *f, int err)
{
    s->stats.malformed++;
    log_dbg("bus: malformed request refused: %s", strerror(-err));
    if (f->identity.size == 0)
        return;
    reply_send(s, &f->identity, f->has_hdr ? f->hdr.request_id : 0,
               f->has_hdr ? f->hdr.method : 0, err, NULL, 0);
}

/* The client's deadline, or 0 if it passed already. */
static uint64_t request_deadline(const bus_header_t *h)
{
    uint64_t now;
    uint64_t end;

    if (h->timeout_ms == 0 || h->sent_ms == 0)
        return DEADLINE_NONE;
    end = h->sent_ms + h->timeout_ms;
    now = bus_realtime_ms();
    if (now >= end)
        return 0;
    return now_ns() + (end - now) * 1000000ull;
}

static void request_run(struct bus_server *s, const struct bus_frame *f)
{
    struct bus_request req;
    struct bus_reply rep;
    struct bus_dedup_key key = {NULL, 0, 0, 0};
    struct bus_method *m;
    size_t len;
    int status;
    int err;

    req = (struct bus_request){
        .method = f->hdr.method,
        .client = f->identity,
        .client_epoch = f->hdr.epoch,
        .id = f->hdr.request_id,
        .body = f->body,
        .deadline = request_deadline(&f->hdr),
    };
    if (req.deadline == 0) {
        s->stats.expired++;
        log_dbg("bus: request %" PRIu64 " expired on arrival, dropped", req.id);
        return;
    }
    s->stats.requests++;
    m = method_find(s, req.method);
    if (m == NULL) {
        reply_send(s, &req.client, req.id, req.method, -ENOSYS, NULL, 0);
        return;
    }

    rep = (struct bus_reply){.body = s->body, .cap = BUS_BODY_MAX, .server = s, .req = &req};
    if (m->kind == BUS_METHOD_DEDUP) {
        key =
            (struct bus_dedup_key){req.client.data, req.client.size, req.client_epoch, req.id};
        if (pending_find_key(s, &key) != NULL) {
            s->stats.pending_retries++;
            return;
        }
        err = bus_dedup_lookup(s->dedup, &key, &status, s->body, BUS_DEDUP_BODY_MAX, &len);
        if (err > 0) {
            s->stats.dedup_hits++;
            log_dbg("bus: request %" PRIu64 " is a retry, recorded reply sent", req.id);
            reply_send(s, &req.client, req.id, req.method, status, s->body, len);
            return;
        }
        rep.cap = BUS_DEDUP_BODY_MAX;
    }

    status = m->fn(m->arg, &req, &rep);
    if (status == BUS_REPLY_DEFERRED && rep.deferred != 0)
        return;
    if (rep.deferred != 0) {
        log_err("bus: method %" PRIu32 " deferred its reply but answered", req.method);
        bus_server_drop_deferred(s, rep.deferred);
    }
    if (status == BUS_REPLY_DEFERRED)
        status = -ENOMEM; /* bus_reply_defer failed */

    if (m->kind == BUS_METHOD_DEDUP) {
        /* Recorded before it is sent: a retry after a crash finds it. */
        err = bus_dedup_insert(s->dedup, &key, status, rep.body, rep.len);
        if (err < 0)
            log_err("bus: reply of request %" PRIu64 " not recorded: %s", req.id,
                    strerror(-err));
    }
    reply_send(s, &req.client, req.id, req.method, status, rep.body, rep.len);
}

int bus_server_handle_one(struct bus_server *s)
{
    struct bus_frame f;
    zmsg_t *msg;
    int err;

    assert(s);

    msg = zmsg_recv(s->sock);
    if (msg == NULL)
        return 0;
    err = bus_frame_parse_msg(&f, BUS_SHAPE_REQUEST, msg);
    if (err < 0)
        request_refuse(s, &f, err);
    else
        request_run(s, &f);
    zmsg_destroy(&msg);
    return 1;
}
