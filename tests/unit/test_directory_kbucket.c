/*
 * test_directory_kbucket.c - the routing table: bucket index by shared
 * prefix, least-recently-seen order, the full-bucket candidate and the
 * eviction of stale contacts, the closest-N query, refresh due times.
 */
#include "kbucket.h"
#include "tap.h"

#include <errno.h>

#define L 16

static const uint8_t self[L]; /* all zero: an id's bucket is its leading zeros */

static struct dht_contact contact(uint8_t b0, uint8_t b1, uint64_t addr)
{
    struct dht_contact c;

    memset(&c, 0, sizeof(c));
    c.id[0] = b0;
    c.id[1] = b1;
    c.addr = addr;
    return c;
}

static void test_distance(void)
{
    struct kbucket *kb = kbucket_new(L, 3, self);
    struct dht_contact a = contact(0x80, 0, 1), b = contact(0x40, 0, 2), c = contact(0, 1, 3);
    uint8_t last[L] = {0};

    ok(kb != NULL, "a table of 16-byte ids, k = 3");
    ok(kbucket_new(8, 3, self) == NULL && kbucket_new(L, 0, self) == NULL &&
           kbucket_new(L, 21, self) == NULL,
       "id length 8, k 0 and k 21 are refused");
    is(kbucket_index(kb, self), -1, "our own id has no bucket");
    is(kbucket_index(kb, a.id), 0, "first bit differs: bucket 0");
    is(kbucket_index(kb, b.id), 1, "second bit: bucket 1");
    is(kbucket_index(kb, c.id), 15, "last bit of byte 1: bucket 15");
    last[L - 1] = 1;
    is(kbucket_index(kb, last), 8 * L - 1, "last bit of the id: the last bucket");
    ok(kbucket_cmp(b.id, a.id, self, L) < 0, "0x40.. is closer to 0 than 0x80..");
    ok(kbucket_cmp(a.id, b.id, a.id, L) < 0, "an id is closest to itself");
    is(kbucket_cmp(c.id, c.id, a.id, L), 0, "equal distances compare 0");
    ok(kbucket_cmp(b.id, c.id, a.id, L) > 0,
       "seen from 0x80.., 0x40.. is farther than 0x0001..");
    kbucket_destroy(&kb);
    ok(kb == NULL, "destroy clears the pointer");
    kbucket_destroy(&kb);
}

static void test_eviction(void)
{
    struct kbucket *kb = kbucket_new(L, 3, self);
    struct dht_contact c1 = contact(0x81, 0, 1), c2 = contact(0x82, 0, 2),
                       c3 = contact(0x83, 0, 3), c4 = contact(0x84, 0, 4), ping, out[8];
    struct dht_contact me = contact(0, 0, 9);

    is(kbucket_seen(kb, &me, 1, &ping), KBUCKET_SELF, "our own id is ignored");
    is(kbucket_seen(kb, &c1, 1, &ping), KBUCKET_ADDED, "c1 added");
    is(kbucket_seen(kb, &c2, 2, &ping), KBUCKET_ADDED, "c2 added");
    is(kbucket_seen(kb, &c3, 3, &ping), KBUCKET_ADDED, "c3 added");
    is(kbucket_count(kb), 3, "three contacts");
    memset(&ping, 0, sizeof(ping));
    is(kbucket_seen(kb, &c4, 4, &ping), KBUCKET_FULL, "c4: bucket 0 is full");
    ok(ping.addr == 1 && ping.id[0] == 0x81, "... ping c1, the least recently seen");
    ok(!kbucket_contains(kb, c4.id), "... c4 waits outside the table");
    c1.addr = 11;
    is(kbucket_seen(kb, &c1, 5, &ping), KBUCKET_REFRESHED, "c1 answers: refreshed");
    is(kbucket_seen(kb, &c4, 6, &ping), KBUCKET_FULL, "c4 again: still full");
    ok(ping.addr == 2, "... now c2 is the least recently seen");
    is(kbucket_failed(kb, c2.id), 1, "c2 does not answer: it goes");
    ok(!kbucket_contains(kb, c2.id) && kbucket_contains(kb, c4.id),
       "... and the candidate c4 takes its place");
    is(kbucket_count(kb), 3, "still three");
    is(kbucket_failed(kb, c3.id), 0, "c3 misses once, no candidate: kept");
    is(kbucket_failed(kb, c3.id), 1, "c3 misses twice: removed");
    is(kbucket_failed(kb, c3.id), -ENOENT, "c3 is unknown now");
    is(kbucket_seen(kb, &c3, 7, &ping), KBUCKET_ADDED, "c3 back: added to the free slot");
    is(kbucket_seen(kb, &c3, 8, &ping), KBUCKET_REFRESHED, "heard again: refreshed");
    is(kbucket_remove(kb, c4.id), 0, "remove c4");
    is(kbucket_remove(kb, c4.id), -ENOENT, "remove c4 twice: -ENOENT");
    is(kbucket_closest(kb, c1.id, 8, out), 2, "two contacts left");
    ok(out[0].addr == 11, "c1 kept the address it was last heard from");
    kbucket_destroy(&kb);
}

