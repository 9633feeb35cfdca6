/*
 * mgmt.h - the management rings of routing's companions (fa, directory, a
 * test program): a pair of shm rings per reserved endpoint id, found again
 * by name after either side restarts. A companion writes blocks of the
 * node's pool to its tx ring, each one a mgmt prefix (mgmt_msg.h) and a
 * payload; routing swaps the prefix for a DT header and forwards it like a
 * transit packet. DT packets for us and that eid reach its rx ring without
 * their header.
 */
#ifndef OUROBUS_MGMT_H
#define OUROBUS_MGMT_H

#include "dt_hdr.h"
#include "pool.h"
#include "run_folder.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nbrs;
struct mgmt;

/* The reserved endpoint ids companions may take (docs/unicast.md): 1 (fa),
 * 2 (directory), 4 (test) and up to MGMT_EID_MAX; not 3 (LSAs, routing's
 * own). */
#define MGMT_EID_MIN    1u
#define MGMT_EID_MAX    15u
#define MGMT_EID_LSA    3u
#define MGMT_RING_SLOTS 1024u

/* For the IPCP name on rf's node: NULL if out of memory. */
struct mgmt *mgmt_new(const struct run_folder *rf, const char *ipcp, struct pool *pool);

/* Map the rings a previous run of ours left (a restart): the companions
 * that still hold them go on without attaching again. */
void mgmt_recover(struct mgmt *m);

/* The rings of eid, created or found again: 0 with the shm names in tx and
 * rx (SHM_NAME_MAX each), or -EINVAL (not a companion eid), -ENOSPC, or
 * the error of the shm. */
int mgmt_attach(struct mgmt *m, uint64_t eid, char *tx, char *rx);

/* Start the thread that reads the tx rings, once the IPCP has its address
 * and neighbours: 0 or -errno. */
int mgmt_start(struct mgmt *m, const struct dt_fmt *fmt, uint64_t self, uint8_t ttl,
               struct nbrs *nbrs);

/* A DT payload for us and eid (from any reader thread): true if eid is a
 * companion's (the payload then went to its rx ring, or was dropped and
 * counted when the ring is full). */
bool mgmt_deliver(struct mgmt *m, uint64_t eid, const uint8_t *buf, size_t len);

/* Stop the thread (before the nbrs it uses go). */
void mgmt_stop(struct mgmt *m);

/* Detach the rings (they stay for the next run) and free m; NULLs *p. */
void mgmt_destroy(struct mgmt **p);

#endif
