/*
 * name_cache.h - what the shim learnt from name queries: name hash -> the MAC
 * address of the host that registered it, with an expiry. Thread-safe: the
 * query threads wait here for the replies the main loop puts.
 */
#ifndef OUROBUS_NAME_CACHE_H
#define OUROBUS_NAME_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct name_cache;

/* A cache of at most cap names (the oldest goes first), each valid ttl_ns
 * after it was put or refreshed. NULL on failure. */
struct name_cache *name_cache_new(size_t cap, uint64_t ttl_ns);

/* Free it; NULLs *p, accepts NULL. */
void name_cache_destroy(struct name_cache **p);

/* Record (or renew) hash -> mac at time now (CLOCK_MONOTONIC ns) and wake
 * the waiters. */
void name_cache_put(struct name_cache *c, const uint8_t *hash, size_t len, const uint8_t *mac,
                    uint64_t now);

/* The MAC of hash if known and not expired at now: 0, else -ENOENT. */
int name_cache_get(struct name_cache *c, const uint8_t *hash, size_t len, uint64_t now,
                   uint8_t *mac);

/* name_cache_get, waiting for a put until deadline (CLOCK_MONOTONIC ns):
 * 0 or -ETIMEDOUT. */
int name_cache_wait(struct name_cache *c, const uint8_t *hash, size_t len, uint64_t deadline,
                    uint8_t *mac);

/* The host at mac was heard from (e.g. a flow request): renew its names. */
void name_cache_refresh(struct name_cache *c, const uint8_t *mac, uint64_t now);

/* Forget hash (its host no longer answers for it). */
void name_cache_drop(struct name_cache *c, const uint8_t *hash, size_t len);

/* Names held, expired ones included until they are replaced. */
size_t name_cache_count(struct name_cache *c);

#endif
