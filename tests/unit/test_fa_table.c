/*
 * test_fa_table.c - the flow allocator's table: endpoint ids (unique,
 * non-zero, quarantined after release), request and reply bookkeeping,
 * duplicate requests, timeouts, and the snapshot with its validation.
 */
#include "fa_table.h"
#include "tap.h"

#include <errno.h>

#define SEC 1000000000ull

/* A poor source of randomness: 0, 1, 2, 3, 0, 1, ... */
static int rand_mod4(void *arg, uint64_t *out)
{
    uint64_t *n = arg;

    *out = (*n)++ % 4;
    return 0;
}

/* A counter: 1, 2, 3, ... from wherever the test sets it. */
static int rand_count(void *arg, uint64_t *out)
{
    uint64_t *n = arg;

    *out = (*n)++;
    return 0;
}

static int rand_fail(void *arg, uint64_t *out)
{
    (void)arg;
    (void)out;
    return -EIO;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void test_unique(void)
{
    enum { N = 20000 };
    struct fa_table *t = fa_table_new(N, NULL, NULL);
    static uint64_t eids[N];
    struct fa_flow *f = NULL;
    int fails = 0, dups = 0, zero = 0, found = 0;

    ok(t != NULL, "a table of %d flows", N);
    for (int i = 0; i < N; i++) {
        if (fa_table_open(t, 0x0a000001, (uint32_t)i, &qos_raw, 1400, SEC, &f) != 0) {
            fails++;
            continue;
        }
        eids[i] = f->eid;
        zero += f->eid == 0 || f->req_id == 0;
    }
    is(fails, 0, "%d flows opened", N);
    is(zero, 0, "no eid or request id is 0");
    qsort(eids, N, sizeof(eids[0]), cmp_u64);
    for (int i = 1; i < N; i++)
        dups += eids[i] == eids[i - 1];
    is(dups, 0, "all %d eids differ", N);
    for (int i = 0; i < N; i++) {
        f = fa_table_by_eid(t, eids[i]);
        found += f != NULL && f->eid == eids[i] &&
                 fa_table_by_req(t, 0x0a000001, f->req_id, true) == f;
    }
    is(found, N, "each found by eid and by request");
    is(fa_table_count(t), N, "count");
    is(fa_table_open(t, 0x0a000001, 0, &qos_raw, 1400, SEC, &f), -ENOSPC, "full: -ENOSPC");
    fa_table_destroy(&t);
    ok(t == NULL, "destroy NULLs the pointer");
    fa_table_destroy(&t);
}

static void test_quarantine(void)
{
    uint64_t n = 0;
    struct fa_table *t = fa_table_new(16, rand_mod4, &n);
    struct fa_flow *f[4] = {0}, *g = NULL;
    const uint64_t T = 1000 * SEC;
    uint64_t gone;
    int i;

    for (i = 0; i < 3; i++)
        is(fa_table_open(t, 7, 0, &qos_raw, 1400, T, &f[i]), 0, "flow %d of 3 ids", i + 1);
    ok(f[0]->eid != 0 && f[1]->eid != 0 && f[2]->eid != 0 && f[0]->eid != f[1]->eid &&
           f[1]->eid != f[2]->eid && f[0]->eid != f[2]->eid,
       "a source that also yields 0 gives three distinct non-zero ids");
    is(fa_table_open(t, 7, 0, &qos_raw, 1400, T, &g), -EAGAIN,
       "no fresh id left: -EAGAIN after bounded tries");
    gone = f[1]->eid;
    fa_table_remove(t, f[1], 10 * SEC);
    ok(fa_table_by_eid(t, gone) == NULL, "a removed flow is not found");
    is(fa_table_open(t, 7, 0, &qos_raw, 1400, T, &g), -EAGAIN,
       "its id is free but quarantined: not given again");
    is(fa_table_expire(t, 10 * SEC + FA_QUARANTINE_NS - 1, NULL, NULL), 0,
       "expire just before the quarantine ends: no flow due");
    is(fa_table_open(t, 7, 0, &qos_raw, 1400, T, &g), -EAGAIN, "... the id still quarantined");
    fa_table_expire(t, 10 * SEC + FA_QUARANTINE_NS, NULL, NULL);
    is(fa_table_open(t, 7, 0, &qos_raw, 1400, T, &g), 0, "when the quarantine ends ...");
    is(g->eid, gone, "... the id is given again");
    is(fa_table_count(t), 3, "3 flows");
    is(fa_table_expire(t, T, NULL, NULL), 3, "all pending flows time out at their deadline");
    is(fa_table_open(t, 7, 0, &qos_raw, 1400, 2 * T, &g), -EAGAIN,
       "... and their ids are quarantined");
    fa_table_destroy(&t);

    /* Each open draws an eid, then a request id: eids 1, 3, 5, ... */
    n = 1;
    t = fa_table_new(16, rand_count, &n);
    int fails = 0;
    for (i = 0; i <= (int)FA_QUARANTINE_MAX; i++) {
        if (fa_table_open(t, 7, 0, &qos_raw, 1400, T, &g) != 0 || g->eid != 2 * (uint64_t)i + 1)
            fails++;
        else
            fa_table_remove(t, g, 0);
    }
    is(fails, 0, "%u flows opened and removed at once", FA_QUARANTINE_MAX + 1);
    n = 3;
    fa_table_open(t, 7, 0, &qos_raw, 1400, T, &g);
    is(g->eid, 4, "a recent id is skipped (3 quarantined, 4 taken)");
    n = 1;
    fa_table_open(t, 7, 0, &qos_raw, 1400, T, &g);
    is(g->eid, 1, "the oldest of a full quarantine is forgotten first (1 given again)");
    fa_table_destroy(&t);

    t = fa_table_new(4, rand_fail, NULL);
    is(fa_table_open(t, 7, 0, &qos_raw, 1400, SEC, &g), -EIO, "a failing source: its error");
    is(fa_table_count(t), 0, "... and nothing added");
    fa_table_destroy(&t);
}

static void test_requests(void)
{
    struct fa_table *t = fa_table_new(64, NULL, NULL);
    struct fa_flow *f = NULL, *g = NULL, *h = NULL;
    const uint8_t rep[5] = {1, 2, 3, 4, 5};

    is(fa_table_arrive(t, 0xa, 77, 0x99, &qos_voice, 1400, 5 * SEC, &f), 0, "a REQ arrives");
    ok(f->state == FA_PENDING && !f->outbound && f->peer_eid == 0x99 && f->req_id == 77 &&
           f->qos.delay == qos_voice.delay && f->max_sdu == 1400,
       "... a pending inbound flow with the peer's eid and QoS");
    is(fa_table_set_reply(t, f, rep, sizeof(rep)), 0, "its REPLY kept");
    is(fa_table_accept(t, f), 0, "accepted");
    is(f->state, FA_ALLOCATED, "... allocated");
    is(fa_table_accept(t, f), -EINVAL, "accepted twice: -EINVAL");
    is(fa_table_arrive(t, 0xa, 77, 0x99, &qos_voice, 1400, 5 * SEC, &g), -EEXIST,
       "the same REQ again: -EEXIST");
    ok(g == f && g->reply_len == 5 && memcmp(g->reply, rep, 5) == 0,
       "... the same flow, the same REPLY to send");
    is(fa_table_count(t), 1, "... and no second flow");
    is(fa_table_arrive(t, 0xa, 77, 0x98, &qos_voice, 1400, 5 * SEC, &g), -EINVAL,
       "the same request id from another peer eid: -EINVAL");
    is(fa_table_arrive(t, 0xb, 77, 0x99, &qos_voice, 1400, 5 * SEC, &g), 0,
       "the same request id from another address: a new flow");
    ok(g != f && g->eid != f->eid, "... with its own eid");
    is(fa_table_arrive(t, 0xa, 0, 0x99, &qos_voice, 1400, 5 * SEC, &g), -EINVAL,
       "request id 0: -EINVAL");

    is(fa_table_open(t, 0xa, 3, &qos_data, 9000, 5 * SEC, &h), 0, "we send a REQ");
    ok(h->state == FA_PENDING && h->outbound && h->peer_eid == 0 && h->flow_id == 3,
       "... a pending outbound flow");
    ok(fa_table_by_req(t, 0xa, h->req_id, true) == h, "found by its request");
    ok(fa_table_by_req(t, 0xa, h->req_id, false) == NULL, "... not as an inbound one");
    is(fa_table_reply(t, h->eid, h->req_id + 1, 0x55, &g), -ENOENT,
       "a REPLY with another request id: -ENOENT");
    is(fa_table_reply(t, h->eid ^ 1, h->req_id, 0x55, &g), -ENOENT,
       "a REPLY to an unknown eid: -ENOENT");
    is(fa_table_reply(t, f->eid, f->req_id, 0x55, &g), -ENOENT,
       "a REPLY to an inbound flow: -ENOENT");
    is(fa_table_reply(t, h->eid, h->req_id, 0, &g), -ENOENT, "a REPLY without an eid: -ENOENT");
    is(fa_table_reply(t, h->eid, h->req_id, 0x55, &g), 0, "the REPLY");
    ok(g == h && h->state == FA_ALLOCATED && h->peer_eid == 0x55, "... allocated");
    is(fa_table_reply(t, h->eid, h->req_id, 0x55, &g), -EALREADY, "the REPLY again: -EALREADY");
    is(fa_table_reply(t, h->eid, h->req_id, 0x56, &g), -ENOENT,
       "a REPLY from another eid afterwards: -ENOENT");
    is_str(fa_state_str(h->state), "allocated", "state names");
    fa_table_destroy(&t);
}

static uint64_t seen[8];
static int nseen;

static void on_expire(void *arg, struct fa_flow *f)
{
    (void)arg;
    if (nseen < 8)
        seen[nseen++] = f->eid;
}

static void test_timeouts(void)
{
    struct fa_table *t = fa_table_new(64, NULL, NULL);
    struct fa_flow *a, *b, *c;

    fa_table_open(t, 1, 0, &qos_raw, 1400, 100, &a);
    fa_table_open(t, 1, 0, &qos_raw, 1400, 200, &b);
    fa_table_arrive(t, 2, 9, 9, &qos_raw, 1400, 50, &c);
    fa_table_accept(t, c);
    uint64_t ea = a->eid, ec = c->eid;

    is(fa_table_expire(t, 99, on_expire, NULL), 0, "nothing due at 99");
    is(fa_table_expire(t, 100, on_expire, NULL), 1, "the REQ due at 100 times out at 100");
    ok(nseen == 1 && seen[0] == ea, "... told to the callback");
    ok(fa_table_by_eid(t, ea) == NULL, "... and gone");
    is(fa_table_expire(t, 1000, on_expire, NULL), 1, "at 1000, the other pending one");
    ok(fa_table_by_eid(t, ec) == c, "an allocated flow has no deadline");
    fa_table_dealloc(t, c, 2000);
    is(c->state, FA_DEALLOCATING, "deallocating");
    ok(fa_table_by_eid(t, ec) == c, "... still found (late messages, duplicates)");
    is(fa_table_expire(t, 1999, on_expire, NULL), 0, "kept until its deadline");
    is(fa_table_expire(t, 2000, on_expire, NULL), 1, "dropped at it");
    is(fa_table_count(t), 0, "empty");
    fa_table_destroy(&t);
}

static uint64_t fnv(const uint8_t *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Recompute the checksum, so a structural check is what rejects. */
static void reseal(uint8_t *b, size_t len)
{
    uint64_t h = fnv(b, len - 8);

    for (int i = 0; i < 8; i++)
        b[len - 8 + i] = (uint8_t)(h >> (56 - 8 * i));
}

static struct fa_table *sample(void)
{
    struct fa_table *t = fa_table_new(64, NULL, NULL);
    struct fa_flow *f;

    fa_table_open(t, 0x10, 1, &qos_voice, 1400, 5 * SEC, &f);
    fa_table_open(t, 0x11, 2, &qos_data, 9000, 6 * SEC, &f);
    fa_table_reply(t, f->eid, f->req_id, 0x777, &f);
    fa_table_arrive(t, 0x12, 55, 0x888, &qos_video, 1500, 7 * SEC, &f);
    fa_table_arrive(t, 0x13, 56, 0x889, &qos_raw, 1500, 7 * SEC, &f);
    fa_table_accept(t, f);
    fa_table_arrive(t, 0x14, 57, 0x88a, &qos_best_effort, 1500, 7 * SEC, &f);
    fa_table_dealloc(t, f, 9 * SEC);
    return t;
}

/* Import b, expecting err; the table must be empty after a failure. */
static int try_import(const uint8_t *b, size_t len)
{
    struct fa_table *t = fa_table_new(64, NULL, NULL);
    int r = fa_table_import(t, b, len);

    if (r < 0 && fa_table_count(t) != 0)
        r = -9999;
    fa_table_destroy(&t);
    return r;
}

static void test_snapshot(void)
{
    struct fa_table *t = sample(), *u = fa_table_new(64, NULL, NULL), *small;
    static uint8_t b[4096], c[4096];
    long n = fa_table_export(t, b, sizeof(b)), m;
    int bad;

    is(n, 16 + 5 * 80 + 8, "5 flows: 424 bytes");
    is(fa_table_export(t, b, (size_t)n - 1), -EMSGSIZE, "a short buffer: -EMSGSIZE");
    is(fa_table_import(u, b, (size_t)n), 0, "imported");
    is(fa_table_count(u), 5, "5 flows");
    m = fa_table_export(u, c, sizeof(c));
    ok(m == n && memcmp(b, c, (size_t)n) == 0, "exported again: the same bytes");
    bad = 0;
    for (long off = 16; off < n - 8; off += 80) {
        uint64_t eid = 0;

        for (int i = 0; i < 8; i++)
            eid = eid << 8 | b[off + i];
        struct fa_flow *x = fa_table_by_eid(t, eid), *y = fa_table_by_eid(u, eid);

        if (x == NULL || y == NULL || x->peer_eid != y->peer_eid ||
            x->peer_addr != y->peer_addr || x->req_id != y->req_id ||
            x->deadline != y->deadline || x->state != y->state || x->outbound != y->outbound ||
            x->flow_id != y->flow_id || x->max_sdu != y->max_sdu ||
            memcmp(&x->qos, &y->qos, sizeof(x->qos)) != 0 ||
            fa_table_by_req(u, y->peer_addr, y->req_id, y->outbound) != y)
            bad++;
    }
    is(bad, 0, "every flow back with every field, found by eid and by request");
    is(fa_table_import(u, b, (size_t)n), -EBUSY, "into a table with flows: -EBUSY");

    bad = 0;
    for (long k = 0; k < n; k++)
        bad += try_import(b, (size_t)k) != -EBADMSG;
    is(bad, 0, "every truncation rejected (%ld)", n);
    bad = 0;
    for (long k = 0; k < n; k++)
        for (int bit = 0; bit < 8; bit++) {
            b[k] ^= (uint8_t)(1u << bit);
            bad += try_import(b, (size_t)n) != -EBADMSG;
            b[k] ^= (uint8_t)(1u << bit);
        }
    is(bad, 0, "every single bit flip rejected (%ld)", n * 8);
    is(try_import(b, (size_t)n), 0, "the original still imports");

    memcpy(c, b, (size_t)n);
    c[16 + 76] = 0;
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "state 0 (checksum right): rejected");
    memcpy(c, b, (size_t)n);
    c[16 + 76] = 4;
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "state 4: rejected");
    memcpy(c, b, (size_t)n);
    memset(c + 16, 0, 8);
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "eid 0: rejected");
    memcpy(c, b, (size_t)n);
    memcpy(c + 16 + 80, c + 16, 8);
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "two flows with one eid: rejected");
    memcpy(c, b, (size_t)n);
    memcpy(c + 16 + 80 + 8, c + 16 + 8, 24);
    memcpy(c + 16 + 80 + 77, c + 16 + 77, 1);
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "two flows with one request: rejected");
    memcpy(c, b, (size_t)n);
    c[16 + 79] = 2;
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "in_order 2: rejected");
    memcpy(c, b, (size_t)n);
    c[16 + 77] = 2;
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "outbound 2: rejected");
    memcpy(c, b, (size_t)n);
    c[8] = 6;
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "a count that disagrees with the length: rejected");
    memcpy(c, b, (size_t)n);
    c[4] = 2;
    reseal(c, (size_t)n);
    is(try_import(c, (size_t)n), -EBADMSG, "snapshot version 2: rejected");

    small = fa_table_new(4, NULL, NULL);
    is(fa_table_import(small, b, (size_t)n), -ENOSPC, "5 flows into a table of 4: -ENOSPC");
    fa_table_destroy(&small);

    fa_table_destroy(&u);
    u = fa_table_new(4, NULL, NULL);
    n = fa_table_export(u, b, sizeof(b));
    is(n, 24, "an empty table: 24 bytes");
    is(try_import(b, (size_t)n), 0, "... imports");
    fa_table_destroy(&u);
    fa_table_destroy(&t);
}

int main(void)
{
    test_unique();
    test_quarantine();
    test_requests();
    test_timeouts();
    test_snapshot();
    return done();
}
