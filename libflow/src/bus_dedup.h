/*
 * bus_dedup.h - the replies of a server's non-idempotent methods, kept in a
 * file-backed mmap so a retry reaching a restarted server gets the same reply.
 */
#ifndef OUROBUS_BUS_DEDUP_H
#define OUROBUS_BUS_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#define BUS_DEDUP_BODY_MAX     1024 /* a bigger reply cannot be recorded */
#define BUS_DEDUP_IDENTITY_MAX 255  /* as a ZeroMQ routing id */
#define BUS_DEDUP_SLOTS        256  /* default table size */

/* One request: the client's identity and boot epoch, and its request id.
 * The epoch keeps a restarted client that reuses its identity and request
 * ids from getting the replies of its previous life. */
struct bus_dedup_key {
    const uint8_t *client;
    size_t client_len;
    uint64_t client_epoch;
    uint64_t request_id;
};

struct bus_dedup;

/* Open (or create) the table in the file at path with room for slots
 * replies, keeping the entries a previous process left there. A file of
 * another geometry or version is started afresh. NULL on failure (errno). */
struct bus_dedup *bus_dedup_open(const char *path, uint32_t slots);

/* Unmap and close (the file stays); NULLs *p. Accepts NULL. */
void bus_dedup_destroy(struct bus_dedup **p);

/* Look up a request: 1 if found (status and body copied out; *len gets the
 * body's size), 0 if not, -EMSGSIZE if the body does not fit cap. */
int bus_dedup_lookup(struct bus_dedup *d, const struct bus_dedup_key *k, int *status,
                     void *body, size_t cap, size_t *len);

/* Record the reply of a request, replacing the oldest entry when full. The
 * entry is complete in the file when this returns. -EMSGSIZE for a body over
 * BUS_DEDUP_BODY_MAX, -EINVAL for a bad identity. */
int bus_dedup_insert(struct bus_dedup *d, const struct bus_dedup_key *k, int status,
                     const void *body, size_t len);

/* Number of valid entries. */
size_t bus_dedup_count(const struct bus_dedup *d);

#endif
