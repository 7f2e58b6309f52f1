/* What sandbox-runtime does while a sandbox runs: it relays the operator's
   stdio to the app's (pipes, or the sandbox's own terminal), so that the
   app never holds a descriptor of the operator's files or terminal; it
   appends the Sentry's audit lines to the log; it forwards signals; and it
   waits for the Sentry. The operator's terminal, put in raw mode while a
   sandbox terminal is relayed, is restored on every way out but SIGKILL. */
#ifndef SB_RELAY_H
#define SB_RELAY_H

#include <stdbool.h>
#include <sys/types.h>
#include "auditlog.h"
#include "error.h"

struct sb_relay
{
  pid_t child;        /* the Sentry */
  bool tty;           /* the app has a terminal: its master arrives on ctl */
  int ctl;            /* the Sentry's control socket (-1 without a terminal) */
  int app_in;         /* write end of the app's stdin pipe (no terminal) */
  int app_out;        /* read end of the app's stdout pipe (no terminal) */
  int app_err;        /* read end of the app's stderr pipe (no terminal) */
  int audit;          /* read end of the Sentry's audit pipe */
  struct sb_audit_log *log;
  const int *forward; /* signals to pass on to the Sentry */
  int nforward;
};

/* Relays until the Sentry has exited and its output is drained. Signals in
   forward[] and SIGCHLD, SIGWINCH must be blocked by the caller. Returns
   the Sentry's wait status, or -1 with err set. Closes the descriptors it
   was given. */
int sb_relay_run (struct sb_relay *r, sb_error_t *err);

#endif
