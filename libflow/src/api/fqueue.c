/*
 * fqueue.c - flow sets and event queues: a flow set is one of the
 * process's event queues (evq_set.h); a flow in it has that queue in its rx
 * ring's notify word, so its writer posts a packet event per packet. fevent
 * waits on the queue and fills an fqueue with (descriptor, type) pairs; an
 * overflow of the queue makes it look at every flow of the set instead.
 */
#include "lib.h"

#include "deadline.h"

#include <errno.h>
#include <ourobus/fqueue.h>
#include <stdlib.h>
#include <string.h>

#define FQUEUE_SIZE 1024

struct flow_set {
    uint32_t q;     /* its queue in the process's event queues */
    struct spin sp; /* fevent's spin before sleeping, adapted across calls */
};

struct fqueue {
    struct {
        int fd;
        enum fqtype type;
    } ev[FQUEUE_SIZE];
    int n;
    int next;
    enum fqtype last;
};

fset_t *fset_create(void)
{
    fset_t *set;
    uint32_t q;

    if (lib_ready() < 0)
        return NULL;
    set = calloc(1, sizeof(*set));
    if (set == NULL)
        return NULL;
    pthread_mutex_lock(&lib.lock);
    for (q = 1; q < lib.evq.count && q < 32; q++)
        if (!(lib.fsets & (1u << q)))
            break;
    if (q >= lib.evq.count || q >= 32) {
        pthread_mutex_unlock(&lib.lock);
        free(set);
        return NULL;
    }
    lib.fsets |= 1u << q;
    pthread_mutex_unlock(&lib.lock);
    set->q = q;
    spin_init(&set->sp, spin_default_ns());
    {
        /* Events left by an earlier set on this queue mean nothing now. */
        struct evq_event ev;
        while (evq_next(evq_set_queue(&lib.evq, q), &ev) > 0)
            ;
    }
    return set;
}

void fset_destroy(fset_t *set)
{
    if (set == NULL)
        return;
    fset_zero(set);
    pthread_mutex_lock(&lib.lock);
    lib.fsets &= ~(1u << set->q);
    pthread_mutex_unlock(&lib.lock);
    free(set);
}

fqueue_t *fqueue_create(void)
{
    return calloc(1, sizeof(fqueue_t));
}

void fqueue_destroy(fqueue_t *fq)
{
    free(fq);
}

void fset_zero(fset_t *set)
{
    if (set == NULL || lib.flows == NULL)
        return;
    for (int i = 0; i < LIB_FLOWS; i++)
        if (atomic_load(&lib.flows[i].fset) == set->q)
            fset_del(set, LIB_FD_BASE + i);
}

/* Events the state of f already calls for (a flow added to a set, or seen
 * again after an overflow). */
static void post_state(struct flow *f, uint32_t q)
{
    struct evq *evq = evq_set_queue(&lib.evq, q);
    uint32_t st = ring_state(f->rx.ring);

    if (ring_has_data(f->rx.ring) || f->part_off != 0)
        evq_post(evq, f->id, EVQ_FLOW_PKT);
    else if (st & RING_PROD_GONE)
        evq_post(evq, f->id, EVQ_FLOW_PEER);
    if (st & RING_DOWN)
        evq_post(evq, f->id, EVQ_FLOW_DOWN);
}

int fset_add(fset_t *set, int fd)
{
    struct flow *f;
    uint32_t expect = 0;
    int err;

    if (set == NULL)
        return -EINVAL;
    f = flow_get(fd, &err);
    if (f == NULL)
        return err;
    if (!atomic_compare_exchange_strong(&f->fset, &expect, set->q) && expect != set->q) {
        flow_put(f);
        return -EPERM; /* in another set */
    }
    ring_set_notify(f->rx.ring, set->q);
    post_state(f, set->q);
    flow_put(f);
    return 0;
}

bool fset_has(const fset_t *set, int fd)
{
    struct flow *f;
    bool has;
    int err;

    if (set == NULL)
        return false;
    f = flow_get(fd, &err);
    if (f == NULL)
        return false;
    has = atomic_load(&f->fset) == set->q;
    flow_put(f);
    return has;
}

void fset_del(fset_t *set, int fd)
{
    struct flow *f;
    uint32_t expect;
    int err;

    if (set == NULL)
        return;
    f = flow_get(fd, &err);
    if (f == NULL)
        return;
    expect = set->q;
    if (atomic_compare_exchange_strong(&f->fset, &expect, 0))
        ring_set_notify(f->rx.ring, 0);
    flow_put(f);
}

static void fq_add(fqueue_t *fq, int fd, enum fqtype type)
{
    if (fq->n < FQUEUE_SIZE) {
        fq->ev[fq->n].fd = fd;
        fq->ev[fq->n].type = type;
        fq->n++;
    }
}

/* Events were lost: look at every flow of the set. */
static void rescan(fset_t *set, fqueue_t *fq)
{
    for (int i = 0; i < LIB_FLOWS && fq->n < FQUEUE_SIZE; i++) {
        struct flow *f = &lib.flows[i];
        uint32_t st;
        if (atomic_load(&f->state) != SLOT_OPEN || atomic_load(&f->fset) != set->q)
            continue;
        st = ring_state(f->rx.ring);
        if (ring_has_data(f->rx.ring) || f->part_off != 0)
            fq_add(fq, LIB_FD_BASE + i, FLOW_PKT);
        else if (st & RING_PROD_GONE)
            fq_add(fq, LIB_FD_BASE + i, FLOW_PEER);
        if (st & RING_DOWN)
            fq_add(fq, LIB_FD_BASE + i, FLOW_DOWN);
    }
}

static void take(fset_t *set, fqueue_t *fq, const struct evq_event *ev)
{
    struct flow *f;

    if (ev->type == EVQ_OVERFLOW) {
        rescan(set, fq);
        return;
    }
    f = flow_by_id(ev->flow);
    if (f == NULL || atomic_load(&f->fset) != set->q)
        return; /* closed, or moved to another set since */
    fq_add(fq, flow_fd(f), (enum fqtype)ev->type);
}

ssize_t fevent(fset_t *set, fqueue_t *fq, const struct timespec *timeo)
{
    struct evq_event ev;
    struct evq *evq;
    uint64_t deadline;
    int r;

    if (set == NULL || fq == NULL ||
        (timeo != NULL &&
         (timeo->tv_sec < 0 || timeo->tv_nsec < 0 || timeo->tv_nsec >= 1000000000)))
        return -EINVAL;
    evq = evq_set_queue(&lib.evq, set->q);
    if (evq == NULL)
        return -EINVAL;
    deadline = deadline_after(timeo);
    fq->n = 0;
    fq->next = 0;
    while (fq->n == 0) {
        r = evq_wait(evq, &ev, deadline, &set->sp);
        if (r < 0)
            return r;
        take(set, fq, &ev);
        while (fq->n < FQUEUE_SIZE && evq_next(evq, &ev) > 0)
            take(set, fq, &ev);
    }
    return 1;
}

int fqueue_next(fqueue_t *fq)
{
    if (fq == NULL || fq->next >= fq->n)
        return -EPERM;
    fq->last = fq->ev[fq->next].type;
    return fq->ev[fq->next++].fd;
}

enum fqtype fqueue_type(fqueue_t *fq)
{
    return fq != NULL ? fq->last : 0;
}
