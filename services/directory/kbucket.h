/*
 * kbucket.h - the DHT's routing table: contacts in k-buckets by the length
 * of the prefix their id shares with ours (XOR distance over the whole id),
 * least recently seen first, with a waiting candidate when a bucket is full.
 */
#ifndef OUROBUS_KBUCKET_H
#define OUROBUS_KBUCKET_H

#include "dht_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KBUCKET_K_DEFAULT 8u /* contacts per bucket */
#define KBUCKET_K_MAX     20u
#define KBUCKET_MAX_FAILS 2u /* unanswered requests before a lone contact goes */

enum kbucket_seen_result {
    KBUCKET_ADDED = 0,     /* a new contact */
    KBUCKET_REFRESHED = 1, /* known: now the most recently seen */
    KBUCKET_FULL = 2,      /* bucket full: the contact waits; ping the one returned */
    KBUCKET_SELF = 3,      /* our own id: ignored */
};

struct kbucket;

/* A table for ids of id_len bytes (16..64), k (1..20) contacts per bucket,
 * around our own id self. NULL on bad arguments or no memory. */
struct kbucket *kbucket_new(size_t id_len, size_t k, const uint8_t *self);

/* Free *p and set it to NULL; accepts NULL. */
void kbucket_destroy(struct kbucket **p);

/* Compare the XOR distances of ids a and b to target: < 0 if a is closer,
 * 0 if equal, > 0 if b is closer. */
int kbucket_cmp(const uint8_t *a, const uint8_t *b, const uint8_t *target, size_t len);

/* The bucket of id: the number of leading bits it shares with ours, or -1
 * for our own id. */
int kbucket_index(const struct kbucket *kb, const uint8_t *id);

/* We heard from c at now: add it, or move it to the tail of its bucket (its
 * address may have changed). When its bucket is full, c becomes the bucket's
 * candidate and *ping gets the least recently seen contact, which the caller
 * should ping: kbucket_seen on an answer, kbucket_failed on a timeout. */
enum kbucket_seen_result kbucket_seen(struct kbucket *kb, const struct dht_contact *c,
                                      uint64_t now, struct dht_contact *ping);

/* The contact with this id did not answer a request. It goes when its bucket
 * has a candidate (which takes its place) or after KBUCKET_MAX_FAILS misses:
 * 1 if removed, 0 if kept, -ENOENT if unknown. */
int kbucket_failed(struct kbucket *kb, const uint8_t *id);

/* Remove the contact with this id: 0 or -ENOENT. */
int kbucket_remove(struct kbucket *kb, const uint8_t *id);

/* Whether the table holds id. */
bool kbucket_contains(const struct kbucket *kb, const uint8_t *id);

/* Up to n contacts closest to target, closest first: how many. */
size_t kbucket_closest(const struct kbucket *kb, const uint8_t *target, size_t n,
                       struct dht_contact *out);

/* Contacts in the table. */
size_t kbucket_count(const struct kbucket *kb);

/* A lookup for target ran at now: its bucket needs no refresh for a while. */
void kbucket_touch(struct kbucket *kb, const uint8_t *target, uint64_t now);

/* A non-empty bucket not touched for period (same unit as now), or one
 * kbucket_refresh_all made due: its index,
 * with *target an id in its range (our prefix, the bucket's bit flipped, the
 * rest from rnd, id_len bytes); the bucket counts as touched. -ENOENT if
 * none is due. */
int kbucket_refresh_due(struct kbucket *kb, uint64_t now, uint64_t period, const uint8_t *rnd,
                        uint8_t *target);

/* We just joined: every bucket farther than our closest contact, empty or
 * not, is due for refresh at once (the lookups make us known there). */
void kbucket_refresh_all(struct kbucket *kb);

#endif
