/*
 * ourobus-shim-udp - an IPCP of a UDP layer (IPv4 or IPv6): one UDP socket
 * bound to the layer's address and port, names found in a static map or by
 * DNS, flows carried straight from the packet pool with recvmmsg/sendmmsg.
 */
#include "shim.h"

#include "log.h"
#include "run_folder.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ourobus-shim-udp --ipcp NAME [--node NAME] [--type udp4|udp6]\n"
               "                        [--mtu BYTES] [--log LEVEL]\n"
               "\n"
               "An IPCP of a UDP layer. The IRM daemon starts it (irm ipcp create) and\n"
               "bootstraps it (irm ipcp bootstrap ... ip ADDRESS [port PORT] [dns ADDRESS]\n"
               "[peer NAME=ADDRESS[:PORT]]...); started by another supervisor with the same\n"
               "options it announces itself to the node's IRM daemon.\n"
               "\n"
               "  -i, --ipcp NAME   the IPCP's name on the node (required)\n"
               "  -n, --node NAME   the node (default: $OUROBUS_NODE or 'default')\n"
               "  -t, --type TYPE   udp4 (default) or udp6\n"
               "  -m, --mtu BYTES   the link MTU to assume (default: the MTU of the\n"
               "                    interface with the bound address, at most 9000)\n"
               "  -l, --log LEVEL   err, warn, info (default) or debug\n"
               "  -h, --help        this text\n");
}

static int parse(int argc, char **argv, struct shim *s, const char **node, int *lvl)
{
    static const struct option opts[] = {
        {"ipcp", required_argument, NULL, 'i'},
        {"node", required_argument, NULL, 'n'},
        {"type", required_argument, NULL, 't'},
        {"mtu", required_argument, NULL, 'm'},
        {"log", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "i:n:t:m:l:h", opts, NULL)) != -1) {
        char *end;
        long v;

        switch (c) {
        case 'i':
            s->name = optarg;
            break;
        case 'n':
            *node = optarg;
            break;
        case 't':
            if (strcmp(optarg, "udp4") != 0 && strcmp(optarg, "udp6") != 0) {
                fprintf(stderr, "ourobus-shim-udp: the type is udp4 or udp6, not '%s'\n",
                        optarg);
                return 2;
            }
            s->type = optarg[3] == '4' ? IPCP_UDP4 : IPCP_UDP6;
            break;
        case 'm':
            v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 576 || v > 65535) {
                fprintf(stderr, "ourobus-shim-udp: the MTU is 576 to 65535 bytes\n");
                return 2;
            }
            s->mtu_opt = (uint32_t)v;
            break;
        case 'l':
            *lvl = log_level_parse(optarg);
            if (*lvl < 0) {
                fprintf(stderr, "ourobus-shim-udp: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ourobus-shim-udp: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (s->name == NULL) {
        fprintf(stderr, "ourobus-shim-udp: --ipcp NAME is required\n");
        usage(stderr);
        return 2;
    }
    return -1;
}

/* A look-up thread of flow_alloc may outlive a stop (the system's resolver
 * has its own timeouts): what it touches is then left to the exit. */
static bool lookups_done(struct shim *s)
{
    for (int i = 0; i < 100 && atomic_load(&s->lookups) > 0; i++)
        usleep(10000);
    return atomic_load(&s->lookups) == 0;
}

int main(int argc, char **argv)
{
    struct shim *s = calloc(1, sizeof(*s));
    char svc_name[SERVICE_NAME_MAX + 1];
    const char *node = NULL;
    int lvl = -1;
    int r;

    if (s == NULL)
        return 1;
    *s = (struct shim){.type = IPCP_UDP4, .fd = -1, .tick = -1, .done_fd = -1};
    r = parse(argc, argv, s, &node, &lvl);
    if (r >= 0)
        goto out;
    s->af = s->type == IPCP_UDP4 ? AF_INET : AF_INET6;
    node = node_name_default(node);
    if (snprintf(svc_name, sizeof(svc_name), "shim-udp.%s", s->name) >= (int)sizeof(svc_name) ||
        service_name_check(svc_name) < 0) {
        fprintf(stderr, "ourobus-shim-udp: '%s' cannot name a service (A-Z a-z 0-9 _ . -)\n",
                s->name);
        r = 2;
        goto out;
    }
    log_init(svc_name, node);
    if (lvl >= 0)
        log_set_level((enum log_level)lvl);
    s->svc = service_new(svc_name, node);
    if (s->svc == NULL) {
        r = errno == EADDRINUSE ? 3 : 1;
        goto out;
    }
    r = 1;
    qsbr_init(&s->qsbr);
    drop_stats_init(&s->drops);
    pthread_mutex_init(&s->done_lock, NULL);
    s->eps = ep_table_new();
    s->mq = mgmt_queue_new();
    s->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->eps == NULL || s->mq == NULL || s->done_fd < 0) {
        log_err("out of memory");
        goto fail_alloc;
    }
    /* After a restart, the library bootstraps us and restores our flows on
     * the loop's first turn (ops->bootstrap starts the data threads). */
    s->dev = ipcp_dev_new(s->svc, s->name, s->type, &shim_ops, s);
    if (s->dev == NULL) {
        log_err("cannot announce IPCP %s: %s", s->name, strerror(errno));
        goto fail_dev;
    }
    log_info("running (pid %d)", (int)getpid());
    r = service_run(s->svc) == 0 ? 0 : 1;
    shim_stop(s);
    ipcp_dev_destroy(&s->dev);
fail_dev:
    if (s->fd >= 0)
        close(s->fd);
    if (!lookups_done(s)) {
        log_warn("a name look-up still runs: left to the exit");
        service_destroy(&s->svc);
        return r;
    }
    resolver_destroy(&s->res);
fail_alloc:
    if (s->done_fd >= 0)
        close(s->done_fd);
    mgmt_queue_destroy(&s->mq);
    ep_table_destroy(&s->eps);
    free(s->regs);
    service_destroy(&s->svc);
out:
    free(s);
    return r;
}
