/*
 * flow_error.c - texts for the flow API's error codes. The IRM daemon and
 * name errors name the node and the name, since that is what users get
 * wrong.
 */
#include "flow_error.h"

#include <ourobus/errno.h>

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *flow_error_node(void)
{
    const char *node = getenv("OUROBUS_NODE");

    return node != NULL && *node != '\0' ? node : "default";
}

const char *flow_error_str(int err, char *buf, size_t len)
{
    const char *s;

    assert(buf != NULL && len > 0);
    switch (-err) {
    case ENOTALLOC:
        s = "the flow is not allocated";
        break;
    case EIPCPTYPE:
        s = "unknown IPCP type";
        break;
    case EIRMD:
        s = "the IRM daemon is not reachable";
        break;
    case EIPCP:
        s = "no layer serves the name";
        break;
    case EIPCPSTATE:
        s = "the IPCP is in the wrong state";
        break;
    case EFLOWDOWN:
        s = "the flow is down";
        break;
    case EFLOWPEER:
        s = "the peer is gone";
        break;
    case ENAME:
        s = "unknown name";
        break;
    case ECRYPT:
        s = "encryption failed or is not available";
        break;
    case EAUTH:
        s = "authentication failed";
        break;
    case EMSGSIZE:
        s = "packet too large for the flow";
        break;
    default:
        snprintf(buf, len, "%s", strerror(-err));
        return buf;
    }
    snprintf(buf, len, "%s", s);
    return buf;
}

const char *flow_error_alloc(int err, const char *name, char *buf, size_t len)
{
    char tmp[128];

    assert(buf != NULL && name != NULL);
    switch (-err) {
    case EIRMD:
        snprintf(buf, len, "no IRM daemon for node '%s': start ourobus-irmd",
                 flow_error_node());
        break;
    case ENAME:
        snprintf(buf, len, "no such name '%s'", name);
        break;
    case EIPCP:
        snprintf(buf, len, "no layer reaches '%s'", name);
        break;
    case ETIMEDOUT:
        snprintf(buf, len, "nobody accepted a flow to '%s' in time (is its server running?)",
                 name);
        break;
    case EPERM:
    case EACCES:
        snprintf(buf, len, "not allowed to allocate a flow to '%s'", name);
        break;
    case ECRYPT:
        snprintf(buf, len, "no encrypted flow to '%s': encryption failed or is not available",
                 name);
        break;
    case EAUTH:
        snprintf(buf, len, "'%s' failed authentication", name);
        break;
    case EBADF:
        snprintf(buf, len, "no flow descriptor left for a flow to '%s'", name);
        break;
    case EINVAL:
        snprintf(buf, len, "invalid name or QoS for a flow to '%s'", name);
        break;
    default:
        snprintf(buf, len, "flow allocation to '%s' failed: %s", name,
                 flow_error_str(err, tmp, sizeof(tmp)));
        break;
    }
    return buf;
}

const char *flow_error_accept(int err, char *buf, size_t len)
{
    char tmp[128];

    assert(buf != NULL);
    if (err == -EIRMD)
        snprintf(buf, len, "no IRM daemon for node '%s': start ourobus-irmd",
                 flow_error_node());
    else
        snprintf(buf, len, "accepting a flow failed: %s",
                 flow_error_str(err, tmp, sizeof(tmp)));
    return buf;
}
