/*
 * ourobus-routing - the data plane of a unicast IPCP: enrollment,
 * adjacencies over N-1 flows of the layers below, link-state routing and
 * the forwarding tables. The IRM daemon starts it for an IPCP of type
 * unicast; docs/routing.md says what it does.
 */
#include "routing.h"

#include "daemon_args.h"
#include "log.h"
#include "mgmt.h"
#include "np1.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ourobus-routing --ipcp NAME [--node NAME] [--type unicast]\n"
               "                       [--log LEVEL]\n"
               "\n"
               "A unicast IPCP. The IRM daemon starts it (irm ipcp create ... type unicast)\n"
               "and bootstraps it (irm ipcp bootstrap), or enrolls it in a layer through\n"
               "a member (irm ipcp enroll ... dst NAME) and connects it to neighbours\n"
               "(irm ipcp connect ... dst NAME); started by another supervisor with the\n"
               "same options it announces itself to the node's IRM daemon.\n"
               "\n"
               "  -i, --ipcp NAME   the IPCP's name on the node (required)\n"
               "  -n, --node NAME   the node (default: $OUROBUS_NODE or 'default')\n"
               "  -t, --type TYPE   unicast (the only one)\n"
               "  -l, --log LEVEL   err, warn, info (default) or debug\n"
               "  -h, --help        this text\n");
}

static int parse(int argc, char **argv, struct routing *r, const char **node, int *lvl)
{
    static const char *const types[] = {"unicast", NULL};
    struct daemon_args a;
    int ret = daemon_args_parse(argc, argv, "ourobus-routing", types, usage, &a);

    r->name = a.ipcp;
    *node = a.node;
    *lvl = a.log_level;
    return ret;
}

int main(int argc, char **argv)
{
    struct routing *r = calloc(1, sizeof(*r));
    char svc_name[SERVICE_NAME_MAX + 1], file[SERVICE_NAME_MAX + 16];
    const struct run_folder *rf;
    const char *node = NULL;
    int lvl = -1;
    int ret;

    if (r == NULL)
        return 1;
    r->below_timer = -1;
    ret = parse(argc, argv, r, &node, &lvl);
    if (ret >= 0)
        goto out;
    node = node_name_default(node);
    if (snprintf(svc_name, sizeof(svc_name), "routing.%s", r->name) >= (int)sizeof(svc_name) ||
        service_name_check(svc_name) < 0) {
        fprintf(stderr, "ourobus-routing: '%s' cannot name a service (A-Z a-z 0-9 _ . -)\n",
                r->name);
        ret = 2;
        goto out;
    }
    log_init(svc_name, node);
    if (lvl >= 0)
        log_set_level((enum log_level)lvl);
    r->svc = service_new(svc_name, node);
    if (r->svc == NULL) {
        ret = errno == EADDRINUSE ? 3 : 1;
        goto out;
    }
    ret = 1;
    pthread_mutex_init(&r->lock, NULL);
    rf = service_run_folder(r->svc);
    snprintf(file, sizeof(file), "%s.state", svc_name);
    if (run_folder_file(rf, file, r->state_path, sizeof(r->state_path)) < 0)
        goto fail_dev;
    snprintf(file, sizeof(file), "%s.routes", svc_name);
    if (run_folder_file(rf, file, r->routes_path, sizeof(r->routes_path)) < 0)
        goto fail_dev;
    r->np1 = np1_new(r);
    if (r->np1 == NULL)
        goto fail_dev;
    /* After a restart the library bootstraps us again on the loop's first
     * turn, with the config the IRM daemon kept (routing_ops.bootstrap). */
    r->dev = ipcp_dev_new(r->svc, r->name, IPCP_UNICAST, &routing_ops, r);
    if (r->dev == NULL) {
        log_err("cannot announce IPCP %s: %s", r->name, strerror(errno));
        goto fail_dev;
    }
    if (routing_serve_mgmt(r) < 0)
        log_warn("cannot serve the management rings: no companion can attach");
    if (r->np1 == NULL || np1_serve(r->np1) < 0)
        log_warn("cannot serve the fa and the directory: no flow can be allocated");
    log_info("running (pid %d)", (int)getpid());
    ret = service_run(r->svc) == 0 ? 0 : 1;
    routing_stop(r);
    if (r->nbrs == NULL) { /* else threads may still deliver: left to the exit */
        mgmt_destroy(&r->mgmt);
        ipcp_dev_destroy(&r->dev);
        np1_destroy(&r->np1);
    } else {
        ipcp_dev_destroy(&r->dev);
    }
fail_dev:
    pthread_mutex_destroy(&r->lock);
    service_destroy(&r->svc);
out:
    free(r);
    return ret;
}
