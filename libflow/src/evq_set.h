/*
 * evq_set.h - the event queues of one process, in one shm object the IRM
 * daemon creates when the process announces itself: queue 0 is the
 * library's own, queues 1..count-1 back the process's flow sets (fset_t).
 * Writers of a flow post packet events into the queue its reader chose
 * (ring_notify); the IRM daemon posts flow events (down, up, peer gone).
 *
 *   | header 64 B: magic, count, slots, pid | queue 0 | queue 1 | ... |
 */
#ifndef OUROBUS_EVQ_SET_H
#define OUROBUS_EVQ_SET_H

#include "event_queue.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EVQ_SET_MAGIC 0x45565153u /* "EVQS" */
#define EVQ_SET_COUNT 32u         /* queue 0 + 31 flow sets */
#define EVQ_SET_SLOTS 2048u

struct evq_set {
    void *base;
    size_t len;
    uint32_t count;
    uint32_t slots;
    size_t stride; /* bytes per queue */
};

/* Bytes of a set of count queues of slots each. */
size_t evq_set_size(uint32_t count, uint32_t slots);

/* Create the shm object name for process pid (mode: see shm_object). */
int evq_set_create(struct evq_set *s, const char *name, uint32_t count, uint32_t slots,
                   mode_t mode, pid_t pid);

/* Map an existing set; its geometry is checked. -ENOENT, -EACCES, -EPROTO. */
int evq_set_attach(struct evq_set *s, const char *name);

void evq_set_detach(struct evq_set *s);

/* Queue i (0..count-1); NULL when out of range. */
struct evq *evq_set_queue(const struct evq_set *s, uint32_t i);

#endif
