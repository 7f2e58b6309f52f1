/* Mount-namespace helpers shared by the Sentry, the Gofer and the app's init. */
#ifndef SB_MOUNTS_H
#define SB_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

/* The read-only layers an image may have (each a lower layer of the
   overlay; lowerdir= must fit in a page). */
#define SB_MAX_LAYERS 128

/* Makes dir the root of the calling process's (private) mount namespace and
   detaches the old root, so nothing outside dir stays reachable. */
int sb_pivot_into (const char *dir, sb_error_t *err);
/* A new procfs of the caller's pid namespace, as a detached mount (fsmount):
   nosuid, nodev, noexec. Returns its fd. */
int sb_new_procfs (sb_error_t *err);
/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from rootfd, retried while
   a concurrent rename makes the kernel answer EAGAIN. Returns fd or -errno. */
int sb_open_in_root (int rootfd, const char *path, int flags, mode_t mode);
/* A detached copy of the mount at fd (of the caller's mount namespace),
   with its submounts when recursive. Returns the tree's fd. */
int sb_mount_clone (int fd, bool recursive, const char *what, sb_error_t *err);
/* Sets MOUNT_ATTR_* attributes on a detached tree (all of it), private
   propagation, and when userns_fd >= 0 an id mapping on its top mount (then
   a host file owned by id i shows as container id i). */
int sb_mount_set (int tree, uint64_t attrs, int userns_fd, const char *what, sb_error_t *err);

/* /proc: an entry of its root the app may see (a process, self, the
   files the Sentry answers...). The others are covered by empty read-only
   mounts (sb_mask_procfs), so nothing below them is reachable by any
   route, and the Gofer answers ENOENT for them and all below. */
bool sb_proc_entry_visible (const char *name);
/* Deeper entries of visible /proc and /sys directories that are masked too. */
extern const char *const sb_masked_paths[];
/* The entry name of directory dir (canonical container paths) is masked:
   a /proc entry that is not visible, one of sb_masked_paths, or a
   per-process entry that shows the host's clocks (/proc/<pid>/sched,
   timens_offsets). Masked names answer ENOENT and are left out of listings. */
bool sb_entry_masked (const char *dir, const char *name);
/* For "/proc/<pid>[/task/<tid>]..." what follows ("" or "/..."); else NULL. */
const char *sb_proc_task_rest (const char *path);
bool sb_path_masked (const char *path);
/* A mount point as /proc/<pid>/mountinfo and mounts print it, with the
   kernel's octal escapes (\040 for a space) undone, into out (len bytes,
   cut short if need be). */
void sb_mount_point_unescape (const char *escaped, char *out, size_t len);
/* Masks, in the procfs mounted at root/proc, every entry of its root that
   is not visible, and sb_masked_paths. */
int sb_mask_procfs (const char *root, const char *empty_file, sb_error_t *err);

/* Covers root+path (if it exists) with an empty read-only tmpfs (a
   directory) or a bind of empty_file (anything else), read-only. */
int sb_mask_path (const char *root, const char *path, const char *empty_file, sb_error_t *err);

/* Binds root+path onto itself, read-only (recursively). */
int sb_bind_read_only (const char *root, const char *path, sb_error_t *err);

#endif
