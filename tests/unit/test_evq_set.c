/*
 * test_evq_set.c - a process's event queues in one shm object, and the flow
 * rings as shm objects: create, attach with checks, post across mappings.
 */
#include "evq_set.h"
#include "ring_shm.h"
#include "shm_object.h"
#include "tap.h"

#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char name[64], rname[64];
    struct evq_set a, b;
    struct ring_map r1, r2;
    struct evq_event ev;
    struct run_folder rf = {.shm_prefix = ""};
    uint64_t off;
    void *junk;

    plan(14);
    snprintf(name, sizeof(name), "/ourobus.test-%d.evq", (int)getpid());
    is(evq_set_create(&a, name, 4, 64, 0600, getpid()), 0, "create a set of 4 queues");
    is(evq_set_create(&b, name, 4, 64, 0600, getpid()), -EEXIST, "it exists: -EEXIST");
    is(evq_set_attach(&b, name), 0, "attach it elsewhere");
    ok(b.count == 4 && b.slots == 64, "with its geometry");
    ok(evq_set_queue(&b, 4) == NULL && evq_set_queue(&b, 3) != NULL, "queues 0..3 only");
    evq_post(evq_set_queue(&a, 2), 77, EVQ_FLOW_PKT);
    ok(evq_next(evq_set_queue(&b, 2), &ev) == 1 && ev.flow == 77,
       "a post shows in the other mapping");
    ok(evq_next(evq_set_queue(&b, 1), &ev) == 0, "and in that queue only");
    evq_set_detach(&b);
    evq_set_detach(&a);
    shm_object_unlink(name);
    shm_object_create(name, 4096, 0600, &junk);
    shm_object_unmap(junk, 4096);
    is(evq_set_attach(&b, name), -EPROTO, "something else under that name: -EPROTO");
    shm_object_unlink(name);

    snprintf(rf.shm_prefix, sizeof(rf.shm_prefix), "/ourobus.test-%d.", (int)getpid());
    is(ring_shm_name(&rf, 42, 1, rname, sizeof(rname)), 0, "a ring name");
    ok(strstr(rname, "f42.1") != NULL, "names flow and direction (%s)", rname);
    is(ring_shm_create(&r1, rname, 6, 5, 0600), -EINVAL, "6 slots: -EINVAL");
    is(ring_shm_create(&r1, rname, 16, ring_shm_tag(42, 1), 0600), 0, "create it");
    ok(ring_shm_attach(&r2, rname) == 0 && r2.ring->tag == 85, "attach: same ring, tag 42*2+1");
    ring_push(r1.ring, 0x4000);
    ok(ring_pop(r2.ring, &off) == 0 && off == 0x4000, "an offset crosses the mappings");
    ring_shm_detach(&r1);
    ring_shm_detach(&r2);
    shm_object_unlink(rname);
    return done();
}