static void test_closest(void)
{
    struct kbucket *kb = kbucket_new(L, 8, self);
    struct dht_contact ping, out[40], target = contact(0x5a, 0x3c, 0);
    size_t n;
    bool sorted = true;
    int added = 0;

    /* 64 ids spread over buckets 0..7 (x = 1..255 step 4). */
    for (unsigned x = 1; x < 256; x += 4) {
        struct dht_contact c = contact((uint8_t)x, (uint8_t)(x * 7), x);

        added += kbucket_seen(kb, &c, x, &ping) == KBUCKET_ADDED;
    }
    ok(added > 20 && kbucket_count(kb) == (size_t)added, "%d contacts in the table", added);
    n = kbucket_closest(kb, target.id, 10, out);
    is(n, 10, "closest 10 asked, 10 given");
    for (size_t i = 1; i < n; i++)
        sorted = sorted && kbucket_cmp(out[i - 1].id, out[i].id, target.id, L) < 0;
    ok(sorted, "sorted by XOR distance to the target");
    {
        struct dht_contact all[64];
        size_t m = kbucket_closest(kb, target.id, 64, all);
        bool best = true;

        is(m, (size_t)added, "asking for 64 gives all of them");
        for (size_t i = 10; i < m; i++)
            best = best && kbucket_cmp(out[9].id, all[i].id, target.id, L) < 0;
        ok(best && memcmp(all, out, sizeof(out[0]) * 10) == 0,
           "the 10 are the 10 closest of all");
    }
    is(kbucket_closest(kb, target.id, 0, out), 0, "asking for none gives none");
    kbucket_destroy(&kb);
}

static void test_refresh(void)
{
    struct kbucket *kb = kbucket_new(L, 4, self);
    struct dht_contact c = contact(0x20, 0, 1), d = contact(0, 0x10, 2), ping;
    uint8_t rnd[L], target[L];
    int idx;

    memset(rnd, 0xff, sizeof(rnd));
    kbucket_seen(kb, &c, 1000, &ping); /* bucket 2 */
    kbucket_seen(kb, &d, 1500, &ping); /* bucket 11 */
    is(kbucket_refresh_due(kb, 1099, 100, rnd, target), -ENOENT, "nothing due before 100");
    idx = kbucket_refresh_due(kb, 1100, 100, rnd, target);
    is(idx, 2, "bucket 2 is due at 1100");
    is(kbucket_index(kb, target), 2, "... and the target falls in bucket 2");
    ok(target[0] == 0x3f && target[1] == 0xff, "... our prefix, the bit flipped, then random");
    is(kbucket_refresh_due(kb, 1100, 100, rnd, target), -ENOENT, "it counts as refreshed");
    kbucket_touch(kb, d.id, 1590);
    is(kbucket_refresh_due(kb, 1600, 100, rnd, target), 2, "bucket 2 is due again at 1600");
    is(kbucket_refresh_due(kb, 1600, 100, rnd, target), -ENOENT,
       "bucket 11 is not: a lookup there at 1590 postponed it");
    is(kbucket_refresh_due(kb, 1690, 100, rnd, target), 11, "bucket 11 due at 1690");
    is(kbucket_index(kb, target), 11, "... the target in bucket 11");
    kbucket_refresh_all(kb);
    {
        int got[16], n = 0, idx2;
        bool in_range = true;

        while (n < 16 && (idx2 = kbucket_refresh_due(kb, 1700, 100, rnd, target)) >= 0) {
            in_range = in_range && kbucket_index(kb, target) == idx2;
            got[n++] = idx2;
        }
        is(n, 11, "after joining, the 11 buckets farther than the closest contact are due");
        ok(got[0] == 0 && got[2] == 2 && got[10] == 10 && in_range,
           "... 0 to 10, empty ones too, each target in its bucket");
    }
    is(kbucket_refresh_due(kb, 1700, 100, rnd, target), -ENOENT, "then none");
    kbucket_destroy(&kb);
}

int main(void)
{
    test_distance();
    test_eviction();
    test_closest();
    test_refresh();
    return done();
}
