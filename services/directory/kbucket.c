/*
 * kbucket.c - k-buckets: one slot array per shared-prefix length, created
 * when the first contact arrives; within a bucket the least recently seen
 * contact comes first.
 */
#include "kbucket.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct kbucket_entry {
    struct dht_contact c;
    uint64_t seen;
    unsigned fails;
};

struct bucket {
    struct kbucket_entry *e; /* k slots, NULL until the first contact */
    size_t n;
    bool has_cand;
    struct dht_contact cand;
    uint64_t cand_seen;
    uint64_t touched;
    bool forced; /* due at once, empty or not (after joining) */
};

struct kbucket {
    size_t id_len;
    size_t k;
    uint8_t self[DHT_ID_MAX];
    size_t n_buckets; /* 8 * id_len */
    struct bucket *b;
};

struct kbucket *kbucket_new(size_t id_len, size_t k, const uint8_t *self)
{
    struct kbucket *kb;

    assert(self);
    if (id_len < DHT_ID_MIN || id_len > DHT_ID_MAX || k == 0 || k > KBUCKET_K_MAX)
        return NULL;
    kb = calloc(1, sizeof(*kb));
    if (kb == NULL)
        return NULL;
    kb->n_buckets = 8 * id_len;
    kb->b = calloc(kb->n_buckets, sizeof(*kb->b));
    if (kb->b == NULL) {
        free(kb);
        return NULL;
    }
    kb->id_len = id_len;
    kb->k = k;
    memcpy(kb->self, self, id_len);
    return kb;
}

void kbucket_destroy(struct kbucket **p)
{
    struct kbucket *kb;

    assert(p);
    kb = *p;
    if (kb == NULL)
        return;
    for (size_t i = 0; i < kb->n_buckets; i++)
        free(kb->b[i].e);
    free(kb->b);
    free(kb);
    *p = NULL;
}

