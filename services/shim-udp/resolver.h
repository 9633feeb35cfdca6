/*
 * resolver.h - where a name of a UDP layer lives: its hash to the address
 * and port of the IPCP that registered it. The static peers of the layer's
 * config first, then the cache (dir_cache.h), then a look-up of the hash's
 * lower-case hex: the layer's DNS server when it names one (dns_client.h),
 * else the system's resolver (getaddrinfo: /etc/hosts, then its DNS).
 */
#ifndef OUROBUS_RESOLVER_H
#define OUROBUS_RESOLVER_H

#include "udp_addr.h"

#include <ourobus/irm.h>
#include <stddef.h>
#include <stdint.h>

#define RESOLVER_TTL_MIN_S 1
#define RESOLVER_TTL_MAX_S 3600
#define RESOLVER_TTL_S     60 /* a system look-up, which has no TTL */
#define RESOLVER_NEG_TTL_S 5  /* "no such name" */

struct resolver;

/* For the layer of conf (address family, port, DNS server, peers), whose
 * names are hashed with algo. NULL on failure (errno). */
struct resolver *resolver_new(const struct udp_config *conf, enum dir_hash_algo algo);

void resolver_destroy(struct resolver **p);

/* Ask the layer's DNS server on port instead of 53 (a test's server). */
void resolver_set_dns_port(struct resolver *r, uint16_t port);

/* Where hash is: 0 and *out, or -ENAME (no such name), -EAGAIN (the look-up
 * failed for now; not remembered), -ETIMEDOUT. May wait up to timeout_ms
 * (the system resolver follows its own timeouts): call it from a worker
 * thread. */
int resolver_lookup(struct resolver *r, const uint8_t *hash, size_t len, int timeout_ms,
                    struct udp_addr *out);

/* The same without any look-up: the peers and the cache only (-ENOENT: not
 * known yet). For the main loop. */
int resolver_known(struct resolver *r, const uint8_t *hash, size_t len, struct udp_addr *out);

/* Forget what the cache says of hash (its peer did not answer). */
void resolver_forget(struct resolver *r, const uint8_t *hash, size_t len);

#endif
