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

int main(void)
{
    plan(9 + 10 + 2 + 4 + 6 + 1);
    test_line();
    test_ring_cut();
    test_metrics();
    test_ecmp();
    test_lfa();
    test_determinism();
    return done();
}
