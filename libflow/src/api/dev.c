/*
 * dev.c - the flow calls that go through the IRM daemon: flow_alloc,
 * flow_accept, flow_join and flow_dealloc.
 */
#include "lib.h"

#include "irmd_client.h"
#include "log.h"
#include "proc_self.h"
#include "qos_msg.h"

#include <errno.h>
#include <ourobus/dev.h>
#include <ourobus/irm.h>
#include <stdio.h>
#include <string.h>

#define ALLOC_CAP_MS 20000 /* a flow_alloc without a timeout waits at most this */
#define REPLY_SLACK  2000  /* ms the daemon's answer may take beyond the wait */

static uint32_t timeo_ms(const struct timespec *t)
{
    uint64_t ms;

    if (t == NULL)
        return 0;
    ms = (uint64_t)t->tv_sec * 1000 + (uint64_t)t->tv_nsec / 1000000;
    if (ms == 0 && (t->tv_sec != 0 || t->tv_nsec != 0))
        ms = 1;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static bool timeo_bad(const struct timespec *t)
{
    return t != NULL && (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000);
}

/* A flow request to the daemon, answered with the flow: open it on a new
 * descriptor. wait_ms: how long the daemon may wait for the other end
 * (0 = as long as the method allows); bus_ms: how long we wait for it. */
static int flow_request(uint32_t method, const pb_msgdesc_t *fields, void *req, int bus_ms,
                        qosspec_t *qs)
{
    irm_flow_info_t info = IRM_FLOW_INFO_INIT_ZERO;
    int fd, err;

    fd = flow_reserve();
    if (fd < 0)
        return fd;
    err = irmd_call(method, fields, req, IRM_FLOW_INFO_FIELDS, &info, bus_ms);
    if (err == -ESRCH) {
        /* The daemon does not know us (it lost its state): once more. */
        if (lib_reannounce() == 0)
            err = irmd_call(method, fields, req, IRM_FLOW_INFO_FIELDS, &info, bus_ms);
    }
    if (err < 0) {
        flow_unreserve(fd);
        return err;
    }
    err = flow_open(fd, &info);
    if (err < 0) {
        irm_flow_dealloc_t d = {.pid = proc_self_pid(), .flow_id = info.flow_id};
        irmd_call(IRM_METHOD_FLOW_DEALLOC, IRM_FLOW_DEALLOC_FIELDS, &d, NULL, NULL, 2000);
        flow_unreserve(fd);
        return err;
    }
    if (qs != NULL)
        qos_msg_to_spec(&info.qos, qs);
    return fd;
}

int flow_alloc(const char *dst_name, qosspec_t *qs, const struct timespec *timeo)
{
    irm_flow_alloc_t req = IRM_FLOW_ALLOC_INIT_ZERO;
    uint32_t ms;
    int err;

    if (dst_name == NULL || dst_name[0] == '\0' || strlen(dst_name) > NAME_SIZE ||
        timeo_bad(timeo))
        return -EINVAL;
    err = lib_ready();
    if (err < 0)
        return err;
    ms = timeo != NULL ? timeo_ms(timeo) : ALLOC_CAP_MS;
    if (ms == 0)
        ms = 1; /* a zero timeout asks once, without waiting for a server */
    req.pid = proc_self_pid();
    snprintf(req.name, sizeof(req.name), "%s", dst_name);
    req.has_qos = true;
    qos_msg_from_spec(qs != NULL ? qs : &qos_raw, &req.qos);
    req.timeout_ms = ms;
    return flow_request(IRM_METHOD_FLOW_ALLOC, IRM_FLOW_ALLOC_FIELDS, &req,
                        (int)ms + REPLY_SLACK, qs);
}

int flow_accept(qosspec_t *qs, const struct timespec *timeo)
{
    irm_flow_accept_t req = IRM_FLOW_ACCEPT_INIT_ZERO;
    uint32_t ms;
    int err;

    if (timeo_bad(timeo))
        return -EINVAL;
    err = lib_ready();
    if (err < 0)
        return err;
    ms = timeo_ms(timeo);
    if (timeo != NULL && ms == 0)
        ms = 1;
    req.pid = proc_self_pid();
    req.timeout_ms = ms;
    return flow_request(IRM_METHOD_FLOW_ACCEPT, IRM_FLOW_ACCEPT_FIELDS, &req,
                        timeo != NULL ? (int)ms + REPLY_SLACK : -1, qs);
}

int flow_join(const char *bc, const struct timespec *timeo)
{
    irm_flow_join_t req = IRM_FLOW_JOIN_INIT_ZERO;
    uint32_t ms;
    int err;

    if (bc == NULL || bc[0] == '\0' || strlen(bc) > LAYER_NAME_SIZE || timeo_bad(timeo))
        return -EINVAL;
    err = lib_ready();
    if (err < 0)
        return err;
    ms = timeo != NULL ? timeo_ms(timeo) : ALLOC_CAP_MS;
    req.pid = proc_self_pid();
    snprintf(req.layer, sizeof(req.layer), "%s", bc);
    req.timeout_ms = ms;
    return flow_request(IRM_METHOD_FLOW_JOIN, IRM_FLOW_JOIN_FIELDS, &req, (int)ms + REPLY_SLACK,
                        NULL);
}

int flow_dealloc(int fd)
{
    return flow_close(fd, true);
}
