/*
 * np1.h - the N+1 flows of a unicast IPCP in routing's data path: each
 * flow the fa agreed with a peer is bound to (local endpoint id, peer
 * address, peer endpoint id, QoS cube). Packets the application writes get
 * a DT header for the peer and go out like transit packets; DT packets for
 * our address and a bound endpoint id go to the application. The fa and the
 * directory are reached over the bus (docs/unicast.md): np1 turns the IRM
 * daemon's requests (flow_alloc, reg, query ...) into their methods and
 * serves the methods they call back (FLOW_REQ_ARR, FLOW_ALLOC_REPLY, ...).
 */
#ifndef OUROBUS_NP1_H
#define OUROBUS_NP1_H

#include "dt_hdr.h"
#include "ipcp_dev.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct routing;
struct np1;

#define NP1_SLOTS    16384u /* bindings (flows) per IPCP, a power of two */
#define NP1_REUSE_MS 5000u  /* a binding's slot is reused this long after its end */
#define NP1_MPL_MS   2000u  /* the layer's packet lifetime, as told to the IRM */

/* The N+1 side of routing r: NULL if out of memory. */
struct np1 *np1_new(struct routing *r);

/* After the bootstrap: start the thread that sends what applications
 * write, and the bus clients: 0 or -errno. */
int np1_start(struct np1 *n);

/* Stop the thread; free with np1_destroy. */
void np1_stop(struct np1 *n);
void np1_destroy(struct np1 **p);

/* Serve FLOW_REQ_ARR, FLOW_ALLOC_REPLY, FLOW_CLOSE, FLOWS, NAMES on
 * routing's bus: 0 or -errno. */
int np1_serve(struct np1 *n);

/* A DT packet for our address and endpoint id h->eid (not a reserved one)
 * from an N-1 reader (or our own send path): to the bound flow's
 * application; false when nobody has that endpoint id. */
bool np1_deliver(struct np1 *n, const struct dt_hdr *h, const uint8_t *buf, size_t len);

/* The IPCP ops that concern N+1 flows and names (ops.c calls them). */
int np1_reg(struct np1 *n, const uint8_t *hash, size_t len);
int np1_unreg(struct np1 *n, const uint8_t *hash, size_t len);
int np1_query(struct np1 *n, const uint8_t *hash, size_t len, int timeout_ms);
int np1_flow_alloc(struct np1 *n, struct np1_flow *f, const uint8_t *hash, size_t len,
                   int timeout_ms);
void np1_flow_dealloc(struct np1 *n, struct np1_flow *f);
int np1_flow_restore(struct np1 *n, struct np1_flow *f, const void *blob, size_t len);

/* The record of a binding kept by the IRM daemon with its flow (for a
 * restart): NP1_BLOB_LEN bytes. Pure, unit-tested. */
#define NP1_BLOB_LEN 26u
struct np1_binding {
    uint64_t local_eid;
    uint64_t peer_addr;
    uint64_t peer_eid;
    uint8_t cube;
};
void np1_blob_encode(const struct np1_binding *b, uint8_t *blob);
/* 0, or -EINVAL (short, another version, a zero field, a bad cube). */
int np1_blob_decode(const uint8_t *blob, size_t len, struct np1_binding *b);

#endif
