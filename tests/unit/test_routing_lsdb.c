/*
 * test_routing_lsdb.c - the link-state database: which LSA wins (newer,
 * duplicate, older), ageing under a clock the test drives, explicit
 * withdrawal, the bidirectional check and the order of the links.
 */
#include "lsdb.h"
#include "tap.h"

#include <errno.h>

/* An LSA of origin with seqno and up to 4 neighbours (0 ends the list). */
static struct lsa mk(uint64_t origin, uint64_t seqno, const uint64_t *nbs)
{
    struct lsa l = {.origin = origin, .seqno = seqno};

    for (size_t i = 0; i < 4 && nbs[i] != 0; i++)
        l.links[l.n_links++] = (struct lsa_link){.addr = nbs[i], .metric = (uint32_t)(10 + i)};
    return l;
}

static bool has_link(const struct lsdb *db, uint64_t a, uint64_t b)
{
    struct lsdb_link out[64];
    size_t n = lsdb_links(db, out, 64);

    for (size_t i = 0; i < n && i < 64; i++)
        if (out[i].src == a && out[i].dst == b)
            return true;
    return false;
}

static void test_ordering(void)
{
    struct lsdb *db = lsdb_new(60000);
    struct lsa l = mk(1, 5, (uint64_t[]){2, 0}), o;
    uint64_t v;

    ok(db != NULL, "a database");
    is(lsdb_insert(db, &l, 0), LSDB_NEWER, "a first LSA of origin 1: stored, flood it");
    is(lsdb_size(db), 1, "... one origin");
    v = lsdb_version(db);
    is(lsdb_insert(db, &l, 1), LSDB_DUPLICATE, "the same seqno again: a duplicate");
    is(lsdb_version(db), v, "... nothing changed");
    l = mk(1, 4, (uint64_t[]){3, 0});
    is(lsdb_insert(db, &l, 2), LSDB_OLDER, "seqno 4 after 5: older, ignored");
    lsdb_get(db, 1, &o);
    ok(o.seqno == 5 && o.links[0].addr == 2, "... the stored LSA is still seqno 5");
    l = mk(1, 6, (uint64_t[]){3, 4, 0});
    is(lsdb_insert(db, &l, 3), LSDB_NEWER, "seqno 6: newer, stored");
    ok(lsdb_version(db) > v, "... the version moved");
    is(lsdb_get(db, 1, &o), 0, "lsdb_get finds origin 1");
    ok(o.seqno == 6 && o.n_links == 2 && o.links[0].addr == 3 && o.links[1].addr == 4,
       "... with seqno 6 and its two links");
    is(lsdb_get(db, 9, &o), -ENOENT, "an unknown origin: -ENOENT");
    lsdb_destroy(&db);
    ok(db == NULL, "destroy sets the pointer to NULL");
    lsdb_destroy(&db);
}

static void test_bidirectional(void)
{
    struct lsdb *db = lsdb_new(60000);
    struct lsa a = mk(1, 1, (uint64_t[]){2, 3, 0});
    struct lsa b = mk(2, 1, (uint64_t[]){1, 0});
    struct lsdb_link out[8];

    lsdb_insert(db, &a, 0);
    is(lsdb_links(db, out, 8), 0, "1 advertises 2 and 3, nobody answers: no link");
    lsdb_insert(db, &b, 0);
    is(lsdb_links(db, out, 8), 2, "2 advertises 1: the link 1-2 in both directions");
    ok(out[0].src == 1 && out[0].dst == 2 && out[0].metric == 10 && out[1].src == 2 &&
           out[1].dst == 1,
       "... ordered by source, each with its advertiser's metric");
    ok(!has_link(db, 1, 3), "1 -> 3 is one-sided: not a link");
    is(lsdb_links(db, out, 1), 2, "a short array: the count is still 2");
    lsdb_destroy(&db);
}

