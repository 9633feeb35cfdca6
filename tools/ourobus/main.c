/*
 * main.c - ourobus, the launcher: brings the network of a network file
 * (docs/network-file.md) up on this host as processes or in network
 * namespaces, shows it, and takes it down. ourobus(8).
 */
#include "launcher.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2

static const char usage_main[] =
    "Usage: ourobus COMMAND [OPTIONS] FILE\n"
    "\n"
    "Bring up, show and take down the network a network file describes\n"
    "(docs/network-file.md), on this host.\n"
    "\n"
    "Commands:\n"
    "  up FILE       start every node (its ourobus-irmd and node file), wait\n"
    "                until its IPCPs are operational, start its programs\n"
    "  status FILE   the nodes, their processes, IPCPs, names and flows\n"
    "  down FILE     stop what up started and wipe the nodes\n"
    "  check FILE    check the file and say what it holds\n"
    "  node-file FILE NODE   print the node file up writes for NODE\n"
    "\n"
    "'ourobus COMMAND --help' says more. Exit status: 0 done, 1 failed\n"
    "(status: something is not running), 2 usage or a bad network file.\n";

static const char usage_up[] =
    "Usage: ourobus up [--netns] [--timeout SECONDS] [-q] FILE\n"
    "\n"
    "For each node of FILE: write its node file into its run folder, start\n"
    "ourobus-irmd --node NODE --config that file, then wait until each of its\n"
    "IPCPs is operational; then start the programs of the file (those without\n"
    "'auto') and wait until their node knows them. On a failure, everything\n"
    "started is stopped again.\n"
    "\n"
    "  --netns          a network namespace per node, veth pairs to a bridge per\n"
    "                   link and segment, addresses from the file's range\n"
    "                   (root only)\n"
    "  --timeout SECONDS  for each node to come up (default 20)\n"
    "  -q, --quiet      no progress lines\n";

static const char usage_down[] =
    "Usage: ourobus down [--netns] [--timeout SECONDS] [-q] FILE\n"
    "\n"
    "Stop the programs and daemons up started (by the pids of each node's\n"
    "state file), run ourobus-irmd --wipe --node NODE for each node (its\n"
    "IPCPs, shared memory and run folder), and remove the namespaces of an\n"
    "up --netns.\n";

static const char usage_status[] =
    "Usage: ourobus status [--netns] FILE\n"
    "\n"
    "The layers of FILE and their members; for each node, the processes up\n"
    "started and whether they run, and its IPCPs, names and flows (irm).\n"
    "Exit status 1 when a process is gone or an IPCP is not operational.\n";

static const char usage_check[] =
    "Usage: ourobus check FILE\n"
    "\n"
    "Check FILE: every mistake is reported as FILE:LINE:COLUMN.\n";

static const char usage_node_file[] =
    "Usage: ourobus node-file [--netns] FILE NODE\n"
    "\n"
    "Print the node file (ourobus-node(5)) up writes for NODE.\n";

static const struct {
    const char *name;
    const char *usage;
} commands[] = {
    {"up", usage_up},       {"down", usage_down},           {"status", usage_status},
    {"check", usage_check}, {"node-file", usage_node_file},
};

static int bad_usage(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "ourobus: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage);
    return EXIT_USAGE;
}

static int check(const struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;

    printf("%s: %u node%s, %u link%s, %u segment%s, %u layer%s\n", l->nf->path, n->nodes_count,
           n->nodes_count == 1 ? "" : "s", n->links_count, n->links_count == 1 ? "" : "s",
           n->segments_count, n->segments_count == 1 ? "" : "s", n->layers_count,
           n->layers_count == 1 ? "" : "s");
    return 0;
}

