/*
 * enroll.h - the enrollment protocol of a unicast layer over a fresh N-1
 * flow (enroll_msg.h): the new member's side (request, response with the
 * layer's config and its address, acknowledgement) and the member's side,
 * which picks an address no member it knows holds.
 */
#ifndef OUROBUS_ENROLL_H
#define OUROBUS_ENROLL_H

#include "routing.h"

#include <stddef.h>
#include <stdint.h>

/* Join the layer through dst (an IPCP name or a layer name of the layers
 * below): conf gets the layer's config, r->enroll_addr the address
 * assigned. 0 or -errno (-ETIMEDOUT, -EPROTO, the enroller's refusal). */
int enroll_join(struct routing *r, const char *dst, struct ipcp_config *conf, int timeout_ms);

/* Answer the enrollment request req (len bytes) that opened flow fd. */
void enroll_serve(struct routing *r, int fd, const uint8_t *req, size_t len);

#endif
