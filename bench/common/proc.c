/*
 * proc.c - pinned children and shared memory for the benchmarks.
 */
#include "proc.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The CPUs we were started with: pinning narrows the mask a child inherits,
 * so every later choice is made from this first one. */
static cpu_set_t start_set;
static int start_known;

static const cpu_set_t *start_cpus(void)
{
    if (!start_known) {
        if (sched_getaffinity(0, sizeof(start_set), &start_set) < 0) {
            CPU_ZERO(&start_set);
            CPU_SET(0, &start_set);
        }
        start_known = 1;
    }
    return &start_set;
}

static int allowed_cpu(int idx)
{
    const cpu_set_t *set = start_cpus();
    int seen = 0;
    int n = CPU_COUNT(set);

    if (n <= 1)
        return -1;
    idx %= n;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, set) && seen++ == idx)
            return c;
    return -1;
}

int bench_cpus(void)
{
    return CPU_COUNT(start_cpus());
}

void bench_pin(int cpu)
{
    int c = allowed_cpu(cpu);
    cpu_set_t set;

    if (c < 0)
        return;
    CPU_ZERO(&set);
    CPU_SET(c, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

pid_t bench_fork(int cpu, int (*fn)(void *), void *arg)
{
    pid_t pid;

    start_cpus();
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        bench_pin(cpu);
        _exit(fn(arg) & 0xff);
    }
    return pid;
}

int bench_wait(pid_t pid, int timeout_ms)
{
    struct timespec ts = {0, 1000000};
    int st;

    for (int waited = 0; waited < timeout_ms; waited++) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        if (r < 0)
            return -1;
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

void *bench_shared(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

void bench_unshare(void *p, size_t len)
{
    if (p != NULL)
        munmap(p, len);
}
