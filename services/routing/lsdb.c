/*
 * lsdb.c - the link-state database: a sorted array of origins, each with
 * its last LSA and its up links sorted by neighbour, so both lookups are
 * binary searches and every enumeration comes out in address order.
 */
#include "lsdb.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct lsdb_entry {
    struct lsa lsa;   /* as received, down links included */
    uint64_t updated; /* ms */
    size_t n_up;      /* links up, sorted by address */
    struct lsa_link up[LSA_LINKS_MAX];
};

struct lsdb {
    uint64_t timeout;
    uint64_t version;
    size_t n;
    size_t cap;
    struct lsdb_entry **e; /* by origin */
};

struct lsdb *lsdb_new(uint64_t timeout_ms)
{
    struct lsdb *db = calloc(1, sizeof(*db));

    if (db == NULL)
        return NULL;
    db->timeout = timeout_ms;
    return db;
}

void lsdb_destroy(struct lsdb **db)
{
    assert(db != NULL);
    if (*db == NULL)
        return;
    for (size_t i = 0; i < (*db)->n; i++)
        free((*db)->e[i]);
    free((*db)->e);
    free(*db);
    *db = NULL;
}

/* The index of origin, or where it would go (and *found false). */
static size_t find(const struct lsdb *db, uint64_t origin, bool *found)
{
    size_t lo = 0, hi = db->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (db->e[mid]->lsa.origin < origin)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < db->n && db->e[lo]->lsa.origin == origin;
    return lo;
}

static int link_cmp(const void *a, const void *b)
{
    const struct lsa_link *x = a, *y = b;

    return (x->addr > y->addr) - (x->addr < y->addr);
}

static void entry_set(struct lsdb_entry *e, const struct lsa *l, uint64_t now)
{
    e->lsa = *l;
    e->updated = now;
    e->n_up = 0;
    for (size_t i = 0; i < l->n_links && i < LSA_LINKS_MAX; i++)
        if (!l->links[i].down)
            e->up[e->n_up++] = l->links[i];
    qsort(e->up, e->n_up, sizeof(e->up[0]), link_cmp);
}

static int entry_add(struct lsdb *db, size_t at, const struct lsa *l, uint64_t now)
{
    struct lsdb_entry *e;

    if (db->n >= LSDB_ORIGINS_MAX)
        return -ENOSPC;
    if (db->n == db->cap) {
        size_t cap = db->cap ? db->cap * 2 : 16;
        struct lsdb_entry **ne = realloc(db->e, cap * sizeof(*ne));

        if (ne == NULL)
            return -ENOMEM;
        db->e = ne;
        db->cap = cap;
    }
    e = malloc(sizeof(*e));
    if (e == NULL)
        return -ENOMEM;
    entry_set(e, l, now);
    memmove(db->e + at + 1, db->e + at, (db->n - at) * sizeof(*db->e));
    db->e[at] = e;
    db->n++;
    return 0;
}

int lsdb_insert(struct lsdb *db, const struct lsa *l, uint64_t now_ms)
{
    bool found;
    size_t at;
    int r;

    assert(db != NULL && l != NULL && l->origin != 0 && l->n_links <= LSA_LINKS_MAX);
    at = find(db, l->origin, &found);
    if (!found) {
        r = entry_add(db, at, l, now_ms);
        if (r < 0)
            return r;
    } else if (l->seqno > db->e[at]->lsa.seqno) {
        entry_set(db->e[at], l, now_ms);
    } else {
        return l->seqno == db->e[at]->lsa.seqno ? LSDB_DUPLICATE : LSDB_OLDER;
    }
    db->version++;
    return LSDB_NEWER;
}

static void entry_del(struct lsdb *db, size_t at)
{
    free(db->e[at]);
    memmove(db->e + at, db->e + at + 1, (db->n - at - 1) * sizeof(*db->e));
    db->n--;
    db->version++;
}

size_t lsdb_age(struct lsdb *db, uint64_t now_ms)
{
    size_t dropped = 0;

    assert(db != NULL);
    for (size_t i = db->n; i-- > 0;) {
        /* An entry from the future (a clock step back) is as new as now. */
        if (now_ms > db->e[i]->updated && now_ms - db->e[i]->updated >= db->timeout) {
            entry_del(db, i);
            dropped++;
        }
    }
    return dropped;
}

int lsdb_withdraw(struct lsdb *db, uint64_t origin)
{
    bool found;
    size_t at;

    assert(db != NULL);
    at = find(db, origin, &found);
    if (!found)
        return -ENOENT;
    entry_del(db, at);
    return 0;
}

int lsdb_get(const struct lsdb *db, uint64_t origin, struct lsa *out)
{
    bool found;
    size_t at;

    assert(db != NULL && out != NULL);
    at = find(db, origin, &found);
    if (!found)
        return -ENOENT;
    *out = db->e[at]->lsa;
    return 0;
}

int lsdb_foreach(const struct lsdb *db, int (*fn)(const struct lsa *l, void *arg), void *arg)
{
    assert(db != NULL && fn != NULL);
    for (size_t i = 0; i < db->n; i++) {
        int r = fn(&db->e[i]->lsa, arg);

        if (r != 0)
            return r;
    }
    return 0;
}

size_t lsdb_size(const struct lsdb *db)
{
    assert(db != NULL);
    return db->n;
}

uint64_t lsdb_version(const struct lsdb *db)
{
    assert(db != NULL);
    return db->version;
}

static bool has_up(const struct lsdb_entry *e, uint64_t addr)
{
    struct lsa_link key = {.addr = addr};

    return bsearch(&key, e->up, e->n_up, sizeof(e->up[0]), link_cmp) != NULL;
}

size_t lsdb_links(const struct lsdb *db, struct lsdb_link *out, size_t max)
{
    size_t total = 0;

    assert(db != NULL && (out != NULL || max == 0));
    for (size_t i = 0; i < db->n; i++) {
        const struct lsdb_entry *a = db->e[i];

        for (size_t j = 0; j < a->n_up; j++) {
            bool found;
            size_t k = find(db, a->up[j].addr, &found);

            if (!found || !has_up(db->e[k], a->lsa.origin))
                continue;
            if (total < max)
                out[total] = (struct lsdb_link){
                    .src = a->lsa.origin, .dst = a->up[j].addr, .metric = a->up[j].metric};
            total++;
        }
    }
    return total;
}
