/*
 * ocbr.h - the ocbr client (sends packets at a constant bit rate) and
 * server (reports what arrives per interval and per flow).
 *
 * A packet: its sequence number, then zeros up to the size.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                                                               |
 * +       seq (64 bits, network byte order, from 0)               +
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                    padding to the size ...                    |
 */
#ifndef OUROBUS_OCBR_H
#define OUROBUS_OCBR_H

#include "pacer.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCBR_DEFAULT_NAME "ocbr"
#define OCBR_DEFAULT_SIZE 1000
#define OCBR_DEFAULT_RATE 1000000ull
#define OCBR_HDR_LEN      8
#define OCBR_MAX_SIZE     (1 << 20)

struct ocbr_client_opts {
    const char *name;     /* -n */
    uint64_t duration_ns; /* -d */
    size_t size;          /* -s */
    uint64_t rate_bps;    /* -r */
    bool flood;           /* -f */
    enum pace_mode pace;  /* --sleep, --spin */
};

struct ocbr_server_opts {
    uint64_t interval_ns; /* -i: a report line per flow this often */
    uint64_t timeout_ns;  /* -t: a flow silent this long is closed */
};

/* Send for the duration or until *stop, then print what was sent. */
int ocbr_client_run(const struct ocbr_client_opts *o, const atomic_int *stop);

/* Receive on every flow accepted until *stop. */
int ocbr_server_run(const struct ocbr_server_opts *o, const atomic_int *stop);

#endif
