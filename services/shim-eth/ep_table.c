/*
 * ep_table.c - endpoint id, flow id and peer tables of the Ethernet shim:
 * atomic pointer arrays read without locks, a bitmap of the endpoint ids in
 * use, and read-section counters for safe removal.
 */
#include "ep_table.h"

#include "event_queue.h"

#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define ID_PAGE_BITS 10u
#define ID_PAGE      (1u << ID_PAGE_BITS)
#define ID_PAGES     ((EVQ_FLOW_MAX + 1) >> ID_PAGE_BITS)
#define PEER_BUCKETS 4096u
#define WORDS        (EP_EIDS / 64)

struct id_page {
    _Atomic(struct eth_flow *) e[ID_PAGE];
};

struct ep_table {
    _Atomic(struct eth_flow *) eid[EP_EIDS];
    _Atomic uint64_t used[WORDS];
    _Atomic(struct id_page *) id[ID_PAGES];
    struct eth_flow *peer[PEER_BUCKETS];
    struct ep_reader readers[EP_READERS];
    uint32_t cursor; /* the last endpoint id given */
    size_t count;
};

struct ep_table *ep_table_new(void)
{
    struct ep_table *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    /* eid 0 is management: never given, never found. */
    atomic_store(&t->used[0], 1);
    return t;
}

void ep_table_destroy(struct ep_table **p)
{
    struct ep_table *t;

    if (p == NULL || *p == NULL)
        return;
    t = *p;
    for (size_t i = 0; i < ID_PAGES; i++)
        free(atomic_load(&t->id[i]));
    free(t);
    *p = NULL;
}

static inline int used(struct ep_table *t, uint32_t eid)
{
    return (atomic_load_explicit(&t->used[eid / 64], memory_order_relaxed) >> (eid % 64)) & 1;
}

static void put(struct ep_table *t, struct eth_flow *ef)
{
    atomic_store_explicit(&t->eid[ef->eid], ef, memory_order_release);
    atomic_fetch_or_explicit(&t->used[ef->eid / 64], 1ull << (ef->eid % 64),
                             memory_order_release);
    ef->in |= ETH_FLOW_IN_EID;
    t->count++;
}

int ep_table_add(struct ep_table *t, struct eth_flow *ef)
{
    uint32_t e;

    assert(t && ef && !(ef->in & ETH_FLOW_IN_EID));
    if (t->count >= EP_EIDS - 1)
        return -ENOSPC;
    /* Round-robin from the last id given: an id is reused as late as
     * possible, so a late frame for an old flow finds no one. */
    e = t->cursor;
    do {
        e = (e + 1) & (EP_EIDS - 1);
    } while (used(t, e));
    t->cursor = e;
    ef->eid = (uint16_t)e;
    put(t, ef);
    return 0;
}

int ep_table_add_at(struct ep_table *t, struct eth_flow *ef)
{
    assert(t && ef && !(ef->in & ETH_FLOW_IN_EID));
    if (ef->eid == ETH_EID_MGMT)
        return -EINVAL;
    if (used(t, ef->eid))
        return -EEXIST;
    put(t, ef);
    return 0;
}

int ep_table_bind_id(struct ep_table *t, struct eth_flow *ef)
{
    struct id_page *pg;
    uint32_t hi;

    assert(t && ef && !(ef->in & ETH_FLOW_IN_ID));
    if (ef->flow_id > EVQ_FLOW_MAX)
        return -EINVAL;
    hi = ef->flow_id >> ID_PAGE_BITS;
    pg = atomic_load_explicit(&t->id[hi], memory_order_acquire);
    if (pg == NULL) {
        pg = calloc(1, sizeof(*pg));
        if (pg == NULL)
            return -ENOMEM;
        atomic_store_explicit(&t->id[hi], pg, memory_order_release);
    }
    atomic_store_explicit(&pg->e[ef->flow_id & (ID_PAGE - 1)], ef, memory_order_release);
    ef->in |= ETH_FLOW_IN_ID;
    return 0;
}

static unsigned int peer_bucket(const uint8_t *mac, uint16_t peer_eid)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (int i = 0; i < ETH_MAC_LEN; i++)
        h = (h ^ mac[i]) * 16777619u;
    h = (h ^ (peer_eid & 0xff)) * 16777619u;
    h = (h ^ (peer_eid >> 8)) * 16777619u;
    return h & (PEER_BUCKETS - 1);
}

