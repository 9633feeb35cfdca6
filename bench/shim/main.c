/*
 * bench shim - a flow through the UDP shim (and the Ethernet shim, when it
 * is built) between two nodes in two network namespaces joined by a veth
 * pair, against plain UDP sockets between the same namespaces, in the same
 * run: round trips (interleaved rounds) and a 1400-byte stream.
 */
#include "bench_netns.h"
#include "flow_path.h"
#include "proc.h"
#include "rtt_rounds.h"
#include "stats.h"
#include "stream_rounds.h"
#include "udp_ns.h"
#include "waiter.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHIM_UDP "services/shim-udp/ourobus-shim-udp"
#define SHIM_ETH "services/shim-eth/ourobus-shim-eth"

enum path { PATH_UDP = 0, PATH_SHIM_UDP, PATH_SHIM_ETH };

static const char *const names[] = {
    [PATH_SHIM_UDP] = "bench-shim-udp",
    [PATH_SHIM_ETH] = "bench-shim-eth",
};

static struct netns_line net;
static uint32_t spin;

static void usage(FILE *f)
{
    fprintf(f, "usage: bench/run shim [--quick]\n"
               "  Round trips (64 B) and a one-way 1400 B stream over a flow through\n"
               "  ourobus-shim-udp (and ourobus-shim-eth when it is built) between two\n"
               "  nodes in two network namespaces joined by a veth pair, beside plain\n"
               "  UDP sockets between the same namespaces, in the same run. Needs root.\n"
               "  Each node's daemons run on one CPU (A: 0, B: 1), as the baseline's\n"
               "  client and server do. --quick: fewer samples, under 30 s.\n");
}

/* One round of a round-trip figure. */
static int job_round(const struct rtt_job *j, size_t n, struct samples *s)
{
    pid_t srv;
    int err;

    if (j->kind == PATH_UDP)
        return udp_ns_rtt(&net, n, j->size, s);
    srv = flow_server_start(&net, 1, spin);
    err = flow_rtt(names[j->kind], n, j->size, s);
    flow_server_stop(srv);
    return err;
}

/* One round of a stream: packets/s at the receiver, or -1. */
static double stream_round(const struct stream_job *j, double secs, size_t size)
{
    double pps = 0;
    size_t count = 0;
    int err;

    if (j->kind == PATH_UDP) {
        err = udp_ns_stream(&net, secs, size, &pps, &count);
    } else {
        pid_t srv = flow_server_start(&net, 1, spin);
        err = flow_stream(names[j->kind], secs, size, &pps, &count);
        flow_server_stop(srv);
    }
    return err == 0 ? pps : -1;
}

/* The layers: a UDP shim on each node (A knows B's names by the static
 * map), an Ethernet shim on each veth end when there is one. */
static int layers_up(bool eth)
{
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    exe[n > 0 ? n : 0] = '\0';
    if (netns_irm(&net, 0, "ipcp bootstrap name udp.a layer udp type udp4 ip %s peer %s=%s",
                  NETNS_ADDR_A, names[PATH_SHIM_UDP], NETNS_ADDR_B) != 0 ||
        netns_irm(&net, 1, "ipcp bootstrap name udp.b layer udp type udp4 ip %s",
                  NETNS_ADDR_B) != 0 ||
        netns_irm(&net, 1, "bind program %s name %s", exe, names[PATH_SHIM_UDP]) != 0 ||
        netns_irm(&net, 1, "name register %s layer udp", names[PATH_SHIM_UDP]) != 0) {
        fprintf(stderr, "bench shim: cannot make the UDP layer\n");
        return -1;
    }
    if (eth && (netns_irm(&net, 0, "ipcp bootstrap name eth.a layer eth type eth-dix dev %s",
                          net.link[0].ifc[0]) != 0 ||
                netns_irm(&net, 1, "ipcp bootstrap name eth.b layer eth type eth-dix dev %s",
                          net.link[0].ifc[1]) != 0 ||
                netns_irm(&net, 1, "bind program %s name %s", exe, names[PATH_SHIM_ETH]) != 0 ||
                netns_irm(&net, 1, "name register %s layer eth", names[PATH_SHIM_ETH]) != 0)) {
        fprintf(stderr, "bench shim: cannot make the Ethernet layer\n");
        return -1;
    }
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    netns_down(&net);
    _exit(130);
}

