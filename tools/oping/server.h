/*
 * server.h - the oping server: the accept loop (server.c) hands each new
 * flow to one of three echo policies behind server_ops: a thread per flow,
 * one thread over an fset, or one thread busy-polling every flow.
 */
#ifndef OUROBUS_OPING_SERVER_H
#define OUROBUS_OPING_SERVER_H

#include "flow_threads.h"
#include "oping.h"

#include <ourobus/fqueue.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct server;

/* One accepted flow and what was echoed on it. */
struct server_flow {
    int fd;
    uint64_t start_ns;
    uint64_t pings;   /* echoed */
    uint64_t dropped; /* pongs not sent: the flow was full */
    struct server *srv;
    struct server_flow *next; /* in the inbox */
};

/* The flows a single worker thread serves (poll and busy policies). */
struct flow_list {
    struct server_flow **v;
    size_t n;
    size_t cap;
};

struct server {
    const struct oping_opts *o;
    const atomic_int *stop;
    atomic_bool quit; /* the accept loop is over: workers finish too */
    pthread_mutex_t lock;
    struct server_flow *inbox; /* accepted, not yet taken by the worker */
    atomic_int inbox_n;
    struct flow_threads threads; /* threads policy */
    pthread_t worker;            /* poll and busy policies */
    fset_t *set;                 /* poll policy */
    fqueue_t *fq;
};

struct server_ops {
    const char *name;
    int (*start)(struct server *s);
    int (*add)(struct server *s, struct server_flow *f); /* takes f */
    void (*reap)(struct server *s);                      /* now and then */
    void (*stop)(struct server *s);                      /* ends every flow */
};

/* A signal came or the accept loop ended: every loop winds down. */
static inline bool server_stopping(struct server *s)
{
    return atomic_load_explicit(s->stop, memory_order_relaxed) ||
           atomic_load_explicit(&s->quit, memory_order_relaxed);
}

extern const struct server_ops server_threads_ops;
extern const struct server_ops server_poll_ops;
extern const struct server_ops server_busy_ops;

/* A flow just accepted on fd; NULL without memory. */
struct server_flow *server_flow_new(struct server *s, int fd);

/* Answer the ping of len bytes in buf. 0, or the flow's write error
 * (other than a full flow, which drops the pong). */
int server_flow_echo(struct server_flow *f, uint8_t *buf, size_t len);

/* Deallocate and say why it ended (err: the read error, 0 for a stop).
 * The caller frees f. */
void server_flow_end(struct server_flow *f, int err);

/* Hand f to the worker thread of a single-thread policy. */
void server_inbox_put(struct server *s, struct server_flow *f);

/* Move the flows waiting in the inbox into l. */
void server_inbox_take(struct server *s, struct flow_list *l);

int flow_list_add(struct flow_list *l, struct server_flow *f);
struct server_flow *flow_list_find(const struct flow_list *l, int fd);
void flow_list_remove(struct flow_list *l, size_t i);
void flow_list_fini(struct flow_list *l);

#endif
