/*
 * bus_frame.h - the frames of a control-bus message: encode, decode and
 * validate the header frame, and parse or build a whole multipart message.
 */
#ifndef OUROBUS_BUS_FRAME_H
#define OUROBUS_BUS_FRAME_H

#include "bus.pb.h"

#include <czmq.h>
#include <pb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUS_IDENTITY_MAX 255   /* ZeroMQ's limit on a routing id */
#define BUS_TOPIC_MAX    64    /* an event's topic frame */
#define BUS_BODY_MAX     65535 /* every control message stays < 64 kB */
#define BUS_HEADER_MAX   BUS_HEADER_SIZE
#define BUS_FRAME_LIMIT  (1 << 20) /* libzmq drops a peer that sends more */

/* ZMTP heartbeats on every bus socket: a peer silent for the timeout is
 * dropped and reconnected. */
#define BUS_HEARTBEAT_IVL_MS     1000
#define BUS_HEARTBEAT_TIMEOUT_MS 3000

/* Which side of the bus a message was received on (its frame shape). */
enum bus_shape {
    BUS_SHAPE_REQUEST, /* a ROUTER got [identity][empty][header][body] */
    BUS_SHAPE_REPLY,   /* a DEALER got [empty][header][body] */
    BUS_SHAPE_EVENT,   /* a SUB got [topic][header][body] */
};

/* A view of some bytes, e.g. one frame of a message. */
struct bus_part {
    const uint8_t *data;
    size_t size;
};

/* A parsed message. Parts point into the message: keep it alive. */
struct bus_frame {
    bus_header_t hdr;
    bool has_hdr;             /* hdr decoded (even if the message is refused) */
    struct bus_part identity; /* requests: the client's routing id */
    struct bus_part topic;    /* events */
    struct bus_part body;
};

/* The version every header carries (proto/proto_version.c). */
int ourobus_proto_version(void);

/* A header of this kind, from a sender with this epoch, version set. */
void bus_header_init(bus_header_t *h, bus_kind_t kind, uint64_t epoch);

/* Encode h into buf: its length, or -EMSGSIZE. */
int bus_header_encode(const bus_header_t *h, uint8_t *buf, size_t cap);

/* Decode a header frame: 0, -EMSGSIZE (too long) or -EBADMSG. */
int bus_header_decode(bus_header_t *h, const uint8_t *buf, size_t len);

/* 0 if h is of this version and kind; -EPROTONOSUPPORT for another
 * version, -EPROTO for another kind. */
int bus_header_check(const bus_header_t *h, bus_kind_t kind);

/* Parse n frames of the given shape into f. 0, or -EPROTO (wrong frame
 * count, delimiter, identity or topic; wrong kind), -EMSGSIZE (header or
 * body too long), -EBADMSG (header not a bus_header), -EPROTONOSUPPORT.
 * Whatever could be parsed before the error is left in f (identity, hdr). */
int bus_frame_parse(struct bus_frame *f, enum bus_shape shape, const struct bus_part *parts,
                    size_t n);

/* bus_frame_parse on the frames of msg (which keeps ownership). */
int bus_frame_parse_msg(struct bus_frame *f, enum bus_shape shape, zmsg_t *msg);

/* Send n frames as one message, without blocking. sock is a zsock_t or a
 * libzmq socket. 0, or -errno of zmq_send (-EAGAIN: the queue is full,
 * -EHOSTUNREACH: no such peer on a mandatory ROUTER). */
int bus_frame_send_parts(void *sock, const struct bus_part *parts, size_t n);

/* Send [empty][header][body], as a DEALER sends a request. */
int bus_frame_send_request(void *sock, const bus_header_t *h, const void *body, size_t len);

/* Send [identity][empty][header][body], as a ROUTER sends a reply. */
int bus_frame_send_reply(void *sock, const struct bus_part *identity, const bus_header_t *h,
                         const void *body, size_t len);

/* Send [topic][header][body], as a PUB sends an event. -EINVAL for a bad
 * topic. */
int bus_frame_send_event(void *sock, const char *topic, const bus_header_t *h, const void *body,
                         size_t len);

/* Encode a nanopb message into buf: its length, or -EMSGSIZE. */
int bus_body_encode(uint8_t *buf, size_t cap, const pb_msgdesc_t *fields, const void *msg);

/* Decode a body into a nanopb message: 0 or -EBADMSG. */
int bus_body_decode(const struct bus_part *body, const pb_msgdesc_t *fields, void *msg);

/* CLOCK_REALTIME in ms: the clock of sent_ms, shared by the processes of a
 * host (the monotonic clock of another process may be in another time
 * namespace). */
uint64_t bus_realtime_ms(void);

#endif
