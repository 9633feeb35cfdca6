/*
 * operf.h - what the operf client and server are asked to do (the parsed
 * command line), and their entry points.
 */
#ifndef OUROBUS_OPERF_H
#define OUROBUS_OPERF_H

#include "pacer.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPERF_DEFAULT_NAME "operf"
#define OPERF_DEFAULT_SIZE 1500
#define OPERF_DEFAULT_RATE 1000000ull /* b/s */
#define OPERF_MAX_SIZE     (1 << 20)

struct operf_opts {
    const char *name;     /* -n */
    bool bi;              /* -t bi: the server echoes */
    uint64_t duration_ns; /* -d */
    uint64_t rate_bps;    /* -r */
    size_t size;          /* -s */
    bool flood;           /* -f */
    enum pace_mode pace;  /* --sleep */
};

/* Send for the duration (or until *stop), print a line a second and the
 * summary. Exit status: 0, or 1 when the flow failed. */
int operf_client_run(const struct operf_opts *o, const atomic_int *stop);

/* Count (and in a bi test echo) on every flow accepted until *stop;
 * report each flow when it ends. Exit status. */
int operf_server_run(const atomic_int *stop);

#endif
