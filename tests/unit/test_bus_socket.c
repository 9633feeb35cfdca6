/*
 * test_bus_socket.c - socket options and the removal of an ipc:// socket
 * file only while it is still ours.
 */
#include "bus_socket.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char dir[] = "/tmp/ourobus-bsock-XXXXXX";
    char ep[160], path[140];
    struct bus_ipc_file f, g;
    struct stat st;
    zsock_t *a, *b;

    plan(8);
    zsys_init();
    mkdtemp(dir);
    snprintf(path, sizeof(path), "%s/x.ctl", dir);
    snprintf(ep, sizeof(ep), "ipc://%s", path);

    a = zsock_new(ZMQ_ROUTER);
    bus_sock_set_options(a);
    is(zsock_heartbeat_ivl(a), BUS_HEARTBEAT_IVL_MS, "heartbeat interval set");
    is(zsock_heartbeat_timeout(a), BUS_HEARTBEAT_TIMEOUT_MS, "heartbeat timeout set");
    is(zsock_linger(a), 0, "no linger at close");
    ok(zsock_bind(a, "%s", ep) == 0, "bind %s", ep);
    bus_ipc_file_note(&f, ep);
    ok(f.bound && stat(path, &st) == 0, "the socket file is noted");
    zsock_destroy(&a);
    bus_ipc_file_remove(&f);
    ok(stat(path, &st) < 0, "removed after close");

    /* Another socket took the path after us: our removal leaves it alone. */
    a = zsock_new(ZMQ_ROUTER);
    zsock_bind(a, "%s", ep);
    bus_ipc_file_note(&f, ep);
    zsock_destroy(&a);
    /* libzmq's I/O thread closes the listener later, and may unlink its
     * file then: let it finish before another socket takes the path. */
    for (int i = 0; i < 100 && stat(path, &st) == 0; i++)
        usleep(2000);
    unlink(path);
    b = zsock_new(ZMQ_ROUTER);
    zsock_bind(b, "%s", ep);
    bus_ipc_file_note(&g, ep);
    bus_ipc_file_remove(&f);
    ok(stat(path, &st) == 0, "a file bound since by another socket is not removed");
    zsock_destroy(&b);
    bus_ipc_file_remove(&g);
    ok(stat(path, &st) < 0, "its owner removes it");

    rmdir(dir);
    zsys_shutdown();
    return done();
}
