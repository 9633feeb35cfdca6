/*
 * dht_lookup.h - one iterative Kademlia lookup (FIND_NODE or FIND_VALUE) as
 * a state machine: it says whom to ask next, is fed their answers and the
 * clock, and knows when it is done. It does no I/O.
 */
#ifndef OUROBUS_DHT_LOOKUP_H
#define OUROBUS_DHT_LOOKUP_H

#include "dht_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHT_LOOKUP_ALPHA_DEFAULT 3u /* requests in flight per lookup */
#define DHT_LOOKUP_ALPHA_MAX     10u
#define DHT_LOOKUP_SHORTLIST     64u /* candidates kept, closest first */

enum dht_lookup_kind {
    DHT_LOOKUP_NODE,  /* the k closest nodes to the key */
    DHT_LOOKUP_VALUE, /* the key's values (stops at the first answer with some) */
};

struct dht_lookup_stats {
    size_t sent;     /* requests asked for */
    size_t answered; /* responses taken */
    size_t failed;   /* requests that timed out */
    unsigned hops;   /* hops to the answer: to the node that gave the values,
                        or the farthest of the k closest that answered */
};

struct dht_lookup;

/* A lookup of key (id_len bytes) for the k closest nodes, alpha requests at
 * a time, a request unanswered for timeout (caller's time unit) failing.
 * Our own id self is never a candidate. NULL on bad arguments or memory. */
struct dht_lookup *dht_lookup_new(enum dht_lookup_kind kind, const uint8_t *key, size_t id_len,
                                  size_t k, size_t alpha, uint64_t timeout,
                                  const uint8_t *self);

/* Free *p and set it to NULL; accepts NULL. */
void dht_lookup_destroy(struct dht_lookup **p);

/* Add n starting contacts (one hop away): how many were new candidates. */
size_t dht_lookup_seed(struct dht_lookup *lk, const struct dht_contact *c, size_t n);

/* The next request to send at now: 1 with *to set (the request counts as in
 * flight), 0 when alpha are in flight or nobody is left to ask. */
int dht_lookup_next(struct dht_lookup *lk, uint64_t now, struct dht_contact *to);

/* The node from_id answered with contacts and (FIND_VALUE) values: 0, or
 * -ENOENT when it was never asked (the answer is ignored). */
int dht_lookup_response(struct dht_lookup *lk, const uint8_t *from_id,
                        const struct dht_contact *contacts, size_t n_contacts,
                        const struct dht_value *values, size_t n_values);

/* Requests in flight for timeout or longer at now fail; up to max of the
 * contacts that failed go to out. The number that failed. */
size_t dht_lookup_expire(struct dht_lookup *lk, uint64_t now, struct dht_contact *out,
                         size_t max);

/* Done: values found (FIND_VALUE), or the k closest candidates that have not
 * failed have all answered, or nobody is left to ask. */
bool dht_lookup_done(const struct dht_lookup *lk);

/* Up to max nodes that answered, closest to the key first: how many. */
size_t dht_lookup_closest(const struct dht_lookup *lk, struct dht_contact *out, size_t max);

/* Up to max distinct values found: how many. */
size_t dht_lookup_values(const struct dht_lookup *lk, struct dht_value *out, size_t max);

/* What the lookup has done so far. */
void dht_lookup_get_stats(const struct dht_lookup *lk, struct dht_lookup_stats *s);

/* The key looked up, and the kind of lookup. */
const uint8_t *dht_lookup_key(const struct dht_lookup *lk);
enum dht_lookup_kind dht_lookup_get_kind(const struct dht_lookup *lk);

#endif
