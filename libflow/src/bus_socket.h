/*
 * bus_socket.h - what every bus socket shares: its options, and the socket
 * file of an ipc:// endpoint it bound (libzmq leaves that file behind).
 */
#ifndef OUROBUS_BUS_SOCKET_H
#define OUROBUS_BUS_SOCKET_H

#include <czmq.h>
#include <sys/types.h>
#include <time.h>

/* ZMTP heartbeats on every bus socket: a peer silent for the timeout is
 * dropped and reconnected. */
#define BUS_HEARTBEAT_IVL_MS     1000
#define BUS_HEARTBEAT_TIMEOUT_MS 3000

/* The socket file of a bound ipc:// endpoint. */
struct bus_ipc_file {
    char path[108];
    dev_t dev;
    ino_t ino;
    struct timespec ctime; /* a file system may hand the inode to the next file */
    int bound;             /* the file was found after bind */
};

/* The options every bus socket has: heartbeats, no linger at close. */
void bus_sock_set_options(zsock_t *sock);

/* Note which file endpoint made, right after binding it (nothing for
 * other transports). */
void bus_ipc_file_note(struct bus_ipc_file *f, const char *endpoint);

/* Remove the noted file after the socket is closed, unless it is no longer
 * ours (another process bound the same path since). */
void bus_ipc_file_remove(struct bus_ipc_file *f);

#endif
