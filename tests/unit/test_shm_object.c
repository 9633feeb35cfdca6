/*
 * test_shm_object.c - shm objects: create, exact mode, attach, unlink.
 */
#include "shm_object.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char name[64];
    void *a = NULL, *b = NULL;
    size_t len = 0;
    struct stat st;
    int fd;

    plan(9);
    snprintf(name, sizeof(name), "/ourobus.test-%d.obj", (int)getpid());
    umask(022);
    is(shm_object_create(name, 10000, 0660, &a), 0, "create a 10000-byte object");
    fd = shm_open(name, O_RDONLY, 0);
    ok(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0660,
       "its mode is exactly 0660 despite the umask");
    close(fd);
    ok(((unsigned char *)a)[9999] == 0, "zero-filled");
    is(shm_object_create(name, 10000, 0660, &b), -EEXIST, "a second create: -EEXIST");
    is(shm_object_attach(name, &b, &len), 0, "attach it");
    is(len, 10000, "attach sees its size");
    ((char *)a)[5] = 'x';
    ok(((char *)b)[5] == 'x', "both mappings share memory");
    is(shm_object_unlink(name), 0, "unlink");
    is(shm_object_attach(name, &b, &len), -ENOENT, "gone: -ENOENT");
    shm_object_unmap(a, 10000);
    return done();
}
