/*
 * server_poll.c - the --poll echo policy: one worker waits on an fset of
 * every flow with fevent() and drains the flows the fqueue names.
 */
#include "server.h"

#include "flow_error.h"
#include "flow_setup.h"

#include <ourobus/dev.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define POLL_TICK_NS (100 * 1000000ull)

/* Read every packet queued on f. 0 while the flow lives, else the error
 * that ended it. */
static int poll_drain(struct server_flow *f, uint8_t *buf)
{
    for (;;) {
        ssize_t n = flow_read_packet(f->fd, buf, OPING_BUF_SIZE);
        int r;

        if (n == -EAGAIN || n == -ETIMEDOUT)
            return 0;
        if (n == -EMSGSIZE)
            continue;
        if (n < 0)
            return (int)n;
        r = server_flow_echo(f, buf, (size_t)n);
        if (r < 0)
            return r;
    }
}

static void poll_end(struct server *s, struct flow_list *l, size_t i, int err)
{
    struct server_flow *f = l->v[i];

    fset_del(s->set, f->fd);
    flow_list_remove(l, i);
    server_flow_end(f, err);
    free(f);
}

/* The event's flow in l, looking in the inbox when it is new. */
static ssize_t poll_find(struct server *s, struct flow_list *l, int fd)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < l->n; i++)
            if (l->v[i]->fd == fd)
                return (ssize_t)i;
        server_inbox_take(s, l);
    }
    return -1;
}

static void poll_event(struct server *s, struct flow_list *l, uint8_t *buf, int fd, int type)
{
    ssize_t i = poll_find(s, l, fd);
    int r;

    if (i < 0)
        return;
    switch (type) {
    case FLOW_PKT:
        r = poll_drain(l->v[i], buf);
        if (r < 0)
            poll_end(s, l, (size_t)i, r);
        break;
    case FLOW_DEALLOC:
    case FLOW_PEER:
        /* What the peer sent before it left is still answered. */
        poll_drain(l->v[i], buf);
        poll_end(s, l, (size_t)i, -EFLOWPEER);
        break;
    case FLOW_DOWN:
        poll_end(s, l, (size_t)i, -EFLOWDOWN);
        break;
    default:
        break;
    }
}

static void *poll_worker(void *arg)
{
    struct server *s = arg;
    struct timespec tick = ns_to_ts(POLL_TICK_NS);
    struct flow_list l = {0};
    uint8_t *buf = malloc(OPING_BUF_SIZE);

    while (buf != NULL && !server_stopping(s)) {
        ssize_t r = fevent(s->set, s->fq, &tick);
        int fd;

        server_inbox_take(s, &l);
        if (r == -ETIMEDOUT)
            continue;
        if (r < 0) {
            char err[128];

            fprintf(stderr, "oping: waiting for events: %s\n",
                    flow_error_str((int)r, err, sizeof(err)));
            break;
        }
        while ((fd = fqueue_next(s->fq)) >= 0)
            poll_event(s, &l, buf, fd, (int)fqueue_type(s->fq));
    }
    server_inbox_take(s, &l);
    while (l.n > 0)
        poll_end(s, &l, l.n - 1, 0);
    flow_list_fini(&l);
    free(buf);
    return NULL;
}

static int poll_start(struct server *s)
{
    int r = 0;

    s->set = fset_create();
    s->fq = fqueue_create();
    if (s->set == NULL || s->fq == NULL)
        goto fail;
    r = pthread_create(&s->worker, NULL, poll_worker, s);
    if (r != 0)
        goto fail;
    return 0;
fail:
    if (s->fq != NULL)
        fqueue_destroy(s->fq);
    if (s->set != NULL)
        fset_destroy(s->set);
    return s->set == NULL || s->fq == NULL ? -ENOMEM : -r;
}

static int poll_add(struct server *s, struct server_flow *f)
{
    int r;

    /* Never block the one worker: drop a pong rather than wait. */
    r = flow_flags_add(f->fd, FLOWFNONBLOCK);
    if (r < 0) {
        server_flow_end(f, r);
        free(f);
        return r;
    }
    server_inbox_put(s, f);
    r = fset_add(s->set, f->fd);
    if (r < 0) {
        char err[128];

        /* The worker owns f now; it ends it at the stop. */
        fprintf(stderr, "oping: flow %d: adding it to the set: %s\n", f->fd,
                flow_error_str(r, err, sizeof(err)));
    }
    return r;
}

static void poll_reap(struct server *s)
{
}

static void poll_stop(struct server *s)
{
    pthread_join(s->worker, NULL);
    fqueue_destroy(s->fq);
    fset_destroy(s->set);
}

const struct server_ops server_poll_ops = {
    .name = "one thread polling an fset",
    .start = poll_start,
    .add = poll_add,
    .reap = poll_reap,
    .stop = poll_stop,
};
