/*
 * test_service.c - the daemon skeleton as real processes: one instance per
 * service and node, SIGHUP reloads, SIGTERM/SIGINT end cleanly, log tags.
 *
 * The program re-executes itself (/proc/self/exe) as the service.
 */
#include "bus_client.h"
#include "deadline.h"
#include "log.h"
#include "proc.h"
#include "run_folder.h"
#include "service.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#define M_RELOADS 1 /* status: how many reloads */
#define M_SPAWN   2 /* fork + exec sleep; status: its pid */

#define SVC  "test-svc.one"
#define NODE "svc-node"

/* ---- the service role ------------------------------------------------- */

static void on_reload(void *arg)
{
    (*(int *)arg)++;
}

static int on_reloads(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    return *(int *)arg;
}

static int on_spawn(void *arg, const struct bus_request *req, struct bus_reply *rep)
{
    pid_t pid = fork();

    if (pid == 0) {
        service_child_unblock_signals();
        execlp("sleep", "sleep", "30", (char *)NULL);
        _exit(127);
    }
    return pid < 0 ? -errno : (int)pid;
}

/* service <name> <node> */
static int role_service(char **argv)
{
    struct service *s = service_new(argv[1], argv[2]);
    int reloads = 0;
    int rc;

    if (s == NULL)
        return 1;
    service_on_reload(s, on_reload, &reloads);
    bus_server_add_method(service_bus(s), M_RELOADS, BUS_METHOD_IDEMPOTENT, on_reloads,
                          &reloads);
    bus_server_add_method(service_bus(s), M_SPAWN, BUS_METHOD_IDEMPOTENT, on_spawn, NULL);
    rc = service_run(s);
    service_destroy(&s);
    return rc == 0 ? 0 : 1;
}

/* ---- helpers ---------------------------------------------------------- */

static pid_t spawn(const char *name, const char *node, const char *log_path)
{
    const char *args[] = {"service", name, node, NULL};

    return proc_spawn(log_path, args);
}

static bool wait_listening(const char *ep, int ms)
{
    uint64_t end = deadline_after_ms(ms);

    while (bus_probe(ep) != 0) {
        if (now_ns() >= end)
            return false;
        usleep(2000);
    }
    return true;
}

/* Call M_RELOADS until it returns want, within ms. */
static int wait_reloads(struct bus_client *c, int want, int ms)
{
    uint64_t end = deadline_after_ms(ms);
    int r;

    do {
        r = bus_client_call(c, M_RELOADS, NULL, 0, NULL, 0, NULL, 1000);
        if (r == want)
            break;
        usleep(5000);
    } while (now_ns() < end);
    return r;
}

static char *file_slurp(const char *path)
{
    static char buf[16384];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);

    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

/* The SigBlk mask of a process, from /proc. */
static unsigned long long sig_blocked(pid_t pid)
{
    char path[64];
    char *line;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    line = strstr(file_slurp(path), "SigBlk:");
    return line ? strtoull(line + 7, NULL, 16) : ~0ull;
}

static bool wait_exec(pid_t pid, const char *prog, int ms)
{
    uint64_t end = deadline_after_ms(ms);
    char path[64];
    char exe[256];
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    do {
        n = readlink(path, exe, sizeof(exe) - 1);
        if (n > 0) {
            exe[n] = '\0';
            if (strstr(exe, prog) != NULL)
                return true;
        }
        usleep(2000);
    } while (now_ns() < end);
    return false;
}

/* ---- the test --------------------------------------------------------- */

