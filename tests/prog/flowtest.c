/*
 * flowtest - the roles the integration scripts cast: servers, clients and
 * registry calls, each printing one line of outcome for the script to check.
 *
 *   flowtest echo [TAG]              accept flows, echo each (prints "accept TAG")
 *   flowtest sink [TAG]              accept flows, check sequence numbers; per flow:
 *                                    "sink TAG received N gaps G dups D maxgap_ms M"
 *   flowtest stream NAME SECS RATE   send numbered packets (RATE/s, 0: flood) for
 *                                    SECS, then "stream sent N"
 *   flowtest ping NAME COUNT         COUNT echoes, then "ping ok N"
 *   flowtest hold NAME               a flow held until killed ("hold fd")
 *   flowtest alloc NAME TIMEOUT_MS   one allocation: "alloc ok" or "alloc err E"
 *   flowtest sizes NAME SIZE...      write packets of these sizes to an echo
 *                                    server: "size S write R echo ok|bad|none"
 *   flowtest pingfor NAME SECS       a ping every 10 ms on one flow for SECS:
 *                                    "pingfor sent N ok M maxrtt_ms X" (reads
 *                                    wait up to 20 s: a restart in between
 *                                    delays packets, loses none)
 *   flowtest bind PID NAME | unbind PID [NAME] | name NAME rr|spill
 *   flowtest bindprog PATH NAME [auto] [-- ARGS...]
 */
#include "deadline.h"
#include "test_irm.h"

#include <errno.h>
#include <ourobus/dev.h>
#include <ourobus/fccntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *tag = "-";

static void *echo_flow(void *arg)
{
    int fd = (int)(intptr_t)arg;
    static __thread char buf[65536];
    ssize_t n;

    while ((n = flow_read(fd, buf, sizeof(buf))) >= 0)
        if (n > 0 && flow_write(fd, buf, (size_t)n) < 0)
            break;
    flow_dealloc(fd);
    return NULL;
}

