/*
 * bench local - a local flow through the whole flow API (a real IRM daemon,
 * flow_alloc / flow_write / flow_read between two processes) against the
 * bare rings of bench ring, measured in the same run.
 */
#include "baselines.h"
#include "deadline.h"
#include "proc.h"
#include "ring_path.h"
#include "rtt_rounds.h"
#include "stats.h"
#include "waiter.h"

#include "irm.pb.h"
#include "irmd_client.h"

#include <errno.h>
#include <fcntl.h>
#include <ourobus/dev.h>
#include <ourobus/fccntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WARMUP 1000

/* What the server and the client share: the sink's count and times. */
struct shared {
    _Atomic uint64_t got;
    _Atomic uint64_t first_ns;
    _Atomic uint64_t last_ns;
    _Atomic int done;
};

static struct shared *sh;
static char node[64];

static void usage(FILE *f)
{
    fprintf(f, "usage: bench/run local [--quick]\n"
               "  Round trips (64 B and 1400 B, reader spin on and off) and one-way\n"
               "  throughput over a local flow through the flow API, with a real IRM\n"
               "  daemon, beside the bare rings of bench ring in the same run.\n"
               "  --quick: fewer samples, under 30 s.\n");
}

/* The server: each flow starts with a command packet: 'E' echo, 'S' sink. */
static int server(void *arg)
{
    static char buf[65536];

    (void)arg;
    for (;;) {
        int fd = flow_accept(NULL, NULL);
        ssize_t n;
        if (fd < 0)
            return 1;
        n = flow_read(fd, buf, sizeof(buf));
        if (n == 1 && buf[0] == 'E') {
            while ((n = flow_read(fd, buf, sizeof(buf))) > 0)
                flow_write(fd, buf, (size_t)n);
        } else if (n == 1 && buf[0] == 'S') {
            uint64_t got = 0, first = 0, last = 0;
            while ((n = flow_read(fd, buf, sizeof(buf))) > 1) {
                last = now_ns();
                if (first == 0)
                    first = last;
                got++;
            }
            atomic_store(&sh->first_ns, first);
            atomic_store(&sh->last_ns, last);
            atomic_store(&sh->got, got);
            atomic_store(&sh->done, 1);
        }
        flow_dealloc(fd);
    }
}

static int flow_to_server(char cmd)
{
    struct timespec t = {5, 0};
    int fd = flow_alloc("bench-local", NULL, &t);

    if (fd >= 0) {
        fccntl(fd, FLOWSRCVTIMEO, &t); /* a lost packet fails the run, never hangs it */
        flow_write(fd, &cmd, 1);
    }
    return fd;
}

static int local_rtt(size_t n, size_t size, struct samples *s)
{
    char buf[2048] = {0};
    int fd = flow_to_server('E');

    if (fd < 0) {
        fprintf(stderr, "bench local: flow_alloc: %d\n", fd);
        return -1;
    }
    for (size_t i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = now_ns();
        ssize_t w = flow_write(fd, buf, size), r = 0;

        if (w != (ssize_t)size || (r = flow_read(fd, buf, sizeof(buf))) < 0) {
            fprintf(stderr, "bench local: round trip %zu of %zu B: write %zd, read %zd\n", i,
                    size, w, r);
            return flow_dealloc(fd), -1;
        }
        if (i >= WARMUP)
            samples_add(s, now_ns() - t0);
    }
    flow_dealloc(fd);
    return 0;
}

/* flow_alloc and flow_dealloc of a flow to the echo server, timed apart. */
static int local_alloc(size_t n, struct samples *alloc, struct samples *dealloc)
{
    struct timespec t = {5, 0};

    for (size_t i = 0; i < n + 20; i++) {
        uint64_t t0 = now_ns(), t1;
        int fd = flow_alloc("bench-local", NULL, &t);
        if (fd < 0)
            return -1;
        t1 = now_ns();
        fccntl(fd, FLOWSRCVTIMEO, &t);
        flow_write(fd, "E", 1); /* echo mode, then one echo */
        flow_write(fd, "hi", 2);
        if (flow_read(fd, (char[8]){0}, 8) != 2)
            return flow_dealloc(fd), -1;
        if (i >= 20)
            samples_add(alloc, t1 - t0);
        t0 = now_ns();
        flow_dealloc(fd);
        if (i >= 20)
            samples_add(dealloc, now_ns() - t0);
    }
    return 0;
}

