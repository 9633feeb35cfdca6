/*
 * dht_store.h - the values this node holds: key -> addresses, each with an
 * expiry time and whether we published it. Removed values stay a while as
 * tombstones so that a late replica cannot bring them back. Times are in
 * the caller's unit (milliseconds in the directory); it passes "now".
 */
#ifndef OUROBUS_DHT_STORE_H
#define OUROBUS_DHT_STORE_H

#include "dht_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHT_STORE_VALUES_DEFAULT 8u /* addresses per key */

struct dht_store;

/* A value as the store keeps it. */
struct dht_stored {
    uint64_t addr;
    uint64_t expire; /* when it goes */
    uint64_t due;    /* when it is next republished (ours) or replicated */
    bool mine;       /* we published it */
    bool removed;    /* a tombstone until expire */
};

/* Called per key with its live values (n > 0). */
typedef void (*dht_store_fn)(void *ctx, const uint8_t *key, const struct dht_stored *v,
                             size_t n);

/* A store for keys of id_len bytes (16..64), at most max_values (1..16)
 * addresses per key. NULL on bad arguments or no memory. */
struct dht_store *dht_store_new(size_t id_len, size_t max_values);

/* Free *p and set it to NULL; accepts NULL. */
void dht_store_destroy(struct dht_store **p);

/* Keep addr under key until expire, next pushed at due. A value we publish
 * (mine) replaces a tombstone; another node's copy does not. 0, -EEXIST
 * when a tombstone refused it, -ENOSPC when the key holds max_values other
 * addresses, -ENOMEM. */
int dht_store_put(struct dht_store *st, const uint8_t *key, uint64_t addr, uint64_t expire,
                  uint64_t due, bool mine);

/* Up to max live values of key, in the order they came: how many. */
size_t dht_store_get(const struct dht_store *st, const uint8_t *key, uint64_t now,
                     struct dht_stored *out, size_t max);

/* addr no longer serves key: its value (or a new entry, when the store did
 * not hold it) becomes a tombstone until until, which refuses copies of
 * it. 0 if a live value went, 1 if only a tombstone was set, -ENOSPC when
 * the key is full, -ENOMEM. */
int dht_store_remove(struct dht_store *st, const uint8_t *key, uint64_t addr, uint64_t until);

/* Drop values and tombstones whose expiry is at or before now, and keys left
 * empty: how many values went. */
size_t dht_store_expire(struct dht_store *st, uint64_t now);

/* Per key, our values whose republish is due at now: calls fn with them and
 * moves their due time by period. The number of values passed. */
size_t dht_store_republish(struct dht_store *st, uint64_t now, uint64_t period, dht_store_fn fn,
                           void *ctx);

/* The same for the values of other nodes that are due to be replicated to
 * the key's closest nodes. */
size_t dht_store_replicate(struct dht_store *st, uint64_t now, uint64_t period, dht_store_fn fn,
                           void *ctx);

/* Keys held (with at least one value or tombstone). */
size_t dht_store_keys(const struct dht_store *st);

#endif
