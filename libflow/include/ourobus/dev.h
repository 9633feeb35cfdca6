/*
 * ourobus/dev.h - the flow API for applications: allocate a flow to a name,
 * accept flows for the names this program is bound to, join a broadcast
 * layer, read and write packets, deallocate. Every call is thread-safe and
 * returns a negative error code (ourobus/errno.h) on failure.
 */
#ifndef OUROBUS_DEV_H
#define OUROBUS_DEV_H

#include <ourobus/errno.h>
#include <ourobus/qos.h>

#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Allocate a flow to dst_name with the QoS in *qs (NULL: qos_raw); on
 * success *qs holds what was granted. NULL timeo: wait at most 20 s.
 * Returns a flow descriptor, or -EINVAL, -EIRMD, -ENAME, -EIPCP, -ETIMEDOUT,
 * -EPERM (the 20 s cap), -EACCES, -ENOMEM, -EBADF (no descriptor left). */
int flow_alloc(const char *dst_name, qosspec_t *qs, const struct timespec *timeo);

/* Wait for a flow to any name this process (or its program) is bound to.
 * *qs (if not NULL) gets the peer's QoS. NULL timeo: wait forever. */
int flow_accept(qosspec_t *qs, const struct timespec *timeo);

/* Join the broadcast layer named bc. */
int flow_join(const char *bc, const struct timespec *timeo);

/* Release a flow; the peer's reads end with -EFLOWPEER once it has read
 * what was sent. 0, -EINVAL, -ENOTALLOC, -EIRMD. */
int flow_dealloc(int fd);

/* Write one packet of count bytes. Returns count, or -EBADF, -ENOTALLOC,
 * -EPERM (read-only flow), -EAGAIN (non-blocking and full), -ETIMEDOUT,
 * -EFLOWDOWN, -EFLOWPEER, -EMSGSIZE, -ENOMEM, -EINTR. flow_alloc and
 * flow_accept are not interrupted by signals: bound them with a timeout. */
ssize_t flow_write(int fd, const void *buf, size_t count);

/* Read one packet (or, with partial reads on, the next part of it).
 * Returns its length, or -EBADF, -ENOTALLOC, -EAGAIN, -ETIMEDOUT,
 * -EFLOWDOWN, -EFLOWPEER, -EMSGSIZE (partial reads off and the packet longer
 * than the buffer: it is dropped), -EINTR (a signal handler installed
 * without SA_RESTART interrupted the wait). */
ssize_t flow_read(int fd, void *buf, size_t count);

#ifdef __cplusplus
}
#endif

#endif
