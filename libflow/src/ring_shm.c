/*
 * ring_shm.c - flow rings in shared-memory objects.
 */
#include "ring_shm.h"

#include "shm_object.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ring_shm_name(const struct run_folder *rf, uint32_t flow_id, int dir, char *buf, size_t len)
{
    char obj[32];

    snprintf(obj, sizeof(obj), "f%u.%d", flow_id, dir);
    return run_folder_shm_name(rf, obj, buf, len);
}

int ring_shm_create(struct ring_map *m, const char *name, uint32_t slots, uint32_t tag,
                    mode_t mode)
{
    size_t len = ring_size(slots);
    void *base;
    int err;

    if (!ring_slots_ok(slots))
        return -EINVAL;
    err = shm_object_create(name, len, mode, &base);
    if (err < 0)
        return err;
    err = ring_init(base, slots, tag);
    if (err < 0) {
        shm_object_unmap(base, len);
        shm_object_unlink(name);
        return err;
    }
    m->ring = base;
    m->len = len;
    return 0;
}

int ring_shm_attach(struct ring_map *m, const char *name)
{
    size_t len;
    void *base;
    int err;

    err = shm_object_attach(name, &base, &len);
    if (err < 0)
        return err;
    if (ring_check(base, len) < 0) {
        shm_object_unmap(base, len);
        return -EPROTO;
    }
    m->ring = base;
    m->len = len;
    return 0;
}

void ring_shm_detach(struct ring_map *m)
{
    if (m->ring != NULL)
        shm_object_unmap(m->ring, m->len);
    m->ring = NULL;
    m->len = 0;
}
