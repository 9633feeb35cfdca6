/*
 * server.c - the oecho server: a thread per flow sends back every message
 * it reads, until the client leaves.
 */
#include "oecho.h"

#include "accept_loop.h"
#include "flow_error.h"
#include "flow_setup.h"
#include "flow_threads.h"

#include <ourobus/dev.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#define READ_TICK_NS (200 * NS_PER_MS)
#define WRITE_NS     (1 * NS_PER_S)
#define SHOW_MAX     64 /* characters of a message shown in the log */

struct echo_flow {
    int fd;
    const atomic_int *stop;
};

/* The message as one printable line. */
static void show(const char *buf, size_t len, char *out, size_t size)
{
    size_t i;

    for (i = 0; i < len && i < SHOW_MAX && i + 1 < size; i++)
        out[i] = isprint((unsigned char)buf[i]) ? buf[i] : '.';
    out[i] = '\0';
}

static void echo_flow_loop(void *arg)
{
    struct echo_flow *ef = arg;
    char buf[OECHO_MAX_LEN + 1], line[SHOW_MAX + 1], err[128];
    unsigned long long echoed = 0;
    int r = 0;

    flow_rcvtimeo_set(ef->fd, READ_TICK_NS);
    flow_sndtimeo_set(ef->fd, WRITE_NS);
    while (!atomic_load(ef->stop)) {
        ssize_t n = flow_read_packet(ef->fd, buf, sizeof(buf));

        if (n == -ETIMEDOUT || n == -EAGAIN || n == -EMSGSIZE)
            continue;
        if (n < 0) {
            r = (int)n;
            break;
        }
        show(buf, (size_t)n, line, sizeof(line));
        printf("flow %d: \"%s\" (%zd bytes)\n", ef->fd, line, n);
        n = flow_write(ef->fd, buf, (size_t)n);
        if (n < 0) {
            r = (int)n;
            break;
        }
        echoed++;
    }
    printf("flow %d: closed after %llu message%s (%s)\n", ef->fd, echoed,
           echoed == 1 ? "" : "s", r ? flow_error_str(r, err, sizeof(err)) : "server stopped");
    flow_dealloc(ef->fd);
    free(ef);
}

struct echo_server {
    const atomic_int *stop;
    struct flow_threads threads;
};

static void on_flow(void *ctx, int fd, const qosspec_t *qs)
{
    struct echo_server *s = ctx;
    struct echo_flow *ef = malloc(sizeof(*ef));

    if (ef != NULL) {
        ef->fd = fd;
        ef->stop = s->stop;
    }
    if (ef == NULL || flow_threads_spawn(&s->threads, echo_flow_loop, ef) < 0) {
        fprintf(stderr, "oecho: cannot serve flow %d\n", fd);
        flow_dealloc(fd);
        free(ef);
    }
}

static void on_tick(void *ctx)
{
    struct echo_server *s = ctx;

    flow_threads_reap(&s->threads);
}

int oecho_server_run(const atomic_int *stop)
{
    struct echo_server s = {.stop = stop};
    struct accept_loop al = {
        .prog = "oecho", .stop = stop, .on_flow = on_flow, .on_tick = on_tick, .ctx = &s};
    int status;

    printf("oecho server: echoing messages to '" OECHO_NAME "'\n");
    status = accept_loop_run(&al);
    flow_threads_join(&s.threads);
    return status;
}
