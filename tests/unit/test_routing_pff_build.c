/*
 * test_routing_pff_build.c - a forwarding table from graph routes: next
 * hops mapped to N-1 flow ids, the ones without a flow left out, ECMP sets
 * and the LFA alternate carried over.
 */
#include "pff_build.h"
#include "tap.h"

#include <errno.h>

/* Neighbour 2 -> id 7, 3 -> id 8, 4 -> id 9; 5 has no flow. */
static int nhop(void *arg, uint64_t addr)
{
    (void)arg;
    return addr >= 2 && addr <= 4 ? (int)addr + 5 : -1;
}

int main(void)
{
    struct graph_route r[4] = {
        {.dst = 2, .cost = 1, .n_nhops = 1, .nhops = {2}},
        {.dst = 10, .cost = 2, .n_nhops = 1, .nhops = {2}, .alt = 3},
        {.dst = 11, .cost = 2, .n_nhops = 2, .nhops = {3, 4}},
        {.dst = 12, .cost = 2, .n_nhops = 1, .nhops = {5}},
    };
    struct pff *p = pff_new();
    struct pff_table *t = pff_build(r, 4, nhop, NULL), *old;
    int a, b;

    plan(8);
    ok(t != NULL, "built");
    is((int)pff_table_size(t), 3, "a route whose only next hop has no flow is left out");
    old = pff_publish(p, QOS_CUBE_BE, t);
    pff_table_free(&old);
    is(pff_lookup(p, QOS_CUBE_BE, 2, 1), 7, "to a neighbour: its flow");
    is(pff_lookup(p, QOS_CUBE_BE, 10, 1), 7, "through it");
    pff_set_down(p, 7, true);
    is(pff_lookup(p, QOS_CUBE_BE, 10, 1), 8, "its flow down: the alternate's");
    a = pff_lookup(p, QOS_CUBE_BE, 11, 1);
    b = pff_lookup(p, QOS_CUBE_BE, 11, 2);
    ok((a == 8 || a == 9) && (b == 8 || b == 9), "ECMP: one of the two flows (%d, %d)", a, b);
    is(pff_lookup(p, QOS_CUBE_BE, 12, 1), -EHOSTUNREACH, "the skipped one: unreachable");
    t = pff_build(NULL, 0, nhop, NULL);
    ok(t != NULL && pff_table_size(t) == 0, "no routes: an empty table");
    pff_table_free(&t);
    pff_destroy(&p);
    return done();
}
