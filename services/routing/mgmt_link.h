/*
 * mgmt_link.h - a companion's end of its management rings (mgmt.h): the
 * fa, the directory and test programs attach to the rings of their
 * reserved endpoint id on routing's bus (MGMT_ATTACH), send messages to an
 * address of the layer and read the messages routing delivers to them.
 *
 * One thread may send while another receives; each side of each ring is
 * used by one thread only.
 */
#ifndef OUROBUS_MGMT_LINK_H
#define OUROBUS_MGMT_LINK_H

#include "pool.h"
#include "ring_shm.h"

#include <stddef.h>
#include <stdint.h>

struct mgmt_link {
    struct pool *pool;
    struct ring_map tx, rx;
    uint64_t eid;
    uint64_t self;      /* the IPCP's address, 0 before its bootstrap */
    uint32_t addr_size; /* the layer's field widths, bytes (0 before) */
    uint32_t eid_size;
    uint32_t hash_len; /* bytes of the layer's name hashes (0 before) */
};

/* Ask routing of IPCP ipcp on node for the rings of eid (who names us on
 * the bus, e.g. "fa"), waiting at most timeout_ms, and map them: 0, or
 * -errno (-ETIMEDOUT: no routing; -EINVAL: not a companion eid). The
 * address is 0 when routing is not bootstrapped yet: call
 * mgmt_link_refresh until it is not. */
int mgmt_link_attach(struct mgmt_link *l, const char *node, const char *ipcp, uint64_t eid,
                     const char *who, int timeout_ms);

/* Ask routing again for the address and widths (the rings stay): 0 or
 * -errno. */
int mgmt_link_refresh(struct mgmt_link *l, const char *node, const char *ipcp, const char *who,
                      int timeout_ms);

/* Unmap the rings (they stay for the next run) and the pool. */
void mgmt_link_detach(struct mgmt_link *l);

/* Send len bytes to the companion of our eid at address dst: 0, or
 * -EAGAIN (the pool or the ring is full: try again later), -EMSGSIZE,
 * -EINVAL (dst 0). Never waits. */
int mgmt_link_send(struct mgmt_link *l, uint64_t dst, const void *buf, size_t len);

/* The next message delivered to us, copied into buf (cap bytes; longer
 * ones are cut and *len says their whole length), waiting until deadline
 * (ns, CLOCK_MONOTONIC as deadline.h; 0: do not wait): 0, or -ETIMEDOUT. */
int mgmt_link_recv(struct mgmt_link *l, void *buf, size_t cap, size_t *len, uint64_t deadline);

#endif
