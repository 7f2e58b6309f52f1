/* The audit log: one JSON object per line, appended with a single write. */
#ifndef SB_AUDIT_H
#define SB_AUDIT_H

#include <stdint.h>
#include <sys/types.h>

/* Writes {"time","pid","syscall","nr","args","action","errno"} to fd.
   name may be NULL for an unknown number. fd < 0 writes nothing. */
void sb_audit_syscall (int fd, const char *container, pid_t pid, const char *name, long nr,
                       const uint64_t args[6], const char *action, int err);

#endif
