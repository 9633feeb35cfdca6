/*
 * waiter.h - how a consumer waits on shared memory: spin briefly on the
 * condition, then sleep on a futex word that the producer wakes only when
 * the consumer has said it sleeps. The spin is bounded and adapts to how
 * long waits really take; a budget of 0 turns it off.
 */
#ifndef OUROBUS_WAITER_H
#define OUROBUS_WAITER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Default upper bound of a spin, in ns (OUROBUS_SPIN_NS overrides it). */
#define SPIN_DEFAULT_NS 20000u

/* Default upper bound of a daemon data thread's yielding poll, in ns
 * (OUROBUS_YIELD_NS overrides it; 0 turns it off). */
#define YIELD_DEFAULT_NS 50000u

/* A waiter's spin policy: process-local, one per waiting side. */
struct spin {
    uint32_t max_ns; /* configured bound; 0 = never spin */
    uint32_t cur_ns; /* current budget, adapted within [0, max_ns] */
};

/* A spin policy bounded by max_ns (0 disables spinning). */
void spin_init(struct spin *sp, uint32_t max_ns);

/* The bound from OUROBUS_SPIN_NS, else SPIN_DEFAULT_NS. */
uint32_t spin_default_ns(void);

/* The bound from OUROBUS_YIELD_NS, else YIELD_DEFAULT_NS. */
uint32_t yield_default_ns(void);

/* One turn of a yielding poll begun at start (ns): false once sp's budget
 * is spent, else gives the CPU away (sched_yield) and returns true. A data
 * thread of a daemon that shares its CPU with the applications polls so
 * between its tries before it sleeps: an application that runs meanwhile
 * is not slowed, and a packet that comes within the budget is taken
 * without a sleep and a wake-up. Learn with spin_learn(sp, total wait). */
bool yield_turn(const struct spin *sp, uint64_t start);

/* Learn from one finished wait that took waited_ns in all: the budget grows
 * to cover waits shorter than the bound and halves after longer ones, so an
 * idle flow stops spinning and a busy one keeps spinning. */
void spin_learn(struct spin *sp, uint64_t waited_ns);

/* Sleep while *word == expected, until woken or the CLOCK_MONOTONIC
 * deadline (ns, DEADLINE_NONE for none). Works across processes that map
 * the word. Returns 0 (woken or the word changed), -ETIMEDOUT, or -EINTR
 * when a signal handler installed without SA_RESTART ran. */
int futex_wait_until(_Atomic uint32_t *word, uint32_t expected, uint64_t deadline);

/* Wake every sleeper on word. */
void futex_wake_all(_Atomic uint32_t *word);

/* Wake the sleepers flagged in *flag (a word the sleeper set to 1 before
 * sleeping on it). Call after a seq_cst store that publishes the condition. */
static inline void futex_wake_flagged(_Atomic uint32_t *flag)
{
    if (atomic_load_explicit(flag, memory_order_seq_cst) != 0 &&
        atomic_exchange_explicit(flag, 0, memory_order_seq_cst) != 0)
        futex_wake_all(flag);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

#endif
