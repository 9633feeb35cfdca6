/*
 * pff.c - forwarding tables: open addressing with linear probing, at most
 * half full, built once and then only read.
 */
#include "pff.h"

#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct pff_slot {
    uint64_t dst; /* 0: empty */
    int32_t nhop[PFF_NHOPS_MAX];
    int32_t alt; /* -1: none */
    uint8_t n;
};

struct pff_table {
    size_t mask; /* slots - 1, slots a power of two */
    size_t max;
    size_t size;
    struct pff_slot slot[];
};

struct pff {
    _Atomic(struct pff_table *) tab[QOS_CUBE_MAX];
    _Atomic uint64_t down[PFF_NHOP_IDS / 64];
    _Atomic uint64_t period; /* of pff_synchronize, from 1 */
    struct {
        alignas(64) _Atomic uint64_t seen; /* 0: outside, else the period at pff_enter */
    } reader[PFF_READERS];
};

/* A multiply-xorshift mix: every input bit reaches every output bit. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= UINT64_C(0xd6e8feb86659fd93);
    x ^= x >> 32;
    x *= UINT64_C(0xd6e8feb86659fd93);
    x ^= x >> 32;
    return x;
}

uint64_t pff_flow_hash(uint64_t dst, uint64_t eid)
{
    return mix(dst ^ mix(eid + UINT64_C(0x9e3779b97f4a7c15)));
}

struct pff_table *pff_table_new(size_t max_entries)
{
    size_t slots = 8;
    struct pff_table *t;

    while (slots < 2 * max_entries)
        slots *= 2;
    t = calloc(1, sizeof(*t) + slots * sizeof(t->slot[0]));
    if (t == NULL)
        return NULL;
    t->mask = slots - 1;
    t->max = max_entries;
    return t;
}

void pff_table_free(struct pff_table **t)
{
    assert(t != NULL);
    free(*t);
    *t = NULL;
}

static bool id_ok(int id)
{
    return id >= 0 && (unsigned)id < PFF_NHOP_IDS;
}

int pff_table_add(struct pff_table *t, uint64_t dst, const int *nhops, size_t n, int alt)
{
    size_t i;

    assert(t != NULL && dst != 0 && nhops != NULL && n >= 1 && n <= PFF_NHOPS_MAX);
    for (size_t k = 0; k < n; k++)
        if (!id_ok(nhops[k]))
            return -EINVAL;
    if (alt != -1 && !id_ok(alt))
        return -EINVAL;
    for (i = mix(dst) & t->mask; t->slot[i].dst != 0; i = (i + 1) & t->mask)
        if (t->slot[i].dst == dst)
            return -EEXIST;
    if (t->size >= t->max)
        return -ENOSPC;
    t->slot[i].dst = dst;
    for (size_t k = 0; k < n; k++)
        t->slot[i].nhop[k] = nhops[k];
    t->slot[i].n = (uint8_t)n;
    t->slot[i].alt = alt;
    t->size++;
    return 0;
}

size_t pff_table_size(const struct pff_table *t)
{
    assert(t != NULL);
    return t->size;
}

struct pff *pff_new(void)
{
    struct pff *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return NULL;
    for (size_t c = 0; c < QOS_CUBE_MAX; c++)
        atomic_init(&p->tab[c], NULL);
    for (size_t w = 0; w < PFF_NHOP_IDS / 64; w++)
        atomic_init(&p->down[w], 0);
    atomic_init(&p->period, 1);
    for (size_t i = 0; i < PFF_READERS; i++)
        atomic_init(&p->reader[i].seen, 0);
    return p;
}

void pff_destroy(struct pff **p)
{
    assert(p != NULL);
    if (*p == NULL)
        return;
    for (size_t c = 0; c < QOS_CUBE_MAX; c++) {
        struct pff_table *t = atomic_load(&(*p)->tab[c]);

        pff_table_free(&t);
    }
    free(*p);
    *p = NULL;
}

struct pff_table *pff_publish(struct pff *p, uint8_t cube, struct pff_table *t)
{
    assert(p != NULL && cube < QOS_CUBE_MAX);
    return atomic_exchange_explicit(&p->tab[cube], t, memory_order_acq_rel);
}

void pff_enter(struct pff *p, int reader)
{
    assert(p != NULL && reader >= 0 && (unsigned)reader < PFF_READERS);
    atomic_store_explicit(&p->reader[reader].seen,
                          atomic_load_explicit(&p->period, memory_order_acquire),
                          memory_order_seq_cst);
    /* No load of a table may move above the store. */
    atomic_thread_fence(memory_order_seq_cst);
}

