/*
 * dir_bus.c - the directory's bus methods (proto/directory.proto): DIR_REG,
 * DIR_UNREG, and DIR_QUERY, whose answer comes later from the DHT (another
 * thread) and is sent from the loop as a deferred reply.
 *
 * The three methods are dedup ones: a client's retry (Lazy Pirate, every
 * 250 ms) of a query still waiting is ignored by the bus server, and one
 * answered gets the recorded reply; so a retry never starts a second
 * lookup nor gets a second reply.
 */
#include "directory.h"

#include "deadline.h"
#include "directory.pb.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <ourobus/errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

void dir_bus_on_answer(void *ctx, const uint8_t *key, int err, const struct dht_value *v,
                       size_t n)
{
    struct directory *d = ctx;
    struct dir_result *r = calloc(1, sizeof(*r));
    uint64_t one = 1;

    if (r == NULL)
        return; /* the query times out */
    r->len = d->hash_len;
    memcpy(r->hash, key, r->len);
    r->err = err;
    for (size_t i = 0; err == 0 && i < n && r->n < DIR_CACHE_ADDRS; i++)
        r->addrs[r->n++] = v[i].addr;
    pthread_mutex_lock(&d->res_lock);
    r->next = d->results;
    d->results = r;
    pthread_mutex_unlock(&d->res_lock);
    if (write(d->res_fd, &one, sizeof(one)) < 0)
        log_dbg("cannot wake the loop: %s", strerror(errno)); /* the counter is full */
}

static int reply_addrs(struct directory *d, uint64_t ticket, const uint64_t *addrs, size_t n)
{
    dir_addrs_t a = DIR_ADDRS_INIT_ZERO;
    uint8_t body[128];
    int len;

    for (size_t i = 0; i < n && i < DIR_CACHE_ADDRS; i++)
        a.addrs[a.addrs_count++] = addrs[i];
    len = bus_body_encode(body, sizeof(body), DIR_ADDRS_FIELDS, &a);
    if (len < 0)
        return bus_server_reply_deferred(service_bus(d->svc), ticket, -EIO, NULL, 0);
    return bus_server_reply_deferred(service_bus(d->svc), ticket, 0, body, (size_t)len);
}

static void wait_remove(struct directory *d, size_t i)
{
    d->waits[i] = d->waits[--d->n_waits];
}

/* Answer every query waiting for r's hash; keep what was found. */
static void result_take(struct directory *d, const struct dir_result *r)
{
    char hex[9];
    bool failed = r->err != 0 || r->n == 0;
    bool waited = false;

    if (!failed)
        dir_cache_put(d->cache, r->hash, r->len, r->addrs, r->n, dir_now_ms());
    for (size_t i = 0; i < d->n_waits;) {
        struct dir_wait *w = &d->waits[i];

        if (w->len != r->len || memcmp(w->hash, r->hash, r->len) != 0) {
            i++;
            continue;
        }
        waited = true;
        if (failed)
            bus_server_reply_deferred(service_bus(d->svc), w->ticket, -ENAME, NULL, 0);
        else
            reply_addrs(d, w->ticket, r->addrs, r->n);
        wait_remove(d, i);
    }
    if (failed && waited) {
        d->lookups_failed++;
        log_info("lookup of %s: not found (%s)", dir_hash_str(r->hash, r->len, hex),
                 r->err == -ENOENT || r->err == 0 ? "no value" : strerror(-r->err));
    }
}

