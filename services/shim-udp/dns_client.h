/*
 * dns_client.h - ask one DNS server for the address of one name over UDP,
 * with a deadline: the UDP shim's resolver when its layer names a DNS
 * server (udp_config.dns). Blocking: call it from a worker thread.
 */
#ifndef OUROBUS_DNS_CLIENT_H
#define OUROBUS_DNS_CLIENT_H

#include "dns_msg.h"
#include "udp_addr.h"

/* The A (af AF_INET) or AAAA (AF_INET6) record of name from server, asked
 * twice within timeout_ms: 0 and *out, -ENAME (no such name or record),
 * -ETIMEDOUT (no answer), -EAGAIN (the server failed), -errno. */
int dns_client_lookup(const struct udp_addr *server, const char *name, int af, int timeout_ms,
                      struct dns_answer *out);

#endif
