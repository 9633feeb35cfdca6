/*
 * shm_object.h - create, map and remove the POSIX shared-memory objects of a
 * node (the packet pool, rings, event queues).
 */
#ifndef OUROBUS_SHM_OBJECT_H
#define OUROBUS_SHM_OBJECT_H

#include <stddef.h>
#include <sys/types.h>

/* Create object name of len bytes with exactly mode (no umask) and map it
 * shared, zero-filled. -EEXIST if it exists, else -errno. */
int shm_object_create(const char *name, size_t len, mode_t mode, void **addr);

/* Map an existing object whole; its size in *len. -ENOENT, -EACCES, ... */
int shm_object_attach(const char *name, void **addr, size_t *len);

void shm_object_unmap(void *addr, size_t len);

/* Remove the name (mappings stay valid). 0 or -errno. */
int shm_object_unlink(const char *name);

#endif
