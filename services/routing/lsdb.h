/*
 * lsdb.h - the link-state database: the newest LSA of every IPCP of the
 * layer, each aged out unless its origin refreshes it, and from them the
 * links of the layer's graph. Owned by one thread; no locking inside.
 */
#ifndef OUROBUS_LSDB_H
#define OUROBUS_LSDB_H

#include "lsa.h"

#include <stddef.h>
#include <stdint.h>

#define LSDB_ORIGINS_MAX 4096u

/* What lsdb_insert did with an LSA. */
enum lsdb_verdict {
    LSDB_NEWER = 0,     /* stored (first or newer seqno): flood it on */
    LSDB_DUPLICATE = 1, /* the seqno we hold: drop it, do not flood */
    LSDB_OLDER = 2,     /* older than ours: ignored (answer with ours) */
};

/* A directed link a -> b that both ends advertise, with a's metric. */
struct lsdb_link {
    uint64_t src;
    uint64_t dst;
    uint32_t metric;
};

struct lsdb;

/* An empty database whose entries expire timeout_ms after their last
 * update; NULL on allocation failure. */
struct lsdb *lsdb_new(uint64_t timeout_ms);

/* Free *db and set it to NULL; NULL is fine. */
void lsdb_destroy(struct lsdb **db);

/* Offer an LSA (valid, as lsa_decode returns it) received at now_ms: an
 * enum lsdb_verdict, or -ENOSPC when LSDB_ORIGINS_MAX origins are held,
 * -ENOMEM. Links marked down are kept in the stored LSA (so a dump passes
 * the withdrawal on) but are no link of the graph. */
int lsdb_insert(struct lsdb *db, const struct lsa *l, uint64_t now_ms);

/* Drop every entry not updated for timeout_ms by now_ms: how many. */
size_t lsdb_age(struct lsdb *db, uint64_t now_ms);

/* Drop the entry of origin: 0, or -ENOENT. */
int lsdb_withdraw(struct lsdb *db, uint64_t origin);

/* Copy the stored LSA of origin into out: 0, or -ENOENT. */
int lsdb_get(const struct lsdb *db, uint64_t origin, struct lsa *out);

/* Call fn on every stored LSA, by origin address (a dump for a new
 * neighbour); stops at and returns fn's first non-zero return. */
int lsdb_foreach(const struct lsdb *db, int (*fn)(const struct lsa *l, void *arg), void *arg);

/* Number of origins held. */
size_t lsdb_size(const struct lsdb *db);

/* Bumped by every change to the graph's inputs: recompute when it moves. */
uint64_t lsdb_version(const struct lsdb *db);

/* The links both of whose ends advertise each other (up), ordered by
 * source then destination address: the number of such links; the first
 * max of them are written to out. */
size_t lsdb_links(const struct lsdb *db, struct lsdb_link *out, size_t max);

#endif
