/*
 * test_directory_lookup.c - the iterative lookup as a state machine with
 * scripted answers: closest-first requests, at most alpha in flight, new
 * contacts joining the shortlist in distance order, timeouts, termination
 * when the k closest answered or a value came, and the hop count.
 */
#include "dht_lookup.h"
#include "tap.h"

#include <errno.h>

#define L 16

static const uint8_t self[L];

static struct dht_contact c(uint8_t b0)
{
    struct dht_contact x;

    memset(&x, 0, sizeof(x));
    x.id[0] = b0;
    x.addr = 1000u + b0;
    return x;
}

static void test_node_lookup(void)
{
    uint8_t key[L] = {0xf0};
    struct dht_contact seeds[] = {c(0x10), c(0x30), c(0x70), c(0x08), c(0x00)};
    struct dht_contact from_c[] = {c(0xf1), c(0xe0), c(0x00)}, from_f[] = {c(0xf0)};
    struct dht_contact to, out[8];
    struct dht_lookup_stats s;
    struct dht_lookup *lk = dht_lookup_new(DHT_LOOKUP_NODE, key, L, 3, 2, 100, self);

    ok(lk != NULL, "a FIND_NODE lookup, k 3, alpha 2, timeout 100");
    ok(dht_lookup_new(DHT_LOOKUP_NODE, key, L, 0, 2, 100, self) == NULL &&
           dht_lookup_new(DHT_LOOKUP_NODE, key, L, 3, 0, 100, self) == NULL &&
           dht_lookup_new(DHT_LOOKUP_NODE, key, 8, 3, 2, 100, self) == NULL,
       "k 0, alpha 0, id length 8 are refused");
    is(dht_lookup_seed(lk, seeds, 5), 4, "4 seeds taken; our own id is not a candidate");
    is(dht_lookup_seed(lk, seeds, 1), 0, "a seed twice counts once");
    ok(!dht_lookup_done(lk), "not done before anyone answered");
    ok(dht_lookup_next(lk, 0, &to) == 1 && to.id[0] == 0x70,
       "first request: the closest, 0x70");
    ok(dht_lookup_next(lk, 0, &to) == 1 && to.id[0] == 0x30, "second: 0x30");
    is(dht_lookup_next(lk, 0, &to), 0, "alpha = 2 in flight: no third");
    is(dht_lookup_response(lk, c(0x10).id, NULL, 0, NULL, 0), -ENOENT,
       "an answer from a node never asked is ignored");
    is(dht_lookup_response(lk, c(0x70).id, from_c, 3, NULL, 0), 0,
       "0x70 answers with 0xf1, 0xe0 and us");
    ok(dht_lookup_next(lk, 5, &to) == 1 && to.id[0] == 0xf1, "next: 0xf1, closer than all");
    is(dht_lookup_next(lk, 5, &to), 0, "two in flight again");
    is(dht_lookup_expire(lk, 99, out, 8), 0, "no timeout at 99");
    is(dht_lookup_expire(lk, 100, out, 8), 1, "0x30 times out at 100");
    is(out[0].id[0], 0x30, "... the failed contact is reported");
    ok(dht_lookup_next(lk, 100, &to) == 1 && to.id[0] == 0xe0, "its slot goes to 0xe0");
    ok(!dht_lookup_done(lk), "not done: 0xf1 and 0xe0 are in flight");
    is(dht_lookup_response(lk, c(0xf1).id, NULL, 0, NULL, 0), 0, "0xf1 answers, knows nobody");
    is(dht_lookup_response(lk, c(0xe0).id, from_f, 1, NULL, 0), 0, "0xe0 answers with 0xf0");
    ok(!dht_lookup_done(lk), "not done: 0xf0 is closer and unasked");
    ok(dht_lookup_next(lk, 110, &to) == 1 && to.id[0] == 0xf0, "ask 0xf0, the key itself");
    is(dht_lookup_response(lk, c(0xf0).id, NULL, 0, NULL, 0), 0, "0xf0 answers");
    ok(dht_lookup_done(lk), "done: the 3 closest (0xf0, 0xf1, 0xe0) answered");
    is(dht_lookup_next(lk, 120, &to), 0, "no more requests");
    is(dht_lookup_closest(lk, out, 8), 4, "4 nodes answered");
    ok(out[0].id[0] == 0xf0 && out[1].id[0] == 0xf1 && out[2].id[0] == 0xe0 &&
           out[3].id[0] == 0x70,
       "closest first");
    is(dht_lookup_response(lk, c(0x30).id, NULL, 0, NULL, 0), 0, "a late answer still counts");
    dht_lookup_get_stats(lk, &s);
    is(s.sent, 5, "5 requests sent");
    is(s.answered, 5, "5 answers");
    is(s.failed, 1, "1 timeout");
    is(s.hops, 3, "3 hops: seed 0x70, then 0xe0, then 0xf0");
    dht_lookup_destroy(&lk);
    ok(lk == NULL, "destroy clears the pointer");
}

