/*
 * test_fa_resend.c - the resend queue: a FLOW_REQ every interval until its
 * deadline or its cancel, a FLOW_DEALLOC a fixed number of times, a key
 * replacing its earlier message, and a stalled caller not bursting.
 */
#include "fa_resend.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

#define MS 1000000ull

struct sent {
    int n;
    uint64_t dst;
    uint8_t buf[FA_RESEND_LEN_MAX];
    size_t len;
};

static void on_send(void *arg, uint64_t dst, const uint8_t *buf, size_t len)
{
    struct sent *s = arg;

    s->n++;
    s->dst = dst;
    memcpy(s->buf, buf, len);
    s->len = len;
}

static void test_until(void)
{
    struct fa_resend *q = fa_resend_new();
    struct sent s = {0};
    uint8_t req[] = {1, 1, 2, 3};
    int total = 0;

    ok(q != NULL, "new");
    is(fa_resend_next(q), UINT64_MAX, "empty: nothing due");
    is(fa_resend_add(q, 77, 9, req, sizeof(req), 500 * MS, 500 * MS, 0, 2200 * MS), 0,
       "a FLOW_REQ from 0.5 s, every 0.5 s, until 2.2 s");
    is(fa_resend_next(q), 500 * MS, "next at 0.5 s");
    is(fa_resend_due(q, 499 * MS, on_send, &s), 0, "nothing before");
    for (uint64_t t = 0; t <= 3000 * MS; t += 10 * MS)
        total += (int)fa_resend_due(q, t, on_send, &s);
    is(total, 4, "sent at 0.5, 1, 1.5 and 2 s");
    is(s.dst, 9, "to its address");
    ok(s.len == sizeof(req) && memcmp(s.buf, req, sizeof(req)) == 0, "the same bytes");
    is(fa_resend_count(q), 0, "then forgotten");
    fa_resend_destroy(&q);
    ok(q == NULL, "destroy NULLs the pointer");
    fa_resend_destroy(&q);
}

static void test_count_cancel(void)
{
    struct fa_resend *q = fa_resend_new();
    struct sent s = {0};
    uint8_t d[20] = {1, 4};
    int total = 0;

    is(fa_resend_add(q, 5, 3, d, sizeof(d), 500 * MS, 500 * MS, 2, 1500 * MS), 0,
       "a FLOW_DEALLOC twice more");
    for (uint64_t t = 0; t <= 5000 * MS; t += 100 * MS)
        total += (int)fa_resend_due(q, t, on_send, &s);
    is(total, 2, "sent twice");
    is(fa_resend_count(q), 0, "then forgotten");

    is(fa_resend_add(q, 6, 3, d, sizeof(d), 500 * MS, 500 * MS, 0, 10000 * MS), 0, "another");
    is(fa_resend_add(q, 7, 4, d, sizeof(d), 600 * MS, 500 * MS, 0, 10000 * MS), 0, "a third");
    is(fa_resend_count(q), 2, "two queued");
    is(fa_resend_cancel(q, 6), 0, "cancel the first");
    is(fa_resend_cancel(q, 6), -ENOENT, "twice: -ENOENT");
    is(fa_resend_next(q), 600 * MS, "the other is next");
    is(fa_resend_add(q, 7, 8, d, sizeof(d), 700 * MS, 500 * MS, 0, 10000 * MS), 0,
       "the same key again");
    is(fa_resend_count(q), 1, "replaces it");
    s.n = 0;
    fa_resend_due(q, 700 * MS, on_send, &s);
    ok(s.n == 1 && s.dst == 8, "the new one is sent");
    fa_resend_destroy(&q);
}

static void test_limits(void)
{
    struct fa_resend *q = fa_resend_new();
    static uint8_t big[FA_RESEND_LEN_MAX + 1];
    struct sent s = {0};

    is(fa_resend_add(q, 1, 1, big, sizeof(big), 0, MS, 0, 10 * MS), -EMSGSIZE, "too long");
    is(fa_resend_add(q, 1, 1, big, 8, 0, 0, 0, 10 * MS), -EINVAL, "interval 0");
    is(fa_resend_add(q, 1, 1, big, 8, 10 * MS, MS, 0, 10 * MS), 0, "due at its end");
    is(fa_resend_due(q, 20 * MS, on_send, &s), 0, "is never sent");
    is(fa_resend_count(q), 0, "and forgotten");

    is(fa_resend_add(q, 2, 1, big, 8, 100 * MS, 100 * MS, 0, 100000 * MS), 0, "every 0.1 s");
    is(fa_resend_due(q, 5000 * MS, on_send, &s), 1, "a late tick sends once");
    is(fa_resend_next(q), 5100 * MS, "and goes on from now: no burst");
    fa_resend_destroy(&q);
}

int main(void)
{
    test_until();
    test_count_cancel();
    test_limits();
    return done();
}
