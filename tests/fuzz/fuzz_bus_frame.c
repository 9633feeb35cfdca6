/*
 * fuzz_bus_frame.c - libFuzzer target for the bus frame parser: any bytes,
 * cut into frames, must be parsed or refused, never crash.
 *
 * Input: [shape][len lo][len hi][frame]...[len lo][len hi][frame], at most
 * 6 frames; a length past the end takes what is left.
 */
#include "bus_frame.h"
#include "bustest.pb.h"
#include "log.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Checked in every build (NDEBUG removes assert). */
#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum bus_shape shapes[] = {BUS_SHAPE_REQUEST, BUS_SHAPE_REPLY,
                                            BUS_SHAPE_EVENT};
    struct bus_part parts[6];
    struct bus_frame f;
    bus_header_t h;
    size_t n = 0;
    size_t at = 1;
    int err;

    if (size < 1)
        return 0;
    while (at < size && n < 6) {
        size_t len = data[at];

        if (at + 1 < size)
            len |= (size_t)data[at + 1] << 8;
        at += 2;
        if (at > size)
            at = size;
        if (len > size - at)
            len = size - at;
        parts[n++] = (struct bus_part){data + at, len};
        at += len;
    }

    err = bus_frame_parse(&f, shapes[data[0] % 3], parts, n);
    if (err == 0) {
        uint8_t buf[BUS_HEADER_MAX];
        bus_header_t d;
        bustest_echo_t e;
        int len = bus_header_encode(&f.hdr, buf, sizeof(buf));

        /* What parsed must survive a round trip. */
        CHECK(len >= 0);
        CHECK(bus_header_decode(&d, buf, (size_t)len) == 0);
        CHECK(d.version == f.hdr.version && d.kind == f.hdr.kind &&
              d.request_id == f.hdr.request_id && d.method == f.hdr.method &&
              d.epoch == f.hdr.epoch && d.timeout_ms == f.hdr.timeout_ms &&
              d.sent_ms == f.hdr.sent_ms && d.status == f.hdr.status && d.seq == f.hdr.seq);
        CHECK(f.body.size <= BUS_BODY_MAX);
        bus_body_decode(&f.body, BUSTEST_ECHO_FIELDS, &e);
    } else {
        CHECK(err == -EPROTO || err == -EBADMSG || err == -EMSGSIZE || err == -EPROTONOSUPPORT);
    }
    if (bus_header_decode(&h, data, size) == 0)
        bus_header_check(&h, BUS_KIND_REQUEST);
    return 0;
}
