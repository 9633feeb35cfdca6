/*
 * bus_client.h - the DEALER side of the control bus: synchronous calls with a
 * deadline and Lazy Pirate retries, and the server's boot epoch watched.
 *
 * A client belongs to one thread: it is not safe to share one between
 * threads (give each thread its own, with its own identity).
 */
#ifndef OUROBUS_BUS_CLIENT_H
#define OUROBUS_BUS_CLIENT_H

#include <pb.h>
#include <stddef.h>
#include <stdint.h>

#define BUS_RETRY_MS 250 /* default interval between attempts of a call */

/* Called when a reply shows the server has a new boot epoch: the server
 * restarted and lost what the client told it, so re-register. Runs inside
 * the bus_client_call that saw the new epoch, after its reply was taken;
 * it may call the client itself. Not called on the first reply. */
typedef void (*bus_epoch_fn)(void *arg, uint64_t old_epoch, uint64_t new_epoch);

struct bus_client;

/* Connect a DEALER to endpoint with a stable identity (1..255 bytes, e.g.
 * "<prog>/<pid>"), unique among the server's clients. NULL on failure. */
struct bus_client *bus_client_new(const char *endpoint, const char *identity);

/* Close the client; NULLs *p. Accepts NULL. */
void bus_client_destroy(struct bus_client **p);

/* Resend an unanswered request every ms (default BUS_RETRY_MS). */
void bus_client_set_retry(struct bus_client *c, int ms);

/* Call fn(arg, old, new) when the server's epoch changes. */
void bus_client_on_epoch(struct bus_client *c, bus_epoch_fn fn, void *arg);

/* Call method with body, waiting at most timeout_ms. The same request
 * (same id) is resent every retry interval until a reply comes; replies to
 * other requests are discarded. The reply's body is copied to rep (up to
 * rep_cap bytes; *rep_len gets its size; rep may be NULL to ignore it).
 * Returns the server's status (>= 0 or -errno), -ETIMEDOUT at the deadline,
 * -EBADMSG for a malformed reply, -EMSGSIZE if the reply does not fit. */
int bus_client_call(struct bus_client *c, uint32_t method, const void *body, size_t len,
                    void *rep, size_t rep_cap, size_t *rep_len, int timeout_ms);

/* bus_client_call with nanopb messages: req is encoded, the reply decoded
 * into rep (when rep_fields is not NULL and the reply has a body). */
int bus_client_call_pb(struct bus_client *c, uint32_t method, const pb_msgdesc_t *req_fields,
                       const void *req, const pb_msgdesc_t *rep_fields, void *rep,
                       int timeout_ms);

/* The server's epoch from the last reply (0 before the first). */
uint64_t bus_client_server_epoch(const struct bus_client *c);

/* The client's own boot epoch, sent with every request. */
uint64_t bus_client_epoch(const struct bus_client *c);

/* Does anything listen on this ipc:// endpoint right now? 0 if so,
 * -ENOENT (no socket file), -ECONNREFUSED (a stale file, no listener),
 * -EINVAL (not an ipc:// endpoint), or another -errno of connect(2).
 * Cheap, never blocks: say "irmd is not running" instead of waiting. */
int bus_probe(const char *endpoint);

#endif
