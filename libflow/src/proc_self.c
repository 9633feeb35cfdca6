/*
 * proc_self.c - cached pid and tid, reset in the child of a fork.
 */
#include "proc_self.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

/* Process identity: the one value a fork must change, kept here so every
 * module asks the same place. */
static _Atomic pid_t self_pid;
static __thread pid_t self_tid;
static __thread pid_t self_tid_pid; /* the pid self_tid was read in */
static pthread_once_t self_once = PTHREAD_ONCE_INIT;

static void self_after_fork(void)
{
    atomic_store(&self_pid, getpid());
}

static void self_init(void)
{
    pthread_atfork(NULL, NULL, self_after_fork);
    atomic_store(&self_pid, getpid());
}

pid_t proc_self_pid(void)
{
    pid_t p = atomic_load_explicit(&self_pid, memory_order_relaxed);

    if (p != 0)
        return p;
    pthread_once(&self_once, self_init);
    return atomic_load(&self_pid);
}

pid_t proc_self_tid(void)
{
    pid_t p = proc_self_pid();

    if (self_tid == 0 || self_tid_pid != p) {
        self_tid = gettid();
        self_tid_pid = p;
    }
    return self_tid;
}
