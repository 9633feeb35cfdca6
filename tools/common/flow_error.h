/*
 * flow_error.h - what the flow API's negative error codes mean to a user
 * of the tools, in words that say what to do about them.
 */
#ifndef OUROBUS_TOOLS_FLOW_ERROR_H
#define OUROBUS_TOOLS_FLOW_ERROR_H

#include <stddef.h>

/* The node the library talks to: $OUROBUS_NODE, else "default". */
const char *flow_error_node(void);

/* A short text for err (a negative code from ourobus/errno.h or errno.h),
 * e.g. "the peer is gone". Returns buf. */
const char *flow_error_str(int err, char *buf, size_t len);

/* The message for a flow_alloc() to name that returned err, e.g.
 * "no such name 'x'" or "no IRM daemon for node 'default': start
 * ourobus-irmd". Returns buf. */
const char *flow_error_alloc(int err, const char *name, char *buf, size_t len);

/* The message for a flow_accept() that returned err. Returns buf. */
const char *flow_error_accept(int err, char *buf, size_t len);

#endif
