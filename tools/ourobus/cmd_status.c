/*
 * cmd_status.c - ourobus status: each node of the network file, whether
 * its daemon and programs run, and what the daemon says of its IPCPs,
 * names and flows (irm); the layers of the file and their members.
 */
#include "launcher.h"

#include "irm_words.h"

#include <ourobus/irm.h>
#include <stdio.h>
#include <string.h>

#define LIST_MAX 16384

/* irm --node NODE <what> list, indented. 0 if it answered. */
static int show(const struct launcher *l, const char *node, const char *what)
{
    const char *argv[] = {l->irm, "--node", node, what, "list", NULL};
    char out[LIST_MAX];
    int r = launcher_run(argv, NULL, out, sizeof(out), 3000);

    for (char *s = out, *e; r >= 0 && *s != '\0'; s = e + (*e != '\0')) {
        e = s + strcspn(s, "\n");
        printf("    %.*s\n", (int)(e - s), s);
    }
    return r;
}

static int count(const char *text, const char *word)
{
    int n = 0;

    for (const char *s = text; (s = strstr(s, word)) != NULL; s++)
        n++;
    return n;
}

int cmd_status(struct launcher *l)
{
    const struct nfs_net *n = l->nf->net;
    int bad = 0;

    printf("network %s (%s)\n", n->network ? n->network : "-", l->nf->path);
    printf("layers:\n");
    for (unsigned i = 0; i < n->layers_count; i++) {
        const struct nfs_layer *y = &n->layers[i];

        printf("  %s (%s", y->name, irm_word_name(irm_words_ipcp_type, y->type));
        if (y->link != NULL)
            printf(" on link %s", y->link);
        if (y->segment != NULL)
            printf(" on segment %s", y->segment);
        if (y->bootstrap != NULL)
            printf(", bootstrapped by %s", y->bootstrap);
        printf("):");
        for (unsigned j = 0; j < n->nodes_count; j++)
            if (netfile_layer_has(l->nf, y, n->nodes[j].name))
                printf(" %s", n->nodes[j].name);
        printf("\n");
    }
    for (unsigned i = 0; i < n->nodes_count; i++) {
        const char *node = n->nodes[i].name;
        const char *argv[] = {l->irm, "--node", node, "ipcp", "list", NULL};
        unsigned want = netfile_node_ipcps(l->nf, node);
        char out[LIST_MAX];
        struct node_state st;
        struct run_folder rf;
        int ops;

        printf("node %s:", node);
        if (run_folder_for_daemon(&rf, node) < 0 || state_file_read(&rf, &st) < 0) {
            printf(" not running\n");
            bad = 1;
            continue;
        }
        if (st.netns[0] != '\0')
            printf(" (namespace %s%s)", st.netns, netns_exists(st.netns) ? "" : ", gone");
        printf("\n");
        for (int j = 0; j < st.n; j++) {
            bool up = launcher_alive(st.pids[j], st.starts[j]);

            printf("  %-12s pid %-8d %s\n", st.what[j], (int)st.pids[j],
                   up ? "running" : "gone");
            bad |= !up;
        }
        if (launcher_run(argv, NULL, out, sizeof(out), 3000) != 0) {
            printf("  its ourobus-irmd does not answer\n");
            bad = 1;
            continue;
        }
        ops = count(out, " operational");
        printf("  IPCPs (%d of %u operational):\n", ops, want);
        bad |= ops < (int)want;
        show(l, node, "ipcp");
        printf("  names:\n");
        show(l, node, "name");
        printf("  flows:\n");
        show(l, node, "flow");
    }
    return bad;
}
