/*
 * ping_track.h - the client's book of pings: which were sent when, which
 * came back (in order, out of order, twice, late) and which are lost,
 * over a sliding window of ids. One writer thread (ping_track_next) and
 * one reader thread (everything else).
 */
#ifndef OUROBUS_OPING_PING_TRACK_H
#define OUROBUS_OPING_PING_TRACK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define PING_TRACK_WINDOW 65536 /* ids the book remembers */

enum ping_kind {
    PING_IN_ORDER = 0, /* first reply, no later id seen before it */
    PING_OUT_OF_ORDER, /* first reply, after a later id's reply */
    PING_LATE,         /* first reply, after the ping was declared lost */
    PING_DUPLICATE,    /* a second reply to the same ping */
    PING_STALE,        /* too old to tell: outside the window */
    PING_BOGUS,        /* an id never sent */
};

struct ping_track {
    _Atomic uint8_t *state;    /* per id % window: pending/received/lost/late */
    _Atomic uint64_t *sent_ns; /* per id % window: when it was sent */
    _Atomic uint64_t sent;     /* pings sent: ids 0 .. sent - 1 */
    _Atomic uint64_t check;    /* oldest id neither received nor declared lost */
    uint64_t highest;          /* highest id with a reply, + 1 */
    uint64_t received;         /* distinct pings with a reply */
    uint64_t out_of_order;
    uint64_t late;
    uint64_t duplicates;
};

/* 0 or -ENOMEM. */
int ping_track_init(struct ping_track *t);
void ping_track_fini(struct ping_track *t);

/* Writer: may another ping be sent without overrunning the window? */
bool ping_track_has_room(const struct ping_track *t);

/* Writer: book the next ping, sent at now; returns its id. */
uint64_t ping_track_next(struct ping_track *t, uint64_t now);

/* Reader: the 64-bit id of a 32-bit id on the wire. */
uint64_t ping_track_widen(const struct ping_track *t, uint32_t wire_id);

/* Reader: a reply to id came in. */
enum ping_kind ping_track_reply(struct ping_track *t, uint64_t id);

/* Reader: the next ping sent before now - timeout_ns without a reply is
 * declared lost: true and its id in *id; false when there is none. */
bool ping_track_expire(struct ping_track *t, uint64_t now, uint64_t timeout_ns, uint64_t *id);

/* Every ping sent has a reply or is declared lost. */
bool ping_track_done(const struct ping_track *t);

/* Replies or losses settled so far: check (for the -c end condition). */
uint64_t ping_track_settled(const struct ping_track *t);

#endif
