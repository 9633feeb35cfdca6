/*
 * dht_lookup.c - the shortlist is an array sorted by XOR distance to the
 * key; each candidate remembers whether it was asked, answered or failed,
 * and how many hops away it was found.
 */
#include "dht_lookup.h"
#include "kbucket.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum cand_state { CAND_NEW = 0, CAND_ASKED, CAND_ANSWERED, CAND_FAILED };

struct cand {
    struct dht_contact c;
    enum cand_state state;
    unsigned hop; /* 1 for a seed */
    uint64_t sent;
};

struct dht_lookup {
    enum dht_lookup_kind kind;
    size_t id_len;
    size_t k;
    size_t alpha;
    uint64_t timeout;
    uint8_t key[DHT_ID_MAX];
    uint8_t self[DHT_ID_MAX];
    size_t n;
    struct cand list[DHT_LOOKUP_SHORTLIST];
    size_t n_values;
    struct dht_value values[DHT_MSG_MAX_VALUES];
    unsigned value_hop;
    struct dht_lookup_stats st;
};

struct dht_lookup *dht_lookup_new(enum dht_lookup_kind kind, const uint8_t *key, size_t id_len,
                                  size_t k, size_t alpha, uint64_t timeout, const uint8_t *self)
{
    struct dht_lookup *lk;

    assert(key && self);
    if (id_len < DHT_ID_MIN || id_len > DHT_ID_MAX || k == 0 || k > KBUCKET_K_MAX ||
        alpha == 0 || alpha > DHT_LOOKUP_ALPHA_MAX ||
        (kind != DHT_LOOKUP_NODE && kind != DHT_LOOKUP_VALUE))
        return NULL;
    lk = calloc(1, sizeof(*lk));
    if (lk == NULL)
        return NULL;
    lk->kind = kind;
    lk->id_len = id_len;
    lk->k = k;
    lk->alpha = alpha;
    lk->timeout = timeout;
    memcpy(lk->key, key, id_len);
    memcpy(lk->self, self, id_len);
    return lk;
}

void dht_lookup_destroy(struct dht_lookup **p)
{
    assert(p);
    free(*p);
    *p = NULL;
}

static struct cand *find(struct dht_lookup *lk, const uint8_t *id)
{
    for (size_t i = 0; i < lk->n; i++) {
        if (memcmp(lk->list[i].c.id, id, lk->id_len) == 0)
            return &lk->list[i];
    }
    return NULL;
}

/* Insert c found hop hops away, in distance order; when the list is full
 * the farthest candidate makes room for a closer one. 1 if added. */
static int insert(struct dht_lookup *lk, const struct dht_contact *c, unsigned hop)
{
    struct cand *known;
    size_t at;

    if (memcmp(c->id, lk->self, lk->id_len) == 0 || c->addr == 0)
        return 0;
    known = find(lk, c->id);
    if (known != NULL) {
        if (hop < known->hop)
            known->hop = hop;
        return 0;
    }
    at = lk->n;
    while (at > 0 && kbucket_cmp(c->id, lk->list[at - 1].c.id, lk->key, lk->id_len) < 0)
        at--;
    if (at >= DHT_LOOKUP_SHORTLIST)
        return 0;
    if (lk->n < DHT_LOOKUP_SHORTLIST)
        lk->n++;
    memmove(&lk->list[at + 1], &lk->list[at], (lk->n - at - 1) * sizeof(lk->list[0]));
    lk->list[at] = (struct cand){.c = *c, .state = CAND_NEW, .hop = hop};
    return 1;
}

size_t dht_lookup_seed(struct dht_lookup *lk, const struct dht_contact *c, size_t n)
{
    size_t added = 0;

    assert(lk && (c || n == 0));
    for (size_t i = 0; i < n; i++)
        added += (size_t)insert(lk, &c[i], 1);
    return added;
}

static size_t in_flight(const struct dht_lookup *lk)
{
    size_t n = 0;

    for (size_t i = 0; i < lk->n; i++)
        n += lk->list[i].state == CAND_ASKED;
    return n;
}

bool dht_lookup_done(const struct dht_lookup *lk)
{
    size_t seen = 0;

    assert(lk);
    if (lk->kind == DHT_LOOKUP_VALUE && lk->n_values > 0)
        return true;
    for (size_t i = 0; i < lk->n && seen < lk->k; i++) {
        if (lk->list[i].state == CAND_FAILED)
            continue;
        if (lk->list[i].state != CAND_ANSWERED)
            return false;
        seen++;
    }
    return true;
}

