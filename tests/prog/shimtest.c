/*
 * shimtest - roles the shim integration tests cast against an echo server
 * (flowtest echo) on another node, each printing its outcome:
 *
 *   shimtest many NAME N PKTS   N flows open at once, allocated by N threads,
 *                               each echoing PKTS packets:
 *                               "many allocated A echoed E of N"
 *   shimtest link NAME          one flow pinged every 20 ms: "up", then
 *                               "down err=E event=FLOW_DOWN" when the layer
 *                               marks it down, then "up again" when it is
 *                               back and echoes (exit 0), or a timeout (1)
 *   shimtest echo               an echo server that keeps its flows while
 *                               they are down (flowtest echo ends them)
 */
#include "deadline.h"

#include <errno.h>
#include <ourobus/dev.h>
#include <ourobus/errno.h>
#include <ourobus/fccntl.h>
#include <ourobus/fqueue.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINK_TIMEOUT_S 30

/* ---- many ---- */

struct many {
    const char *name;
    int n;
    int pkts;
    pthread_barrier_t all_open;
    _Atomic int allocated;
    _Atomic int echoed;
};

/* Write one numbered packet and read its echo (up to 3 tries). */
static bool echo_one(int fd, uint64_t seq)
{
    char buf[64], back[64];

    memset(buf, 0, sizeof(buf));
    memcpy(buf, &seq, sizeof(seq));
    for (int t = 0; t < 3; t++) {
        if (flow_write(fd, buf, sizeof(buf)) < 0)
            return false;
        for (;;) {
            ssize_t n = flow_read(fd, back, sizeof(back));
            if (n < 0)
                break; /* timeout: send again */
            if (n == (ssize_t)sizeof(back) && memcmp(back, buf, sizeof(buf)) == 0)
                return true;
        }
    }
    return false;
}

static void *many_flow(void *arg)
{
    struct many *m = arg;
    struct timespec alloc_to = {20, 0}, read_to = {1, 0};
    int fd = flow_alloc(m->name, NULL, &alloc_to);
    int good = 0;

    if (fd >= 0)
        atomic_fetch_add(&m->allocated, 1);
    else
        fprintf(stderr, "shimtest many: flow_alloc: %d\n", fd);
    /* Every flow is open before any carries data, and until all are done. */
    pthread_barrier_wait(&m->all_open);
    if (fd >= 0) {
        fccntl(fd, FLOWSRCVTIMEO, &read_to);
        for (int i = 0; i < m->pkts; i++)
            good += echo_one(fd, (uint64_t)i);
    }
    if (good == m->pkts)
        atomic_fetch_add(&m->echoed, 1);
    pthread_barrier_wait(&m->all_open);
    if (fd >= 0)
        flow_dealloc(fd);
    return NULL;
}

static int role_many(const char *name, int n, int pkts)
{
    struct many m = {.name = name, .n = n, .pkts = pkts};
    pthread_t *t = calloc((size_t)n, sizeof(*t));

    pthread_barrier_init(&m.all_open, NULL, (unsigned int)n);
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, many_flow, &m);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    printf("many allocated %d echoed %d of %d\n", atomic_load(&m.allocated),
           atomic_load(&m.echoed), n);
    free(t);
    return atomic_load(&m.echoed) == n ? 0 : 1;
}

/* ---- link ---- */

static const char *err_name(int err)
{
    switch (-err) {
    case EFLOWDOWN:
        return "EFLOWDOWN";
    case EFLOWPEER:
        return "EFLOWPEER";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    default:
        return "other";
    }
}

/* Drain the set's events; returns the types seen (FLOW_DOWN, FLOW_UP). */
static int events(fset_t *set, fqueue_t *fq)
{
    struct timespec zero = {0, 0};
    int seen = 0;

    while (fevent(set, fq, &zero) > 0)
        while (fqueue_next(fq) >= 0)
            seen |= (int)fqueue_type(fq);
    return seen;
}

static int role_link(const char *name)
{
    struct timespec alloc_to = {10, 0}, read_to = {0, 200000000};
    uint64_t end = now_ns() + LINK_TIMEOUT_S * 1000000000ull, seq = 0;
    fset_t *set = fset_create();
    fqueue_t *fq = fqueue_create();
    enum { UP0, UP, DOWN } st = UP0;
    int down_err = 0, seen = 0;
    int fd = flow_alloc(name, NULL, &alloc_to);

    if (fd < 0) {
        printf("alloc failed %d\n", fd);
        fqueue_destroy(fq);
        fset_destroy(set);
        return 1;
    }
    fccntl(fd, FLOWSRCVTIMEO, &read_to);
    fset_add(set, fd);
    while (now_ns() < end) {
        char buf[64] = {0}, back[64];
        ssize_t n;
        int err = 0;

        memcpy(buf, &seq, sizeof(seq));
        seq++;
        n = flow_write(fd, buf, sizeof(buf));
        if (n < 0) {
            err = (int)n;
        } else {
            do {
                n = flow_read(fd, back, sizeof(back));
            } while (n >= 0 && memcmp(back, buf, sizeof(buf)) != 0);
            if (n < 0)
                err = (int)n;
        }
        seen |= events(set, fq);
        if (st == UP0 && err == 0) {
            printf("up\n");
            fflush(stdout);
            st = UP;
            seen = 0;
        } else if (st == UP && err == -EFLOWDOWN) {
            down_err = err;
        }
        if (st == UP && down_err != 0 && (seen & FLOW_DOWN)) {
            printf("down err=%s event=FLOW_DOWN\n", err_name(down_err));
            fflush(stdout);
            st = DOWN;
            seen = 0;
        } else if (st == DOWN && err == 0 && (seen & FLOW_UP)) {
            printf("up again\n");
            fflush(stdout);
            flow_dealloc(fd);
            fqueue_destroy(fq);
            fset_destroy(set);
            return 0;
        }
        usleep(20000);
    }
    printf("timeout in state %d (last error %s, events 0x%x)\n", (int)st, err_name(down_err),
           seen);
    flow_dealloc(fd);
    fqueue_destroy(fq);
    fset_destroy(set);
    return 1;
}

/* ---- echo ---- */

static void *echo_flow(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[2048];

    for (;;) {
        ssize_t n = flow_read(fd, buf, sizeof(buf));
        if (n == -EFLOWDOWN) {
            usleep(10000);
            continue;
        }
        if (n < 0)
            break;
        if (n > 0)
            flow_write(fd, buf, (size_t)n); /* down meanwhile: that echo is lost */
    }
    flow_dealloc(fd);
    return NULL;
}

static int role_echo(void)
{
    for (;;) {
        pthread_t t;
        int fd = flow_accept(NULL, NULL);
        if (fd < 0)
            return 1;
        pthread_create(&t, NULL, echo_flow, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 5 && strcmp(argv[1], "many") == 0)
        return role_many(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (argc == 3 && strcmp(argv[1], "link") == 0)
        return role_link(argv[2]);
    if (argc == 2 && strcmp(argv[1], "echo") == 0)
        return role_echo();
    fprintf(stderr, "usage: shimtest many NAME N PKTS | link NAME | echo\n");
    return 2;
}
