/*
 * shim_eth.h - the Ethernet shim IPCP: its context, shared by the main loop
 * (IRM requests, management messages, link state, timers) and the two data
 * threads (receive, send), and the entry points of its modules.
 */
#ifndef OUROBUS_SHIM_ETH_H
#define OUROBUS_SHIM_ETH_H

#include "ep_table.h"
#include "eth_flow.h"
#include "eth_mgmt.h"
#include "eth_sock.h"
#include "eth_stats.h"
#include "hash.h"
#include "ipcp_dev.h"
#include "mgmt_queue.h"
#include "name_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define SHIM_ETH_QUERY_MS    2000  /* a name query's wait (the reference's), one resend */
#define SHIM_ETH_NAME_TTL_MS 60000 /* how long a query's answer is trusted */
#define SHIM_ETH_NAMES_MAX   4096  /* names cached */
#define SHIM_ETH_ARR_MS      20000 /* how long a peer's request waits for an accept */
#define SHIM_ETH_MPL_MS      100   /* the layer's maximum packet lifetime */
#define SHIM_ETH_TICK_MS     50    /* the main loop's timer: retransmits, stats */
#define SHIM_ETH_BATCH       64    /* frames per recvmmsg / sendmmsg */
#define SHIM_ETH_MGMT_QUEUE  1024  /* management messages waiting for the main loop */

/* The data threads' read sections (ep_table_reader). */
#define SHIM_ETH_READER_RX 0
#define SHIM_ETH_READER_TX 1

struct shim_eth {
    enum ipcp_type type; /* IPCP_ETH_DIX or IPCP_ETH_LLC */
    struct service *svc;
    struct ipcp_dev *dev; /* NULL until ipcp_dev_new returned */
    struct pool *pool;
    struct evq *evq;

    /* set by the bootstrap, then read-only */
    bool booted;
    struct ipcp_config conf;
    struct eth_sock sock;
    size_t hash_len;

    struct ep_table *eps;
    struct name_cache *names;
    struct mgmt_queue *mq;
    struct eth_stats stats;
    _Atomic uint32_t max_sdu;

    /* main loop only */
    bool link_up;
    int link_fd;
    uint8_t (*regs)[HASH_MAX]; /* registered name hashes */
    size_t nregs;
    size_t regs_cap;
    struct eth_flow *pending; /* our allocations in progress */
    int timer;
    unsigned int ticks;
    uint64_t drops_logged;

    /* data threads */
    bool threads_on;
    bool stopping; /* flows are released for a stop: the peers are not told */
    _Atomic bool stop;
    _Atomic bool rescan; /* the send thread should look at every flow */
    int stop_fd;         /* eventfd: wakes the receive thread's poll */
    pthread_t rx;
    pthread_t tx;
};

/* shim_eth.c: the context, bootstrap and the main loop's handlers */
int shim_eth_init(struct shim_eth *s, struct service *svc, enum ipcp_type type);
/* Stop the data threads (before ipcp_dev_destroy), then free the rest. */
void shim_eth_stop(struct shim_eth *s);
void shim_eth_fini(struct shim_eth *s);
/* ipcp_dev_new returned: start what needs it (the data threads). */
int shim_eth_attach(struct shim_eth *s, struct ipcp_dev *dev);
extern const struct ipcp_ops shim_eth_ops;
/* Send a management message to dst (any thread): 0 or -errno. */
int shim_eth_send_mgmt(struct shim_eth *s, const uint8_t *dst, const struct eth_mgmt *m);

/* eth_names.c: ops reg, unreg, query; NAME_QUERY_* messages */
int eth_names_reg(void *ctx, const uint8_t *hash, size_t len);
int eth_names_unreg(void *ctx, const uint8_t *hash, size_t len);
int eth_names_query(void *ctx, const uint8_t *hash, size_t len, int timeout_ms);
bool eth_names_registered(struct shim_eth *s, const uint8_t *hash, size_t len);
void eth_names_on_mgmt(struct shim_eth *s, const struct mgmt_item *it);
void eth_names_clear(struct shim_eth *s);

/* eth_alloc.c: ops flow_alloc, flow_dealloc, flow_restore; FLOW_* messages */
int eth_alloc_flow(void *ctx, struct np1_flow *f, const uint8_t *hash, size_t len,
                   int timeout_ms);
void eth_alloc_dealloc(void *ctx, struct np1_flow *f);
int eth_alloc_restore(void *ctx, struct np1_flow *f, const void *blob, size_t len);
void eth_alloc_on_mgmt(struct shim_eth *s, const struct mgmt_item *it);
/* Resend or give up our requests (the main loop's timer). */
void eth_alloc_tick(struct shim_eth *s, uint64_t now);
/* A name's MAC address arrived: send the requests that waited for it. */
void eth_alloc_resolved(struct shim_eth *s);
/* Take ef out of the tables and the pending list, wait out the data
 * threads, detach it from its np1_flow and free it. */
void eth_alloc_free(struct shim_eth *s, struct eth_flow *ef);
/* The link went down or up: mark every flow so. */
void eth_alloc_set_down(struct shim_eth *s, bool down);

/* eth_rx.c, eth_tx.c: the data threads */
void *eth_rx_main(void *arg);
void *eth_tx_main(void *arg);

#endif
