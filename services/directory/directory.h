/*
 * directory.h - the daemon ourobus-directory: its state, shared by its
 * modules (main.c, dir_net.c, dir_names.c, dir_bus.c, dir_join.c).
 *
 * Threads: the service's loop (bus methods, query answers, the routes
 * file, stats) and the net thread (attach to routing's management rings,
 * receive DHT messages, tick the DHT, ask routing for its names). The DHT
 * is not thread-safe: every call into it holds lock.
 */
#ifndef OUROBUS_DIRECTORY_H
#define OUROBUS_DIRECTORY_H

#include "dht.h"
#include "dir_cache.h"
#include "mgmt_link.h"
#include "service.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define EID_DIR         2u /* docs/unicast.md */
#define DIR_TICK_MS     100
#define DIR_CACHE_TTL   10000 /* ms a query's answer is kept */
#define DIR_CACHE_SLOTS 64
#define DIR_QUERY_MS    5000 /* a query that gives no timeout */
#define DIR_JOIN_MAX    512  /* addresses remembered from the routes file */

/* A name hash registered here, published once the DHT exists. */
struct dir_name_entry {
    size_t len;
    uint8_t hash[DHT_ID_MAX];
    bool published;
    bool withdraw; /* unregistered; dht_unpublish was refused (busy) */
};

/* A query's answer, from the DHT's callback to the loop. */
struct dir_result {
    struct dir_result *next;
    size_t len;
    uint8_t hash[DHT_ID_MAX];
    int err;
    size_t n;
    uint64_t addrs[DIR_CACHE_ADDRS];
};

/* A deferred DIR_QUERY waiting for its answer (loop thread only). */
struct dir_wait {
    uint64_t ticket;
    uint64_t deadline; /* ns, now_ns() clock */
    size_t len;
    uint8_t hash[DHT_ID_MAX];
};

/* An address of the routes file we may join the DHT through. */
struct dir_join_addr {
    uint64_t addr;
    bool nbr;
    uint64_t tried; /* ms of the last dht_bootstrap through it, 0 never */
};

struct directory {
    const char *ipcp;
    const char *node;
    struct service *svc;

    pthread_mutex_t lock; /* dht, names, self, hash_len */
    struct dht *dht;      /* NULL until attached to a bootstrapped routing */
    uint64_t self;
    size_t hash_len;
    struct dir_name_entry *names;
    size_t n_names;

    struct mgmt_link link; /* the net thread's, and sends under lock */
    pthread_t net;
    bool net_started;
    atomic_bool stop;
    uint64_t send_fails;

    pthread_mutex_t res_lock; /* results */
    struct dir_result *results;
    int res_fd; /* eventfd: results are waiting */

    /* The loop thread's alone. */
    struct dir_cache *cache;
    struct dir_wait *waits;
    size_t n_waits;
    uint64_t lookups_failed;
    char routes_path[RUN_PATH_MAX + 64];
    struct timespec routes_mtime;
    off_t routes_size;
    struct dir_join_addr join[DIR_JOIN_MAX];
    size_t n_join;
    size_t contacts_logged;
    size_t contacts_published; /* contacts when the names were last published */
    unsigned ticks;
};

/* Milliseconds of the monotonic clock: the DHT's now. */
uint64_t dir_now_ms(void);

/* "1a2b3c4d" for a log line: the first 4 bytes of hash in hex. */
const char *dir_hash_str(const uint8_t *hash, size_t len, char *buf);

/* dir_net.c: start and stop the net thread. */
int dir_net_start(struct directory *d);
void dir_net_stop(struct directory *d);

/* dir_names.c, with lock held: add hash to the names registered here and
 * publish it if the DHT exists; withdraw one; publish the ones not
 * published yet (after the DHT came, or a refused publish). */
int dir_names_add(struct directory *d, const uint8_t *hash, size_t len, uint64_t now);
void dir_names_remove(struct directory *d, const uint8_t *hash, size_t len, uint64_t now);
void dir_names_publish(struct directory *d, uint64_t now);

/* dir_bus.c: serve DIR_REG, DIR_UNREG and DIR_QUERY on the service's bus
 * and answer deferred queries from the loop; free what is left. */
int dir_bus_start(struct directory *d);
void dir_bus_stop(struct directory *d);

/* dir_bus.c: the DHT's query callback (any thread): post the answer. */
void dir_bus_on_answer(void *ctx, const uint8_t *key, int err, const struct dht_value *v,
                       size_t n);

/* dir_join.c: a 1 s timer of the loop: read the routes file when it
 * changed, join the DHT through its addresses, log contacts and stats. */
int dir_join_start(struct directory *d);

#endif
