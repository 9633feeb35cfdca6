/*
 * bus_server.h - the ROUTER side of the control bus: one handler per method,
 * idempotent or de-duplicated, replies stamped with the server's boot epoch.
 */
#ifndef OUROBUS_BUS_SERVER_H
#define OUROBUS_BUS_SERVER_H

#include "bus_frame.h"

#include <czmq.h>
#include <pb.h>
#include <stddef.h>
#include <stdint.h>

/* How the server protects a method against a retried request. */
enum bus_method_kind {
    BUS_METHOD_IDEMPOTENT, /* running it twice does no harm: run every copy */
    BUS_METHOD_DEDUP,      /* run once per (client, request id); a retry gets the
                            * recorded reply, even from a restarted server */
};

/* A request as a handler sees it; the parts live until the handler returns. */
struct bus_request {
    uint32_t method;
    struct bus_part client; /* the client's identity */
    uint64_t client_epoch;  /* the client's boot epoch */
    uint64_t id;            /* the client's request id */
    struct bus_part body;
    uint64_t deadline; /* when the client stops waiting: now_ns() clock, or
                        * DEADLINE_NONE if it did not say */
};

/* The reply a handler fills; its status is the handler's return value. */
struct bus_reply {
    uint8_t *body;
    size_t len;
    size_t cap;                /* BUS_BODY_MAX, or BUS_DEDUP_BODY_MAX for a dedup method */
    struct bus_server *server; /* for bus_reply_defer */
    const struct bus_request *req;
    uint64_t deferred; /* the ticket, once deferred */
};

/* What a handler returns when it answers later (bus_reply_defer). */
#define BUS_REPLY_DEFERRED INT32_MIN

/* Handle a request: fill rep's body (or leave it empty) and return the
 * status for the client: >= 0, or -errno; or BUS_REPLY_DEFERRED. */
typedef int (*bus_handler_fn)(void *arg, const struct bus_request *req, struct bus_reply *rep);

/* In a handler: answer this request later, e.g. when another daemon has
 * answered. Returns a ticket (never 0) for bus_server_reply_deferred; the
 * handler then returns BUS_REPLY_DEFERRED. While the reply is pending, a
 * retry of a dedup request is ignored (the reply will answer it), and a
 * retry of an idempotent one runs the handler again. 0 if out of memory. */
uint64_t bus_reply_defer(struct bus_reply *rep);

/* Copy len bytes into the reply's body. 0 or -EMSGSIZE. */
int bus_reply_set_body(struct bus_reply *rep, const void *body, size_t len);

/* Encode a nanopb message as the reply's body. 0 or -EMSGSIZE. */
int bus_reply_encode(struct bus_reply *rep, const pb_msgdesc_t *fields, const void *msg);

/* Decode the request's body into a nanopb message. 0 or -EBADMSG. */
int bus_request_decode(const struct bus_request *req, const pb_msgdesc_t *fields, void *msg);

struct bus_server_stats {
    uint64_t requests;        /* well-formed requests received */
    uint64_t malformed;       /* refused by the frame parser */
    uint64_t expired;         /* dropped: the client had given up */
    uint64_t dedup_hits;      /* answered from the dedup table */
    uint64_t unsent;          /* replies the client was no longer there for */
    uint64_t pending_retries; /* dedup retries of a deferred request, ignored */
};

struct bus_server;

/* Bind a ROUTER at endpoint ("ipc://<run>/<service>.ctl"). epoch goes into
 * every reply. dedup_path is the file of the dedup table (opened when the
 * first BUS_METHOD_DEDUP method is added); NULL if there is none. NULL on
 * failure. */
struct bus_server *bus_server_new(const char *endpoint, uint64_t epoch, const char *dedup_path);

/* Stop serving, unbind, close the dedup table; NULLs *p. Accepts NULL.
 * Call it before destroying the zloop it is attached to. */
void bus_server_destroy(struct bus_server **p);

/* Serve method with fn(arg, ...). -EEXIST if the method has a handler,
 * -EINVAL for a dedup method without a dedup file, -errno if the file
 * cannot be opened. */
int bus_server_add_method(struct bus_server *s, uint32_t method, enum bus_method_kind kind,
                          bus_handler_fn fn, void *arg);

/* Stop serving method (its requests then get -ENOSYS): 0 or -ENOENT. */
int bus_server_remove_method(struct bus_server *s, uint32_t method);

/* Send the reply of a deferred request (recorded first if its method is a
 * dedup one), and forget the ticket. 0, -ENOENT for an unknown ticket,
 * -EMSGSIZE for a body too big (the ticket is then kept). A client that
 * gave up meanwhile just does not get it. */
int bus_server_reply_deferred(struct bus_server *s, uint64_t ticket, int status,
                              const void *body, size_t len);

/* Forget a deferred request without answering it (the client times out). */
void bus_server_drop_deferred(struct bus_server *s, uint64_t ticket);

/* Number of deferred requests not answered yet. */
size_t bus_server_deferred_count(const struct bus_server *s);

/* Serve from loop's reader callbacks. 0 or -1 (zloop_reader). */
int bus_server_attach(struct bus_server *s, zloop_t *loop);

/* Handle one pending message without blocking, for a custom loop: 1 if one
 * was handled (answered, refused or dropped), 0 if none was pending. */
int bus_server_handle_one(struct bus_server *s);

/* The ROUTER socket, to poll it in a custom loop. */
zsock_t *bus_server_sock(struct bus_server *s);

uint64_t bus_server_epoch(const struct bus_server *s);

void bus_server_get_stats(const struct bus_server *s, struct bus_server_stats *st);

#endif
