/*
 * dht.h - a node of the directory's Kademlia DHT, independent of transport
 * and clock: the caller hands it received messages and the time, and it
 * sends through a callback. Keys are name hashes, values addresses.
 */
#ifndef OUROBUS_DHT_H
#define OUROBUS_DHT_H

#include "dht_msg.h"

#include <stddef.h>
#include <stdint.h>

#define DHT_OPS_MAX 128u /* lookups in progress */

struct dht_params {
    size_t id_len;        /* bytes of ids and keys: the layer's hash length, 32 */
    size_t k;             /* bucket size and replication factor, 8 */
    size_t alpha;         /* parallel requests per lookup, 3 */
    size_t max_values;    /* addresses per key, 8 */
    uint32_t t_expire;    /* s a published value lives, 86400 */
    uint32_t t_refresh;   /* s before an idle bucket is refreshed, 900 */
    uint32_t t_replicate; /* s between pushes of held and own values, 900 */
    uint32_t t_response;  /* ms before a request counts as unanswered, 2000 */
};

struct dht_stats {
    uint64_t msgs_sent;
    uint64_t msgs_recv;
    uint64_t msgs_bad;      /* dropped: malformed, spoofed, or from ourselves */
    uint64_t lookups;       /* lookups finished (all kinds) */
    uint64_t queries;       /* dht_query calls answered from the network */
    uint64_t queries_local; /* ... answered from our own store */
    uint64_t queries_failed;
    uint64_t query_hops; /* sum over queries answered from the network */
    uint64_t query_hops_max;
    uint64_t timeouts; /* requests that went unanswered */
};

/* Send len bytes to the node at addr; the return value is not used. */
typedef int (*dht_send_fn)(void *ctx, uint64_t addr, const uint8_t *buf, size_t len);

/* The answer to a query of key: err 0 and n values, or a negative errno
 * (-ENOENT: no value found). */
typedef void (*dht_query_fn)(void *ctx, const uint8_t *key, int err, const struct dht_value *v,
                             size_t n);

struct dht;

/* The reference's defaults (above). */
void dht_params_default(struct dht_params *p);

/* A node with id my_id (p->id_len bytes) at my_addr (non-zero), sending
 * with send(ctx, ...). Its random numbers (cookies, refresh targets) are
 * seeded from its id and address. NULL on bad parameters or memory. */
struct dht *dht_new(const struct dht_params *p, const uint8_t *my_id, uint64_t my_addr,
                    dht_send_fn send, void *ctx);

/* Free *p and set it to NULL; accepts NULL. Pending queries are not called. */
void dht_destroy(struct dht **p);

/* Join through the node at addr (its id unknown): ask it for our own id,
 * then look our id up through what it says. Retried by dht_tick until an
 * answer comes. 0, -EINVAL for addr 0 or ours. */
int dht_bootstrap(struct dht *d, uint64_t addr, uint64_t now);

/* A message of len bytes from the node at from, at now (ms): 0, or
 * -EBADMSG when it was dropped. */
int dht_recv(struct dht *d, const uint8_t *buf, size_t len, uint64_t from, uint64_t now);

/* Run the timers at now (ms): request timeouts, expiry, republishing,
 * replication, bucket refresh. Call it at least every t_response / 2. */
void dht_tick(struct dht *d, uint64_t now);

/* Publish addr under key: kept here and stored at the k closest nodes,
 * republished until dht_unpublish. 0, -EBUSY (too many lookups), -ENOSPC,
 * -ENOMEM. */
int dht_publish(struct dht *d, const uint8_t *key, uint64_t addr, uint64_t now);

/* Withdraw every address we published under key: here, and for our own
 * address at the k closest nodes (REMOVE; copies of other addresses expire).
 * 0, -ENOENT if we published none, -EBUSY. */
int dht_unpublish(struct dht *d, const uint8_t *key, uint64_t now);

/* Find the addresses of key: from our store at once (cb runs before this
 * returns), else by a lookup whose end calls cb from dht_recv or dht_tick.
 * 0, or -EBUSY / -ENOMEM (cb not called). */
int dht_query(struct dht *d, const uint8_t *key, uint64_t now, dht_query_fn cb, void *cb_ctx);

/* Counters since dht_new. */
void dht_get_stats(const struct dht *d, struct dht_stats *s);

/* Contacts in the routing table; lookups in progress. */
size_t dht_contacts(const struct dht *d);
size_t dht_pending(const struct dht *d);

#endif
