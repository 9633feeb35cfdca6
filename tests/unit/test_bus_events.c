/*
 * test_bus_events.c - events over ipc://: in-order delivery with sequence
 * numbers, prefix filtering, gaps (real and crafted), a new epoch.
 */
#include "bus_events.h"
#include "deadline.h"
#include "log.h"
#include "proc.h"
#include "run_folder.h"
#include "tap.h"

#include <errno.h>
#include <unistd.h>

/* A SUB joins late (the PUB drops what it sends before): send until one
 * event gets through, within 5 s. Returns bus_sub_recv's result. */
static int join(struct bus_pub *p, zsock_t *raw, struct bus_sub *s, struct bus_event *ev)
{
    uint64_t end = deadline_after_ms(5000);
    bus_header_t h;
    int r;

    do {
        if (p != NULL) {
            bus_pub_tick(p);
        } else {
            bus_header_init(&h, BUS_KIND_EVENT, 0x1111);
            h.seq = 1;
            bus_frame_send_event(raw, "flow.join", &h, NULL, 0);
        }
        r = bus_sub_recv(s, ev, 20);
    } while (r == -EAGAIN && now_ns() < end);
    return r;
}

/* Send a crafted event. */
static void craft(zsock_t *raw, const char *topic, uint64_t epoch, uint64_t seq)
{
    bus_header_t h;

    bus_header_init(&h, BUS_KIND_EVENT, epoch);
    h.seq = seq;
    bus_frame_send_event(raw, topic, &h, "c", 1);
}

static void test_in_order(const char *ep)
{
    struct bus_pub *p = bus_pub_new(ep, 0xabc);
    struct bus_sub *s = bus_sub_new(ep);
    struct bus_event ev;
    uint64_t base;
    int n_in_order = 0;
    int n_flow = 0;
    bool seq_ok = true;
    uint64_t prev = 0;

    ok(p != NULL && s != NULL, "publisher and subscriber");
    is(bus_sub_subscribe(s, "flow."), 0, "subscribe to flow.");
    is(join(p, NULL, s, &ev), 0, "the subscriber receives");
    ok(ev.sync == BUS_SYNC_FIRST && bus_event_must_refetch(&ev),
       "the first thing received says: fetch the state");

    /* The state fetched includes everything published so far. */
    base = bus_pub_seq(p);
    bus_sub_sync(s, bus_pub_epoch(p), base);
    for (int i = 0; i < 10; i++) {
        char body[8];

        snprintf(body, sizeof(body), "%d", i);
        bus_pub_send(p, i % 2 ? "ipcp.up" : "flow.alloc", body, strlen(body));
    }
    bus_pub_tick(p);
    bus_pub_send(p, "flow.last", "x", 1);
    is(bus_pub_seq(p), base + 11, "the publisher numbered 11 events");
    while (bus_sub_recv(s, &ev, 500) == 0) {
        n_flow += strncmp(ev.topic, "flow.", 5) == 0;
        n_in_order += ev.sync == BUS_SYNC_IN_ORDER;
        if (ev.seq <= prev || ev.epoch != 0xabc)
            seq_ok = false;
        if (strcmp(ev.topic, "flow.alloc") == 0 &&
            (ev.body.size != 1 || ev.body.data[0] != '0' + (int)(ev.seq - base - 1)))
            seq_ok = false;
        prev = ev.seq;
        if (strcmp(ev.topic, "flow.last") == 0)
            break;
    }
    is(n_flow, 6, "only the subscribed topics are reported (5 + the last)");
    is(n_in_order, 6, "all of them in order (a tick with nothing lost is silent)");
    ok(seq_ok && prev == base + 11, "sequence numbers increase, bodies match them");

    /* Fall behind: the publisher drops what does not fit the queues. */
    {
        static uint8_t big[512];
        int gaps = 0;
        int got = 0;

        for (int i = 0; i < 20000; i++)
            bus_pub_send(p, "flow.flood", big, sizeof(big));
        /* A loss at the very end shows when the next event (or the tick)
         * arrives: send one once the queues have room again. */
        while (bus_sub_recv(s, &ev, 300) == 0) {
            got++;
            gaps += ev.sync == BUS_SYNC_GAP;
        }
        bus_pub_send(p, "flow.after", big, sizeof(big));
        while (bus_sub_recv(s, &ev, 300) == 0) {
            got++;
            gaps += ev.sync == BUS_SYNC_GAP;
        }
        ok(got > 0 && got < 20001, "a slow subscriber lost events (%d of 20001 came)", got);
        ok(gaps > 0, "and was told to re-fetch (%d gaps)", gaps);
    }

    /* Restart the publisher on the same endpoint: a new epoch. */
    bus_pub_destroy(&p);
    p = bus_pub_new(ep, 0xdef);
    ok(join(p, NULL, s, &ev) == 0 && ev.sync == BUS_SYNC_NEW_EPOCH && ev.epoch == 0xdef,
       "a restarted publisher's tick shows the new epoch");
    is_str(ev.topic, BUS_TOPIC_TICK, "reported as a tick");

    bus_sub_destroy(&s);
    bus_pub_destroy(&p);
    ok(s == NULL && p == NULL, "destroyed");
}

