/*
 * nbrs.h - the N-1 flows of a unicast IPCP: flows of the layers below that
 * this daemon allocates and accepts as an application would (libflow),
 * each opened by a hello (adj_msg.h) that makes it an adjacency with a
 * neighbour's address, kept alive, re-made after it breaks when this side
 * made it, and carrying DT packets. A fresh flow that opens with an
 * enrollment request is handed to the enrollment instead.
 */
#ifndef OUROBUS_NBRS_H
#define OUROBUS_NBRS_H

#include "dt_hdr.h"
#include "fwd.h"
#include "pff.h"

#include <ourobus/irm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBRS_MAX          64   /* adjacencies; an adjacency's id is < NBRS_MAX */
#define NBRS_KEEPALIVE_MS 150  /* a keepalive when nothing else was sent */
#define NBRS_DEAD_MS      600  /* nothing heard for this long: the neighbour is gone */
#define NBRS_RETRY_MS     200  /* between two attempts to re-make a connection */
#define NBRS_HELLO_MS     3000 /* for the answer to a hello */
#define NBRS_PKT_MAX      2048 /* the largest packet read from an N-1 flow */

/* What the adjacencies tell the IPCP. Called from nbrs' threads, never
 * with a lock of nbrs held. */
struct nbrs_ops {
    void (*up)(void *arg, int id, uint64_t addr);
    void (*down)(void *arg, int id, uint64_t addr);
    /* A DT packet for us to endpoint h->eid (not 0) arrived over id: its
     * header h, its payload buf. */
    void (*recv)(void *arg, int id, const struct dt_hdr *h, const uint8_t *buf, size_t len);
    /* A fresh flow opened with an enrollment request (buf, len): answer it
     * on fd; nbrs deallocates fd afterwards. */
    void (*enroll)(void *arg, int fd, const uint8_t *buf, size_t len);
    /* The set of names this side connects to changed (persist it). */
    void (*wanted)(void *arg);
};

struct nbrs;

/* Adjacencies for the IPCP of address self (DT format fmt, TTL ttl),
 * forwarding transit DT packets with the tables of pff (the adjacency ids
 * are its next hops and its reader ids). Starts the accepting, keepalive
 * and reconnecting threads. NULL on failure. */
struct nbrs *nbrs_new(const struct dt_fmt *fmt, uint64_t self, uint8_t ttl, struct pff *pff,
                      const struct nbrs_ops *ops, void *arg);

/* Packets forwarded, and dropped per reason (enum fwd_drop), since start. */
struct nbrs_stats {
    uint64_t forwarded;
    uint64_t dropped[FWD_DROP_REASONS];
};
void nbrs_stats(struct nbrs *n, struct nbrs_stats *st);

/* Count a drop that happened outside the readers (a companion's packet). */
void nbrs_count_drop(struct nbrs *n, enum fwd_drop reason);

/* Send a packet a companion made (len bytes at pkt, DT header h already
 * written in front) to its next hop like a transit packet: forwarded or
 * counted as dropped. reader is a PFF reader id of the caller's own, at
 * least NBRS_MAX. */
void nbrs_originate(struct nbrs *n, int reader, const struct dt_hdr *h, uint8_t *pkt,
                    size_t len);

/* Stop the threads, deallocate every flow (ops->down is not called); NULLs
 * *p, unless a thread would not end in time (*p then stays). */
void nbrs_destroy(struct nbrs **p);

/* Connect to dst: allocate a flow, say hello, wait for the answer (at most
 * timeout_ms). dst is remembered and re-connected whenever the flow ends,
 * until nbrs_disconnect. 0 (an adjacency is up) or -errno. */
int nbrs_connect(struct nbrs *n, const char *dst, const qosspec_t *qos, int timeout_ms);

/* Remember dst without connecting now (after a restart): the reconnecting
 * thread makes the flow. */
void nbrs_want(struct nbrs *n, const char *dst);

/* End the adjacency made by connecting to dst and forget dst: 0, or
 * -ENOENT when we never connected to it. */
int nbrs_disconnect(struct nbrs *n, const char *dst);

/* The names connected to (nbrs_connect, nbrs_want): how many, the first
 * max copied to names. */
size_t nbrs_wanted(struct nbrs *n, char names[][NAME_SIZE + 1], size_t max);

/* Send payload (len bytes) in a DT packet to endpoint eid of the
 * neighbour of adjacency id: 0, or -ENOTCONN (no such adjacency), -EAGAIN
 * (its flow is full: dropped), -EMSGSIZE. Never waits. */
int nbrs_send(struct nbrs *n, int id, uint64_t eid, const uint8_t *payload, size_t len);

/* Whether an adjacency with addr is up. */
bool nbrs_has_addr(struct nbrs *n, uint64_t addr);

#endif
