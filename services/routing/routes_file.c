/*
 * routes_file.c - the routes file, written to a temporary and renamed.
 */
#include "routes_file.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

int routes_file_write(const char *path, uint64_t self, const uint64_t *nbrs, size_t n_nbrs,
                      const struct graph_route *routes, size_t n)
{
    char tmp[4096];
    FILE *f;
    int err = 0;

    assert(path != NULL && (nbrs != NULL || n_nbrs == 0) && (routes != NULL || n == 0));
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    f = fopen(tmp, "w");
    if (f == NULL)
        return -errno;
    fprintf(f, "address %" PRIu64 "\nneighbours", self);
    for (size_t i = 0; i < n_nbrs; i++)
        fprintf(f, " %" PRIu64, nbrs[i]);
    fprintf(f, "\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "route %" PRIu64 " via", routes[i].dst);
        for (size_t j = 0; j < routes[i].n_nhops; j++)
            fprintf(f, " %" PRIu64, routes[i].nhops[j]);
        if (routes[i].alt != 0)
            fprintf(f, " alt %" PRIu64, routes[i].alt);
        fprintf(f, " cost %" PRIu64 "\n", routes[i].cost);
    }
    if (fflush(f) != 0)
        err = -errno;
    if (fclose(f) != 0 && err == 0)
        err = -errno;
    if (err == 0 && rename(tmp, path) != 0)
        err = -errno;
    if (err < 0)
        unlink(tmp);
    return err;
}