void pff_leave(struct pff *p, int reader)
{
    assert(p != NULL && reader >= 0 && (unsigned)reader < PFF_READERS);
    atomic_store_explicit(&p->reader[reader].seen, 0, memory_order_release);
}

void pff_synchronize(struct pff *p)
{
    uint64_t now;

    assert(p != NULL);
    now = atomic_fetch_add_explicit(&p->period, 1, memory_order_seq_cst) + 1;
    atomic_thread_fence(memory_order_seq_cst);
    for (size_t i = 0; i < PFF_READERS; i++) {
        /* A reader inside holds a packet: microseconds. The bound only
         * guards against a reader that broke the rule and blocked. */
        for (int spins = 0; spins < 200000; spins++) {
            uint64_t s = atomic_load_explicit(&p->reader[i].seen, memory_order_seq_cst);

            if (s == 0 || s >= now)
                break;
            if (spins < 100) {
                sched_yield();
            } else {
                struct timespec ts = {0, 50000};

                nanosleep(&ts, NULL);
            }
        }
    }
}

void pff_set_down(struct pff *p, int nhop, bool down)
{
    uint64_t bit;

    assert(p != NULL && id_ok(nhop));
    bit = UINT64_C(1) << (nhop % 64);
    if (down)
        atomic_fetch_or_explicit(&p->down[nhop / 64], bit, memory_order_relaxed);
    else
        atomic_fetch_and_explicit(&p->down[nhop / 64], ~bit, memory_order_relaxed);
}

bool pff_is_down(const struct pff *p, int nhop)
{
    assert(p != NULL && id_ok(nhop));
    /* The bitmap is only read here; the cast drops const for C11's atomic
     * load, which does not take a const pointer in every libc. */
    return (atomic_load_explicit((_Atomic uint64_t *)&p->down[nhop / 64],
                                 memory_order_relaxed) >>
            (nhop % 64)) &
           1;
}

static const struct pff_slot *slot_find(const struct pff_table *t, uint64_t dst)
{
    for (size_t i = mix(dst) & t->mask, k = 0; k <= t->mask; i = (i + 1) & t->mask, k++) {
        if (t->slot[i].dst == dst)
            return &t->slot[i];
        if (t->slot[i].dst == 0)
            return NULL;
    }
    return NULL;
}

int pff_lookup(const struct pff *p, uint8_t cube, uint64_t dst, uint64_t eid)
{
    const struct pff_table *t;
    const struct pff_slot *s;
    size_t first;

    assert(p != NULL);
    if (cube >= QOS_CUBE_MAX || dst == 0)
        return -EHOSTUNREACH;
    t = atomic_load_explicit((_Atomic(struct pff_table *) *)&p->tab[cube],
                             memory_order_acquire);
    if (t == NULL || (s = slot_find(t, dst)) == NULL)
        return -EHOSTUNREACH;
    first = s->n == 1 ? 0 : (size_t)(pff_flow_hash(dst, eid) % s->n);
    for (size_t k = 0; k < s->n; k++) {
        int nh = s->nhop[(first + k) % s->n];

        if (!pff_is_down(p, nh))
            return nh;
    }
    if (s->alt >= 0 && !pff_is_down(p, s->alt))
        return s->alt;
    return -EHOSTUNREACH;
}
