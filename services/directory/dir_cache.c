/*
 * dir_cache.c - a small array of recent query answers, searched linearly
 * (a few dozen entries).
 */
#include "dir_cache.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct dir_cache_entry {
    uint64_t expire; /* 0: a free slot */
    size_t len;
    uint8_t hash[DHT_ID_MAX];
    size_t n;
    uint64_t addrs[DIR_CACHE_ADDRS];
};

struct dir_cache {
    size_t cap;
    uint64_t ttl;
    struct dir_cache_entry *e;
};

struct dir_cache *dir_cache_new(size_t cap, uint64_t ttl_ms)
{
    struct dir_cache *c;

    if (cap == 0 || ttl_ms == 0)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->e = calloc(cap, sizeof(*c->e));
    if (c->e == NULL) {
        free(c);
        return NULL;
    }
    c->cap = cap;
    c->ttl = ttl_ms;
    return c;
}

void dir_cache_destroy(struct dir_cache **p)
{
    assert(p);
    if (*p == NULL)
        return;
    free((*p)->e);
    free(*p);
    *p = NULL;
}

static struct dir_cache_entry *find(struct dir_cache *c, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; i < c->cap; i++) {
        struct dir_cache_entry *e = &c->e[i];

        if (e->expire != 0 && e->len == len && memcmp(e->hash, hash, len) == 0)
            return e;
    }
    return NULL;
}

void dir_cache_put(struct dir_cache *c, const uint8_t *hash, size_t len, const uint64_t *addrs,
                   size_t n, uint64_t now)
{
    struct dir_cache_entry *e;

    assert(c && hash && (addrs || n == 0));
    if (len < DHT_ID_MIN || len > DHT_ID_MAX)
        return;
    if (n == 0) {
        dir_cache_drop(c, hash, len);
        return;
    }
    e = find(c, hash, len);
    for (size_t i = 0; e == NULL && i < c->cap; i++)
        if (c->e[i].expire <= now)
            e = &c->e[i]; /* free or expired */
    if (e == NULL) {
        e = &c->e[0];
        for (size_t i = 1; i < c->cap; i++)
            if (c->e[i].expire < e->expire)
                e = &c->e[i];
    }
    e->expire = now + c->ttl;
    if (e->expire == 0)
        e->expire = 1;
    e->len = len;
    memcpy(e->hash, hash, len);
    e->n = n < DIR_CACHE_ADDRS ? n : DIR_CACHE_ADDRS;
    memcpy(e->addrs, addrs, e->n * sizeof(*addrs));
}

size_t dir_cache_get(struct dir_cache *c, const uint8_t *hash, size_t len, uint64_t now,
                     uint64_t *addrs)
{
    struct dir_cache_entry *e;

    assert(c && hash && addrs);
    if (len < DHT_ID_MIN || len > DHT_ID_MAX)
        return 0;
    e = find(c, hash, len);
    if (e == NULL)
        return 0;
    if (e->expire <= now) {
        e->expire = 0;
        return 0;
    }
    memcpy(addrs, e->addrs, e->n * sizeof(*addrs));
    return e->n;
}

void dir_cache_drop(struct dir_cache *c, const uint8_t *hash, size_t len)
{
    struct dir_cache_entry *e;

    assert(c && hash);
    if (len < DHT_ID_MIN || len > DHT_ID_MAX)
        return;
    e = find(c, hash, len);
    if (e != NULL)
        e->expire = 0;
}

size_t dir_cache_count(const struct dir_cache *c, uint64_t now)
{
    size_t n = 0;

    assert(c);
    for (size_t i = 0; i < c->cap; i++)
        if (c->e[i].expire > now)
            n++;
    return n;
}
