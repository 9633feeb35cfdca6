/*
 * nbrs.c - adjacencies over N-1 flows: the accepting thread, one thread per
 * flow reading it (which also sees the neighbour go quiet), the keepalive
 * and reconnecting threads, and sends from any thread.
 */
#include "nbrs.h"

#include "adj_msg.h"
#include "ecn.h"
#include "enroll_msg.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <ourobus/dev.h>
#include <ourobus/errno.h>
#include <ourobus/fccntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NBRS_TICK_MS 50 /* the read timeout and the period of the helper threads */

_Static_assert(NBRS_MAX <= PFF_READERS, "an adjacency id is a PFF reader id");
#define NBRS_STOP_MS 8000

struct adj {
    bool used;
    bool up;              /* the hello is done */
    _Atomic bool closing; /* its reader ends it at its next turn */
    int fd;
    _Atomic int txfd; /* fd for the forwarders, -1 when not up (pff grace) */
    uint64_t addr;
    char dst[NAME_SIZE + 1]; /* the name we connected to; "" if accepted */
    _Atomic uint64_t last_rx, last_tx;
};

struct want {
    bool used;
    char dst[NAME_SIZE + 1];
    qosspec_t qos;
    uint64_t addr; /* the neighbour's address at the last hello, 0 before */
    uint64_t next_try;
};

struct nbrs {
    struct dt_fmt fmt;
    uint64_t self;
    uint8_t ttl;
    struct pff *pff;
    const struct nbrs_ops *ops;
    void *arg;
    pthread_mutex_t lock; /* adj, want */
    struct adj adj[NBRS_MAX];
    struct want want[NBRS_MAX];
    _Atomic bool stop;
    _Atomic int threads; /* detached: openers and readers */
    pthread_t accepter, keeper, connector;
    _Atomic uint64_t forwarded;
    _Atomic uint64_t dropped[FWD_DROP_REASONS];
    uint64_t logged[FWD_DROP_REASONS]; /* keeper only: at the last log line */
    uint64_t logged_fwd;
    bool started[3];
};