static int node_file(const struct launcher *l, const char *node)
{
    const char *paths[LAUNCHER_PROGS_MAX];
    char found[LAUNCHER_PROGS_MAX][PATH_MAX];
    const struct nfs_node *d;
    int ni = netfile_node(l->nf, node);
    char *text;

    if (ni < 0) {
        fprintf(stderr, "ourobus: %s has no node '%s'\n", l->nf->path, node);
        return 1;
    }
    d = &l->nf->net->nodes[ni];
    for (unsigned j = 0; j < d->programs_count; j++) {
        if (launcher_find(l, d->programs[j].path, found[j], PATH_MAX) < 0)
            snprintf(found[j], PATH_MAX, "%s", d->programs[j].path);
        paths[j] = found[j];
    }
    text = netfile_node_file(l->nf, l->mode, node, paths);
    if (text == NULL)
        return 1;
    fputs(text, stdout);
    free(text);
    return 0;
}

static int exe_dir(char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    if (n < 0)
        return -errno;
    exe[n] = '\0';
    snprintf(buf, len, "%s", dirname(exe));
    return 0;
}

int main(int argc, char **argv)
{
    struct launcher l = {.timeout_ms = 20000};
    const char *usage = NULL, *cmd, *file = NULL, *node = NULL;
    char err[NETFILE_ERR_MAX];
    int r;

    if (argc < 2)
        return bad_usage(usage_main, "%s", "a command is needed");
    cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, cmd) == 0)
            usage = commands[i].usage;
    if (usage == NULL)
        return bad_usage(usage_main, "unknown command '%s'", cmd);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--netns") == 0) {
            l.mode = NETFILE_NETNS;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            l.quiet = true;
        } else if (strcmp(a, "--timeout") == 0) {
            char *end;
            long s = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;

            if (i + 1 >= argc || *end != '\0' || s < 1 || s > 3600)
                return bad_usage(usage, "%s takes a number of seconds from 1 to 3600",
                                 "--timeout");
            l.timeout_ms = (int)s * 1000;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            return bad_usage(usage, "unknown option '%s'", a);
        } else if (file == NULL) {
            file = a;
        } else if (node == NULL && strcmp(cmd, "node-file") == 0) {
            node = a;
        } else {
            return bad_usage(usage, "one file only: what is '%s'?", a);
        }
    }
    if (file == NULL)
        return bad_usage(usage, "%s", "the network file is needed");
    if (strcmp(cmd, "node-file") == 0 && node == NULL)
        return bad_usage(usage, "%s", "the node is needed");
    if (l.mode == NETFILE_NETNS && geteuid() != 0 && strcmp(cmd, "check") != 0 &&
        strcmp(cmd, "node-file") != 0) {
        fprintf(stderr, "ourobus: --netns needs root (it makes network namespaces and veth "
                        "pairs): run it as root, or without --netns\n");
        return 1;
    }
    r = netfile_load_file(file, &l.nf, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "%s\n", err);
        return r == -EINVAL || r == -EFBIG ? EXIT_USAGE : 1;
    }
    if (exe_dir(l.exe_dir, sizeof(l.exe_dir)) < 0 ||
        launcher_find(&l, "ourobus-irmd", l.irmd, sizeof(l.irmd)) < 0 ||
        launcher_find(&l, "irm", l.irm, sizeof(l.irm)) < 0) {
        if (strcmp(cmd, "up") == 0 || strcmp(cmd, "down") == 0 || strcmp(cmd, "status") == 0) {
            fprintf(stderr, "ourobus: ourobus-irmd or irm is not found (not next to ourobus, "
                            "nor in $PATH)\n");
            netfile_destroy(&l.nf);
            return 1;
        }
    }
    if (strcmp(cmd, "up") == 0)
        r = cmd_up(&l);
    else if (strcmp(cmd, "down") == 0)
        r = cmd_down(&l);
    else if (strcmp(cmd, "status") == 0)
        r = cmd_status(&l);
    else if (strcmp(cmd, "check") == 0)
        r = check(&l);
    else
        r = node_file(&l, node);
    netfile_destroy(&l.nf);
    return r;
}
