/*
 * test_bus_frame.c - the bus header and frame shapes: round trips, through
 * real (inproc) sockets too, and every malformed shape refused.
 */
#include "bus_frame.h"
#include "bustest.pb.h"
#include "tap.h"

#include <errno.h>

static int hdr_bytes(bus_header_t *h, uint8_t *buf)
{
    return bus_header_encode(h, buf, BUS_HEADER_MAX);
}

static void test_header(void)
{
    bus_header_t h;
    bus_header_t d;
    uint8_t buf[BUS_HEADER_MAX];
    uint8_t small[4];
    int n;

    bus_header_init(&h, BUS_KIND_REPLY, 0xfedcba9876543210ull);
    h.request_id = UINT64_MAX;
    h.method = 77;
    h.timeout_ms = 1234;
    h.sent_ms = 1700000000123ull;
    h.status = -EPROTO;
    h.seq = 99;
    n = hdr_bytes(&h, buf);
    ok(n > 0 && n <= BUS_HEADER_MAX, "header encodes (%d bytes)", n);
    is(bus_header_decode(&d, buf, (size_t)n), 0, "header decodes");
    ok(d.version == (uint32_t)ourobus_proto_version() && d.kind == BUS_KIND_REPLY &&
           d.request_id == UINT64_MAX && d.method == 77 && d.epoch == 0xfedcba9876543210ull &&
           d.timeout_ms == 1234 && d.sent_ms == 1700000000123ull && d.status == -EPROTO &&
           d.seq == 99,
       "every field survives the round trip");
    is(bus_header_check(&d, BUS_KIND_REPLY), 0, "version and kind check");
    is(bus_header_check(&d, BUS_KIND_REQUEST), -EPROTO, "another kind refused");
    d.version = 999;
    is(bus_header_check(&d, BUS_KIND_REPLY), -EPROTONOSUPPORT, "another version refused");
    is(bus_header_encode(&h, small, sizeof(small)), -EMSGSIZE, "encode into a small buffer");
    is(bus_header_decode(&d, buf, (size_t)n - 1), -EBADMSG, "truncated header refused");
    is(bus_header_decode(&d, (const uint8_t *)"\xff\xff\xff", 3), -EBADMSG,
       "unterminated varint refused");
    is(bus_header_decode(&d, (const uint8_t *)"\x0f", 1), -EBADMSG, "bad wire type refused");
    {
        uint8_t big[4 * BUS_HEADER_MAX] = {0};
        is(bus_header_decode(&d, big, sizeof(big)), -EMSGSIZE, "oversize header refused");
    }
    {
        /* field 15, varint 1: unknown to us, skipped (a newer peer) */
        uint8_t ext[BUS_HEADER_MAX + 2];
        memcpy(ext, buf, (size_t)n);
        ext[n] = 15 << 3;
        ext[n + 1] = 1;
        ok(bus_header_decode(&d, ext, (size_t)n + 2) == 0 && d.method == 77,
           "unknown field skipped");
    }
    is(bus_header_decode(&d, NULL, 0), 0, "empty header decodes (all zero)...");
    is(bus_header_check(&d, BUS_KIND_REQUEST), -EPROTONOSUPPORT, "...and is refused");
}

/* Parts of a request: [identity][empty][header][body]. */
static size_t request_parts(struct bus_part *p, uint8_t *hbuf, bus_kind_t kind)
{
    bus_header_t h;
    int n;

    bus_header_init(&h, kind, 42);
    h.request_id = 7;
    h.method = 3;
    n = hdr_bytes(&h, hbuf);
    p[0] = (struct bus_part){(const uint8_t *)"client/1", 8};
    p[1] = (struct bus_part){NULL, 0};
    p[2] = (struct bus_part){hbuf, (size_t)n};
    p[3] = (struct bus_part){(const uint8_t *)"body", 4};
    return 4;
}

