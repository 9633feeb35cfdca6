/*
 * test_daemon_args.c - the shared command line of the IPCP-side daemons:
 * what is taken, and every way a command line is refused.
 */
#include "daemon_args.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static int usages;

static void usage(FILE *f)
{
    (void)f;
    usages++;
}

/* Parse the words of line (at most 15) as argv. */
static int parse(const char *line, const char *const *types, struct daemon_args *a)
{
    static char buf[512];
    char *argv[16] = {"prog"};
    int argc = 1;

    snprintf(buf, sizeof(buf), "%s", line);
    for (char *w = strtok(buf, " "); w != NULL && argc < 15; w = strtok(NULL, " "))
        argv[argc++] = w;
    return daemon_args_parse(argc, argv, "prog", types, usage, a);
}

int main(void)
{
    static const char *const types[] = {"udp4", "udp6", NULL};
    struct daemon_args a;
    FILE *quiet = freopen("/dev/null", "w", stderr);

    (void)quiet;
    plan(14);
    is(parse("--ipcp net.a --node n1 --log debug", NULL, &a), -1, "a full line: go on");
    ok(strcmp(a.ipcp, "net.a") == 0 && strcmp(a.node, "n1") == 0, "... the IPCP and the node");
    ok(a.log_level >= 0 && a.type == NULL, "... a log level, no type");
    is(parse("-i x", NULL, &a), -1, "short options");
    ok(a.node == NULL && a.log_level == -1, "... no node, no level: the defaults");
    is(parse("--ipcp x --type udp6", types, &a), -1, "a type of the daemon's");
    ok(a.type != NULL && strcmp(a.type, "udp6") == 0, "... kept");
    is(parse("--ipcp x --type eth-dix", types, &a), 2, "another type: a usage error");
    is(parse("--ipcp x --type udp4", NULL, &a), 2, "a type where none is taken: refused");
    is(parse("--ipcp x --log loud", NULL, &a), 2, "an unknown log level: refused");
    is(parse("--ipcp x extra", NULL, &a), 2, "a stray argument: refused");
    usages = 0;
    is(parse("--node n", NULL, &a), 2, "no --ipcp: refused");
    is(usages, 1, "... with the usage");
    is(parse("--help", NULL, &a), 0, "--help: exit 0");
    return done();
}
