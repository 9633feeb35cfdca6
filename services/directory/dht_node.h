/*
 * dht_node.h - inside a DHT node, shared by dht.c (messages, timers, calls)
 * and dht_op.c (the lookups in progress). Not for users of dht.h.
 */
#ifndef OUROBUS_DHT_NODE_H
#define OUROBUS_DHT_NODE_H

#include "dht.h"
#include "dht_lookup.h"
#include "dht_store.h"
#include "kbucket.h"

#include <stdbool.h>

#define PINGS_MAX  32u /* liveness checks of full buckets' oldest contacts */
#define BOOT_TRIES 5u

enum op_kind { OP_JOIN, OP_REFRESH, OP_PUBLISH, OP_UNPUBLISH, OP_QUERY };

struct op {
    struct op *next;
    enum op_kind kind;
    uint32_t cookie;
    struct dht_lookup *lk;
    size_t n_values; /* what to STORE or REMOVE at the end */
    struct dht_value values[DHT_MSG_MAX_VALUES];
    dht_query_fn cb;
    void *cb_ctx;
};

struct ping {
    uint32_t cookie; /* 0: free slot */
    struct dht_contact c;
    uint64_t sent;
};

struct dht {
    struct dht_params p;
    uint8_t id[DHT_ID_MAX];
    uint64_t addr;
    dht_send_fn send;
    void *ctx;
    struct kbucket *kb;
    struct dht_store *st;
    struct op *ops;
    size_t n_ops;
    struct ping pings[PINGS_MAX];
    uint64_t rng;
    uint32_t boot_cookie; /* 0: not bootstrapping */
    uint64_t boot_addr;
    uint64_t boot_sent;
    unsigned boot_tries;
    struct dht_stats stats;
};

/* A cookie no request in flight uses (never 0). */
uint32_t dht_new_cookie(struct dht *d);

/* Start a lookup for each bucket due for refresh (kbucket_refresh_due). */
void dht_refresh_buckets(struct dht *d, uint64_t now);

/* Fill in m's header as ours, for key, with no values or contacts. */
void dht_prepare_msg(const struct dht *d, struct dht_msg *m, uint8_t code, uint32_t cookie,
                     const uint8_t *key);

/* Encode m and send it to the node at to. */
void dht_send_msg(struct dht *d, uint64_t to, const struct dht_msg *m);

/* Send n values of key in one STORE or REMOVE to each of n_to contacts. */
void dht_send_values(struct dht *d, uint8_t code, const uint8_t *key, const struct dht_value *v,
                     size_t n, const struct dht_contact *to, size_t n_to);

/* A lookup of key seeded with the k closest contacts we know, in the list
 * of ops with a fresh cookie: NULL when DHT_OPS_MAX run or no memory. */
struct op *dht_op_start(struct dht *d, enum op_kind kind, enum dht_lookup_kind lkind,
                        const uint8_t *key);

/* Send what o's lookup asks for; when it is done, act on it (STORE, REMOVE,
 * the query's callback) and free it. */
void dht_op_pump(struct dht *d, struct op *o, uint64_t now);

/* The op whose requests carry cookie, or NULL. */
struct op *dht_op_find(struct dht *d, uint32_t cookie);

/* Free o (already out of the list). */
void dht_op_free(struct op *o);

#endif
