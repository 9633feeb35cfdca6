/*
 * flow_threads.h - a thread per flow for the tools' servers: start one,
 * join those that finished (now and then), join them all at the end.
 */
#ifndef OUROBUS_TOOLS_FLOW_THREADS_H
#define OUROBUS_TOOLS_FLOW_THREADS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct flow_thread;

struct flow_threads {
    struct flow_thread *head;
    unsigned int running;
};

/* Run fn(arg) on a new thread; fn owns arg. 0 or -errno (fn not run). */
int flow_threads_spawn(struct flow_threads *ft, void (*fn)(void *arg), void *arg);

/* Join the threads that have returned. */
void flow_threads_reap(struct flow_threads *ft);

/* Join every thread (they must be told to stop first). */
void flow_threads_join(struct flow_threads *ft);

#endif
