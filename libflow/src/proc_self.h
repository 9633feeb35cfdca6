/*
 * proc_self.h - this process's pid without a syscall per call, correct
 * across fork (glibc no longer caches getpid()).
 */
#ifndef OUROBUS_PROC_SELF_H
#define OUROBUS_PROC_SELF_H

#include <sys/types.h>

/* This process's pid. */
pid_t proc_self_pid(void);

/* This thread's id. */
pid_t proc_self_tid(void);

#endif
