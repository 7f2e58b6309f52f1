/* The audit log: one JSON object per line, each written with a single
   write to a pipe the runtime reads (it appends them to the log file).

   A sandbox writes at most SB_AUDIT_RATE lines a second over time, in
   bursts of up to SB_AUDIT_BURST (a token bucket): a loop of refused calls
   costs its author, not the log's disk or the other tenants. What the
   bucket or a full pipe drops is counted, and the count is written as one
   {"action":"suppressed","count":N} line when lines flow again (at most one
   such line a second), and at the end. */
#ifndef SB_AUDIT_H
#define SB_AUDIT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#define SB_AUDIT_RATE 100
#define SB_AUDIT_BURST 500

struct sb_audit
{
  int fd;                  /* < 0: no audit log */
  const char *container;
  pthread_mutex_t lock;
  double tokens;
  uint64_t last_ns;
  uint64_t suppressed;
  uint64_t reported_ns;    /* when the last count of suppressed lines was written */
};

void sb_audit_init (struct sb_audit *a, int fd, const char *container);

/* {"time","container","pid","syscall","nr","args","action","errno"}; name
   may be NULL for an unknown number. */
void sb_audit_syscall (struct sb_audit *a, pid_t pid, const char *name, long nr,
                       const uint64_t args[6], const char *action, int err);

/* Writes the count of suppressed lines, if any. */
void sb_audit_flush (struct sb_audit *a);

#endif
