/*
 * test_shim_eth_name_cache.c - the Ethernet shim's name query cache: hits,
 * expiry, refresh by a host's MAC, eviction of the oldest, waiting for a
 * reply from another thread, and the wait's deadline.
 */
#include "deadline.h"
#include "name_cache.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#define S  1000000000ull
#define HL 32

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t mac_b[6] = {2, 0, 0, 0, 0, 0xb};

static void hash_of(int n, uint8_t *h)
{
    memset(h, 0, HL);
    h[0] = (uint8_t)n;
    h[1] = (uint8_t)(n >> 8);
}

static void test_expiry(void)
{
    struct name_cache *c = name_cache_new(8, 10 * S);
    uint8_t h1[HL], h2[HL], mac[6];

    hash_of(1, h1);
    hash_of(2, h2);
    is(name_cache_get(c, h1, HL, 100 * S, mac), -ENOENT, "empty: a miss");
    name_cache_put(c, h1, HL, mac_a, 100 * S);
    ok(name_cache_get(c, h1, HL, 105 * S, mac) == 0 && memcmp(mac, mac_a, 6) == 0,
       "a hit gives the MAC");
    is(name_cache_get(c, h2, HL, 105 * S, mac), -ENOENT, "another hash: a miss");
    is(name_cache_get(c, h1, 31, 105 * S, mac), -ENOENT, "a shorter hash: a miss");
    is(name_cache_get(c, h1, HL, 110 * S, mac), -ENOENT, "expired after the TTL");
    name_cache_put(c, h1, HL, mac_b, 111 * S);
    ok(name_cache_get(c, h1, HL, 115 * S, mac) == 0 && memcmp(mac, mac_b, 6) == 0,
       "put again: the new MAC, a new TTL");
    is(name_cache_count(c), 1, "one entry per hash");

    name_cache_put(c, h2, HL, mac_a, 111 * S);
    name_cache_refresh(c, mac_b, 119 * S);
    is(name_cache_get(c, h1, HL, 125 * S, mac), 0, "refreshed by a request from its MAC");
    is(name_cache_get(c, h2, HL, 125 * S, mac), -ENOENT, "another host's entry expired");
    name_cache_drop(c, h1, HL);
    is(name_cache_get(c, h1, HL, 125 * S, mac), -ENOENT, "dropped");
    name_cache_destroy(&c);
    ok(c == NULL, "destroy NULLs the pointer");
    name_cache_destroy(&c);
}

static void test_eviction(void)
{
    struct name_cache *c = name_cache_new(4, 100 * S);
    uint8_t h[HL], mac[6];
    int hits = 0;

    for (int i = 0; i < 6; i++) {
        hash_of(i, h);
        name_cache_put(c, h, HL, mac_a, (uint64_t)(i + 1) * S);
    }
    is(name_cache_count(c), 4, "at most cap entries");
    hash_of(0, h);
    is(name_cache_get(c, h, HL, 10 * S, mac), -ENOENT, "the oldest went first");
    hash_of(1, h);
    is(name_cache_get(c, h, HL, 10 * S, mac), -ENOENT, "then the next oldest");
    for (int i = 2; i < 6; i++) {
        hash_of(i, h);
        hits += name_cache_get(c, h, HL, 10 * S, mac) == 0;
    }
    is(hits, 4, "the newest stay");
    name_cache_destroy(&c);
}

struct putter {
    struct name_cache *c;
    uint8_t h[HL];
};

static void *put_later(void *arg)
{
    struct putter *p = arg;

    usleep(50000);
    name_cache_put(p->c, p->h, HL, mac_b, now_ns());
    return NULL;
}

static void test_wait(void)
{
    struct putter p = {.c = name_cache_new(8, 10 * S)};
    uint8_t mac[6], other[HL];
    pthread_t t;
    uint64_t t0;
    int r;

    hash_of(7, p.h);
    hash_of(8, other);
    t0 = now_ns();
    r = name_cache_wait(p.c, p.h, HL, t0 + 100000000ull, mac);
    is(r, -ETIMEDOUT, "a wait with no reply times out");
    ok(now_ns() - t0 >= 95000000ull && now_ns() - t0 < 1000000000ull, "at its deadline");

    pthread_create(&t, NULL, put_later, &p);
    t0 = now_ns();
    r = name_cache_wait(p.c, other, HL, t0 + 200000000ull, mac);
    is(r, -ETIMEDOUT, "another name's reply does not end the wait");
    pthread_join(t, NULL);

    pthread_create(&t, NULL, put_later, &p);
    name_cache_drop(p.c, p.h, HL);
    t0 = now_ns();
    r = name_cache_wait(p.c, p.h, HL, t0 + 2 * S, mac);
    ok(r == 0 && memcmp(mac, mac_b, 6) == 0, "the reply put by another thread ends the wait");
    ok(now_ns() - t0 < S, "as soon as it comes");
    pthread_join(t, NULL);
    name_cache_destroy(&p.c);
}

int main(void)
{
    plan(11 + 4 + 5);
    test_expiry();
    test_eviction();
    test_wait();
    return done();
}