static void test_crafted(const char *ep)
{
    zsock_t *raw = zsock_new(ZMQ_PUB);
    struct bus_sub *s = bus_sub_new(ep);
    struct bus_event ev;
    struct bus_part bad[2] = {{(const uint8_t *)"flow.x", 6}, {NULL, 0}};

    zsock_bind(raw, "%s", ep);
    bus_sub_subscribe(s, "flow.");
    ok(join(NULL, raw, s, &ev) == 0 && ev.seq == 1 && ev.sync == BUS_SYNC_FIRST,
       "crafted stream: first event");
    craft(raw, "flow.a", 0x1111, 2);
    ok(bus_sub_recv(s, &ev, 2000) == 0 && ev.seq == 2 && ev.sync == BUS_SYNC_IN_ORDER,
       "seq 2 in order");
    craft(raw, "flow.a", 0x1111, 4);
    ok(bus_sub_recv(s, &ev, 2000) == 0 && ev.seq == 4 && ev.sync == BUS_SYNC_GAP,
       "seq 4 after 2: a gap");
    craft(raw, "flow.a", 0x1111, 3);
    craft(raw, "flow.a", 0x1111, 5);
    ok(bus_sub_recv(s, &ev, 2000) == 0 && ev.seq == 5 && ev.sync == BUS_SYNC_IN_ORDER,
       "a late seq 3 is skipped, seq 5 in order");
    craft(raw, "ipcp.b", 0x1111, 7);
    ok(bus_sub_recv(s, &ev, 2000) == 0 && ev.seq == 7 && ev.sync == BUS_SYNC_GAP &&
           strcmp(ev.topic, "ipcp.b") == 0,
       "a gap is reported even on a topic not subscribed");
    craft(raw, BUS_TOPIC_TICK, 0x1111, 7);
    craft(raw, BUS_TOPIC_TICK, 0x1111, 9);
    ok(bus_sub_recv(s, &ev, 2000) == 0 && ev.seq == 9 && ev.sync == BUS_SYNC_GAP &&
           strcmp(ev.topic, BUS_TOPIC_TICK) == 0,
       "a tick past the last event seen reveals a lost event");
    bus_frame_send_parts(raw, bad, 2);
    is(bus_sub_recv(s, &ev, 2000), -EBADMSG, "a malformed event: -EBADMSG");
    craft(raw, "flow.a", 0x2222, 1);
    ok(bus_sub_recv(s, &ev, 2000) == 0 && ev.sync == BUS_SYNC_NEW_EPOCH && ev.epoch == 0x2222,
       "then another epoch: fetch again");
    is(bus_sub_recv(s, &ev, 50), -EAGAIN, "nothing more: -EAGAIN");

    bus_sub_destroy(&s);
    zsock_destroy(&raw);
}

int main(void)
{
    struct run_folder rf;
    char ep[160];

    plan(22);
    setenv("OUROBUS_LOG", "warn", 0);
    log_init("test_bus_events", "events-test");
    proc_tmp_dir("evt");
    if (run_folder_for_daemon(&rf, "events-test") < 0 || run_folder_create(&rf) < 0)
        bail_out("cannot create the run folder");

    run_folder_endpoint(&rf, "svc.evt", ep, sizeof(ep));
    test_in_order(ep);
    run_folder_endpoint(&rf, "raw.evt", ep, sizeof(ep));
    test_crafted(ep);
    return done();
}
