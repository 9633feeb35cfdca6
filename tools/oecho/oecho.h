/*
 * oecho.h - the oecho client and server: one message there and back over
 * a flow to the name "oecho".
 */
#ifndef OUROBUS_OECHO_H
#define OUROBUS_OECHO_H

#include <stdatomic.h>

#define OECHO_NAME    "oecho"
#define OECHO_MAX_LEN 4096 /* longest message */

/* Send msg, wait for the echo and print it. Exit status: 0 when the echo
 * is the message, 1 otherwise. */
int oecho_client_run(const char *msg);

/* Echo every message on every flow accepted until *stop. Exit status. */
int oecho_server_run(const atomic_int *stop);

#endif
