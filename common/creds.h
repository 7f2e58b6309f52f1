/* The credentials of a sandboxed thread, and acting with them.

   The Sentry and the Gofer do work for the app: open, create, chmod,
   connect, send. The kernel's own checks must see the caller, not the
   helper, so a helper thread takes the caller's ids, groups and effective
   capabilities before the operation (sb_cred_assume) and its own after
   (sb_cred_assume of the helper's). Both helpers live in the tenant's user
   namespace by then, so the ids are the caller's as the sandbox sees them
   and the capabilities reach the tenant's objects only.

   Each change is per thread (raw system calls: glibc's wrappers would
   change every thread of the process), and the helpers set
   SECBIT_NO_SETUID_FIXUP so that changing ids never changes capabilities
   behind their back: capabilities are set explicitly, last. */
#ifndef SB_CREDS_H
#define SB_CREDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

#define SB_CRED_MAX_GROUPS 64

/* A tenant's ids: container id i is host id host + i, for i < count. */
struct sb_idmap
{
  uint32_t host;
  uint32_t count;
};

struct sb_cred
{
  uint32_t uid, euid, suid, fsuid;
  uint32_t gid, egid, sgid, fsgid;
  uint64_t cap_eff;
  uint32_t ngroups;
  uint32_t groups[SB_CRED_MAX_GROUPS];
};

/* What a /proc/<tid>/status text says of the thread (as ids of the user
   namespace of whoever opened it). Also its umask and innermost pid and tid.
   Returns 0, -EINVAL (malformed) or -E2BIG (more groups than we carry). */
struct sb_task_status
{
  struct sb_cred cred;
  uint64_t cap_prm;     /* permitted capabilities (the effective set if not given) */
  mode_t umask;
  pid_t tgid;           /* in the pid namespace of the procfs it was read from */
  pid_t nspid, nstid;   /* in the innermost pid namespace */
};
int sb_parse_task_status (const char *text, struct sb_task_status *out);
/* One hexadecimal mask of a status text (SigPnd, SigBlk, CapEff...); 0 if
   the line is missing or malformed. */
uint64_t sb_status_mask (const char *text, const char *name);

bool sb_cred_equal (const struct sb_cred *a, const struct sb_cred *b);

/* The calling thread's own credentials (read from the kernel). */
int sb_cred_self (struct sb_cred *out, sb_error_t *err);

/* Makes the calling thread act as c: groups, gids, uids (real, effective,
   saved, fs), then effective capabilities c->cap_eff & permitted. The
   thread must hold CAP_SETUID, CAP_SETGID in its permitted set and
   SECBIT_NO_SETUID_FIXUP. only_fs: set just the fs ids and groups (the
   Gofer: file permission checks read nothing else). Returns 0 or -errno;
   on failure the thread is put back to `restore`, or killed if that fails
   too (a helper with a caller's half-applied identity must not go on). */
int sb_cred_assume (const struct sb_cred *c, const struct sb_cred *restore, bool only_fs);

/* SECBIT_NO_SETUID_FIXUP (locked) for the calling thread and the threads
   it creates after. Needs CAP_SETPCAP. */
int sb_cred_fix_securebits (sb_error_t *err);

/* Joins a user namespace (single-threaded callers only) as its root
   (container uid and gid 0, no supplementary groups). */
int sb_userns_enter (int userns_fd, sb_error_t *err);

#endif
