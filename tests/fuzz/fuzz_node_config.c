/*
 * fuzz_node_config.c - libFuzzer target for the node file: any text is
 * loaded or refused with one "file:line:col: message" line, never a crash
 * or a leak; a loaded one has a usable pool and checked IPCPs.
 */
#include "ipcp_check.h"
#include "node_config.h"

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
    struct node_config *cfg = NULL;
    char err[NODE_CONFIG_ERR_MAX];
    int r;

    if (size > 64 * 1024)
        return 0;
    r = node_config_load_data("fuzz.yaml", data, size, &cfg, err, sizeof(err));
    if (r < 0) {
        CHECK(cfg == NULL);
        CHECK(r == -EINVAL || r == -ENOMEM);
        CHECK(strncmp(err, "fuzz.yaml:", 10) == 0);
        if (r == -EINVAL) {
            unsigned line, col;

            /* every refusal names its place */
            CHECK(sscanf(err, "fuzz.yaml:%u:%u: ", &line, &col) == 2 && line > 0 && col > 0);
        }
        return 0;
    }
    CHECK(cfg != NULL);
    CHECK(pool_cfg_check(&cfg->pool, NULL) == 0);
    for (size_t i = 0; i < cfg->nipcps; i++)
        if (cfg->ipcps[i].mode == NODE_IPCP_BOOTSTRAP)
            CHECK(ipcp_config_check(&cfg->ipcps[i].conf, NULL) == 0);
    node_config_destroy(&cfg);
    return 0;
}
