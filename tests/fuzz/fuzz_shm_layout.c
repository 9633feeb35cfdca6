/*
 * fuzz_shm_layout.c - libFuzzer target for the checks that guard shared
 * memory written by other processes: a ring, an event queue and a pool
 * header, any bytes, must be refused or used without a stray access.
 *
 * Input: [kind][bytes...]; kind 0 = ring, 1 = event queue, 2 = pool header.
 */
#include "event_queue.h"
#include "pool_layout.h"
#include "ring.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_ring(uint8_t *mem, size_t len)
{
    struct ring *r = (struct ring *)mem;
    uint64_t offs[8];
    uint64_t off;

    if (ring_check(r, len) < 0)
        return;
    (void)ring_count(r);
    (void)ring_has_data(r);
    for (int i = 0; i < 4; i++)
        (void)ring_pop(r, &off);
    (void)ring_pop_burst(r, offs, 8);
    (void)ring_push(r, 0x1000);
}

static void try_evq(uint8_t *mem, size_t len)
{
    struct evq *q = (struct evq *)mem;
    struct evq_event ev;

    if (evq_check(q, len) < 0)
        return;
    for (int i = 0; i < 4; i++)
        (void)evq_next(q, &ev);
    (void)evq_post(q, 5, EVQ_FLOW_PKT);
    (void)evq_next(q, &ev);
}

/* The pool check reads the header only; the mapping's length is whatever
 * the header claims, so the fuzzer can reach configs whose layout matches. */
static void try_pool(const uint8_t *data, size_t size)
{
    struct pool_hdr *h = calloc(1, sizeof(*h));

    if (h == NULL)
        return;
    memcpy(h, data, size < sizeof(*h) ? size : sizeof(*h));
    (void)pool_layout_check(h, h->size >= sizeof(*h) ? (size_t)h->size : sizeof(*h));
    free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *mem;

    if (size < 1)
        return 0;
    if (data[0] % 3 == 2) {
        try_pool(data + 1, size - 1);
        return 0;
    }
    /* Rings and queues live at 64-byte aligned addresses. */
    mem = aligned_alloc(64, (size + 63) & ~(size_t)63);
    if (mem == NULL)
        return 0;
    memcpy(mem, data + 1, size - 1);
    if (data[0] % 3 == 0)
        try_ring(mem, size - 1);
    else
        try_evq(mem, size - 1);
    free(mem);
    return 0;
}
