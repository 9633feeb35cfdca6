/*
 * oping.h - what the oping client and server are asked to do (the parsed
 * command line), and their entry points.
 */
#ifndef OUROBUS_OPING_H
#define OUROBUS_OPING_H

#include <ourobus/qos.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPING_DEFAULT_NAME "oping"
#define OPING_DEFAULT_SIZE 64
#define OPING_MAX_SIZE     65536
#define OPING_BUF_SIZE     (OPING_MAX_SIZE + 1) /* a packet that fills it is not a ping */

enum oping_server_mode {
    OPING_SERVER_THREADS = 0, /* one thread per flow, blocking reads */
    OPING_SERVER_POLL,        /* one thread, fset/fqueue over every flow */
    OPING_SERVER_BUSY,        /* one thread busy-polling every flow */
};

struct oping_opts {
    const char *name;     /* -n: the server's name */
    const char *qos_name; /* -q */
    qosspec_t qos;
    size_t size;          /* -s: bytes per ping */
    uint64_t count;       /* -c: 0 = no limit */
    uint64_t duration_ns; /* -d: 0 = no limit */
    uint64_t interval_ns; /* -i */
    bool flood;           /* -f: next ping when the pong is in */
    bool flood_busy;      /* -F: the same, busy-polling */
    bool quiet;           /* -Q: summary only */
    bool timeofday;       /* -D: time of day before each line */
    enum oping_server_mode server_mode;
};

/* Run the client until the count, the duration or *stop; prints one line
 * per pong and the summary. Returns the exit status: 0, or 1 when the
 * flow could not be allocated or no pong came back. */
int oping_client_run(const struct oping_opts *o, const atomic_int *stop);

/* Answer pings on every flow accepted until *stop. Exit status. */
int oping_server_run(const struct oping_opts *o, const atomic_int *stop);

#endif
