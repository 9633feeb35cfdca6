/*
 * dir_net.c - the directory's net thread: attach to routing's management
 * rings, create the DHT once routing has an address, feed it what arrives
 * and its ticks, and publish the names routing says are registered (at the
 * start and whenever routing restarted).
 */
#include "directory.h"

#include "bus_client.h"
#include "deadline.h"
#include "log.h"
#include "routing.pb.h"
#include "run_folder.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define ATTACH_MS      500  /* between attempts to attach, and to learn the address */
#define NAMES_RETRY_MS 3000 /* routing did not answer NAMES (yet) */
#define NAMES_PROBE_MS 5000 /* a NAMES call to see whether routing restarted */
#define NAMES_CALL_MS  500

/* The net thread's own: its bus client to routing, and when to call it. */
struct net {
    struct directory *d;
    struct bus_client *routing;
    bool names_due;      /* publish what NAMES gives */
    uint64_t names_next; /* ms */
};

/* Wait ms, or less if the daemon stops. */
static void pause_ms(struct directory *d, int ms)
{
    uint64_t end = deadline_after_ms(ms);

    while (!atomic_load(&d->stop) && now_ns() < end) {
        struct timespec ts = {0, 50 * 1000000L};

        nanosleep(&ts, NULL);
    }
}

static int on_send(void *ctx, uint64_t addr, const uint8_t *buf, size_t len)
{
    struct directory *d = ctx;
    int err = mgmt_link_send(&d->link, addr, buf, len);

    if (err < 0)
        d->send_fails++; /* under lock: every send is inside a DHT call */
    return err;
}

/* Attach to routing's rings of EID_DIR and wait for its address: 0, or -1
 * when the daemon stops first. */
static int attach(struct directory *d)
{
    bool said = false;
    int err;

    for (;;) {
        err = mgmt_link_attach(&d->link, d->node, d->ipcp, EID_DIR, "directory", ATTACH_MS);
        if (err == 0)
            break;
        if (!said) {
            log_info("waiting for routing.%s: %s", d->ipcp, strerror(-err));
            said = true;
        }
        pause_ms(d, ATTACH_MS);
        if (atomic_load(&d->stop))
            return -1;
    }
    log_info("attached to routing's management rings (endpoint id %u)", EID_DIR);
    said = false;
    while (d->link.self == 0 || d->link.hash_len == 0) {
        if (!said) {
            log_info("waiting for the IPCP's bootstrap (no address yet)");
            said = true;
        }
        pause_ms(d, ATTACH_MS);
        if (atomic_load(&d->stop))
            return -1;
        err = mgmt_link_refresh(&d->link, d->node, d->ipcp, "directory", ATTACH_MS);
        if (err < 0)
            log_dbg("routing did not answer: %s", strerror(-err));
    }
    return 0;
}

/* The DHT, at our address with a random id: 0 or -errno. */
static int dht_create(struct directory *d)
{
    uint8_t id[DHT_ID_MAX];
    struct dht_params p;
    struct dht *dht;
    char hex[9];

    if (d->link.hash_len < DHT_ID_MIN || d->link.hash_len > DHT_ID_MAX) {
        log_err("the layer's %" PRIu32 "-byte hashes cannot key the DHT (%u..%u)",
                d->link.hash_len, DHT_ID_MIN, DHT_ID_MAX);
        return -EINVAL;
    }
    dht_params_default(&p);
    p.id_len = d->link.hash_len;
    if (getrandom(id, p.id_len, 0) != (ssize_t)p.id_len) {
        log_err("no random node id: %s", strerror(errno));
        return -EIO;
    }
    dht = dht_new(&p, id, d->link.self, on_send, d);
    if (dht == NULL) {
        log_err("cannot create the DHT node");
        return -ENOMEM;
    }
    pthread_mutex_lock(&d->lock);
    d->self = d->link.self;
    d->hash_len = p.id_len;
    d->dht = dht;
    dir_names_publish(d, dir_now_ms());
    pthread_mutex_unlock(&d->lock);
    log_info("DHT node %s at address %" PRIu64 " (%zu-byte ids)",
             dir_hash_str(id, p.id_len, hex), d->self, p.id_len);
    return 0;
}

static void on_routing_epoch(void *arg, uint64_t old_epoch, uint64_t new_epoch)
{
    struct net *n = arg;

    (void)old_epoch;
    (void)new_epoch;
    log_info("routing restarted: asking it for its names again");
    n->names_due = true;
}

/* Ask routing for the names registered in the IPCP; publish them when they
 * are due (first time, routing restarted). */
