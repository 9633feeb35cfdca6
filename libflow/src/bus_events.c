/*
 * bus_events.c - publish numbered events, and on the subscriber's side tell
 * in-order events from those after a loss or a publisher restart.
 */
#include "bus_events.h"

#include "bus_socket.h"
#include "deadline.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct bus_pub {
    zsock_t *sock;
    char *endpoint;
    struct bus_ipc_file file;
    uint64_t epoch;
    uint64_t seq; /* of the last event sent */
    uint8_t *buf; /* bus_pub_send_pb's body */
};

struct bus_sub {
    zsock_t *sock;
    char **prefixes;
    size_t n_prefixes;
    uint64_t epoch; /* of the publisher, 0 before anything is known */
    uint64_t seq;   /* last seen */
    zmsg_t *msg;    /* holds the body of the last event reported */
};

struct bus_pub *bus_pub_new(const char *endpoint, uint64_t epoch)
{
    struct bus_pub *p;

    assert(endpoint);

    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->epoch = epoch;
    p->endpoint = strdup(endpoint);
    p->buf = malloc(BUS_BODY_MAX);
    if (p->endpoint == NULL || p->buf == NULL)
        goto fail_buf;
    p->sock = zsock_new(ZMQ_PUB);
    if (p->sock == NULL)
        goto fail_buf;
    bus_sock_set_options(p->sock);
    if (zsock_bind(p->sock, "%s", endpoint) < 0) {
        log_err("bus: cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto fail_bind;
    }
    bus_ipc_file_note(&p->file, endpoint);
    return p;

fail_bind:
    zsock_destroy(&p->sock);
fail_buf:
    free(p->buf);
    free(p->endpoint);
    free(p);
    return NULL;
}

void bus_pub_destroy(struct bus_pub **pp)
{
    struct bus_pub *p;

    assert(pp);
    p = *pp;
    if (p == NULL)
        return;
    zsock_destroy(&p->sock);
    /* libzmq leaves the socket file of an ipc:// endpoint behind. */
    bus_ipc_file_remove(&p->file);
    free(p->buf);
    free(p->endpoint);
    free(p);
    *pp = NULL;
}

static int pub_send_seq(struct bus_pub *p, const char *topic, uint64_t seq, const void *body,
                        size_t len)
{
    bus_header_t h;

    bus_header_init(&h, BUS_KIND_EVENT, p->epoch);
    h.seq = seq;
    return bus_frame_send_event(p->sock, topic, &h, body, len);
}

int bus_pub_send(struct bus_pub *p, const char *topic, const void *body, size_t len)
{
    int err;

    assert(p);
    assert(topic);
    assert(body || len == 0);

    err = pub_send_seq(p, topic, p->seq + 1, body, len);
    if (err < 0 && err != -EAGAIN)
        return err;
    /* Dropped for a full queue or not, the number is used: a subscriber
     * that missed it must see a gap. */
    p->seq++;
    return 0;
}

int bus_pub_send_pb(struct bus_pub *p, const char *topic, const pb_msgdesc_t *fields,
                    const void *msg)
{
    int n;

    assert(p);
    assert(fields);
    assert(msg);

    n = bus_body_encode(p->buf, BUS_BODY_MAX, fields, msg);
    if (n < 0)
        return n;
    return bus_pub_send(p, topic, p->buf, (size_t)n);
}

int bus_pub_tick(struct bus_pub *p)
{
    int err;

    assert(p);

    err = pub_send_seq(p, BUS_TOPIC_TICK, p->seq, NULL, 0);
    return err == -EAGAIN ? 0 : err;
}

uint64_t bus_pub_seq(const struct bus_pub *p)
{
    assert(p);
    return p->seq;
}

uint64_t bus_pub_epoch(const struct bus_pub *p)
{
    assert(p);
    return p->epoch;
}

struct bus_sub *bus_sub_new(const char *endpoint)
{
    struct bus_sub *s;

