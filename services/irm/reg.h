/*
 * reg.h - the IRM daemon's registry: names and their load balancing,
 * program and process bindings (N-to-M), announced processes, flows, IPCPs,
 * and the allocations and accepts waiting for each other.
 */
#ifndef OUROBUS_IRMD_REG_H
#define OUROBUS_IRMD_REG_H

#include "evq_set.h"
#include "irm.pb.h"
#include "ring_shm.h"

#include <czmq.h>
#include <ourobus/irm.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct reg_name {
    char *name;
    enum pol_balance lb;
};

/* A program (by path) bound to a name; its processes (by program name,
 * the basename of argv[0]) accept for it. */
struct reg_prog_bind {
    char *name;
    char *path;
    char *base; /* basename of path */
    bool auto_start;
    int argc;
    char **argv;          /* argv[0] = path, then the arguments, NULL-terminated */
    pid_t starting;       /* an instance started for a flow, not accepting yet */
    uint64_t starting_at; /* when (ns) */
};

/* A process bound to a name. */
struct reg_proc_bind {
    char *name;
    pid_t pid;
};

struct reg_proc {
    pid_t pid;
    char prog[256];
    int pidfd;    /* readable when the process exits; -1 if watched by polling */
    bool spawned; /* our child: reaped with waitpid */
    bool ipcp;    /* an IPCP daemon */
    char evq_name[128];
    struct evq_set evq;
    /* An IPCP daemon that is also an application (a unicast IPCP's N-1
     * flows): the queues of its application side. */
    bool app;
    char app_evq_name[128];
    struct evq_set app_evq;
};

/* A flow_accept waiting for a flow. */
struct reg_accept {
    pid_t pid;
    uint64_t ticket; /* deferred bus reply */
    uint64_t since;  /* when it arrived (ns): the load-balancing order */
    uint64_t deadline;
};

/* A flow_alloc (or a flow request arriving through an IPCP) waiting for an
 * accept. */
struct reg_alloc {
    pid_t pid;
    uint64_t ticket;
    char *name;
    irm_qos_t qos;
    uint64_t since;
    uint64_t deadline;
    bool started;    /* an auto-start program was started for it */
    bool by_ipcp;    /* asked by an IPCP for a peer in its layer */
    uint32_t mpl_ms; /* the layer's packet lifetime */
    uint8_t blob[64];
    size_t blob_len;
    uint8_t hash[64];
    size_t hash_len;
};

enum reg_flow_state { FLOW_ALLOCATED = 1, FLOW_DEALLOCATING, FLOW_PENDING };

struct reg_flow_end {
    pid_t pid;
    bool open;
    bool ipcp; /* an IPCP: it may restart (with another pid) and keep the flow */
};

/* A flow: end 0 allocated it, end 1 accepted it; ring d carries end d's
 * packets to the other end. */
struct reg_flow {
    uint32_t id;
    char *name;
    irm_qos_t qos;
    uint32_t mpl_ms;
    enum reg_flow_state state;
    struct reg_flow_end end[2];
    char ring_name[2][128];
    struct ring_map ring[2];
    bool dirty;       /* an end died: blocks may be stranded under the ring tags */
    bool restored;    /* made by an earlier run of the daemon */
    uint32_t max_sdu; /* 0: the pool's largest block */
    uint8_t blob[64]; /* the IPCP end's record of the flow */
    size_t blob_len;
    uint8_t hash[64]; /* the name's hash in the IPCP's layer */
    size_t hash_len;
    /* FLOW_PENDING (allocation through an IPCP, waiting for the peer): */
    uint64_t ticket; /* the application's flow_alloc, answered when the IPCP is */
    uint64_t deadline;
};

#define REG_IPCP_NAMES 256 /* names registered in one IPCP */

/* What the node file still wants done with an IPCP once it is up. */
struct reg_ipcp_plan {
    bool boot; /* bootstrap it with conf */
    irm_ipcp_config_t conf;
    char (*regs)[NAME_SIZE + 1]; /* then register these names */
    size_t nregs;
    size_t next; /* the next name to register */
    bool busy;   /* a call for it is on its way */
    bool enroll; /* enroll it through dst (before the names) */
    char dst[NAME_SIZE + 1];
    irm_ipcp_connect_t *conns; /* then connect it to these */
    size_t nconns;
    size_t next_conn;
};

struct reg_ipcp {
    pid_t pid;      /* 0 while it is down */
    pid_t last_pid; /* its process before it went down: its flows' ends */
    char *name;
    enum ipcp_type type;
    char *layer;
    enum ipcp_state state;
    char *endpoint;
    uint32_t max_sdu;
    bool spawned;      /* started by us: restarted when it dies */
    bool bootstrapped; /* conf holds the config to give it back */
    irm_ipcp_config_t *conf;
    zlistx_t *regs;             /* names registered in its layer (char *) */
    uint32_t backoff_ms;        /* the delay before the next restart */
    uint64_t up_since;          /* ns: a long run resets the back-off */
    uint64_t down_since;        /* ns, 0 while up */
    uint64_t timer_ticket;      /* the restart or grace timer that stands, 0: none */
    uint64_t create_ticket;     /* an irm ipcp create waiting for its announce */
    bool announced;             /* it ever did: else its death removes it */
    struct reg_ipcp_plan *plan; /* the node file's, until done */
};

