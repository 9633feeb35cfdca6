/*
 * irmd.h - the IRM daemon's context, shared by its modules: the service
 * skeleton, the registry, the node's packet pool, and how shared memory is
 * made so that only root and the ourobus group can use it.
 */
#ifndef OUROBUS_IRMD_H
#define OUROBUS_IRMD_H

#include "bus_server.h"
#include "call_pool.h"
#include "node_config.h"
#include "pool.h"
#include "reg.h"
#include "run_folder.h"
#include "service.h"

#include <stdint.h>
#include <sys/types.h>

#define IRMD_RING_SLOTS       1024u  /* slots per flow direction */
#define IRMD_ALLOC_CAP_MS     20000u /* a flow_alloc with no timeout waits this long */
#define IRMD_LOCAL_MPL_MS     1u     /* packet lifetime between two local processes */
#define IRMD_SWEEP_MS         20     /* how often waiting requests are checked */
#define IRMD_AUTOSTART_GRACE  5000u  /* ms an auto-started program has to accept */
#define IRMD_IPCP_GRACE_MS    15000u /* an IPCP we did not start may come back this long */
#define IRMD_IPCP_BACKOFF_MS  100u   /* first restart delay of an IPCP we started */
#define IRMD_IPCP_BACKOFF_MAX 5000u
#define IRMD_IPCP_STABLE_MS   30000u /* up this long: the back-off starts over */
#define IRMD_QUERY_MS         3000   /* a query of a layer for a name */
#define IRMD_IPCP_CALL_MS     5000   /* other calls to an IPCP */

struct irmd {
    struct service *svc;
    const struct run_folder *rf;
    zloop_t *loop;
    struct reg reg;
    struct pool *pool;
    char pool_name[SHM_NAME_MAX];
    struct pool_cfg pool_cfg;
    mode_t shm_mode; /* 0660 with the ourobus group, else 0600 */
    uint32_t ring_slots;
    char state_dir[RUN_PATH_MAX + 16];
    int sweep_timer;                /* zloop timer id while requests wait, else -1 */
    uint32_t pending_flows;         /* flows waiting for a peer's answer (FLOW_PENDING) */
    struct call_pool *calls;        /* calls to IPCPs, off the loop */
    struct ipcp_timer *ipcp_timers; /* ipcps.c: restart and grace timers to fire */
    char exe_dir[512]; /* where this binary lives: IPCP daemons are looked up there first */
    const char *config_path;    /* the node file, or NULL */
    struct node_config *config; /* as last applied */
};

/* ---- broker.c: flows between processes ---- */

/* A request for a flow to a name: a flow_alloc of an application, or a
 * flow request a peer sent through an IPCP (by_ipcp: pid is the IPCP). */
struct alloc_req {
    pid_t pid;
    const char *name;
    const irm_qos_t *qos;
    uint64_t deadline;
    bool by_ipcp;
    uint32_t mpl_ms; /* by_ipcp: the layer's packet lifetime */
    const uint8_t *blob;
    size_t blob_len;
    const uint8_t *hash;
    size_t hash_len;
};

/* Answer a flow request: at once, or later (returns BUS_REPLY_DEFERRED).
 * A name this node does not serve goes to the IPCPs (ipcps_alloc). */
int broker_alloc(struct irmd *d, const struct alloc_req *q, struct bus_reply *rep,
                 irm_flow_info_t *info);

/* A flow from application pid to name through IPCP i, waiting for the
 * peer's answer (FLOW_PENDING): the application's flow_alloc (ticket) is
 * answered by broker_pending_done. NULL when out of memory. */
struct reg_flow *broker_flow_pending(struct irmd *d, pid_t pid, struct reg_ipcp *i,
                                     const char *name, const irm_qos_t *qos,
                                     const uint8_t *hash, size_t hash_len, uint64_t deadline,
                                     uint64_t ticket);

/* The peer answered a pending flow (response 0 or -errno); or the IPCP
 * could not ask. The application's flow_alloc gets the outcome. */
