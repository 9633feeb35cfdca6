/*
 * client.c - the oecho client: allocate, write the message, read the echo
 * within a few seconds, compare.
 */
#include "oecho.h"

#include "flow_error.h"
#include "flow_setup.h"

#include <ourobus/dev.h>

#include <stdio.h>
#include <string.h>

#define ALLOC_TIMEOUT_S 10
#define ECHO_TIMEOUT_NS (5 * NS_PER_S)

int oecho_client_run(const char *msg)
{
    struct timespec timeo = {.tv_sec = ALLOC_TIMEOUT_S};
    char buf[OECHO_MAX_LEN + 1], err[256];
    size_t len = strlen(msg);
    qosspec_t qs = qos_raw;
    ssize_t n;
    int fd, status = 1;

    fd = flow_alloc(OECHO_NAME, &qs, &timeo);
    if (fd < 0) {
        fprintf(stderr, "oecho: %s\n", flow_error_alloc(fd, OECHO_NAME, err, sizeof(err)));
        return 1;
    }
    flow_rcvtimeo_set(fd, ECHO_TIMEOUT_NS);
    n = flow_write(fd, msg, len);
    if (n < 0) {
        fprintf(stderr, "oecho: sending: %s\n", flow_error_str((int)n, err, sizeof(err)));
        goto out;
    }
    n = flow_read_packet(fd, buf, sizeof(buf));
    if (n == -ETIMEDOUT) {
        fprintf(stderr, "oecho: no echo within %llu s\n",
                (unsigned long long)(ECHO_TIMEOUT_NS / NS_PER_S));
        goto out;
    }
    if (n < 0) {
        fprintf(stderr, "oecho: receiving: %s\n", flow_error_str((int)n, err, sizeof(err)));
        goto out;
    }
    printf("%.*s\n", (int)n, buf);
    if ((size_t)n == len && memcmp(buf, msg, len) == 0)
        status = 0;
    else
        fprintf(stderr, "oecho: the echo differs from the message\n");
out:
    flow_dealloc(fd);
    return status;
}