static uint64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static struct timespec ms_ts(int ms)
{
    return (struct timespec){.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
}

static void set_rcv_timeout(int fd, int ms)
{
    struct timespec t = ms_ts(ms);

    fccntl(fd, FLOWSRCVTIMEO, &t);
}

/* ---- sending ---- */

static int send_locked(struct nbrs *n, struct adj *a, uint64_t eid, const uint8_t *payload,
                       size_t len)
{
    uint8_t buf[NBRS_PKT_MAX];
    struct dt_hdr h = {.dst = a->addr, .cube = QOS_CUBE_BE, .ttl = n->ttl, .eid = eid};
    size_t hl = dt_hdr_len(&n->fmt);
    ssize_t w;
    int err;

    if (!a->used || !a->up || atomic_load(&a->closing))
        return -ENOTCONN;
    if (hl + len > sizeof(buf))
        return -EMSGSIZE;
    err = dt_hdr_encode(&n->fmt, &h, buf, sizeof(buf));
    if (err < 0)
        return err;
    memcpy(buf + hl, payload, len);
    w = flow_write(a->fd, buf, hl + len);
    if (w < 0)
        return (int)w;
    atomic_store(&a->last_tx, now_ms());
    return 0;
}

int nbrs_send(struct nbrs *n, int id, uint64_t eid, const uint8_t *payload, size_t len)
{
    int err;

    assert(n != NULL && (payload != NULL || len == 0));
    if (id < 0 || id >= NBRS_MAX)
        return -ENOTCONN;
    pthread_mutex_lock(&n->lock);
    err = send_locked(n, &n->adj[id], eid, payload, len);
    pthread_mutex_unlock(&n->lock);
    return err;
}

bool nbrs_has_addr(struct nbrs *n, uint64_t addr)
{
    bool has = false;

    pthread_mutex_lock(&n->lock);
    for (int i = 0; i < NBRS_MAX && !has; i++)
        has = n->adj[i].used && n->adj[i].up && n->adj[i].addr == addr;
    pthread_mutex_unlock(&n->lock);
    return has;
}

/* ---- an adjacency's life ---- */

/* Take a slot for a flow whose hello is done: its id, or -ENOSPC. An older
 * adjacency with the same neighbour (it restarted, or the flow broke on
 * its side first) is ended. */
static int adj_add(struct nbrs *n, int fd, uint64_t addr, const char *dst)
{
    int id = -ENOSPC;

    /* Sends happen with the lock held: they must never wait. */
    fccntl(fd, FLOWSFLAGS, (uint32_t)(FLOWFDEFAULT | FLOWFWNOBLOCK));
    pthread_mutex_lock(&n->lock);
    for (int i = 0; i < NBRS_MAX; i++) {
        struct adj *a = &n->adj[i];
        if (a->used && a->addr == addr && !atomic_load(&a->closing)) {
            log_info("neighbour %" PRIu64 ": a new flow replaces the old one", addr);
            atomic_store(&a->closing, true);
        }
        if (!a->used && id < 0)
            id = i;
    }
    if (id >= 0) {
        struct adj *a = &n->adj[id];
        a->used = true;
        a->up = true;
        atomic_store(&a->closing, false);
        a->fd = fd;
        atomic_store(&a->txfd, fd);
        a->addr = addr;
        snprintf(a->dst, sizeof(a->dst), "%s", dst);
        atomic_store(&a->last_rx, now_ms());
        atomic_store(&a->last_tx, now_ms());
        for (int i = 0; i < NBRS_MAX; i++)
            if (n->want[i].used && strcmp(n->want[i].dst, dst) == 0)
                n->want[i].addr = addr;
    }
    pthread_mutex_unlock(&n->lock);
    return id;
}

/* ---- forwarding ---- */

void nbrs_count_drop(struct nbrs *n, enum fwd_drop reason)
{
    atomic_fetch_add_explicit(&n->dropped[reason], 1, memory_order_relaxed);
}

void nbrs_stats(struct nbrs *n, struct nbrs_stats *st)
{
    st->forwarded = atomic_load_explicit(&n->forwarded, memory_order_relaxed);
    for (int i = 0; i < FWD_DROP_REASONS; i++)
        st->dropped[i] = atomic_load_explicit(&n->dropped[i], memory_order_relaxed);
}

/* A transit packet (len bytes at pkt, header h) that arrived over id: to
 * its next hop, TTL and ECN changed in place; or counted as dropped. No
 * lock of ours, no allocation; the table and the next hop's fd are read
 * inside the PFF's grace period (reader id: the adjacency id). */
static void forward(struct nbrs *n, int id, const struct dt_hdr *h, uint8_t *pkt, size_t len)
{
    struct fwd_verdict v;
    int fd;

    pff_enter(n->pff, id);
    v = fwd_decide(h, n->self, n->pff);
    if (v.action == FWD_FORWARD) {
        fd = v.nhop < NBRS_MAX ? atomic_load(&n->adj[v.nhop].txfd) : -1;
        if (fd < 0) {
            v.action = FWD_DROP;
            v.reason = FWD_DROP_NHOP;
        } else {
            size_t queued = 0;
            ssize_t w;

            fccntl(fd, FLOWGTXQLEN, &queued);
            dt_hdr_ttl_dec(&n->fmt, pkt, len);
            dt_hdr_ecn_raise(&n->fmt, pkt, len, ecn_level(queued));
            w = flow_write(fd, pkt, len);
            if (w < 0) {
                v.action = FWD_DROP;
                v.reason = w == -EAGAIN ? FWD_DROP_FULL : FWD_DROP_NHOP;
            }
        }
    }
    pff_leave(n->pff, id);
    if (v.action == FWD_FORWARD)
        atomic_fetch_add_explicit(&n->forwarded, 1, memory_order_relaxed);
    else
        nbrs_count_drop(n, v.reason); /* FWD_DELIVER never gets here: dst is not ours */
}

void nbrs_originate(struct nbrs *n, int reader, const struct dt_hdr *h, uint8_t *pkt,
                    size_t len)
{
    assert(reader >= NBRS_MAX && reader < (int)PFF_READERS);
    forward(n, reader, h, pkt, len);
}

/* Once a second (keeper): the packets forwarded and the drops since the
 * last lines, if any. */
static void log_drops(struct nbrs *n)
{
    uint64_t fwd = atomic_load_explicit(&n->forwarded, memory_order_relaxed);
    char line[256];
    size_t off = 0;
    bool any = false;

    if (fwd != n->logged_fwd)
        log_info("forwarded in the last second: %" PRIu64 " (%" PRIu64 " in all)",
                 fwd - n->logged_fwd, fwd);
    n->logged_fwd = fwd;

    for (int i = 0; i < FWD_DROP_REASONS; i++) {
        uint64_t d = atomic_load_explicit(&n->dropped[i], memory_order_relaxed);
        uint64_t delta = d - n->logged[i];

        n->logged[i] = d;
        if (delta == 0)
            continue;
        any = true;
        off += (size_t)snprintf(line + off, sizeof(line) - off, " %s %" PRIu64,
                                fwd_drop_name((enum fwd_drop)i), delta);
        if (off >= sizeof(line))
            off = sizeof(line) - 1;
    }
    if (any)
        log_info("dropped in the last second:%s", line);
}

/* Read the adjacency's flow until it ends, the neighbour goes quiet, or we
 * end it; then tell the IPCP and let the flow go. */
static void adj_run(struct nbrs *n, int id)
{
    struct adj *a = &n->adj[id];
    uint8_t buf[NBRS_PKT_MAX];
    uint64_t addr = a->addr;
    const char *why = "stopped";
    int fd = a->fd;

    set_rcv_timeout(fd, NBRS_TICK_MS);
    log_info("adjacency up: neighbour %" PRIu64 " (flow %d)", addr, fd);
    n->ops->up(n->arg, id, addr);
    while (!atomic_load(&n->stop)) {
        struct dt_hdr h;
        ssize_t r;
        int hl;

        if (atomic_load(&a->closing)) {
            why = "ended here";
            break;
        }
        r = flow_read(fd, buf, sizeof(buf));
        if (r == -ETIMEDOUT || r == -EAGAIN) {
            if (now_ms() - atomic_load(&a->last_rx) > NBRS_DEAD_MS) {
                why = "nothing heard";
                break;
            }
            continue;
        }
        if (r < 0) {
            why = r == -EFLOWPEER ? "the peer left" : r == -EFLOWDOWN ? "flow down" : "error";
            break;
        }
        atomic_store(&a->last_rx, now_ms());
        hl = dt_hdr_decode(&n->fmt, buf, (size_t)r, &h);
        if (hl < 0) {
            nbrs_count_drop(n, FWD_DROP_BADHDR);
            continue;
        }
        if (h.dst != n->self) {
            forward(n, id, &h, buf, (size_t)r);
            continue;
        }
        if (h.eid != 0)
            n->ops->recv(n->arg, id, &h, buf + hl, (size_t)r - (size_t)hl);
    }
    if (!atomic_load(&n->stop)) {
        log_info("adjacency down: neighbour %" PRIu64 " (%s)", addr, why);
        n->ops->down(n->arg, id, addr);
    }
    /* No forwarder may still write to fd once it is let go. */
    atomic_store(&a->txfd, -1);
    pff_synchronize(n->pff);
    pthread_mutex_lock(&n->lock);
    a->used = false;
    a->up = false;
    a->fd = -1;
    for (int i = 0; i < NBRS_MAX; i++)
        if (n->want[i].used && n->want[i].addr == addr)
            n->want[i].next_try = now_ms() + (atomic_load(&n->stop) ? 0 : 200);
    pthread_mutex_unlock(&n->lock);
    flow_dealloc(fd);
}

struct opener {
    struct nbrs *n;
    int fd;
    int id; /* >= 0: an adjacency to read */
};

static void *reader_main(void *arg)
{
    struct opener *o = arg;

    adj_run(o->n, o->id);
    atomic_fetch_sub(&o->n->threads, 1);
    free(o);
    return NULL;
}

static int spawn(struct nbrs *n, void *(*fn)(void *), int fd, int id)
{
    struct opener *o = malloc(sizeof(*o));
    pthread_t t;

    if (o == NULL)
        return -ENOMEM;
    *o = (struct opener){.n = n, .fd = fd, .id = id};
    atomic_fetch_add(&n->threads, 1);
    if (pthread_create(&t, NULL, fn, o) != 0) {
        atomic_fetch_sub(&n->threads, 1);
        free(o);
        return -EAGAIN;
    }
    pthread_detach(t);
    return 0;
}

/* A flow someone allocated to us: its first message says what it is for. */
static void *opener_main(void *arg)
{
    struct opener *o = arg;
    struct nbrs *n = o->n;
    uint8_t buf[ENROLL_MSG_MAX];
    struct adj_msg m;
    struct enroll_msg e;
    ssize_t r;
    int fd = o->fd;

    set_rcv_timeout(fd, NBRS_HELLO_MS);
    r = flow_read(fd, buf, sizeof(buf));
    if (r > 0 && adj_msg_decode(buf, (size_t)r, &m) == 0 && m.type == ADJ_HELLO &&
        m.addr != n->self) {
        struct adj_msg ack = {.type = ADJ_HELLO_ACK, .addr = n->self};
        uint8_t b[ADJ_MSG_LEN];

        adj_msg_encode(&ack, b, sizeof(b));
        if (flow_write(fd, b, sizeof(b)) == (ssize_t)sizeof(b)) {
            o->id = adj_add(n, fd, m.addr, "");
            if (o->id >= 0) {
                adj_run(n, o->id);
                goto out;
            }
            log_warn("no room for neighbour %" PRIu64, m.addr);
        }
    } else if (r > 0 && enroll_msg_decode(buf, (size_t)r, &e) == 0 && e.type == ENROLL_REQ) {
        n->ops->enroll(n->arg, fd, buf, (size_t)r);
    } else {
        log_info("a flow that opened with neither a hello nor an enrollment: ended");
    }
    flow_dealloc(fd);
out:
    atomic_fetch_sub(&n->threads, 1);
    free(o);
    return NULL;
}

static void *accepter_main(void *arg)
{
    struct nbrs *n = arg;

    while (!atomic_load(&n->stop)) {
        struct timespec t = ms_ts(500);
        int fd = flow_accept(NULL, &t);

        if (fd == -ETIMEDOUT || fd == -EAGAIN)
            continue;
        if (fd < 0) {
            log_dbg("flow_accept: %d", fd);
            usleep(NBRS_TICK_MS * 1000);
            continue;
        }
        if (atomic_load(&n->stop) || spawn(n, opener_main, fd, -1) < 0)
            flow_dealloc(fd);
    }
    return NULL;
}

/* ---- connecting ---- */

static int connect_once(struct nbrs *n, const char *dst, const qosspec_t *qos, int timeout_ms)
{
    struct timespec t = ms_ts(timeout_ms > 0 ? timeout_ms : 1);
    qosspec_t q = *qos;
    struct adj_msg m = {.type = ADJ_HELLO, .addr = n->self};
    uint8_t b[ADJ_MSG_LEN + 1];
    ssize_t r;
    int fd, id;

    fd = flow_alloc(dst, &q, &t);
    if (fd < 0)
        return fd;
    adj_msg_encode(&m, b, sizeof(b));
    set_rcv_timeout(fd, NBRS_HELLO_MS);
    r = flow_write(fd, b, ADJ_MSG_LEN);
    if (r >= 0)
        r = flow_read(fd, b, sizeof(b));
    if (r < 0 || adj_msg_decode(b, (size_t)r, &m) < 0 || m.type != ADJ_HELLO_ACK ||
        m.addr == n->self) {
        flow_dealloc(fd);
        return r < 0 ? (int)r : -EPROTO;
    }
    id = adj_add(n, fd, m.addr, dst);
    if (id < 0 || spawn(n, reader_main, fd, id) < 0) {
        if (id >= 0) {
            pthread_mutex_lock(&n->lock);
            n->adj[id].used = false;
            pthread_mutex_unlock(&n->lock);
        }
        flow_dealloc(fd);
        return -ENOSPC;
    }
    return 0;
}

static bool want_up(struct nbrs *n, const struct want *w);

static int want_add(struct nbrs *n, const char *dst, const qosspec_t *qos)
{
    int free_slot = -1, err = 0;

    pthread_mutex_lock(&n->lock);
    for (int i = 0; i < NBRS_MAX; i++) {
        if (n->want[i].used && strcmp(n->want[i].dst, dst) == 0) {
            free_slot = -2;
            break;
        }
        if (!n->want[i].used && free_slot == -1)
            free_slot = i;
    }
    if (free_slot >= 0) {
        struct want *w = &n->want[free_slot];
        *w = (struct want){.used = true, .qos = *qos};
        snprintf(w->dst, sizeof(w->dst), "%s", dst);
    } else if (free_slot == -1) {
        err = -ENOSPC;
    }
    pthread_mutex_unlock(&n->lock);
    if (free_slot >= 0 && n->ops->wanted != NULL)
        n->ops->wanted(n->arg);
    return err;
}

int nbrs_connect(struct nbrs *n, const char *dst, const qosspec_t *qos, int timeout_ms)
{
    int err;

    assert(n != NULL && dst != NULL && qos != NULL);
    pthread_mutex_lock(&n->lock);
    for (int i = 0; i < NBRS_MAX; i++)
        if (n->want[i].used && strcmp(n->want[i].dst, dst) == 0 && want_up(n, &n->want[i])) {
            pthread_mutex_unlock(&n->lock);
            return 0; /* connected already */
        }
    pthread_mutex_unlock(&n->lock);
    err = connect_once(n, dst, qos, timeout_ms);
    if (err == 0)
        err = want_add(n, dst, qos);
    return err;
}

void nbrs_want(struct nbrs *n, const char *dst)
{
    assert(n != NULL && dst != NULL);
    want_add(n, dst, &qos_raw);
}

int nbrs_disconnect(struct nbrs *n, const char *dst)
{
    int err = -ENOENT;

    assert(n != NULL && dst != NULL);
    pthread_mutex_lock(&n->lock);
    for (int i = 0; i < NBRS_MAX; i++)
        if (n->want[i].used && strcmp(n->want[i].dst, dst) == 0) {
            n->want[i].used = false;
            err = 0;
        }
    for (int i = 0; i < NBRS_MAX; i++)
        if (n->adj[i].used && strcmp(n->adj[i].dst, dst) == 0) {
            atomic_store(&n->adj[i].closing, true);
            err = 0;
        }
    pthread_mutex_unlock(&n->lock);
    if (err == 0 && n->ops->wanted != NULL)
        n->ops->wanted(n->arg);
    return err;
}

size_t nbrs_wanted(struct nbrs *n, char names[][NAME_SIZE + 1], size_t max)
{
    size_t k = 0;

    pthread_mutex_lock(&n->lock);
    for (int i = 0; i < NBRS_MAX; i++)
        if (n->want[i].used) {
            if (k < max)
                snprintf(names[k], NAME_SIZE + 1, "%s", n->want[i].dst);
            k++;
        }
    pthread_mutex_unlock(&n->lock);
    return k;
}

/* Is a wanted connection up? Over the flow we made, or over one the
 * neighbour made to us meanwhile. */
static bool want_up(struct nbrs *n, const struct want *w)
{
    for (int i = 0; i < NBRS_MAX; i++) {
        const struct adj *a = &n->adj[i];
        if (a->used && a->up && !atomic_load(&a->closing) &&
            (strcmp(a->dst, w->dst) == 0 || (w->addr != 0 && a->addr == w->addr)))
            return true;
    }
    return false;
}

static void *connector_main(void *arg)
{
    struct nbrs *n = arg;

    while (!atomic_load(&n->stop)) {
        char dst[NAME_SIZE + 1] = "";
        qosspec_t qos = qos_raw;
        uint64_t now = now_ms();
        int err;

        pthread_mutex_lock(&n->lock);
        for (int i = 0; i < NBRS_MAX && dst[0] == '\0'; i++) {
            struct want *w = &n->want[i];
            if (w->used && now >= w->next_try && !want_up(n, w)) {
                snprintf(dst, sizeof(dst), "%s", w->dst);
                qos = w->qos;
                w->next_try = now + NBRS_RETRY_MS;
            }
        }
        pthread_mutex_unlock(&n->lock);
        if (dst[0] == '\0') {
            usleep(NBRS_TICK_MS * 1000);
            continue;
        }
        err = connect_once(n, dst, &qos, 2000);
        if (err < 0)
            log_dbg("reconnecting to %s: %d", dst, err);
        else
            log_info("reconnected to %s", dst);
    }
    return NULL;
}

static void *keeper_main(void *arg)
{
    struct nbrs *n = arg;
    struct adj_msg m = {.type = ADJ_KEEPALIVE, .addr = n->self};
    uint8_t b[ADJ_MSG_LEN];

    uint64_t next_log = now_ms() + 1000;

    adj_msg_encode(&m, b, sizeof(b));
    while (!atomic_load(&n->stop)) {
        uint64_t now = now_ms();

        if (now >= next_log) {
            log_drops(n);
            next_log = now + 1000;
        }

        pthread_mutex_lock(&n->lock);
        for (int i = 0; i < NBRS_MAX; i++) {
            struct adj *a = &n->adj[i];
            if (a->used && a->up && now - atomic_load(&a->last_tx) >= NBRS_KEEPALIVE_MS)
                send_locked(n, a, 0, b, sizeof(b));
        }
        pthread_mutex_unlock(&n->lock);
        usleep(NBRS_TICK_MS * 1000);
    }
    return NULL;
}

/* ---- life ---- */

struct nbrs *nbrs_new(const struct dt_fmt *fmt, uint64_t self, uint8_t ttl, struct pff *pff,
                      const struct nbrs_ops *ops, void *arg)
{
    struct nbrs *n = calloc(1, sizeof(*n));
    void *(*fns[3])(void *) = {accepter_main, keeper_main, connector_main};
    pthread_t *ts[3];

    assert(fmt != NULL && pff != NULL && ops != NULL && self != 0);
    if (n == NULL)
        return NULL;
    n->fmt = *fmt;
    n->self = self;
    n->ttl = ttl;
    n->pff = pff;
    n->ops = ops;
    n->arg = arg;
    pthread_mutex_init(&n->lock, NULL);
    for (int i = 0; i < NBRS_MAX; i++) {
        n->adj[i].fd = -1;
        atomic_init(&n->adj[i].txfd, -1);
    }
    ts[0] = &n->accepter;
    ts[1] = &n->keeper;
    ts[2] = &n->connector;
    for (int i = 0; i < 3; i++) {
        if (pthread_create(ts[i], NULL, fns[i], n) != 0) {
            nbrs_destroy(&n);
            return NULL;
        }
        n->started[i] = true;
    }
    return n;
}

void nbrs_destroy(struct nbrs **p)
{
    struct nbrs *n;
    pthread_t ts[3];

    if (p == NULL || *p == NULL)
        return;
    n = *p;
    atomic_store(&n->stop, true);
    ts[0] = n->accepter;
    ts[1] = n->keeper;
    ts[2] = n->connector;
    for (int i = 0; i < 3; i++)
        if (n->started[i])
            pthread_join(ts[i], NULL);
    /* Readers see the stop within a tick; an opener within its hello. */
    for (int i = 0; i < NBRS_STOP_MS / 10 && atomic_load(&n->threads) > 0; i++)
        usleep(10000);
    if (atomic_load(&n->threads) > 0) {
        log_warn("%d flow threads still run: left to the exit", atomic_load(&n->threads));
        return; /* *p stays: the caller leaves what they use alone */
    }
    pthread_mutex_destroy(&n->lock);
    free(n);
    *p = NULL;
}
