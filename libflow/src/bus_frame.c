/*
 * bus_frame.c - encode, decode and validate control-bus messages. Every byte
 * here comes from another process: refuse anything malformed, never crash.
 */
#include "bus_frame.h"

#include <assert.h>
#include <errno.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <string.h>
#include <time.h>

void bus_header_init(bus_header_t *h, bus_kind_t kind, uint64_t epoch)
{
    assert(h);

    *h = (bus_header_t)BUS_HEADER_INIT_ZERO;
    h->version = (uint32_t)ourobus_proto_version();
    h->kind = kind;
    h->epoch = epoch;
}

int bus_header_encode(const bus_header_t *h, uint8_t *buf, size_t cap)
{
    pb_ostream_t os;

    assert(h);
    assert(buf);

    os = pb_ostream_from_buffer(buf, cap);
    if (!pb_encode(&os, BUS_HEADER_FIELDS, h))
        return -EMSGSIZE;
    return (int)os.bytes_written;
}

int bus_header_decode(bus_header_t *h, const uint8_t *buf, size_t len)
{
    pb_istream_t is;

    assert(h);
    assert(buf || len == 0);

    *h = (bus_header_t)BUS_HEADER_INIT_ZERO;
    /* Unknown fields are skipped (a newer peer may add some), but a header
     * never needs more than the largest one we could encode plus slack. */
    if (len > 2 * BUS_HEADER_MAX)
        return -EMSGSIZE;
    is = pb_istream_from_buffer(buf, len);
    if (!pb_decode(&is, BUS_HEADER_FIELDS, h))
        return -EBADMSG;
    return 0;
}

int bus_header_check(const bus_header_t *h, bus_kind_t kind)
{
    assert(h);

    if (h->version != (uint32_t)ourobus_proto_version())
        return -EPROTONOSUPPORT;
    if (h->kind != kind)
        return -EPROTO;
    return 0;
}

static bool topic_valid(const struct bus_part *p)
{
    if (p->size == 0 || p->size > BUS_TOPIC_MAX)
        return false;
    return memchr(p->data, '\0', p->size) == NULL;
}

/*
 * The shapes of a message, frame by frame:
 *
 *   request as a DEALER sends it    as the ROUTER receives it
 *                                   +-------------------+
 *                                   | client identity   | 1..255 bytes
 *   +-------------------+           +-------------------+
 *   | (empty)           |           | (empty)           | delimiter
 *   +-------------------+           +-------------------+
 *   | header            |           | header            | bus_header
 *   +-------------------+           +-------------------+
 *   | body              |           | body              | 0..65535 bytes
 *   +-------------------+           +-------------------+
 *
 *   reply: the same, in the other direction (ROUTER sends the identity).
 *
 *   event, as a PUB sends it and a SUB receives it
 *   +-------------------+
 *   | topic             | 1..64 bytes, no NUL, e.g. "flow.alloc"
 *   +-------------------+
 *   | header            | bus_header
 *   +-------------------+
 *   | body              | 0..65535 bytes
 *   +-------------------+
 */
int bus_frame_parse(struct bus_frame *f, enum bus_shape shape, const struct bus_part *parts,
                    size_t n)
{
    static const bus_kind_t kinds[] = {
        [BUS_SHAPE_REQUEST] = BUS_KIND_REQUEST,
        [BUS_SHAPE_REPLY] = BUS_KIND_REPLY,
        [BUS_SHAPE_EVENT] = BUS_KIND_EVENT,
    };
    const struct bus_part *hdr;
    size_t want = shape == BUS_SHAPE_REQUEST ? 4 : 3;
    size_t i = 0;
    int err;

    assert(f);
    assert(parts || n == 0);
    assert(shape == BUS_SHAPE_REQUEST || shape == BUS_SHAPE_REPLY || shape == BUS_SHAPE_EVENT);

    memset(f, 0, sizeof(*f));
    if (shape == BUS_SHAPE_REQUEST) {
        if (n < 1 || parts[0].size == 0 || parts[0].size > BUS_IDENTITY_MAX)
            return -EPROTO;
        f->identity = parts[i++];
    } else if (shape == BUS_SHAPE_EVENT) {
        if (n < 1 || !topic_valid(&parts[0]))
            return -EPROTO;
        f->topic = parts[i++];
    }
    if (shape != BUS_SHAPE_EVENT && (n <= i || parts[i++].size != 0))
        return -EPROTO;
    if (n <= i)
        return -EPROTO;

    /* The header is decoded even if frames are missing or extra, so that
     * the error reply can name the request. */
    hdr = &parts[i++];
    err = bus_header_decode(&f->hdr, hdr->data, hdr->size);
    if (err < 0)
        return err;
    f->has_hdr = true;
    if (n != want)
        return -EPROTO;
    err = bus_header_check(&f->hdr, kinds[shape]);
    if (err < 0)
        return err;

    if (parts[i].size > BUS_BODY_MAX)
        return -EMSGSIZE;
    f->body = parts[i];
    return 0;
}