int dht_lookup_next(struct dht_lookup *lk, uint64_t now, struct dht_contact *to)
{
    size_t seen = 0;

    assert(lk && to);
    if (dht_lookup_done(lk) || in_flight(lk) >= lk->alpha)
        return 0;
    for (size_t i = 0; i < lk->n && seen < lk->k; i++) {
        struct cand *c = &lk->list[i];

        if (c->state == CAND_FAILED)
            continue;
        seen++;
        if (c->state != CAND_NEW)
            continue;
        c->state = CAND_ASKED;
        c->sent = now;
        lk->st.sent++;
        *to = c->c;
        return 1;
    }
    return 0;
}

static void add_value(struct dht_lookup *lk, const struct dht_value *v, unsigned hop)
{
    for (size_t i = 0; i < lk->n_values; i++) {
        if (lk->values[i].addr == v->addr)
            return;
    }
    if (lk->n_values == 0)
        lk->value_hop = hop;
    if (lk->n_values < DHT_MSG_MAX_VALUES)
        lk->values[lk->n_values++] = *v;
}

int dht_lookup_response(struct dht_lookup *lk, const uint8_t *from_id,
                        const struct dht_contact *contacts, size_t n_contacts,
                        const struct dht_value *values, size_t n_values)
{
    struct cand *c;
    unsigned hop;

    assert(lk && from_id && (contacts || n_contacts == 0) && (values || n_values == 0));
    c = find(lk, from_id);
    /* A late answer after a timeout still counts: the node is alive. */
    if (c == NULL || (c->state != CAND_ASKED && c->state != CAND_FAILED))
        return -ENOENT;
    c->state = CAND_ANSWERED;
    hop = c->hop;
    lk->st.answered++;
    for (size_t i = 0; i < n_contacts; i++)
        insert(lk, &contacts[i], hop + 1);
    if (lk->kind == DHT_LOOKUP_VALUE) {
        for (size_t i = 0; i < n_values; i++)
            add_value(lk, &values[i], hop);
    }
    return 0;
}

size_t dht_lookup_expire(struct dht_lookup *lk, uint64_t now, struct dht_contact *out,
                         size_t max)
{
    size_t failed = 0;

    assert(lk && (out || max == 0));
    for (size_t i = 0; i < lk->n; i++) {
        struct cand *c = &lk->list[i];

        if (c->state != CAND_ASKED || now < c->sent + lk->timeout)
            continue;
        c->state = CAND_FAILED;
        if (failed < max)
            out[failed] = c->c;
        failed++;
    }
    lk->st.failed += failed;
    return failed;
}

size_t dht_lookup_closest(const struct dht_lookup *lk, struct dht_contact *out, size_t max)
{
    size_t got = 0;

    assert(lk && (out || max == 0));
    for (size_t i = 0; i < lk->n && got < max; i++) {
        if (lk->list[i].state == CAND_ANSWERED)
            out[got++] = lk->list[i].c;
    }
    return got;
}

size_t dht_lookup_values(const struct dht_lookup *lk, struct dht_value *out, size_t max)
{
    size_t n;

    assert(lk && (out || max == 0));
    n = lk->n_values < max ? lk->n_values : max;
    memcpy(out, lk->values, n * sizeof(*out));
    return n;
}

void dht_lookup_get_stats(const struct dht_lookup *lk, struct dht_lookup_stats *s)
{
    size_t seen = 0;

    assert(lk && s);
    *s = lk->st;
    if (lk->n_values > 0) {
        s->hops = lk->value_hop;
        return;
    }
    s->hops = 0;
    for (size_t i = 0; i < lk->n && seen < lk->k; i++) {
        if (lk->list[i].state != CAND_ANSWERED)
            continue;
        seen++;
        if (lk->list[i].hop > s->hops)
            s->hops = lk->list[i].hop;
    }
}

const uint8_t *dht_lookup_key(const struct dht_lookup *lk)
{
    assert(lk);
    return lk->key;
}

enum dht_lookup_kind dht_lookup_get_kind(const struct dht_lookup *lk)
{
    assert(lk);
    return lk->kind;
}
