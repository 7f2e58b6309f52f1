/* Mount-namespace helpers shared by the Sentry, the Gofer and the app's init. */
#ifndef SB_MOUNTS_H
#define SB_MOUNTS_H

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

/* Entries of /proc and /sys that describe or reach the host's kernel (the
   set Docker masks, and more): in the sandbox they are covered by empty
   read-only mounts (sb_mask_path), so that nothing below them is reachable
   by any route, and the Gofer answers ENOENT for them. */
extern const char *const sb_masked_paths[];

/* Covers root+path (if it exists) with an empty read-only tmpfs (a
   directory) or a bind of empty_file (anything else), read-only. */
int sb_mask_path (const char *root, const char *path, const char *empty_file, sb_error_t *err);

/* Binds root+path onto itself, read-only (recursively). */
int sb_bind_read_only (const char *root, const char *path, sb_error_t *err);

#endif