int bus_frame_parse_msg(struct bus_frame *f, enum bus_shape shape, zmsg_t *msg)
{
    struct bus_part parts[5];
    size_t n = 0;

    assert(f);
    assert(msg);

    /* One more slot than any shape needs, so an extra frame is seen. */
    for (zframe_t *fr = zmsg_first(msg); fr != NULL && n < 5; fr = zmsg_next(msg)) {
        parts[n].data = zframe_data(fr);
        parts[n].size = zframe_size(fr);
        n++;
    }
    return bus_frame_parse(f, shape, parts, n);
}

int bus_frame_send_parts(void *sock, const struct bus_part *parts, size_t n)
{
    void *handle;

    assert(sock);
    assert(parts || n == 0);

    handle = zsock_resolve(sock);
    for (size_t i = 0; i < n; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);

        /* Once the first frame is queued, libzmq takes the rest: a message
         * is never cut in two. */
        if (zmq_send(handle, parts[i].data, parts[i].size, flags) < 0)
            return -errno;
    }
    return 0;
}

/* Fill parts[0..2] with [header][body]; hbuf holds the encoded header. */
static int header_body_parts(struct bus_part *parts, uint8_t *hbuf, const bus_header_t *h,
                             const void *body, size_t len)
{
    int n;

    if (len > BUS_BODY_MAX)
        return -EMSGSIZE;
    n = bus_header_encode(h, hbuf, BUS_HEADER_MAX);
    if (n < 0)
        return n;
    parts[0] = (struct bus_part){hbuf, (size_t)n};
    parts[1] = (struct bus_part){body, len};
    return 0;
}

int bus_frame_send_request(void *sock, const bus_header_t *h, const void *body, size_t len)
{
    uint8_t hbuf[BUS_HEADER_MAX];
    struct bus_part parts[3] = {{NULL, 0}};
    int err;

    assert(sock);
    assert(h);
    assert(body || len == 0);

    err = header_body_parts(&parts[1], hbuf, h, body, len);
    if (err < 0)
        return err;
    return bus_frame_send_parts(sock, parts, 3);
}

int bus_frame_send_reply(void *sock, const struct bus_part *identity, const bus_header_t *h,
                         const void *body, size_t len)
{
    uint8_t hbuf[BUS_HEADER_MAX];
    struct bus_part parts[4] = {{NULL, 0}};
    int err;

    assert(sock);
    assert(identity);
    assert(h);
    assert(body || len == 0);

    parts[0] = *identity;
    err = header_body_parts(&parts[2], hbuf, h, body, len);
    if (err < 0)
        return err;
    return bus_frame_send_parts(sock, parts, 4);
}

int bus_frame_send_event(void *sock, const char *topic, const bus_header_t *h, const void *body,
                         size_t len)
{
    uint8_t hbuf[BUS_HEADER_MAX];
    struct bus_part parts[3];
    int err;

    assert(sock);
    assert(topic);
    assert(h);
    assert(body || len == 0);

    parts[0] = (struct bus_part){(const uint8_t *)topic, strlen(topic)};
    if (!topic_valid(&parts[0]))
        return -EINVAL;
    err = header_body_parts(&parts[1], hbuf, h, body, len);
    if (err < 0)
        return err;
    return bus_frame_send_parts(sock, parts, 3);
}

int bus_body_encode(uint8_t *buf, size_t cap, const pb_msgdesc_t *fields, const void *msg)
{
    pb_ostream_t os;

    assert(buf || cap == 0);
    assert(fields);
    assert(msg);

    os = pb_ostream_from_buffer(buf, cap);
    if (!pb_encode(&os, fields, msg))
        return -EMSGSIZE;
    return (int)os.bytes_written;
}

int bus_body_decode(const struct bus_part *body, const pb_msgdesc_t *fields, void *msg)
{
    pb_istream_t is;

    assert(body);
    assert(fields);
    assert(msg);

    is = pb_istream_from_buffer(body->data, body->size);
    return pb_decode(&is, fields, msg) ? 0 : -EBADMSG;
}

uint64_t bus_realtime_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
