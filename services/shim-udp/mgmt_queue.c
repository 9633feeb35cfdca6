/*
 * mgmt_queue.c - the receive thread's queue of management datagrams.
 */
#include "mgmt_queue.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct mgmt_item {
    uint64_t off;
    struct udp_addr from;
};

struct mgmt_queue {
    alignas(64) _Atomic uint32_t tail;  /* producer */
    alignas(64) _Atomic uint32_t head;  /* consumer */
    alignas(64) _Atomic uint32_t armed; /* 1: the consumer wants the fd written */
    int fd;
    struct mgmt_item item[MGMT_QUEUE_SLOTS];
};

struct mgmt_queue *mgmt_queue_new(void)
{
    struct mgmt_queue *q = calloc(1, sizeof(*q));

    if (q == NULL)
        return NULL;
    q->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (q->fd < 0) {
        free(q);
        return NULL;
    }
    atomic_store(&q->armed, 1);
    return q;
}

void mgmt_queue_destroy(struct mgmt_queue **p)
{
    if (p == NULL || *p == NULL)
        return;
    close((*p)->fd);
    free(*p);
    *p = NULL;
}

int mgmt_queue_fd(const struct mgmt_queue *q)
{
    return q->fd;
}

int mgmt_queue_push(struct mgmt_queue *q, uint64_t off, const struct udp_addr *from)
{
    uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    uint64_t one = 1;

    if (t - atomic_load_explicit(&q->head, memory_order_acquire) >= MGMT_QUEUE_SLOTS)
        return -ENOSPC;
    q->item[t % MGMT_QUEUE_SLOTS] = (struct mgmt_item){off, *from};
    atomic_store_explicit(&q->tail, t + 1, memory_order_seq_cst);
    if (atomic_exchange_explicit(&q->armed, 0, memory_order_seq_cst) == 1 &&
        write(q->fd, &one, sizeof(one)) < 0)
        atomic_store(&q->armed, 1); /* cannot fail with a counter far from its maximum */
    return 0;
}

void mgmt_queue_arm(struct mgmt_queue *q)
{
    uint64_t v;

    if (read(q->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
        return;
    atomic_store_explicit(&q->armed, 1, memory_order_seq_cst);
}

int mgmt_queue_pop(struct mgmt_queue *q, uint64_t *off, struct udp_addr *from)
{
    uint32_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
    const struct mgmt_item *it;

    if (h == atomic_load_explicit(&q->tail, memory_order_acquire))
        return -EAGAIN;
    it = &q->item[h % MGMT_QUEUE_SLOTS];
    *off = it->off;
    *from = it->from;
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
    return 0;
}