static void test_withdrawal(void)
{
    struct lsdb *db = lsdb_new(60000);
    struct lsa a = mk(1, 1, (uint64_t[]){2, 3, 0});
    struct lsa b = mk(2, 1, (uint64_t[]){1, 0});
    struct lsa c = mk(3, 1, (uint64_t[]){1, 0});
    struct lsa o;

    lsdb_insert(db, &a, 0);
    lsdb_insert(db, &b, 0);
    lsdb_insert(db, &c, 0);
    ok(has_link(db, 1, 2) && has_link(db, 1, 3), "1-2 and 1-3 are up");
    a.seqno = 2;
    a.links[0].down = true;
    is(lsdb_insert(db, &a, 1), LSDB_NEWER, "1 withdraws its adjacency to 2");
    ok(!has_link(db, 1, 2) && !has_link(db, 2, 1), "... 1-2 is gone at once, both ways");
    ok(has_link(db, 1, 3), "... 1-3 stays");
    lsdb_get(db, 1, &o);
    ok(o.n_links == 2 && o.links[0].down, "the stored LSA keeps the withdrawal to pass on");
    a.seqno = 1;
    a.links[0].down = false;
    is(lsdb_insert(db, &a, 2), LSDB_OLDER, "a late copy of the old LSA is ignored");
    ok(!has_link(db, 1, 2), "... and does not bring 1-2 back");
    is(lsdb_withdraw(db, 3), 0, "origin 3 withdrawn");
    ok(!has_link(db, 1, 3) && lsdb_size(db) == 2, "... 1-3 is gone with it");
    is(lsdb_withdraw(db, 3), -ENOENT, "withdrawing it again: -ENOENT");
    lsdb_destroy(&db);
}

static void test_ageing(void)
{
    struct lsdb *db = lsdb_new(60000);
    struct lsa a = mk(1, 1, (uint64_t[]){2, 0});
    struct lsa b = mk(2, 1, (uint64_t[]){1, 0});

    lsdb_insert(db, &a, 1000);
    lsdb_insert(db, &b, 1000);
    is(lsdb_age(db, 60999), 0, "59.999 s later: nothing expires");
    a.seqno = 2;
    lsdb_insert(db, &a, 30000);
    is(lsdb_age(db, 61000), 1, "60 s later: the entry of 2, not refreshed, expires");
    is(lsdb_get(db, 2, &b), -ENOENT, "... 2 is gone");
    ok(!has_link(db, 1, 2), "... and with it the link 1-2");
    is(lsdb_age(db, 89999), 0, "1, refreshed at 30 s, lives until 90 s");
    is(lsdb_age(db, 500), 0, "a clock that steps back expires nothing");
    is(lsdb_age(db, 90000), 1, "... and goes at 90 s");
    is(lsdb_size(db), 0, "the database is empty");
    lsdb_destroy(&db);
}

static int count_fn(const struct lsa *l, void *arg)
{
    uint64_t *last = arg;

    if (l->origin <= last[0])
        last[1] = 1; /* out of order */
    last[0] = l->origin;
    last[2]++;
    return l->origin == 30 ? 7 : 0;
}

static void test_foreach_and_limits(void)
{
    struct lsdb *db = lsdb_new(1000);
    uint64_t st[3] = {0, 0, 0};
    struct lsa l;
    int r = 0;

    for (uint64_t o = 50; o > 0; o--) {
        l = mk(o, 1, (uint64_t[]){0});
        lsdb_insert(db, &l, 0);
    }
    is(lsdb_foreach(db, count_fn, st), 7, "foreach stops at the callback's non-zero return");
    ok(st[1] == 0 && st[2] == 30, "... after visiting origins 1..30 in order");
    for (uint64_t o = 51; o <= LSDB_ORIGINS_MAX && r >= 0; o++) {
        l = mk(o, 1, (uint64_t[]){0});
        r = lsdb_insert(db, &l, 0);
    }
    is(r, LSDB_NEWER, "LSDB_ORIGINS_MAX origins fit");
    l = mk(LSDB_ORIGINS_MAX + 1, 1, (uint64_t[]){0});
    is(lsdb_insert(db, &l, 0), -ENOSPC, "one more: -ENOSPC");
    l = mk(1, 2, (uint64_t[]){0});
    is(lsdb_insert(db, &l, 0), LSDB_NEWER, "a full database still takes updates");
    lsdb_destroy(&db);
}

int main(void)
{
    plan(14 + 5 + 10 + 7 + 5);
    test_ordering();
    test_bidirectional();
    test_withdrawal();
    test_ageing();
    test_foreach_and_limits();
    return done();
}
