/*
 * accept_loop.h - the servers' accept loop: flow_accept() with a timeout
 * so a stop signal is seen, each new flow handed to the tool, periodic
 * work between accepts, and a daemon restart ridden out.
 */
#ifndef OUROBUS_TOOLS_ACCEPT_LOOP_H
#define OUROBUS_TOOLS_ACCEPT_LOOP_H

#include <ourobus/qos.h>

#include <stdatomic.h>

struct accept_loop {
    const char *prog;       /* for the error messages */
    const atomic_int *stop; /* the loop ends when it is set */
    /* A new flow on fd; the tool owns it now. */
    void (*on_flow)(void *ctx, int fd, const qosspec_t *qs);
    /* Every half second or so, and after each flow (may be NULL). */
    void (*on_tick)(void *ctx);
    void *ctx;
};

/* Accept until *stop. A failure of the very first accept (no daemon, not
 * bound to a name) ends the loop with status 1; later failures are
 * reported once and retried every second. Returns the exit status. */
int accept_loop_run(const struct accept_loop *al);

#endif
