/*
 * flow_path.c - echo, sink and allocations of flows through a layer.
 */
#include "flow_path.h"

#include "deadline.h"
#include "proc.h"

#include <fcntl.h>
#include <ourobus/dev.h>
#include <ourobus/fccntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WARMUP 1000

#define ALLOC_GIVE_UP_S 30 /* flow_alloc_rate: no allocation for this long */

/* What the server and the client share: the sink's count and times. */
struct sink_report {
    _Atomic uint64_t got;
    _Atomic uint64_t first_ns;
    _Atomic uint64_t last_ns;
    _Atomic int done;
};

static struct sink_report *rep;

#define REPORT_FD 3 /* the report page, in the server program */

static int rep_fd = -1; /* the client's memfd */

/* The report page: a memfd of the client's, which the server program
 * finds as fd REPORT_FD. */
int flow_report_map(bool server)
{
    int fd = REPORT_FD;

    if (rep != NULL)
        return 0;
    if (!server) {
        rep_fd = memfd_create("bench-flow-report", MFD_CLOEXEC);
        if (rep_fd < 0 || ftruncate(rep_fd, sizeof(*rep)) < 0)
            return -1;
        fd = rep_fd;
    }
    rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (rep == MAP_FAILED) {
        rep = NULL;
        return -1;
    }
    return 0;
}

int flow_server_main(void)
{
    static char buf[65536];

    for (;;) {
        struct timespec t = {2, 0};
        int fd = flow_accept(NULL, NULL);
        ssize_t n;

        if (fd < 0)
            return 1;
        fccntl(fd, FLOWSRCVTIMEO, &t);
        n = flow_read(fd, buf, sizeof(buf));
        if (n == 1 && buf[0] == 'E') {
            while ((n = flow_read(fd, buf, sizeof(buf))) > 1)
                flow_write(fd, buf, (size_t)n);
        } else if (n == 1 && buf[0] == 'S') {
            uint64_t got = 0, first = 0, last = 0;
            while ((n = flow_read(fd, buf, sizeof(buf))) > 1) {
                last = now_ns();
                if (first == 0)
                    first = last;
                got++;
            }
            atomic_store(&rep->first_ns, first);
            atomic_store(&rep->last_ns, last);
            atomic_store(&rep->got, got);
            atomic_store(&rep->done, 1);
        } else if (n == 1 && buf[0] == 'C') {
            /* flow_alloc_rate: nothing to do but free it, below */
        }
        flow_dealloc(fd);
    }
}

struct server_arg {
    const struct netns_line *p;
    int node;
};

/* A fresh program, not a fork: a forked child would talk to the node its
 * parent's library chose (A). The report page is inherited through exec
 * as fd 3. */
static int server_exec(void *arg)
{
    struct server_arg *a = arg;
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *base;

    if (n <= 0 || netns_enter(a->p, a->node) < 0)
        return 1;
    exe[n] = '\0';
    base = strrchr(exe, '/') != NULL ? strrchr(exe, '/') + 1 : exe;
    /* dup2 onto itself keeps close-on-exec: clear it then. */
    if (rep_fd == REPORT_FD ? fcntl(REPORT_FD, F_SETFD, 0) < 0 : dup2(rep_fd, REPORT_FD) < 0)
        return 1;
    setenv("OUROBUS_NODE", a->p->node[a->node], 1);
    execl(exe, base, "--server", (char *)NULL);
    return 127;
}

pid_t flow_server_start(const struct netns_line *p, int i, uint32_t spin_ns)
{
    static struct server_arg a;
    char v[16];

    if (flow_report_map(false) < 0)
        return -1;
    a.p = p;
    a.node = i;
    snprintf(v, sizeof(v), "%u", spin_ns);
    setenv("OUROBUS_SPIN_NS", v, 1);
    return bench_fork(1, server_exec, &a);
}

void flow_server_stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

static int flow_to(const char *name, char cmd)
{
    struct timespec t = {5, 0};
    int fd = flow_alloc(name, NULL, &t);

    if (fd >= 0) {
        fccntl(fd, FLOWSRCVTIMEO, &t); /* a lost packet fails the run, never hangs it */
        flow_write(fd, &cmd, 1);
    }
    return fd;
}

