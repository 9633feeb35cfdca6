/*
 * udp_ns.c - UDP ping-pong and stream between the bench's namespaces.
 */
#include "udp_ns.h"

#include "deadline.h"
#include "proc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WARMUP   1000
#define UDP_PORT 7000

struct udp_server {
    const struct netns_line *p;
    size_t size;
    _Atomic int ready;
    _Atomic uint64_t got;
    _Atomic uint64_t first_ns, last_ns;
    _Atomic int done;
};

static int bound(const char *ip, uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int big = 8 << 20;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    inet_pton(AF_INET, ip, &a.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    /* As much buffer as the shim gives itself. */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
    return fd;
}

static int connect_to(int fd, const char *ip, uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

    inet_pton(AF_INET, ip, &a.sin_addr);
    return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

/* In B: echo until a 1-byte datagram. */
static int echo_main(void *arg)
{
    struct udp_server *s = arg;
    char buf[65536];
    int fd;

    if (netns_enter(s->p, 1) < 0 || (fd = bound(NETNS_ADDR_B, UDP_PORT)) < 0 ||
        connect_to(fd, NETNS_ADDR_A, UDP_PORT) < 0)
        return 1;
    atomic_store(&s->ready, 1);
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 1)
            return n == 1 ? 0 : 1;
        if (send(fd, buf, (size_t)n, 0) != n)
            return 1;
    }
}

static int wait_ready(struct udp_server *s, pid_t pid)
{
    for (int i = 0; i < 2000 && !atomic_load(&s->ready); i++)
        usleep(1000);
    if (atomic_load(&s->ready))
        return 0;
    bench_wait(pid, 0);
    return -1;
}

int udp_ns_rtt(const struct netns_line *p, size_t n, size_t size, struct samples *out)
{
    struct udp_server *s = bench_shared(sizeof(*s));
    char *buf = calloc(1, size < 2 ? 2 : size);
    struct timeval tv = {5, 0};
    size_t done = 0;
    pid_t pid;
    int fd;

    if (s == NULL || buf == NULL)
        return -1;
    s->p = p;
    pid = bench_fork(1, echo_main, s);
    if (wait_ready(s, pid) < 0)
        return -1;
    bench_pin(0);
    fd = bound(NETNS_ADDR_A, UDP_PORT);
    if (fd < 0 || connect_to(fd, NETNS_ADDR_B, UDP_PORT) < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (size_t i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = now_ns();
        if (send(fd, buf, size, 0) != (ssize_t)size || recv(fd, buf, size, 0) != (ssize_t)size)
            break;
        if (i >= WARMUP)
            samples_add(out, now_ns() - t0);
        done++;
    }
    send(fd, "x", 1, 0);
    bench_wait(pid, 5000);
    close(fd);
    free(buf);
    bench_unshare(s, sizeof(*s));
    return done == n + WARMUP ? 0 : -1;
}

/* In B: count datagrams until a 1-byte one. */
static int sink_main(void *arg)
{
    struct udp_server *s = arg;
    struct timeval tv = {2, 0};
    char buf[65536];
    uint64_t got = 0, first = 0, last = 0;
    int fd;

    if (netns_enter(s->p, 1) < 0 || (fd = bound(NETNS_ADDR_B, UDP_PORT)) < 0)
        return 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    atomic_store(&s->ready, 1);
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 1)
            break;
        last = now_ns();
        if (first == 0)
            first = last;
        got++;
    }
    atomic_store(&s->first_ns, first);
    atomic_store(&s->last_ns, last);
    atomic_store(&s->got, got);
    atomic_store(&s->done, 1);
    return 0;
}

int udp_ns_stream(const struct netns_line *p, double seconds, size_t size, double *pps,
                  size_t *count)
{
    struct udp_server *s = bench_shared(sizeof(*s));
    char buf[65536] = {0};
    uint64_t end;
    pid_t pid;
    int fd;

    if (s == NULL)
        return -1;
    s->p = p;
    pid = bench_fork(1, sink_main, s);
    if (wait_ready(s, pid) < 0)
        return -1;
    bench_pin(0);
    fd = bound(NETNS_ADDR_A, UDP_PORT);
    if (fd < 0 || connect_to(fd, NETNS_ADDR_B, UDP_PORT) < 0)
        return -1;
    end = now_ns() + (uint64_t)(seconds * 1e9);
    while (now_ns() < end)
        for (int i = 0; i < 64; i++)
            send(fd, buf, size, 0);
    for (int i = 0; i < 20; i++) { /* the end, surely */
        usleep(1000);
        send(fd, "x", 1, 0);
    }
    bench_wait(pid, 5000);
    close(fd);
    if (!atomic_load(&s->done) || atomic_load(&s->last_ns) <= atomic_load(&s->first_ns)) {
        bench_unshare(s, sizeof(*s));
        return -1;
    }
    *count = atomic_load(&s->got);
    *pps = (double)(*count - 1) * 1e9 /
           (double)(atomic_load(&s->last_ns) - atomic_load(&s->first_ns));
    bench_unshare(s, sizeof(*s));
    return 0;
}
