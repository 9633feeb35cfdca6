/*
 * test_log.c - log lines carry time, service@node, pid and level; the level
 * filters; OUROBUS_LOG sets it.
 */
#include "log.h"
#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static char out[4096];

/* Run fn with stderr captured into out. */
static void capture(void (*fn)(void))
{
    char path[] = "/tmp/ourobus-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    ssize_t n;

    dup2(fd, STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    n = read(fd, out, sizeof(out) - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

static void lines(void)
{
    log_info("hello %d", 42);
    log_dbg("not shown");
    log_err("broken");
}

static void debug_line(void)
{
    log_dbg("shown now");
}

int main(void)
{
    char tag[64];

    plan(8);
    unsetenv("OUROBUS_LOG");
    log_init("svc", "node-a");
    capture(lines);
    snprintf(tag, sizeof(tag), "svc@node-a[%d] info: hello 42\n", (int)getpid());
    ok(strstr(out, tag) != NULL, "an info line names service, node, pid and level");
    ok(out[4] == '-' && out[10] == 'T', "it starts with the date and time");
    ok(strstr(out, "not shown") == NULL, "debug is off by default");
    ok(strstr(out, "err: broken") != NULL, "errors are shown");
    setenv("OUROBUS_LOG", "debug", 1);
    log_init("svc", "node-a");
    capture(debug_line);
    ok(strstr(out, "debug: shown now") != NULL, "OUROBUS_LOG=debug shows debug lines");
    is(log_level_parse("warn"), LOG_LVL_WARN, "'warn' parses");
    is(log_level_parse("error"), LOG_LVL_ERR, "'error' parses");
    is(log_level_parse("loud"), -1, "an unknown level does not");
    return done();
}
