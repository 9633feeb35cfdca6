/*
 * ourobus/fqueue.h - wait on many flows at once: a set of flows, and a
 * queue of the events fevent() found on them (epoll-like).
 */
#ifndef OUROBUS_FQUEUE_H
#define OUROBUS_FQUEUE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

enum fqtype {
    FLOW_PKT = (1 << 0),     /* a packet to read */
    FLOW_DOWN = (1 << 1),    /* the flow went down */
    FLOW_UP = (1 << 2),      /* the flow came back up */
    FLOW_ALLOC = (1 << 3),   /* the flow was allocated */
    FLOW_DEALLOC = (1 << 4), /* the peer deallocated the flow */
    FLOW_PEER = (1 << 5),    /* the peer is gone */
};

typedef struct flow_set fset_t;
typedef struct fqueue fqueue_t;

#ifdef __cplusplus
extern "C" {
#endif

/* A set of flows; NULL when the process has 31 sets already. */
fset_t *fset_create(void);
void fset_destroy(fset_t *set);

fqueue_t *fqueue_create(void);
void fqueue_destroy(fqueue_t *fq);

void fset_zero(fset_t *set);

/* Add a flow; a flow is in one set at most (-EPERM). A flow with data
 * already queued gets a FLOW_PKT event at once. */
int fset_add(fset_t *set, int fd);
bool fset_has(const fset_t *set, int fd);
void fset_del(fset_t *set, int fd);

/* Wait for events on the set (NULL timeo: forever). 1 when fq holds
 * events, -ETIMEDOUT, -EINVAL. */
ssize_t fevent(fset_t *set, fqueue_t *fq, const struct timespec *timeo);

/* The next flow with an event, -EPERM when fq is exhausted. */
int fqueue_next(fqueue_t *fq);

/* The type of the event fqueue_next last returned. */
enum fqtype fqueue_type(fqueue_t *fq);

#ifdef __cplusplus
}
#endif

#endif
