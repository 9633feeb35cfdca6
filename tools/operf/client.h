/*
 * client.h - the operf client's state: the writer thread's counters, the
 * reader thread's (echoes in a bi test, the server's reports), and the
 * per-second rates the progress lines and the summary print.
 */
#ifndef OUROBUS_OPERF_CLIENT_H
#define OUROBUS_OPERF_CLIENT_H

#include "operf.h"
#include "seq_count.h"

#include <stdatomic.h>
#include <stdint.h>

struct rate_range {
    double min_bps;
    double max_bps;
    unsigned int n; /* full seconds seen */
};

struct client {
    const struct operf_opts *o;
    const atomic_int *stop;
    int fd;
    uint64_t t0;
    atomic_int error;
    /* writer */
    _Atomic uint64_t sent;
    _Atomic uint64_t sent_bytes;
    _Atomic uint64_t t_send_end; /* 0 while sending */
    _Atomic uint64_t end_deadline;
    atomic_bool writer_done;
    /* reader: echoes */
    struct seq_count echo_seq;
    _Atomic uint64_t echoed;
    _Atomic uint64_t echoed_bytes;
    _Atomic uint64_t echo_lost;
    /* reader: the server's reports */
    _Atomic uint64_t rep_n;
    _Atomic uint64_t rep_packets;
    _Atomic uint64_t rep_bytes;
    _Atomic uint64_t rep_lost;
    _Atomic uint64_t rep_time_ns; /* the server's time from its first packet */
    atomic_bool rep_final;
    struct rate_range rx_range; /* what arrived, per progress line (main only) */
};

/* Where the main thread was at the previous progress line. */
struct progress_mark {
    uint64_t t;
    uint64_t sent_bytes;
    uint64_t rx_bytes;
    uint64_t rx_time; /* bi: our clock; uni: the server's */
};

void rate_range_add(struct rate_range *r, double bps);

/* The line before the test starts. */
void client_print_start(const struct client *c);

/* The line of second k, from the counters since the mark (updated). */
void client_print_progress(struct client *c, unsigned int k, struct progress_mark *mark);

/* The summary after the end. */
void client_print_summary(const struct client *c);

#endif