int main(int argc, char **argv)
{
    struct run_folder rf;
    struct bus_client *c;
    const char *tmp_dir;
    char ctl[160], lock[160], log_a[160], log_b[160], want[256];
    const char *text;
    pid_t a, b, g;
    int ws, fd;
    const unsigned long long ours =
        (1ull << (SIGTERM - 1)) | (1ull << (SIGINT - 1)) | (1ull << (SIGHUP - 1));

    if (argc > 3 && strcmp(argv[1], "service") == 0)
        return role_service(argv + 1);

    plan(25);
    log_init("test_service", NODE);
    tmp_dir = proc_tmp_dir("svc");
    setenv("OUROBUS_LOG", "info", 1);
    if (run_folder_for_daemon(&rf, NODE) < 0)
        bail_out("no run folder");
    run_folder_endpoint(&rf, SVC ".ctl", ctl, sizeof(ctl));
    run_folder_file(&rf, SVC ".lock", lock, sizeof(lock));
    snprintf(log_a, sizeof(log_a), "%s/a.log", tmp_dir);
    snprintf(log_b, sizeof(log_b), "%s/b.log", tmp_dir);

    a = spawn(SVC, NODE, log_a);
    ok(wait_listening(ctl, 5000), "the first instance starts and listens");
    ok(atoi(file_slurp(lock)) == a, "its pid is in the lock file");

    b = spawn(SVC, NODE, log_b);
    ws = proc_wait(b, 5000);
    ok(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) != 0, "a second instance refuses to start");
    text = file_slurp(log_b);
    diag("second instance said: %.*s", (int)strcspn(text, "\n"), text);
    ok(strstr(text, "already runs on node " NODE) != NULL, "it names the node");
    snprintf(want, sizeof(want), "pid %d,", (int)a);
    ok(strstr(text, want) != NULL, "it names the pid holding the lock");
    ok(strstr(text, lock) != NULL, "it names the lock file");

    c = bus_client_new(ctl, "test-service");
    ok(kill(a, 0) == 0 && bus_client_call(c, M_RELOADS, NULL, 0, NULL, 0, NULL, 3000) == 0,
       "the first instance is unharmed and answers");
    ok(bus_probe(ctl) == 0 && atoi(file_slurp(lock)) == a, "its socket and lock are intact");

    kill(a, SIGHUP);
    is(wait_reloads(c, 1, 5000), 1, "SIGHUP calls the reload callback");
    kill(a, SIGHUP);
    is(wait_reloads(c, 2, 5000), 2, "again");
    ok(kill(a, 0) == 0, "and the service keeps running");

    text = file_slurp(log_a);
    snprintf(want, sizeof(want), " " SVC "@" NODE "[%d] info: started", (int)a);
    ok(strstr(text, want) != NULL, "log lines carry service@node[pid]");
    ok(strstr(text, "SIGHUP: reload") != NULL, "the reload is logged");

    ok((sig_blocked(a) & ours) == ours, "the service blocks SIGTERM, SIGINT, SIGHUP");
    g = bus_client_call(c, M_SPAWN, NULL, 0, NULL, 0, NULL, 3000);
    ok(g > 0 && wait_exec(g, "sleep", 5000), "the service spawned a program");
    is(g > 0 ? (long long)(sig_blocked(g) & ours) : -1, 0, "which has the signals unblocked");
    if (g > 0)
        kill(g, SIGKILL);

    bus_client_destroy(&c);
    kill(a, SIGTERM);
    ws = proc_wait(a, 5000);
    ok(proc_exited(ws, 0), "SIGTERM: clean exit, status 0");
    fd = open(lock, O_RDWR);
    ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "the lock is released");
    if (fd >= 0)
        close(fd);
    is(bus_probe(ctl), -ENOENT, "the socket file is removed");
    text = file_slurp(log_a);
    ok(strstr(text, "SIGTERM: shutting down") != NULL && strstr(text, "stopped") != NULL,
       "the shutdown is logged");

    b = spawn(SVC, NODE, log_b);
    ok(wait_listening(ctl, 5000), "now another instance starts");
    kill(b, SIGINT);
    ws = proc_wait(b, 5000);
    ok(proc_exited(ws, 0), "SIGINT: clean exit, status 0");

    b = spawn("../bad", NODE, log_b);
    ws = proc_wait(b, 5000);
    ok(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) != 0, "an invalid service name is refused");
    is(service_name_check("shim-udp.udp0"), 0, "service names may carry an instance");
    is(service_name_check(".hidden"), -EINVAL, "but not start with a dot");
    return done();
}
