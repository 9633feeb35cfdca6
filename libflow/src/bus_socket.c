/*
 * bus_socket.c - socket options of the bus, and removal of the ipc:// socket
 * files a clean shutdown would otherwise leave in the run folder.
 */
#include "bus_socket.h"

#include <assert.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bus_sock_set_options(zsock_t *sock)
{
    assert(sock);

    zsock_set_linger(sock, 0);
    zsock_set_heartbeat_ivl(sock, BUS_HEARTBEAT_IVL_MS);
    zsock_set_heartbeat_timeout(sock, BUS_HEARTBEAT_TIMEOUT_MS);
    zsock_set_heartbeat_ttl(sock, BUS_HEARTBEAT_TIMEOUT_MS);
}

void bus_ipc_file_note(struct bus_ipc_file *f, const char *endpoint)
{
    struct stat st;
    size_t n;

    assert(f);
    assert(endpoint);

    memset(f, 0, sizeof(*f));
    /* Abstract (@) sockets have no file. */
    if (strncmp(endpoint, "ipc://", 6) != 0 || endpoint[6] == '@')
        return;
    n = strlen(endpoint + 6);
    if (n >= sizeof(f->path))
        return;
    memcpy(f->path, endpoint + 6, n + 1);
    if (stat(f->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        f->dev = st.st_dev;
        f->ino = st.st_ino;
        f->ctime = st.st_ctim;
        f->bound = 1;
    }
}

void bus_ipc_file_remove(struct bus_ipc_file *f)
{
    struct stat st;

    assert(f);

    if (!f->bound)
        return;
    if (stat(f->path, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino &&
        st.st_ctim.tv_sec == f->ctime.tv_sec && st.st_ctim.tv_nsec == f->ctime.tv_nsec)
        unlink(f->path);
    f->bound = 0;
}
