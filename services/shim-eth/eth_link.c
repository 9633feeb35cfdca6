/*
 * eth_link.c - watch one interface through rtnetlink (RTMGRP_LINK): parse
 * RTM_NEWLINK / RTM_DELLINK for its flags and MTU.
 */
#include "eth_link.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h, which clashes with net/if.h */
#endif

int eth_link_open(void)
{
    struct sockaddr_nl sa;
    int fd;

    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -errno;
    memset(&sa, 0, sizeof(sa));
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    return fd;
}

/*
 * A link message, as the kernel sends it:
 *
 *   +-------------------------+  struct nlmsghdr: len, type (RTM_NEWLINK,
 *   | nlmsghdr (16 bytes)     |  RTM_DELLINK), flags, seq, pid
 *   +-------------------------+
 *   | ifinfomsg (16 bytes)    |  family, type, index, flags (IFF_UP,
 *   +-------------------------+  IFF_RUNNING, ...), change
 *   | rtattr | value | pad    |  attributes, 4-byte aligned: IFLA_MTU (u32)
 *   | ...                     |
 *   +-------------------------+
 *
 * Several messages may share one datagram.
 */
static void parse_attrs(const uint8_t *p, size_t left, struct eth_link *st)
{
    while (left >= sizeof(struct rtattr)) {
        const struct rtattr *a = (const struct rtattr *)p;
        size_t len = a->rta_len, step;

        if (len < sizeof(*a) || len > left)
            return;
        if (a->rta_type == IFLA_MTU && len >= RTA_LENGTH(sizeof(uint32_t)))
            memcpy(&st->mtu, RTA_DATA(a), sizeof(uint32_t));
        step = RTA_ALIGN(len);
        if (step >= left)
            return;
        p += step;
        left -= step;
    }
}

int eth_link_parse(const void *buf, size_t len, int ifindex, struct eth_link *st)
{
    const uint8_t *b = buf;
    size_t off = 0;
    int found = 0;

    while (len - off >= sizeof(struct nlmsghdr)) {
        const struct nlmsghdr *h = (const struct nlmsghdr *)(b + off);
        size_t mlen = h->nlmsg_len;
        const struct ifinfomsg *ifi;

        if (mlen < sizeof(*h) || mlen > len - off)
            break;
        off += NLMSG_ALIGN(mlen) < len - off ? NLMSG_ALIGN(mlen) : len - off;
        if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
            continue;
        if (mlen < NLMSG_LENGTH(sizeof(*ifi)))
            continue;
        ifi = NLMSG_DATA(h);
        if (ifi->ifi_index != ifindex)
            continue;
        found = 1;
        if (h->nlmsg_type == RTM_DELLINK) {
            st->up = false;
            continue;
        }
        st->up = eth_link_flags_up(ifi->ifi_flags);
        if (mlen > NLMSG_SPACE(sizeof(*ifi)))
            parse_attrs((const uint8_t *)h + NLMSG_SPACE(sizeof(*ifi)),
                        mlen - NLMSG_SPACE(sizeof(*ifi)), st);
    }
    return found;
}

bool eth_link_flags_up(unsigned int flags)
{
    /* IFF_LOWER_UP is the carrier itself; IFF_RUNNING follows it through
     * the kernel's link watch, up to a second later. */
    return (flags & IFF_UP) && (flags & (IFF_RUNNING | IFF_LOWER_UP));
}

int eth_link_get(int ifindex, struct eth_link *st)
{
    struct {
        struct nlmsghdr h;
        struct ifinfomsg ifi;
    } req;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
    int fd, err = -EIO;
    ssize_t n;

    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -errno;
    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = sizeof(req);
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST;
    req.h.nlmsg_seq = 1;
    req.ifi.ifi_family = AF_UNSPEC;
    req.ifi.ifi_index = ifindex;
    if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        err = -errno;
        goto out;
    }
    n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0)
        err = -errno;
    else if (eth_link_parse(buf, (size_t)n, ifindex, st) > 0)
        err = 0;
    else
        err = -ENODEV;
out:
    close(fd);
    return err;
}

int eth_link_read(int fd, int ifindex, struct eth_link *st)
{
    char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
    int found = 0;

    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return found;
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (eth_link_parse(buf, (size_t)n, ifindex, st) > 0)
            found = 1;
    }
}
