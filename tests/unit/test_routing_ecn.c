/*
 * test_routing_ecn.c - the ECN level from a ring's fill: nothing under 16
 * packets, one level per 16 after, saturating at 255; and how a level lands
 * in a header on its way over several hops.
 */
#include "dt_hdr.h"
#include "ecn.h"
#include "tap.h"

static void test_levels(void)
{
    int mono = 1;

    is(ecn_level(0), 0, "an empty ring: no congestion");
    is(ecn_level(15), 0, "15 packets: no congestion");
    is(ecn_level(16), 1, "16 packets: level 1");
    is(ecn_level(31), 1, "31 packets: level 1");
    is(ecn_level(32), 2, "32 packets: level 2");
    is(ecn_level(1024), 64, "1024 packets (a full default ring): level 64");
    is(ecn_level(4080), 255, "4080 packets: level 255");
    is(ecn_level(1000000), 255, "a million: still 255");
    is(ecn_level(SIZE_MAX), 255, "SIZE_MAX: 255");
    for (size_t q = 1; q < 10000; q++)
        mono &= ecn_level(q) >= ecn_level(q - 1);
    ok(mono, "the level never falls as the queue grows");
}

static void test_path(void)
{
    const size_t queues[] = {40, 3, 100, 20};
    struct dt_hdr h = {.dst = 9, .cube = QOS_CUBE_BE, .ttl = 10, .eid = 70}, o;
    struct dt_fmt f;
    uint8_t b[DT_HDR_MAX];

    dt_fmt_init(&f, 4, 8);
    dt_hdr_encode(&f, &h, b, sizeof(b));
    for (size_t i = 0; i < 4; i++) {
        dt_hdr_ttl_dec(&f, b, sizeof(b));
        dt_hdr_ecn_raise(&f, b, sizeof(b), ecn_level(queues[i]));
    }
    dt_hdr_decode(&f, b, sizeof(b), &o);
    is(o.ecn, 6, "four hops with 40, 3, 100, 20 queued: the worst level, 6");
    is(o.ttl, 6, "... and the TTL down by four");
}

int main(void)
{
    plan(10 + 2);
    test_levels();
    test_path();
    return done();
}
