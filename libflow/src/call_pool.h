/*
 * call_pool.h - bus calls that may wait (a query over a layer, a flow
 * request waiting for an application) made on worker threads, with each
 * result handed back to the caller's main loop: the loop never blocks on
 * another daemon.
 */
#ifndef OUROBUS_CALL_POOL_H
#define OUROBUS_CALL_POOL_H

#include <czmq.h>
#include <pb.h>
#include <stddef.h>
#include <stdint.h>

#define CALL_POOL_THREADS 4
#define CALL_REP_MAX      65536

/* A call's outcome, run on the main loop: status is the server's (>= 0 or
 * -errno), -ETIMEDOUT, or -EIRMD-like transport errors; rep/len its reply
 * body (valid during the call only). */
typedef void (*call_done_fn)(void *arg, int status, const uint8_t *rep, size_t len);

struct call_pool;

/* Worker threads serving loop; ident names this process's clients. */
struct call_pool *call_pool_new(zloop_t *loop, const char *ident, int threads);

/* Stop the workers (waiting for calls in progress to end at their
 * deadline) and drop undelivered results. NULLs *p; accepts NULL. */
void call_pool_destroy(struct call_pool **p);

/* Call method at endpoint with body (copied), waiting up to timeout_ms;
 * done(arg, ...) runs later on the loop. 0 or -ENOMEM. */
int call_pool_submit(struct call_pool *p, const char *endpoint, uint32_t method,
                     const void *body, size_t len, int timeout_ms, call_done_fn done,
                     void *arg);

/* The same with a nanopb message as body. */
int call_pool_submit_pb(struct call_pool *p, const char *endpoint, uint32_t method,
                        const pb_msgdesc_t *fields, const void *msg, int timeout_ms,
                        call_done_fn done, void *arg);

/* Calls submitted and not yet delivered. */
size_t call_pool_pending(const struct call_pool *p);

#endif
