/*
 * routing.h - the state of one ourobus-routing daemon (a unicast IPCP as
 * the IRM daemon sees it): its layer config and address, and the modules
 * that do the work - nbrs (N-1 flows, adjacencies), ls (link-state
 * routing, the PFF), enroll (joining a layer, letting others join).
 */
#ifndef OUROBUS_ROUTING_H
#define OUROBUS_ROUTING_H

#include "dt_hdr.h"
#include "ipcp_dev.h"
#include "run_folder.h"
#include "service.h"

#include <ourobus/irm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct nbrs;
struct ls;
struct pff;
struct mgmt;
struct np1;

#define ROUTING_BELOW_MAX 16   /* IPCPs of the layers below */
#define ROUTING_BELOW_MS  2000 /* between two looks for new ones */

struct routing {
    const char *name; /* the IPCP's name on the node */
    struct service *svc;
    struct ipcp_dev *dev;
    char state_path[RUN_PATH_MAX + 64];  /* routing.<ipcp>.state */
    char routes_path[RUN_PATH_MAX + 64]; /* routing.<ipcp>.routes */

    pthread_mutex_t lock; /* booted, conf, addr: read by enrollment threads */
    bool booted;
    struct ipcp_config conf;
    uint64_t addr;
    struct dt_fmt fmt;
    uint64_t enroll_addr; /* what the enrollment assigned, for the bootstrap */

    struct pff *pff;
    struct ls *ls;
    struct nbrs *nbrs;
    struct mgmt *mgmt; /* the companions' rings (mgmt.h) */
    struct np1 *np1;   /* the N+1 flows, the fa and the directory (np1.h) */

    /* The IPCPs of the layers below our names are registered in (main
     * loop only), looked for again every ROUTING_BELOW_MS. */
    pid_t below[ROUTING_BELOW_MAX];
    size_t n_below;
    int below_timer;
};

/* The ops ipcp_dev calls (main.c). */
extern const struct ipcp_ops routing_ops;

/* Serve MGMT_ATTACH on the bus (main.c, after ipcp_dev_new): 0 or -errno. */
int routing_serve_mgmt(struct routing *r);

/* Stop the threads of the modules (main.c, before ipcp_dev_destroy). */
void routing_stop(struct routing *r);

#endif
