/*
 * state_file.c - what ourobus started for a node, in its run folder
 * ("ourobus.state"), so that down and status find the processes (by pid
 * and start time) and the namespace:
 *
 *   netns ob-demo-a
 *   proc 1234 567890 irmd
 *   proc 1240 567901 oping
 */
#include "launcher.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int state_file_path(const struct run_folder *rf, char *buf, size_t len)
{
    return run_folder_file(rf, "ourobus.state", buf, len);
}

int state_file_write(const struct run_folder *rf, const struct node_state *st)
{
    char path[RUN_PATH_MAX + 32];
    char tmp[RUN_PATH_MAX + 40];
    FILE *f;
    int err;

    err = state_file_path(rf, path, sizeof(path));
    if (err < 0)
        return err;
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    f = fopen(tmp, "w");
    if (f == NULL)
        return -errno;
    if (st->netns[0] != '\0')
        fprintf(f, "netns %s\n", st->netns);
    for (int i = 0; i < st->n; i++)
        fprintf(f, "proc %d %llu %s\n", (int)st->pids[i], st->starts[i], st->what[i]);
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        err = -errno;
        unlink(tmp);
        return err;
    }
    return 0;
}

int state_file_read(const struct run_folder *rf, struct node_state *st)
{
    char path[RUN_PATH_MAX + 32];
    char line[256];
    FILE *f;
    int err;

    memset(st, 0, sizeof(*st));
    err = state_file_path(rf, path, sizeof(path));
    if (err < 0)
        return err;
    f = fopen(path, "r");
    if (f == NULL)
        return -errno;
    while (fgets(line, sizeof(line), f) != NULL) {
        int pid;
        unsigned long long start;
        char what[32];

        if (sscanf(line, "netns %63s", st->netns) == 1)
            continue;
        if (st->n < LAUNCHER_PIDS_MAX &&
            sscanf(line, "proc %d %llu %31s", &pid, &start, what) == 3 && pid > 0) {
            st->pids[st->n] = pid;
            st->starts[st->n] = start;
            snprintf(st->what[st->n], sizeof(st->what[st->n]), "%s", what);
            st->n++;
        }
    }
    fclose(f);
    return 0;
}
