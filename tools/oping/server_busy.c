/*
 * server_busy.c - the --busy echo policy: one worker reads every flow
 * without blocking, round after round, and never sleeps while it has a
 * flow. Unlike the reference it keeps accepting new flows meanwhile.
 */
#include "server.h"

#include "flow_setup.h"

#include <ourobus/dev.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define BUSY_IDLE_US 1000 /* no flow at all: no reason to burn a CPU */

static void *busy_worker(void *arg)
{
    struct server *s = arg;
    struct flow_list l = {0};
    uint8_t *buf = malloc(OPING_BUF_SIZE);

    while (buf != NULL && !server_stopping(s)) {
        server_inbox_take(s, &l);
        if (l.n == 0) {
            usleep(BUSY_IDLE_US);
            continue;
        }
        for (size_t i = 0; i < l.n; i++) {
            struct server_flow *f = l.v[i];
            ssize_t n = flow_read_packet(f->fd, buf, OPING_BUF_SIZE);
            int r = 0;

            if (n == -EAGAIN || n == -EMSGSIZE)
                continue;
            if (n < 0)
                r = (int)n;
            else
                r = server_flow_echo(f, buf, (size_t)n);
            if (r < 0) {
                flow_list_remove(&l, i--);
                server_flow_end(f, r);
                free(f);
            }
        }
    }
    server_inbox_take(s, &l);
    for (size_t i = 0; i < l.n; i++) {
        server_flow_end(l.v[i], 0);
        free(l.v[i]);
    }
    flow_list_fini(&l);
    free(buf);
    return NULL;
}

static int busy_start(struct server *s)
{
    int r = pthread_create(&s->worker, NULL, busy_worker, s);

    return r == 0 ? 0 : -r;
}

static int busy_add(struct server *s, struct server_flow *f)
{
    int r = flow_flags_add(f->fd, FLOWFNONBLOCK);

    if (r < 0) {
        server_flow_end(f, r);
        free(f);
        return r;
    }
    server_inbox_put(s, f);
    return 0;
}

static void busy_reap(struct server *s)
{
}

static void busy_stop(struct server *s)
{
    pthread_join(s->worker, NULL);
}

const struct server_ops server_busy_ops = {
    .name = "one thread busy-polling every flow",
    .start = busy_start,
    .add = busy_add,
    .reap = busy_reap,
    .stop = busy_stop,
};
