/*
 * test_fa_policy.c - the flow allocator's small decisions: the QoS cube of
 * every preset, and the congestion level of a FLOW_UPDATE from routing's
 * ECN report.
 */
#include "fa_policy.h"
#include "tap.h"

static void test_cube(void)
{
    is(fa_cube_of(&qos_raw), FA_CUBE_BE, "raw: best effort");
    is(fa_cube_of(&qos_best_effort), FA_CUBE_BE, "best effort: best effort");
    is(fa_cube_of(&qos_video), FA_CUBE_BE, "video: best effort (one tree for all cubes)");
    is(fa_cube_of(&qos_voice), FA_CUBE_BE, "voice: best effort");
    is(fa_cube_of(&qos_data), FA_CUBE_BE, "data: best effort");
}

static void test_ece(void)
{
    is(fa_ece_level(0, 0), 0, "no marks: level 0");
    is(fa_ece_level(0, 10), 0, "marked at level 0: level 0");
    is(fa_ece_level(10, 0), 0, "no packet marked: level 0");
    is(fa_ece_level(3, 1), 3, "one mark: its level");
    is(fa_ece_level(3, 7), 21, "marks add up");
    is(fa_ece_level(255, 256), 65280, "255 x 256");
    is(fa_ece_level(255, 1000), UINT16_MAX, "capped at UINT16_MAX");
    is(fa_ece_level(1000, 1), 255, "a level above 255 counts as 255");
    is(fa_ece_level(UINT32_MAX, UINT32_MAX), UINT16_MAX, "no overflow");
}

int main(void)
{
    test_cube();
    test_ece();
    return done();
}
