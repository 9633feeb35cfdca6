/*
 * dir_cache.c - name look-ups remembered, with expiry: a small table
 * searched linearly (a few hundred names at most per IPCP), least recently
 * used out first.
 */
#include "dir_cache.h"

#include "udp_msg.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    uint8_t hash[UDP_HASH_MAX];
    size_t len; /* 0: free */
    bool found;
    struct udp_addr addr;
    uint64_t expires_ns;
    uint64_t used; /* the cache's clock at the last use */
};

struct dir_cache {
    pthread_mutex_t lock;
    struct entry *e;
    size_t cap;
    uint64_t clock;
};

struct dir_cache *dir_cache_new(size_t cap)
{
    struct dir_cache *c = calloc(1, sizeof(*c));

    if (c == NULL || cap == 0)
        goto fail;
    c->e = calloc(cap, sizeof(*c->e));
    if (c->e == NULL)
        goto fail;
    c->cap = cap;
    pthread_mutex_init(&c->lock, NULL);
    return c;
fail:
    free(c);
    return NULL;
}

void dir_cache_destroy(struct dir_cache **p)
{
    if (p == NULL || *p == NULL)
        return;
    pthread_mutex_destroy(&(*p)->lock);
    free((*p)->e);
    free(*p);
    *p = NULL;
}

static struct entry *find(struct dir_cache *c, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->e[i].len == len && memcmp(c->e[i].hash, hash, len) == 0)
            return &c->e[i];
    return NULL;
}

int dir_cache_get(struct dir_cache *c, const uint8_t *hash, size_t len, uint64_t now_ns,
                  struct udp_addr *out)
{
    struct entry *e;
    int r = -ENOENT;

    if (len == 0 || len > UDP_HASH_MAX)
        return -ENOENT;
    pthread_mutex_lock(&c->lock);
    e = find(c, hash, len);
    if (e != NULL && e->expires_ns > now_ns) {
        e->used = ++c->clock;
        r = e->found ? 0 : -ENAME;
        if (e->found && out != NULL)
            *out = e->addr;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

void dir_cache_put(struct dir_cache *c, const uint8_t *hash, size_t len,
                   const struct udp_addr *addr, uint64_t expires_ns)
{
    struct entry *e;

    if (len == 0 || len > UDP_HASH_MAX)
        return;
    pthread_mutex_lock(&c->lock);
    e = find(c, hash, len);
    if (e == NULL) {
        e = &c->e[0];
        for (size_t i = 0; i < c->cap && e->len != 0; i++)
            if (c->e[i].len == 0 || c->e[i].used < e->used)
                e = &c->e[i];
    }
    memcpy(e->hash, hash, len);
    e->len = len;
    e->found = addr != NULL;
    if (addr != NULL)
        e->addr = *addr;
    else
        memset(&e->addr, 0, sizeof(e->addr));
    e->expires_ns = expires_ns;
    e->used = ++c->clock;
    pthread_mutex_unlock(&c->lock);
}

void dir_cache_forget(struct dir_cache *c, const uint8_t *hash, size_t len)
{
    struct entry *e;

    pthread_mutex_lock(&c->lock);
    e = find(c, hash, len);
    if (e != NULL)
        memset(e, 0, sizeof(*e));
    pthread_mutex_unlock(&c->lock);
}

size_t dir_cache_count(struct dir_cache *c)
{
    size_t n = 0;

    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->cap; i++)
        n += c->e[i].len != 0;
    pthread_mutex_unlock(&c->lock);
    return n;
}
