/*
 * qos_name.h - the QoS presets by the names the tools take on the command
 * line (-q raw|best|video|voice|data).
 */
#ifndef OUROBUS_TOOLS_QOS_NAME_H
#define OUROBUS_TOOLS_QOS_NAME_H

#include <ourobus/qos.h>

#define QOS_NAMES "raw|best|video|voice|data"

/* The preset called name into *qs: 0, or -EINVAL for an unknown name. */
int qos_spec_from_name(const char *name, qosspec_t *qs);

#endif
