/*
 * test_routing_np1_blob.c - the record of an N+1 flow's binding that the
 * IRM daemon keeps for a restarted routing: its bytes, the round trip, and
 * every record a restart must refuse.
 */
#include "np1.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

int main(void)
{
    const struct np1_binding b = {.local_eid = UINT64_C(0x1112131415161718),
                                  .peer_addr = 42,
                                  .peer_eid = UINT64_C(0x2122232425262728),
                                  .cube = QOS_CUBE_VOICE};
    uint8_t blob[NP1_BLOB_LEN];
    struct np1_binding c;

    plan(11);
    np1_blob_encode(&b, blob);
    is(blob[0], 1, "version 1");
    ok(blob[1] == 0x11 && blob[8] == 0x18, "the local endpoint id, big-endian");
    ok(blob[16] == 42 && blob[9] == 0, "the peer's address");
    is(blob[25], QOS_CUBE_VOICE, "the cube last");
    is(np1_blob_decode(blob, sizeof(blob), &c), 0, "decodes");
    ok(memcmp(&b, &c, sizeof(b)) == 0 ||
           (c.local_eid == b.local_eid && c.peer_addr == b.peer_addr &&
            c.peer_eid == b.peer_eid && c.cube == b.cube),
       "the same binding back");
    is(np1_blob_decode(blob, sizeof(blob) - 1, &c), -EINVAL, "a short record is refused");
    blob[0] = 2;
    is(np1_blob_decode(blob, sizeof(blob), &c), -EINVAL, "another version is refused");
    blob[0] = 1;
    blob[25] = QOS_CUBE_MAX;
    is(np1_blob_decode(blob, sizeof(blob), &c), -EINVAL, "an unknown cube is refused");
    blob[25] = 0;
    memset(blob + 9, 0, 8);
    is(np1_blob_decode(blob, sizeof(blob), &c), -EINVAL, "peer address 0 is refused");
    memset(blob + 1, 0xff, 8);
    is(np1_blob_decode(blob, sizeof(blob), &c), -EINVAL, "a tombstone endpoint id is refused");
    return done();
}
