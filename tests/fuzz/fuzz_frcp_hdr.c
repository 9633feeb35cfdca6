/*
 * fuzz_frcp_hdr.c - libFuzzer target for FRCP: the header codec, and a
 * receiver (which also sends, so acks meet a sender state) fed arbitrary
 * packets at arbitrary times. Never a crash; a decoded header re-encodes to
 * the same bytes; every reference FRCP takes comes back exactly once.
 *
 * Input: [mode] then records of [dt ms][len][len bytes]; mode bit 0 picks
 * a reliable flow, bit 1 sends data first.
 */
#include "frcp.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

#define MAXREF 512

struct ctx {
    uint8_t owned[MAXREF]; /* 1 while FRCP holds the ref */
};

static void op_tx(void *c, const uint8_t *hdr, size_t hdr_len, uint64_t ref, size_t len)
{
    struct frcp_hdr h;

    (void)c;
    (void)len;
    CHECK(frcp_hdr_decode(&h, hdr, hdr_len) == (int)hdr_len);
    CHECK(ref == FRCP_NOREF || ref < MAXREF);
}

static void give_back(struct ctx *x, uint64_t ref)
{
    CHECK(ref < MAXREF && x->owned[ref]);
    x->owned[ref] = 0;
}

static void op_deliver(void *c, uint64_t ref, size_t off, size_t len)
{
    (void)off;
    (void)len;
    give_back(c, ref);
}

static void op_release(void *c, uint64_t ref)
{
    give_back(c, ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct frcp_ops ops = {op_tx, op_deliver, op_release};
    struct ctx x;
    struct frcp_cfg cfg;
    struct frcp_hdr h;
    struct frcp *f;
    uint8_t buf[FRCP_HDR_MAX];
    uint64_t now = 1000000000ull;
    uint64_t ref = 0;
    size_t at = 1;
    int n;

    n = frcp_hdr_decode(&h, data, size);
    if (n > 0) {
        CHECK(frcp_hdr_encode(&h, buf, sizeof(buf)) == n);
        CHECK(memcmp(buf, data, (size_t)n) == 0);
    } else {
        CHECK(n == -EBADMSG || n == -EPROTO);
    }
    if (size < 1)
        return 0;

    memset(&x, 0, sizeof(x));
    frcp_cfg_default(&cfg, data[0] & 1);
    cfg.seed = 1;
    cfg.isn = 1000;
    cfg.keepalive_ns = 5000000000ull;
    f = frcp_new(&cfg, &ops, &x, now);
    CHECK(f != NULL);
    if (data[0] & 2) {
        for (int i = 0; i < 80 && ref < MAXREF; i++) {
            x.owned[ref] = cfg.reliable;
            if (frcp_send(f, now, ref, 100, buf, sizeof(buf)) < 0) {
                x.owned[ref] = 0;
                break;
            }
            ref++;
        }
    }
    while (at + 2 <= size && ref < MAXREF) {
        size_t len = data[at + 1];
        int r;

        now += (uint64_t)data[at] * 1000000ull;
        at += 2;
        if (len > size - at)
            len = size - at;
        x.owned[ref] = 1;
        r = frcp_recv(f, now, data + at, len, ref);
        CHECK(r == 0 || r == 1 || r == -EBADMSG || r == -EPROTO);
        if (r != 1)
            x.owned[ref] = 0;
        ref++;
        at += len;
        CHECK(frcp_rx_held(f) <= FRCP_RQ_SIZE);
        if (frcp_next_deadline(f) <= now)
            frcp_tick(f, now);
        if (data[at - 1] & 1)
            frcp_consumed(f, now, 3);
    }
    frcp_destroy(&f);
    CHECK(f == NULL);
    /* Delivered refs became the application's; the rest came back. */
    for (size_t i = 0; i < MAXREF; i++)
        CHECK(x.owned[i] == 0);
    return 0;
}