int kbucket_cmp(const uint8_t *a, const uint8_t *b, const uint8_t *target, size_t len)
{
    assert(a && b && target);
    for (size_t i = 0; i < len; i++) {
        uint8_t da = a[i] ^ target[i];
        uint8_t db = b[i] ^ target[i];

        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

int kbucket_index(const struct kbucket *kb, const uint8_t *id)
{
    assert(kb && id);
    for (size_t i = 0; i < kb->id_len; i++) {
        uint8_t x = id[i] ^ kb->self[i];

        if (x != 0)
            return (int)(i * 8) + __builtin_clz(x) - 24;
    }
    return -1;
}

static struct kbucket_entry *find(const struct kbucket *kb, const uint8_t *id, size_t *slot)
{
    int idx = kbucket_index(kb, id);
    const struct bucket *b;

    if (idx < 0)
        return NULL;
    b = &kb->b[idx];
    for (size_t i = 0; i < b->n; i++) {
        if (memcmp(b->e[i].c.id, id, kb->id_len) == 0) {
            if (slot)
                *slot = i;
            return &b->e[i];
        }
    }
    return NULL;
}

/* Take slot i out of bucket b; the candidate, if any, joins at the tail. */
static void take_out(struct bucket *b, size_t i)
{
    memmove(&b->e[i], &b->e[i + 1], (b->n - i - 1) * sizeof(b->e[0]));
    b->n--;
    if (b->has_cand) {
        b->e[b->n] = (struct kbucket_entry){.c = b->cand, .seen = b->cand_seen};
        b->n++;
        b->has_cand = false;
    }
}

enum kbucket_seen_result kbucket_seen(struct kbucket *kb, const struct dht_contact *c,
                                      uint64_t now, struct dht_contact *ping)
{
    int idx;
    struct bucket *b;
    size_t slot;
    struct kbucket_entry *e, tmp;

    assert(kb && c && ping);
    idx = kbucket_index(kb, c->id);
    if (idx < 0)
        return KBUCKET_SELF;
    b = &kb->b[idx];
    e = find(kb, c->id, &slot);
    if (e != NULL) {
        tmp = *e;
        tmp.c.addr = c->addr;
        tmp.seen = now;
        tmp.fails = 0;
        memmove(&b->e[slot], &b->e[slot + 1], (b->n - slot - 1) * sizeof(b->e[0]));
        b->e[b->n - 1] = tmp;
        return KBUCKET_REFRESHED;
    }
    if (b->e == NULL) {
        b->e = calloc(kb->k, sizeof(*b->e));
        if (b->e == NULL)
            return KBUCKET_SELF; /* no memory: as if unheard */
        b->touched = now;
    }
    if (b->n < kb->k) {
        b->e[b->n] = (struct kbucket_entry){.c = *c, .seen = now};
        b->n++;
        return KBUCKET_ADDED;
    }
    b->cand = *c;
    b->cand_seen = now;
    b->has_cand = true;
    *ping = b->e[0].c;
    return KBUCKET_FULL;
}

int kbucket_failed(struct kbucket *kb, const uint8_t *id)
{
    struct kbucket_entry *e;
    struct bucket *b;
    size_t slot;

    assert(kb && id);
    e = find(kb, id, &slot);
    if (e == NULL)
        return -ENOENT;
    b = &kb->b[kbucket_index(kb, id)];
    e->fails++;
    if (!b->has_cand && e->fails < KBUCKET_MAX_FAILS)
        return 0;
    take_out(b, slot);
    return 1;
}

int kbucket_remove(struct kbucket *kb, const uint8_t *id)
{
    size_t slot;
    struct kbucket_entry *e;

    assert(kb && id);
    e = find(kb, id, &slot);
    if (e == NULL)
        return -ENOENT;
    take_out(&kb->b[kbucket_index(kb, id)], slot);
    return 0;
}

bool kbucket_contains(const struct kbucket *kb, const uint8_t *id)
{
    assert(kb && id);
    return find(kb, id, NULL) != NULL;
}

size_t kbucket_closest(const struct kbucket *kb, const uint8_t *target, size_t n,
                       struct dht_contact *out)
{
    size_t got = 0;

    assert(kb && target && (out || n == 0));
    for (size_t i = 0; i < kb->n_buckets; i++) {
        const struct bucket *b = &kb->b[i];

        for (size_t j = 0; j < b->n; j++) {
            const struct dht_contact *c = &b->e[j].c;
            size_t at = got;

            /* Insertion into the n best so far, closest first. */
            while (at > 0 && kbucket_cmp(c->id, out[at - 1].id, target, kb->id_len) < 0)
                at--;
            if (at >= n)
                continue;
            if (got < n)
                got++;
            memmove(&out[at + 1], &out[at], (got - at - 1) * sizeof(*out));
            out[at] = *c;
        }
    }
    return got;
}

size_t kbucket_count(const struct kbucket *kb)
{
    size_t n = 0;

    assert(kb);
    for (size_t i = 0; i < kb->n_buckets; i++)
        n += kb->b[i].n;
    return n;
}

void kbucket_touch(struct kbucket *kb, const uint8_t *target, uint64_t now)
{
    int idx;

    assert(kb && target);
    idx = kbucket_index(kb, target);
    if (idx >= 0)
        kb->b[idx].touched = now;
}

int kbucket_refresh_due(struct kbucket *kb, uint64_t now, uint64_t period, const uint8_t *rnd,
                        uint8_t *target)
{
    assert(kb && rnd && target);
    for (size_t i = 0; i < kb->n_buckets; i++) {
        struct bucket *b = &kb->b[i];
        size_t byte = i / 8;
        uint8_t bit = (uint8_t)(0x80u >> (i % 8));
        uint8_t keep = (uint8_t) ~(bit | (bit - 1)); /* bits above the bucket's bit */

        if (!b->forced && (b->n == 0 || now < b->touched + period))
            continue;
        b->forced = false;
        memcpy(target, kb->self, byte);
        target[byte] = (uint8_t)((kb->self[byte] & keep) | ((kb->self[byte] ^ bit) & bit) |
                                 (rnd[byte] & (bit - 1)));
        memcpy(target + byte + 1, rnd + byte + 1, kb->id_len - byte - 1);
        b->touched = now;
        return (int)i;
    }
    return -ENOENT;
}

void kbucket_refresh_all(struct kbucket *kb)
{
    size_t deepest = 0;

    assert(kb);
    for (size_t i = 0; i < kb->n_buckets; i++) {
        if (kb->b[i].n > 0)
            deepest = i;
    }
    for (size_t i = 0; i < deepest; i++)
        kb->b[i].forced = true;
}
