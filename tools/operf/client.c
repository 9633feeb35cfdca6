/*
 * client.c - the operf client: a writer thread sends numbered packets
 * (paced or flooding) for the duration, then an end marker; a reader
 * thread counts echoes and takes the server's reports; the main thread
 * prints a line every second and the summary.
 */
#include "client.h"

#include "flow_error.h"
#include "flow_setup.h"
#include "operf_msg.h"
#include "tool_time.h"

#include <ourobus/dev.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ALLOC_TIMEOUT_S 10
#define READ_TICK_NS    (100 * NS_PER_MS)
#define WRITE_TICK_NS   (200 * NS_PER_MS)
#define FINAL_WAIT_NS   (3 * NS_PER_S) /* for the final report after the end */
#define FINAL_WAIT_INTR (1 * NS_PER_S) /* the same after a signal */
#define MAIN_SLICE_NS   (50 * NS_PER_MS)
#define TICK_GRACE_NS   (10 * NS_PER_MS)

static void client_fail(struct client *c, int err, const char *what)
{
    int none = 0;
    char buf[128];

    if (atomic_compare_exchange_strong(&c->error, &none, err))
        fprintf(stderr, "operf: %s: %s\n", what, flow_error_str(err, buf, sizeof(buf)));
}

static bool client_failed(const struct client *c)
{
    return atomic_load(&c->error) != 0;
}

void rate_range_add(struct rate_range *r, double bps)
{
    if (r->n == 0 || bps < r->min_bps)
        r->min_bps = bps;
    if (r->n == 0 || bps > r->max_bps)
        r->max_bps = bps;
    r->n++;
}

/* Write len bytes, retrying while a write times out and no stop came. */
static int client_write(struct client *c, const uint8_t *buf, size_t len, bool until_stop)
{
    ssize_t n;

    do {
        n = flow_write(c->fd, buf, len);
    } while ((n == -ETIMEDOUT || n == -EAGAIN) && !client_failed(c) &&
             !(until_stop && atomic_load(c->stop)));
    return n < 0 ? (int)n : 0;
}

static void *client_writer(void *arg)
{
    struct client *c = arg;
    const struct operf_opts *o = c->o;
    struct operf_msg m = {.type = OPERF_DATA, .flags = o->bi ? OPERF_F_ECHO : 0};
    uint64_t end = c->t0 + o->duration_ns, k, now;
    uint8_t *buf = calloc(1, o->size);
    struct pacer p;
    int r;

    if (buf == NULL) {
        client_fail(c, -ENOMEM, "sending");
        goto out;
    }
    pacer_init_rate(&p, o->rate_bps, o->size, o->pace, c->t0);
    for (k = 0;; k++) {
        if (atomic_load_explicit(c->stop, memory_order_relaxed) || client_failed(c))
            break;
        if (!o->flood) {
            if (pacer_due_ns(&p, k) >= end || pacer_wait(&p, k, c->stop) < 0)
                break;
        } else if (mono_ns() >= end) {
            break;
        }
        m.seq = k;
        operf_msg_encode(buf, &m);
        r = client_write(c, buf, o->size, true);
        if (r < 0) {
            char what[64];

            snprintf(what, sizeof(what), "sending %zu-byte packets", o->size);
            if (!atomic_load(c->stop))
                client_fail(c, r, what);
            break;
        }
        atomic_store_explicit(&c->sent, k + 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->sent_bytes, o->size, memory_order_relaxed);
    }
    now = mono_ns();
    atomic_store(&c->t_send_end, now);
    atomic_store(&c->end_deadline,
                 now + (atomic_load(c->stop) ? FINAL_WAIT_INTR : FINAL_WAIT_NS));
    if (!client_failed(c)) {
        struct operf_msg e = {.type = OPERF_END, .seq = atomic_load(&c->sent)};

        operf_msg_encode(buf, &e);
        r = client_write(c, buf, OPERF_HDR_LEN, false);
        if (r < 0)
            client_fail(c, r, "sending the end of the test");
    }
out:
    free(buf);
    atomic_store(&c->writer_done, true);
    return NULL;
}

static void client_take_report(struct client *c, const struct operf_msg *m)
{
    atomic_store(&c->rep_packets, m->packets);
    atomic_store(&c->rep_bytes, m->bytes);
    atomic_store(&c->rep_lost, m->lost);
    atomic_fetch_add(&c->rep_time_ns, m->ival_ns);
    if (m->flags & OPERF_F_FINAL)
        atomic_store(&c->rep_final, true);
    atomic_fetch_add(&c->rep_n, 1);
}

