/*
 * test_directory_cache.c - the cache of query answers: put and get, expiry
 * with the caller's clock, replacement when full, drop, bad hash lengths.
 */
#include "dir_cache.h"
#include "tap.h"

#define L 32

static void key_of(uint8_t *k, uint8_t b0)
{
    memset(k, 0x5a, L);
    k[0] = b0;
}

static void test_put_get(void)
{
    struct dir_cache *c = dir_cache_new(4, 10000);
    uint64_t a[DIR_CACHE_ADDRS], many[12];
    uint8_t k1[L], k2[L];

    key_of(k1, 1);
    key_of(k2, 2);
    ok(c != NULL, "a cache of 4 hashes for 10 s");
    ok(dir_cache_new(0, 1) == NULL && dir_cache_new(1, 0) == NULL, "no room or no time: NULL");
    is(dir_cache_get(c, k1, L, 0, a), 0, "an unknown hash");
    dir_cache_put(c, k1, L, (uint64_t[]){7, 9}, 2, 1000);
    is(dir_cache_get(c, k1, L, 1000, a), 2, "k1 kept with two addresses");
    ok(a[0] == 7 && a[1] == 9, "... 7 and 9");
    is(dir_cache_get(c, k1, L - 1, 1000, a), 0, "the same bytes, another length: not found");
    is(dir_cache_get(c, k2, L, 1000, a), 0, "k2 is not k1");
    is(dir_cache_get(c, k1, L, 10999, a), 2, "still there just before 10 s");
    is(dir_cache_get(c, k1, L, 11000, a), 0, "gone at 10 s");
    is(dir_cache_count(c, 11000), 0, "... and not counted");
    for (int i = 0; i < 12; i++)
        many[i] = (uint64_t)i + 1;
    dir_cache_put(c, k2, L, many, 12, 2000);
    is(dir_cache_get(c, k2, L, 2000, a), DIR_CACHE_ADDRS, "twelve addresses: the first 8 kept");
    dir_cache_put(c, k2, L, (uint64_t[]){5}, 1, 3000);
    is(dir_cache_get(c, k2, L, 12500, a), 1, "a new answer replaces the old, with a new life");
    is(a[0], 5, "... 5");
    dir_cache_drop(c, k2, L);
    is(dir_cache_get(c, k2, L, 3000, a), 0, "dropped");
    dir_cache_put(c, k2, L, (uint64_t[]){5}, 1, 3000);
    dir_cache_put(c, k2, L, NULL, 0, 3001);
    is(dir_cache_get(c, k2, L, 3001, a), 0, "an empty answer drops the hash");
    dir_cache_put(c, k1, 8, (uint64_t[]){5}, 1, 3000);
    is(dir_cache_count(c, 3000), 0, "a hash shorter than DHT_ID_MIN is not kept");
    dir_cache_destroy(&c);
    ok(c == NULL, "destroy NULLs the pointer");
    dir_cache_destroy(&c);
}

static void test_full(void)
{
    struct dir_cache *c = dir_cache_new(3, 10000);
    uint64_t a[DIR_CACHE_ADDRS];
    uint8_t k[5][L];

    for (int i = 0; i < 5; i++)
        key_of(k[i], (uint8_t)(10 + i));
    for (int i = 0; i < 3; i++)
        dir_cache_put(c, k[i], L, (uint64_t[]){(uint64_t)i + 1}, 1, 100 * (uint64_t)(i + 1));
    is(dir_cache_count(c, 300), 3, "three hashes fill it");
    dir_cache_put(c, k[3], L, (uint64_t[]){4}, 1, 400);
    is(dir_cache_count(c, 400), 3, "a fourth replaces one");
    is(dir_cache_get(c, k[0], L, 400, a), 0, "... the one closest to its end (the oldest)");
    ok(dir_cache_get(c, k[1], L, 400, a) == 1 && dir_cache_get(c, k[3], L, 400, a) == 1,
       "the others stay");
    dir_cache_put(c, k[4], L, (uint64_t[]){5}, 1, 10250);
    ok(dir_cache_get(c, k[4], L, 10250, a) == 1 && dir_cache_get(c, k[2], L, 10250, a) == 1 &&
           dir_cache_get(c, k[3], L, 10250, a) == 1,
       "an expired slot is reused first");
    dir_cache_destroy(&c);
}

int main(void)
{
    test_put_get();
    test_full();
    return done();
}
