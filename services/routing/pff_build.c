/*
 * pff_build.c - graph routes to a forwarding table.
 */
#include "pff_build.h"

#include <assert.h>

struct pff_table *pff_build(const struct graph_route *routes, size_t n, pff_nhop_fn nhop,
                            void *arg)
{
    struct pff_table *t;

    assert(routes != NULL || n == 0);
    assert(nhop != NULL);
    t = pff_table_new(n > 0 ? n : 1);
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct graph_route *r = &routes[i];
        int ids[PFF_NHOPS_MAX];
        size_t k = 0;
        int alt = r->alt != 0 ? nhop(arg, r->alt) : -1;

        for (size_t j = 0; j < r->n_nhops && k < PFF_NHOPS_MAX; j++) {
            int id = nhop(arg, r->nhops[j]);
            if (id >= 0 && id < (int)PFF_NHOP_IDS)
                ids[k++] = id;
        }
        if (k == 0)
            continue;
        if (alt >= (int)PFF_NHOP_IDS)
            alt = -1;
        if (pff_table_add(t, r->dst, ids, k, alt < 0 ? -1 : alt) < 0)
            continue; /* a duplicate destination: graph_routes gives none */
    }
    return t;
}
