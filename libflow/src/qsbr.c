/*
 * qsbr.c - the writer's wait for a grace period.
 */
#include "qsbr.h"

#include <sched.h>
#include <time.h>

void qsbr_init(struct qsbr *q)
{
    atomic_store(&q->period, 1);
    for (int i = 0; i < QSBR_READERS; i++)
        atomic_store(&q->reader[i].seen, 0);
}

void qsbr_synchronize(struct qsbr *q)
{
    uint64_t now = atomic_fetch_add_explicit(&q->period, 1, memory_order_seq_cst) + 1;

    atomic_thread_fence(memory_order_seq_cst);
    for (int i = 0; i < QSBR_READERS; i++) {
        int spins = 0;

        for (;;) {
            uint64_t s = atomic_load_explicit(&q->reader[i].seen, memory_order_seq_cst);

            if (s == 0 || s >= now)
                break;
            /* A reader is in the middle of a batch: microseconds. */
            if (++spins < 100) {
                sched_yield();
            } else {
                struct timespec ts = {0, 50000};

                nanosleep(&ts, NULL);
            }
        }
    }
}
