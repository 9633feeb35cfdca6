/*
 * log.h - one log line per event, tagged with the service and node name:
 *   2026-11-21T20:06:01.123 irmd@default[1234] warn: message
 * Lines go to stderr (one write each) and, when asked, to syslog.
 */
#ifndef OUROBUS_LOG_H
#define OUROBUS_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DBG };

/* Name this process in every line: service (e.g. "irmd") and node. The level
 * comes from OUROBUS_LOG (err, warn, info, debug) unless set later. */
void log_init(const char *service, const char *node);

/* Whether log_init ran (a daemon set its own tag and level). */
bool log_ready(void);

/* Also send lines to syslog (daemon facility). */
void log_use_syslog(bool on);

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);

/* Parse "err", "warn", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *s);

__attribute__((format(printf, 2, 3))) void log_msg(enum log_level lvl, const char *fmt, ...);

#define log_err(...)  log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_dbg(...)                                                                           \
    do {                                                                                       \
        if (log_get_level() >= LOG_LVL_DBG)                                                    \
            log_msg(LOG_LVL_DBG, __VA_ARGS__);                                                 \
    } while (0)

#endif
