/*
 * udp_socket.c - open the shim's socket; find the link's MTU.
 */
#include "udp_socket.h"

#include "log.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* As much buffer as allowed: SO_*BUFFORCE as root, else up to the limit
 * of net.core.[rw]mem_max. */
static void set_buf(int fd, int force, int plain)
{
    int v = UDP_SOCK_BUF;

    if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
        setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

int udp_socket_open(const struct udp_addr *local)
{
    int af = udp_addr_af(local);
    int fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0)
        return -errno;
    if (af == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
    if (bind(fd, &local->sa, local->len) < 0) {
        int err = -errno;

        close(fd);
        return err;
    }
    return fd;
}

uint32_t udp_socket_link_mtu(const struct udp_addr *local)
{
    uint32_t mtu = UDP_MTU_DEFAULT;
    struct ifaddrs *ifs = NULL;
    size_t alen;
    const void *ip = udp_addr_ip(local, &alen);

    if (getifaddrs(&ifs) < 0)
        return mtu;
    for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        struct udp_addr a;
        struct ifreq req;
        size_t n;
        int fd;

        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != udp_addr_af(local) ||
            !udp_addr_from_sa(&a, i->ifa_addr,
                              i->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                                : sizeof(struct sockaddr_in6)))
            continue;
        if (memcmp(udp_addr_ip(&a, &n), ip, alen) != 0)
            continue;
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        memset(&req, 0, sizeof(req));
        snprintf(req.ifr_name, sizeof(req.ifr_name), "%s", i->ifa_name);
        if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &req) == 0 && req.ifr_mtu > 0)
            mtu = (uint32_t)req.ifr_mtu;
        if (fd >= 0)
            close(fd);
        break;
    }
    freeifaddrs(ifs);
    if (mtu > UDP_MTU_CAP)
        mtu = UDP_MTU_CAP;
    if (mtu < 576)
        mtu = 576;
    return mtu;
}
