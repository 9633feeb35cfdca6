/*
 * timerwheel.h - a hashed timing wheel: one per process serves the timers
 * of all its flows (FRCP deadlines). Timers are caller-owned and intrusive,
 * so adding and cancelling are O(1) and never allocate.
 *
 * A timer due at t sits in slot (ceil(t / tick) mod slots) with its absolute
 * tick; a timer more than one turn ahead stays in its slot for later turns.
 * A timer never fires early, and at most one tick late.
 */
#ifndef OUROBUS_TIMERWHEEL_H
#define OUROBUS_TIMERWHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tw_timer;
typedef void (*tw_fn)(struct tw_timer *t, void *arg, uint64_t now);

/* One timer, embedded in its owner. Zero it (or tw_timer_init) before use. */
struct tw_timer {
    struct tw_timer *next;
    struct tw_timer *prev;
    uint64_t due_tick;
    uint64_t due; /* ns, as asked */
    tw_fn fn;
    void *arg;
};

struct timerwheel {
    struct tw_timer *slot; /* nslots list heads (sentinels) */
    uint32_t nslots;       /* a power of two */
    uint64_t tick_ns;
    uint64_t cur_tick; /* every timer due at or before it has fired */
    size_t count;
};

/* A wheel of slots (a power of two, 2..2^20) slots of tick_ns ns, starting
 * at now. NULL on failure (errno). */
struct timerwheel *timerwheel_new(uint64_t tick_ns, uint32_t slots, uint64_t now);

/* Free the wheel (the pending timers are dropped, not fired); NULLs *p.
 * Accepts NULL. */
void timerwheel_destroy(struct timerwheel **p);

/* Make t a fresh, idle timer. */
void tw_timer_init(struct tw_timer *t);

/* Arm t to call fn(t, arg, now) at due (ns); re-arms t if pending. A due
 * time in the past fires at the next advance. */
void timerwheel_add(struct timerwheel *tw, struct tw_timer *t, uint64_t due, tw_fn fn,
                    void *arg);

/* Disarm t; nothing if it is not pending. */
void timerwheel_cancel(struct timerwheel *tw, struct tw_timer *t);

/* Whether t is armed. */
bool tw_timer_pending(const struct tw_timer *t);

/* Fire every timer due at or before now (in tick order within one turn of
 * the wheel; after a longer gap, in slot order); a callback may add
 * or cancel timers. Returns the number fired. */
size_t timerwheel_advance(struct timerwheel *tw, uint64_t now);

/* The earliest due time of the pending timers (ns), UINT64_MAX if none. */
uint64_t timerwheel_next(const struct timerwheel *tw);

/* Number of pending timers. */
size_t timerwheel_count(const struct timerwheel *tw);

#endif
