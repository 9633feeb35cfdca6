/*
 * flow_setup.h - the fccntl() calls every tool makes on a new flow: add
 * flags (non-blocking reads, no partial reads) and set timeouts. Header
 * only, so tools_common itself does not depend on libflow.
 */
#ifndef OUROBUS_TOOLS_FLOW_SETUP_H
#define OUROBUS_TOOLS_FLOW_SETUP_H

#include "tool_time.h"

#include <ourobus/dev.h>
#include <ourobus/fccntl.h>

#include <errno.h>
#include <stdint.h>

/* Add flags to the flow's flags. 0 or a negative error code. */
static inline int flow_flags_add(int fd, uint32_t add)
{
    uint32_t flags = 0;
    int r = fccntl(fd, FLOWGFLAGS, &flags);

    if (r < 0)
        return r;
    return fccntl(fd, FLOWSFLAGS, flags | add);
}

/* Read timeout in ns (0: none). */
static inline int flow_rcvtimeo_set(int fd, uint64_t ns)
{
    struct timespec ts = ns_to_ts(ns);

    return fccntl(fd, FLOWSRCVTIMEO, ns ? &ts : NULL);
}

/* Write timeout in ns (0: none). */
static inline int flow_sndtimeo_set(int fd, uint64_t ns)
{
    struct timespec ts = ns_to_ts(ns);

    return fccntl(fd, FLOWSSNDTIMEO, ns ? &ts : NULL);
}

/* Read one packet into buf of cap bytes, cap one more than the longest
 * packet the tool expects. A packet that fills buf is not one of ours: its
 * remaining parts are read and dropped, and the result is -EMSGSIZE.
 * (Partial reads stay on: with them off, a packet too long stays at the
 * head of the flow and every read fails.) */
static inline ssize_t flow_read_packet(int fd, void *buf, size_t cap)
{
    ssize_t n = flow_read(fd, buf, cap);

    if (n < (ssize_t)cap)
        return n;
    do {
        n = flow_read(fd, buf, cap);
    } while (n == (ssize_t)cap);
    return n < 0 && n != -EAGAIN && n != -ETIMEDOUT ? n : -EMSGSIZE;
}

#endif
