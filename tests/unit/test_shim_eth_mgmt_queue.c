/*
 * test_shim_eth_mgmt_queue.c - the queue of management messages from the
 * receive thread to the main loop: order, a full queue, and its eventfd.
 */
#include "mgmt_queue.h"
#include "tap.h"

#include <errno.h>
#include <poll.h>

static bool readable(struct mgmt_queue *q)
{
    struct pollfd p = {.fd = mgmt_queue_fd(q), .events = POLLIN};

    return poll(&p, 1, 0) == 1;
}

int main(void)
{
    struct mgmt_queue *q = mgmt_queue_new(4);
    struct mgmt_item it, out;
    int order = 1;

    plan(9);
    memset(&it, 0, sizeof(it));
    ok(!readable(q), "empty: the eventfd is quiet");
    for (int i = 0; i < 4; i++) {
        it.msg.seid = (uint16_t)i;
        mgmt_queue_put(q, &it);
    }
    ok(readable(q), "items waiting: readable");
    is(mgmt_queue_put(q, &it), -ENOSPC, "full: refused");
    mgmt_queue_ack(q);
    ok(!readable(q), "acknowledged: quiet");
    for (int i = 0; i < 4; i++)
        order &= mgmt_queue_take(q, &out) == 1 && out.msg.seid == i;
    ok(order, "taken in order");
    is(mgmt_queue_take(q, &out), 0, "then empty");
    it.msg.seid = 9;
    mgmt_queue_put(q, &it);
    ok(readable(q), "empty to not empty: readable again");
    ok(mgmt_queue_take(q, &out) == 1 && out.msg.seid == 9, "across the ring's end");
    mgmt_queue_destroy(&q);
    ok(q == NULL, "destroyed");
    return done();
}
