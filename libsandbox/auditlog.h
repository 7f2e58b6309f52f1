/* The audit log: JSON lines from the Sentries, appended by the runtime (the
   Sentry has no view of host files), whole lines only, under a lock that
   every sandbox-runtime and sandboxd share, rotated when it would pass its
   size cap (FILE -> FILE.1 -> ... -> FILE.N, the oldest dropped). */
#ifndef SB_AUDITLOG_H
#define SB_AUDITLOG_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define SB_AUDIT_LOG_KEEP 4   /* rotated files kept */

struct sb_audit_log
{
  char path[4096];
  int fd;
  int lockfd;
  uint64_t max_bytes;          /* 0: never rotate */
  char partial[8192];          /* a line not yet complete */
  size_t npartial;
  int discarding;              /* inside a line too long to keep: until its end */
};

int sb_audit_log_open (struct sb_audit_log *l, const char *path, uint64_t max_bytes,
                       sb_error_t *err);
/* Bytes from a Sentry: every complete line is appended. */
void sb_audit_log_feed (struct sb_audit_log *l, const char *data, size_t n);
void sb_audit_log_close (struct sb_audit_log *l);

#endif