static int on_results(zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    struct directory *d = arg;
    struct dir_result *list, *rev = NULL;
    uint64_t n;

    (void)loop;
    (void)item;
    if (read(d->res_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        return 0;
    pthread_mutex_lock(&d->res_lock);
    list = d->results;
    d->results = NULL;
    pthread_mutex_unlock(&d->res_lock);
    while (list != NULL) { /* oldest first */
        struct dir_result *next = list->next;

        list->next = rev;
        rev = list;
        list = next;
    }
    while (rev != NULL) {
        struct dir_result *next = rev->next;

        result_take(d, rev);
        free(rev);
        rev = next;
    }
    return 0;
}

/* Queries whose time is up get -ENAME (the lookup may still end later: its
 * answer then goes to the cache only). */
static int on_wait_timer(zloop_t *loop, int timer_id, void *arg)
{
    struct directory *d = arg;
    uint64_t now = now_ns();
    char hex[9];

    (void)loop;
    (void)timer_id;
    for (size_t i = 0; i < d->n_waits;) {
        struct dir_wait *w = &d->waits[i];

        if (now < w->deadline) {
            i++;
            continue;
        }
        d->lookups_failed++;
        log_info("lookup of %s: timed out", dir_hash_str(w->hash, w->len, hex));
        bus_server_reply_deferred(service_bus(d->svc), w->ticket, -ENAME, NULL, 0);
        wait_remove(d, i);
    }
    return 0;
}

static int hash_check(struct directory *d, size_t len)
{
    size_t want;

    pthread_mutex_lock(&d->lock);
    want = d->hash_len;
    pthread_mutex_unlock(&d->lock);
    if (len < DHT_ID_MIN || len > DHT_ID_MAX || (want != 0 && len != want))
        return -EINVAL;
    return 0;
}

static int on_reg(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct directory *d = arg;
    dir_name_t m = DIR_NAME_INIT_ZERO;
    int err;

    (void)rep;
    if (bus_request_decode(req, DIR_NAME_FIELDS, &m) < 0 || hash_check(d, m.hash.size) < 0)
        return -EINVAL;
    dir_cache_drop(d->cache, m.hash.bytes, m.hash.size);
    pthread_mutex_lock(&d->lock);
    err = dir_names_add(d, m.hash.bytes, m.hash.size, dir_now_ms());
    pthread_mutex_unlock(&d->lock);
    return err;
}

static int on_unreg(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct directory *d = arg;
    dir_name_t m = DIR_NAME_INIT_ZERO;

    (void)rep;
    if (bus_request_decode(req, DIR_NAME_FIELDS, &m) < 0 || hash_check(d, m.hash.size) < 0)
        return -EINVAL;
    dir_cache_drop(d->cache, m.hash.bytes, m.hash.size);
    pthread_mutex_lock(&d->lock);
    dir_names_remove(d, m.hash.bytes, m.hash.size, dir_now_ms());
    pthread_mutex_unlock(&d->lock);
    return 0;
}

static bool lookup_running(const struct directory *d, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; i < d->n_waits; i++)
        if (d->waits[i].len == len && memcmp(d->waits[i].hash, hash, len) == 0)
            return true;
    return false;
}

static int on_query(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    struct directory *d = arg;
    dir_query_t q = DIR_QUERY_INIT_ZERO;
    dir_addrs_t a = DIR_ADDRS_INIT_ZERO;
    uint64_t addrs[DIR_CACHE_ADDRS];
    uint64_t deadline, ticket;
    struct dir_wait *w;
    size_t n;
    bool started;
    int err;

    if (bus_request_decode(req, DIR_QUERY_FIELDS, &q) < 0 || hash_check(d, q.hash.size) < 0)
        return -EINVAL;
    n = dir_cache_get(d->cache, q.hash.bytes, q.hash.size, dir_now_ms(), addrs);
    if (n > 0) {
        for (size_t i = 0; i < n; i++)
            a.addrs[a.addrs_count++] = addrs[i];
        return bus_reply_encode(rep, DIR_ADDRS_FIELDS, &a) < 0 ? -EIO : 0;
    }
    pthread_mutex_lock(&d->lock);
    started = d->dht != NULL;
    pthread_mutex_unlock(&d->lock);
    if (!started)
        return -ENAME; /* no DHT yet: nobody is known */
    w = realloc(d->waits, (d->n_waits + 1) * sizeof(*w));
    if (w == NULL)
        return -ENOMEM;
    d->waits = w;
    ticket = bus_reply_defer(rep);
    if (ticket == 0)
        return -ENOMEM;
    deadline = deadline_after_ms(q.timeout_ms > 0 ? q.timeout_ms : DIR_QUERY_MS);
    if (req->deadline < deadline)
        deadline = req->deadline;
    /* A lookup of this hash already running answers this one too. */
    started = lookup_running(d, q.hash.bytes, q.hash.size);
    w = &d->waits[d->n_waits++];
    *w = (struct dir_wait){.ticket = ticket, .deadline = deadline, .len = q.hash.size};
    memcpy(w->hash, q.hash.bytes, q.hash.size);
    if (!started) {
        pthread_mutex_lock(&d->lock);
        err = dht_query(d->dht, q.hash.bytes, dir_now_ms(), dir_bus_on_answer, d);
        pthread_mutex_unlock(&d->lock);
        if (err < 0) /* busy: answered as not found, through the loop */
            dir_bus_on_answer(d, q.hash.bytes, err, NULL, 0);
    }
    return BUS_REPLY_DEFERRED;
}

int dir_bus_start(struct directory *d)
{
    struct bus_server *bus = service_bus(d->svc);
    zmq_pollitem_t item = {.events = ZMQ_POLLIN};

    assert(d && d->svc);
    d->cache = dir_cache_new(DIR_CACHE_SLOTS, DIR_CACHE_TTL);
    d->res_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (d->cache == NULL || d->res_fd < 0)
        return -ENOMEM;
    item.fd = d->res_fd;
    if (zloop_poller(service_loop(d->svc), &item, on_results, d) < 0 ||
        zloop_timer(service_loop(d->svc), DIR_TICK_MS, 0, on_wait_timer, d) < 0)
        return -ENOMEM;
    if (bus_server_add_method(bus, DIR_METHOD_DIR_REG, BUS_METHOD_DEDUP, on_reg, d) < 0 ||
        bus_server_add_method(bus, DIR_METHOD_DIR_UNREG, BUS_METHOD_DEDUP, on_unreg, d) < 0 ||
        bus_server_add_method(bus, DIR_METHOD_DIR_QUERY, BUS_METHOD_DEDUP, on_query, d) < 0)
        return -EINVAL;
    return 0;
}

void dir_bus_stop(struct directory *d)
{
    zmq_pollitem_t item = {.fd = d->res_fd, .events = ZMQ_POLLIN};

    assert(d);
    if (d->res_fd >= 0) {
        zloop_poller_end(service_loop(d->svc), &item);
        close(d->res_fd);
        d->res_fd = -1;
    }
    while (d->results != NULL) {
        struct dir_result *next = d->results->next;

        free(d->results);
        d->results = next;
    }
    free(d->waits);
    d->waits = NULL;
    d->n_waits = 0;
    dir_cache_destroy(&d->cache);
}
