/* Host directories named by an operator or a tenant policy (a --rootfs, a
   volume source), opened once, safely, and used by descriptor from then on.

   A path is never re-resolved after it was checked: the walk below yields
   a descriptor, every check is made on that descriptor, and the mount is
   made from it. So a symlink or a rename swapped in by a tenant who can
   write a parent directory changes nothing once the walk is done, and
   during the walk it can only make it fail. */
#ifndef SB_HOSTPATH_H
#define SB_HOSTPATH_H

#include <stddef.h>
#include "error.h"

/* Opens PATH (absolute, without "." or ".." components) as an O_PATH
   descriptor, walking from the host root with openat2(RESOLVE_NO_SYMLINKS |
   RESOLVE_NO_MAGICLINKS): a symlink anywhere on the way is refused. Also
   refused: the host root itself, a directory that is or contains one of the
   state directories (whatever name reaches it: compared by inode), and the
   kernel's pseudo-filesystems (proc, sysfs, cgroup, devtmpfs...). `what`
   names the object in messages ("--rootfs", "volume data"). */
int sb_open_host_path (const char *path, const char *what, sb_error_t *err);

/* An engine's shared-memory tmpfs (a pod's /dev/shm, which its members
   bind): PATH opened as sb_open_host_path does, and only if it is the root
   of a tmpfs mount. Writes its identity ("DEV:INO", as sb_ns_identity) to
   ID, and returns the O_PATH descriptor. */
int sb_open_host_shm (const char *path, char *id, size_t len, sb_error_t *err);

/* The host path an open descriptor is at now (its /proc/self/fd link). */
int sb_fd_host_path (int fd, char *out, size_t len);

#endif
