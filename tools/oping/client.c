/*
 * client.c - the oping client: allocate the flow, then either a writer
 * paced by the interval beside a reader thread, or one ping in flight at
 * a time (flood, flood-busy), until the count, the duration or a signal.
 */
#include "client.h"

#include "flow_error.h"
#include "flow_setup.h"
#include "oping_msg.h"
#include "pacer.h"
#include "tool_time.h"

#include <ourobus/dev.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ALLOC_TIMEOUT_S   10
#define READ_TICK_NS      (50 * 1000000ull)  /* reader wakes to expire pings */
#define WRITE_TIMEOUT_NS  (200 * 1000000ull) /* a blocked write checks for stop */
#define LOSS_TIMEOUT_MIN  (2000 * 1000000ull)
#define LOSS_TIMEOUT_RTTS 3

static bool client_stopped(const struct client *c)
{
    return atomic_load(c->stop) || atomic_load(&c->error) != 0;
}

static void client_fail(struct client *c, int err, const char *what)
{
    int none = 0;
    char buf[128];

    if (atomic_compare_exchange_strong(&c->error, &none, err))
        fprintf(stderr, "oping: %s: %s\n", what, flow_error_str(err, buf, sizeof(buf)));
}

static void client_fail_send(struct client *c, int err)
{
    char what[64];

    snprintf(what, sizeof(what), "sending %zu-byte pings", c->o->size);
    client_fail(c, err, what);
}

uint64_t client_loss_timeout(const struct client *c)
{
    uint64_t t = c->rtt.n ? LOSS_TIMEOUT_RTTS * c->rtt.max : 0;

    return t > LOSS_TIMEOUT_MIN ? t : LOSS_TIMEOUT_MIN;
}

/* Sending may go on: no signal, no error, count and duration not reached. */
static bool client_may_send(const struct client *c, uint64_t now)
{
    const struct oping_opts *o = c->o;
    uint64_t sent = atomic_load(&c->track.sent);

    if (client_stopped(c))
        return false;
    if (o->count && sent >= o->count)
        return false;
    if (o->duration_ns && sent > 0 && now - c->t_start >= o->duration_ns)
        return false;
    return true;
}

/* Book and send the next ping. 0 or a negative error code. */
static int client_send_ping(struct client *c)
{
    struct oping_msg m = {.type = OPING_ECHO_REQUEST};
    uint64_t now = mono_ns();
    ssize_t n;

    if (c->t_start == 0)
        c->t_start = now;
    m.id = (uint32_t)ping_track_next(&c->track, now);
    m.tv_sec = now / NS_PER_S;
    m.tv_nsec = now % NS_PER_S;
    oping_msg_encode(c->wbuf, &m);
    do {
        n = flow_write(c->fd, c->wbuf, c->o->size);
    } while ((n == -ETIMEDOUT || n == -EAGAIN) && !client_stopped(c));
    return n < 0 ? (int)n : 0;
}

/* One packet from the server: account and print it. */
static void client_take_reply(struct client *c, size_t len, uint64_t now)
{
    struct oping_msg m;
    uint64_t id, sent_at, rtt;
    enum ping_kind kind;

    if (oping_msg_decode(c->rbuf, len, &m) < 0 || m.type != OPING_ECHO_REPLY)
        return;
    id = ping_track_widen(&c->track, m.id);
    kind = ping_track_reply(&c->track, id);
    if (kind == PING_BOGUS || kind == PING_STALE)
        return;
    sent_at = m.tv_sec * NS_PER_S + m.tv_nsec;
    rtt = now > sent_at ? now - sent_at : 0;
    if (kind != PING_DUPLICATE)
        rtt_stats_add(&c->rtt, rtt);
    client_print_reply(c, id, len, rtt, kind);
}

/* Declare lost what waited too long. */
static void client_expire(struct client *c, uint64_t now)
{
    uint64_t timeout = client_loss_timeout(c), id;

    while (ping_track_expire(&c->track, now, timeout, &id))
        client_print_lost(c, id, timeout);
}

/* Read one packet (or time out). A flow error ends the run. */
static void client_read_once(struct client *c)
{
    ssize_t n = flow_read_packet(c->fd, c->rbuf, c->buflen);

    if (n >= 0)
        client_take_reply(c, (size_t)n, mono_ns());
    else if (n != -ETIMEDOUT && n != -EAGAIN && n != -EMSGSIZE)
        client_fail(c, (int)n, "reading pongs");
}

