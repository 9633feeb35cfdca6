/*
 * udp_addr.c - UDP endpoints: set, compare, hash, print.
 */
#include "udp_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void udp_addr_set(struct udp_addr *a, int af, const void *ip, uint16_t port)
{
    memset(a, 0, sizeof(*a));
    if (af == AF_INET) {
        a->v4.sin_family = AF_INET;
        memcpy(&a->v4.sin_addr, ip, 4);
        a->v4.sin_port = htons(port);
        a->len = sizeof(a->v4);
    } else {
        a->v6.sin6_family = AF_INET6;
        memcpy(&a->v6.sin6_addr, ip, 16);
        a->v6.sin6_port = htons(port);
        a->len = sizeof(a->v6);
    }
}

bool udp_addr_from_sa(struct udp_addr *a, const struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_INET && len >= sizeof(a->v4)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        udp_addr_set(a, AF_INET, &in->sin_addr, ntohs(in->sin_port));
        return true;
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(a->v6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        udp_addr_set(a, AF_INET6, &in6->sin6_addr, ntohs(in6->sin6_port));
        a->v6.sin6_scope_id = in6->sin6_scope_id;
        return true;
    }
    memset(a, 0, sizeof(*a));
    return false;
}

bool udp_addr_equal(const struct udp_addr *a, const struct udp_addr *b)
{
    if (a->sa.sa_family != b->sa.sa_family)
        return false;
    if (a->sa.sa_family == AF_INET)
        return a->v4.sin_port == b->v4.sin_port &&
               a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr;
    if (a->sa.sa_family == AF_INET6)
        return a->v6.sin6_port == b->v6.sin6_port &&
               memcmp(&a->v6.sin6_addr, &b->v6.sin6_addr, 16) == 0;
    return false;
}

uint16_t udp_addr_port(const struct udp_addr *a)
{
    return ntohs(a->sa.sa_family == AF_INET ? a->v4.sin_port : a->v6.sin6_port);
}

void udp_addr_set_port(struct udp_addr *a, uint16_t port)
{
    if (a->sa.sa_family == AF_INET)
        a->v4.sin_port = htons(port);
    else
        a->v6.sin6_port = htons(port);
}

const void *udp_addr_ip(const struct udp_addr *a, size_t *len)
{
    if (a->sa.sa_family == AF_INET) {
        *len = 4;
        return &a->v4.sin_addr;
    }
    *len = 16;
    return &a->v6.sin6_addr;
}

uint32_t udp_addr_hash(const struct udp_addr *a)
{
    size_t n;
    const uint8_t *p = udp_addr_ip(a, &n);
    uint32_t h = 2166136261u ^ udp_addr_port(a); /* FNV-1a */

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

const char *udp_addr_str(const struct udp_addr *a, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN];
    size_t n;
    const void *p;

    if (a->len == 0) {
        snprintf(buf, len, "(none)");
        return buf;
    }
    p = udp_addr_ip(a, &n);
    inet_ntop(a->sa.sa_family, p, ip, sizeof(ip));
    if (a->sa.sa_family == AF_INET)
        snprintf(buf, len, "%s:%u", ip, udp_addr_port(a));
    else
        snprintf(buf, len, "[%s]:%u", ip, udp_addr_port(a));
    return buf;
}