static int role_echo(void)
{
    for (;;) {
        pthread_t t;
        int fd = flow_accept(NULL, NULL);
        if (fd < 0) {
            fprintf(stderr, "flowtest echo: accept: %d\n", fd);
            return 1;
        }
        printf("accept %s\n", tag);
        pthread_create(&t, NULL, echo_flow, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
}

static void *sink_flow(void *arg)
{
    int fd = (int)(intptr_t)arg;
    uint64_t next = 0, got = 0, gaps = 0, dups = 0, last = 0, maxgap = 0;
    char buf[65536];
    ssize_t n;

    while ((n = flow_read(fd, buf, sizeof(buf))) >= 0) {
        uint64_t seq, now = now_ns();
        if (n < (ssize_t)sizeof(seq))
            continue;
        memcpy(&seq, buf, sizeof(seq));
        if (last != 0 && now - last > maxgap)
            maxgap = now - last;
        last = now;
        got++;
        if (seq > next)
            gaps += seq - next;
        else if (seq < next)
            dups++;
        if (seq >= next)
            next = seq + 1;
    }
    printf("sink %s received %llu gaps %llu dups %llu maxgap_ms %llu\n", tag,
           (unsigned long long)got, (unsigned long long)gaps, (unsigned long long)dups,
           (unsigned long long)(maxgap / 1000000));
    flow_dealloc(fd);
    return NULL;
}

static int role_sink(void)
{
    for (;;) {
        pthread_t t;
        int fd = flow_accept(NULL, NULL);
        if (fd < 0)
            return 1;
        pthread_create(&t, NULL, sink_flow, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
}

static int role_stream(const char *name, double secs, double rate)
{
    struct timespec t = {5, 0};
    char buf[256] = {0};
    uint64_t seq = 0, start, end;
    int fd = flow_alloc(name, NULL, &t);

    if (fd < 0) {
        fprintf(stderr, "flowtest stream: alloc %s: %d\n", name, fd);
        return 1;
    }
    start = now_ns();
    end = start + (uint64_t)(secs * 1e9);
    for (uint64_t now = start; now < end; now = now_ns()) {
        if (rate > 0 && seq > (uint64_t)((double)(now - start) * rate / 1e9)) {
            usleep(200);
            continue;
        }
        memcpy(buf, &seq, sizeof(seq));
        if (flow_write(fd, buf, sizeof(buf)) < 0) {
            fprintf(stderr, "flowtest stream: write failed after %llu\n",
                    (unsigned long long)seq);
            break;
        }
        seq++;
    }
    printf("stream sent %llu\n", (unsigned long long)seq);
    fflush(stdout);
    flow_dealloc(fd);
    return 0;
}

static int role_ping(const char *name, int count)
{
    struct timespec t = {5, 0};
    char buf[64];
    int good = 0;
    int fd = flow_alloc(name, NULL, &t);

    if (fd < 0) {
        printf("ping failed %d\n", fd);
        return 1;
    }
    for (int i = 0; i < count; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        if (flow_write(fd, buf, sizeof(buf)) == sizeof(buf) &&
            flow_read(fd, buf, sizeof(buf)) == sizeof(buf) && atoi(buf) == i)
            good++;
    }
    printf("ping ok %d\n", good);
    flow_dealloc(fd);
    return good == count ? 0 : 1;
}

static int role_hold(const char *name)
{
    struct timespec t = {5, 0};
    int fd = flow_alloc(name, NULL, &t);

    if (fd < 0)
        return 1;
    printf("hold %d\n", fd);
    fflush(stdout);
    pause();
    return 0;
}

static int role_alloc(const char *name, int timeout_ms)
{
    struct timespec t = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    int fd = flow_alloc(name, NULL, &t);

    if (fd < 0) {
        printf("alloc err %d\n", fd);
        return 1;
    }
    printf("alloc ok\n");
    flow_dealloc(fd);
    return 0;
}

static int role_sizes(const char *name, int n, char **sizes)
{
    static char out[65536], in[65536];
    struct timespec t = {5, 0};
    int fd = flow_alloc(name, NULL, &t);
    int bad = 0;

    if (fd < 0) {
        printf("sizes failed %d\n", fd);
        return 1;
    }
    fccntl(fd, FLOWSRCVTIMEO, &(struct timespec){2, 0});
    for (int i = 0; i < n; i++) {
        size_t size = (size_t)atoi(sizes[i]);
        ssize_t w, r = -1;
        if (size > sizeof(out))
            size = sizeof(out);
        for (size_t k = 0; k < size; k++)
            out[k] = (char)(k * 7 + size);
        w = flow_write(fd, out, size);
        if (w == (ssize_t)size)
            r = flow_read(fd, in, sizeof(in));
        printf("size %zu write %zd echo %s\n", size, w,
               w < 0                                  ? "none"
               : r == w && memcmp(in, out, size) == 0 ? "ok"
                                                      : "bad");
        bad += w == (ssize_t)size && !(r == w && memcmp(in, out, size) == 0);
    }
    flow_dealloc(fd);
    return bad ? 1 : 0;
}

static int role_pingfor(const char *name, double secs)
{
    struct timespec t = {5, 0};
    uint64_t end, sent = 0, ok = 0, maxrtt = 0;
    char buf[64];
    int fd = flow_alloc(name, NULL, &t);

    if (fd < 0) {
        printf("pingfor failed %d\n", fd);
        return 1;
    }
    fccntl(fd, FLOWSRCVTIMEO, &(struct timespec){20, 0});
    end = now_ns() + (uint64_t)(secs * 1e9);
    while (now_ns() < end) {
        uint64_t t0 = now_ns();
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)sent);
        if (flow_write(fd, buf, sizeof(buf)) != sizeof(buf))
            break;
        sent++;
        if (flow_read(fd, buf, sizeof(buf)) != sizeof(buf) ||
            strtoull(buf, NULL, 10) != sent - 1)
            break;
        ok++;
        if (now_ns() - t0 > maxrtt)
            maxrtt = now_ns() - t0;
        usleep(10000);
    }
    printf("pingfor sent %llu ok %llu maxrtt_ms %llu\n", (unsigned long long)sent,
           (unsigned long long)ok, (unsigned long long)(maxrtt / 1000000));
    flow_dealloc(fd);
    return ok == sent && sent > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "";
    int err = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(role, "echo") == 0 || strcmp(role, "sink") == 0) {
        if (argc > 2)
            tag = argv[2];
        return role[0] == 'e' ? role_echo() : role_sink();
    }
    if (strcmp(role, "stream") == 0 && argc == 5)
        return role_stream(argv[2], atof(argv[3]), atof(argv[4]));
    if (strcmp(role, "ping") == 0 && argc == 4)
        return role_ping(argv[2], atoi(argv[3]));
    if (strcmp(role, "hold") == 0 && argc == 3)
        return role_hold(argv[2]);
    if (strcmp(role, "alloc") == 0 && argc == 4)
        return role_alloc(argv[2], atoi(argv[3]));
    if (strcmp(role, "sizes") == 0 && argc >= 4)
        return role_sizes(argv[2], argc - 3, argv + 3);
    if (strcmp(role, "pingfor") == 0 && argc == 4)
        return role_pingfor(argv[2], atof(argv[3]));
    if (strcmp(role, "bind") == 0 && argc == 4)
        err = test_bind_process(atoi(argv[2]), argv[3]);
    else if (strcmp(role, "unbind") == 0 && argc >= 3)
        err = test_unbind_process(atoi(argv[2]), argc > 3 ? argv[3] : NULL);
    else if (strcmp(role, "name") == 0 && argc == 4)
        err = test_name_create(argv[2], strcmp(argv[3], "spill") == 0);
    else if (strcmp(role, "bindprog") == 0 && argc >= 4) {
        int a = 4, auto_start = 0;
        if (a < argc && strcmp(argv[a], "auto") == 0)
            auto_start = 1, a++;
        if (a < argc && strcmp(argv[a], "--") == 0)
            a++;
        err = test_bind_program(argv[2], argv[3], auto_start, argc - a, argv + a);
    } else {
        fprintf(stderr, "usage: see the comment at the top of flowtest.c\n");
        return 2;
    }
    if (err < 0)
        fprintf(stderr, "flowtest %s: %d\n", role, err);
    return err < 0 ? 1 : 0;
}
