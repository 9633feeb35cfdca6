/*
 * resolver.c - static peers, cache, then DNS or the system's resolver.
 */
#include "resolver.h"

#include "dir_cache.h"
#include "dns_client.h"
#include "hash.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <ourobus/errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESOLVER_CACHE 1024 /* names remembered */

struct static_peer {
    uint8_t hash[HASH_MAX];
    struct udp_addr addr;
};

struct resolver {
    int af;
    uint16_t port;
    int hlen;
    struct udp_addr dns; /* len 0: the system's resolver */
    struct static_peer *peers;
    uint32_t n_peers;
    struct dir_cache *cache;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *c = p;

    for (size_t i = 0; i < n; i++)
        if (c[i] != 0)
            return false;
    return true;
}

struct resolver *resolver_new(const struct udp_config *conf, enum dir_hash_algo algo)
{
    struct resolver *r = calloc(1, sizeof(*r));
    size_t alen = conf->af == AF_INET ? 4 : 16;

    if (r == NULL)
        return NULL;
    r->af = conf->af;
    r->port = conf->port;
    r->hlen = hash_len(algo);
    if (r->hlen < 0)
        goto fail_inval;
    if (!all_zero(&conf->dns, alen))
        udp_addr_set(&r->dns, conf->af, &conf->dns, 53);
    if (conf->n_peers > 0) {
        r->peers = calloc(conf->n_peers, sizeof(*r->peers));
        if (r->peers == NULL)
            goto fail;
    }
    for (uint32_t i = 0; i < conf->n_peers && i < UDP_PEERS_MAX; i++) {
        const struct udp_peer *p = &conf->peers[i];

        if (hash_name(algo, p->name, r->peers[i].hash) != r->hlen)
            goto fail_inval;
        udp_addr_set(&r->peers[i].addr, conf->af, &p->ip, p->port != 0 ? p->port : r->port);
        r->n_peers++;
    }
    r->cache = dir_cache_new(RESOLVER_CACHE);
    if (r->cache == NULL)
        goto fail;
    return r;
fail_inval:
    errno = EINVAL;
fail:
    free(r->peers);
    free(r);
    return NULL;
}

void resolver_destroy(struct resolver **p)
{
    if (p == NULL || *p == NULL)
        return;
    dir_cache_destroy(&(*p)->cache);
    free((*p)->peers);
    free(*p);
    *p = NULL;
}

void resolver_set_dns_port(struct resolver *r, uint16_t port)
{
    if (r->dns.len != 0)
        udp_addr_set_port(&r->dns, port);
}

int resolver_known(struct resolver *r, const uint8_t *hash, size_t len, struct udp_addr *out)
{
    if ((int)len != r->hlen)
        return -ENAME;
    for (uint32_t i = 0; i < r->n_peers; i++) {
        if (memcmp(r->peers[i].hash, hash, len) == 0) {
            *out = r->peers[i].addr;
            return 0;
        }
    }
    return dir_cache_get(r->cache, hash, len, now_ns(), out);
}

void resolver_forget(struct resolver *r, const uint8_t *hash, size_t len)
{
    dir_cache_forget(r->cache, hash, len);
}

/* getaddrinfo of the hex: /etc/hosts, then the system's DNS. */
static int system_lookup(struct resolver *r, const char *hex, struct udp_addr *out)
{
    struct addrinfo hints = {.ai_family = r->af, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *res = NULL;
    int err = getaddrinfo(hex, NULL, &hints, &res);

    switch (err) {
    case 0:
        break;
    case EAI_AGAIN:
    case EAI_FAIL:
    case EAI_MEMORY:
        return -EAGAIN;
    case EAI_SYSTEM:
        return errno == ENOMEM ? -EAGAIN : -ENAME;
    default: /* EAI_NONAME, EAI_NODATA, EAI_ADDRFAMILY */
        return -ENAME;
    }
    err = -ENAME;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        if (udp_addr_from_sa(out, a->ai_addr, a->ai_addrlen) && udp_addr_af(out) == r->af) {
            udp_addr_set_port(out, r->port);
            err = 0;
            break;
        }
    }
    freeaddrinfo(res);
    return err;
}

int resolver_lookup(struct resolver *r, const uint8_t *hash, size_t len, int timeout_ms,
                    struct udp_addr *out)
{
    char hex[2 * HASH_MAX + 1];
    uint32_t ttl = RESOLVER_TTL_S;
    int err = resolver_known(r, hash, len, out);

    if (err != -ENOENT)
        return err;
    hash_hex(hash, len, hex);
    if (r->dns.len != 0) {
        struct dns_answer a;

        err = dns_client_lookup(&r->dns, hex, r->af, timeout_ms, &a);
        if (err == 0) {
            udp_addr_set(out, r->af, a.addr, r->port);
            ttl = a.ttl;
        }
    } else {
        err = system_lookup(r, hex, out);
    }
    if (ttl < RESOLVER_TTL_MIN_S)
        ttl = RESOLVER_TTL_MIN_S;
    if (ttl > RESOLVER_TTL_MAX_S)
        ttl = RESOLVER_TTL_MAX_S;
    if (err == 0)
        dir_cache_put(r->cache, hash, len, out, now_ns() + ttl * 1000000000ull);
    else if (err == -ENAME)
        dir_cache_put(r->cache, hash, len, NULL, now_ns() + RESOLVER_NEG_TTL_S * 1000000000ull);
    else
        log_dbg("look-up of %s failed: %d", hex, err);
    return err;
}