void ep_table_bind_peer(struct ep_table *t, struct eth_flow *ef)
{
    unsigned int b;

    assert(t && ef && !(ef->in & ETH_FLOW_IN_PEER));
    b = peer_bucket(ef->peer_mac, ef->peer_eid);
    ef->peer_next = t->peer[b];
    t->peer[b] = ef;
    ef->in |= ETH_FLOW_IN_PEER;
}

void ep_table_del(struct ep_table *t, struct eth_flow *ef)
{
    assert(t && ef);
    if (ef->in & ETH_FLOW_IN_EID) {
        atomic_fetch_and_explicit(&t->used[ef->eid / 64], ~(1ull << (ef->eid % 64)),
                                  memory_order_seq_cst);
        atomic_store_explicit(&t->eid[ef->eid], NULL, memory_order_seq_cst);
        t->count--;
    }
    if (ef->in & ETH_FLOW_IN_ID) {
        struct id_page *pg = atomic_load(&t->id[ef->flow_id >> ID_PAGE_BITS]);
        atomic_store_explicit(&pg->e[ef->flow_id & (ID_PAGE - 1)], NULL, memory_order_seq_cst);
    }
    if (ef->in & ETH_FLOW_IN_PEER) {
        struct eth_flow **pp = &t->peer[peer_bucket(ef->peer_mac, ef->peer_eid)];
        while (*pp != NULL && *pp != ef)
            pp = &(*pp)->peer_next;
        if (*pp == ef)
            *pp = ef->peer_next;
        ef->peer_next = NULL;
    }
    ef->in = 0;
}

void ep_table_sync(struct ep_table *t)
{
    atomic_thread_fence(memory_order_seq_cst);
    for (unsigned int i = 0; i < EP_READERS; i++) {
        uint64_t s = atomic_load_explicit(&t->readers[i].seq, memory_order_seq_cst);
        if ((s & 1) == 0)
            continue;
        while (atomic_load_explicit(&t->readers[i].seq, memory_order_acquire) == s)
            sched_yield();
    }
}

struct ep_reader *ep_table_reader(struct ep_table *t, unsigned int i)
{
    assert(t && i < EP_READERS);
    return &t->readers[i];
}

struct eth_flow *ep_table_by_eid(struct ep_table *t, uint16_t eid)
{
    return atomic_load_explicit(&t->eid[eid], memory_order_acquire);
}

struct eth_flow *ep_table_by_id(struct ep_table *t, uint32_t flow_id)
{
    struct id_page *pg;

    if (flow_id > EVQ_FLOW_MAX)
        return NULL;
    pg = atomic_load_explicit(&t->id[flow_id >> ID_PAGE_BITS], memory_order_acquire);
    if (pg == NULL)
        return NULL;
    return atomic_load_explicit(&pg->e[flow_id & (ID_PAGE - 1)], memory_order_acquire);
}

struct eth_flow *ep_table_by_peer(struct ep_table *t, const uint8_t *mac, uint16_t peer_eid)
{
    struct eth_flow *ef = t->peer[peer_bucket(mac, peer_eid)];

    while (ef != NULL && (ef->peer_eid != peer_eid || memcmp(ef->peer_mac, mac, ETH_MAC_LEN)))
        ef = ef->peer_next;
    return ef;
}

uint32_t ep_table_next(struct ep_table *t, uint32_t from)
{
    uint64_t w;
    uint32_t i;

    if (from == 0)
        from = 1;
    if (from >= EP_EIDS)
        return 0;
    i = from / 64;
    w = atomic_load_explicit(&t->used[i], memory_order_relaxed) & (~0ull << (from % 64));
    if (i == 0)
        w &= ~1ull;
    for (;;) {
        if (w != 0)
            return i * 64 + (uint32_t)__builtin_ctzll(w);
        if (++i >= WORDS)
            return 0;
        w = atomic_load_explicit(&t->used[i], memory_order_relaxed);
    }
}

size_t ep_table_count(const struct ep_table *t)
{
    return t->count;
}
