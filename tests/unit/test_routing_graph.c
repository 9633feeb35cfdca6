/*
 * test_routing_graph.c - next hops on known topologies: a line of 4, a ring
 * of 6 before and after a link is cut, weighted links, a square under ECMP,
 * loop-free alternates on a triangle and a ring of 5, and determinism.
 */
#include "graph.h"
#include "tap.h"

#include <errno.h>

struct edge {
    uint64_t a, b;
    uint32_t metric;
};

/* A database holding one LSA per node of the edges (addresses 1..n). */
static struct lsdb *topo(const struct edge *e, size_t n_edges, uint64_t n_nodes, uint64_t seqno)
{
    struct lsdb *db = lsdb_new(60000);

    for (uint64_t v = n_nodes; v >= 1; v--) {
        struct lsa l = {.origin = v, .seqno = seqno};

        for (size_t i = 0; i < n_edges; i++) {
            uint64_t nb = e[i].a == v ? e[i].b : e[i].b == v ? e[i].a : 0;

            if (nb != 0)
                l.links[l.n_links++] = (struct lsa_link){.addr = nb, .metric = e[i].metric};
        }
        lsdb_insert(db, &l, 0);
    }
    return db;
}

static const struct graph_route *route_to(const struct graph_route *r, size_t n, uint64_t dst)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].dst == dst)
            return &r[i];
    return NULL;
}

/* The single next hop to dst, 0 if none; -1 if several. */
static long long nh(const struct graph_route *r, size_t n, uint64_t dst)
{
    const struct graph_route *x = route_to(r, n, dst);

    if (x == NULL)
        return 0;
    return x->n_nhops == 1 ? (long long)x->nhops[0] : -1;
}

static void test_line(void)
{
    const struct edge e[] = {{1, 2, 1}, {2, 3, 1}, {3, 4, 1}};
    struct lsdb *db = topo(e, 3, 4, 1);
    struct graph_route *r;
    size_t n;

    is(graph_routes(db, 1, GRAPH_SIMPLE, &r, &n), 0, "line 1-2-3-4 from 1: computed");
    is(n, 3, "... three destinations");
    ok(nh(r, n, 2) == 2 && nh(r, n, 3) == 2 && nh(r, n, 4) == 2, "... all through 2");
    ok(route_to(r, n, 4)->cost == 3 && route_to(r, n, 3)->cost == 2, "... costs 2 and 3");
    ok(r[0].dst == 2 && r[1].dst == 3 && r[2].dst == 4, "... ordered by destination");
    graph_routes_free(&r);
    ok(r == NULL, "free sets the pointer to NULL");
    graph_routes(db, 3, GRAPH_SIMPLE, &r, &n);
    ok(n == 3 && nh(r, n, 1) == 2 && nh(r, n, 2) == 2 && nh(r, n, 4) == 4,
       "from 3: 1 and 2 through 2, 4 direct");
    graph_routes_free(&r);
    is(graph_routes(db, 9, GRAPH_SIMPLE, &r, &n), 0, "from an address not in the graph");
    ok(n == 0 && r == NULL, "... no routes");
    lsdb_destroy(&db);
}

static void test_ring_cut(void)
{
    const struct edge e[] = {{1, 2, 1}, {2, 3, 1}, {3, 4, 1}, {4, 5, 1}, {5, 6, 1}, {6, 1, 1}};
    struct lsdb *db = topo(e, 6, 6, 1);
    struct graph_route *r;
    struct lsa l;
    size_t n;

    graph_routes(db, 1, GRAPH_SIMPLE, &r, &n);
    is(n, 5, "ring of 6 from 1: five destinations");
    ok(nh(r, n, 2) == 2 && nh(r, n, 3) == 2, "... 2 and 3 clockwise through 2");
    ok(nh(r, n, 5) == 6 && nh(r, n, 6) == 6, "... 5 and 6 the other way through 6");
    is(nh(r, n, 4), 2, "... 4, three hops either way: the lower neighbour, 2");
    graph_routes_free(&r);

    /* 2 reports its adjacency to 3 down. */
    lsdb_get(db, 2, &l);
    l.seqno = 2;
    for (size_t i = 0; i < l.n_links; i++)
        l.links[i].down = l.links[i].addr == 3;
    is(lsdb_insert(db, &l, 1), LSDB_NEWER, "2 withdraws the link 2-3");
    graph_routes(db, 1, GRAPH_SIMPLE, &r, &n);
    is(n, 5, "... every node still reachable");
    is(nh(r, n, 3), 6, "... 3 now goes the other way, through 6");
    is(route_to(r, n, 3)->cost, 4, "... at cost 4");
    is(nh(r, n, 4), 6, "... and so does 4");
    is(nh(r, n, 2), 2, "... 2 is still direct");
    graph_routes_free(&r);
    lsdb_destroy(&db);
}

