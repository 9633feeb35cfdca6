/*
 * ipcp_dev_priv.h - what ipcp_dev.c (the IPCP's life with its IRM daemon)
 * and np1.c (its N+1 flows: table, rings, data path, endings) share.
 */
#ifndef OUROBUS_IPCP_DEV_PRIV_H
#define OUROBUS_IPCP_DEV_PRIV_H

#include "call_pool.h"
#include "evq_set.h"
#include "ipcp_dev.h"
#include "irm.pb.h"
#include "irmd_client.h"
#include "ring_shm.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>

#define NP1_LEAF_BITS  11
#define NP1_LEAF_SIZE  (1u << NP1_LEAF_BITS)
#define NP1_LEAVES     ((FLOW_ID_MAX >> NP1_LEAF_BITS) + 1)
#define NP1_LINGER_MS  1000 /* a closing flow's queued packets get this long */
#define NP1_CLOSE_TICK 10   /* ms between looks at closing flows */
#define NP1_GRACE_MS   2000 /* an ended flow's memory outlives it this long */
#define NP1_PEERS      256  /* applications with flows through the IPCP */

enum np1_state { NP1_PENDING = 1, NP1_OPEN, NP1_CLOSING, NP1_DEAD };

/* An application's event queues, mapped once per process. */
struct np1_peer {
    pid_t pid;
    int refs;
    struct evq_set set;
};

struct np1 {
    struct np1_flow pub; /* first: np1_flow pointers are np1 pointers */
    struct ipcp_dev *dev;
    alignas(64) _Atomic int rx_busy; /* np1_flow_read running */
    alignas(64) _Atomic int tx_busy; /* np1_flow_write running */
    alignas(64) _Atomic int state;   /* enum np1_state */
    _Atomic bool fin_posted;         /* the data path asked the loop to end it */
    struct ring_map rx, tx;
    struct np1_peer *peer;
    uint64_t close_by; /* NP1_CLOSING: ended then, even with packets queued */
    struct np1 *next;  /* in the closing list */
};

/* Something freed after NP1_GRACE_MS: lock-free readers may still look. */
struct np1_retired {
    struct np1_retired *next;
    void *ptr;
    uint64_t at;
};

struct np1_leaf {
    _Atomic(struct np1 *) slot[NP1_LEAF_SIZE];
    uint32_t used;
};

/* Work handed to the loop by other threads. */
enum mail_kind { MAIL_FIN = 1, MAIL_CLOSE, MAIL_QUERY, MAIL_JOB };

struct mail {
    struct mail *next;
    enum mail_kind kind;
    uint32_t flow_id;
    uint64_t ticket; /* MAIL_QUERY: the deferred reply */
    int status;
    void *job; /* MAIL_JOB: an enroll/connect/disconnect that ran */
};

struct ipcp_dev {
    struct service *svc;
    zloop_t *loop;
    char name[NAME_SIZE + 1];
    enum ipcp_type type;
    const struct ipcp_ops *ops;
    void *ctx;
    pid_t pid;
    char endpoint[128]; /* ours (what irm_ipcp_info carries) */
    char irmd_ep[RUN_PATH_MAX + 64];
    enum ipcp_state state;
    char layer[LAYER_NAME_SIZE + 1];
    uint32_t max_sdu;
    bool bootstrapped;
    struct pool *pool;
    struct evq_set evq;
    struct call_pool *calls;
    struct bus_sub *sub;
    uint64_t irmd_epoch; /* the daemon we announced to */
    bool resumed;        /* the first resume ran */
    bool serving;        /* our methods are on the service's bus */
    _Atomic int queries; /* query threads running: destroy waits for them */

    _Atomic(struct np1_leaf *) leaves[NP1_LEAVES];
    uint32_t nflows;

    pthread_mutex_t lock; /* mail, peers */
    int mail_fd;          /* eventfd: mail waits */
    struct mail *mail;
    struct np1_peer *peers[NP1_PEERS];

    struct np1 *closing;
    int close_timer;
    struct np1_retired *retired;
    int retire_timer;
    int start_timer;
};

/* ---- np1.c ---- */

/* A flow from the IRM's description of our end; state PENDING or OPEN.
 * NULL with *err. Main loop. */
struct np1 *np1_open(struct ipcp_dev *d, const irm_flow_info_t *info, const uint8_t *hash,
                     size_t hash_len, enum np1_state state, int *err);

/* End f (main loop): ops->flow_dealloc, rings released, memory retired;
 * tell_irm: say IPCP_FLOW_CLOSE so the IRM closes our end. */
void np1_end(struct ipcp_dev *d, struct np1 *f, bool tell_irm);

/* Our application's end is closed: send what it queued, then end. */
void np1_closing(struct ipcp_dev *d, struct np1 *f);

/* Post a packet event for f to ourselves if its rx ring holds packets
 * (events posted before we knew the flow were dropped). */
void np1_kick(struct ipcp_dev *d, struct np1 *f);

struct np1 *np1_get(struct ipcp_dev *d, uint32_t id);

/* Hand work to the loop (any thread). */
int np1_mail(struct ipcp_dev *d, enum mail_kind kind, uint32_t flow_id, uint64_t ticket,
             int status);

/* Hand a finished job (ipcp_dev.c) to the loop (any thread). */
int np1_mail_job(struct ipcp_dev *d, void *job);

/* Every flow ends, without telling anyone (ipcp_dev_destroy); the retired
 * memory is freed. */
void np1_release_all(struct ipcp_dev *d);

/* Submit a call to the IRM daemon (fire and forget when done is NULL). */
int np1_irm_call(struct ipcp_dev *d, uint32_t method, const pb_msgdesc_t *fields,
                 const void *msg, int timeout_ms, call_done_fn done, void *arg);

#endif
