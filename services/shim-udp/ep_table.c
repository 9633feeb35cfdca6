/*
 * ep_table.c - the UDP shim's endpoint table.
 */
#include "ep_table.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

/* What a reserved slot holds: its endpoint id 0 matches no datagram. */
static struct udp_flow reserved = {.eid = 0};

struct ep_table *ep_table_new(void)
{
    struct ep_table *t = calloc(1, sizeof(*t));

    if (t != NULL)
        t->next = 1;
    return t;
}

void ep_table_destroy(struct ep_table **p)
{
    if (p == NULL || *p == NULL)
        return;
    free(*p);
    *p = NULL;
}

static void take(struct ep_table *t, struct udp_flow *f, uint32_t s)
{
    f->eid = (uint32_t)t->gen[s] << 16 | s;
    f->in_slot = true;
    atomic_store_explicit(&t->slot[s], &reserved, memory_order_relaxed);
    t->count++;
}

int ep_table_reserve(struct ep_table *t, struct udp_flow *f)
{
    assert(t && f && !f->in_slot);

    for (uint32_t i = 0; i < EP_SLOTS - 1; i++) {
        uint32_t s = t->next;

        t->next = s + 1 < EP_SLOTS ? s + 1 : 1;
        if (atomic_load_explicit(&t->slot[s], memory_order_relaxed) == NULL) {
            take(t, f, s);
            return 0;
        }
    }
    return -ENOSPC;
}

int ep_table_reserve_eid(struct ep_table *t, struct udp_flow *f, uint32_t eid)
{
    uint32_t s = eid & (EP_SLOTS - 1);

    assert(t && f && !f->in_slot);
    if (s == 0)
        return -EINVAL;
    if (atomic_load_explicit(&t->slot[s], memory_order_relaxed) != NULL)
        return -EEXIST;
    t->gen[s] = (uint16_t)(eid >> 16);
    take(t, f, s);
    return 0;
}

void ep_table_publish(struct ep_table *t, struct udp_flow *f)
{
    _Atomic(struct udp_flow *) *b = &t->by_fid[f->fid & (EP_FID_BUCKETS - 1)];

    assert(f->in_slot && !f->by_fid);
    atomic_store_explicit(&f->fid_next, atomic_load_explicit(b, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(b, f, memory_order_release);
    atomic_store_explicit(&t->slot[f->eid & (EP_SLOTS - 1)], f, memory_order_release);
    f->by_fid = true;
}

int ep_table_add(struct ep_table *t, struct udp_flow *f)
{
    int err = ep_table_reserve(t, f);

    if (err == 0)
        ep_table_publish(t, f);
    return err;
}

static uint32_t peer_bucket(const struct udp_addr *a, uint32_t peer_eid)
{
    return (udp_addr_hash(a) ^ (peer_eid * 2654435761u)) & (EP_PEER_BUCKETS - 1);
}

void ep_table_index_peer(struct ep_table *t, struct udp_flow *f)
{
    uint32_t b = peer_bucket(&f->peer, f->peer_eid);

    if (f->by_peer)
        return;
    f->peer_next = t->by_peer[b];
    t->by_peer[b] = f;
    f->by_peer = true;
}

struct udp_flow *ep_table_by_peer(struct ep_table *t, const struct udp_addr *a,
                                  uint32_t peer_eid)
{
    struct udp_flow *f = t->by_peer[peer_bucket(a, peer_eid)];

    while (f != NULL && (f->peer_eid != peer_eid || !udp_addr_equal(&f->peer, a)))
        f = f->peer_next;
    return f;
}

void ep_table_remove(struct ep_table *t, struct udp_flow *f)
{
    assert(t && f);
    if (f->in_slot) {
        uint32_t s = f->eid & (EP_SLOTS - 1);

        atomic_store_explicit(&t->slot[s], NULL, memory_order_release);
        t->gen[s]++;
        t->count--;
        f->in_slot = false;
    }
    if (f->by_fid) {
        _Atomic(struct udp_flow *) *p = &t->by_fid[f->fid & (EP_FID_BUCKETS - 1)];

        /* f keeps its own next, so a reader standing on f walks on. */
        while (atomic_load_explicit(p, memory_order_relaxed) != f)
            p = &atomic_load_explicit(p, memory_order_relaxed)->fid_next;
        atomic_store_explicit(p, atomic_load_explicit(&f->fid_next, memory_order_relaxed),
                              memory_order_release);
        f->by_fid = false;
    }
    if (f->by_peer) {
        struct udp_flow **q = &t->by_peer[peer_bucket(&f->peer, f->peer_eid)];

        while (*q != f)
            q = &(*q)->peer_next;
        *q = f->peer_next;
        f->by_peer = false;
    }
}

void ep_table_foreach(struct ep_table *t, void (*fn)(void *arg, struct udp_flow *f), void *arg)
{
    for (uint32_t b = 0; b < EP_FID_BUCKETS; b++) {
        struct udp_flow *f = atomic_load_explicit(&t->by_fid[b], memory_order_acquire);

        while (f != NULL) {
            struct udp_flow *next = atomic_load_explicit(&f->fid_next, memory_order_acquire);

            fn(arg, f);
            f = next;
        }
    }
}

void ep_table_foreach_peer(struct ep_table *t, void (*fn)(void *arg, struct udp_flow *f),
                           void *arg)
{
    for (uint32_t b = 0; b < EP_PEER_BUCKETS; b++) {
        struct udp_flow *f = t->by_peer[b];

        while (f != NULL) {
            struct udp_flow *next = f->peer_next;

            fn(arg, f);
            f = next;
        }
    }
}
