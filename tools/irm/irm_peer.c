/*
 * irm_peer.c - a static peer of a UDP layer on the irm command line:
 * "NAME=ADDR[:PORT]", or "NAME=[ADDR]:PORT" for an IPv6 address with a port.
 */
#include "irm_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int irm_parse_peer(struct irm_args *a, const char *word, int af, struct udp_peer *out)
{
    const char *eq = strrchr(word, '=');
    const char *addr;
    const char *port = NULL;
    char host[INET6_ADDRSTRLEN + 2];
    size_t hlen;
    uint32_t p = 0;

    memset(out, 0, sizeof(*out));
    if (eq == NULL || eq == word)
        return irm_args_fail(a, "'peer' is NAME=ADDRESS[:PORT], not '%s'", word);
    if ((size_t)(eq - word) > NAME_SIZE)
        return irm_args_fail(a, "a peer's name is 1 to %d characters", NAME_SIZE);
    memcpy(out->name, word, (size_t)(eq - word));
    addr = eq + 1;
    if (addr[0] == '[') { /* [v6]:port */
        const char *close = strchr(addr, ']');

        if (close == NULL || (close[1] != '\0' && close[1] != ':'))
            return irm_args_fail(a, "'peer %s': an address in brackets is [ADDRESS]:PORT",
                                 word);
        hlen = (size_t)(close - addr - 1);
        addr++;
        port = close[1] == ':' ? close + 2 : NULL;
    } else if (af == AF_INET && strchr(addr, ':') != NULL) {
        hlen = (size_t)(strchr(addr, ':') - addr);
        port = addr + hlen + 1;
    } else {
        hlen = strlen(addr);
    }
    if (hlen >= sizeof(host))
        hlen = sizeof(host) - 1; /* too long for an address: inet_pton says no */
    memcpy(host, addr, hlen);
    host[hlen] = '\0';
    if (inet_pton(af, host, &out->ip) != 1)
        return irm_args_fail(a, "'peer %s' needs an %s address, not '%s'", word,
                             af == AF_INET ? "IPv4" : "IPv6", host);
    if (port != NULL && irm_args_u32(a, "peer port", port, 1, 65535, &p) < 0)
        return -EINVAL;
    out->port = (uint16_t)p;
    return 0;
}