void broker_pending_done(struct irmd *d, struct reg_flow *f, int response, uint32_t mpl_ms,
                         const uint8_t *blob, size_t blob_len);

/* IPCP process pid died: the flows waiting for it fail, the requests it
 * made for its peers are dropped. */
void broker_ipcp_down(struct irmd *d, pid_t pid);

/* Answer a flow_accept: at once with a waiting allocation, or later. */
int broker_accept(struct irmd *d, pid_t pid, uint64_t deadline, struct bus_reply *rep,
                  irm_flow_info_t *info);

/* Pair waiting allocations with waiting accepts (after a binding or a
 * process changed), and expire the ones past their deadline. */
void broker_match(struct irmd *d);
void broker_sweep(struct irmd *d);

/* One end of a flow closes (dealloc or death); the flow goes when both
 * have. gone: the end's process died. */
int broker_close_end(struct irmd *d, struct reg_flow *f, int end, bool gone);

/* Re-open a flow restored from the state folder: attach its rings. */
int broker_restore_flow(struct irmd *d, struct reg_flow *f);

/* Fill the view of end e of flow f. */
void broker_flow_info(struct irmd *d, const struct reg_flow *f, int e, irm_flow_info_t *info);

/* ---- procs.c: announced processes, their event queues, their deaths ---- */

/* Register (or refresh) process pid running prog; watch it for death. */
int procs_announce(struct irmd *d, pid_t pid, const char *prog, struct reg_proc **out);

/* Everything of a process that is gone: flows, waiting requests, bindings,
 * pool blocks, event queues. */
void procs_reap(struct irmd *d, pid_t pid);

/* Start watching a process restored from the state folder; a dead one is
 * reaped at once. */
void procs_restore(struct irmd *d, struct reg_proc *p);

/* Post a flow event to the queue the reader of ring r of process p chose. */
void procs_post(struct irmd *d, pid_t pid, bool ipcp_end, struct ring *r, uint32_t flow_id,
                uint8_t type);

/* The event queues a flow end of p posts to: an IPCP daemon's own ends, or
 * the application side of one that is also an application. */
const char *procs_evq_name(const struct reg_proc *p, bool ipcp_end);

/* An IPCP daemon announces itself: its event queues are named after it
 * (evq.ipcp.<name>) so that they outlive its process. */
int procs_announce_ipcp(struct irmd *d, pid_t pid, const char *ipcp_name,
                        struct reg_proc **out);

/* Watch p for its death (pidfd on the loop). */
int procs_watch(struct irmd *d, struct reg_proc *p);

/* Start program b (auto-start): its pid, or -errno. */
pid_t procs_spawn(struct irmd *d, const struct reg_prog_bind *b);

/* ---- ipcps.c: IPCP daemons ---- */

int ipcps_init(struct irmd *d);
void ipcps_fini(struct irmd *d);

/* Look for a program next to this daemon, then in PATH: 0 with its path in
 * out, or -ENOENT. */
int ipcps_find_program(struct irmd *d, const char *prog, char *out, size_t len);

/* An allocation to name through an IPCP failed: the next one asks the
 * layers again instead of going straight to that IPCP. */
void ipcps_alloc_failed(const char *name);

/* ---- companions.c: the fa and the directory of a unicast IPCP ---- */
#define IRMD_COMPANIONS_MAX 128
/* Start (or adopt, after our restart) the companions of IPCP ipcp. */
void companions_start(struct irmd *d, const char *ipcp);
/* Stop them (the IPCP is destroyed). */
void companions_stop(struct irmd *d, const char *ipcp);
/* Let go of them at exit (they run on). */
void companions_fini(struct irmd *d);
/* Is pid a daemon of node (its command line has --node NODE and --ipcp):
 * the program prog (NULL: any "ourobus-*"), for IPCP ipcp (NULL: any)? */
bool irmd_daemon_of(pid_t pid, const char *node, const char *prog, const char *ipcp);

