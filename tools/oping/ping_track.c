/*
 * ping_track.c - slots indexed by id % window. The writer resets a slot
 * before it books an id there; it stays half a window ahead of the oldest
 * unsettled id at most, so the reader never sees a slot change under it
 * (ids more than half a window old are stale).
 */
#include "ping_track.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#define W    PING_TRACK_WINDOW
#define HALF (PING_TRACK_WINDOW / 2)

enum slot_state {
    SLOT_PENDING = 0,
    SLOT_RECEIVED,
    SLOT_LOST,
    SLOT_LATE, /* declared lost, then the reply came */
};

int ping_track_init(struct ping_track *t)
{
    *t = (struct ping_track){0};
    t->state = calloc(W, sizeof(*t->state));
    t->sent_ns = calloc(W, sizeof(*t->sent_ns));
    if (t->state == NULL || t->sent_ns == NULL) {
        ping_track_fini(t);
        return -ENOMEM;
    }
    return 0;
}

void ping_track_fini(struct ping_track *t)
{
    free(t->state);
    free(t->sent_ns);
    t->state = NULL;
    t->sent_ns = NULL;
}

bool ping_track_has_room(const struct ping_track *t)
{
    return atomic_load(&t->sent) - atomic_load(&t->check) < HALF;
}

uint64_t ping_track_next(struct ping_track *t, uint64_t now)
{
    uint64_t id = atomic_load_explicit(&t->sent, memory_order_relaxed);

    assert(t != NULL && t->state != NULL);
    atomic_store_explicit(&t->state[id % W], SLOT_PENDING, memory_order_relaxed);
    atomic_store_explicit(&t->sent_ns[id % W], now, memory_order_relaxed);
    atomic_store_explicit(&t->sent, id + 1, memory_order_release);
    return id;
}

uint64_t ping_track_widen(const struct ping_track *t, uint32_t wire_id)
{
    uint64_t ref = atomic_load(&t->check);
    uint64_t id = (ref & ~0xffffffffull) | wire_id;

    /* The id nearest to the oldest unsettled one. */
    if (id + 0x80000000ull < ref)
        id += 0x100000000ull;
    else if (id > ref + 0x80000000ull && id >= 0x100000000ull)
        id -= 0x100000000ull;
    return id;
}

enum ping_kind ping_track_reply(struct ping_track *t, uint64_t id)
{
    uint64_t sent = atomic_load_explicit(&t->sent, memory_order_acquire);
    uint64_t check = atomic_load_explicit(&t->check, memory_order_relaxed);
    _Atomic uint8_t *slot;
    enum ping_kind kind;

    assert(t != NULL && t->state != NULL);
    if (id >= sent)
        return PING_BOGUS;
    if (id + HALF < check)
        return PING_STALE;
    slot = &t->state[id % W];
    switch (atomic_load_explicit(slot, memory_order_relaxed)) {
    case SLOT_RECEIVED:
    case SLOT_LATE:
        t->duplicates++;
        return PING_DUPLICATE;
    case SLOT_LOST:
        atomic_store_explicit(slot, SLOT_LATE, memory_order_relaxed);
        t->late++;
        kind = PING_LATE;
        break;
    default:
        atomic_store_explicit(slot, SLOT_RECEIVED, memory_order_relaxed);
        if (id + 1 < t->highest) {
            t->out_of_order++;
            kind = PING_OUT_OF_ORDER;
        } else {
            kind = PING_IN_ORDER;
        }
        break;
    }
    t->received++;
    if (id + 1 > t->highest)
        t->highest = id + 1;
    /* Move past the replies that settle the oldest ids. */
    while (check < sent &&
           atomic_load_explicit(&t->state[check % W], memory_order_relaxed) == SLOT_RECEIVED)
        check++;
    atomic_store(&t->check, check);
    return kind;
}

bool ping_track_expire(struct ping_track *t, uint64_t now, uint64_t timeout_ns, uint64_t *id)
{
    uint64_t sent = atomic_load_explicit(&t->sent, memory_order_acquire);
    uint64_t check = atomic_load_explicit(&t->check, memory_order_relaxed);
    bool lost = false;

    while (check < sent) {
        _Atomic uint8_t *slot = &t->state[check % W];

        if (atomic_load_explicit(slot, memory_order_relaxed) == SLOT_PENDING) {
            uint64_t at = atomic_load_explicit(&t->sent_ns[check % W], memory_order_relaxed);

            if (now < at || now - at < timeout_ns)
                break;
            atomic_store_explicit(slot, SLOT_LOST, memory_order_relaxed);
            *id = check++;
            lost = true;
            break;
        }
        check++;
    }
    atomic_store(&t->check, check);
    return lost;
}

bool ping_track_done(const struct ping_track *t)
{
    return atomic_load(&t->check) >= atomic_load(&t->sent);
}

uint64_t ping_track_settled(const struct ping_track *t)
{
    return atomic_load(&t->check);
}
