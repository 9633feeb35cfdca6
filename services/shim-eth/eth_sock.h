/*
 * eth_sock.h - the shim's AF_PACKET socket on one interface, bound to the
 * layer's ethertype (DIX) or to 802.2 frames (LLC), and what the interface
 * is: index, MAC address, MTU, up or down.
 */
#ifndef OUROBUS_ETH_SOCK_H
#define OUROBUS_ETH_SOCK_H

#include "eth_frame.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eth_sock {
    int fd;
    int ifindex;
    uint8_t mac[ETH_MAC_LEN];
    uint32_t mtu;
    struct eth_fmt fmt;
    char dev[IF_NAMESIZE];
};

/* 0 when this process may open raw sockets, -EPERM without CAP_NET_RAW. */
int eth_sock_probe(void);

/* Open the socket on dev for fmt. 0, -EPERM (no CAP_NET_RAW), -ENODEV (no
 * such interface), or another -errno; the reason is logged. */
int eth_sock_open(struct eth_sock *s, const char *dev, const struct eth_fmt *fmt);

/* Close it (fd -1 after); accepts a closed one. */
void eth_sock_close(struct eth_sock *s);

/* Send one whole frame (any thread): 0 or -errno. */
int eth_sock_send(const struct eth_sock *s, const void *frame, size_t len);

/* The interface's state now (eth_link_get): up and its MTU. */
int eth_sock_link(const struct eth_sock *s, bool *up, uint32_t *mtu);

#endif
