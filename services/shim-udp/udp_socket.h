/*
 * udp_socket.h - the UDP shim's one socket: bound to the layer's address
 * and port, with large buffers, and the largest packet it carries (max
 * SDU) from the MTU of the link under that address.
 */
#ifndef OUROBUS_UDP_SOCKET_H
#define OUROBUS_UDP_SOCKET_H

#include "udp_addr.h"

#include <stdint.h>

#define UDP_MTU_CAP     9000u     /* a jumbo frame: no bigger, even on loopback */
#define UDP_MTU_DEFAULT 1500u     /* when the link's MTU cannot be found */
#define UDP_SOCK_BUF    (8 << 20) /* bytes of socket buffer each way */
#define UDP_HDRS(af)    ((af) == AF_INET ? 20u + 8u : 40u + 8u)

/* A socket bound to local (close-on-exec, buffers set): the fd or -errno
 * (-EADDRINUSE: another IPCP has the port). */
int udp_socket_open(const struct udp_addr *local);

/* The MTU of the interface that holds local's address (UDP_MTU_DEFAULT if
 * none does), capped at UDP_MTU_CAP. */
uint32_t udp_socket_link_mtu(const struct udp_addr *local);

/* The payload a flow carries over a link of mtu: the IP and UDP headers
 * and the endpoint id taken off. */
static inline uint32_t udp_socket_max_sdu(int af, uint32_t mtu)
{
    return mtu - UDP_HDRS(af) - 4u;
}

#endif
