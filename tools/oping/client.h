/*
 * client.h - the oping client's state, shared by the loops that send and
 * receive (client.c) and the lines they print (client_print.c).
 */
#ifndef OUROBUS_OPING_CLIENT_H
#define OUROBUS_OPING_CLIENT_H

#include "oping.h"
#include "ping_track.h"
#include "rtt_stats.h"

#include <stdatomic.h>
#include <stdint.h>

struct client {
    const struct oping_opts *o;
    const atomic_int *stop;
    int fd;
    struct ping_track track;
    struct rtt_stats rtt; /* reader thread only, until it is joined */
    uint8_t *rbuf;        /* reader's buffer */
    uint8_t *wbuf;        /* writer's buffer */
    size_t buflen;
    uint64_t t_start; /* first ping sent */
    uint64_t t_end;
    atomic_bool writer_done;
    atomic_int error; /* the first flow error, negative; 0 while none */
};

/* How long a ping waits for its reply before it is declared lost. */
uint64_t client_loss_timeout(const struct client *c);

/* "64 bytes from oping: seq=3 time=0.412 ms" and its flags. */
void client_print_reply(const struct client *c, uint64_t id, size_t bytes, uint64_t rtt_ns,
                        int kind);

/* "seq=4 lost: no reply within 2000 ms". */
void client_print_lost(const struct client *c, uint64_t id, uint64_t timeout_ns);

/* The header line before the first ping. */
void client_print_start(const struct client *c);

/* The summary: sent, received, loss, min/avg/max/mdev, p50/p99. */
void client_print_summary(struct client *c);

#endif
