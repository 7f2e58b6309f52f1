#include "hostpath.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SB_LOCALSTATEDIR
#define SB_LOCALSTATEDIR "/var"
#endif
#ifndef SB_SYSCONFDIR
#define SB_SYSCONFDIR "/etc"
#endif

/* What no sandbox may mount, nor any directory above them: the daemon's
   state, its configuration and keys, its sockets, the logs. */
static const char *const state_dirs[] = {
  SB_LOCALSTATEDIR "/lib/sandboxd", SB_SYSCONFDIR "/sandboxd", "/run/sandboxd",
  SB_LOCALSTATEDIR "/log/sandboxd", NULL,
};

static bool
syntactically_clean (const char *path)
{
  const char *p = path;

  if (path[0] != '/')
    return false;
  while (*p)
    {
      const char *start;
      size_t n;

      while (*p == '/')
        p++;
      start = p;
      while (*p && *p != '/')
        p++;
      n = (size_t) (p - start);
      if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.'))
        return false;
    }
  return true;
}

/* Is st the host root or an ancestor-or-self of a state directory? Each
   existing ancestor is compared by device and inode, so a bind mount or a
   second name of one of them is caught too. */
static const char *
protected_dir (const struct stat *st)
{
  char buf[4096];
  int i;

  for (i = 0; state_dirs[i]; i++)
    {
      snprintf (buf, sizeof (buf), "%s", state_dirs[i]);
      for (;;)
        {
          struct stat a;
          char *slash;

          if (stat (buf[0] ? buf : "/", &a) == 0 && a.st_dev == st->st_dev && a.st_ino == st->st_ino)
            return state_dirs[i];
          if (buf[0] == '\0')
            break;
          slash = strrchr (buf, '/');
          if (slash == NULL)
            break;
          *slash = '\0';
        }
    }
  return NULL;
}

static bool
pseudo_filesystem (long type)
{
  static const long types[] = {
    PROC_SUPER_MAGIC, SYSFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC,
    SECURITYFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC, BPF_FS_MAGIC, NSFS_MAGIC,
    0x42494e4d /* binfmt_misc */,
  };
  size_t i;

  for (i = 0; i < sizeof (types) / sizeof (types[0]); i++)
    if (type == types[i])
      return true;
  return false;
}

int
sb_open_host_path (const char *path, const char *what, sb_error_t *err)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC,
    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  cleanup_close int fd = -1;
  struct stat st;
  struct statfs sfs;
  const char *which;

  if (!syntactically_clean (path))
    return sb_error (err, EINVAL, "%s `%s`: give an absolute path without \".\" or \"..\"", what, path);
  fd = syscall (SYS_openat2, AT_FDCWD, path, &how, sizeof (how));
  if (fd < 0 && errno == ELOOP)
    return sb_error (err, ELOOP, "%s `%s`: a symbolic link is on the way (give the real path; "
                     "links are not followed, so one cannot be swapped in)", what, path);
  if (fd < 0)
    return sb_error (err, errno, "%s `%s`", what, path);
  if (fstat (fd, &st) < 0 || fstatfs (fd, &sfs) < 0)
    return sb_error (err, errno, "%s `%s`", what, path);
  if ((which = protected_dir (&st)) != NULL)
    return sb_error (err, EPERM, "%s `%s`: refused: it is the host root or contains the "
                     "sandbox's state (%s)", what, path, which);
  if (pseudo_filesystem ((long) sfs.f_type))
    return sb_error (err, EPERM, "%s `%s`: refused: a kernel pseudo-filesystem", what, path);
  return steal_fd (&fd);
}

int
sb_open_host_shm (const char *path, char *id, size_t len, sb_error_t *err)
{
  cleanup_close int fd = sb_open_host_path (path, "/dev/shm source", err);
  struct statfs sfs;
  struct statx stx;
  struct stat st;

  if (fd < 0)
    return -1;
  if (fstatfs (fd, &sfs) < 0 || fstat (fd, &st) < 0
      || statx (fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_TYPE, &stx) < 0)
    return sb_error (err, errno, "/dev/shm source `%s`", path);
  if (sfs.f_type != TMPFS_MAGIC || !S_ISDIR (st.st_mode) || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
      || !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return sb_error (err, EPERM, "/dev/shm source `%s`: refused: not the root of a tmpfs mount", path);
  sb_ns_identity (&st, id, len);
  return steal_fd (&fd);
}

int
sb_fd_host_path (int fd, char *out, size_t len)
{
  char link[64];
  ssize_t n;

  snprintf (link, sizeof (link), "/proc/self/fd/%d", fd);
  n = readlink (link, out, len - 1);
  if (n < 0)
    return -errno;
  if ((size_t) n >= len - 1)
    return -ENAMETOOLONG;
  out[n] = '\0';
  return 0;
}
