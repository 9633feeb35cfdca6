/*
 * fa_table.h - the flow allocator's flows: local endpoint ids, the state of
 * each allocation, look-up by endpoint id and by request, timeouts, and a
 * byte snapshot from which a restarted fa re-learns its flows.
 *
 * Endpoint ids are random, non-zero 64-bit values, unique among live flows
 * and never handed out again while they sit in a quarantine of recently
 * released ids: a late REPLY, UPDATE or DEALLOC for a gone flow must not
 * reach the next flow, and an off-path sender cannot guess a live id.
 *
 * Times are the caller's (ns on a clock that survives an fa restart, e.g.
 * CLOCK_MONOTONIC); the table never reads a clock.
 */
#ifndef OUROBUS_FA_TABLE_H
#define OUROBUS_FA_TABLE_H

#include <ourobus/qos.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FA_QUARANTINE_MAX 4096u          /* released eids remembered */
#define FA_QUARANTINE_NS  60000000000ull /* ... for this long at most (60 s) */
#define FA_EID_TRIES      64             /* random draws before giving up */

#define FA_SNAP_HDR_LEN 16u         /* magic, version, count */
#define FA_SNAP_REC_LEN 80u         /* one flow */
#define FA_SNAP_SUM_LEN 8u          /* FNV-1a 64 of all that precedes */
#define FA_SNAP_MAGIC   0x4f464154u /* "OFAT" */
#define FA_SNAP_VERSION 1u

enum fa_state {
    FA_PENDING = 1,  /* REQ sent, or REQ arrived and not yet answered; deadline */
    FA_ALLOCATED,    /* both ends know each other's eid */
    FA_DEALLOCATING, /* DEALLOC sent or refused: kept until deadline */
};

struct fa_flow {
    uint64_t eid;       /* ours: the destination eid of what the peer sends */
    uint64_t peer_eid;  /* the peer's (0 until known) */
    uint64_t peer_addr; /* the peer FA's address */
    uint64_t req_id;    /* the request that made the flow (the initiator's) */
    uint64_t deadline;  /* PENDING, DEALLOCATING: when expire() drops it */
    uint32_t flow_id;   /* the IRM's id of the flow on this node */
    uint32_t max_sdu;
    qosspec_t qos;
    uint8_t state;  /* enum fa_state */
    bool outbound;  /* we sent the REQ */
    uint8_t *reply; /* inbound: the REPLY we sent, for a REQ sent again */
    size_t reply_len;
    /* the table's own links */
    struct fa_flow *next_eid;
    struct fa_flow *next_req;
    struct fa_flow *prev_all;
    struct fa_flow *next_all;
};

/* A source of random 64-bit values: 0 or -errno. */
typedef int (*fa_rand_fn)(void *arg, uint64_t *out);

struct fa_table;

/* A table of at most max_flows flows. rnd NULL: getrandom(2). */
struct fa_table *fa_table_new(size_t max_flows, fa_rand_fn rnd, void *arg);

/* Free the table and its flows. NULLs *p; accepts NULL. */
void fa_table_destroy(struct fa_table **p);

size_t fa_table_count(const struct fa_table *t);

/* We ask peer_addr for a flow: a new PENDING outbound flow with a fresh
 * eid and request id, dropped at deadline. 0; -ENOSPC (table full),
 * -EAGAIN (no fresh eid), -ENOMEM. */
int fa_table_open(struct fa_table *t, uint64_t peer_addr, uint32_t flow_id,
                  const qosspec_t *qos, uint32_t max_sdu, uint64_t deadline,
                  struct fa_flow **f);

/* A FLOW_REQ (peer_addr, req_id, peer_eid) arrived: a new PENDING inbound
 * flow with a fresh eid: 0. The same request again: -EEXIST and *f the
 * flow it made (answer with f->reply, make nothing). The same request id
 * from another peer eid: -EINVAL. Else as fa_table_open. */
int fa_table_arrive(struct fa_table *t, uint64_t peer_addr, uint64_t req_id, uint64_t peer_eid,
                    const qosspec_t *qos, uint32_t max_sdu, uint64_t deadline,
                    struct fa_flow **f);

/* Keep the encoded REPLY of inbound f, to send again on a duplicate REQ.
 * 0, -ENOMEM. */
int fa_table_set_reply(struct fa_table *t, struct fa_flow *f, const uint8_t *reply, size_t len);

/* Inbound f was accepted (its REPLY is sent): ALLOCATED. 0, -EINVAL
 * (not a PENDING inbound flow). */
int fa_table_accept(struct fa_table *t, struct fa_flow *f);

/* A FLOW_REPLY accepting request req_id for our eid, from peer_eid: the
 * flow becomes ALLOCATED: 0 and *f. The same reply again: -EALREADY and
 * *f. No such pending request, or a mismatch: -ENOENT. */
int fa_table_reply(struct fa_table *t, uint64_t eid, uint64_t req_id, uint64_t peer_eid,
                   struct fa_flow **f);

/* Start tearing f down (we sent or got a DEALLOC, or refused the REQ):
 * DEALLOCATING until deadline, still found for duplicates and late
 * messages. */
void fa_table_dealloc(struct fa_table *t, struct fa_flow *f, uint64_t deadline);

/* Drop f now; its eid goes to quarantine. */
void fa_table_remove(struct fa_table *t, struct fa_flow *f, uint64_t now);

struct fa_flow *fa_table_by_eid(const struct fa_table *t, uint64_t eid);

/* The flow of request req_id: outbound, sent to peer_addr; or inbound,
 * from peer_addr. */
struct fa_flow *fa_table_by_req(const struct fa_table *t, uint64_t peer_addr, uint64_t req_id,
                                bool outbound);

/* Drop every PENDING or DEALLOCATING flow whose deadline is <= now,
 * calling fn (if not NULL) on each first: the number dropped. */
size_t fa_table_expire(struct fa_table *t, uint64_t now,
                       void (*fn)(void *arg, struct fa_flow *f), void *arg);

/* Call fn on every flow (fn must not add or remove). */
void fa_table_foreach(const struct fa_table *t, void (*fn)(void *arg, const struct fa_flow *f),
                      void *arg);

/* ---- snapshot (docs/fa.md) ---- */

/* The bytes fa_table_export needs now. */
size_t fa_table_export_len(const struct fa_table *t);

/* Write every flow (not the kept replies, not the quarantine) into buf:
 * the length, or -EMSGSIZE. */
long fa_table_export(const struct fa_table *t, uint8_t *buf, size_t len);

/* Re-learn the flows of a snapshot into an empty table: 0; -EBUSY (not
 * empty), -EBADMSG (any length, checksum, field or duplicate wrong: the
 * table stays empty), -ENOSPC (more flows than it holds), -ENOMEM. */
int fa_table_import(struct fa_table *t, const uint8_t *buf, size_t len);

const char *fa_state_str(uint8_t state);

#endif
