/*
 * name_cache.c - the name hash -> MAC cache of the Ethernet shim: a small
 * array searched linearly (queries are rare), one mutex and one condition.
 */
#include "name_cache.h"

#include "eth_frame.h"
#include "hash.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct name_entry {
    uint8_t hash[HASH_MAX];
    uint8_t len;
    uint8_t mac[ETH_MAC_LEN];
    uint64_t expiry; /* ns */
    uint64_t stamp;  /* when put: the oldest is replaced first */
};

struct name_cache {
    pthread_mutex_t mtx;
    pthread_cond_t cond;
    struct name_entry *e;
    size_t n;
    size_t cap;
    uint64_t ttl;
};

struct name_cache *name_cache_new(size_t cap, uint64_t ttl_ns)
{
    struct name_cache *c;
    pthread_condattr_t ca;

    assert(cap > 0);
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->e = calloc(cap, sizeof(*c->e));
    if (c->e == NULL)
        goto fail_entries;
    if (pthread_condattr_init(&ca) != 0)
        goto fail_attr;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_cond_init(&c->cond, &ca) != 0)
        goto fail_cond;
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&c->mtx, NULL);
    c->cap = cap;
    c->ttl = ttl_ns;
    return c;
fail_cond:
    pthread_condattr_destroy(&ca);
fail_attr:
    free(c->e);
fail_entries:
    free(c);
    return NULL;
}

void name_cache_destroy(struct name_cache **p)
{
    struct name_cache *c;

    if (p == NULL || *p == NULL)
        return;
    c = *p;
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mtx);
    free(c->e);
    free(c);
    *p = NULL;
}

static struct name_entry *find(struct name_cache *c, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].len == len && memcmp(c->e[i].hash, hash, len) == 0)
            return &c->e[i];
    return NULL;
}

void name_cache_put(struct name_cache *c, const uint8_t *hash, size_t len, const uint8_t *mac,
                    uint64_t now)
{
    struct name_entry *e;

    assert(c && hash && mac && len > 0 && len <= HASH_MAX);
    pthread_mutex_lock(&c->mtx);
    e = find(c, hash, len);
    if (e == NULL && c->n < c->cap) {
        e = &c->e[c->n++];
    } else if (e == NULL) {
        e = &c->e[0];
        for (size_t i = 1; i < c->n; i++)
            if (c->e[i].stamp < e->stamp)
                e = &c->e[i];
    }
    memcpy(e->hash, hash, len);
    e->len = (uint8_t)len;
    memcpy(e->mac, mac, ETH_MAC_LEN);
    e->stamp = now;
    e->expiry = now + c->ttl;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mtx);
}

static bool lookup(struct name_cache *c, const uint8_t *hash, size_t len, uint64_t now,
                   uint8_t *mac)
{
    struct name_entry *e = find(c, hash, len);

    if (e == NULL || e->expiry <= now)
        return false;
    memcpy(mac, e->mac, ETH_MAC_LEN);
    return true;
}

int name_cache_get(struct name_cache *c, const uint8_t *hash, size_t len, uint64_t now,
                   uint8_t *mac)
{
    bool hit;

    assert(c && hash && mac);
    pthread_mutex_lock(&c->mtx);
    hit = lookup(c, hash, len, now, mac);
    pthread_mutex_unlock(&c->mtx);
    return hit ? 0 : -ENOENT;
}

static uint64_t mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int name_cache_wait(struct name_cache *c, const uint8_t *hash, size_t len, uint64_t deadline,
                    uint8_t *mac)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline / 1000000000ull),
                          .tv_nsec = (long)(deadline % 1000000000ull)};
    int err = -ETIMEDOUT;

    assert(c && hash && mac);
    pthread_mutex_lock(&c->mtx);
    for (;;) {
        if (lookup(c, hash, len, mono_now(), mac)) {
            err = 0;
            break;
        }
        if (pthread_cond_timedwait(&c->cond, &c->mtx, &ts) == ETIMEDOUT) {
            if (lookup(c, hash, len, mono_now(), mac))
                err = 0;
            break;
        }
    }
    pthread_mutex_unlock(&c->mtx);
    return err;
}

void name_cache_refresh(struct name_cache *c, const uint8_t *mac, uint64_t now)
{
    assert(c && mac);
    pthread_mutex_lock(&c->mtx);
    for (size_t i = 0; i < c->n; i++)
        if (memcmp(c->e[i].mac, mac, ETH_MAC_LEN) == 0 && c->e[i].expiry > now)
            c->e[i].expiry = now + c->ttl;
    pthread_mutex_unlock(&c->mtx);
}

void name_cache_drop(struct name_cache *c, const uint8_t *hash, size_t len)
{
    struct name_entry *e;

    assert(c && hash);
    pthread_mutex_lock(&c->mtx);
    e = find(c, hash, len);
    if (e != NULL)
        *e = c->e[--c->n];
    pthread_mutex_unlock(&c->mtx);
}

size_t name_cache_count(struct name_cache *c)
{
    size_t n;

    pthread_mutex_lock(&c->mtx);
    n = c->n;
    pthread_mutex_unlock(&c->mtx);
    return n;
}
