/*
 * main.c - operf: measure the throughput of a flow to a name, one way
 * (uni) or echoed back (bi), or serve such tests (-l).
 */
#include "operf.h"

#include "args.h"
#include "tool_signal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int stop_signal;

static void on_signal(int sig)
{
    if (atomic_exchange(&stop_signal, sig) != 0)
        tool_signal_reraise(sig);
}

static void usage_short(void)
{
    fprintf(stderr,
            "usage: operf [-n NAME] [-t uni|bi] [-d DURATION] [-r RATE | -f] [-s SIZE]\n"
            "             [--sleep]\n"
            "       operf -l\n"
            "Try 'operf --help' for more information.\n");
}

static void usage_long(void)
{
    printf("Usage: operf [OPTION]...\n"
           "Measure the throughput of a flow to a name (client), or count what\n"
           "clients send (server, -l). The client prints a line every second and a\n"
           "summary; the server prints a line per flow when it ends.\n"
           "\n"
           "  -l, --listen              run as a server\n"
           "\n"
           "  -n, --server-name NAME    the server's name (default " OPERF_DEFAULT_NAME ")\n"
           "  -t, --test uni|bi         uni: the server counts; bi: it also echoes every\n"
           "                            packet back (default uni)\n"
           "  -d, --duration TIME       how long to send (seconds, or 500ms, 2m, ...;\n"
           "                            default 60)\n"
           "  -r, --rate RATE           bit/s, with k, M, G or T (default 1M)\n"
           "  -f, --flood               send as fast as the flow takes them (no rate)\n"
           "  -s, --size BYTES          bytes per packet, 16 to 1M (default 1500)\n"
           "      --sleep               pace by sleeping only (less CPU, burstier)\n"
           "  -h, --help                print this help and exit\n"
           "\n"
           "Exit status: 0 when the test ran, 1 when the flow failed or nothing came\n"
           "back, 2 for a usage error.\n");
}

enum {
    OPT_SLEEP = 256,
};

static const struct option long_opts[] = {
    {"listen", no_argument, NULL, 'l'},
    {"server-name", required_argument, NULL, 'n'},
    {"server-apn", required_argument, NULL, 'n'},
    {"server_apn", required_argument, NULL, 'n'},
    {"test", required_argument, NULL, 't'},
    {"duration", required_argument, NULL, 'd'},
    {"rate", required_argument, NULL, 'r'},
    {"flood", no_argument, NULL, 'f'},
    {"size", required_argument, NULL, 's'},
    {"sleep", no_argument, NULL, OPT_SLEEP},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int bad_value(const char *what, const char *arg, const char *range)
{
    fprintf(stderr, "operf: invalid %s '%s' (%s)\n", what, arg, range);
    usage_short();
    return 2;
}

/* Parse argv into o. -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct operf_opts *o, bool *listen)
{
    const char *client_opt = NULL;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ln:t:d:r:fs:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            *listen = true;
            break;
        case 'n':
            o->name = optarg;
            client_opt = "--server-name";
            break;
        case 't':
            if (strcmp(optarg, "uni") == 0)
                o->bi = false;
            else if (strcmp(optarg, "bi") == 0)
                o->bi = true;
            else
                return bad_value("test", optarg, "uni or bi");
            client_opt = "--test";
            break;
        case 'd':
            if (args_parse_duration(optarg, NS_PER_S, &o->duration_ns) < 0 ||
                o->duration_ns == 0)
                return bad_value("duration", optarg, "e.g. 10, 10s, 500ms, 2m");
            client_opt = "--duration";
            break;
        case 'r':
            if (args_parse_rate(optarg, &o->rate_bps) < 0)
                return bad_value("rate", optarg, "bit/s, e.g. 1000000, 100k, 1.5M, 2G");
            client_opt = "--rate";
            break;
        case 'f':
            o->flood = true;
            client_opt = "--flood";
            break;
        case 's':
            if (args_parse_size(optarg, 16, OPERF_MAX_SIZE, &o->size) < 0)
                return bad_value("size", optarg, "16 bytes to 1M");
            client_opt = "--size";
            break;
        case OPT_SLEEP:
            o->pace = PACE_SLEEP;
            client_opt = "--sleep";
            break;
        case 'h':
            usage_long();
            return 0;
        case ':':
            fprintf(stderr, "operf: option '%s' needs a value\n", argv[optind - 1]);
            usage_short();
            return 2;
        default:
            if (optopt != 0)
                fprintf(stderr, "operf: unknown option '-%c'\n", optopt);
            else
                fprintf(stderr, "operf: unknown option '%s'\n", argv[optind - 1]);
            usage_short();
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "operf: unexpected argument '%s'\n", argv[optind]);
        usage_short();
        return 2;
    }
    if (*listen && client_opt != NULL) {
        fprintf(stderr, "operf: %s is a client option; the server takes none\n", client_opt);
        usage_short();
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct operf_opts o = {
        .name = OPERF_DEFAULT_NAME,
        .duration_ns = 60 * NS_PER_S,
        .rate_bps = OPERF_DEFAULT_RATE,
        .size = OPERF_DEFAULT_SIZE,
        .pace = PACE_HYBRID,
    };
    bool listen = false;
    int r;

    setvbuf(stdout, NULL, _IOLBF, 0);
    r = parse_args(argc, argv, &o, &listen);
    if (r >= 0)
        return r;
    if (tool_signal_catch(on_signal) < 0) {
        perror("operf: sigaction");
        return 1;
    }
    return listen ? operf_server_run(&stop_signal) : operf_client_run(&o, &stop_signal);
}