int flow_rtt(const char *name, size_t n, size_t size, struct samples *out)
{
    char buf[2048] = {0};
    int fd = flow_to(name, 'E');
    size_t lost = 0;

    if (fd < 0) {
        fprintf(stderr, "bench: flow to %s: %d\n", name, fd);
        return -1;
    }
    bench_pin(0);
    for (size_t i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = now_ns();
        ssize_t r;

        if (flow_write(fd, buf, size) != (ssize_t)size)
            return flow_dealloc(fd), -1;
        /* A datagram may be lost: the read times out, the next ping goes. */
        r = flow_read(fd, buf, sizeof(buf));
        if (r == -ETIMEDOUT && ++lost < 10)
            continue;
        if (r < 0)
            return flow_dealloc(fd), -1;
        if (i >= WARMUP)
            samples_add(out, now_ns() - t0);
    }
    flow_dealloc(fd);
    return 0;
}

int flow_stream(const char *name, double seconds, size_t size, double *pps, size_t *count)
{
    char buf[2048] = {0};
    uint64_t end;
    int fd;

    atomic_store(&rep->done, 0);
    fd = flow_to(name, 'S');
    if (fd < 0)
        return -1;
    bench_pin(0);
    end = now_ns() + (uint64_t)(seconds * 1e9);
    while (now_ns() < end)
        for (int i = 0; i < 64; i++)
            if (flow_write(fd, buf, size) < 0)
                return flow_dealloc(fd), -1;
    for (int i = 0; i < 20; i++) { /* the end marker: the stream may lose one */
        usleep(1000);
        flow_write(fd, "x", 1);
    }
    for (int i = 0; i < 5000 && !atomic_load(&rep->done); i++)
        usleep(1000);
    flow_dealloc(fd);
    if (!atomic_load(&rep->done) || atomic_load(&rep->last_ns) <= atomic_load(&rep->first_ns))
        return -1;
    *count = atomic_load(&rep->got);
    *pps = (double)(*count - 1) * 1e9 /
           (double)(atomic_load(&rep->last_ns) - atomic_load(&rep->first_ns));
    return 0;
}

int flow_alloc_rate(const char *name, size_t n, double *per_s, size_t *failed,
                    struct samples *alloc_ns, struct samples *dealloc_ns)
{
    struct timespec t = {5, 0};
    size_t ok = 0, streak = 0;
    uint64_t t0, t1, last_ok;

    bench_pin(0);
    t0 = last_ok = now_ns();
    for (size_t i = 0; i < n; i++) {
        uint64_t a = now_ns(), b;
        int fd;

        if (a - last_ok > (uint64_t)ALLOC_GIVE_UP_S * 1000000000ull) {
            fprintf(stderr, "bench: no flow to %s for %d s: %zu allocations not tried\n", name,
                    ALLOC_GIVE_UP_S, n - i);
            break;
        }
        fd = flow_alloc(name, NULL, &t);
        if (fd < 0) {
            if (streak++ == 0) /* once per run of failures */
                fprintf(stderr, "bench: allocation %zu to %s failed (%d), %zu succeeded\n",
                        i + 1, name, fd, ok);
            usleep(10000); /* a layer that is down fails at once: not in a spin */
            continue;
        }
        if (streak > 0)
            fprintf(stderr, "bench: allocations to %s succeed again after %zu failures\n", name,
                    streak);
        streak = 0;
        last_ok = now_ns();
        if (alloc_ns != NULL)
            samples_add(alloc_ns, now_ns() - a);
        if (flow_write(fd, "C", 1) == 1)
            ok++;
        b = now_ns();
        flow_dealloc(fd);
        if (dealloc_ns != NULL)
            samples_add(dealloc_ns, now_ns() - b);
    }
    t1 = now_ns();
    *failed = n - ok;
    *per_s = ok > 0 ? (double)ok * 1e9 / (double)(t1 - t0) : 0;
    return ok > 0 ? 0 : -1;
}
