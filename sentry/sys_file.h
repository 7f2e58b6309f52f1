/* Helpers shared by the Sentry's file handlers (sys_path.c, sys_open.c,
   sys_file.c, sys_dir.c); not for the other families. */
#ifndef SB_SYS_FILE_H
#define SB_SYS_FILE_H

#include "sentry.h"

#include <sys/stat.h>
#include <sys/types.h>

#define PATH_BUF SB_GOFER_PATH_MAX

/* The answer of the last sb_gofer() of this thread's lane (gofer_client.c). */
#define sb_last_answer (*sb_lane_answer ())
/* Every Gofer request carries the caller's credentials. */
int sb_gofer_request_cred (struct sb_call *c, struct sb_gofer_req *req);
/* The capabilities access() without AT_EACCESS checks with. */
uint64_t sb_access_caps (const struct sb_task_status *st);

/* fcntl(F_SETFL) changes only these. */
#define SB_SETFL_FLAGS (O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME | O_NONBLOCK)

/* directfs.c: stat, access, readlink and read-only opens without the
   Gofer's hop, where the answer is certain to be the Gofer's. Each returns
   its answer (a value, a descriptor or -errno), or SB_DIRECT_NO: ask the
   Gofer. sb_direct_open may also return SB_DIRECT_LATER: a lease is being
   broken, *pathfd (O_PATH, vetted) is to be reopened off the main loop. */
#define SB_DIRECT_NO (-0x10000)
#define SB_DIRECT_LATER (-0x10001)
int sb_direct_stat (struct sb_call *c, const char *path, bool nofollow, unsigned mask, struct statx *stx);
int sb_direct_access (struct sb_call *c, const char *path, int mode, bool eaccess);
ssize_t sb_direct_readlink (struct sb_call *c, const char *path, char *buf, size_t len);
int sb_direct_open (struct sb_call *c, const char *path, int flags, int *pathfd);
/* The serving thread keeps the file credentials it took for a caller
   between fast-path calls. sb_direct_release puts back the Sentry's own;
   sb_direct_settle does so before any call that cannot take the fast path
   (sentry_dispatch); sb_direct_forget: caller.c has just set every
   credential itself. */
void sb_direct_release (struct sentry *s);
void sb_direct_settle (struct sb_call *c);
void sb_direct_forget (void);

/* sys_path.c */
/* Copies a NUL-terminated path (at most len bytes) and checks the call is
   still valid: its length, or -errno. */
int sb_read_path (struct sb_call *c, uint64_t addr, char *raw, size_t len);
/* A path argument as the app wrote it (PATH_BUF bytes): -ENOENT if empty. */
int sb_read_app_path (struct sb_call *c, uint64_t addr, char *raw);
int sb_path_redirected (struct sb_call *c, char *path, size_t len);
/* Where a dirfd (or the cwd, AT_FDCWD) is, as a path in the container:
   -EBADF, -ENOTDIR for a descriptor that is not a directory whatever its
   name, -ENOENT for a removed directory. */
int sb_base_dir (struct sb_call *c, int dirfd, char *out, size_t len);
/* A path argument for a call that follows (or not) its final symlink;
   *translated (may be NULL) tells that a /proc/self-style symlink or a
   magic link was rewritten, *magic (may be NULL) that a magic link was
   (/proc/<pid>/cwd, root, exe, fd/N: where it leads put in its place). */
int sb_app_path_follow (struct sb_call *c, int dirfd, uint64_t addr, char *out, bool follow);
int sb_app_path_translated (struct sb_call *c, int dirfd, uint64_t addr, char *out, bool follow,
                            bool *translated, bool *magic);
/* AT_EMPTY_PATH: an empty string with the flag means the dirfd itself. */
int sb_empty_path_fd (struct sb_call *c, int dirfd, uint64_t addr, int flags, bool *is_empty);
/* "/proc/<pid>/fd/<n>" of the caller's own process: *fdnum. */
bool sb_own_fd_path (struct sb_call *c, const char *path, int *fdnum);
/* The file a followed "/proc/<pid>/fd/<n>" names: a copy of the caller's
   own descriptor n, or of another process's after the kernel's ptrace-read
   check (sb_other_fd); -errno (ENOENT for a descriptor that is not open:
   the link is missing); 0 when path is no such link. */
int sb_fd_link_file (struct sb_call *c, const char *path);
/* The kernel's name of fd, one of the Sentry's own descriptors, read in
   its procfs: for a file of the container, its path in the mount
   namespace it was opened in. -1 when it has none (a pipe, a socket). */
int sb_fd_name (const struct sentry *s, int fd, char *out, size_t len);
/* 0, or ENOENT when the file of fd (the Sentry's copy of an app's
   descriptor) has a name the tenant's rules hide, or EROFS when one they
   make read-only and change is set: for the calls on a file through a
   descriptor. */
int sb_fd_check (struct sb_call *c, int fd, bool change);
bool sb_own_ns_path (struct sb_call *c, const char *path, char *name, size_t len);
/* proc_links.c: another process's cwd, root or directory fd/N in a path
   (followed at its end or not): replaced by where it leads in the
   container (1), 0 if none, -errno (EACCES as Linux answers). */
int sb_resolve_other_links (struct sb_call *c, char *path, size_t len, bool follow_last);
/* "/proc/<pid>/fd/<n>" of another process of the sandbox that the caller
   may ptrace-read: a copy of that descriptor (> 0); 0 if the path is not
   such a link; -errno (EACCES as Linux answers, ENOENT). */
int sb_other_fd (struct sb_call *c, const char *path);
int sb_other_ns_fd (struct sb_call *c, const char *path);
/* Writes into the app's memory after checking the call is still valid. */
int sb_copy_out (struct sb_call *c, uint64_t addr, const void *buf, size_t len);

/* sys_open.c: truncate(2) of a leased file, on a worker (srcfd: an O_PATH
   from the Gofer, consumed). */
long sb_truncate_later (struct sb_call *c, int srcfd, off_t length);

#endif
