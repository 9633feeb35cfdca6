/*
 * baselines.c - futex, busy-poll and UDP baselines.
 */
#include "baselines.h"

#include "deadline.h"
#include "proc.h"
#include "waiter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WARMUP 1000

struct word {
    alignas(64) _Atomic uint32_t w;
};

/* ---- futex ping-pong: 1 = ping, 2 = pong, 3 = stop; every hand-over
 * sleeps and is woken by a FUTEX_WAKE. */

static int futex_server(void *arg)
{
    struct word *x = arg;

    for (;;) {
        uint32_t v = atomic_load(&x->w);
        if (v == 3)
            return 0;
        if (v != 1) {
            futex_wait_until(&x->w, v, DEADLINE_NONE);
            continue;
        }
        atomic_store(&x->w, 2);
        futex_wake_all(&x->w);
    }
}

int base_futex_rtt(size_t n, struct samples *out)
{
    struct word *x = bench_shared(sizeof(*x));
    pid_t pid = bench_fork(1, futex_server, x);

    bench_pin(0);
    for (size_t i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = now_ns();
        atomic_store(&x->w, 1);
        futex_wake_all(&x->w);
        while (atomic_load(&x->w) != 2)
            futex_wait_until(&x->w, 1, DEADLINE_NONE);
        if (i >= WARMUP)
            samples_add(out, now_ns() - t0);
    }
    atomic_store(&x->w, 3);
    futex_wake_all(&x->w);
    bench_wait(pid, 5000);
    bench_unshare(x, sizeof(*x));
    return 0;
}

/* ---- busy-poll ping-pong: odd = ping i, even = pong i, 0 = stop ---- */

static int busy_server(void *arg)
{
    struct word *x = arg;
    uint32_t last = 0;

    for (;;) {
        uint32_t v = atomic_load_explicit(&x->w, memory_order_acquire);
        if (v == UINT32_MAX)
            return 0;
        if (v == last || (v & 1) == 0) {
            cpu_relax();
            continue;
        }
        last = v + 1;
        atomic_store_explicit(&x->w, last, memory_order_release);
    }
}

int base_busy_rtt(size_t n, struct samples *out)
{
    struct word *x = bench_shared(sizeof(*x));
    pid_t pid = bench_fork(1, busy_server, x);

    bench_pin(0);
    for (uint32_t i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = now_ns();
        atomic_store_explicit(&x->w, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&x->w, memory_order_acquire) != 2 * i + 2)
            cpu_relax();
        if (i >= WARMUP)
            samples_add(out, now_ns() - t0);
    }
    atomic_store(&x->w, UINT32_MAX);
    bench_wait(pid, 5000);
    bench_unshare(x, sizeof(*x));
    return 0;
}

/* ---- UDP on 127.0.0.1 ---- */

static int udp_bound(struct sockaddr_in *addr)
{
    socklen_t len = sizeof(*addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Two sockets connected to each other. */
static int udp_pair(int fds[2])
{
    struct sockaddr_in a, b;

    fds[0] = udp_bound(&a);
    fds[1] = udp_bound(&b);
    if (fds[0] < 0 || fds[1] < 0 || connect(fds[0], (struct sockaddr *)&b, sizeof(b)) < 0 ||
        connect(fds[1], (struct sockaddr *)&a, sizeof(a)) < 0)
        return -1;
    return 0;
}

static int udp_echo(void *arg)
{
    int fd = *(int *)arg;
    char buf[65536];

    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 1)
            return n == 1 ? 0 : 1;
        if (send(fd, buf, (size_t)n, 0) != n)
            return 1;
    }
}

int base_udp_rtt(size_t n, size_t size, struct samples *out)
{
    char *buf = calloc(1, size < 2 ? 2 : size);
    size_t done = 0;
    int fds[2];
    pid_t pid;

    if (buf == NULL || udp_pair(fds) < 0)
        return -1;
    pid = bench_fork(1, udp_echo, &fds[1]);
    bench_pin(0);
    for (size_t i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = now_ns();
        if (send(fds[0], buf, size, 0) != (ssize_t)size ||
            recv(fds[0], buf, size, 0) != (ssize_t)size)
            break;
        if (i >= WARMUP)
            samples_add(out, now_ns() - t0);
        done++;
    }
    send(fds[0], "x", 1, 0);
    bench_wait(pid, 5000);
    close(fds[0]);
    close(fds[1]);
    free(buf);
    return done == n + WARMUP ? 0 : -1;
}

struct udp_sender {
    int fd;
    size_t size;
    _Atomic int stop;
};

static int udp_send_loop(void *arg)
{
    struct udp_sender *s = arg;
    char buf[65536] = {0};

    while (!atomic_load_explicit(&s->stop, memory_order_relaxed))
        send(s->fd, buf, s->size, 0);
    return 0;
}

int base_udp_stream(double seconds, size_t size, double *pps, size_t *count)
{
    struct udp_sender *s = bench_shared(sizeof(*s));
    struct timeval tv = {.tv_sec = 1};
    int big = 8 << 20;
    char buf[65536];
    uint64_t start = 0, end, now = 0;
    size_t got = 0;
    int fds[2];
    pid_t pid;

    if (s == NULL || udp_pair(fds) < 0)
        return -1;
    /* As much buffer as we may have, so the receiver is the limit. */
    if (setsockopt(fds[0], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
        setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    setsockopt(fds[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    s->fd = fds[1];
    s->size = size;
    pid = bench_fork(1, udp_send_loop, s);
    bench_pin(0);
    end = 0;
    for (;;) {
        if (recv(fds[0], buf, sizeof(buf), 0) < 0)
            break;
        if (start == 0) {
            start = now_ns();
            end = start + (uint64_t)(seconds * 1e9);
            continue; /* the clock starts at the first packet */
        }
        got++;
        if ((got & 255) == 0 && (now = now_ns()) >= end)
            break;
    }
    atomic_store(&s->stop, 1);
    bench_wait(pid, 5000);
    close(fds[0]);
    close(fds[1]);
    bench_unshare(s, sizeof(*s));
    if (start == 0 || now <= start)
        return -1;
    *pps = (double)got * 1e9 / (double)(now - start);
    *count = got;
    return 0;
}
