/*
 * node_proc.c - the processes of the launcher: finding the programs,
 * starting them as processes of a node (in its namespace), running a
 * command with a deadline, and stopping a process known by its pid and
 * start time (a pid alone may have been reused).
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long launcher_now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void launcher_sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};

    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

void launcher_say(const struct launcher *l, const char *fmt, ...)
{
    va_list ap;

    if (l->quiet)
        return;
    va_start(ap, fmt);
    fputs("ourobus: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

static int found(const char *cand, char *out, size_t len)
{
    char real[PATH_MAX];

    if (access(cand, X_OK) != 0)
        return -ENOENT;
    if (realpath(cand, real) == NULL)
        return -errno;
    if (snprintf(out, len, "%s", real) >= (int)len)
        return -ENAMETOOLONG;
    return 0;
}

int launcher_find(const struct launcher *l, const char *prog, char *out, size_t len)
{
    const char *path = getenv("PATH");
    char cand[PATH_MAX + 2 * NAME_MAX];

    if (strchr(prog, '/') != NULL)
        return found(prog, out, len);
    snprintf(cand, sizeof(cand), "%s/%s", l->exe_dir, prog);
    if (found(cand, out, len) == 0)
        return 0;
    /* the build tree: tools/<tool>/<tool>, services/<svc>/ourobus-<svc> */
    snprintf(cand, sizeof(cand), "%s/../%s/%s", l->exe_dir, prog, prog);
    if (found(cand, out, len) == 0)
        return 0;
    if (strncmp(prog, "ourobus-", 8) == 0) {
        size_t n = strlen(prog + 8);

        /* services/<svc>/ourobus-<svc>, and services/irm/ourobus-irmd */
        snprintf(cand, sizeof(cand), "%s/../../services/%s/%s", l->exe_dir, prog + 8, prog);
        if (found(cand, out, len) == 0)
            return 0;
        snprintf(cand, sizeof(cand), "%s/../../services/%.*s/%s", l->exe_dir,
                 (int)(n > 1 && prog[8 + n - 1] == 'd' ? n - 1 : n), prog + 8, prog);
        if (found(cand, out, len) == 0)
            return 0;
        snprintf(cand, sizeof(cand), "%s/../sbin/%s", l->exe_dir, prog);
        if (found(cand, out, len) == 0)
            return 0;
    }
    while (path != NULL && *path != '\0') {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);

        snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, path, prog);
        if (found(cand, out, len) == 0)
            return 0;
        path = colon ? colon + 1 : NULL;
    }
    return -ENOENT;
}

/* In the child: the node, the namespace, the output. Never returns. */
static void child_exec(const char *const *argv, const char *node, const char *netns, int out_fd)
{
    int null = open("/dev/null", O_RDONLY);

    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    if (out_fd >= 0) {
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
        close(out_fd);
    }
    if (node != NULL)
        setenv("OUROBUS_NODE", node, 1);
    if (netns != NULL && netns[0] != '\0') {
        char p[128];
        int fd;

        snprintf(p, sizeof(p), "/var/run/netns/%s", netns);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
            fprintf(stderr, "ourobus: cannot enter the network namespace %s: %s\n", netns,
                    strerror(errno));
            _exit(126);
        }
        close(fd);
    }
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "ourobus: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

pid_t launcher_spawn(const char *const *argv, const char *node, const char *netns,
                     const char *log)
{
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    pid_t pid;

    if (fd < 0)
        return -errno;
    pid = fork();
    if (pid < 0) {
        int err = errno;

        close(fd);
        return -err;
    }
    if (pid == 0) {
        /* its own session: a signal to the launcher's terminal is not for it */
        setsid();
        child_exec(argv, node, netns, fd);
    }
    close(fd);
    return pid;
}

int launcher_run(const char *const *argv, const char *node, char *out, size_t len,
                 int timeout_ms)
{
    long long end = launcher_now_ms() + timeout_ms;
    size_t n = 0;
    int pfd[2];
    int status;
    pid_t pid;

    if (pipe2(pfd, O_CLOEXEC) < 0)
        return -errno;
    pid = fork();
    if (pid < 0) {
        int err = errno;

        close(pfd[0]);
        close(pfd[1]);
        return -err;
    }
    if (pid == 0) {
        close(pfd[0]);
        child_exec(argv, node, NULL, pfd[1]);
    }
    close(pfd[1]);
    for (;;) {
        long long left = end - launcher_now_ms();
        struct pollfd p = {pfd[0], POLLIN, 0};
        char buf[512];
        ssize_t r;

        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            close(pfd[0]);
            return -ETIMEDOUT;
        }
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        r = read(pfd[0], buf, sizeof(buf));
        if (r <= 0)
            break;
        for (ssize_t i = 0; out != NULL && i < r && n + 1 < len; i++)
            out[n++] = buf[i];
    }
    if (out != NULL && len > 0)
        out[n] = '\0';
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

unsigned long long launcher_start_time(pid_t pid)
{
    char p[64];
    char buf[1024];
    unsigned long long start = 0;
    char *s;
    FILE *f;
    size_t n;

    snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
    f = fopen(p, "r");
    if (f == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* after "pid (comm) ": state is field 3, starttime field 22 */
    s = strrchr(buf, ')');
    if (s == NULL || strlen(s) < 3)
        return 0;
    if (sscanf(s + 2,
               "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
               "%*d %llu",
               &start) != 1)
        return 0;
    if (s[2] == 'Z' || s[2] == 'X')
        return 0; /* a zombie is gone for us */
    return start;
}

bool launcher_alive(pid_t pid, unsigned long long start)
{
    unsigned long long now;

    if (pid <= 0)
        return false;
    now = launcher_start_time(pid);
    return now != 0 && (start == 0 || now == start);
}

int launcher_stop(pid_t pid, unsigned long long start, int timeout_ms)
{
    long long end = launcher_now_ms() + timeout_ms;

    if (!launcher_alive(pid, start))
        return 0;
    kill(pid, SIGTERM);
    while (launcher_now_ms() < end) {
        /* our own child (an up that failed) is reaped here */
        waitpid(pid, NULL, WNOHANG);
        if (!launcher_alive(pid, start))
            return 0;
        launcher_sleep_ms(20);
    }
    kill(pid, SIGKILL);
    end = launcher_now_ms() + 2000;
    while (launcher_now_ms() < end) {
        waitpid(pid, NULL, WNOHANG);
        if (!launcher_alive(pid, start))
            return 0;
        launcher_sleep_ms(20);
    }
    return -ETIMEDOUT;
}
