/*
 * ourobus-directory - the name directory of a unicast IPCP: a Kademlia DHT
 * from name hash to addresses (docs/directory.md), whose messages travel as
 * DT packets through routing's management rings (endpoint id 2). Routing
 * and the fa ask it to publish, withdraw and resolve names over the bus
 * (proto/directory.proto).
 */
#include "directory.h"

#include "daemon_args.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ourobus-directory --ipcp NAME [--node NAME] [--log LEVEL]\n"
               "\n"
               "The name directory of a unicast IPCP: a Kademlia DHT from name hashes to\n"
               "addresses. It runs beside the IPCP's ourobus-routing, sends and receives\n"
               "its messages through routing's management rings, and serves DIR_REG,\n"
               "DIR_UNREG and DIR_QUERY on <run>/directory.NAME.ctl.\n"
               "\n"
               "  -i, --ipcp NAME   the IPCP's name on the node (required)\n"
               "  -n, --node NAME   the node (default: $OUROBUS_NODE or 'default')\n"
               "  -l, --log LEVEL   err, warn, info (default) or debug\n"
               "  -h, --help        this text\n");
}

static int parse(int argc, char **argv, struct directory *d, int *lvl)
{
    struct daemon_args a;
    int ret = daemon_args_parse(argc, argv, "ourobus-directory", NULL, usage, &a);

    d->ipcp = a.ipcp;
    d->node = a.node;
    *lvl = a.log_level;
    return ret;
}

int main(int argc, char **argv)
{
    struct directory *d = calloc(1, sizeof(*d));
    char svc_name[SERVICE_NAME_MAX + 1];
    int lvl = -1;
    int ret;

    if (d == NULL)
        return 1;
    d->res_fd = -1;
    ret = parse(argc, argv, d, &lvl);
    if (ret >= 0)
        goto out;
    d->node = node_name_default(d->node);
    if (snprintf(svc_name, sizeof(svc_name), "directory.%s", d->ipcp) >=
            (int)sizeof(svc_name) ||
        service_name_check(svc_name) < 0) {
        fprintf(stderr, "ourobus-directory: '%s' cannot name a service (A-Z a-z 0-9 _ . -)\n",
                d->ipcp);
        ret = 2;
        goto out;
    }
    log_init(svc_name, d->node);
    if (lvl >= 0)
        log_set_level((enum log_level)lvl);
    d->svc = service_new(svc_name, d->node);
    if (d->svc == NULL) {
        ret = errno == EADDRINUSE ? 3 : 1;
        goto out;
    }
    ret = 1;
    pthread_mutex_init(&d->lock, NULL);
    pthread_mutex_init(&d->res_lock, NULL);
    if (dir_bus_start(d) < 0) {
        log_err("cannot serve the directory's methods");
        goto fail_bus;
    }
    if (dir_join_start(d) < 0) {
        log_err("cannot watch routing's routes file");
        goto fail_bus;
    }
    if (dir_net_start(d) < 0)
        goto fail_bus;
    log_info("running (pid %d)", (int)getpid());
    ret = service_run(d->svc) == 0 ? 0 : 1;
    dir_net_stop(d);
    /* Names stay published elsewhere until they expire: a restarted
     * directory publishes them again (routing's NAMES). */
    dht_destroy(&d->dht);
    mgmt_link_detach(&d->link);
fail_bus:
    dir_bus_stop(d);
    free(d->names);
    pthread_mutex_destroy(&d->res_lock);
    pthread_mutex_destroy(&d->lock);
    service_destroy(&d->svc);
out:
    free(d);
    return ret;
}