static void test_metrics(void)
{
    const struct edge e[] = {{1, 2, 10}, {1, 3, 1}, {3, 2, 1}};
    struct lsdb *db = topo(e, 3, 3, 1);
    struct graph_route *r;
    size_t n;

    graph_routes(db, 1, GRAPH_SIMPLE, &r, &n);
    is(nh(r, n, 2), 3, "a direct link of metric 10 loses to two links of 1");
    is(route_to(r, n, 2)->cost, 2, "... cost 2");
    graph_routes_free(&r);
    lsdb_destroy(&db);
}

static void test_ecmp(void)
{
    /* 1 - 2
     * |   |
     * 3 - 4 */
    const struct edge e[] = {{1, 2, 1}, {2, 4, 1}, {4, 3, 1}, {3, 1, 1}};
    struct lsdb *db = topo(e, 4, 4, 1);
    const struct graph_route *x;
    struct graph_route *r;
    size_t n;

    graph_routes(db, 1, GRAPH_ECMP, &r, &n);
    x = route_to(r, n, 4);
    ok(x != NULL && x->n_nhops == 2, "square, ECMP from 1 to 4: two next hops");
    ok(x != NULL && x->nhops[0] == 2 && x->nhops[1] == 3, "... 2 and 3, ascending");
    ok(nh(r, n, 2) == 2 && nh(r, n, 3) == 3, "... 2 and 3 themselves: one each");
    graph_routes_free(&r);
    graph_routes(db, 1, GRAPH_SIMPLE, &r, &n);
    is(nh(r, n, 4), 2, "SIMPLE on the square: one next hop, the lower (2)");
    graph_routes_free(&r);
    lsdb_destroy(&db);
}

static void test_lfa(void)
{
    const struct edge tri[] = {{1, 2, 1}, {2, 3, 1}, {3, 1, 1}};
    const struct edge ring5[] = {{1, 2, 1}, {2, 3, 1}, {3, 4, 1}, {4, 5, 1}, {5, 1, 1}};
    const struct edge line[] = {{1, 2, 1}, {2, 3, 1}};
    struct lsdb *db = topo(tri, 3, 3, 1);
    const struct graph_route *x;
    struct graph_route *r;
    size_t n;

    graph_routes(db, 1, GRAPH_LFA, &r, &n);
    x = route_to(r, n, 2);
    ok(x != NULL && x->nhops[0] == 2 && x->alt == 3,
       "triangle, from 1 to 2: via 2, alternate 3");
    x = route_to(r, n, 3);
    ok(x != NULL && x->nhops[0] == 3 && x->alt == 2, "... to 3: via 3, alternate 2");
    graph_routes_free(&r);
    graph_routes(db, 1, GRAPH_SIMPLE, &r, &n);
    is(route_to(r, n, 2)->alt, 0, "SIMPLE gives no alternate");
    graph_routes_free(&r);
    lsdb_destroy(&db);

    db = topo(ring5, 5, 5, 1);
    graph_routes(db, 1, GRAPH_LFA, &r, &n);
    x = route_to(r, n, 3);
    ok(x != NULL && x->nhops[0] == 2 && x->alt == 5,
       "ring of 5, from 1 to 3: via 2, alternate 5");
    x = route_to(r, n, 2);
    ok(x != NULL && x->nhops[0] == 2 && x->alt == 0,
       "... to 2: no alternate (5 would send it back through 1)");
    graph_routes_free(&r);
    lsdb_destroy(&db);

    db = topo(line, 2, 3, 1);
    graph_routes(db, 1, GRAPH_LFA, &r, &n);
    is(route_to(r, n, 3)->alt, 0, "a line has no alternate");
    graph_routes_free(&r);
    lsdb_destroy(&db);
}

static void test_determinism(void)
{
    const struct edge e[] = {{1, 2, 1}, {2, 4, 1}, {4, 3, 1}, {3, 1, 1}, {2, 3, 1}};
    const struct edge rev[] = {{2, 3, 1}, {3, 1, 1}, {4, 3, 1}, {2, 4, 1}, {1, 2, 1}};
    struct lsdb *a = topo(e, 5, 4, 1), *b = topo(rev, 5, 4, 1);
    struct graph_route *ra, *rb;
    size_t na, nb;
    int same = 1;

    for (int pol = GRAPH_SIMPLE; pol <= GRAPH_ECMP; pol++) {
        graph_routes(a, 1, (enum graph_policy)pol, &ra, &na);
        graph_routes(b, 1, (enum graph_policy)pol, &rb, &nb);
        same &= na == nb && memcmp(ra, rb, na * sizeof(*ra)) == 0;
        graph_routes_free(&ra);
        graph_routes_free(&rb);
    }
    ok(same, "the same graph advertised in another order: the same routes, every policy");
    lsdb_destroy(&a);
    lsdb_destroy(&b);
}

/* A 6x6 grid with pseudo-random metrics, checked against Bellman-Ford:
 * every cost; every ECMP next hop n on a shortest path (metric(s, n) +
 * dist(n, d) == dist(s, d)) and all of them; SIMPLE the lowest of them; an
 * LFA alternate meets RFC 5286's inequality, and exists when one could. */
