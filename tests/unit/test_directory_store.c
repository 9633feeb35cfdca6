/*
 * test_directory_store.c - the value store: put and get, the per-key limit,
 * expiry with the caller's clock, tombstones that refuse late copies, and
 * the republish and replication lists with their due times.
 */
#include "dht_store.h"
#include "tap.h"

#include <errno.h>

#define L 32

struct seen {
    size_t calls;
    size_t values;
    uint8_t key0[8];
    uint64_t addr[16];
};

static void collect(void *ctx, const uint8_t *key, const struct dht_stored *v, size_t n)
{
    struct seen *s = ctx;

    if (s->calls < 8)
        s->key0[s->calls] = key[0];
    for (size_t i = 0; i < n && s->values + i < 16; i++)
        s->addr[s->values + i] = v[i].addr;
    s->calls++;
    s->values += n;
}

static void key_of(uint8_t *k, uint8_t b0)
{
    memset(k, 0x33, L);
    k[0] = b0;
}

static void test_put_get(void)
{
    struct dht_store *st = dht_store_new(L, 3);
    struct dht_stored v[8];
    uint8_t k1[L], k2[L];

    key_of(k1, 1);
    key_of(k2, 2);
    ok(st != NULL, "a store of 3 values per key");
    ok(dht_store_new(L, 0) == NULL && dht_store_new(L, 17) == NULL &&
           dht_store_new(70, 3) == NULL,
       "0 or 17 values per key, or 70-byte keys, are refused");
    is(dht_store_get(st, k1, 0, v, 8), 0, "an unknown key has no values");
    is(dht_store_put(st, k1, 100, 1000, 500, false), 0, "put 100 under k1");
    is(dht_store_put(st, k1, 200, 2000, 500, true), 0, "put 200 (ours) under k1");
    is(dht_store_put(st, k1, 100, 1500, 600, false), 0, "put 100 again, later expiry");
    is(dht_store_get(st, k1, 0, v, 8), 2, "k1 has two values");
    ok(v[0].addr == 100 && v[0].expire == 1500 && !v[0].mine, "100: expiry moved, not ours");
    ok(v[1].addr == 200 && v[1].mine, "200: ours");
    is(dht_store_put(st, k1, 100, 900, 700, false), 0, "an older copy of 100");
    dht_store_get(st, k1, 0, v, 8);
    is(v[0].expire, 1500, "... does not shorten its life");
    is(dht_store_put(st, k1, 200, 5000, 9999, false), 0, "a copy of our own value comes back");
    dht_store_get(st, k1, 0, v, 8);
    ok(v[1].mine && v[1].due == 500 && v[1].expire == 5000,
       "... it stays ours, its republish time untouched");
    is(dht_store_put(st, k1, 300, 1000, 500, false), 0, "a third value");
    is(dht_store_put(st, k1, 400, 1000, 500, false), -ENOSPC, "a fourth: -ENOSPC");
    is(dht_store_put(st, k2, 400, 1000, 500, false), 0, "another key has room");
    is(dht_store_keys(st), 2, "two keys");
    is(dht_store_get(st, k1, 0, v, 1), 1, "get honours max");
    is(dht_store_get(st, k1, 1000, v, 8), 2, "at 1000, 300 has expired for get");
    dht_store_destroy(&st);
    ok(st == NULL, "destroy clears the pointer");
}

static void test_expiry_and_removal(void)
{
    struct dht_store *st = dht_store_new(L, 8);
    struct dht_stored v[8];
    uint8_t k1[L], k2[L];

    key_of(k1, 1);
    key_of(k2, 2);
    dht_store_put(st, k1, 100, 1000, 0, false);
    dht_store_put(st, k1, 200, 3000, 0, false);
    dht_store_put(st, k2, 300, 2000, 0, false);
    is(dht_store_expire(st, 999), 0, "nothing expires at 999");
    is(dht_store_expire(st, 1000), 1, "one value expires at 1000");
    is(dht_store_keys(st), 2, "both keys remain");
    is(dht_store_expire(st, 2500), 1, "k2's value at 2500");
    is(dht_store_keys(st), 1, "k2 is gone with its last value");
    is(dht_store_remove(st, k1, 200, 10000), 0, "remove 200 from k1: it was live");
    is(dht_store_get(st, k1, 2600, v, 8), 0, "k1 has no live value");
    is(dht_store_put(st, k1, 200, 4000, 0, false), -EEXIST, "a late copy of 200 is refused");
    is(dht_store_remove(st, k1, 200, 10000), 1, "removing it again: only the tombstone");
    is(dht_store_remove(st, k2, 300, 10000), 1,
       "removing a value never held leaves a tombstone");
    is(dht_store_put(st, k2, 300, 4000, 0, false), -EEXIST, "... that refuses its copies");
    is(dht_store_put(st, k1, 200, 4000, 0, true), 0, "the publisher itself may publish again");
    is(dht_store_get(st, k1, 2600, v, 8), 1, "... and 200 is back");
    is(dht_store_expire(st, 10000), 2, "at 10000, the tombstone and 200 go");
    is(dht_store_keys(st), 0, "the store is empty");
    is(dht_store_put(st, k2, 300, 20000, 0, false), 0, "after its tombstone, 300 is welcome");
    dht_store_destroy(&st);
}

static void test_push_lists(void)
{
    struct dht_store *st = dht_store_new(L, 8);
    struct seen s;
    uint8_t k1[L], k2[L], k3[L];
    struct dht_stored v[8];

    key_of(k1, 1);
    key_of(k2, 2);
    key_of(k3, 3);
    dht_store_put(st, k1, 100, 100000, 1000, true);
    dht_store_put(st, k1, 101, 100000, 3000, true);
    dht_store_put(st, k2, 200, 100000, 1000, false);
    dht_store_put(st, k3, 300, 100000, 1000, false);
    dht_store_remove(st, k3, 300, 100000);
    memset(&s, 0, sizeof(s));
    is(dht_store_republish(st, 999, 900, collect, &s), 0, "nothing to republish at 999");
    is(dht_store_republish(st, 1000, 900, collect, &s), 1, "one of ours is due at 1000");
    ok(s.calls == 1 && s.key0[0] == 1 && s.addr[0] == 100, "... 100 under k1");
    dht_store_get(st, k1, 1000, v, 8);
    is(v[0].due, 1900, "... next due one period later");
    memset(&s, 0, sizeof(s));
    is(dht_store_republish(st, 3000, 900, collect, &s), 2, "at 3000 both of k1's are due");
    ok(s.calls == 1 && s.values == 2, "... in one call for the key");
    memset(&s, 0, sizeof(s));
    is(dht_store_replicate(st, 1000, 900, collect, &s), 1,
       "replication: k2's copy, not ours, not the tombstone");
    ok(s.key0[0] == 2 && s.addr[0] == 200, "... 200 under k2");
    memset(&s, 0, sizeof(s));
    is(dht_store_replicate(st, 1899, 900, collect, &s), 0, "not again before 1900");
    is(dht_store_replicate(st, 200000, 900, collect, &s), 0, "an expired copy is not pushed");
    dht_store_destroy(&st);
}

int main(void)
{
    test_put_get();
    test_expiry_and_removal();
    test_push_lists();
    return done();
}
