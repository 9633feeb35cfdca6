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

    plan(12);

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
