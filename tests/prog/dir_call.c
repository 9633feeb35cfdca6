/*
 * dir_call - one call of ourobus-directory's bus methods, for the tests:
 *
 *   dir_call --node N --ipcp NAME reg NAME
 *   dir_call --node N --ipcp NAME unreg NAME
 *   dir_call --node N --ipcp NAME query NAME [TIMEOUT_MS]
 *
 * NAME is hashed with SHA3-256 (the unicast layer's default). query prints
 * "addrs A B ... us T cached_us C" (the query's time, then the same query
 * again, from the directory's cache) or "error -ERRNO"; exit 0 when the
 * call succeeded.
 */
#include "bus_client.h"
#include "deadline.h"
#include "directory.pb.h"
#include "hash.h"
#include "run_folder.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"node", required_argument, NULL, 'n'},
        {"ipcp", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    const char *node = NULL, *ipcp = NULL, *cmd, *name;
    char ep[RUN_PATH_MAX + 128], file[300], ident[64];
    uint8_t hash[HASH_MAX];
    struct run_folder rf;
    struct bus_client *bc;
    int c, len, err;

    while ((c = getopt_long(argc, argv, "n:i:", opts, NULL)) != -1) {
        if (c == 'n')
            node = optarg;
        else if (c == 'i')
            ipcp = optarg;
        else
            return 2;
    }
    if (ipcp == NULL || argc - optind < 2) {
        fprintf(stderr, "usage: dir_call --node N --ipcp NAME reg|unreg|query NAME [MS]\n");
        return 2;
    }
    cmd = argv[optind];
    name = argv[optind + 1];
    len = hash_name(DIR_HASH_SHA3_256, name, hash);
    snprintf(file, sizeof(file), "directory.%s.ctl", ipcp);
    if (len < 0 || run_folder_for_client(&rf, node_name_default(node)) < 0 ||
        run_folder_endpoint(&rf, file, ep, sizeof(ep)) < 0)
        return 1;
    snprintf(ident, sizeof(ident), "dir_call.%d", (int)getpid());
    bc = bus_client_new(ep, ident);
    if (bc == NULL)
        return 1;
    if (strcmp(cmd, "query") == 0) {
        dir_query_t q = DIR_QUERY_INIT_ZERO;
        dir_addrs_t a = DIR_ADDRS_INIT_ZERO;

        uint64_t t0, t1, t2;

        /* An empty hash is refused at once: it opens the connection, so
         * the times below are the queries' own. */
        bus_client_call_pb(bc, DIR_METHOD_DIR_QUERY, DIR_QUERY_FIELDS, &q, DIR_ADDRS_FIELDS, &a,
                           1000);
        q.hash.size = (pb_size_t)len;
        memcpy(q.hash.bytes, hash, (size_t)len);
        q.timeout_ms = argc - optind > 2 ? (uint32_t)atoi(argv[optind + 2]) : 3000;
        t0 = now_ns();
        err = bus_client_call_pb(bc, DIR_METHOD_DIR_QUERY, DIR_QUERY_FIELDS, &q,
                                 DIR_ADDRS_FIELDS, &a, (int)q.timeout_ms + 2000);
        t1 = now_ns();
        if (err >= 0) {
            /* The same again: the directory answers it from its cache. */
            dir_addrs_t b = DIR_ADDRS_INIT_ZERO;

            bus_client_call_pb(bc, DIR_METHOD_DIR_QUERY, DIR_QUERY_FIELDS, &q, DIR_ADDRS_FIELDS,
                               &b, 1000);
            t2 = now_ns();
            printf("addrs");
            for (pb_size_t i = 0; i < a.addrs_count; i++)
                printf(" %" PRIu64, a.addrs[i]);
            printf(" us %" PRIu64 " cached_us %" PRIu64 "\n", (t1 - t0) / 1000,
                   (t2 - t1) / 1000);
        }
    } else {
        dir_name_t m = DIR_NAME_INIT_ZERO;
        uint32_t method = strcmp(cmd, "reg") == 0 ? DIR_METHOD_DIR_REG : DIR_METHOD_DIR_UNREG;

        m.hash.size = (pb_size_t)len;
        memcpy(m.hash.bytes, hash, (size_t)len);
        err = bus_client_call_pb(bc, method, DIR_NAME_FIELDS, &m, NULL, NULL, 3000);
    }
    if (err < 0)
        printf("error %d\n", err);
    bus_client_destroy(&bc);
    return err < 0 ? 1 : 0;
}
