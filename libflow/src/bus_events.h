/*
 * bus_events.h - events over PUB/SUB: hints with a per-publisher sequence
 * number and the publisher's epoch, so a subscriber knows when to re-fetch.
 *
 * Events are never state (zguide "Clone"): a subscriber fetches a snapshot by
 * request, then applies events; on a gap or a new epoch it fetches again.
 */
#ifndef OUROBUS_BUS_EVENTS_H
#define OUROBUS_BUS_EVENTS_H

#include "bus_frame.h"

#include <czmq.h>
#include <pb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The topic of the publisher's ticks: they carry the last sequence number
 * so a subscriber notices a lost last event, or a restart, while all is
 * quiet. Reported only when they show a gap or a new epoch. */
#define BUS_TOPIC_TICK "bus.tick"

/* How an event relates to what the subscriber saw before. */
enum bus_event_sync {
    BUS_SYNC_IN_ORDER,  /* the next one: apply it */
    BUS_SYNC_FIRST,     /* nothing seen, no snapshot: fetch the state */
    BUS_SYNC_GAP,       /* events were lost: fetch the state again */
    BUS_SYNC_NEW_EPOCH, /* the publisher restarted: fetch the state again */
};

/* One event; topic and body live until the next bus_sub_recv. */
struct bus_event {
    char topic[BUS_TOPIC_MAX + 1];
    uint64_t seq;
    uint64_t epoch;
    struct bus_part body;
    enum bus_event_sync sync;
};

/* True when the event says the subscriber's state may be stale. */
static inline bool bus_event_must_refetch(const struct bus_event *ev)
{
    return ev->sync != BUS_SYNC_IN_ORDER;
}

struct bus_pub;
struct bus_sub;

/* Bind a PUB at endpoint ("ipc://<run>/<service>.evt"); events carry epoch.
 * NULL on failure. */
struct bus_pub *bus_pub_new(const char *endpoint, uint64_t epoch);

/* Unbind and close; NULLs *p. Accepts NULL. */
void bus_pub_destroy(struct bus_pub **p);

/* Publish an event under topic (1..64 bytes, e.g. "flow.alloc"), numbered
 * with the next sequence number. Never blocks: a subscriber that is not
 * keeping up loses events (and sees a gap). 0 or -errno. */
int bus_pub_send(struct bus_pub *p, const char *topic, const void *body, size_t len);

/* bus_pub_send with a nanopb message as body. */
int bus_pub_send_pb(struct bus_pub *p, const char *topic, const pb_msgdesc_t *fields,
                    const void *msg);

/* Publish a tick (BUS_TOPIC_TICK) with the last sequence number. */
int bus_pub_tick(struct bus_pub *p);

/* The sequence number of the last event published (0: none yet). A
 * snapshot reply carries it, for bus_sub_sync. */
uint64_t bus_pub_seq(const struct bus_pub *p);

uint64_t bus_pub_epoch(const struct bus_pub *p);

/* Connect a SUB to endpoint. It reports no topic until subscribed. NULL on
 * failure. */
struct bus_sub *bus_sub_new(const char *endpoint);

/* Close; NULLs *p. Accepts NULL. */
void bus_sub_destroy(struct bus_sub **p);

/* Report the events whose topic starts with prefix ("" for all). The
 * subscriber receives every event of the publisher and filters here, so
 * that it sees every sequence number and a gap is a real loss. */
int bus_sub_subscribe(struct bus_sub *s, const char *prefix);

/* The state was just fetched: it includes the publisher's events up to seq
 * of epoch. Older events are then skipped, the next is in order. */
void bus_sub_sync(struct bus_sub *s, uint64_t epoch, uint64_t seq);

/* Wait up to timeout_ms (-1: forever) for the next event to report. 0 with
 * ev filled, -EAGAIN if none came in time, -EBADMSG for a malformed
 * message (skipped; the next call goes on). */
int bus_sub_recv(struct bus_sub *s, struct bus_event *ev, int timeout_ms);

/* The SUB socket, to poll it in a loop (then bus_sub_recv with 0). */
zsock_t *bus_sub_sock(struct bus_sub *s);

#endif