static int local_stream(double secs, size_t size, double *pps, size_t *count)
{
    char buf[2048] = {0};
    uint64_t end;
    int fd = flow_to_server('S');

    if (fd < 0)
        return -1;
    atomic_store(&sh->done, 0);
    end = now_ns() + (uint64_t)(secs * 1e9);
    while (now_ns() < end)
        for (int i = 0; i < 256; i++)
            if (flow_write(fd, buf, size) < 0)
                return flow_dealloc(fd), -1;
    flow_write(fd, "x", 1); /* the end */
    for (int i = 0; i < 5000 && !atomic_load(&sh->done); i++)
        usleep(1000);
    flow_dealloc(fd);
    if (!atomic_load(&sh->done) || atomic_load(&sh->last_ns) <= atomic_load(&sh->first_ns))
        return -1;
    *count = atomic_load(&sh->got);
    *pps = (double)(*count - 1) * 1e9 /
           (double)(atomic_load(&sh->last_ns) - atomic_load(&sh->first_ns));
    return 0;
}

/* ---- the node: a private IRM daemon ---- */

static void irmd_path(char *path, size_t len)
{
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    exe[n > 0 ? n : 0] = '\0';
    if (strrchr(exe, '/') != NULL)
        *strrchr(exe, '/') = '\0';
    snprintf(path, len, "%s/../../services/irm/ourobus-irmd", exe);
}