int main(int argc, char **argv)
{
    static struct report rep;
    size_t n = 100000;
    double secs = 1.0;
    int rounds = 5;
    bool eth;
    char title[512];

    if (argc == 2 && strcmp(argv[1], "--server") == 0)
        return flow_report_map(true) < 0 ? 1 : flow_server_main();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            n = 20000;
            secs = 0.5;
            rounds = 2;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench shim: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (geteuid() != 0) {
        fprintf(stderr, "bench shim: needs root (network namespaces)\n");
        return 1;
    }
    spin = spin_default_ns();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    progress("two namespaces, a veth pair, a node in each");
    if (netns_up(&net, 2, "shim") < 0 || !netns_have(&net, SHIM_UDP)) {
        if (!netns_have(&net, SHIM_UDP))
            fprintf(stderr, "bench shim: %s is not built\n", SHIM_UDP);
        netns_down(&net);
        return 1;
    }
    eth = netns_have(&net, SHIM_ETH);
    if (layers_up(eth) < 0 || netns_enter(&net, 0) < 0) {
        netns_down(&net);
        return 1;
    }
    setenv("OUROBUS_NODE", net.node[0], 1);

    {
        struct rtt_job jobs[] = {
            {.name = "udp_rtt",
             .note = "UDP sockets A <-> B, 64 B",
             .size = 64,
             .kind = PATH_UDP,
             .n = n,
             .run = job_round},
            {.name = "shim_udp_rtt",
             .note = "flow through shim-udp, 64 B",
             .size = 64,
             .kind = PATH_SHIM_UDP,
             .n = n,
             .run = job_round},
            {.name = "shim_eth_rtt",
             .note = "flow through shim-eth, 64 B",
             .size = 64,
             .kind = PATH_SHIM_ETH,
             .n = n,
             .run = job_round},
        };
        rtt_rounds_run(&rep, jobs, eth ? 3 : 2, rounds, "shim");
    }
    {
        struct stream_job jobs[] = {
            {.name = "udp_tput_1400",
             .note = "UDP sockets A -> B, 1400 B",
             .kind = PATH_UDP,
             .run = stream_round},
            {.name = "shim_udp_tput_1400",
             .note = "flow through shim-udp, 1400 B",
             .kind = PATH_SHIM_UDP,
             .run = stream_round},
            {.name = "shim_eth_tput_1400",
             .note = "flow through shim-eth, 1400 B",
             .kind = PATH_SHIM_ETH,
             .run = stream_round},
        };
        stream_rounds_run(&rep, jobs, eth ? 3 : 2, rounds, secs, 1400, "shim");
    }
    snprintf(title, sizeof(title),
             "bench shim: two nodes in two network namespaces joined by a veth pair (node A\n"
             "and the client on CPU 0, node B and the server on CPU 1), plain UDP sockets\n"
             "between the same namespaces in the same run; latencies are medians of the\n"
             "round trips, rates are counted at the receiver (medians of %d interleaved\n"
             "rounds each).%s",
             rounds, eth ? "" : "\nshim-eth: not built, its figures skipped.");
    report_table(&rep, title);
    report_ratio(&rep, "shim_udp_rtt", "udp_rtt");
    report_ratio(&rep, "shim_udp_tput_1400", "udp_tput_1400");
    if (eth) {
        report_ratio(&rep, "shim_eth_rtt", "udp_rtt");
        report_ratio(&rep, "shim_eth_tput_1400", "udp_tput_1400");
    } else {
        printf("note: ourobus-shim-eth is not built: shim_eth_rtt and shim_eth_tput_1400 "
               "skipped\n");
    }
    netns_down(&net);
    return 0;
}
