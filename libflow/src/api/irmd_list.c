/*
 * irmd_list.c - read a list method of the IRM daemon page by page into
 * one array, retrying when the list changes under the reader.
 */
#include "irmd_list.h"

#include "irmd_client.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define IRMD_LIST_TRIES 4 /* the last one takes the list as it comes */

struct list_buf {
    uint8_t *data;
    size_t n;   /* entries held */
    size_t cap; /* entries allocated */
};

static int buf_reserve(struct list_buf *b, size_t want, size_t entry_size)
{
    uint8_t *p;

    if (want <= b->cap)
        return 0;
    p = realloc(b->data, want * entry_size);
    if (p == NULL)
        return -ENOMEM;
    b->data = p;
    b->cap = want;
    return 0;
}

/* One pass over the pages. 1 if the list changed meanwhile (and strict),
 * 0 when read whole, -errno. */
static int list_pass(const struct irmd_list_desc *d, uint8_t *rep, struct list_buf *b,
                     bool strict)
{
    irm_list_page_t req = IRM_LIST_PAGE_INIT_ZERO;
    uint32_t total = 0;
    bool first = true;

    b->n = 0;
    do {
        uint32_t t;
        pb_size_t k;
        int err;

        memset(rep, 0, d->rep_size);
        req.offset = (uint32_t)b->n;
        err =
            irmd_call(d->method, IRM_LIST_PAGE_FIELDS, &req, d->fields, rep, IRMD_CALL_TIMEOUT);
        if (err < 0)
            return err;
        memcpy(&t, rep + d->total_off, sizeof(t));
        memcpy(&k, rep + d->count_off, sizeof(k));
        if (t > IRMD_LIST_MAX || k > d->page_max)
            return -EPROTO;
        if (first)
            total = t;
        first = false;
        /* Another total, an empty page before the end or more entries than
         * announced: the list changed between two pages. */
        if (t != total || (k == 0 && b->n < total) || b->n + k > total) {
            if (strict)
                return 1;
            if (k == 0)
                break;
            total = t > b->n + k ? t : (uint32_t)(b->n + k);
        }
        err = buf_reserve(b, total, d->entry_size);
        if (err < 0)
            return err;
        if (k == 0)
            break; /* an empty list */
        memcpy(b->data + b->n * d->entry_size, rep + d->entries_off, k * d->entry_size);
        b->n += k;
    } while (b->n < total);
    return 0;
}

ssize_t irmd_list_fetch(const struct irmd_list_desc *d, void **out)
{
    struct list_buf b = {NULL, 0, 0};
    uint8_t *rep;
    int r = 1;

    assert(d);
    assert(out);
    assert(d->fields && d->rep_size > 0 && d->entry_size > 0 && d->page_max > 0);

    *out = NULL;
    rep = malloc(d->rep_size);
    if (rep == NULL)
        return -ENOMEM;
    for (int i = 0; i < IRMD_LIST_TRIES && r == 1; i++)
        r = list_pass(d, rep, &b, i < IRMD_LIST_TRIES - 1);
    free(rep);
    if (r < 0 || b.n == 0) {
        free(b.data);
        return r < 0 ? r : 0;
    }
    *out = b.data;
    return (ssize_t)b.n;
}
