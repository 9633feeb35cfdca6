/*
 * log.c - log lines tagged with service and node. The identity is
 * process-wide, set once at start like openlog(3): the one piece of global
 * state a module here keeps, because every module of the process logs.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static struct {
    char tag[96];
    enum log_level level;
    bool syslog;
    bool init;
} log_id = {.tag = "ourobus", .level = LOG_LVL_INFO};

static const char *const level_names[] = {"err", "warn", "info", "debug"};

int log_level_parse(const char *s)
{
    if (s == NULL)
        return -1;
    for (int i = 0; i <= LOG_LVL_DBG; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    if (strcmp(s, "error") == 0)
        return LOG_LVL_ERR;
    if (strcmp(s, "warning") == 0)
        return LOG_LVL_WARN;
    return -1;
}

void log_init(const char *service, const char *node)
{
    const char *env = getenv("OUROBUS_LOG");
    int lvl = log_level_parse(env);

    snprintf(log_id.tag, sizeof(log_id.tag), "%s@%s", service ? service : "ourobus",
             node ? node : "default");
    if (lvl >= 0)
        log_id.level = (enum log_level)lvl;
    log_id.init = true;
}

bool log_ready(void)
{
    return log_id.init;
}

void log_use_syslog(bool on)
{
    if (on && !log_id.syslog)
        openlog(log_id.tag, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    else if (!on && log_id.syslog)
        closelog();
    log_id.syslog = on;
}

void log_set_level(enum log_level lvl)
{
    log_id.level = lvl;
}

enum log_level log_get_level(void)
{
    return log_id.level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    char line[1024];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    int n;
    int m;

    if (lvl > log_id.level)
        return;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof(line) - (size_t)n,
                  ".%03ld %s[%d] %s: ", (long)tv.tv_usec / 1000, log_id.tag, (int)getpid(),
                  level_names[lvl]);
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += m;
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line: lines of concurrent threads never interleave. */
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* stderr is gone; syslog below may still work */
    }
    if (log_id.syslog) {
        va_start(ap, fmt);
        vsyslog(prio[lvl], fmt, ap);
        va_end(ap);
    }
}
