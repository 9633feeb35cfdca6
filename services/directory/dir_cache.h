/*
 * dir_cache.h - the answers of recent queries (name hash -> addresses) for
 * a short time, so that a lookup repeated right after (the flow allocator
 * resolving the name the IRM daemon just queried) is answered at once.
 */
#ifndef OUROBUS_DIR_CACHE_H
#define OUROBUS_DIR_CACHE_H

#include "dht_msg.h"

#include <stddef.h>
#include <stdint.h>

#define DIR_CACHE_ADDRS 8 /* addresses kept per hash (dir_addrs carries 8) */

struct dir_cache;

/* A cache of at most cap hashes, each kept ttl_ms. NULL on bad arguments
 * (cap 0, ttl 0) or memory. */
struct dir_cache *dir_cache_new(size_t cap, uint64_t ttl_ms);

/* Free *p and set it to NULL; accepts NULL. */
void dir_cache_destroy(struct dir_cache **p);

/* Keep the first DIR_CACHE_ADDRS of n addresses of hash (len bytes,
 * DHT_ID_MIN..DHT_ID_MAX) from now (ms), replacing what was kept for it;
 * when full, the entry closest to its end goes. n 0 drops the hash. */
void dir_cache_put(struct dir_cache *c, const uint8_t *hash, size_t len, const uint64_t *addrs,
                   size_t n, uint64_t now);

/* The addresses kept for hash at now into addrs (DIR_CACHE_ADDRS): how
 * many, 0 if none or expired. */
size_t dir_cache_get(struct dir_cache *c, const uint8_t *hash, size_t len, uint64_t now,
                     uint64_t *addrs);

/* Forget hash (it was unregistered here). */
void dir_cache_drop(struct dir_cache *c, const uint8_t *hash, size_t len);

/* Hashes kept and not expired at now. */
size_t dir_cache_count(const struct dir_cache *c, uint64_t now);

#endif
