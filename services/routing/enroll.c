/*
 * enroll.c - both sides of the enrollment exchange.
 */
#include "enroll.h"

#include "enroll_msg.h"
#include "log.h"
#include "ls.h"
#include "nbrs.h"

#include <errno.h>
#include <inttypes.h>
#include <ourobus/dev.h>
#include <ourobus/errno.h>
#include <ourobus/fccntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ENROLL_WAIT_MS  3000 /* for each answer */
#define ENROLL_ADDR_TRY 64   /* random draws before giving up on a free address */
#define ENROLL_SKEW_MS  20   /* a clock further off is worth a warning */
#define ENROLL_RETRY_MS 500  /* between two attempts at a flow to the member */
#define ENROLL_TRIES    40   /* attempts at most, within the caller's time */

static uint64_t random64(void)
{
    uint64_t v = 0;

    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = (uint64_t)time(NULL) * 6364136223846793005ull ^ (uint64_t)clock();
    return v;
}

static void set_rcv_timeout(int fd, int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    fccntl(fd, FLOWSRCVTIMEO, &t);
}

static int send_msg(int fd, const struct enroll_msg *m)
{
    uint8_t buf[ENROLL_MSG_MAX];
    int len = enroll_msg_encode(m, buf, sizeof(buf));
    ssize_t w;

    if (len < 0)
        return len;
    w = flow_write(fd, buf, (size_t)len);
    return w < 0 ? (int)w : 0;
}

static int recv_msg(int fd, struct enroll_msg *m)
{
    uint8_t buf[ENROLL_MSG_MAX];
    ssize_t r = flow_read(fd, buf, sizeof(buf));

    if (r < 0)
        return (int)r;
    return enroll_msg_decode(buf, (size_t)r, m) < 0 ? -EPROTO : 0;
}

static uint64_t mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* A flow to dst, tried again while time is left: the layers below (or the
 * member) may still be coming up, e.g. when a node file starts them all. */
static int alloc_retry(const char *dst, int timeout_ms)
{
    uint64_t end = mono_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 1);
    int fd = -ETIMEDOUT;

    for (int i = 0; i < ENROLL_TRIES; i++) {
        uint64_t now = mono_ms();
        uint64_t left = end > now ? end - now : 0;
        struct timespec t;
        qosspec_t qs = qos_raw;

        if (left < ENROLL_RETRY_MS)
            break;
        left = left > ENROLL_WAIT_MS ? ENROLL_WAIT_MS : left;
        t = (struct timespec){.tv_sec = (time_t)(left / 1000),
                              .tv_nsec = (long)(left % 1000) * 1000000L};
        fd = flow_alloc(dst, &qs, &t);
        if (fd >= 0)
            return fd;
        if (i == 0)
            log_info("enrollment: no flow to %s yet (%d): trying again", dst, fd);
        usleep(ENROLL_RETRY_MS * 1000);
    }
    return fd;
}