static void *client_reader(void *arg)
{
    struct client *c = arg;
    size_t cap = c->o->size > OPERF_REPORT_LEN ? c->o->size + 1 : OPERF_REPORT_LEN + 1;
    uint8_t *buf = malloc(cap);
    struct operf_msg m;

    if (buf == NULL) {
        client_fail(c, -ENOMEM, "receiving");
        return NULL;
    }
    while (!client_failed(c) && !atomic_load(&c->rep_final)) {
        ssize_t n;

        if (atomic_load(&c->writer_done) && mono_ns() > atomic_load(&c->end_deadline))
            break;
        n = flow_read_packet(c->fd, buf, cap);
        if (n == -ETIMEDOUT || n == -EAGAIN || n == -EMSGSIZE)
            continue;
        if (n < 0) {
            client_fail(c, (int)n, "receiving");
            break;
        }
        if (operf_msg_decode(buf, (size_t)n, &m) < 0)
            continue;
        if (m.type == OPERF_REPORT) {
            client_take_report(c, &m);
        } else if (m.type == OPERF_DATA) {
            seq_count_add(&c->echo_seq, m.seq);
            atomic_store_explicit(&c->echoed, c->echo_seq.received, memory_order_relaxed);
            atomic_fetch_add_explicit(&c->echoed_bytes, (uint64_t)n, memory_order_relaxed);
            atomic_store_explicit(&c->echo_lost, seq_count_lost(&c->echo_seq),
                                  memory_order_relaxed);
        }
    }
    free(buf);
    return NULL;
}

/* Wait until t, or until the writer is done and the tick falls after the
 * end of sending. True when the tick is due. */
static bool client_wait_tick(struct client *c, uint64_t t)
{
    for (;;) {
        uint64_t now = mono_ns(), until;

        if (atomic_load(&c->writer_done) && t > atomic_load(&c->t_send_end) + TICK_GRACE_NS)
            return false;
        if (now >= t)
            return true;
        until = t - now > MAIN_SLICE_NS ? now + MAIN_SLICE_NS : t;
        sleep_until_ns(until);
    }
}

/* The main thread's part: a line each second while sending. */
static void client_progress(struct client *c)
{
    struct progress_mark mark = {.t = c->t0, .rx_time = c->o->bi ? c->t0 : 0};

    for (unsigned int k = 1; client_wait_tick(c, c->t0 + k * NS_PER_S); k++)
        client_print_progress(c, k, &mark);
}

static int client_start(struct client *c, pthread_t *reader, pthread_t *writer)
{
    int r;

    r = pthread_create(reader, NULL, client_reader, c);
    if (r != 0)
        return -r;
    r = pthread_create(writer, NULL, client_writer, c);
    if (r != 0) {
        client_fail(c, -r, "starting the writer");
        pthread_join(*reader, NULL);
        return -r;
    }
    return 0;
}

int operf_client_run(const struct operf_opts *o, const atomic_int *stop)
{
    struct timespec timeo = {.tv_sec = ALLOC_TIMEOUT_S};
    struct client c = {.o = o, .stop = stop};
    qosspec_t qs = qos_raw;
    pthread_t reader, writer;
    char buf[256];
    int status = 1;

    seq_count_init(&c.echo_seq);
    c.fd = flow_alloc(o->name, &qs, &timeo);
    if (c.fd < 0) {
        fprintf(stderr, "operf: %s\n", flow_error_alloc(c.fd, o->name, buf, sizeof(buf)));
        return 1;
    }
    flow_rcvtimeo_set(c.fd, READ_TICK_NS);
    flow_sndtimeo_set(c.fd, WRITE_TICK_NS);

    client_print_start(&c);
    c.t0 = mono_ns();
    if (client_start(&c, &reader, &writer) < 0) {
        fprintf(stderr, "operf: cannot start the test threads\n");
        flow_dealloc(c.fd);
        return 1;
    }
    client_progress(&c);
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);
    client_print_summary(&c);
    if (!client_failed(&c) && (o->bi ? atomic_load(&c.echoed) : atomic_load(&c.rep_n)) > 0)
        status = 0;
    flow_dealloc(c.fd);
    return status;
}
