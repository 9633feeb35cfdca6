/*
 * ourobus/fccntl.h - flow control operations: timeouts, flags, granted QoS,
 * queue lengths, FRCP flags. Values are the reference's.
 */
#ifndef OUROBUS_FCCNTL_H
#define OUROBUS_FCCNTL_H

#include <ourobus/errno.h>
#include <ourobus/qos.h>

#include <time.h>

/* Flow flags */
#define FLOWFRDONLY   00000000 /* read-only flow */
#define FLOWFWRONLY   00000001 /* write-only flow */
#define FLOWFRDWR     00000002 /* read-write flow */
#define FLOWFACCMODE  00000003 /* access mode mask */
#define FLOWFDOWN     00000004 /* flow is down */
#define FLOWFRNOBLOCK 00001000 /* non-blocking reads */
#define FLOWFWNOBLOCK 00002000 /* non-blocking writes */
#define FLOWFNONBLOCK (FLOWFRNOBLOCK | FLOWFWNOBLOCK)
#define FLOWFRNOPART  00010000 /* no partial reads */
#define FLOWFWNOPART  00020000 /* no partial writes */
#define FLOWFDEFAULT  (FLOWFRDWR | FLOWFWNOPART)
#define FLOWFINVALID  (FLOWFWRONLY | FLOWFRDWR)

/* FRCP flags */
#define FRCTFRESCNTL 00000001 /* flow control (receiver feedback) */
#define FRCTFRTX     00000002 /* retransmission (read-only) */
#define FRCTFLINGER  00000004 /* deliver unacknowledged data on dealloc */

/* Flow operations */
#define FLOWSRCVTIMEO 00000001 /* set read timeout: struct timespec *, NULL clears */
#define FLOWGRCVTIMEO 00000002 /* get read timeout: struct timespec * */
#define FLOWSSNDTIMEO 00000003 /* set write timeout */
#define FLOWGSNDTIMEO 00000004 /* get write timeout */
#define FLOWGQOSSPEC  00000005 /* get the granted QoS: qosspec_t * */
#define FLOWSFLAGS    00000006 /* set flow flags: uint32_t */
#define FLOWGFLAGS    00000007 /* get flow flags: uint32_t * */
#define FLOWGRXQLEN   00000010 /* packets waiting to be read: size_t * */
#define FLOWGTXQLEN   00000011 /* packets written, not yet taken: size_t * */

/* FRCP operations */
#define FRCTSFLAGS 00001000 /* set FRCP flags: uint16_t (passed as int) */
#define FRCTGFLAGS 00002000 /* get FRCP flags: uint16_t * */

#ifdef __cplusplus
extern "C" {
#endif

/* 0 (or what the get returns through the argument), -EBADF, -ENOTALLOC,
 * -EINVAL, -EPERM (a get of an unset timeout; FRCP on a flow without it),
 * -ENOTSUP (unknown cmd). */
int fccntl(int fd, int cmd, ...);

#ifdef __cplusplus
}
#endif

#endif
