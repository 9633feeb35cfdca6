/*
 * test_proc_self.c - the cached pid follows a fork.
 */
#include "child.h"
#include "proc_self.h"
#include "tap.h"

#include <pthread.h>

static int child_checks(void *arg)
{
    (void)arg;
    return proc_self_pid() == getpid() && proc_self_tid() == gettid() ? 0 : 1;
}

static void *thread_tid(void *arg)
{
    *(pid_t *)arg = proc_self_tid();
    return NULL;
}

int main(void)
{
    pthread_t t;
    pid_t other = 0;

    plan(4);
    is(proc_self_pid(), getpid(), "the pid is this process's");
    is(proc_self_tid(), gettid(), "the tid is this thread's");
    is(child_wait(child_run(child_checks, NULL), 5000), 0,
       "a forked child sees its own pid and tid");
    pthread_create(&t, NULL, thread_tid, &other);
    pthread_join(t, NULL);
    ok(other != 0 && other != gettid(), "another thread has its own tid");
    return done();
}