#define GN    36
#define GSIDE 6

static void bellman_ford(const struct edge *e, size_t ne, uint64_t src, uint64_t *d)
{
    for (uint64_t v = 1; v <= GN; v++)
        d[v] = UINT64_MAX;
    d[src] = 0;
    for (int round = 0; round < GN; round++)
        for (size_t i = 0; i < ne; i++) {
            if (d[e[i].a] != UINT64_MAX && d[e[i].a] + e[i].metric < d[e[i].b])
                d[e[i].b] = d[e[i].a] + e[i].metric;
            if (d[e[i].b] != UINT64_MAX && d[e[i].b] + e[i].metric < d[e[i].a])
                d[e[i].a] = d[e[i].b] + e[i].metric;
        }
}

static void test_grid(void)
{
    struct edge e[2 * GN];
    uint64_t dist[GN + 1][GN + 1], seed = 12345;
    size_t ne = 0;
    int cost_bad = 0, ecmp_bad = 0, simple_bad = 0, lfa_bad = 0, lfa_seen = 0;

    for (uint64_t r = 0; r < GSIDE; r++)
        for (uint64_t c = 0; c < GSIDE; c++) {
            uint64_t v = r * GSIDE + c + 1;

            /* Metrics 1..3: small, so equal-cost paths are common. */
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if (c + 1 < GSIDE)
                e[ne++] = (struct edge){v, v + 1, (uint32_t)(seed >> 33) % 3 + 1};
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if (r + 1 < GSIDE)
                e[ne++] = (struct edge){v, v + GSIDE, (uint32_t)(seed >> 33) % 3 + 1};
        }
    for (uint64_t v = 1; v <= GN; v++)
        bellman_ford(e, ne, v, dist[v]);

    struct lsdb *db = topo(e, ne, GN, 1);
    for (uint64_t s = 1; s <= GN; s++) {
        struct graph_route *ecmp, *simple, *lfa;
        size_t n1, n2, n3;
        uint64_t nbs[4], nbm[4];
        size_t n_nb = 0;

        for (size_t i = 0; i < ne; i++) {
            if (e[i].a == s || e[i].b == s) {
                nbs[n_nb] = e[i].a == s ? e[i].b : e[i].a;
                nbm[n_nb++] = e[i].metric;
            }
        }
        graph_routes(db, s, GRAPH_ECMP, &ecmp, &n1);
        graph_routes(db, s, GRAPH_SIMPLE, &simple, &n2);
        graph_routes(db, s, GRAPH_LFA, &lfa, &n3);
        cost_bad += n1 != GN - 1 || n2 != GN - 1 || n3 != GN - 1;
        for (size_t i = 0; i < n1 && i < GN - 1; i++) {
            uint64_t d = ecmp[i].dst, lowest = UINT64_MAX, want = 0, alt_possible = 0;

            cost_bad += ecmp[i].cost != dist[s][d] || simple[i].cost != dist[s][d];
            for (size_t j = 0; j < n_nb; j++) {
                bool on_path = nbm[j] + dist[nbs[j]][d] == dist[s][d];
                bool listed = false;

                for (size_t k = 0; k < ecmp[i].n_nhops; k++)
                    listed |= ecmp[i].nhops[k] == nbs[j];
                ecmp_bad += on_path != listed;
                if (on_path && nbs[j] < lowest)
                    lowest = nbs[j];
            }
            simple_bad += simple[i].n_nhops != 1 || simple[i].nhops[0] != lowest;
            lfa_bad += lfa[i].n_nhops != 1 || lfa[i].nhops[0] != lowest;
            for (size_t j = 0; j < n_nb; j++) {
                if (nbs[j] == lowest)
                    continue;
                if (dist[nbs[j]][d] < dist[nbs[j]][s] + dist[s][d])
                    alt_possible = 1;
                if (nbs[j] == lfa[i].alt)
                    want = dist[nbs[j]][d] < dist[nbs[j]][s] + dist[s][d];
            }
            lfa_bad += lfa[i].alt != 0 ? !want : alt_possible != 0;
            lfa_seen += lfa[i].alt != 0;
        }
        graph_routes_free(&ecmp);
        graph_routes_free(&simple);
        graph_routes_free(&lfa);
    }
    lsdb_destroy(&db);
    is(cost_bad, 0, "6x6 grid, from every node: every cost is Bellman-Ford's");
    is(ecmp_bad, 0, "... ECMP lists exactly the neighbours on a shortest path");
    is(simple_bad, 0, "... SIMPLE takes the lowest of them");
    is(lfa_bad, 0,
       "... LFA: the same primary, an alternate that is loop-free, where one exists");
    ok(lfa_seen > 100, "... (%d routes with an alternate)", lfa_seen);
}

int main(void)
{
    plan(9 + 10 + 2 + 4 + 6 + 1 + 5);
    test_line();
    test_ring_cut();
    test_metrics();
    test_ecmp();
    test_lfa();
    test_determinism();
    test_grid();
    return done();
}
