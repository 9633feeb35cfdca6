/*
 * service.h - the skeleton every daemon runs on: run folder, single-instance
 * lock, log identity, signals, boot epoch, bus server and event publisher.
 *
 * Call service_new first in main, before any thread or ZeroMQ socket: it
 * blocks SIGTERM, SIGINT and SIGHUP so that every thread started later
 * inherits the mask, and reads them from a signalfd in the main loop.
 */
#ifndef OUROBUS_SERVICE_H
#define OUROBUS_SERVICE_H

#include "bus_events.h"
#include "bus_server.h"
#include "run_folder.h"

#include <czmq.h>
#include <spawn.h>
#include <stdint.h>

#define SERVICE_NAME_MAX 48

/* Called on SIGHUP, from the main loop. */
typedef void (*service_reload_fn)(void *arg);

struct service;

/* 0 when name is a valid service name ([A-Za-z0-9_.-], 1..48 chars, not
 * starting with '.'; e.g. "irmd", "shim-udp.udp0"), else -EINVAL. */
int service_name_check(const char *name);

/* Start the service name on node: create the node's run folder, take
 * <run>/<name>.lock (a second instance fails, saying which pid holds it),
 * name the log lines name@node, draw the boot epoch, bind the bus server at
 * <run>/<name>.ctl (dedup table <run>/<name>.dedup) and the publisher at
 * <run>/<name>.evt. NULL on failure, with errno (EADDRINUSE: another
 * instance runs) and the reason logged. */
struct service *service_new(const char *name, const char *node);

/* Close the sockets (removing their files), then release the lock. NULLs
 * *p. Accepts NULL. Signals stay blocked. */
void service_destroy(struct service **p);

/* Run the main loop until SIGTERM or SIGINT (or service_stop): 0 then, -1
 * if a loop handler failed. */
int service_run(struct service *s);

/* End service_run after the current handler (e.g. from a request). */
void service_stop(struct service *s);

/* Call fn(arg) on SIGHUP. */
void service_on_reload(struct service *s, service_reload_fn fn, void *arg);

/* The bus server: add the service's methods to it. */
struct bus_server *service_bus(struct service *s);

/* The event publisher. */
struct bus_pub *service_events(struct service *s);

/* The main loop, for the service's own readers and timers. */
zloop_t *service_loop(struct service *s);

uint64_t service_epoch(const struct service *s);
const char *service_name(const struct service *s);
const struct run_folder *service_run_folder(const struct service *s);

/* In a child the service forked, before exec: unblock the signals the
 * service blocked, so the program it runs gets them. Async-signal-safe. */
void service_child_unblock_signals(void);

/* The same for posix_spawn: the child starts with no signal blocked. */
int service_spawnattr_unblock_signals(posix_spawnattr_t *attr);

#endif
