/*
 * waiter.c - futex sleep/wake across processes and the adaptive spin.
 */
#include "waiter.h"

#include "deadline.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

void spin_init(struct spin *sp, uint32_t max_ns)
{
    sp->max_ns = max_ns;
    sp->cur_ns = max_ns;
}

uint32_t spin_default_ns(void)
{
    const char *env = getenv("OUROBUS_SPIN_NS");
    char *end;
    unsigned long v;

    if (env == NULL || *env == '\0')
        return SPIN_DEFAULT_NS;
    v = strtoul(env, &end, 10);
    if (*end != '\0' || v > 10000000ul)
        return SPIN_DEFAULT_NS;
    return (uint32_t)v;
}

uint32_t yield_default_ns(void)
{
    const char *env = getenv("OUROBUS_YIELD_NS");
    char *end;
    unsigned long v;

    if (env == NULL || *env == '\0')
        return YIELD_DEFAULT_NS;
    v = strtoul(env, &end, 10);
    if (*end != '\0' || v > 10000000ul)
        return YIELD_DEFAULT_NS;
    return (uint32_t)v;
}

bool yield_turn(const struct spin *sp, uint64_t start)
{
    if (sp->cur_ns == 0 || now_ns() - start >= sp->cur_ns)
        return false;
    sched_yield();
    return true;
}

void spin_learn(struct spin *sp, uint64_t waited_ns)
{
    if (sp->max_ns == 0)
        return;
    if (waited_ns <= sp->max_ns) {
        /* Twice the wait seen, so a little jitter still lands in the spin. */
        uint64_t want = 2 * waited_ns + 1000;
        if (want > sp->max_ns)
            want = sp->max_ns;
        if (want > sp->cur_ns)
            sp->cur_ns = (uint32_t)want;
    } else {
        sp->cur_ns /= 2;
    }
}

int futex_wait_until(_Atomic uint32_t *word, uint32_t expected, uint64_t deadline)
{
    struct timespec ts;
    long r;

    if (deadline != DEADLINE_NONE) {
        if (now_ns() >= deadline)
            return -ETIMEDOUT;
        ts = ns_to_timespec(deadline);
    }
    /* Absolute CLOCK_MONOTONIC timeout; no FUTEX_PRIVATE_FLAG: the word is
     * shared between processes. */
    r = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET, expected,
                deadline == DEADLINE_NONE ? NULL : &ts, NULL, FUTEX_BITSET_MATCH_ANY);
    if (r < 0 && errno == ETIMEDOUT)
        return -ETIMEDOUT;
    if (r < 0 && errno == EINTR)
        return -EINTR; /* a signal handler ran (without SA_RESTART) */
    return 0;          /* woken, or EAGAIN (the value changed): the caller re-checks */
}

void futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