/* After persist_load: restart the IPCPs we started that are down, and
 * give the others their grace period. */
void ipcps_restore(struct irmd *d);

/* A flow_alloc to a name no process here serves: ask the IPCPs (a query
 * when several could reach it), then allocate through the first that
 * does. BUS_REPLY_DEFERRED, or -ENAME when no IPCP is up. */
int ipcps_alloc(struct irmd *d, pid_t pid, const char *name, const irm_qos_t *qos,
                uint64_t deadline, struct bus_reply *rep);

/* An IPCP the node file declares: started if it does not exist, then
 * bootstrapped and given its names as soon as it is up. */
int ipcps_from_node(struct irmd *d, const struct node_ipcp *n);

/* The name registered in i whose hash this is, or NULL. */
const char *ipcps_name_of(struct reg_ipcp *i, const uint8_t *hash, size_t len);

/* irm ipcp create: start the daemon of the type; answered when it announces
 * (rep NULL: nobody waits, 0 once started). */
int ipcps_create(struct irmd *d, const char *name, enum ipcp_type type, struct bus_reply *rep);

/* irm ipcp destroy: stop it for good; its flows end. */
int ipcps_destroy(struct irmd *d, struct reg_ipcp *i);

/* An IPCP daemon announces itself (new, restarted, or after our restart),
 * or reports a new state: resume gets what it must take back. */
int ipcps_announce(struct irmd *d, const irm_ipcp_info_t *m, irm_ipcp_resume_t *resume);

/* Its process died: its flows are kept while it comes back. */
void ipcps_died(struct irmd *d, struct reg_ipcp *i, pid_t pid);

/* Bootstrap, enroll, connect, disconnect: passed to the IPCP, answered
 * when it answers. */
int ipcps_bootstrap(struct irmd *d, struct reg_ipcp *i, const irm_ipcp_config_t *conf,
                    struct bus_reply *rep);
int ipcps_forward(struct irmd *d, struct reg_ipcp *i, uint32_t method,
                  const pb_msgdesc_t *fields, const void *msg, struct bus_reply *rep);

/* Make name reachable through i (or no longer). Answered when i answers. */
int ipcps_reg_name(struct irmd *d, struct reg_ipcp *i, const char *name, bool reg,
                   struct bus_reply *rep);

/* The hash of name in i's layer; its length, or -EINVAL. */
int ipcps_hash(const struct reg_ipcp *i, const char *name, uint8_t *out);

/* Tell i that the application end of its flow is gone: it tells its peer,
 * and closes its end (IPCP_FLOW_CLOSE) when it has sent what was queued. */
void ipcps_flow_dealloc(struct irmd *d, struct reg_ipcp *i, uint32_t flow_id);

/* The IPCPs a flow to a name that is not served here may go through, best
 * first: their names (they may restart), at most max. */
int ipcps_candidates(struct irmd *d, pid_t caller, char names[][NAME_SIZE + 1], int max);

/* ---- persist.c: the registry in the run folder ---- */

int persist_init(struct irmd *d);
void persist_name(struct irmd *d, const struct reg_name *n, bool present);
void persist_binds(struct irmd *d);
void persist_proc(struct irmd *d, const struct reg_proc *p, bool present);
void persist_flow(struct irmd *d, const struct reg_flow *f, bool present);
/* An IPCP without its names; removed, with them. */
void persist_ipcp(struct irmd *d, const struct reg_ipcp *i, bool present);
/* A name registered in an IPCP. */
void persist_ipcp_reg(struct irmd *d, const char *ipcp, const char *name, bool present);

/* Load what a previous run left; returns how many objects. */
int persist_load(struct irmd *d);

/* ---- config_apply.c: the node file ---- */

/* Put node file c into the registry; old is the file applied before (a
 * reload), whose names and bindings c no longer has are removed. */
void config_apply(struct irmd *d, const struct node_config *c, const struct node_config *old);

/* ---- methods.c: the bus methods ---- */

int methods_register(struct irmd *d);

#endif
