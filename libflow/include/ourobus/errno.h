/*
 * ourobus/errno.h - error codes of the flow API beyond the standard errno
 * values. Functions return them negated, as they return -errno.
 */
#ifndef OUROBUS_ERRNO_H
#define OUROBUS_ERRNO_H

#include <errno.h>

#define ENOTALLOC  1000 /* flow is not allocated */
#define EIPCPTYPE  1001 /* unknown IPCP type */
#define EIRMD      1002 /* the IRM daemon is not running or not reachable */
#define EIPCP      1003 /* the IPCP failed or no layer serves the name */
#define EIPCPSTATE 1004 /* the IPCP is in the wrong state for the request */
#define EFLOWDOWN  1005 /* the flow is down (the layer below lost it) */
#define EFLOWPEER  1006 /* the peer of the flow is gone */
#define ENAME      1007 /* unknown name */
#define ECRYPT     1008 /* encryption failed or is not available */
#define EAUTH      1009 /* authentication of the peer failed */

#endif
