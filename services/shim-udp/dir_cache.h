/*
 * dir_cache.h - the UDP shim's memory of name look-ups: a name hash to the
 * address its IPCP listens on (a positive answer) or to "no such name" (a
 * negative one), each until it expires. Thread-safe (one mutex: look-ups
 * are control traffic); the least recently used entry makes room.
 */
#ifndef OUROBUS_DIR_CACHE_H
#define OUROBUS_DIR_CACHE_H

#include "udp_addr.h"

#include <stddef.h>
#include <stdint.h>

struct dir_cache;

/* A cache of at most cap entries. NULL on failure. */
struct dir_cache *dir_cache_new(size_t cap);

void dir_cache_destroy(struct dir_cache **p);

/* Look hash up at time now_ns (CLOCK_MONOTONIC): 0 and *out (positive),
 * -ENAME (known not to exist), -ENOENT (not cached, or expired). */
int dir_cache_get(struct dir_cache *c, const uint8_t *hash, size_t len, uint64_t now_ns,
                  struct udp_addr *out);

/* Remember an answer until expires_ns: addr, or NULL for "no such name". */
void dir_cache_put(struct dir_cache *c, const uint8_t *hash, size_t len,
                   const struct udp_addr *addr, uint64_t expires_ns);

/* Forget hash (e.g. its peer stopped answering). */
void dir_cache_forget(struct dir_cache *c, const uint8_t *hash, size_t len);

/* Entries held now (expired ones included until replaced). */
size_t dir_cache_count(struct dir_cache *c);

#endif
