/*
 * server_flow.c - one flow of the oping server: echo, close and report;
 * the inbox through which the accept loop hands flows to a worker.
 */
#include "server.h"

#include "flow_error.h"
#include "oping_msg.h"
#include "tool_time.h"

#include <ourobus/dev.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct server_flow *server_flow_new(struct server *s, int fd)
{
    struct server_flow *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return NULL;
    f->fd = fd;
    f->srv = s;
    f->start_ns = mono_ns();
    return f;
}

int server_flow_echo(struct server_flow *f, uint8_t *buf, size_t len)
{
    ssize_t n;

    if (oping_msg_make_reply(buf, len) < 0)
        return 0; /* not a ping: ignore it */
    n = flow_write(f->fd, buf, len);
    if (n == -EAGAIN || n == -ETIMEDOUT) {
        f->dropped++;
        return 0;
    }
    if (n < 0)
        return (int)n;
    f->pings++;
    return 0;
}

void server_flow_end(struct server_flow *f, int err)
{
    const struct oping_opts *o = f->srv->o;
    double secs = (double)(mono_ns() - f->start_ns) / 1e9;
    char why[128];

    flow_dealloc(f->fd);
    if (!o->quiet) {
        if (err == 0)
            snprintf(why, sizeof(why), "server stopped");
        else
            flow_error_str(err, why, sizeof(why));
        flockfile(stdout); /* one line, whatever the other flows print */
        printf("flow %d: closed after %llu pings in %.3f s (%s)", f->fd,
               (unsigned long long)f->pings, secs, why);
        if (f->dropped)
            printf(", %llu pongs dropped", (unsigned long long)f->dropped);
        printf("\n");
        funlockfile(stdout);
    }
}

void server_inbox_put(struct server *s, struct server_flow *f)
{
    pthread_mutex_lock(&s->lock);
    f->next = s->inbox;
    s->inbox = f;
    atomic_fetch_add(&s->inbox_n, 1);
    pthread_mutex_unlock(&s->lock);
}

void server_inbox_take(struct server *s, struct flow_list *l)
{
    struct server_flow *f;

    if (atomic_load(&s->inbox_n) == 0)
        return;
    pthread_mutex_lock(&s->lock);
    f = s->inbox;
    s->inbox = NULL;
    atomic_store(&s->inbox_n, 0);
    pthread_mutex_unlock(&s->lock);
    while (f != NULL) {
        struct server_flow *next = f->next;

        if (flow_list_add(l, f) < 0) {
            server_flow_end(f, -ENOMEM);
            free(f);
        }
        f = next;
    }
}

int flow_list_add(struct flow_list *l, struct server_flow *f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        struct server_flow **v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL)
            return -ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = f;
    return 0;
}

struct server_flow *flow_list_find(const struct flow_list *l, int fd)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i]->fd == fd)
            return l->v[i];
    return NULL;
}

void flow_list_remove(struct flow_list *l, size_t i)
{
    l->v[i] = l->v[--l->n];
}

void flow_list_fini(struct flow_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
