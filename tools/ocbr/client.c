/*
 * client.c - the ocbr client: numbered packets on an absolute schedule
 * (or as fast as the flow takes them) for the duration.
 */
#include "ocbr.h"

#include "flow_error.h"
#include "flow_setup.h"
#include "tool_time.h"

#include <ourobus/dev.h>

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALLOC_TIMEOUT_S 10
#define WRITE_TICK_NS   (200 * NS_PER_MS)

static void print_summary(const struct ocbr_client_opts *o, uint64_t sent, uint64_t ns)
{
    double secs = (double)ns / 1e9;

    printf("ocbr: sent %llu packets, %llu bytes in %.3f s", (unsigned long long)sent,
           (unsigned long long)(sent * o->size), secs);
    if (secs > 0)
        printf(": %.1f packets/s, %.2f Mb/s", (double)sent / secs,
               (double)(sent * o->size) * 8 / secs / 1e6);
    printf("\n");
}

int ocbr_client_run(const struct ocbr_client_opts *o, const atomic_int *stop)
{
    struct timespec timeo = {.tv_sec = ALLOC_TIMEOUT_S};
    qosspec_t qs = qos_raw;
    uint64_t t0, end, k = 0;
    uint8_t *buf;
    struct pacer p;
    char err[256];
    int fd, status = 0;

    buf = calloc(1, o->size);
    if (buf == NULL) {
        fprintf(stderr, "ocbr: out of memory\n");
        return 1;
    }
    fd = flow_alloc(o->name, &qs, &timeo);
    if (fd < 0) {
        fprintf(stderr, "ocbr: %s\n", flow_error_alloc(fd, o->name, err, sizeof(err)));
        free(buf);
        return 1;
    }
    flow_sndtimeo_set(fd, WRITE_TICK_NS);
    printf("ocbr: %zu-byte packets to %s, ", o->size, o->name);
    if (o->flood)
        printf("flooding");
    else
        printf("%.3f Mb/s", (double)o->rate_bps / 1e6);
    printf(", for %.3f s\n", (double)o->duration_ns / 1e9);

    t0 = mono_ns();
    end = t0 + o->duration_ns;
    pacer_init_rate(&p, o->rate_bps, o->size, o->pace, t0);
    while (!atomic_load_explicit(stop, memory_order_relaxed)) {
        uint64_t seq = htobe64(k);
        ssize_t n;

        if (o->flood ? mono_ns() >= end
                     : pacer_due_ns(&p, k) >= end || pacer_wait(&p, k, stop) < 0)
            break;
        memcpy(buf, &seq, sizeof(seq));
        do {
            n = flow_write(fd, buf, o->size);
        } while ((n == -ETIMEDOUT || n == -EAGAIN) && !atomic_load(stop));
        if (n < 0) {
            if (!atomic_load(stop)) {
                fprintf(stderr, "ocbr: sending %zu-byte packets: %s\n", o->size,
                        flow_error_str((int)n, err, sizeof(err)));
                status = 1;
            }
            break;
        }
        k++;
    }
    print_summary(o, k, mono_ns() - t0);
    flow_dealloc(fd);
    free(buf);
    return status;
}
