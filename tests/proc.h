/*
 * proc.h - helpers for tests that run real processes: re-execute this test
 * in another role, wait with deadlines, and clean up even on failure.
 */
#ifndef OUROBUS_TEST_PROC_H
#define OUROBUS_TEST_PROC_H

#include "deadline.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROC_MAX 16

static pid_t proc_children[PROC_MAX];
static int proc_n;
static char proc_dir[64];

static inline int proc_rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(p);
}

/* Kill the children still running, remove the temporary folder. */
static inline void proc_cleanup(void)
{
    for (int i = 0; i < proc_n; i++) {
        kill(proc_children[i], SIGKILL);
        waitpid(proc_children[i], NULL, 0);
    }
    proc_n = 0;
    if (proc_dir[0])
        nftw(proc_dir, proc_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh /tmp/ourobus-<tag>-XXXXXX, made the parent of run folders
 * (OUROBUS_RUN_DIR) and removed at exit with the children. */
static inline const char *proc_tmp_dir(const char *tag)
{
    snprintf(proc_dir, sizeof(proc_dir), "/tmp/ourobus-%s-XXXXXX", tag);
    if (mkdtemp(proc_dir) == NULL)
        bail_out("mkdtemp: %s", strerror(errno));
    setenv("OUROBUS_RUN_DIR", proc_dir, 1);
    atexit(proc_cleanup);
    return proc_dir;
}

/* Run this program again with args (NULL-terminated, args[0] the role),
 * its stderr into log_path if not NULL. */
static inline pid_t proc_spawn(const char *log_path, const char *const *args)
{
    char *argv[12];
    pid_t pid;
    int i;

    argv[0] = "test";
    for (i = 0; args[i] != NULL && i < 10; i++)
        argv[i + 1] = (char *)args[i];
    argv[i + 1] = NULL;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        if (log_path != NULL) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

            if (fd >= 0)
                dup2(fd, STDERR_FILENO);
        }
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    if (pid > 0 && proc_n < PROC_MAX)
        proc_children[proc_n++] = pid;
    return pid;
}

/* waitpid with a deadline: the wait status, or -1 if pid did not end. */
static inline int proc_wait(pid_t pid, int ms)
{
    uint64_t end = deadline_after_ms(ms);
    int ws;

    do {
        pid_t r = waitpid(pid, &ws, WNOHANG);

        if (r == pid) {
            for (int i = 0; i < proc_n; i++)
                if (proc_children[i] == pid)
                    proc_children[i] = proc_children[--proc_n];
            return ws;
        }
        if (r < 0)
            return -1;
        usleep(2000);
    } while (now_ns() < end);
    return -1;
}

/* True if the wait status is a normal exit with code. */
static inline bool proc_exited(int ws, int code)
{
    return ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == code;
}

/* Send sig and reap; SIGKILL after 5 s. */
static inline void proc_stop(pid_t pid, int sig)
{
    kill(pid, sig);
    if (proc_wait(pid, 5000) < 0) {
        kill(pid, SIGKILL);
        proc_wait(pid, 5000);
    }
}

/* Wait until path exists, within ms. */
static inline bool proc_wait_file(const char *path, int ms)
{
    uint64_t end = deadline_after_ms(ms);

    while (access(path, F_OK) != 0) {
        if (now_ns() >= end)
            return false;
        usleep(2000);
    }
    return true;
}

#endif
