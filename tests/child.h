/*
 * child.h - run a function in a forked child and wait for it with a
 * deadline, for the unit tests that need several processes. Children are
 * killed by pid when the test ends, whatever happened.
 */
#ifndef OUROBUS_TEST_CHILD_H
#define OUROBUS_TEST_CHILD_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_MAX 64

static pid_t child_pids[CHILD_MAX];

static inline void child_kill_all(void)
{
    for (int i = 0; i < CHILD_MAX; i++) {
        if (child_pids[i] > 0) {
            kill(child_pids[i], SIGKILL);
            waitpid(child_pids[i], NULL, 0);
            child_pids[i] = 0;
        }
    }
}

static inline void child_forget(pid_t pid)
{
    for (int i = 0; i < CHILD_MAX; i++)
        if (child_pids[i] == pid)
            child_pids[i] = 0;
}

/* Fork; the child runs fn(arg) and exits with its return value. */
static inline pid_t child_run(int (*fn)(void *), void *arg)
{
    static int registered;
    pid_t pid;

    if (!registered) {
        atexit(child_kill_all);
        registered = 1;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        /* A child never prints TAP lines: only its exit status counts. */
        _exit(fn(arg) & 0xff);
    }
    if (pid > 0) {
        for (int i = 0; i < CHILD_MAX; i++) {
            if (child_pids[i] == 0) {
                child_pids[i] = pid;
                break;
            }
        }
    }
    return pid;
}

static inline uint64_t child_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait up to timeout_ms for the child: its exit status (0..255), 128+sig
 * if killed by a signal, or -ETIMEDOUT (then it is killed). */
static inline int child_wait(pid_t pid, int timeout_ms)
{
    uint64_t end = child_now_ms() + (uint64_t)timeout_ms;
    int st;

    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            child_forget(pid);
            if (WIFEXITED(st))
                return WEXITSTATUS(st);
            return 128 + WTERMSIG(st);
        }
        if (r < 0)
            return -errno;
        if (child_now_ms() >= end) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            child_forget(pid);
            return -ETIMEDOUT;
        }
        usleep(1000);
    }
}

/* kill -9 the child and reap it; returns when it is gone. */
static inline void child_kill9(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    child_forget(pid);
}

/* Anonymous memory shared with children forked afterwards. */
static inline void *shared_alloc(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Wait until *flag becomes nonzero (another process sets it), up to
 * timeout_ms. Returns 0 or -ETIMEDOUT. */
static inline int wait_flag(volatile int *flag, int timeout_ms)
{
    uint64_t end = child_now_ms() + (uint64_t)timeout_ms;

    while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) {
        if (child_now_ms() >= end)
            return -ETIMEDOUT;
        usleep(200);
    }
    return 0;
}

#endif
