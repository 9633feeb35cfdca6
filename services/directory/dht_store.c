/*
 * dht_store.c - the value store: a chained hash table on the key's first
 * bytes (keys are hashes already), a short array of values per key.
 */
#include "dht_store.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024u

struct entry {
    struct entry *next;
    uint8_t key[DHT_ID_MAX];
    size_t n;
    struct dht_stored v[DHT_MSG_MAX_VALUES];
};

struct dht_store {
    size_t id_len;
    size_t max_values;
    size_t n_keys;
    struct entry *slot[SLOTS];
};

static size_t slot_of(const uint8_t *key)
{
    return ((size_t)key[0] << 8 | key[1]) % SLOTS;
}

struct dht_store *dht_store_new(size_t id_len, size_t max_values)
{
    struct dht_store *st;

    if (id_len < DHT_ID_MIN || id_len > DHT_ID_MAX || max_values == 0 ||
        max_values > DHT_MSG_MAX_VALUES)
        return NULL;
    st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->id_len = id_len;
    st->max_values = max_values;
    return st;
}

void dht_store_destroy(struct dht_store **p)
{
    struct dht_store *st;

    assert(p);
    st = *p;
    if (st == NULL)
        return;
    for (size_t i = 0; i < SLOTS; i++) {
        struct entry *e = st->slot[i];

        while (e != NULL) {
            struct entry *next = e->next;

            free(e);
            e = next;
        }
    }
    free(st);
    *p = NULL;
}

static struct entry *find(const struct dht_store *st, const uint8_t *key)
{
    for (struct entry *e = st->slot[slot_of(key)]; e != NULL; e = e->next) {
        if (memcmp(e->key, key, st->id_len) == 0)
            return e;
    }
    return NULL;
}

static struct dht_stored *find_value(struct entry *e, uint64_t addr)
{
    for (size_t i = 0; i < e->n; i++) {
        if (e->v[i].addr == addr)
            return &e->v[i];
    }
    return NULL;
}

int dht_store_put(struct dht_store *st, const uint8_t *key, uint64_t addr, uint64_t expire,
                  uint64_t due, bool mine)
{
    struct entry *e;
    struct dht_stored *v;

    assert(st && key);
    e = find(st, key);
    if (e == NULL) {
        e = calloc(1, sizeof(*e));
        if (e == NULL)
            return -ENOMEM;
        memcpy(e->key, key, st->id_len);
        e->next = st->slot[slot_of(key)];
        st->slot[slot_of(key)] = e;
        st->n_keys++;
    }
    v = find_value(e, addr);
    if (v == NULL) {
        if (e->n >= st->max_values)
            return -ENOSPC;
        e->v[e->n++] =
            (struct dht_stored){.addr = addr, .expire = expire, .due = due, .mine = mine};
        return 0;
    }
    if (v->removed) {
        if (!mine)
            return -EEXIST;
        *v = (struct dht_stored){.addr = addr, .expire = expire, .due = due, .mine = true};
        return 0;
    }
    if (expire > v->expire || mine)
        v->expire = expire;
    /* A copy of our own value coming back leaves it ours and its timer alone. */
    if (mine || !v->mine)
        v->due = due;
    v->mine = v->mine || mine;
    return 0;
}

size_t dht_store_get(const struct dht_store *st, const uint8_t *key, uint64_t now,
                     struct dht_stored *out, size_t max)
{
    const struct entry *e;
    size_t got = 0;

    assert(st && key && (out || max == 0));
    e = find(st, key);
    if (e == NULL)
        return 0;
    for (size_t i = 0; i < e->n && got < max; i++) {
        if (!e->v[i].removed && e->v[i].expire > now)
            out[got++] = e->v[i];
    }
    return got;
}

int dht_store_remove(struct dht_store *st, const uint8_t *key, uint64_t addr, uint64_t until)
{
    struct entry *e;
    struct dht_stored *v;
    int rc;

    assert(st && key);
    e = find(st, key);
    v = e != NULL ? find_value(e, addr) : NULL;
    if (v == NULL) {
        rc = dht_store_put(st, key, addr, until, until, false);
        if (rc < 0)
            return rc;
        v = find_value(find(st, key), addr);
        rc = 1;
    } else {
        rc = v->removed ? 1 : 0;
    }
    *v = (struct dht_stored){.addr = addr, .expire = until, .due = until, .removed = true};
    return rc;
}

size_t dht_store_expire(struct dht_store *st, uint64_t now)
{
    size_t gone = 0;

    assert(st);
    for (size_t s = 0; s < SLOTS; s++) {
        struct entry **pe = &st->slot[s];

        while (*pe != NULL) {
            struct entry *e = *pe;
            size_t kept = 0;

            for (size_t i = 0; i < e->n; i++) {
                if (e->v[i].expire > now)
                    e->v[kept++] = e->v[i];
                else
                    gone++;
            }
            e->n = kept;
            if (kept > 0) {
                pe = &e->next;
                continue;
            }
            *pe = e->next;
            free(e);
            st->n_keys--;
        }
    }
    return gone;
}

static size_t push_due(struct dht_store *st, uint64_t now, uint64_t period, bool mine,
                       dht_store_fn fn, void *ctx)
{
    size_t total = 0;

    for (size_t s = 0; s < SLOTS; s++) {
        for (struct entry *e = st->slot[s]; e != NULL; e = e->next) {
            struct dht_stored due[DHT_MSG_MAX_VALUES];
            size_t n = 0;

            for (size_t i = 0; i < e->n; i++) {
                struct dht_stored *v = &e->v[i];

                if (v->removed || v->mine != mine || v->due > now || v->expire <= now)
                    continue;
                v->due = now + period;
                due[n++] = *v;
            }
            if (n > 0)
                fn(ctx, e->key, due, n);
            total += n;
        }
    }
    return total;
}

size_t dht_store_republish(struct dht_store *st, uint64_t now, uint64_t period, dht_store_fn fn,
                           void *ctx)
{
    assert(st && fn);
    return push_due(st, now, period, true, fn, ctx);
}

size_t dht_store_replicate(struct dht_store *st, uint64_t now, uint64_t period, dht_store_fn fn,
                           void *ctx)
{
    assert(st && fn);
    return push_due(st, now, period, false, fn, ctx);
}

size_t dht_store_keys(const struct dht_store *st)
{
    assert(st);
    return st->n_keys;
}