static pid_t irmd_start(const char *dir)
{
    char path[600];
    pid_t pid;

    irmd_path(path, sizeof(path));
    pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        execl(path, "ourobus-irmd", "--node", node, "--log", "warn", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        char sock[600];
        snprintf(sock, sizeof(sock), "%s/%s/irmd.ctl", dir, node);
        if (access(sock, F_OK) == 0)
            return pid;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    return -1;
}

/* The daemon removes what its node left (shm objects, run folder). */
static void irmd_wipe(const char *dir)
{
    char path[600];
    pid_t pid;

    irmd_path(path, sizeof(path));
    pid = fork();
    if (pid == 0) {
        execl(path, "ourobus-irmd", "--wipe", "--node", node, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    rmdir(dir);
}

static long rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* ---- the measurements ---- */

/* Server processes read OUROBUS_SPIN_NS when a flow opens: one per spin. */
static pid_t server_start(uint32_t spin)
{
    char v[16];

    snprintf(v, sizeof(v), "%u", spin);
    setenv("OUROBUS_SPIN_NS", v, 1);
    return bench_fork(1, server, NULL);
}

/* One round of a figure: the bare rings, or a flow to a fresh server. */
static int job_round(const struct rtt_job *j, size_t n, struct samples *s)
{
    char v[16];
    pid_t srv;
    int err;

    if (j->kind == 1)
        return ring_path_rtt(n, j->size, j->spin, s);
    srv = server_start(j->spin);
    snprintf(v, sizeof(v), "%u", j->spin);
    setenv("OUROBUS_SPIN_NS", v, 1);
    bench_pin(0);
    err = local_rtt(n, j->size, s);
    kill(srv, SIGKILL);
    waitpid(srv, NULL, 0);
    return err;
}

static void stream(struct report *r, const char *name, double secs, size_t size, uint32_t spin,
                   const char *note, int ring)
{
    double pps = 0;
    size_t count = 0;
    int err;

    progress("%s: %.1f s of %zu B packets", name, secs, size);
    if (ring) {
        err = ring_path_stream(secs, size, spin, &pps, &count);
    } else {
        pid_t srv = server_start(spin);
        bench_pin(0);
        err = local_stream(secs, size, &pps, &count);
        kill(srv, SIGKILL);
        waitpid(srv, NULL, 0);
    }
    if (err == 0)
        report_rate(r, name, pps, count, size, note);
    else
        fprintf(stderr, "bench local: %s failed\n", name);
}

int main(int argc, char **argv)
{
    static struct report rep;
    char dir[] = "/tmp/ourobus-bench-XXXXXX", title[400];
    size_t slow = 100000, fast = 200000;
    double secs = 2.0;
    int rounds = 5;
    uint32_t spin = spin_default_ns();
    long rss_idle, rss_after;
    pid_t irmd;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            slow = 20000;
            fast = 100000;
            secs = 0.5;
            rounds = 2;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench local: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    sh = bench_shared(sizeof(*sh));
    if (mkdtemp(dir) == NULL || sh == NULL)
        return 1;
    snprintf(node, sizeof(node), "bench%d", (int)getpid());
    setenv("OUROBUS_RUN_DIR", dir, 1);
    setenv("OUROBUS_NODE", node, 1);
    irmd = irmd_start(dir);
    if (irmd < 0) {
        fprintf(stderr, "bench local: the IRM daemon does not start\n");
        return 1;
    }
    usleep(200000);
    rss_idle = rss_kb(irmd);

    /* Every process of this program accepts for bench-local. */
    {
        irm_bind_program_t b = IRM_BIND_PROGRAM_INIT_ZERO;
        ssize_t n = readlink("/proc/self/exe", b.prog, sizeof(b.prog) - 1);
        snprintf(b.name, sizeof(b.name), "bench-local");
        if (n <= 0 || irmd_call(IRM_METHOD_BIND_PROGRAM, IRM_BIND_PROGRAM_FIELDS, &b, NULL,
                                NULL, 2000) != 0) {
            fprintf(stderr, "bench local: cannot bind the server\n");
            kill(irmd, SIGKILL);
            return 1;
        }
    }

    {
        struct rtt_job jobs[] = {
            {.name = "ring_rtt",
             .note = "bare rings, 64 B, spin off",
             .size = 64,
             .kind = 1,
             .n = slow,
             .run = job_round},
            {.name = "local_rtt",
             .note = "local flow, 64 B, spin off",
             .size = 64,
             .n = slow,
             .run = job_round},
            {.name = "local_rtt_1400",
             .note = "local flow, 1400 B, spin off",
             .size = 1400,
             .n = slow,
             .run = job_round},
            {.name = "ring_rtt_spin",
             .note = "bare rings, 64 B, spin on",
             .size = 64,
             .spin = spin,
             .kind = 1,
             .n = fast,
             .run = job_round},
            {.name = "local_rtt_spin",
             .note = "local flow, 64 B, spin on",
             .size = 64,
             .spin = spin,
             .n = fast,
             .run = job_round},
            {.name = "local_rtt_spin_1400",
             .note = "local flow, 1400 B, spin on",
             .size = 1400,
             .spin = spin,
             .n = fast,
             .run = job_round},
        };
        rtt_rounds_run(&rep, jobs, (int)(sizeof(jobs) / sizeof(jobs[0])), rounds, "local");
    }
    {
        struct samples a, d;
        size_t n = slow / 100;
        pid_t srv = server_start(spin);
        progress("flow allocations: %zu", n);
        samples_init(&a, n);
        samples_init(&d, n);
        bench_pin(0);
        if (local_alloc(n, &a, &d) == 0) {
            report_latency(&rep, "local_alloc", &a, "flow_alloc of a local flow");
            report_latency(&rep, "local_dealloc", &d, "flow_dealloc of a local flow");
        }
        samples_free(&a);
        samples_free(&d);
        kill(srv, SIGKILL);
        waitpid(srv, NULL, 0);
    }
    stream(&rep, "ring_stream_64", secs, 64, spin, "bare rings, 64 B", 1);
    stream(&rep, "local_tput_64", secs, 64, spin, "local flow, 64 B", 0);
    stream(&rep, "ring_stream_1400", secs, 1400, spin, "bare rings, 1400 B", 1);
    stream(&rep, "local_tput_1400", secs, 1400, spin, "local flow, 1400 B", 0);
    rss_after = rss_kb(irmd);

    snprintf(title, sizeof(title),
             "bench local: flows through the flow API with a real IRM daemon (client on\n"
             "CPU 0, server on CPU 1) and the bare rings of bench ring, same run;\n"
             "latencies are medians of the round trips, rates are counted at the reader.\n"
             "IRM daemon resident memory: %ld kB idle with the default pool, %ld kB after",
             rss_idle, rss_after);
    report_table(&rep, title);
    report_ratio(&rep, "local_rtt", "ring_rtt");
    report_ratio(&rep, "local_rtt_spin", "ring_rtt_spin");
    report_ratio(&rep, "local_tput_1400", "ring_stream_1400");
    report_ratio(&rep, "local_tput_64", "ring_stream_64");
    printf("ratio irmd_rss_mb/16 %.3f\n", (double)rss_idle / 1024.0 / 16.0);

    kill(irmd, SIGTERM);
    waitpid(irmd, NULL, 0);
    irmd_wipe(dir);
    return 0;
}
