/*
 * dns_client.c - one DNS look-up over UDP: a connected socket of its own
 * (a fresh source port), a random query id, one resend at half the
 * timeout, answers that do not match ignored.
 */
#include "dns_client.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <poll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int dns_client_lookup(const struct udp_addr *server, const char *name, int af, int timeout_ms,
                      struct dns_answer *out)
{
    uint16_t qtype = af == AF_INET ? DNS_TYPE_A : DNS_TYPE_AAAA;
    uint8_t q[DNS_MSG_MAX], a[DNS_MSG_MAX];
    uint64_t start = mono_ms(), end = start + (uint64_t)(timeout_ms > 0 ? timeout_ms : 1);
    int sent = 0;
    uint16_t id;
    int qlen, fd, err = -ETIMEDOUT;

    if (getrandom(&id, sizeof(id), 0) != sizeof(id))
        id = (uint16_t)(start ^ (uint64_t)getpid());
    qlen = dns_query_build(id, name, qtype, q, sizeof(q));
    if (qlen < 0)
        return qlen;
    fd = socket(udp_addr_af(server), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, &server->sa, server->len) < 0) {
        err = -errno;
        goto out;
    }
    for (;;) {
        uint64_t now = mono_ms();
        uint64_t next = sent == 0 ? now : start + (end - start) / 2;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;
        int r;

        if (now >= end)
            break;
        if (sent < 2 && now >= next) {
            if (send(fd, q, (size_t)qlen, 0) < 0 && sent == 0) {
                err = -errno;
                goto out;
            }
            sent++;
        }
        r = poll(&p, 1, (int)((sent < 2 ? start + (end - start) / 2 : end) - now) + 1);
        if (r < 0 && errno != EINTR) {
            err = -errno;
            goto out;
        }
        if (r <= 0)
            continue;
        n = recv(fd, a, sizeof(a), 0);
        if (n < 0) {
            if (errno == ECONNREFUSED) { /* nothing listens there */
                err = -EAGAIN;
                goto out;
            }
            continue;
        }
        err = dns_answer_parse(a, (size_t)n, id, name, qtype, out);
        if (err != -EBADMSG)
            goto out;
        err = -ETIMEDOUT; /* a stray datagram: wait on */
    }
out:
    close(fd);
    return err;
}
