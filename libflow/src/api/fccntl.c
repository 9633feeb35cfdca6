/*
 * fccntl.c - per-flow settings: timeouts, flags (access mode, blocking,
 * partial reads and writes, down), the granted QoS, queue lengths and the
 * FRCP flags of flows that have FRCP.
 */
#include "lib.h"

#include "proc_self.h"

#include <errno.h>
#include <ourobus/fccntl.h>
#include <stdarg.h>
#include <stdint.h>

#define FLOWF_KNOWN                                                                            \
    (FLOWFACCMODE | FLOWFDOWN | FLOWFRNOBLOCK | FLOWFWNOBLOCK | FLOWFRNOPART | FLOWFWNOPART)

static int set_timeo(const struct timespec *t, bool *has, uint64_t *ns)
{
    if (t == NULL) {
        *has = false;
        *ns = 0;
        return 0;
    }
    if (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000)
        return -EINVAL;
    *ns = (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
    *has = true;
    return 0;
}

static int get_timeo(struct timespec *t, bool has, uint64_t ns)
{
    if (t == NULL)
        return -EINVAL;
    if (!has)
        return -EPERM; /* none set */
    t->tv_sec = (time_t)(ns / 1000000000ull);
    t->tv_nsec = (long)(ns % 1000000000ull);
    return 0;
}

/* Marking a flow down (an IPCP whose link went down) tells its peer. */
static void set_down(struct flow *f, bool down)
{
    uint32_t q;
    struct evq *evq;

    if (down)
        ring_set_state(f->tx.ring, RING_DOWN);
    else
        ring_clear_state(f->tx.ring, RING_DOWN);
    q = ring_notify(f->tx.ring);
    if (q != 0 && f->peer_evq != NULL && (evq = evq_set_queue(&f->peer_evq->set, q)) != NULL)
        evq_post(evq, f->id, down ? EVQ_FLOW_DOWN : EVQ_FLOW_UP);
}

static int set_flags(struct flow *f, uint32_t flags)
{
    uint32_t old;

    if ((flags & ~(uint32_t)FLOWF_KNOWN) != 0 || (flags & FLOWFACCMODE) == FLOWFACCMODE)
        return -EINVAL;
    old = atomic_exchange(&f->flags, flags);
    if ((old ^ flags) & FLOWFDOWN)
        set_down(f, flags & FLOWFDOWN);
    return 0;
}

int fccntl(int fd, int cmd, ...)
{
    struct flow *f;
    va_list ap;
    int err = 0;

    f = flow_get(fd, &err);
    if (f == NULL)
        return err;
    va_start(ap, cmd);
    switch (cmd) {
    case FLOWSRCVTIMEO:
        err = set_timeo(va_arg(ap, const struct timespec *), &f->has_rcv, &f->rcv_timeo);
        break;
    case FLOWGRCVTIMEO:
        err = get_timeo(va_arg(ap, struct timespec *), f->has_rcv, f->rcv_timeo);
        break;
    case FLOWSSNDTIMEO:
        err = set_timeo(va_arg(ap, const struct timespec *), &f->has_snd, &f->snd_timeo);
        break;
    case FLOWGSNDTIMEO:
        err = get_timeo(va_arg(ap, struct timespec *), f->has_snd, f->snd_timeo);
        break;
    case FLOWGQOSSPEC: {
        qosspec_t *q = va_arg(ap, qosspec_t *);
        if (q == NULL)
            err = -EINVAL;
        else
            *q = f->qos;
        break;
    }
    case FLOWSFLAGS:
        err = set_flags(f, va_arg(ap, uint32_t));
        break;
    case FLOWGFLAGS: {
        uint32_t *p = va_arg(ap, uint32_t *);
        if (p == NULL)
            err = -EINVAL;
        else
            *p = atomic_load(&f->flags);
        break;
    }
    case FLOWGRXQLEN: {
        size_t *p = va_arg(ap, size_t *);
        if (p == NULL)
            err = -EINVAL;
        else
            *p = ring_count(f->rx.ring) + (f->part_off != 0);
        break;
    }
    case FLOWGTXQLEN: {
        size_t *p = va_arg(ap, size_t *);
        if (p == NULL)
            err = -EINVAL;
        else
            *p = ring_count(f->tx.ring);
        break;
    }
    case FRCTSFLAGS:
    case FRCTGFLAGS:
        /* Only flows asking in-order delivery run FRCP. */
        if (!f->qos.in_order) {
            err = -EPERM;
        } else if (cmd == FRCTGFLAGS) {
            uint16_t *p = va_arg(ap, uint16_t *);
            if (p == NULL)
                err = -EINVAL;
            else
                *p = f->frct_flags;
        } else {
            uint32_t v = va_arg(ap, uint32_t);
            if (v & ~(uint32_t)(FRCTFRESCNTL | FRCTFRTX | FRCTFLINGER))
                err = -EINVAL;
            else /* retransmission follows the QoS, it is not a setting */
                f->frct_flags = (uint16_t)((v & ~FRCTFRTX) | (f->frct_flags & FRCTFRTX));
        }
        break;
    default:
        err = -ENOTSUP;
        break;
    }
    va_end(ap);
    flow_put(f);
    return err;
}
