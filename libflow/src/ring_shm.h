/*
 * ring_shm.h - the rings of a flow as shm objects: ring 0 carries the
 * packets of end 0 (the end that allocated the flow) to end 1, ring 1 the
 * other way. The IRM daemon creates them; each end attaches by name.
 */
#ifndef OUROBUS_RING_SHM_H
#define OUROBUS_RING_SHM_H

#include "ring.h"
#include "run_folder.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FLOW_ID_MAX ((1u << 22) - 1) /* flow ids fit an event (event_queue.h) */

struct ring_map {
    struct ring *ring;
    size_t len;
};

/* "<shm prefix>f<flow_id>.<dir>" */
int ring_shm_name(const struct run_folder *rf, uint32_t flow_id, int dir, char *buf,
                  size_t len);

/* The owner tag of blocks in flight in ring dir of a flow (pool.h). */
static inline uint32_t ring_shm_tag(uint32_t flow_id, int dir)
{
    return flow_id * 2 + (uint32_t)dir;
}

int ring_shm_create(struct ring_map *m, const char *name, uint32_t slots, uint32_t tag,
                    mode_t mode);

/* Map an existing ring; its layout is checked (-EPROTO). */
int ring_shm_attach(struct ring_map *m, const char *name);

void ring_shm_detach(struct ring_map *m);

#endif