int enroll_join(struct routing *r, const char *dst, struct ipcp_config *conf, int timeout_ms)
{
    struct enroll_msg req = {.type = ENROLL_REQ}, rsp, ack = {.type = ENROLL_ACK};
    struct timespec now;
    int64_t skew;
    int fd, err;

    req.id = random64() | 1u;
    fd = alloc_retry(dst, timeout_ms);
    if (fd < 0) {
        log_warn("enrollment: no flow to %s: %d", dst, fd);
        return fd;
    }
    set_rcv_timeout(fd, ENROLL_WAIT_MS);
    err = send_msg(fd, &req);
    if (err == 0)
        err = recv_msg(fd, &rsp);
    if (err == 0 && (rsp.type != ENROLL_RESP || rsp.id != req.id))
        err = -EPROTO;
    if (err == 0 && rsp.result < 0)
        err = rsp.result;
    if (err < 0) {
        log_warn("enrollment through %s failed: %d", dst, err);
        flow_dealloc(fd);
        return err;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    skew = ((int64_t)now.tv_sec - rsp.t_sec) * 1000 +
           ((int64_t)now.tv_nsec - (int64_t)rsp.t_nsec) / 1000000;
    if (skew > ENROLL_SKEW_MS || skew < -ENROLL_SKEW_MS)
        log_warn("our clock is %" PRId64 " ms off the enroller's", skew);
    ipcp_config_default(conf, IPCP_UNICAST);
    snprintf(conf->layer_info.name, sizeof(conf->layer_info.name), "%s", rsp.conf.layer);
    conf->layer_info.dir_hash_algo = rsp.conf.hash_algo;
    conf->unicast.dt = rsp.conf.dt;
    conf->unicast.dht = rsp.conf.dht;
    conf->unicast.addr_auth = rsp.conf.addr_auth;
    conf->unicast.cong_avoid = rsp.conf.cong_avoid;
    pthread_mutex_lock(&r->lock);
    r->enroll_addr = rsp.conf.addr;
    pthread_mutex_unlock(&r->lock);
    ack.id = req.id;
    ack.result = 0;
    if (send_msg(fd, &ack) < 0)
        log_warn("enrollment: our acknowledgement did not leave");
    /* What we wrote is read by the enroller before the flow ends (its
     * end keeps what arrived). */
    flow_dealloc(fd);
    log_info("enrolled through %s in layer %s: address %" PRIu64, dst, rsp.conf.layer,
             rsp.conf.addr);
    return 0;
}

/* An address no member we know holds, in the layer's width. */
static uint64_t fresh_addr(struct routing *r, uint8_t width)
{
    uint64_t mask = width >= 8 ? UINT64_MAX : (1ull << (8u * width)) - 1;

    for (int i = 0; i < ENROLL_ADDR_TRY; i++) {
        uint64_t a = random64() & mask;
        if (a != 0 && !ls_knows(r->ls, a) && !nbrs_has_addr(r->nbrs, a))
            return a;
    }
    return 0;
}

void enroll_serve(struct routing *r, int fd, const uint8_t *req, size_t len)
{
    struct enroll_msg m, rsp = {.type = ENROLL_RESP}, ack;
    struct timespec now;
    struct enroll_conf *c = &rsp.conf;
    int err;

    if (enroll_msg_decode(req, len, &m) < 0 || m.type != ENROLL_REQ)
        return;
    rsp.id = m.id;
    clock_gettime(CLOCK_REALTIME, &now);
    rsp.t_sec = now.tv_sec;
    rsp.t_nsec = (uint32_t)now.tv_nsec;
    pthread_mutex_lock(&r->lock);
    if (!r->booted) {
        rsp.result = -EIPCPSTATE;
    } else {
        snprintf(c->layer, sizeof(c->layer), "%s", r->conf.layer_info.name);
        c->hash_algo = r->conf.layer_info.dir_hash_algo;
        c->dt = r->conf.unicast.dt;
        c->dht = r->conf.unicast.dht;
        c->addr_auth = r->conf.unicast.addr_auth;
        c->cong_avoid = r->conf.unicast.cong_avoid;
        c->dht_peer = r->addr;
    }
    pthread_mutex_unlock(&r->lock);
    if (rsp.result == 0) {
        c->addr = fresh_addr(r, c->dt.addr_size);
        if (c->addr == 0 || c->addr == c->dht_peer)
            rsp.result = -EADDRINUSE;
    }
    err = send_msg(fd, &rsp);
    if (err < 0 || rsp.result < 0) {
        log_warn("enrollment request %" PRIx64 ": %s", m.id,
                 err < 0 ? "the response did not leave" : "refused");
        return;
    }
    set_rcv_timeout(fd, ENROLL_WAIT_MS);
    err = recv_msg(fd, &ack);
    if (err < 0 || ack.type != ENROLL_ACK || ack.id != m.id || ack.result < 0) {
        log_warn("enrollment request %" PRIx64 ": no acknowledgement (%d)", m.id, err);
        return;
    }
    log_info("enrolled a new member: address %" PRIu64, c->addr);
}
