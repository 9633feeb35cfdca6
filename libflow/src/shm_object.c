/*
 * shm_object.c - POSIX shm objects mapped whole, read-write and shared.
 */
#include "shm_object.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int shm_object_create(const char *name, size_t len, mode_t mode, void **addr)
{
    void *a;
    int fd;
    int err;

    fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return -errno;
    if (fchmod(fd, mode) < 0 || ftruncate(fd, (off_t)len) < 0)
        goto fail;
    a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (a == MAP_FAILED)
        goto fail;
    close(fd);
    *addr = a;
    return 0;
fail:
    err = -errno;
    close(fd);
    shm_unlink(name);
    return err;
}

int shm_object_attach(const char *name, void **addr, size_t *len)
{
    struct stat st;
    void *a;
    int fd;
    int err;

    fd = shm_open(name, O_RDWR, 0);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0)
        goto fail;
    if (st.st_size <= 0) {
        close(fd);
        return -EPROTO;
    }
    a = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (a == MAP_FAILED)
        goto fail;
    close(fd);
    *addr = a;
    *len = (size_t)st.st_size;
    return 0;
fail:
    err = -errno;
    close(fd);
    return err;
}

void shm_object_unmap(void *addr, size_t len)
{
    if (addr != NULL)
        munmap(addr, len);
}

int shm_object_unlink(const char *name)
{
    return shm_unlink(name) < 0 ? -errno : 0;
}
