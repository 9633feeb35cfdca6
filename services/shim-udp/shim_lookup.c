/*
 * shim_lookup.c - where a name lives, when flow_alloc finds it in neither
 * the static peers nor the cache: a look-up on a thread of its own (the
 * main loop never waits on DNS), answered to the main loop through an
 * eventfd.
 */
#include "shim.h"

#include "log.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A look-up for an allocation to a name not known yet, on its own thread. */
struct shim_lookup {
    struct shim *s;
    struct udp_flow *f; /* NULL once the flow is gone */
    uint8_t hash[UDP_HASH_MAX];
    size_t len;
    int timeout_ms;
    int err;
    struct udp_addr addr;
    struct shim_lookup *next;
};

static void *lookup_main(void *arg)
{
    struct shim_lookup *lk = arg;
    struct shim *s = lk->s;
    uint64_t one = 1;

    lk->err = resolver_lookup(s->res, lk->hash, lk->len, lk->timeout_ms, &lk->addr);
    pthread_mutex_lock(&s->done_lock);
    lk->next = s->done;
    s->done = lk;
    pthread_mutex_unlock(&s->done_lock);
    if (write(s->done_fd, &one, sizeof(one)) < 0)
        log_err("look-up answer lost: %s", strerror(errno));
    atomic_fetch_sub(&s->lookups, 1);
    return NULL;
}

/* Answers of look-ups, on the main loop. */
static int lookup_done(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct shim *s = arg;
    struct shim_lookup *lk;
    uint64_t v;

    (void)loop;
    if (read(item->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
        return 0;
    pthread_mutex_lock(&s->done_lock);
    lk = s->done;
    s->done = NULL;
    pthread_mutex_unlock(&s->done_lock);
    while (lk != NULL) {
        struct shim_lookup *next = lk->next;
        struct udp_flow *f = lk->f;

        if (f != NULL)
            shim_mgmt_resolved(s, f, lk->err, &lk->addr);
        free(lk);
        lk = next;
    }
    return 0;
}

int shim_lookup_start(struct shim *s, struct udp_flow *f, int timeout_ms)
{
    struct shim_lookup *lk = calloc(1, sizeof(*lk));
    pthread_attr_t attr;
    pthread_t t;
    int err;

    if (lk == NULL)
        return -ENOMEM;
    lk->s = s;
    lk->f = f;
    memcpy(lk->hash, f->hash, f->hash_len);
    lk->len = f->hash_len;
    lk->timeout_ms = timeout_ms;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_fetch_add(&s->lookups, 1);
    err = -pthread_create(&t, &attr, lookup_main, lk);
    pthread_attr_destroy(&attr);
    if (err < 0) {
        atomic_fetch_sub(&s->lookups, 1);
        free(lk);
        return err;
    }
    f->lookup = lk;
    return 0;
}

void shim_lookup_forget(struct shim_lookup *lk)
{
    lk->f = NULL; /* its answer finds no flow */
}

int shim_lookup_init(struct shim *s)
{
    zmq_pollitem_t done = {.fd = s->done_fd, .events = ZMQ_POLLIN};

    return zloop_poller(service_loop(s->svc), &done, lookup_done, s) < 0 ? -ENOMEM : 0;
}

void shim_lookup_fini(struct shim *s)
{
    zmq_pollitem_t done = {.fd = s->done_fd, .events = ZMQ_POLLIN};

    zloop_poller_end(service_loop(s->svc), &done);
}
