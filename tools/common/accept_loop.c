/*
 * accept_loop.c - flow_accept() in slices. A daemon that answered once
 * and then fails is most likely restarting, so the loop waits for it.
 */
#include "accept_loop.h"

#include "flow_error.h"

#include <ourobus/dev.h>

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#define ACCEPT_TICK_NS 500000000L
#define RETRY_US       1000000

int accept_loop_run(const struct accept_loop *al)
{
    struct timespec tick = {.tv_sec = 0, .tv_nsec = ACCEPT_TICK_NS};
    bool answered = false, warned = false;
    char buf[256];

    assert(al != NULL && al->stop != NULL && al->on_flow != NULL);
    while (!atomic_load(al->stop)) {
        qosspec_t qs = qos_raw;
        int fd = flow_accept(&qs, &tick);

        if (fd == -ETIMEDOUT || fd == -EAGAIN || fd == -EINTR) {
            answered = true;
            warned = false;
        } else if (fd < 0) {
            if (!answered) {
                fprintf(stderr, "%s: %s\n", al->prog, flow_error_accept(fd, buf, sizeof(buf)));
                return 1;
            }
            if (!warned)
                fprintf(stderr, "%s: %s; retrying\n", al->prog,
                        flow_error_accept(fd, buf, sizeof(buf)));
            warned = true;
            usleep(RETRY_US);
        } else {
            answered = true;
            warned = false;
            al->on_flow(al->ctx, fd, &qs);
        }
        if (al->on_tick != NULL)
            al->on_tick(al->ctx);
    }
    return 0;
}
