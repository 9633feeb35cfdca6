/*
 * fa_resend.c - the resend queue: a short list (one entry per pending
 * request or deallocation), scanned whole at every tick.
 */
#include "fa_resend.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *next;
    uint64_t key;
    uint64_t dst;
    uint64_t at;
    uint64_t interval;
    uint64_t until;
    uint32_t left; /* sends left; 0: no limit */
    size_t len;
    uint8_t buf[FA_RESEND_LEN_MAX];
};

struct fa_resend {
    struct entry *head;
    size_t count;
};

struct fa_resend *fa_resend_new(void)
{
    return calloc(1, sizeof(struct fa_resend));
}

void fa_resend_destroy(struct fa_resend **p)
{
    struct fa_resend *q;

    assert(p != NULL);
    q = *p;
    if (q == NULL)
        return;
    while (q->head != NULL) {
        struct entry *e = q->head;

        q->head = e->next;
        free(e);
    }
    free(q);
    *p = NULL;
}

int fa_resend_add(struct fa_resend *q, uint64_t key, uint64_t dst, const uint8_t *buf,
                  size_t len, uint64_t at, uint64_t interval, uint32_t count, uint64_t until)
{
    struct entry *e;

    assert(q != NULL && (buf != NULL || len == 0));
    if (len > FA_RESEND_LEN_MAX)
        return -EMSGSIZE;
    if (interval == 0)
        return -EINVAL;
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return -ENOMEM;
    fa_resend_cancel(q, key);
    e->key = key;
    e->dst = dst;
    e->at = at;
    e->interval = interval;
    e->until = until;
    e->left = count;
    e->len = len;
    if (len > 0)
        memcpy(e->buf, buf, len);
    e->next = q->head;
    q->head = e;
    q->count++;
    return 0;
}

int fa_resend_cancel(struct fa_resend *q, uint64_t key)
{
    assert(q != NULL);
    for (struct entry **pp = &q->head; *pp != NULL; pp = &(*pp)->next) {
        struct entry *e = *pp;

        if (e->key == key) {
            *pp = e->next;
            free(e);
            q->count--;
            return 0;
        }
    }
    return -ENOENT;
}

size_t fa_resend_due(struct fa_resend *q, uint64_t now, fa_resend_fn fn, void *arg)
{
    size_t sent = 0;
    struct entry **pp;

    assert(q != NULL && fn != NULL);
    pp = &q->head;
    while (*pp != NULL) {
        struct entry *e = *pp;
        bool done = false;

        if (e->at >= e->until) {
            done = true;
        } else if (e->at <= now) {
            fn(arg, e->dst, e->buf, e->len);
            sent++;
            if (e->left > 0 && --e->left == 0)
                done = true;
            /* after a stall, resume from now rather than burst to catch up */
            e->at = (e->at + e->interval > now ? e->at : now) + e->interval;
            if (e->at >= e->until)
                done = true;
        }
        if (done) {
            *pp = e->next;
            free(e);
            q->count--;
        } else {
            pp = &e->next;
        }
    }
    return sent;
}

uint64_t fa_resend_next(const struct fa_resend *q)
{
    uint64_t next = UINT64_MAX;

    assert(q != NULL);
    for (const struct entry *e = q->head; e != NULL; e = e->next)
        if (e->at < next)
            next = e->at;
    return next;
}

size_t fa_resend_count(const struct fa_resend *q)
{
    assert(q != NULL);
    return q->count;
}
