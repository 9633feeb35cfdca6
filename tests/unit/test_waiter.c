/*
 * test_waiter.c - the adaptive spin budget and the cross-process futex.
 */
#include "child.h"
#include "deadline.h"
#include "tap.h"
#include "waiter.h"

#define MS 1000000ull

struct word {
    _Atomic uint32_t w;
    volatile uint64_t woke_ns;
};

static int wake_child(void *arg)
{
    struct word *x = arg;

    usleep(30000);
    x->woke_ns = now_ns();
    atomic_store(&x->w, 1);
    futex_wake_all(&x->w);
    return 0;
}

int main(void)
{
    struct spin sp;
    struct word *x = shared_alloc(sizeof(*x));
    uint64_t t0, dt;
    pid_t pid;

    plan(17);

    spin_init(&sp, 50000);
    is(sp.cur_ns, 50000, "the budget starts at the bound");
    spin_learn(&sp, 200000);
    is(sp.cur_ns, 25000, "a wait longer than the bound halves it");
    for (int i = 0; i < 40; i++)
        spin_learn(&sp, 1000000);
    is(sp.cur_ns, 0, "an idle flow stops spinning");
    spin_learn(&sp, 5000);
    is(sp.cur_ns, 11000, "a short wait brings it back to twice that wait (+1 us)");
    spin_learn(&sp, 40000);
    is(sp.cur_ns, 50000, "never beyond the bound");
    spin_init(&sp, 0);
    spin_learn(&sp, 100);
    is(sp.cur_ns, 0, "a bound of 0 turns the spin off for good");

    setenv("OUROBUS_SPIN_NS", "7000", 1);
    is(spin_default_ns(), 7000, "OUROBUS_SPIN_NS sets the default bound");
    setenv("OUROBUS_SPIN_NS", "junk", 1);
    is(spin_default_ns(), SPIN_DEFAULT_NS, "a bad OUROBUS_SPIN_NS is ignored");

    setenv("OUROBUS_YIELD_NS", "0", 1);
    is(yield_default_ns(), 0, "OUROBUS_YIELD_NS=0 turns the yielding poll off");
    unsetenv("OUROBUS_YIELD_NS");
    is(yield_default_ns(), YIELD_DEFAULT_NS, "its default bound");
    spin_init(&sp, 0);
    ok(!yield_turn(&sp, now_ns()), "no budget: no turn");
    {
        int turns = 0;

        spin_init(&sp, 2 * MS);
        t0 = now_ns();
        while (yield_turn(&sp, t0) && turns < 10000000)
            turns++;
        dt = now_ns() - t0;
        ok(turns > 0 && dt >= 2 * MS && dt < 500 * MS,
           "a 2 ms budget: %d turns, over after %llu us", turns,
           (unsigned long long)(dt / 1000));
    }
    ok(!yield_turn(&sp, now_ns() - 3 * MS), "a budget spent before the call: no turn");

    t0 = now_ns();
    is(futex_wait_until(&x->w, 0, now_ns() + 50 * MS), -ETIMEDOUT, "futex wait times out");
    dt = now_ns() - t0;
    ok(dt >= 49 * MS && dt < 300 * MS, "at its deadline (%llu ms)",
       (unsigned long long)(dt / MS));

    pid = child_run(wake_child, x);
    while (atomic_load(&x->w) == 0)
        if (futex_wait_until(&x->w, 0, now_ns() + 5000 * MS) == -ETIMEDOUT)
            break;
    dt = now_ns() - x->woke_ns;
    ok(atomic_load(&x->w) == 1 && dt < 20 * MS,
       "woken by another process %llu us after the wake", (unsigned long long)(dt / 1000));
    is(child_wait(pid, 5000), 0, "the waker exits");
    return done();
}
