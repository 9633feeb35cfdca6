/*
 * server.c - the oping server: start the echo policy, run the accept
 * loop, hand it every new flow, stop the policy at the end.
 */
#include "server.h"

#include "accept_loop.h"
#include "flow_error.h"

#include <ourobus/dev.h>

#include <stdio.h>
#include <stdlib.h>

static const struct server_ops *server_ops_of(enum oping_server_mode mode)
{
    switch (mode) {
    case OPING_SERVER_POLL:
        return &server_poll_ops;
    case OPING_SERVER_BUSY:
        return &server_busy_ops;
    default:
        return &server_threads_ops;
    }
}

struct server_run {
    struct server *s;
    const struct server_ops *ops;
};

static void on_flow(void *ctx, int fd, const qosspec_t *qs)
{
    struct server_run *run = ctx;
    struct server_flow *f = server_flow_new(run->s, fd);

    if (f == NULL) {
        fprintf(stderr, "oping: out of memory for flow %d\n", fd);
        flow_dealloc(fd);
        return;
    }
    if (!run->s->o->quiet)
        printf("flow %d: new\n", fd);
    run->ops->add(run->s, f);
}

static void on_tick(void *ctx)
{
    struct server_run *run = ctx;

    run->ops->reap(run->s);
}

int oping_server_run(const struct oping_opts *o, const atomic_int *stop)
{
    struct server s = {.o = o, .stop = stop};
    struct server_run run = {.s = &s, .ops = server_ops_of(o->server_mode)};
    struct accept_loop al = {
        .prog = "oping", .stop = stop, .on_flow = on_flow, .on_tick = on_tick, .ctx = &run};
    char buf[128];
    int status, r;

    pthread_mutex_init(&s.lock, NULL);
    atomic_init(&s.inbox_n, 0);
    atomic_init(&s.quit, false);
    r = run.ops->start(&s);
    if (r < 0) {
        fprintf(stderr, "oping: starting the server: %s\n",
                flow_error_str(r, buf, sizeof(buf)));
        pthread_mutex_destroy(&s.lock);
        return 1;
    }
    if (!o->quiet)
        printf("oping server: answering pings, %s\n", run.ops->name);
    status = accept_loop_run(&al);
    atomic_store(&s.quit, true);
    run.ops->stop(&s);
    pthread_mutex_destroy(&s.lock);
    return status;
}
