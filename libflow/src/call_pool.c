/*
 * call_pool.c - worker threads for bus calls; results come back through an
 * eventfd the loop polls.
 */
#include "call_pool.h"

#include "bus_client.h"
#include "bus_frame.h"
#include "log.h"

#include <errno.h>
#include <pb_encode.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define CLIENTS_PER_WORKER 16

struct call {
    struct call *next;
    char endpoint[128];
    uint32_t method;
    uint8_t *body;
    size_t len;
    int timeout_ms;
    call_done_fn done;
    void *arg;
    int status;
    uint8_t *rep;
    size_t rep_len;
};

struct worker {
    struct call_pool *pool;
    pthread_t thread;
    int index;
    struct {
        char endpoint[128];
        struct bus_client *client;
    } clients[CLIENTS_PER_WORKER];
};

struct call_pool {
    zloop_t *loop;
    char ident[64];
    int efd;
    pthread_mutex_t lock;
    pthread_cond_t more;
    struct call *todo, *todo_tail; /* submitted, for the workers */
    struct call *done;             /* finished, for the loop */
    bool stop;
    _Atomic size_t pending;
    int nworkers;
    struct worker workers[CALL_POOL_THREADS];
};

/* A worker's client to an endpoint, made on first use. */
static struct bus_client *worker_client(struct worker *w, const char *endpoint)
{
    char ident[128];
    int free_slot = -1;

    for (int i = 0; i < CLIENTS_PER_WORKER; i++) {
        if (w->clients[i].client != NULL && strcmp(w->clients[i].endpoint, endpoint) == 0)
            return w->clients[i].client;
        if (w->clients[i].client == NULL && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0) {
        /* Full: the oldest goes (clients to IPCPs that went away). */
        bus_client_destroy(&w->clients[0].client);
        free_slot = 0;
    }
    snprintf(ident, sizeof(ident), "%s/w%d/%d", w->pool->ident, w->index, (int)getpid());
    w->clients[free_slot].client = bus_client_new(endpoint, ident);
    snprintf(w->clients[free_slot].endpoint, sizeof(w->clients[0].endpoint), "%s", endpoint);
    return w->clients[free_slot].client;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct call_pool *p = w->pool;
    uint64_t one = 1;

    for (;;) {
        struct call *c;
        struct bus_client *client;

        pthread_mutex_lock(&p->lock);
        while (p->todo == NULL && !p->stop)
            pthread_cond_wait(&p->more, &p->lock);
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        c = p->todo;
        p->todo = c->next;
        if (p->todo == NULL)
            p->todo_tail = NULL;
        pthread_mutex_unlock(&p->lock);

        client = bus_probe(c->endpoint) == 0 ? worker_client(w, c->endpoint) : NULL;
        c->rep = malloc(CALL_REP_MAX);
        if (client == NULL || c->rep == NULL)
            c->status = -ECONNREFUSED;
        else
            c->status = bus_client_call(client, c->method, c->body, c->len, c->rep,
                                        CALL_REP_MAX, &c->rep_len, c->timeout_ms);
        pthread_mutex_lock(&p->lock);
        c->next = p->done;
        p->done = c;
        pthread_mutex_unlock(&p->lock);
        if (write(p->efd, &one, sizeof(one)) < 0)
            log_warn("call pool: cannot signal the loop: %s", strerror(errno));
    }
    for (int i = 0; i < CLIENTS_PER_WORKER; i++)
        bus_client_destroy(&w->clients[i].client);
    return NULL;
}

static void call_free(struct call *c)
{
    free(c->body);
    free(c->rep);
    free(c);
}

/* The loop: deliver every finished call, oldest first. */
static int on_done(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct call_pool *p = arg;
    struct call *list, *rev = NULL;
    uint64_t n;

    (void)loop;
    (void)item;
    if (read(p->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        return 0;
    pthread_mutex_lock(&p->lock);
    list = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->lock);
    while (list != NULL) {
        struct call *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    while (rev != NULL) {
        struct call *c = rev;
        rev = c->next;
        atomic_fetch_sub(&p->pending, 1);
        c->done(c->arg, c->status, c->rep, c->rep_len);
        call_free(c);
    }
    return 0;
}

struct call_pool *call_pool_new(zloop_t *loop, const char *ident, int threads)
{
    struct call_pool *p = calloc(1, sizeof(*p));
    zmq_pollitem_t item = {.events = ZMQ_POLLIN};

    if (p == NULL)
        return NULL;
    p->loop = loop;
    snprintf(p->ident, sizeof(p->ident), "%s", ident);
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->more, NULL);
    item.fd = p->efd;
    if (p->efd < 0 || zloop_poller(loop, &item, on_done, p) < 0)
        goto fail;
    if (threads <= 0 || threads > CALL_POOL_THREADS)
        threads = CALL_POOL_THREADS;
    for (int i = 0; i < threads; i++) {
        p->workers[i].pool = p;
        p->workers[i].index = i;
        if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0)
            break;
        p->nworkers++;
    }
    if (p->nworkers == 0)
        goto fail;
    return p;
fail:
    if (p->efd >= 0)
        close(p->efd);
    free(p);
    return NULL;
}

void call_pool_destroy(struct call_pool **pp)
{
    struct call_pool *p;
    zmq_pollitem_t item = {.events = ZMQ_POLLIN};

    if (pp == NULL || *pp == NULL)
        return;
    p = *pp;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nworkers; i++)
        pthread_join(p->workers[i].thread, NULL);
    item.fd = p->efd;
    zloop_poller_end(p->loop, &item);
    close(p->efd);
    while (p->todo != NULL) {
        struct call *c = p->todo;
        p->todo = c->next;
        call_free(c);
    }
    while (p->done != NULL) {
        struct call *c = p->done;
        p->done = c->next;
        call_free(c);
    }
    free(p);
    *pp = NULL;
}

int call_pool_submit(struct call_pool *p, const char *endpoint, uint32_t method,
                     const void *body, size_t len, int timeout_ms, call_done_fn done, void *arg)
{
    struct call *c = calloc(1, sizeof(*c));

    if (c == NULL || (len > 0 && (c->body = malloc(len)) == NULL)) {
        free(c);
        return -ENOMEM;
    }
    snprintf(c->endpoint, sizeof(c->endpoint), "%s", endpoint);
    c->method = method;
    if (len > 0)
        memcpy(c->body, body, len);
    c->len = len;
    c->timeout_ms = timeout_ms;
    c->done = done;
    c->arg = arg;
    atomic_fetch_add(&p->pending, 1);
    pthread_mutex_lock(&p->lock);
    if (p->todo_tail != NULL)
        p->todo_tail->next = c;
    else
        p->todo = c;
    p->todo_tail = c;
    pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

int call_pool_submit_pb(struct call_pool *p, const char *endpoint, uint32_t method,
                        const pb_msgdesc_t *fields, const void *msg, int timeout_ms,
                        call_done_fn done, void *arg)
{
    uint8_t *buf = malloc(BUS_BODY_MAX);
    pb_ostream_t os;
    int err;

    if (buf == NULL)
        return -ENOMEM;
    os = pb_ostream_from_buffer(buf, BUS_BODY_MAX);
    if (!pb_encode(&os, fields, msg)) {
        free(buf);
        return -EMSGSIZE;
    }
    err = call_pool_submit(p, endpoint, method, buf, os.bytes_written, timeout_ms, done, arg);
    free(buf);
    return err;
}

size_t call_pool_pending(const struct call_pool *p)
{
    return atomic_load(&p->pending);
}
