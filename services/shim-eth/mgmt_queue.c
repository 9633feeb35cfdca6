/*
 * mgmt_queue.c - a mutex-protected ring of management messages with an
 * eventfd for the main loop. Management traffic is rare: a lock is fine.
 */
#include "mgmt_queue.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct mgmt_queue {
    pthread_mutex_t mtx;
    struct mgmt_item *items;
    size_t cap;
    size_t head; /* next to take */
    size_t n;
    int fd;
};

struct mgmt_queue *mgmt_queue_new(size_t cap)
{
    struct mgmt_queue *q;

    assert(cap > 0);
    q = calloc(1, sizeof(*q));
    if (q == NULL)
        return NULL;
    q->items = calloc(cap, sizeof(*q->items));
    if (q->items == NULL)
        goto fail_items;
    q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->fd < 0)
        goto fail_fd;
    pthread_mutex_init(&q->mtx, NULL);
    q->cap = cap;
    return q;
fail_fd:
    free(q->items);
fail_items:
    free(q);
    return NULL;
}

void mgmt_queue_destroy(struct mgmt_queue **p)
{
    struct mgmt_queue *q;

    if (p == NULL || *p == NULL)
        return;
    q = *p;
    close(q->fd);
    pthread_mutex_destroy(&q->mtx);
    free(q->items);
    free(q);
    *p = NULL;
}

int mgmt_queue_fd(const struct mgmt_queue *q)
{
    return q->fd;
}

void mgmt_queue_kick(struct mgmt_queue *q)
{
    uint64_t one = 1;

    if (write(q->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        abort(); /* an eventfd write fails only when it overflows */
}

int mgmt_queue_put(struct mgmt_queue *q, const struct mgmt_item *it)
{
    int was_empty;

    pthread_mutex_lock(&q->mtx);
    if (q->n == q->cap) {
        pthread_mutex_unlock(&q->mtx);
        return -ENOSPC;
    }
    q->items[(q->head + q->n) % q->cap] = *it;
    was_empty = q->n++ == 0;
    pthread_mutex_unlock(&q->mtx);
    if (was_empty)
        mgmt_queue_kick(q);
    return 0;
}

void mgmt_queue_ack(struct mgmt_queue *q)
{
    uint64_t v;
    ssize_t r = read(q->fd, &v, sizeof(v)); /* EAGAIN: nothing to clear */

    (void)r;
}

int mgmt_queue_take(struct mgmt_queue *q, struct mgmt_item *it)
{
    int got = 0;

    pthread_mutex_lock(&q->mtx);
    if (q->n > 0) {
        *it = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        got = 1;
    }
    pthread_mutex_unlock(&q->mtx);
    return got;
}
