/*
 * test_deadline.c - monotonic deadlines from relative timeouts.
 */
#include "deadline.h"
#include "tap.h"

int main(void)
{
    struct timespec ts = {.tv_sec = 1, .tv_nsec = 500000000};
    uint64_t t0 = now_ns(), d;
    struct timespec back;

    plan(9);
    ok(now_ns() >= t0, "the clock does not go back");
    is(deadline_after(NULL), DEADLINE_NONE, "no timeout: no deadline");
    d = deadline_after(&ts);
    ok(d >= t0 + 1500000000ull && d < t0 + 1600000000ull, "1.5 s from now");
    is(deadline_after_ms(-1), DEADLINE_NONE, "a negative ms timeout: no deadline");
    d = deadline_after_ms(250);
    ok(deadline_left_ms(d) > 200 && deadline_left_ms(d) <= 250, "250 ms left (%lld)",
       (long long)deadline_left_ms(d));
    is(deadline_left_ms(DEADLINE_NONE), -1, "none left: -1");
    is(deadline_left_ms(t0), 0, "a past deadline: 0 ms left");
    back = ns_to_timespec(3123456789ull);
    ok(back.tv_sec == 3 && back.tv_nsec == 123456789, "ns to timespec");
    is(deadline_left_ms(now_ns() + 100000), 1, "less than a ms left rounds up to 1");
    return done();
}
