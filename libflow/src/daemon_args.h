/*
 * daemon_args.h - the command line every IPCP-side daemon shares
 * (ourobus-routing, ourobus-fa, ourobus-directory): --ipcp NAME
 * (required), --node NAME, --type TYPE (when the daemon names its types),
 * --log LEVEL, --help. The IRM daemon starts them with these options, and
 * another supervisor (compose, systemd) gives the same.
 */
#ifndef OUROBUS_DAEMON_ARGS_H
#define OUROBUS_DAEMON_ARGS_H

#include <stdio.h>

struct daemon_args {
    const char *ipcp; /* the IPCP's name on the node */
    const char *node; /* NULL: $OUROBUS_NODE or "default" */
    const char *type; /* one of the daemon's types, NULL if not given */
    int log_level;    /* enum log_level, -1 if not given */
};

/* Parse argv for the program prog ("ourobus-fa"). types lists the values
 * --type takes (NULL-terminated), or is NULL when the daemon has no
 * --type. usage prints the daemon's help. Returns -1 to go on, else the
 * exit status: 0 after --help, 2 for a usage error (said on stderr). */
int daemon_args_parse(int argc, char **argv, const char *prog, const char *const *types,
                      void (*usage)(FILE *f), struct daemon_args *a);

#endif
