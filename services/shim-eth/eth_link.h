/*
 * eth_link.h - the interface's link state from the kernel (rtnetlink link
 * messages): up when administratively up with a carrier, and its MTU.
 */
#ifndef OUROBUS_ETH_LINK_H
#define OUROBUS_ETH_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eth_link {
    bool up;
    uint32_t mtu;
};

/* A netlink socket subscribed to link changes (non-blocking): fd or -errno. */
int eth_link_open(void);

/* Parse len bytes of netlink messages for interface ifindex: 1 when one of
 * them is about it (*st updated: a removed interface is down), else 0. */
int eth_link_parse(const void *buf, size_t len, int ifindex, struct eth_link *st);

/* Up: administratively up, with a carrier (IFF_LOWER_UP, or IFF_RUNNING). */
bool eth_link_flags_up(unsigned int flags);

/* Ask the kernel for ifindex's state now: 0, or -errno (-ENODEV). */
int eth_link_get(int ifindex, struct eth_link *st);

/* Read every pending message of fd: 1 when ifindex's state was reported,
 * 0 when not, -errno (-ENOBUFS: messages were lost, ask the interface). */
int eth_link_read(int fd, int ifindex, struct eth_link *st);

#endif
