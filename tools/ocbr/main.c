/*
 * main.c - ocbr: send packets at a constant bit rate over a flow to a
 * name, or receive them and report rates and losses (-l).
 */
#include "ocbr.h"

#include "args.h"
#include "tool_signal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int stop_signal;

static void on_signal(int sig)
{
    if (atomic_exchange(&stop_signal, sig) != 0)
        tool_signal_reraise(sig);
}

static void usage_short(void)
{
    fprintf(stderr, "usage: ocbr [-n NAME] [-d DURATION] [-s SIZE] [-r RATE | -f]\n"
                    "            [--sleep | --spin]\n"
                    "       ocbr -l [-i INTERVAL] [-t TIMEOUT]\n"
                    "Try 'ocbr --help' for more information.\n");
}

static void usage_long(void)
{
    printf("Usage: ocbr [OPTION]...\n"
           "Send packets at a constant bit rate over a flow to a name (client), or\n"
           "receive them and report per interval and per flow (server, -l).\n"
           "\n"
           "  -l, --listen              run as a server\n"
           "Server:\n"
           "  -i, --interval TIME       report every TIME (seconds, or 500ms, ...;\n"
           "                            default 1)\n"
           "  -t, --timeout TIME        close a flow silent for TIME (seconds, or\n"
           "                            500ms, ...; default 10)\n"
           "Client:\n"
           "  -n, --server_apn NAME     the server's name (default " OCBR_DEFAULT_NAME
           "; also\n"
           "                            --server-name)\n"
           "  -d, --duration TIME       how long to send (seconds, or 500ms, 2m, ...;\n"
           "                            default 60)\n"
           "  -s, --size BYTES          bytes per packet, 8 to 1M (default 1000)\n"
           "  -r, --rate RATE           bit/s, with k, M, G or T (default 1M)\n"
           "  -f, --flood               send as fast as the flow takes them (no rate)\n"
           "      --sleep               pace by sleeping only (least CPU, burstier)\n"
           "      --spin                pace by spinning only (one CPU busy, most even)\n"
           "                            (default: sleep, then spin the last 60 us)\n"
           "  -h, --help                print this help and exit\n"
           "\n"
           "Exit status: 0, 1 when the flow failed, 2 for a usage error.\n");
}

enum {
    OPT_SLEEP = 256,
    OPT_SPIN,
};

static const struct option long_opts[] = {
    {"listen", no_argument, NULL, 'l'},
    {"interval", required_argument, NULL, 'i'},
    {"timeout", required_argument, NULL, 't'},
    {"server_apn", required_argument, NULL, 'n'},
    {"server-apn", required_argument, NULL, 'n'},
    {"server-name", required_argument, NULL, 'n'},
    {"duration", required_argument, NULL, 'd'},
    {"size", required_argument, NULL, 's'},
    {"rate", required_argument, NULL, 'r'},
    {"flood", no_argument, NULL, 'f'},
    {"sleep", no_argument, NULL, OPT_SLEEP},
    {"spin", no_argument, NULL, OPT_SPIN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int bad_value(const char *what, const char *arg, const char *range)
{
    fprintf(stderr, "ocbr: invalid %s '%s' (%s)\n", what, arg, range);
    usage_short();
    return 2;
}

static int misplaced(const char *opt, const char *side)
{
    fprintf(stderr, "ocbr: %s is a %s option\n", opt, side);
    usage_short();
    return 2;
}

/* Parse argv. -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct ocbr_client_opts *co,
                      struct ocbr_server_opts *so, bool *listen)
{
    const char *client_opt = NULL, *server_opt = NULL;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":li:t:n:d:s:r:fh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            *listen = true;
            break;
        case 'i':
            if (args_parse_duration(optarg, NS_PER_S, &so->interval_ns) < 0 ||
                so->interval_ns < NS_PER_MS)
                return bad_value("interval", optarg, "at least 1ms, e.g. 1, 500ms");
            server_opt = "--interval";
            break;
        case 't':
            if (args_parse_duration(optarg, NS_PER_S, &so->timeout_ns) < 0 ||
                so->timeout_ns < NS_PER_MS)
                return bad_value("timeout", optarg, "at least 1ms, e.g. 10, 500ms");
            server_opt = "--timeout";
            break;
        case 'n':
            co->name = optarg;
            client_opt = "--server_apn";
            break;
        case 'd':
            if (args_parse_duration(optarg, NS_PER_S, &co->duration_ns) < 0 ||
                co->duration_ns == 0)
                return bad_value("duration", optarg, "e.g. 10, 10s, 500ms, 2m");
            client_opt = "--duration";
            break;
        case 's':
            if (args_parse_size(optarg, OCBR_HDR_LEN, OCBR_MAX_SIZE, &co->size) < 0)
                return bad_value("size", optarg, "8 bytes to 1M");
            client_opt = "--size";
            break;
        case 'r':
            if (args_parse_rate(optarg, &co->rate_bps) < 0)
                return bad_value("rate", optarg, "bit/s, e.g. 1000000, 100k, 1.5M, 2G");
            client_opt = "--rate";
            break;
        case 'f':
            co->flood = true;
            client_opt = "--flood";
            break;
        case OPT_SLEEP:
            co->pace = PACE_SLEEP;
            client_opt = "--sleep";
            break;
        case OPT_SPIN:
            co->pace = PACE_SPIN;
            client_opt = "--spin";
            break;
        case 'h':
            usage_long();
            return 0;
        case ':':
            fprintf(stderr, "ocbr: option '%s' needs a value\n", argv[optind - 1]);
            usage_short();
            return 2;
        default:
            if (optopt != 0)
                fprintf(stderr, "ocbr: unknown option '-%c'\n", optopt);
            else
                fprintf(stderr, "ocbr: unknown option '%s'\n", argv[optind - 1]);
            usage_short();
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ocbr: unexpected argument '%s'\n", argv[optind]);
        usage_short();
        return 2;
    }
    if (*listen && client_opt != NULL)
        return misplaced(client_opt, "client");
    if (!*listen && server_opt != NULL)
        return misplaced(server_opt, "server (-l)");
    return -1;
}

int main(int argc, char **argv)
{
    struct ocbr_client_opts co = {
        .name = OCBR_DEFAULT_NAME,
        .duration_ns = 60 * NS_PER_S,
        .size = OCBR_DEFAULT_SIZE,
        .rate_bps = OCBR_DEFAULT_RATE,
        .pace = PACE_HYBRID,
    };
    struct ocbr_server_opts so = {
        .interval_ns = NS_PER_S,
        .timeout_ns = 10 * NS_PER_S,
    };
    bool listen = false;
    int r;

    setvbuf(stdout, NULL, _IOLBF, 0);
    r = parse_args(argc, argv, &co, &so, &listen);
    if (r >= 0)
        return r;
    if (tool_signal_catch(on_signal) < 0) {
        perror("ocbr: sigaction");
        return 1;
    }
    return listen ? ocbr_server_run(&so, &stop_signal) : ocbr_client_run(&co, &stop_signal);
}
