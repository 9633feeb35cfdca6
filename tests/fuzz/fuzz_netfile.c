/*
 * fuzz_netfile.c - libFuzzer target for the network file: any text is
 * loaded or refused with one "file:line:col: message" line, never a crash
 * or a leak; a loaded one gives every node a node file.
 */
#include "netfile.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checked in every build (NDEBUG removes assert). */
#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const progs[NETFILE_ARGS_MAX] = {
        "/p0", "/p1", "/p2", "/p3", "/p4", "/p5", "/p6", "/p7",
        "/p8", "/p9", "/pa", "/pb", "/pc", "/pd", "/pe", "/pf"};
    struct netfile *nf = NULL;
    char err[NETFILE_ERR_MAX];
    int r;

    if (size > 64 * 1024)
        return 0;
    r = netfile_load_data("fuzz.yaml", data, size, &nf, err, sizeof(err));
    if (r < 0) {
        CHECK(nf == NULL);
        CHECK(r == -EINVAL || r == -ENOMEM);
        CHECK(strncmp(err, "fuzz.yaml:", 10) == 0);
        if (r == -EINVAL) {
            unsigned line, col;

            /* every refusal names its place */
            CHECK(sscanf(err, "fuzz.yaml:%u:%u: ", &line, &col) == 2 && line > 0 && col > 0);
        }
        return 0;
    }
    CHECK(nf != NULL && nf->net != NULL && nf->net->nodes_count > 0);
    for (unsigned i = 0; i < nf->net->nodes_count; i++) {
        for (int mode = NETFILE_PROCESSES; mode <= NETFILE_NETNS; mode++) {
            char *text =
                netfile_node_file(nf, (enum netfile_mode)mode, nf->net->nodes[i].name, progs);

            CHECK(text != NULL);
            free(text);
        }
    }
    netfile_destroy(&nf);
    return 0;
}
