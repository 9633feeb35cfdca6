/*
 * udp_addr.h - a UDP endpoint (IPv4 or IPv6 address and port) as the socket
 * calls take it, with the comparisons and the text form the shim needs.
 */
#ifndef OUROBUS_UDP_ADDR_H
#define OUROBUS_UDP_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define UDP_ADDR_STRLEN (INET6_ADDRSTRLEN + 8) /* "[addr]:port" */

struct udp_addr {
    union {
        struct sockaddr sa;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    };
    socklen_t len; /* 0: none */
};

/* af's address ip (4 or 16 bytes, network order) and port (host order). */
void udp_addr_set(struct udp_addr *a, int af, const void *ip, uint16_t port);

/* Take a socket address (from recvmsg); false if it is no IPv4/IPv6 one. */
bool udp_addr_from_sa(struct udp_addr *a, const struct sockaddr *sa, socklen_t len);

/* Same family, address and port. */
bool udp_addr_equal(const struct udp_addr *a, const struct udp_addr *b);

static inline int udp_addr_af(const struct udp_addr *a)
{
    return a->sa.sa_family;
}

uint16_t udp_addr_port(const struct udp_addr *a);
void udp_addr_set_port(struct udp_addr *a, uint16_t port);

/* The address bytes (4 or 16) and their length. */
const void *udp_addr_ip(const struct udp_addr *a, size_t *len);

/* A hash of address and port, for tables. */
uint32_t udp_addr_hash(const struct udp_addr *a);

/* "10.0.0.1:3435" or "[fd00::1]:3435" into buf (UDP_ADDR_STRLEN). */
const char *udp_addr_str(const struct udp_addr *a, char *buf, size_t len);

#endif