    assert(endpoint);

    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->sock = zsock_new(ZMQ_SUB);
    if (s->sock == NULL)
        goto fail_sock;
    bus_sock_set_options(s->sock);
    zsock_set_rcvtimeo(s->sock, 0);
    zsock_set_maxmsgsize(s->sock, BUS_FRAME_LIMIT);
    /* Everything: sequence numbers count all topics (see bus_sub_subscribe). */
    zsock_set_subscribe(s->sock, "");
    if (zsock_connect(s->sock, "%s", endpoint) < 0) {
        log_err("bus: cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto fail_connect;
    }
    return s;

fail_connect:
    zsock_destroy(&s->sock);
fail_sock:
    free(s);
    return NULL;
}

void bus_sub_destroy(struct bus_sub **p)
{
    struct bus_sub *s;

    assert(p);
    s = *p;
    if (s == NULL)
        return;
    zmsg_destroy(&s->msg);
    zsock_destroy(&s->sock);
    for (size_t i = 0; i < s->n_prefixes; i++)
        free(s->prefixes[i]);
    free(s->prefixes);
    free(s);
    *p = NULL;
}

int bus_sub_subscribe(struct bus_sub *s, const char *prefix)
{
    char **v;
    char *dup;

    assert(s);
    assert(prefix);

    if (strlen(prefix) > BUS_TOPIC_MAX)
        return -EINVAL;
    dup = strdup(prefix);
    if (dup == NULL)
        return -ENOMEM;
    v = realloc(s->prefixes, (s->n_prefixes + 1) * sizeof(*v));
    if (v == NULL) {
        free(dup);
        return -ENOMEM;
    }
    s->prefixes = v;
    s->prefixes[s->n_prefixes++] = dup;
    return 0;
}

void bus_sub_sync(struct bus_sub *s, uint64_t epoch, uint64_t seq)
{
    assert(s);
    s->epoch = epoch;
    s->seq = seq;
}

zsock_t *bus_sub_sock(struct bus_sub *s)
{
    assert(s);
    return s->sock;
}

static bool topic_subscribed(const struct bus_sub *s, const char *topic)
{
    for (size_t i = 0; i < s->n_prefixes; i++)
        if (strncmp(topic, s->prefixes[i], strlen(s->prefixes[i])) == 0)
            return true;
    return false;
}

/* Place an event in the publisher's sequence: returns true if it is to be
 * reported. */
static bool event_place(struct bus_sub *s, struct bus_event *ev, bool tick)
{
    if (s->epoch == 0)
        ev->sync = BUS_SYNC_FIRST;
    else if (ev->epoch != s->epoch)
        ev->sync = BUS_SYNC_NEW_EPOCH;
    else if (ev->seq <= s->seq)
        return false; /* a tick with nothing missed, or an event already seen
                       * (older than the snapshot) */
    else if (ev->seq == s->seq + 1 && !tick)
        ev->sync = BUS_SYNC_IN_ORDER;
    else
        ev->sync = BUS_SYNC_GAP;
    s->epoch = ev->epoch;
    s->seq = ev->seq;
    /* An event that calls for a re-fetch is reported whatever its topic:
     * the caller's state may be stale, not only this topic's. */
    return ev->sync != BUS_SYNC_IN_ORDER || topic_subscribed(s, ev->topic);
}

/* Take one received message: 1 to report it, 0 to skip it, -EBADMSG. */
static int event_take(struct bus_sub *s, zmsg_t *msg, struct bus_event *ev)
{
    struct bus_frame f;
    bool tick;
    int err;

    err = bus_frame_parse_msg(&f, BUS_SHAPE_EVENT, msg);
    if (err < 0) {
        log_dbg("bus: malformed event: %s", strerror(-err));
        return -EBADMSG;
    }
    memcpy(ev->topic, f.topic.data, f.topic.size);
    ev->topic[f.topic.size] = '\0';
    ev->seq = f.hdr.seq;
    ev->epoch = f.hdr.epoch;
    ev->body = f.body;
    tick = strcmp(ev->topic, BUS_TOPIC_TICK) == 0;
    if (ev->epoch == 0)
        return -EBADMSG;
    return event_place(s, ev, tick) ? 1 : 0;
}

int bus_sub_recv(struct bus_sub *s, struct bus_event *ev, int timeout_ms)
{
    uint64_t deadline = deadline_after_ms(timeout_ms);
    zmq_pollitem_t item = {NULL, 0, ZMQ_POLLIN, 0};
    zmsg_t *msg;
    int r;

    assert(s);
    assert(ev);

    item.socket = zsock_resolve(s->sock);
    zmsg_destroy(&s->msg);
    for (;;) {
        while ((msg = zmsg_recv(s->sock)) != NULL) {
            r = event_take(s, msg, ev);
            if (r > 0) {
                s->msg = msg; /* ev->body points into it */
                return 0;
            }
            zmsg_destroy(&msg);
            if (r < 0)
                return r;
        }
        int64_t left = deadline_left_ms(deadline);
        if (left == 0)
            return -EAGAIN;
        if (zmq_poll(&item, 1, (long)left) < 0 && errno != EINTR)
            return -errno;
    }
}
