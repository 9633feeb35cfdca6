/*
 * shim.h - the UDP shim daemon's state, shared by its modules: the ops the
 * IPCP library calls (shim_ops.c), the management protocol on the main
 * loop (shim_mgmt.c), the receive thread (shim_rx.c) and the send thread
 * (shim_tx.c).
 *
 * Threads: the main loop owns the tables and every flow's fields; the two
 * data threads only read flows while online (qsbr.h), and count drops.
 */
#ifndef OUROBUS_SHIM_H
#define OUROBUS_SHIM_H

#include "drop_stats.h"
#include "ep_table.h"
#include "ipcp_dev.h"
#include "mgmt_queue.h"
#include "qsbr.h"
#include "resolver.h"
#include "udp_addr.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define SHIM_RX_READER       0 /* qsbr reader slots */
#define SHIM_TX_READER       1
#define SHIM_MPL_MS          2000  /* the layer's maximum packet lifetime we announce */
#define SHIM_REQ_WAIT_MS     30000 /* how long a peer's FLOW_REQ waits for an accept */
#define SHIM_REFUSED_KEEP_MS 10000 /* a refusal is kept to answer its resends */

struct shim {
    struct service *svc;
    struct ipcp_dev *dev;
    const char *name;
    enum ipcp_type type;
    int af;
    uint32_t mtu_opt; /* --mtu, 0: the link's */

    /* after bootstrap */
    bool booted;
    struct ipcp_config conf;
    enum dir_hash_algo algo;
    size_t hlen;
    int fd;
    struct udp_addr local;
    uint32_t max_sdu;
    struct resolver *res;

    /* names registered here (main loop) */
    uint8_t (*regs)[UDP_HASH_MAX];
    size_t nregs;
    size_t capregs;

    /* flows */
    struct ep_table *eps;
    struct qsbr qsbr;

    /* data threads */
    struct pool *pool;
    struct evq *evq;
    struct mgmt_queue *mq;
    struct drop_stats drops;
    _Atomic uint64_t tx_errors;
    uint64_t tx_reported; /* the main loop's: tx_errors at its last report */
    _Atomic bool stop;
    bool running;
    pthread_t rx_thread;
    pthread_t tx_thread;
    int tick; /* the main loop's 1 s timer */

    struct dealloc_resend *resends; /* FLOW_DEALLOCs to send again */

    /* look-ups for flow_alloc off the main loop, answered through done_fd */
    pthread_mutex_t done_lock;
    struct shim_lookup *done;
    int done_fd;
    _Atomic int lookups; /* look-up threads running */
};

/* ---- shim_ops.c ---- */
extern const struct ipcp_ops shim_ops;

/* Start the data threads and tell the IRM daemon the layer works. */
int shim_start(struct shim *s);
void shim_stop(struct shim *s);

/* ---- shim_mgmt.c: the management protocol, on the main loop ---- */
int shim_mgmt_init(struct shim *s);
void shim_mgmt_fini(struct shim *s);
int shim_mgmt_alloc(struct shim *s, struct np1_flow *f, const uint8_t *hash, size_t len,
                    int timeout_ms);
void shim_mgmt_dealloc(struct shim *s, struct np1_flow *f);
int shim_mgmt_restore(struct shim *s, struct np1_flow *f, const void *blob, size_t len);
/* A look-up for f ended: err, or the address to send its FLOW_REQ to. */
void shim_mgmt_resolved(struct shim *s, struct udp_flow *f, int err, const struct udp_addr *to);

/* ---- shim_lookup.c: look-ups for flow_alloc off the main loop ---- */
int shim_lookup_init(struct shim *s);
void shim_lookup_fini(struct shim *s);
/* Look f's hash up on a thread; shim_mgmt_resolved() gets the answer. */
int shim_lookup_start(struct shim *s, struct udp_flow *f, int timeout_ms);
/* f goes: the look-up's answer is dropped. */
void shim_lookup_forget(struct shim_lookup *lk);

/* ---- shim_rx.c, shim_tx.c ---- */
void *shim_rx_main(void *arg);
void *shim_tx_main(void *arg);

/* Make the send thread look at flow f now (packets queued while it could
 * not send them). */
void shim_tx_kick(struct shim *s, uint32_t fid);

/* Wake the send thread so it sees the stop flag. */
void shim_tx_wake(struct shim *s);

#endif
