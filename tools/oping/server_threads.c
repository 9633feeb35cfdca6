/*
 * server_threads.c - the default echo policy: a thread per flow, blocking
 * reads with a short timeout so a stop is seen quickly.
 */
#include "server.h"

#include "flow_setup.h"

#include <ourobus/dev.h>

#include <errno.h>
#include <stdlib.h>

#define THREAD_READ_TICK_NS (200 * NS_PER_MS)
#define THREAD_WRITE_NS     (1000 * NS_PER_MS)

static void flow_echo_loop(void *arg)
{
    struct server_flow *f = arg;
    struct server *s = f->srv;
    uint8_t *buf = malloc(OPING_BUF_SIZE);
    int err = -ENOMEM;

    if (buf == NULL)
        goto out;
    flow_rcvtimeo_set(f->fd, THREAD_READ_TICK_NS);
    flow_sndtimeo_set(f->fd, THREAD_WRITE_NS);
    err = 0;
    while (!server_stopping(s)) {
        ssize_t n = flow_read_packet(f->fd, buf, OPING_BUF_SIZE);

        if (n == -ETIMEDOUT || n == -EAGAIN || n == -EMSGSIZE)
            continue;
        if (n < 0) {
            err = (int)n;
            break;
        }
        err = server_flow_echo(f, buf, (size_t)n);
        if (err < 0)
            break;
    }
out:
    free(buf);
    server_flow_end(f, err);
    free(f);
}

static int threads_start(struct server *s)
{
    s->threads = (struct flow_threads){0};
    return 0;
}

static int threads_add(struct server *s, struct server_flow *f)
{
    int r = flow_threads_spawn(&s->threads, flow_echo_loop, f);

    if (r < 0) {
        server_flow_end(f, r);
        free(f);
    }
    return r;
}

static void threads_reap(struct server *s)
{
    flow_threads_reap(&s->threads);
}

static void threads_stop(struct server *s)
{
    flow_threads_join(&s->threads);
}

const struct server_ops server_threads_ops = {
    .name = "a thread per flow",
    .start = threads_start,
    .add = threads_add,
    .reap = threads_reap,
    .stop = threads_stop,
};
