/*
 * flow_threads.c - a list of joinable threads, each with a done flag its
 * wrapper sets when the flow's function returns.
 */
#include "flow_threads.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

struct flow_thread {
    pthread_t thread;
    atomic_bool done;
    void (*fn)(void *arg);
    void *arg;
    struct flow_thread *next;
};

static void *flow_thread_main(void *p)
{
    struct flow_thread *t = p;

    t->fn(t->arg);
    atomic_store(&t->done, true);
    return NULL;
}

int flow_threads_spawn(struct flow_threads *ft, void (*fn)(void *arg), void *arg)
{
    struct flow_thread *t = calloc(1, sizeof(*t));
    int r;

    assert(ft != NULL && fn != NULL);
    if (t == NULL)
        return -ENOMEM;
    t->fn = fn;
    t->arg = arg;
    atomic_init(&t->done, false);
    r = pthread_create(&t->thread, NULL, flow_thread_main, t);
    if (r != 0) {
        free(t);
        return -r;
    }
    t->next = ft->head;
    ft->head = t;
    ft->running++;
    return 0;
}

static void reap(struct flow_threads *ft, bool all)
{
    struct flow_thread **pp = &ft->head;

    while (*pp != NULL) {
        struct flow_thread *t = *pp;

        if (all || atomic_load(&t->done)) {
            *pp = t->next;
            pthread_join(t->thread, NULL);
            ft->running--;
            free(t);
        } else {
            pp = &t->next;
        }
    }
}

void flow_threads_reap(struct flow_threads *ft)
{
    reap(ft, false);
}

void flow_threads_join(struct flow_threads *ft)
{
    reap(ft, true);
}