static void test_value_lookup(void)
{
    uint8_t key[L] = {0xf0};
    struct dht_contact seeds[] = {c(0x70), c(0x30)}, to;
    struct dht_value vals[] = {{5, 10}, {5, 10}, {6, 10}}, out[4];
    struct dht_lookup_stats s;
    struct dht_lookup *lk = dht_lookup_new(DHT_LOOKUP_VALUE, key, L, 3, 1, 100, self);

    dht_lookup_seed(lk, seeds, 2);
    ok(dht_lookup_next(lk, 0, &to) == 1 && to.id[0] == 0x70, "FIND_VALUE: ask 0x70");
    is(dht_lookup_next(lk, 0, &to), 0, "alpha 1: one at a time");
    is(dht_lookup_response(lk, c(0x70).id, NULL, 0, vals, 3), 0, "0x70 has values");
    ok(dht_lookup_done(lk), "done at the first values, 0x30 never asked");
    is(dht_lookup_values(lk, out, 4), 2, "two distinct addresses");
    ok(out[0].addr == 5 && out[1].addr == 6, "5 and 6");
    dht_lookup_get_stats(lk, &s);
    is(s.hops, 1, "found 1 hop away");
    is(dht_lookup_get_kind(lk), DHT_LOOKUP_VALUE, "its kind");
    ok(memcmp(dht_lookup_key(lk), key, L) == 0, "its key");
    dht_lookup_destroy(&lk);
}

static void test_dead_ends(void)
{
    uint8_t key[L] = {0xf0};
    struct dht_contact seed = c(0x70), to, out[2];
    struct dht_value vals[2];
    struct dht_lookup *lk = dht_lookup_new(DHT_LOOKUP_VALUE, key, L, 3, 3, 100, self);

    ok(dht_lookup_done(lk), "no seeds: done at once");
    is(dht_lookup_next(lk, 0, &to), 0, "... with nothing to send");
    dht_lookup_seed(lk, &seed, 1);
    ok(dht_lookup_next(lk, 0, &to) == 1, "one seed asked");
    is(dht_lookup_expire(lk, 100, out, 0), 1, "it times out (max 0: counted only)");
    ok(dht_lookup_done(lk), "done: nobody left to ask");
    is(dht_lookup_values(lk, vals, 2), 0, "no values");
    dht_lookup_destroy(&lk);
}

static void test_shortlist_bound(void)
{
    uint8_t key[L] = {0};
    struct dht_contact many[DHT_LOOKUP_SHORTLIST + 10], to, out[DHT_LOOKUP_SHORTLIST + 10];
    struct dht_lookup *lk;
    size_t sent = 0;

    key[L - 1] = 1; /* not our id */
    lk = dht_lookup_new(DHT_LOOKUP_NODE, key, L, 20, 10, 100, self);
    for (size_t i = 0; i < DHT_LOOKUP_SHORTLIST + 10; i++) {
        many[i] = c((uint8_t)(i + 1));
        many[i].id[1] = (uint8_t)i;
    }
    is(dht_lookup_seed(lk, many, DHT_LOOKUP_SHORTLIST + 10), DHT_LOOKUP_SHORTLIST,
       "of 74 seeds, the shortlist keeps the 64 closest");
    while (sent < 200 && dht_lookup_next(lk, 0, &to) == 1)
        sent++;
    is(sent, 10, "alpha 10 bounds the requests in flight");
    for (size_t i = 0; i < 200 && !dht_lookup_done(lk); i++) {
        dht_lookup_expire(lk, 100 * (i + 1), out, 0);
        while (dht_lookup_next(lk, 100 * (i + 1), &to) == 1)
            sent++;
    }
    ok(dht_lookup_done(lk), "everyone timing out still ends the lookup");
    is(sent, DHT_LOOKUP_SHORTLIST, "after at most 64 requests");
    dht_lookup_destroy(&lk);
}

int main(void)
{
    test_node_lookup();
    test_value_lookup();
    test_dead_ends();
    test_shortlist_bound();
    return done();
}
