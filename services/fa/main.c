/*
 * ourobus-fa - the flow allocator of a unicast IPCP: it agrees N+1 flows
 * with the flow allocators of the layer's other members (FLOW_REQ, REPLY,
 * UPDATE, DEALLOC over its management rings) and tells its IPCP's routing
 * what to bind. The IRM daemon starts it beside ourobus-routing;
 * docs/fa.md and docs/unicast.md say what it does.
 */
#include "fa.h"

#include "daemon_args.h"
#include "deadline.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STOP_WAIT_NS (2000 * FA_MS) /* for allocations still asking the directory */

static void usage(FILE *f)
{
    fprintf(f, "usage: ourobus-fa --ipcp NAME [--node NAME] [--log LEVEL]\n"
               "\n"
               "The flow allocator of a unicast IPCP. The IRM daemon starts it beside the\n"
               "IPCP's ourobus-routing; it attaches to routing's management rings, agrees\n"
               "flows with the flow allocators of the layer's other members and serves\n"
               "routing at fa.NAME.ctl in the node's run folder.\n"
               "\n"
               "  -i, --ipcp NAME   the IPCP's name on the node (required)\n"
               "  -n, --node NAME   the node (default: $OUROBUS_NODE or 'default')\n"
               "  -l, --log LEVEL   err, warn, info (default) or debug\n"
               "  -h, --help        this text\n");
}

static int parse(int argc, char **argv, struct fa *fa, int *lvl)
{
    struct daemon_args a;
    int ret = daemon_args_parse(argc, argv, "ourobus-fa", NULL, usage, &a);

    fa->name = a.ipcp;
    fa->node = a.node;
    *lvl = a.log_level;
    return ret;
}

static int endpoints(struct fa *fa)
{
    const struct run_folder *rf = service_run_folder(fa->svc);
    char file[SERVICE_NAME_MAX + 32];
    int err;

    snprintf(file, sizeof(file), "routing.%s.ctl", fa->name);
    err = run_folder_endpoint(rf, file, fa->routing_ep, sizeof(fa->routing_ep));
    snprintf(file, sizeof(file), "directory.%s.ctl", fa->name);
    if (err == 0)
        err = run_folder_endpoint(rf, file, fa->dir_ep, sizeof(fa->dir_ep));
    return err;
}

static int init_sync(struct fa *fa)
{
    pthread_condattr_t ca;

    if (pthread_mutex_init(&fa->lock, NULL) != 0)
        return -1;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_cond_init(&fa->cond, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        pthread_mutex_destroy(&fa->lock);
        return -1;
    }
    pthread_condattr_destroy(&ca);
    return 0;
}

/* Stop the threads; false if allocations still run (their state must
 * then outlive main: left to the exit). */
static bool stop_threads(struct fa *fa)
{
    uint64_t end = now_ns() + STOP_WAIT_NS;
    struct timespec ts = {.tv_sec = (time_t)(end / 1000000000ull),
                          .tv_nsec = (long)(end % 1000000000ull)};
    bool idle;

    pthread_mutex_lock(&fa->lock);
    atomic_store(&fa->stop, true);
    pthread_cond_broadcast(&fa->cond);
    pthread_mutex_unlock(&fa->lock);
    if (fa->tick_on)
        pthread_join(fa->tick, NULL);
    if (fa->rx_on)
        pthread_join(fa->rx, NULL);
    fa->tick_on = fa->rx_on = false;
    pthread_mutex_lock(&fa->lock);
    while (fa->allocs > 0 && pthread_cond_timedwait(&fa->cond, &fa->lock, &ts) == 0)
        ;
    idle = fa->allocs == 0;
    pthread_mutex_unlock(&fa->lock);
    return idle;
}

int main(int argc, char **argv)
{
    struct fa *fa = calloc(1, sizeof(*fa));
    char svc_name[SERVICE_NAME_MAX + 1];
    int lvl = -1;
    int ret, err;

    if (fa == NULL)
        return 1;
    ret = parse(argc, argv, fa, &lvl);
    if (ret >= 0)
        goto out;
    fa->node = node_name_default(fa->node);
    if (snprintf(svc_name, sizeof(svc_name), "fa.%s", fa->name) >= (int)sizeof(svc_name) ||
        service_name_check(svc_name) < 0) {
        fprintf(stderr, "ourobus-fa: '%s' cannot name a service (A-Z a-z 0-9 _ . -)\n",
                fa->name);
        ret = 2;
        goto out;
    }
    log_init(svc_name, fa->node);
    if (lvl >= 0)
        log_set_level((enum log_level)lvl);
    fa->svc = service_new(svc_name, fa->node);
    if (fa->svc == NULL) {
        ret = errno == EADDRINUSE ? 3 : 1;
        goto out;
    }
    ret = 1;
    if (endpoints(fa) < 0) {
        log_err("the run folder's path is too long");
        goto fail_sync;
    }
    if (init_sync(fa) < 0)
        goto fail_sync;
    fa->table = fa_table_new(FA_FLOWS_MAX, fa_rand_eid, fa);
    fa->resend = fa_resend_new();
    fa->addrs = dir_cache_new(FA_ADDR_CACHE, FA_ADDR_CACHE_MS);
    if (fa->table == NULL || fa->resend == NULL || fa->addrs == NULL) {
        log_err("out of memory");
        goto fail_table;
    }
    err = fa_serve(fa);
    if (err < 0) {
        log_err("cannot serve its methods: %s", strerror(-err));
        goto fail_table;
    }
    err = -pthread_create(&fa->tick, NULL, fa_tick_main, fa);
    if (err < 0) {
        log_err("cannot start the ticking thread: %s", strerror(-err));
        goto fail_table;
    }
    fa->tick_on = true;
    log_info("running (pid %d)", (int)getpid());
    ret = service_run(fa->svc) == 0 ? 0 : 1;
    if (!stop_threads(fa)) {
        log_warn("allocations still waiting for the directory: left to the exit");
        service_destroy(&fa->svc);
        return ret;
    }
    if (atomic_load(&fa->attached))
        mgmt_link_detach(&fa->link);
fail_table:
    stop_threads(fa);
    fa_resend_destroy(&fa->resend);
    dir_cache_destroy(&fa->addrs);
    fa_table_destroy(&fa->table);
    free(fa->side);
    pthread_cond_destroy(&fa->cond);
    pthread_mutex_destroy(&fa->lock);
fail_sync:
    service_destroy(&fa->svc);
out:
    free(fa);
    return ret;
}
