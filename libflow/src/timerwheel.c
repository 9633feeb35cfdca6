/*
 * timerwheel.c - a hashed timing wheel of intrusive, caller-owned timers:
 * O(1) add and cancel, advance visits each slot at most once per call.
 */
#include "timerwheel.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

static void list_unlink(struct tw_timer *t)
{
    t->prev->next = t->next;
    t->next->prev = t->prev;
    t->next = t->prev = NULL;
}

static void list_push(struct tw_timer *head, struct tw_timer *t)
{
    t->next = head;
    t->prev = head->prev;
    head->prev->next = t;
    head->prev = t;
}

struct timerwheel *timerwheel_new(uint64_t tick_ns, uint32_t slots, uint64_t now)
{
    struct timerwheel *tw;

    if (tick_ns == 0 || slots < 2 || slots > (1u << 20) || (slots & (slots - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    tw = calloc(1, sizeof(*tw));
    if (tw == NULL)
        return NULL;
    tw->slot = calloc(slots, sizeof(*tw->slot));
    if (tw->slot == NULL) {
        free(tw);
        return NULL;
    }
    for (uint32_t i = 0; i < slots; i++)
        tw->slot[i].next = tw->slot[i].prev = &tw->slot[i];
    tw->nslots = slots;
    tw->tick_ns = tick_ns;
    tw->cur_tick = now / tick_ns;
    return tw;
}

void timerwheel_destroy(struct timerwheel **p)
{
    struct timerwheel *tw;

    assert(p);
    tw = *p;
    if (tw == NULL)
        return;
    for (uint32_t i = 0; i < tw->nslots; i++)
        while (tw->slot[i].next != &tw->slot[i])
            list_unlink(tw->slot[i].next);
    free(tw->slot);
    free(tw);
    *p = NULL;
}

void tw_timer_init(struct tw_timer *t)
{
    assert(t);
    t->next = t->prev = NULL;
    t->due_tick = 0;
    t->due = 0;
    t->fn = NULL;
    t->arg = NULL;
}

bool tw_timer_pending(const struct tw_timer *t)
{
    assert(t);
    return t->next != NULL;
}

void timerwheel_add(struct timerwheel *tw, struct tw_timer *t, uint64_t due, tw_fn fn,
                    void *arg)
{
    uint64_t tick;

    assert(tw && t && fn);
    if (t->next != NULL) {
        list_unlink(t);
        tw->count--;
    }
    /* Round up so that a timer never fires before its due time. */
    tick = due / tw->tick_ns + (due % tw->tick_ns != 0);
    if (tick <= tw->cur_tick)
        tick = tw->cur_tick + 1;
    t->due_tick = tick;
    t->due = due;
    t->fn = fn;
    t->arg = arg;
    list_push(&tw->slot[tick & (tw->nslots - 1)], t);
    tw->count++;
}

void timerwheel_cancel(struct timerwheel *tw, struct tw_timer *t)
{
    assert(tw && t);
    if (t->next == NULL)
        return;
    list_unlink(t);
    tw->count--;
}

/* Fire the timers of one slot due by tick; the slot's list is detached
 * first so that callbacks may re-arm timers anywhere, this slot included. */
static size_t fire_slot(struct timerwheel *tw, uint32_t idx, uint64_t tick, uint64_t now)
{
    struct tw_timer *head = &tw->slot[idx];
    struct tw_timer tmp;
    size_t fired = 0;

    if (head->next == head)
        return 0;
    tmp.next = head->next;
    tmp.prev = head->prev;
    tmp.next->prev = &tmp;
    tmp.prev->next = &tmp;
    head->next = head->prev = head;
    while (tmp.next != &tmp) {
        struct tw_timer *t = tmp.next;

        list_unlink(t);
        if (t->due_tick <= tick) {
            tw->count--;
            t->fn(t, t->arg, now);
            fired++;
        } else {
            list_push(head, t);
        }
    }
    return fired;
}

size_t timerwheel_advance(struct timerwheel *tw, uint64_t now)
{
    uint64_t target;
    uint64_t from;
    size_t fired = 0;

    assert(tw);
    target = now / tw->tick_ns;
    if (target <= tw->cur_tick)
        return 0;
    /* Past a whole turn every slot is visited once; the ticks in between
     * need no visit of their own. */
    from = tw->cur_tick + 1;
    if (target - tw->cur_tick > tw->nslots)
        from = target - tw->nslots + 1;
    for (uint64_t tick = from; tick <= target; tick++) {
        tw->cur_tick = tick;
        fired += fire_slot(tw, (uint32_t)(tick & (tw->nslots - 1)), target, now);
    }
    return fired;
}

uint64_t timerwheel_next(const struct timerwheel *tw)
{
    uint64_t best = UINT64_MAX;

    assert(tw);
    if (tw->count == 0)
        return UINT64_MAX;
    /* The first turn: the first slot holding a timer of this turn wins. */
    for (uint64_t tick = tw->cur_tick + 1; tick <= tw->cur_tick + tw->nslots; tick++) {
        const struct tw_timer *head = &tw->slot[tick & (tw->nslots - 1)];

        for (const struct tw_timer *t = head->next; t != head; t = t->next)
            if (t->due_tick == tick && t->due < best)
                best = t->due;
        if (best != UINT64_MAX)
            return best;
    }
    /* Only timers of later turns: the smallest of them. */
    for (uint32_t i = 0; i < tw->nslots; i++) {
        const struct tw_timer *head = &tw->slot[i];

        for (const struct tw_timer *t = head->next; t != head; t = t->next)
            if (t->due < best)
                best = t->due;
    }
    return best;
}

size_t timerwheel_count(const struct timerwheel *tw)
{
    assert(tw);
    return tw->count;
}