/* Reader thread of the interval mode: until every ping sent is settled
 * and the writer is done, or a stop. */
static void *client_reader(void *arg)
{
    struct client *c = arg;

    while (!client_stopped(c)) {
        client_read_once(c);
        client_expire(c, mono_ns());
        if (atomic_load(&c->writer_done) && ping_track_done(&c->track))
            break;
        if (c->o->count && ping_track_settled(&c->track) >= c->o->count)
            break;
    }
    return NULL;
}

static void client_run_interval(struct client *c)
{
    struct pacer p;
    pthread_t reader;
    int r;

    if (flow_rcvtimeo_set(c->fd, READ_TICK_NS) < 0) {
        client_fail(c, -EINVAL, "setting the read timeout");
        return;
    }
    r = pthread_create(&reader, NULL, client_reader, c);
    if (r != 0) {
        client_fail(c, -r, "starting the reader");
        return;
    }
    pacer_init_interval(&p, c->o->interval_ns, PACE_SLEEP, mono_ns());
    for (uint64_t k = 0; client_may_send(c, mono_ns()); k++) {
        if (pacer_wait(&p, k, c->stop) < 0 || !client_may_send(c, mono_ns()))
            break;
        /* Never more pings in flight than the book holds. */
        while (!ping_track_has_room(&c->track) && !client_stopped(c))
            usleep(100);
        r = client_send_ping(c);
        if (r < 0 && !client_stopped(c))
            client_fail_send(c, r);
    }
    atomic_store(&c->writer_done, true);
    pthread_join(reader, NULL);
}

/* One ping in flight: send, wait for its reply or its loss, repeat. The
 * busy variant reads without blocking and never sleeps. */
static void client_run_flood(struct client *c, bool busy)
{
    int r;

    r = busy ? flow_flags_add(c->fd, FLOWFRNOBLOCK) : flow_rcvtimeo_set(c->fd, READ_TICK_NS);
    if (r < 0) {
        client_fail(c, r, "setting up the flow");
        return;
    }
    while (client_may_send(c, mono_ns())) {
        uint64_t last_expire = 0;

        r = client_send_ping(c);
        if (r < 0) {
            if (!client_stopped(c))
                client_fail_send(c, r);
            break;
        }
        while (!ping_track_done(&c->track) && !client_stopped(c)) {
            uint64_t now;

            client_read_once(c);
            now = mono_ns();
            if (!busy || now - last_expire > 1000000) {
                client_expire(c, now);
                last_expire = now;
            }
        }
    }
}

int oping_client_run(const struct oping_opts *o, const atomic_int *stop)
{
    struct timespec timeo = {.tv_sec = ALLOC_TIMEOUT_S};
    struct client c = {.o = o, .stop = stop};
    qosspec_t qs = o->qos;
    char buf[256];
    int status = 1;

    if (ping_track_init(&c.track) < 0 || rtt_stats_init(&c.rtt) < 0)
        goto fail_mem;
    c.buflen = OPING_BUF_SIZE;
    c.rbuf = malloc(c.buflen);
    c.wbuf = calloc(1, c.buflen);
    if (c.rbuf == NULL || c.wbuf == NULL)
        goto fail_mem;

    c.fd = flow_alloc(o->name, &qs, &timeo);
    if (c.fd < 0) {
        fprintf(stderr, "oping: %s\n", flow_error_alloc(c.fd, o->name, buf, sizeof(buf)));
        goto fail_alloc;
    }
    flow_sndtimeo_set(c.fd, WRITE_TIMEOUT_NS);

    client_print_start(&c);
    if (o->flood || o->flood_busy)
        client_run_flood(&c, o->flood_busy);
    else
        client_run_interval(&c);
    c.t_end = mono_ns();
    client_print_summary(&c);
    if (c.track.received > 0 && atomic_load(&c.error) == 0)
        status = 0;
    flow_dealloc(c.fd);
fail_alloc:
    free(c.rbuf);
    free(c.wbuf);
    rtt_stats_fini(&c.rtt);
    ping_track_fini(&c.track);
    return status;
fail_mem:
    fprintf(stderr, "oping: out of memory\n");
    free(c.rbuf);
    free(c.wbuf);
    rtt_stats_fini(&c.rtt);
    ping_track_fini(&c.track);
    return 1;
}
