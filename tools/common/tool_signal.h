/*
 * tool_signal.h - SIGINT and SIGTERM end a tool's run: the handler (in the
 * tool's main.c) sets a flag its loops check, and blocking calls return.
 */
#ifndef OUROBUS_TOOLS_TOOL_SIGNAL_H
#define OUROBUS_TOOLS_TOOL_SIGNAL_H

/* Catch SIGINT and SIGTERM with handler (no SA_RESTART, so sleeps end
 * early) and ignore SIGPIPE. 0 or -errno. */
int tool_signal_catch(void (*handler)(int));

/* Back to the default action for sig, then raise it: a second signal
 * while the tool is finishing ends it at once. Async-signal-safe. */
void tool_signal_reraise(int sig);

#endif
