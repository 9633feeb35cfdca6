/*
 * mgmt_queue.h - management datagrams from the receive thread to the main
 * loop: a bounded single-producer single-consumer queue of pool blocks
 * with their senders, and an eventfd the main loop polls, written only
 * when the main loop said it waits. Never blocks: a full queue refuses.
 */
#ifndef OUROBUS_MGMT_QUEUE_H
#define OUROBUS_MGMT_QUEUE_H

#include "udp_addr.h"

#include <stdint.h>

#define MGMT_QUEUE_SLOTS 1024u

struct mgmt_queue;

struct mgmt_queue *mgmt_queue_new(void);
void mgmt_queue_destroy(struct mgmt_queue **p);

/* The fd to poll for "something to take". */
int mgmt_queue_fd(const struct mgmt_queue *q);

/* Producer: 0, or -ENOSPC (full: the caller keeps the block). */
int mgmt_queue_push(struct mgmt_queue *q, uint64_t off, const struct udp_addr *from);

/* Consumer, when the fd is readable: clear it, then take until -EAGAIN. */
void mgmt_queue_arm(struct mgmt_queue *q);
int mgmt_queue_pop(struct mgmt_queue *q, uint64_t *off, struct udp_addr *from);

#endif
