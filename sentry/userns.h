/* The tenant's user namespace and the mounts that show host files through
   it. See docs/ARCHITECTURE.md ("User namespace"). */
#ifndef SB_USERNS_H
#define SB_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include "creds.h"
#include "error.h"

/* A user namespace mapping container ids 0..count-1 to host ids
   host..host+count-1, owned by host id `host` (so the kernel charges the
   per-user quotas above it to the tenant, never to host root). procfd: a
   procfs of the caller's pid namespace. Returns an fd of the namespace. */
int sb_userns_create (const struct sb_idmap *m, int procfd, sb_error_t *err);

/* A detached copy of the mount at fd (of the caller's mount namespace),
   with its submounts when recursive. Returns the tree's fd. */
int sb_mount_clone (int fd, bool recursive, const char *what, sb_error_t *err);
/* Sets MOUNT_ATTR_* attributes on a detached tree (all of it), private
   propagation, and when userns_fd >= 0 an id mapping on its top mount (then
   a host file owned by id i shows as container id i). */
int sb_mount_set (int tree, uint64_t attrs, int userns_fd, const char *what, sb_error_t *err);
/* Attaches a detached tree at dst. */
int sb_mount_attach (int tree, const char *dst, sb_error_t *err);
/* Attaches a detached tree on the inode an O_PATH descriptor names. */
int sb_mount_attach_fd (int tree, int dstfd, sb_error_t *err);

#endif