static void test_request_shapes(void)
{
    static uint8_t huge[BUS_BODY_MAX + 1];
    static uint8_t long_id[BUS_IDENTITY_MAX + 1];
    struct bus_part p[5];
    struct bus_frame f;
    uint8_t hbuf[BUS_HEADER_MAX];
    size_t n = request_parts(p, hbuf, BUS_KIND_REQUEST);

    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, n), 0, "request parses");
    ok(f.identity.size == 8 && memcmp(f.identity.data, "client/1", 8) == 0 &&
           f.hdr.request_id == 7 && f.hdr.method == 3 && f.hdr.epoch == 42 &&
           f.body.size == 4 && memcmp(f.body.data, "body", 4) == 0,
       "identity, header and body seen");

    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, 0), -EPROTO, "no frame at all");
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, 3), -EPROTO, "missing body frame");
    ok(f.identity.size == 8, "identity known after a missing frame (reply possible)");
    p[4] = p[3];
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, 5), -EPROTO, "extra frame");

    p[1] = (struct bus_part){(const uint8_t *)"x", 1};
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, 4), -EPROTO, "non-empty delimiter");
    p[1] = (struct bus_part){NULL, 0};

    p[0] = (struct bus_part){NULL, 0};
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, 4), -EPROTO, "empty identity");
    p[0] = (struct bus_part){long_id, sizeof(long_id)};
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, 4), -EPROTO, "identity over 255 bytes");
    p[0] = (struct bus_part){(const uint8_t *)"client/1", 8};

    p[2] = (struct bus_part){(const uint8_t *)"\xff\xff", 2};
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, 4), -EBADMSG, "garbage header");
    ok(!f.has_hdr && f.identity.size == 8, "garbage header: identity kept, no header");

    n = request_parts(p, hbuf, BUS_KIND_REPLY);
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, n), -EPROTO, "a reply sent to a server");
    ok(f.has_hdr && f.hdr.request_id == 7, "its request id is known");

    n = request_parts(p, hbuf, BUS_KIND_NONE);
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, n), -EPROTO, "kind missing");

    n = request_parts(p, hbuf, BUS_KIND_REQUEST);
    p[3] = (struct bus_part){huge, sizeof(huge)};
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, n), -EMSGSIZE, "body over 65535 bytes");
    p[3] = (struct bus_part){huge, BUS_BODY_MAX};
    is(bus_frame_parse(&f, BUS_SHAPE_REQUEST, p, n), 0, "body of 65535 bytes accepted");
}

static void test_reply_event_shapes(void)
{
    struct bus_part p[4];
    struct bus_frame f;
    uint8_t hbuf[BUS_HEADER_MAX];
    bus_header_t h;
    int n;

    bus_header_init(&h, BUS_KIND_REPLY, 5);
    h.request_id = 9;
    h.status = -ENOENT;
    n = hdr_bytes(&h, hbuf);
    p[0] = (struct bus_part){NULL, 0};
    p[1] = (struct bus_part){hbuf, (size_t)n};
    p[2] = (struct bus_part){NULL, 0};
    is(bus_frame_parse(&f, BUS_SHAPE_REPLY, p, 3), 0, "reply parses");
    ok(f.hdr.status == -ENOENT && f.hdr.request_id == 9 && f.body.size == 0,
       "reply status and empty body");
    is(bus_frame_parse(&f, BUS_SHAPE_REPLY, &p[1], 2), -EPROTO, "reply without delimiter");
    is(bus_frame_parse(&f, BUS_SHAPE_EVENT, p, 3), -EPROTO, "a reply is not an event");

    bus_header_init(&h, BUS_KIND_EVENT, 5);
    h.seq = 12;
    n = hdr_bytes(&h, hbuf);
    p[0] = (struct bus_part){(const uint8_t *)"flow.up", 7};
    p[1] = (struct bus_part){hbuf, (size_t)n};
    p[2] = (struct bus_part){(const uint8_t *)"b", 1};
    is(bus_frame_parse(&f, BUS_SHAPE_EVENT, p, 3), 0, "event parses");
    ok(f.topic.size == 7 && f.hdr.seq == 12 && f.hdr.epoch == 5, "topic and sequence seen");
    p[0] = (struct bus_part){(const uint8_t *)"fl\0w", 4};
    is(bus_frame_parse(&f, BUS_SHAPE_EVENT, p, 3), -EPROTO, "topic with a NUL");
    p[0] = (struct bus_part){NULL, 0};
    is(bus_frame_parse(&f, BUS_SHAPE_EVENT, p, 3), -EPROTO, "empty topic");
    p[0] = (struct bus_part){(const uint8_t *)"flow.up", 7};
    is(bus_frame_parse(&f, BUS_SHAPE_EVENT, p, 2), -EPROTO, "event without body frame");
}