struct reg {
    zhashx_t *names;      /* name -> struct reg_name */
    zlistx_t *prog_binds; /* struct reg_prog_bind */
    zlistx_t *proc_binds; /* struct reg_proc_bind */
    zhashx_t *procs;      /* pid -> struct reg_proc */
    zhashx_t *flows;      /* id -> struct reg_flow */
    zlistx_t *ipcps;      /* struct reg_ipcp */
    zlistx_t *accepts;    /* struct reg_accept, oldest first */
    zlistx_t *allocs;     /* struct reg_alloc, oldest first */
    uint32_t next_flow_id;
};

int reg_init(struct reg *r);
void reg_fini(struct reg *r);

/* ---- names ---- */
struct reg_name *reg_name_get(struct reg *r, const char *name);
/* Create name (an existing one keeps its policy unless lb != LB_INVALID). */
struct reg_name *reg_name_add(struct reg *r, const char *name, enum pol_balance lb);
int reg_name_del(struct reg *r, const char *name);

/* ---- bindings ---- */
int reg_prog_bind(struct reg *r, const char *name, const char *path, bool auto_start, int argc,
                  char **argv);
/* name NULL: every name of the program. Returns how many were removed. */
int reg_prog_unbind(struct reg *r, const char *path, const char *name);
int reg_proc_bind(struct reg *r, const char *name, pid_t pid);
int reg_proc_unbind(struct reg *r, pid_t pid, const char *name);

/* Does process p accept flows for name (directly or by its program)? */
bool reg_serves(struct reg *r, const struct reg_proc *p, const char *name);

/* Is anything bound to name (a process or a program)? */
bool reg_name_bound(struct reg *r, const char *name);

/* The auto-start binding of name, if any. */
struct reg_prog_bind *reg_name_auto_prog(struct reg *r, const char *name);

/* ---- processes ---- */
struct reg_proc *reg_proc_get(struct reg *r, pid_t pid);
struct reg_proc *reg_proc_add(struct reg *r, pid_t pid, const char *prog);
void reg_proc_del(struct reg *r, pid_t pid);

/* ---- flows ---- */
struct reg_flow *reg_flow_get(struct reg *r, uint32_t id);
/* A new flow with a free id; its rings are not made yet. */
struct reg_flow *reg_flow_new(struct reg *r, const char *name, pid_t pid0, pid_t pid1);
/* A flow with a given id (restored from the state folder). */
struct reg_flow *reg_flow_insert(struct reg *r, uint32_t id, const char *name, pid_t pid0,
                                 pid_t pid1);
void reg_flow_del(struct reg *r, uint32_t id);

/* ---- IPCPs ---- */
/* By pid: only an IPCP that is up. */
struct reg_ipcp *reg_ipcp_get(struct reg *r, pid_t pid);
struct reg_ipcp *reg_ipcp_by_name(struct reg *r, const char *name);
struct reg_ipcp *reg_ipcp_add(struct reg *r, pid_t pid, const char *name, enum ipcp_type type);
void reg_ipcp_del(struct reg *r, pid_t pid);
void reg_ipcp_remove(struct reg *r, struct reg_ipcp *i);
/* Is name registered in the IPCP? Add (0, -ENOSPC past REG_IPCP_NAMES) or
 * remove it (0, -ENOENT). */
bool reg_ipcp_has_name(struct reg_ipcp *i, const char *name);
int reg_ipcp_add_name(struct reg_ipcp *i, const char *name);
int reg_ipcp_del_name(struct reg_ipcp *i, const char *name);

/* ---- waiting allocations and accepts ---- */
struct reg_accept *reg_accept_add(struct reg *r, pid_t pid, uint64_t ticket, uint64_t deadline);
struct reg_alloc *reg_alloc_add(struct reg *r, pid_t pid, uint64_t ticket, const char *name,
                                const irm_qos_t *qos, uint64_t deadline);

/* The accept that gets the next flow for name, by its load-balancing
 * policy; NULL if no process of it is accepting. */
struct reg_accept *reg_accept_pick(struct reg *r, const char *name);

/* Remove one (not while iterating that list: it moves the list's cursor;
 * iterate and delete at zlistx_cursor instead). */
void reg_accept_remove(struct reg *r, struct reg_accept *a);
void reg_alloc_remove(struct reg *r, struct reg_alloc *a);

/* Key helpers for zhashx tables keyed by an integer. */
void *reg_int_key(uint32_t v);

#endif
