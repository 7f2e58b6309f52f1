/* Side-effect-free helpers and thin wrappers over the OS used everywhere. */
#ifndef SB_UTIL_H
#define SB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

/* Loop over partial writes and EINTR. Return 0 or -errno. */
int sb_write_all (int fd, const void *buf, size_t len);
/* fork() with clone flags (namespaces, the exit signal), the child placed
   in the cgroup v2 directory cgroup_fd from its first instruction
   (clone3's CLONE_INTO_CGROUP: only the read side of the kernel's
   threadgroup lock, where a later move by pid waits for its write side).
   cgroup_fd < 0, or a kernel without it (before 5.7): a plain clone, and
   *placed says which. Returns as fork() does. */
pid_t sb_clone_into_cgroup (unsigned long flags, int cgroup_fd, bool *placed);
/* The same (flags without CLONE_NEWPID), the child made in the pid
   namespace pidns (one below ours) instead of ours or a new one; our
   later children are in ours again (own: our pid namespace, opened). A
   child whose clone cannot be followed by that return is killed and
   reaped: -1 with errno, as when the join or the clone fails. */
pid_t sb_clone_in_pid_ns (int pidns, int own, unsigned long flags, int cgroup_fd, bool *placed);
/* The identity of the namespace file st describes, "DEV:INO": the form in
   which sandboxd admits a namespace and a monitor checks the one it joins. */
struct stat;
void sb_ns_identity (const struct stat *st, char *out, size_t len);
/* The resource of an rlimit's name as the OCI config spells it
   ("RLIMIT_NOFILE"), or -1 for a name the kernel has no limit of. */
int sb_rlimit_by_name (const char *name);
/* Read exactly len bytes; -EIO on early EOF. */
int sb_read_all (int fd, void *buf, size_t len);
/* Write a string to a file that must already exist (cgroup and proc knobs). */
int sb_write_file (const char *path, const char *content, sb_error_t *err);
/* Replaces path with data, whole or not at all: a temporary file beside it,
   fsync, rename, fsync of the directory. Returns 0 or -errno. */
int sb_write_atomic (const char *path, const void *data, size_t len, mode_t mode);
/* rm -rf --one-file-system of dirfd/name (AT_FDCWD and a path work), never
   following a symbolic link, at any depth. Returns 0 or -errno (EXDEV when
   it meets another mount, which it leaves alone). */
int sb_remove_tree (int dirfd, const char *name);
/* Read a small file into a NUL-terminated buffer (max bytes). Returns length or -errno. */
ssize_t sb_read_file_at (int dirfd, const char *path, char *buf, size_t max);

/* From /proc/<pid>/stat (pid 0: our own): the parent's pid and the start
   time in clock ticks since boot, which with the pid names one process
   for as long as the host runs (a pid is reused, the pair is not).
   Returns 0 or -errno (-ESRCH: no such process). */
int sb_proc_stat (pid_t pid, pid_t *ppid, unsigned long long *start);
/* Whether pid is still the process that started at start (sb_proc_stat's),
   not one that reused its number. */
bool sb_proc_started_at (pid_t pid, unsigned long long start);
/* Whether pid's parent is now parent. */
bool sb_proc_child_of (pid_t pid, pid_t parent);
/* Waits up to timeout_ms (< 0: for ever) for process pid to end, woken by
   its pidfd when it does (no polling at intervals). Any process, not only
   a child; a child still needs its waitpid. Returns 0 once it has ended
   (or there is no such process), -ETIMEDOUT, or -errno. */
int sb_wait_exit (pid_t pid, int timeout_ms);
/* Waits for child pid to end, for at most timeout_s seconds (<= 0: for
   ever), and reaps it into *status. One still running then is killed
   (SIGKILL) and reaped: -ETIMEDOUT. Returns 0, -ETIMEDOUT or -errno (a
   wait that failed: the child is killed and reaped if it can be). */
int sb_wait_child (pid_t pid, long long timeout_s, int *status);

/* Parse a whole string as a base-10 integer within [min, max]. */
int sb_parse_long (const char *s, long min, long max, long *out);

/* Join base (absolute) and rel into out; rel absolute wins. -ENAMETOOLONG if it does not fit. */
int sb_path_join (char *out, size_t outlen, const char *base, const char *rel);
/* True if path equals prefix or continues it with '/'. */
bool sb_path_has_prefix (const char *path, const char *prefix);
/* True if path is, or lies under, one of the n paths of list ("/" is above
   everything): how a tenant's path rules match a canonical name. */
bool sb_path_under_any (const char *path, const char *const *list, int n);

/* Monotonic time in nanoseconds. */
uint64_t sb_now_ns (void);
/* The wall-clock time now, UTC, as RFC 3339 with nanoseconds
   ("2026-12-01T00:41:22.123456789Z"), as Docker and runc write it. */
void sb_now_iso (char *buf, size_t len);
/* The same with DIGITS (1-9) digits of the second's fraction. */
void sb_now_iso_digits (char *buf, size_t len, int digits);

/* The directory that holds the helper binaries (sandbox-sentry, sandbox-gofer):
   $SANDBOX_LIBEXEC_DIR if set (tests), else the configured libexec dir. */
const char *sb_libexec_dir (void);

/* Close every descriptor >= lowfd except those listed. */
void sb_close_fds_except (int lowfd, const int *keep, int nkeep);

#endif