static void test_bodies(void)
{
    bustest_echo_t e = BUSTEST_ECHO_INIT_ZERO;
    bustest_echo_t d = BUSTEST_ECHO_INIT_ZERO;
    uint8_t buf[BUSTEST_ECHO_SIZE];
    struct bus_part b;
    int n;

    snprintf(e.text, sizeof(e.text), "hello");
    e.number = 314;
    n = bus_body_encode(buf, sizeof(buf), BUSTEST_ECHO_FIELDS, &e);
    ok(n > 0, "body encodes");
    b = (struct bus_part){buf, (size_t)n};
    ok(bus_body_decode(&b, BUSTEST_ECHO_FIELDS, &d) == 0 && d.number == 314 &&
           strcmp(d.text, "hello") == 0,
       "body round trip");
    is(bus_body_encode(buf, 3, BUSTEST_ECHO_FIELDS, &e), -EMSGSIZE, "body too big for buffer");
    b = (struct bus_part){(const uint8_t *)"\x0a\xff\x01zz", 5};
    is(bus_body_decode(&b, BUSTEST_ECHO_FIELDS, &d), -EBADMSG, "string longer than its frame");
}

/* The send functions, through an inproc DEALER -> ROUTER -> DEALER pair. */
static void test_sockets(void)
{
    zsock_t *router = zsock_new_router("@inproc://frame");
    zsock_t *dealer = zsock_new(ZMQ_DEALER);
    zsock_t *pub = zsock_new_pub("@inproc://frame-evt");
    zsock_t *sub = zsock_new_sub(">inproc://frame-evt", "");
    struct bus_frame f;
    bus_header_t h;
    zmsg_t *msg;
    zmsg_t *evt = NULL;

    zsock_set_identity(dealer, "me");
    zsock_connect(dealer, "inproc://frame");
    zsock_set_rcvtimeo(router, 2000);
    zsock_set_rcvtimeo(dealer, 2000);
    zsock_set_rcvtimeo(sub, 50);

    bus_header_init(&h, BUS_KIND_REQUEST, 11);
    h.request_id = 5;
    is(bus_frame_send_request(dealer, &h, "abc", 3), 0, "request sent");
    msg = zmsg_recv(router);
    ok(msg != NULL && bus_frame_parse_msg(&f, BUS_SHAPE_REQUEST, msg) == 0 &&
           f.identity.size == 2 && f.hdr.request_id == 5 && f.body.size == 3,
       "the ROUTER sees [identity][empty][header][body]");

    bus_header_init(&h, BUS_KIND_REPLY, 12);
    h.request_id = 5;
    h.status = 17;
    is(bus_frame_send_reply(router, &f.identity, &h, NULL, 0), 0, "reply sent");
    zmsg_destroy(&msg);
    msg = zmsg_recv(dealer);
    ok(msg != NULL && bus_frame_parse_msg(&f, BUS_SHAPE_REPLY, msg) == 0 &&
           f.hdr.status == 17 && f.hdr.epoch == 12,
       "the DEALER sees [empty][header][body]");
    zmsg_destroy(&msg);

    bus_header_init(&h, BUS_KIND_EVENT, 13);
    h.seq = 1;
    is(bus_frame_send_event(pub, "", &h, NULL, 0), -EINVAL, "event with empty topic refused");
    /* A SUB joins late: publish until one arrives. */
    for (int i = 0; i < 100 && evt == NULL; i++) {
        bus_frame_send_event(pub, "ipcp.up", &h, "x", 1);
        evt = zmsg_recv(sub);
    }
    ok(evt != NULL && bus_frame_parse_msg(&f, BUS_SHAPE_EVENT, evt) == 0 && f.topic.size == 7 &&
           f.hdr.seq == 1,
       "the SUB sees [topic][header][body]");
    zmsg_destroy(&evt);

    zsock_destroy(&sub);
    zsock_destroy(&pub);
    zsock_destroy(&dealer);
    zsock_destroy(&router);
}

int main(void)
{
    plan(49);
    test_header();
    test_request_shapes();
    test_reply_event_shapes();
    test_bodies();
    test_sockets();
    return done();
}
