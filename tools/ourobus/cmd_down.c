/*
 * cmd_down.c - ourobus down: stop what up started, node by node, by the
 * pids of its state file (programs first, the daemon last), then
 * ourobus-irmd --wipe for the IPCPs, shared memory and run folder it
 * leaves, then the namespaces.
 */
#include "launcher.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int down_node(const struct launcher *l, const char *node)
{
    const char *wipe[] = {l->irmd, "--wipe", "--node", node, NULL};
    struct node_state st;
    struct run_folder rf;
    struct stat sb;
    char out[1024];
    int err, r = 0;

    err = run_folder_for_daemon(&rf, node);
    if (err < 0)
        return err;
    err = state_file_read(&rf, &st);
    if (err == -ENOENT && stat(rf.path, &sb) < 0) {
        launcher_say(l, "node %s: not running", node);
        return 0;
    }
    for (int i = st.n - 1; i >= 0; i--) {
        if (launcher_stop(st.pids[i], st.starts[i], l->timeout_ms) < 0) {
            fprintf(stderr, "ourobus: node %s: %s (pid %d) does not stop\n", node, st.what[i],
                    (int)st.pids[i]);
            r = -EBUSY;
        }
    }
    if (r < 0)
        return r;
    err = launcher_run(wipe, NULL, out, sizeof(out), l->timeout_ms);
    if (err != 0) {
        fprintf(stderr, "ourobus: node %s: ourobus-irmd --wipe failed (%d): %s", node, err,
                out);
        return -EIO;
    }
    launcher_say(l, "node %s: stopped (%d process%s), wiped", node, st.n,
                 st.n == 1 ? "" : "es");
    return 0;
}

int cmd_down(struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;
    int r = 0;

    for (unsigned i = 0; i < n->nodes_count; i++)
        if (down_node(l, n->nodes[i].name) < 0)
            r = 1;
    /* the namespaces of an up --netns, with or without --netns here */
    if ((l->mode == NETFILE_NETNS || geteuid() == 0) && netns_down(l) < 0)
        r = 1;
    if (r == 0)
        launcher_say(l, "down: %u node%s", n->nodes_count, n->nodes_count == 1 ? "" : "s");
    return r;
}