static void names_ask(struct net *n, uint64_t now)
{
    struct directory *d = n->d;
    routing_names_t *rep;
    uint8_t *buf;
    size_t len = 0;
    bool due = n->names_due;
    int err;

    buf = malloc(BUS_BODY_MAX);
    rep = calloc(1, sizeof(*rep));
    if (buf == NULL || rep == NULL) {
        free(buf);
        free(rep);
        n->names_next = now + NAMES_RETRY_MS;
        return;
    }
    err = bus_client_call(n->routing, ROUTING_METHOD_NAMES, NULL, 0, buf, BUS_BODY_MAX, &len,
                          NAMES_CALL_MS);
    if (err >= 0) {
        struct bus_part body = {buf, len};

        if (len > 0 && bus_body_decode(&body, ROUTING_NAMES_FIELDS, rep) < 0)
            err = -EBADMSG;
    }
    /* The epoch callback ran inside the call: due again. */
    due = due || n->names_due;
    if (err < 0) {
        /* Routing may not serve NAMES yet: no names, ask again later. */
        if (due)
            log_dbg("routing's NAMES: %s", strerror(err < -999 ? EIO : -err));
        n->names_next = dir_now_ms() + NAMES_RETRY_MS;
        free(buf);
        free(rep);
        return;
    }
    n->names_next = dir_now_ms() + NAMES_PROBE_MS;
    if (due) {
        n->names_due = false;
        if (rep->hashes_count > 0)
            log_info("routing lists %u registered names", (unsigned)rep->hashes_count);
        pthread_mutex_lock(&d->lock);
        for (pb_size_t i = 0; i < rep->hashes_count; i++) {
            if (rep->hashes[i].size >= DHT_ID_MIN)
                (void)dir_names_add(d, rep->hashes[i].bytes, rep->hashes[i].size, dir_now_ms());
        }
        pthread_mutex_unlock(&d->lock);
    }
    free(buf);
    free(rep);
}

static struct bus_client *routing_client(struct directory *d)
{
    char ep[RUN_PATH_MAX + 128], file[300], ident[96];
    struct run_folder rf;

    snprintf(file, sizeof(file), "routing.%s.ctl", d->ipcp);
    if (run_folder_for_client(&rf, d->node) < 0 ||
        run_folder_endpoint(&rf, file, ep, sizeof(ep)) < 0)
        return NULL;
    snprintf(ident, sizeof(ident), "directory.%s.%d", d->ipcp, (int)getpid());
    return bus_client_new(ep, ident);
}

/* The sender's address of a DHT message (docs/directory.md: bytes 12..19),
 * which dht_recv checks against the whole message; 0 if too short. */
static uint64_t msg_sender(const uint8_t *buf, size_t len)
{
    return len >= DHT_MSG_HDR ? wire_get64(buf + 12) : 0;
}

static void *net_main(void *arg)
{
    struct directory *d = arg;
    struct net n = {.d = d, .names_due = true};
    uint8_t *buf = malloc(DHT_MSG_MAX);
    uint64_t next_tick;

    if (buf == NULL) {
        log_err("net thread: out of memory");
        return NULL;
    }
    if (attach(d) < 0 || dht_create(d) < 0)
        goto out;
    n.routing = routing_client(d);
    if (n.routing == NULL)
        log_warn("no bus client to routing: names are not asked for");
    else
        bus_client_on_epoch(n.routing, on_routing_epoch, &n);
    next_tick = dir_now_ms() + DIR_TICK_MS;
    while (!atomic_load(&d->stop)) {
        uint64_t now = dir_now_ms();
        size_t len;
        int err;

        if (n.routing != NULL && now >= n.names_next) {
            names_ask(&n, now);
            continue;
        }
        if (now >= next_tick) {
            pthread_mutex_lock(&d->lock);
            dht_tick(d->dht, now);
            pthread_mutex_unlock(&d->lock);
            next_tick = now + DIR_TICK_MS;
            continue;
        }
        err = mgmt_link_recv(&d->link, buf, DHT_MSG_MAX, &len,
                             now_ns() + (next_tick - now) * 1000000ull);
        if (err < 0 || len > DHT_MSG_MAX)
            continue; /* nothing, or longer than any DHT message: dropped */
        pthread_mutex_lock(&d->lock);
        (void)dht_recv(d->dht, buf, len, msg_sender(buf, len), dir_now_ms());
        pthread_mutex_unlock(&d->lock);
    }
out:
    bus_client_destroy(&n.routing);
    free(buf);
    return NULL;
}

int dir_net_start(struct directory *d)
{
    int err;

    assert(d && !d->net_started);
    err = pthread_create(&d->net, NULL, net_main, d);

    if (err != 0) {
        log_err("cannot start the net thread: %s", strerror(err));
        return -err;
    }
    d->net_started = true;
    return 0;
}

void dir_net_stop(struct directory *d)
{
    assert(d);
    atomic_store(&d->stop, true);
    if (d->net_started)
        pthread_join(d->net, NULL);
    d->net_started = false;
}
