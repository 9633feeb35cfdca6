/*
 * ourobus-shim-eth - an IPCP of an Ethernet layer over raw sockets (AF_PACKET)
 * on one interface, in DIX (one ethertype per layer) or 802.2 LLC framing.
 */
#include "shim_eth.h"

#include "log.h"
#include "run_folder.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVICE_PREFIX "shim-eth."

static void usage(FILE *f)
{
    fprintf(f, "usage: ourobus-shim-eth --ipcp NAME --type eth-dix|eth-llc [--node NAME]\n"
               "                        [--log LEVEL] [--syslog]\n"
               "\n"
               "An IPCP of an Ethernet layer over raw sockets on one interface. The IRM\n"
               "daemon starts it (irm ipcp create) and bootstraps it with the interface\n"
               "(irm ipcp bootstrap ... dev IF); another supervisor may start it with the\n"
               "same options: it announces itself to the IRM daemon of its node.\n"
               "Needs CAP_NET_RAW.\n"
               "\n"
               "  -i, --ipcp NAME     the IPCP's name, unique on the node\n"
               "  -t, --type TYPE     eth-dix (Ethernet II, one ethertype per layer) or\n"
               "                      eth-llc (802.2 LLC)\n"
               "  -n, --node NAME     the node (default: $OUROBUS_NODE or 'default')\n"
               "  -l, --log LEVEL     err, warn, info (default) or debug\n"
               "      --syslog        also log to syslog\n"
               "  -h, --help          this text\n"
               "      --version       the version\n");
}

static int parse_type(const char *s, enum ipcp_type *type)
{
    if (strcmp(s, "eth-dix") == 0)
        *type = IPCP_ETH_DIX;
    else if (strcmp(s, "eth-llc") == 0)
        *type = IPCP_ETH_LLC;
    else
        return -EINVAL;
    return 0;
}

struct opts {
    const char *node;
    const char *ipcp;
    enum ipcp_type type;
    bool type_set;
    bool use_syslog;
    int lvl;
};

/* 0 to run, else the exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option lopts[] = {
        {"ipcp", required_argument, NULL, 'i'}, {"type", required_argument, NULL, 't'},
        {"node", required_argument, NULL, 'n'}, {"log", required_argument, NULL, 'l'},
        {"syslog", no_argument, NULL, 's'},     {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},    {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "i:t:n:l:h", lopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            o->ipcp = optarg;
            break;
        case 't':
            if (parse_type(optarg, &o->type) < 0) {
                fprintf(stderr, "ourobus-shim-eth: type '%s': eth-dix or eth-llc\n", optarg);
                return 2;
            }
            o->type_set = true;
            break;
        case 'n':
            o->node = optarg;
            break;
        case 'l':
            o->lvl = log_level_parse(optarg);
            if (o->lvl < 0) {
                fprintf(stderr, "ourobus-shim-eth: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case 's':
            o->use_syslog = true;
            break;
        case 'h':
            usage(stdout);
            return -1;
        case 'V':
            printf("ourobus-shim-eth 0.1.0\n");
            return -1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ourobus-shim-eth: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (o->ipcp == NULL || !o->type_set) {
        fprintf(stderr, "ourobus-shim-eth: --ipcp and --type are needed\n");
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {.lvl = -1};
    char svc_name[SERVICE_NAME_MAX + 16];
    struct service *svc;
    struct ipcp_dev *dev;
    struct shim_eth s;
    int err;

    err = parse_opts(argc, argv, &o);
    if (err != 0)
        return err < 0 ? 0 : err;
    o.node = node_name_default(o.node);
    if (node_name_check(o.node) < 0) {
        fprintf(stderr, "ourobus-shim-eth: bad node name '%s'\n", o.node);
        return 2;
    }
    snprintf(svc_name, sizeof(svc_name), SERVICE_PREFIX "%s", o.ipcp);
    if (service_name_check(svc_name) < 0) {
        fprintf(stderr, "ourobus-shim-eth: bad IPCP name '%s' (1-%zu of A-Z a-z 0-9 _ - .)\n",
                o.ipcp, (size_t)SERVICE_NAME_MAX - strlen(SERVICE_PREFIX));
        return 2;
    }
    if (eth_sock_probe() == -EPERM) {
        fprintf(stderr, "ourobus-shim-eth: raw Ethernet sockets need CAP_NET_RAW: run it as "
                        "root or give it the capability (setcap cap_net_raw+ep)\n");
        return 1;
    }
    log_init(svc_name, o.node);
    if (o.lvl >= 0)
        log_set_level((enum log_level)o.lvl);
    log_use_syslog(o.use_syslog);

    svc = service_new(svc_name, o.node);
    if (svc == NULL)
        return errno == EADDRINUSE ? 3 : 1;
    err = shim_eth_init(&s, svc, o.type);
    if (err < 0)
        goto fail_init;
    dev = ipcp_dev_new(svc, o.ipcp, o.type, &shim_eth_ops, &s);
    if (dev == NULL) {
        err = -errno; /* ipcp_dev said why */
        goto fail_dev;
    }
    err = shim_eth_attach(&s, dev);
    if (err < 0)
        goto fail_attach;
    log_info("running (pid %d), %s", (int)getpid(),
             o.type == IPCP_ETH_LLC ? "eth-llc" : "eth-dix");
    err = service_run(svc);
    log_info("stopping");
fail_attach:
    /* The data threads stop before the flows they use go away. */
    shim_eth_stop(&s);
    ipcp_dev_destroy(&dev);
    shim_eth_fini(&s);
    service_destroy(&svc);
    return err < 0 ? 1 : 0;
fail_dev:
    shim_eth_fini(&s);
fail_init:
    service_destroy(&svc);
    return 1;
}
