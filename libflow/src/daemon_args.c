/*
 * daemon_args.c - the shared command line of the IPCP-side daemons.
 */
#include "daemon_args.h"

#include "log.h"

#include <getopt.h>
#include <string.h>

static int type_check(const char *prog, const char *const *types, const char *t)
{
    for (const char *const *p = types; *p != NULL; p++)
        if (strcmp(*p, t) == 0)
            return 0;
    fprintf(stderr, "%s: the type is", prog);
    for (const char *const *p = types; *p != NULL; p++)
        fprintf(stderr, "%s %s", p == types ? "" : p[1] == NULL ? " or" : ",", *p);
    fprintf(stderr, ", not '%s'\n", t);
    return -1;
}

int daemon_args_parse(int argc, char **argv, const char *prog, const char *const *types,
                      void (*usage)(FILE *f), struct daemon_args *a)
{
    static const struct option opts[] = {
        {"ipcp", required_argument, NULL, 'i'}, {"node", required_argument, NULL, 'n'},
        {"type", required_argument, NULL, 't'}, {"log", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    int c;

    *a = (struct daemon_args){.log_level = -1};
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:n:t:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            a->ipcp = optarg;
            break;
        case 'n':
            a->node = optarg;
            break;
        case 't':
            if (types == NULL) {
                fprintf(stderr, "%s: takes no --type\n", prog);
                return 2;
            }
            if (type_check(prog, types, optarg) < 0)
                return 2;
            a->type = optarg;
            break;
        case 'l':
            a->log_level = log_level_parse(optarg);
            if (a->log_level < 0) {
                fprintf(stderr, "%s: unknown log level '%s'\n", prog, optarg);
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
        fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
        return 2;
    }
    if (a->ipcp == NULL) {
        fprintf(stderr, "%s: --ipcp NAME is required\n", prog);
        usage(stderr);
        return 2;
    }
    return -1;
}
