/*
 * mgmt_queue.h - management messages from the receive thread to the main
 * loop: a bounded queue and an eventfd the loop polls, written only when
 * the queue goes from empty to not empty.
 */
#ifndef OUROBUS_MGMT_QUEUE_H
#define OUROBUS_MGMT_QUEUE_H

#include "eth_frame.h"
#include "eth_mgmt.h"

#include <stddef.h>

struct mgmt_item {
    uint8_t src[ETH_MAC_LEN]; /* the sender */
    struct eth_mgmt msg;
};

struct mgmt_queue;

/* A queue of cap items; NULL on failure (errno set). */
struct mgmt_queue *mgmt_queue_new(size_t cap);

/* NULLs *p, accepts NULL. */
void mgmt_queue_destroy(struct mgmt_queue **p);

/* The eventfd that turns readable when items wait. */
int mgmt_queue_fd(const struct mgmt_queue *q);

/* Copy it in: 0, or -ENOSPC when full. */
int mgmt_queue_put(struct mgmt_queue *q, const struct mgmt_item *it);

/* Clear the eventfd; call before taking the items. */
void mgmt_queue_ack(struct mgmt_queue *q);

/* The oldest item: 1 and *it, or 0 when empty. */
int mgmt_queue_take(struct mgmt_queue *q, struct mgmt_item *it);

/* Make the eventfd readable again (items left for the next turn). */
void mgmt_queue_kick(struct mgmt_queue *q);

#endif
