/*
 * eth_names.c - names in an Ethernet layer: the hashes registered here,
 * answered to broadcast NAME_QUERY_REQs, and queries for other hosts' names.
 */
#include "shim_eth.h"

#include "deadline.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static ssize_t reg_find(struct shim_eth *s, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; i < s->nregs; i++)
        if (memcmp(s->regs[i], hash, len) == 0)
            return (ssize_t)i;
    return -1;
}

bool eth_names_registered(struct shim_eth *s, const uint8_t *hash, size_t len)
{
    return len == s->hash_len && reg_find(s, hash, len) >= 0;
}

int eth_names_reg(void *ctx, const uint8_t *hash, size_t len)
{
    struct shim_eth *s = ctx;

    if (!s->booted)
        return -EIPCPSTATE;
    if (len != s->hash_len)
        return -EINVAL;
    if (reg_find(s, hash, len) >= 0)
        return 0;
    if (s->nregs == s->regs_cap) {
        size_t cap = s->regs_cap ? s->regs_cap * 2 : 16;
        void *r = realloc(s->regs, cap * sizeof(*s->regs));
        if (r == NULL)
            return -ENOMEM;
        s->regs = r;
        s->regs_cap = cap;
    }
    memset(s->regs[s->nregs], 0, HASH_MAX);
    memcpy(s->regs[s->nregs++], hash, len);
    return 0;
}

int eth_names_unreg(void *ctx, const uint8_t *hash, size_t len)
{
    struct shim_eth *s = ctx;
    ssize_t i;

    if (len != s->hash_len)
        return 0;
    i = reg_find(s, hash, len);
    if (i >= 0)
        memcpy(s->regs[i], s->regs[--s->nregs], HASH_MAX);
    return 0;
}

void eth_names_clear(struct shim_eth *s)
{
    free(s->regs);
    s->regs = NULL;
    s->nregs = s->regs_cap = 0;
}

static int query_send(struct shim_eth *s, const uint8_t *hash, size_t len)
{
    struct eth_mgmt m;

    memset(&m, 0, sizeof(m));
    m.code = ETH_MGMT_NAME_QUERY_REQ;
    memcpy(m.hash, hash, len);
    m.hash_len = (uint16_t)len;
    return shim_eth_send_mgmt(s, eth_broadcast, &m);
}

/* On a worker thread: the cache, else ask every host on the segment and
 * wait for the one that registered the name; ask once more halfway. */
int eth_names_query(void *ctx, const uint8_t *hash, size_t len, int timeout_ms)
{
    struct shim_eth *s = ctx;
    uint8_t mac[ETH_MAC_LEN];
    uint64_t start = now_ns(), wait_ns, end;
    int err;

    if (!s->booted)
        return -EIPCPSTATE;
    if (len != s->hash_len)
        return -EINVAL;
    if (name_cache_get(s->names, hash, len, start, mac) == 0)
        return 0;
    wait_ns = SHIM_ETH_QUERY_MS * 1000000ull;
    if (timeout_ms > 0 && (uint64_t)timeout_ms * 1000000ull < wait_ns)
        wait_ns = (uint64_t)timeout_ms * 1000000ull;
    end = start + wait_ns;
    err = query_send(s, hash, len);
    if (err < 0)
        log_warn("name query: %s", strerror(-err));
    if (name_cache_wait(s->names, hash, len, start + wait_ns / 2, mac) == 0)
        return 0;
    err = query_send(s, hash, len);
    if (err < 0)
        log_warn("name query: %s", strerror(-err));
    if (name_cache_wait(s->names, hash, len, end, mac) == 0)
        return 0;
    return -ENAME;
}

void eth_names_on_mgmt(struct shim_eth *s, const struct mgmt_item *it)
{
    const struct eth_mgmt *q = &it->msg;
    struct eth_mgmt m;
    int err;

    if (q->code == ETH_MGMT_NAME_QUERY_REPLY) {
        name_cache_put(s->names, q->hash, q->hash_len, it->src, now_ns());
        eth_alloc_resolved(s);
        return;
    }
    if (!eth_names_registered(s, q->hash, q->hash_len))
        return; /* another host's name: it answers */
    memset(&m, 0, sizeof(m));
    m.code = ETH_MGMT_NAME_QUERY_REPLY;
    memcpy(m.hash, q->hash, q->hash_len);
    m.hash_len = q->hash_len;
    err = shim_eth_send_mgmt(s, it->src, &m);
    if (err < 0)
        log_warn("name query reply: %s", strerror(-err));
}
