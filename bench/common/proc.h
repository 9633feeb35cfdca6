/*
 * proc.h - benchmark processes pinned to CPUs, and memory they share.
 */
#ifndef OUROBUS_BENCH_PROC_H
#define OUROBUS_BENCH_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* CPUs this process may run on. */
int bench_cpus(void);

/* Pin the calling process to one CPU (index among the allowed ones, taken
 * modulo their number); no-op with a single CPU. */
void bench_pin(int cpu);

/* Fork a child pinned to cpu that runs fn(arg) and exits with its result. */
pid_t bench_fork(int cpu, int (*fn)(void *), void *arg);

/* Wait for a child up to timeout_ms (then kill it): its exit status, or -1. */
int bench_wait(pid_t pid, int timeout_ms);

/* Memory shared with children forked afterwards (zeroed). */
void *bench_shared(size_t len);
void bench_unshare(void *p, size_t len);

#endif
