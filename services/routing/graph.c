/*
 * graph.c - Dijkstra on the layer's graph. The graph is small (at most
 * LSDB_ORIGINS_MAX nodes) and recomputed seconds apart, so the search is the
 * plain O(V^2) one: no heap, and the order of ties is simply by address.
 * At the limit (a 64x64 grid) one search takes ~26 ms, LFA's five ~105 ms.
 */
#include "graph.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INF UINT64_MAX

/* The first hops of a path are a bit mask over self's links. */
_Static_assert(LSA_LINKS_MAX <= 64, "self's links must fit in a uint64_t mask");

/* The graph in compressed rows: node i's links are l[off[i] .. off[i+1]). */
struct g {
    size_t n_nodes;
    uint64_t *addr; /* ascending */
    size_t *off;
    size_t *to; /* node index of each link's destination */
    struct lsdb_link *l;
};

static void g_free(struct g *g)
{
    free(g->addr);
    free(g->off);
    free(g->to);
    free(g->l);
}

static long node_of(const struct g *g, uint64_t addr)
{
    size_t lo = 0, hi = g->n_nodes;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (g->addr[mid] < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n_nodes && g->addr[lo] == addr ? (long)lo : -1;
}

static int g_build(struct g *g, const struct lsdb *db)
{
    size_t n_links = lsdb_links(db, NULL, 0);
    size_t k = 0;

    memset(g, 0, sizeof(*g));
    /* Every link is advertised both ways, so every node is some source;
     * lsdb_links gives them sorted by source, then destination. */
    g->l = malloc((n_links + 1) * sizeof(*g->l));
    g->addr = malloc((n_links + 1) * sizeof(*g->addr));
    g->off = malloc((n_links + 2) * sizeof(*g->off));
    g->to = malloc((n_links + 1) * sizeof(*g->to));
    if (g->l == NULL || g->addr == NULL || g->off == NULL || g->to == NULL) {
        g_free(g);
        return -ENOMEM;
    }
    lsdb_links(db, g->l, n_links);
    for (size_t i = 0; i < n_links; i++) {
        if (i == 0 || g->l[i].src != g->l[i - 1].src) {
            g->off[g->n_nodes] = i;
            g->addr[g->n_nodes++] = g->l[i].src;
        }
    }
    g->off[g->n_nodes] = n_links;
    for (size_t i = 0; i < n_links; i++) {
        long t = node_of(g, g->l[i].dst);

        assert(t >= 0);
        g->to[k++] = (size_t)t;
    }
    return 0;
}

/*
 * Shortest distances from src into dist. With first != NULL, also the
 * first hops of every shortest path as a bit mask over src's links (bit j:
 * the link off[src] + j), the union over equal-cost paths.
 */
static void dijkstra(const struct g *g, size_t src, uint64_t *dist, uint64_t *first, bool *done)
{
    for (size_t i = 0; i < g->n_nodes; i++) {
        dist[i] = INF;
        done[i] = false;
        if (first != NULL)
            first[i] = 0;
    }
    dist[src] = 0;
    for (size_t round = 0; round < g->n_nodes; round++) {
        size_t u = g->n_nodes;

        for (size_t i = 0; i < g->n_nodes; i++)
            if (!done[i] && dist[i] != INF && (u == g->n_nodes || dist[i] < dist[u]))
                u = i;
        if (u == g->n_nodes)
            break;
        done[u] = true;
        for (size_t e = g->off[u]; e < g->off[u + 1]; e++) {
            size_t v = g->to[e];
            uint64_t nd = dist[u] + g->l[e].metric;
            uint64_t bits = 0;

            if (first != NULL)
                bits = u == src ? UINT64_C(1) << (e - g->off[src]) : first[u];
            if (nd < dist[v]) {
                dist[v] = nd;
                if (first != NULL)
                    first[v] = bits;
            } else if (nd == dist[v] && first != NULL) {
                first[v] |= bits;
            }
        }
    }
}

static int lowest_bit(uint64_t m)
{
    assert(m != 0);
    return __builtin_ctzll(m);
}

/* RFC 5286 inequality 1: neighbour j of self is a loop-free alternate
 * for d when dist(j, d) < dist(j, self) + dist(self, d). The cheapest
 * one through j wins, ties to the lowest address. */
static uint64_t lfa_pick(const struct g *g, size_t self, size_t d, int primary,
                         uint64_t **nb_dist, const uint64_t *dist)
{
    size_t n_nb = g->off[self + 1] - g->off[self];
    uint64_t best = INF, alt = 0;

    for (size_t j = 0; j < n_nb; j++) {
        const uint64_t *dj = nb_dist[j];
        size_t e = g->off[self] + j;
        uint64_t via;

        if ((int)j == primary || dj[d] == INF || dj[self] == INF)
            continue;
        if (!(dj[d] < dj[self] + dist[d]))
            continue;
        via = g->l[e].metric + dj[d];
        if (via < best) {
            best = via;
            alt = g->l[e].dst;
        }
    }
    return alt;
}

static void route_fill(const struct g *g, size_t self, size_t d, enum graph_policy pol,
                       const uint64_t *dist, const uint64_t *first, uint64_t **nb_dist,
                       struct graph_route *r)
{
    uint64_t m = first[d];
    int primary = lowest_bit(m);

    memset(r, 0, sizeof(*r));
    r->dst = g->addr[d];
    r->cost = dist[d];
    /* Links of self are sorted by neighbour address: low bits first. */
    if (pol == GRAPH_ECMP) {
        while (m != 0 && r->n_nhops < GRAPH_NHOPS_MAX) {
            int j = lowest_bit(m);

            r->nhops[r->n_nhops++] = g->l[g->off[self] + (size_t)j].dst;
            m &= m - 1;
        }
        return;
    }
    r->nhops[r->n_nhops++] = g->l[g->off[self] + (size_t)primary].dst;
    if (pol == GRAPH_LFA)
        r->alt = lfa_pick(g, self, d, primary, nb_dist, dist);
}

static int routes_compute(const struct g *g, size_t self, enum graph_policy pol,
                          struct graph_route **routes, size_t *n)
{
    size_t nn = g->n_nodes, n_nb = g->off[self + 1] - g->off[self], k = 0;
    uint64_t *dist = malloc(nn * sizeof(*dist));
    uint64_t *first = malloc(nn * sizeof(*first));
    uint64_t *nb_mem = NULL, *nb_dist[LSA_LINKS_MAX];
    bool *done = malloc(nn * sizeof(*done));
    struct graph_route *r = calloc(nn, sizeof(*r));
    int ret = -ENOMEM;

    if (pol == GRAPH_LFA)
        nb_mem = malloc((n_nb ? n_nb : 1) * nn * sizeof(*nb_mem));
    if (dist == NULL || first == NULL || done == NULL || r == NULL ||
        (pol == GRAPH_LFA && nb_mem == NULL))
        goto out;
    dijkstra(g, self, dist, first, done);
    for (size_t j = 0; pol == GRAPH_LFA && j < n_nb; j++) {
        nb_dist[j] = nb_mem + j * nn;
        dijkstra(g, g->to[g->off[self] + j], nb_dist[j], NULL, done);
    }
    for (size_t d = 0; d < nn; d++)
        if (d != self && dist[d] != INF)
            route_fill(g, self, d, pol, dist, first, nb_dist, &r[k++]);
    *routes = r;
    *n = k;
    r = NULL;
    ret = 0;
out:
    free(r);
    free(nb_mem);
    free(done);
    free(first);
    free(dist);
    return ret;
}

int graph_routes(const struct lsdb *db, uint64_t self, enum graph_policy pol,
                 struct graph_route **routes, size_t *n)
{
    struct g g;
    long s;
    int r;

    assert(db != NULL && routes != NULL && n != NULL);
    assert(pol == GRAPH_SIMPLE || pol == GRAPH_LFA || pol == GRAPH_ECMP);
    *routes = NULL;
    *n = 0;
    r = g_build(&g, db);
    if (r < 0)
        return r;
    s = node_of(&g, self);
    if (s >= 0)
        r = routes_compute(&g, (size_t)s, pol, routes, n);
    g_free(&g);
    return r;
}

void graph_routes_free(struct graph_route **routes)
{
    assert(routes != NULL);
    free(*routes);
    *routes = NULL;
}
