/*
 * main.c - oping: measure round-trip times over a flow to a name, or
 * answer them (-l). Parses the command line and catches the stop signals.
 */
#include "oping.h"

#include "args.h"
#include "qos_name.h"
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
    fprintf(stderr, "usage: oping [-n NAME] [-c COUNT] [-d DURATION] [-i INTERVAL] [-f | -F]\n"
                    "             [-s SIZE] [-q QOS] [-Q] [-D]\n"
                    "       oping -l [--poll | --busy] [-Q]\n"
                    "Try 'oping --help' for more information.\n");
}

static void usage_long(void)
{
    printf("Usage: oping [OPTION]...\n"
           "Measure the round-trip time over a flow to a name (client), or answer\n"
           "the pings of any number of clients (server, -l).\n"
           "\n"
           "  -l, --listen              run as a server\n"
           "      --poll                server: one thread waits on an fset of all flows\n"
           "      --busy                server: one thread busy-polls all flows\n"
           "                            (default: one thread per flow)\n"
           "\n"
           "  -n, --server-name NAME    the server's name (default " OPING_DEFAULT_NAME ")\n"
           "  -c, --count N             send N pings, then stop\n"
           "  -d, --duration TIME       send pings for TIME (seconds, or 500ms, 2m, ...)\n"
           "                            (without -c or -d: until interrupted)\n"
           "  -i, --interval TIME       between pings (ms, or 20us, 1s, ...; default 1000,\n"
           "                            0 allowed)\n"
           "  -f, --flood               one ping in flight: the next when the pong is in\n"
           "  -F, --flood-busy          the same, busy-polling for the pong\n"
           "  -s, --size BYTES          bytes per ping, 24 to 65536 (default 64)\n"
           "  -q, --qos QOS             " QOS_NAMES " (default raw)\n"
           "  -Q, --quiet               print the summary only\n"
           "  -D, --timeofday           print the time of day before each line\n"
           "  -h, --help                print this help and exit\n"
           "\n"
           "Exit status: 0 when pongs came back, 1 when none did or the flow failed,\n"
           "2 for a usage error.\n");
}

enum {
    OPT_POLL = 256,
    OPT_BUSY,
};

static const struct option long_opts[] = {
    {"listen", no_argument, NULL, 'l'},
    {"poll", no_argument, NULL, OPT_POLL},
    {"busy", no_argument, NULL, OPT_BUSY},
    {"server-name", required_argument, NULL, 'n'},
    {"server-apn", required_argument, NULL, 'n'},
    {"server_apn", required_argument, NULL, 'n'},
    {"count", required_argument, NULL, 'c'},
    {"duration", required_argument, NULL, 'd'},
    {"interval", required_argument, NULL, 'i'},
    {"flood", no_argument, NULL, 'f'},
    {"flood-busy", no_argument, NULL, 'F'},
    {"size", required_argument, NULL, 's'},
    {"qos", required_argument, NULL, 'q'},
    {"quiet", no_argument, NULL, 'Q'},
    {"timeofday", no_argument, NULL, 'D'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int bad_value(const char *what, const char *arg, const char *range)
{
    fprintf(stderr, "oping: invalid %s '%s' (%s)\n", what, arg, range);
    usage_short();
    return 2;
}

/* Parse argv into o. -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct oping_opts *o, bool *listen)
{
    const char *client_opt = NULL;
    uint64_t v;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ln:c:d:i:fFs:q:QDh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            *listen = true;
            break;
        case OPT_POLL:
            o->server_mode = OPING_SERVER_POLL;
            break;
        case OPT_BUSY:
            o->server_mode = OPING_SERVER_BUSY;
            break;
        case 'n':
            o->name = optarg;
            client_opt = "--server-name";
            break;
        case 'c':
            if (args_parse_u64(optarg, 1, UINT64_MAX, &o->count) < 0)
                return bad_value("count", optarg, "a whole number from 1");
            client_opt = "--count";
            break;
        case 'd':
            if (args_parse_duration(optarg, NS_PER_S, &v) < 0 || v == 0)
                return bad_value("duration", optarg, "e.g. 10, 10s, 500ms, 2m");
            o->duration_ns = v;
            client_opt = "--duration";
            break;
        case 'i':
            if (args_parse_duration(optarg, NS_PER_MS, &v) < 0 || v > 3600 * NS_PER_S)
                return bad_value("interval", optarg, "ms, e.g. 1000, 0, 20us; at most 1h");
            o->interval_ns = v;
            client_opt = "--interval";
            break;
        case 'f':
            o->flood = true;
            client_opt = "--flood";
            break;
        case 'F':
            o->flood_busy = true;
            client_opt = "--flood-busy";
            break;
        case 's':
            if (args_parse_size(optarg, 24, OPING_MAX_SIZE, &o->size) < 0)
                return bad_value("size", optarg, "24 to 65536 bytes");
            client_opt = "--size";
            break;
        case 'q':
            if (qos_spec_from_name(optarg, &o->qos) < 0)
                return bad_value("QoS", optarg, QOS_NAMES);
            o->qos_name = optarg;
            client_opt = "--qos";
            break;
        case 'Q':
            o->quiet = true;
            break;
        case 'D':
            o->timeofday = true;
            client_opt = "--timeofday";
            break;
        case 'h':
            usage_long();
            return 0;
        case ':':
            fprintf(stderr, "oping: option '%s' needs a value\n", argv[optind - 1]);
            usage_short();
            return 2;
        default:
            if (optopt != 0)
                fprintf(stderr, "oping: unknown option '-%c'\n", optopt);
            else
                fprintf(stderr, "oping: unknown option '%s'\n", argv[optind - 1]);
            usage_short();
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "oping: unexpected argument '%s'\n", argv[optind]);
        usage_short();
        return 2;
    }
    if (*listen && client_opt != NULL) {
        fprintf(stderr, "oping: %s is a client option; the server takes --poll, --busy, -Q\n",
                client_opt);
        usage_short();
        return 2;
    }
    if (!*listen && o->server_mode != OPING_SERVER_THREADS) {
        fprintf(stderr, "oping: --poll and --busy are server options (with -l)\n");
        usage_short();
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct oping_opts o = {
        .name = OPING_DEFAULT_NAME,
        .qos_name = "raw",
        .qos = qos_raw,
        .size = OPING_DEFAULT_SIZE,
        .interval_ns = 1000 * NS_PER_MS,
        .server_mode = OPING_SERVER_THREADS,
    };
    bool listen = false;
    int r;

    setvbuf(stdout, NULL, _IOLBF, 0);
    r = parse_args(argc, argv, &o, &listen);
    if (r >= 0)
        return r;
    if (tool_signal_catch(on_signal) < 0) {
        perror("oping: sigaction");
        return 1;
    }
    return listen ? oping_server_run(&o, &stop_signal) : oping_client_run(&o, &stop_signal);
}
