/*
 * main.c - oecho: send a message to the name "oecho" and print what comes
 * back, or echo messages (-l).
 */
#include "oecho.h"

#include "tool_signal.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define OECHO_DEFAULT_MSG "Hello from oecho"

static atomic_int stop_signal;

static void on_signal(int sig)
{
    if (atomic_exchange(&stop_signal, sig) != 0)
        tool_signal_reraise(sig);
}

static void usage_short(void)
{
    fprintf(stderr, "usage: oecho [MESSAGE]\n"
                    "       oecho -l\n"
                    "Try 'oecho --help' for more information.\n");
}

static void usage_long(void)
{
    printf("Usage: oecho [MESSAGE]\n"
           "       oecho -l\n"
           "Send MESSAGE (default \"" OECHO_DEFAULT_MSG "\") over a flow to the name\n"
           "'" OECHO_NAME "' and print the echo (client), or echo every message that\n"
           "comes in (server, -l).\n"
           "\n"
           "  -l, --listen     run as a server\n"
           "  -h, --help       print this help and exit\n"
           "\n"
           "Exit status: 0 when the echo matches, 1 when it does not or the flow\n"
           "failed, 2 for a usage error.\n");
}

static const struct option long_opts[] = {
    {"listen", no_argument, NULL, 'l'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    const char *msg = OECHO_DEFAULT_MSG;
    bool listen = false;
    int c;

    setvbuf(stdout, NULL, _IOLBF, 0);
    opterr = 0;
    while ((c = getopt_long(argc, argv, "lh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            listen = true;
            break;
        case 'h':
            usage_long();
            return 0;
        default:
            if (optopt != 0)
                fprintf(stderr, "oecho: unknown option '-%c'\n", optopt);
            else
                fprintf(stderr, "oecho: unknown option '%s'\n", argv[optind - 1]);
            usage_short();
            return 2;
        }
    }
    if (optind < argc && !listen)
        msg = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "oecho: unexpected argument '%s'\n", argv[optind]);
        usage_short();
        return 2;
    }
    if (strlen(msg) == 0 || strlen(msg) > OECHO_MAX_LEN) {
        fprintf(stderr, "oecho: the message must have 1 to %d bytes\n", OECHO_MAX_LEN);
        usage_short();
        return 2;
    }
    if (tool_signal_catch(on_signal) < 0) {
        perror("oecho: sigaction");
        return 1;
    }
    return listen ? oecho_server_run(&stop_signal) : oecho_client_run(msg);
}
