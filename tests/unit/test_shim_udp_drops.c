/*
 * test_shim_udp_drops.c - what the UDP shim's receive thread hands on or
 * throws away: the drop counters and their once-a-second lines (who sent,
 * one sender or several), and the queue of management datagrams to the
 * main loop (order, a full queue refuses, the eventfd says when to look).
 */
#include "drop_stats.h"
#include "log.h"
#include "mgmt_queue.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>

static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return poll(&p, 1, 0) == 1;
}

static void test_drops(void)
{
    struct drop_stats s;
    struct udp_addr a, b;
    struct in_addr ip;

    inet_pton(AF_INET, "10.0.0.9", &ip);
    udp_addr_set(&a, AF_INET, &ip, 4000);
    udp_addr_set(&b, AF_INET, &ip, 4001);
    drop_stats_init(&s);
    is(drop_stats_report(&s), 0, "nothing dropped: no line");
    for (int i = 0; i < 12; i++)
        drop_stats_count(&s, DROP_SHORT, &a);
    drop_stats_count(&s, DROP_UNKNOWN_EID, &a);
    drop_stats_count(&s, DROP_UNKNOWN_EID, &b);
    drop_stats_count(&s, DROP_NO_BLOCK, NULL);
    is(drop_stats_get(&s, DROP_SHORT), 12, "12 short datagrams counted");
    ok(udp_addr_equal(&s.c[DROP_SHORT].from, &a) && !s.c[DROP_SHORT].others,
       "... from one sender");
    ok(udp_addr_equal(&s.c[DROP_UNKNOWN_EID].from, &b) && s.c[DROP_UNKNOWN_EID].others,
       "two senders of unknown endpoints: the last, and others");
    is(drop_stats_report(&s), 15, "the report tells 15 (three lines, on stderr)");
    is(drop_stats_report(&s), 0, "... and nothing more the next second");
    drop_stats_count(&s, DROP_UNKNOWN_EID, &a);
    ok(!s.c[DROP_UNKNOWN_EID].others && udp_addr_equal(&s.c[DROP_UNKNOWN_EID].from, &a),
       "a new second starts with one sender again");
    is(drop_stats_report(&s), 1, "... and reports 1");
    is(drop_stats_get(&s, DROP_UNKNOWN_EID), 3, "the counter itself keeps the total");
    ok(strcmp(drop_reason_str(DROP_RING_FULL), "the application's ring is full") == 0,
       "each reason in words");
}

static void test_queue(void)
{
    struct mgmt_queue *q = mgmt_queue_new();
    struct udp_addr a, o;
    struct in_addr ip;
    uint64_t off = 0;
    int pushed = 0;

    inet_pton(AF_INET, "10.0.0.9", &ip);
    udp_addr_set(&a, AF_INET, &ip, 4000);
    ok(q != NULL && !readable(mgmt_queue_fd(q)), "an empty queue: its fd is quiet");
    is(mgmt_queue_pop(q, &off, &o), -EAGAIN, "... nothing to take");
    is(mgmt_queue_push(q, 4096, &a), 0, "push a block");
    ok(readable(mgmt_queue_fd(q)), "... the fd says so");
    is(mgmt_queue_push(q, 8192, &a), 0, "push another");
    mgmt_queue_arm(q);
    ok(!readable(mgmt_queue_fd(q)), "armed: the fd is quiet again");
    ok(mgmt_queue_pop(q, &off, &o) == 0 && off == 4096 && udp_addr_equal(&o, &a),
       "the first block, with its sender");
    ok(mgmt_queue_pop(q, &off, &o) == 0 && off == 8192, "then the second");
    is(mgmt_queue_push(q, 1, &a), 0, "a push after the consumer armed");
    ok(readable(mgmt_queue_fd(q)), "... wakes it");
    mgmt_queue_arm(q);
    mgmt_queue_pop(q, &off, &o);
    while (mgmt_queue_push(q, 2, &a) == 0)
        pushed++;
    is(pushed, MGMT_QUEUE_SLOTS, "the queue holds 1024");
    is(mgmt_queue_push(q, 2, &a), -ENOSPC, "... then refuses: -ENOSPC");
    mgmt_queue_destroy(&q);
    ok(q == NULL, "destroy NULLs the pointer");
}

int main(void)
{
    log_init("test_shim_udp_drops", "test");
    log_set_level(LOG_LVL_ERR); /* the lines are the report's: not checked here */
    plan(10 + 13);
    test_drops();
    test_queue();
    return tap_failed != 0;
}
