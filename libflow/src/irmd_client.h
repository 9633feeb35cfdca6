/*
 * irmd_client.h - how a process talks to its node's IRM daemon: one bus
 * client per thread (a call may block for long, e.g. flow_accept), the node
 * resolved once, and a clear error when the daemon is not running (-EIRMD)
 * or not ours to talk to (-EACCES), never a hang.
 */
#ifndef OUROBUS_IRMD_CLIENT_H
#define OUROBUS_IRMD_CLIENT_H

#include "run_folder.h"

#include <pb.h>
#include <stdint.h>

#define IRMD_SERVICE      "irmd"
#define IRMD_CALL_TIMEOUT 5000 /* ms: a call that does not wait for anyone */

/* Use this node's daemon from now on (NULL: $OUROBUS_NODE or "default").
 * Threads drop their clients to the old one at their next call. 0 or
 * -EINVAL. */
int irmd_client_use_node(const char *node);

/* The run folder of the node in use. */
const struct run_folder *irmd_client_run_folder(void);

/* Call an IRM method with nanopb messages (rep_fields NULL: no reply
 * body), waiting at most timeout_ms (< 0: forever). Returns the daemon's
 * status (>= 0 or -errno), -EIRMD when no daemon runs for the node (or it
 * vanished and did not come back before the deadline), -EACCES when this
 * user may not use the node, -ETIMEDOUT. */
int irmd_call(uint32_t method, const pb_msgdesc_t *req_fields, const void *req,
              const pb_msgdesc_t *rep_fields, void *rep, int timeout_ms);

/* Is the daemon there? 0, -EIRMD or -EACCES, without a round trip. */
int irmd_client_probe(void);

/* Call fn(arg) once per restart of the daemon (a new boot epoch seen by any
 * thread), from the thread that saw it, before its call returns. */
void irmd_client_on_restart(void (*fn)(void *arg), void *arg);

/* Mute czmq's own messages on stderr (an application does not want its
 * "dangling socket" notes at exit; our log lines are not affected). */
void irmd_client_quiet(void);

/* The daemon's boot epoch as last seen (0 before the first reply). */
uint64_t irmd_client_epoch(void);

#endif
