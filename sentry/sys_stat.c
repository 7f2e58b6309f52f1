/* stat, lstat, newfstatat, statx, access, faccessat(2), readlink(at):
   the calls that look at a path and change nothing: by the Sentry itself
   where directfs.c can answer as the Gofer would, else through the Gofer. */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "fdpass.h"
#include "memory.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>


/* ---- stat family ----------------------------------------------------------- */

static void
statx_to_stat (const struct statx *x, struct stat *st)
{
  memset (st, 0, sizeof (*st));
  st->st_dev = makedev (x->stx_dev_major, x->stx_dev_minor);
  st->st_ino = x->stx_ino;
  st->st_nlink = x->stx_nlink;
  st->st_mode = x->stx_mode;
  st->st_uid = x->stx_uid;
  st->st_gid = x->stx_gid;
  st->st_rdev = makedev (x->stx_rdev_major, x->stx_rdev_minor);
  st->st_size = (off_t) x->stx_size;
  st->st_blksize = x->stx_blksize;
  st->st_blocks = (blkcnt_t) x->stx_blocks;
  st->st_atim.tv_sec = x->stx_atime.tv_sec;
  st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
  st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
  st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
  st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
  st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

/* stat a path (or the AT_EMPTY_PATH fd) into *stx. */
static int
stat_common (struct sb_call *c, int dirfd, uint64_t addr, int flags, unsigned mask,
             struct statx *stx)
{
  char path[PATH_BUF], nsname[32], nslink[64];
  bool empty;
  int fd, ret;

  fd = sb_empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    {
      ret = statx (fd, "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE), mask, stx);
      ret = ret < 0 ? -errno : 0;
      close (fd);
      return ret;
    }
  ret = sb_app_path_follow (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  /* /proc/<pid>/fd/N (another process's after the kernel's check), or
     another process's namespace link: the file's stat. */
  if (!(flags & AT_SYMLINK_NOFOLLOW) && ((fd = sb_fd_link_file (c, path)) != 0 || (fd = sb_other_ns_fd (c, path)) != 0))
    {
      if (fd < 0)
        return fd;
      ret = statx (fd, "", AT_EMPTY_PATH, mask, stx) < 0 ? -errno : 0;
      close (fd);
      return ret;
    }
  if (!(flags & AT_SYMLINK_NOFOLLOW) && sb_own_ns_path (c, path, nsname, sizeof (nsname)))
    {
      /* The Sentry's own look at the caller's namespace: its stat only
         (tools compare namespaces by device and inode). */
      snprintf (nslink, sizeof (nslink), "%d/ns/%s", c->tid, nsname);
      fd = openat (c->s->procfd, nslink, O_PATH | O_CLOEXEC);
      if (fd < 0)
        return -ENOENT;
      ret = statx (fd, "", AT_EMPTY_PATH, mask, stx) < 0 ? -errno : 0;
      close (fd);
      return ret;
    }
  ret = sb_direct_stat (c, path, flags & AT_SYMLINK_NOFOLLOW, mask, stx);
  if (ret != SB_DIRECT_NO)
    return ret;
  ret = sb_gofer (c, SB_GOFER_STAT, path, NULL, flags & AT_SYMLINK_NOFOLLOW, mask, 0, NULL, 0);
  if (ret < 0)
    return ret;
  if (sb_last_answer.data_len != sizeof (*stx))
    return -EIO;
  memcpy (stx, sb_last_answer.data, sizeof (*stx));
  return 0;
}

static long
stat_to_app (struct sb_call *c, int dirfd, uint64_t pathaddr, int flags, uint64_t bufaddr)
{
  struct statx stx;
  struct stat st;
  int ret = stat_common (c, dirfd, pathaddr, flags, STATX_BASIC_STATS, &stx);

  if (ret < 0)
    return ret;
  statx_to_stat (&stx, &st);
  return sb_copy_out (c, bufaddr, &st, sizeof (st));
}

long
sys_stat (struct sb_call *c)
{
  return stat_to_app (c, AT_FDCWD, c->args[0], 0, c->args[1]);
}

long
sys_lstat (struct sb_call *c)
{
  return stat_to_app (c, AT_FDCWD, c->args[0], AT_SYMLINK_NOFOLLOW, c->args[1]);
}

long
sys_newfstatat (struct sb_call *c)
{
  int flags = (int) c->args[3];

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
    return -EINVAL;
  return stat_to_app (c, (int) c->args[0], c->args[1], flags, c->args[2]);
}

long
sys_statx (struct sb_call *c)
{
  struct statx stx;
  int flags = (int) c->args[2];
  int ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
    return -EINVAL;
  ret = stat_common (c, (int) c->args[0], c->args[1], flags, (unsigned) c->args[3], &stx);
  if (ret < 0)
    return ret;
  return sb_copy_out (c, c->args[4], &stx, sizeof (stx));
}

/* ---- access, readlink ------------------------------------------------------ */

static long
access_common (struct sb_call *c, int dirfd, uint64_t addr, int mode, int flags)
{
  char path[PATH_BUF];
  int ret;

  if (mode & ~(R_OK | W_OK | X_OK))
    return -EINVAL;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
    return -EINVAL;
  ret = sb_app_path_follow (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  if (!(flags & AT_SYMLINK_NOFOLLOW) && (ret = sb_direct_access (c, path, mode, flags & AT_EACCESS)) != SB_DIRECT_NO)
    return ret;
  return sb_gofer (c, SB_GOFER_ACCESS, path, NULL, flags & (AT_SYMLINK_NOFOLLOW | AT_EACCESS),
                   (uint32_t) mode, 0, NULL, 0);
}

long
sys_access (struct sb_call *c)
{
  return access_common (c, AT_FDCWD, c->args[0], (int) c->args[1], 0);
}

long
sys_faccessat (struct sb_call *c)
{
  return access_common (c, (int) c->args[0], c->args[1], (int) c->args[2], 0);
}

long
sys_faccessat2 (struct sb_call *c)
{
  return access_common (c, (int) c->args[0], c->args[1], (int) c->args[2], (int) c->args[3]);
}

/* readlinkat(fd, "", ...) reads the symlink fd names (an O_PATH |
   O_NOFOLLOW descriptor); any other file, or the cwd, is ENOENT as on
   Linux. Asked only once the path gave ENOENT, as an empty one does, so
   that no other readlink reads the app's memory twice. Returns 0 when the
   path is not empty; a copy of the descriptor
   (> 0) for an ordinary symlink, for the Sentry to read; 0 with name set
   to the link's name for one of the container's procfs (/proc/self/fd/N
   and the like: what it shows is the Sentry's business, as for the
   name); or -errno. */
static int
empty_path_link (struct sb_call *c, int dirfd, uint64_t addr, char *name, size_t len)
{
  char via[64];
  struct statfs sfs;
  struct stat st;
  bool empty;
  ssize_t n;
  int fd;

  name[0] = '\0';
  fd = sb_empty_path_fd (c, dirfd, addr, AT_EMPTY_PATH, &empty);
  if (fd < 0)
    return fd == -EBADF && dirfd == AT_FDCWD ? -ENOENT : fd;
  if (!empty)
    return 0;
  if (fstat (fd, &st) < 0 || !S_ISLNK (st.st_mode))
    {
      close (fd);
      return -ENOENT;
    }
  if (fstatfs (fd, &sfs) == 0 && sfs.f_type != PROC_SUPER_MAGIC)
    return fd;
  snprintf (via, sizeof (via), "self/fd/%d", fd);
  n = readlinkat (c->s->procfd, via, name, len - 1);
  close (fd);
  if (n <= 0 || strncmp (name, "/proc/", 6) != 0)
    {
      name[0] = '\0';
      return -ENOENT;
    }
  name[n] = '\0';
  return 0;
}

static long
readlink_common (struct sb_call *c, int dirfd, uint64_t addr, uint64_t buf, int64_t size)
{
  char path[PATH_BUF], target[64], link[PATH_BUF];
  const char *data;
  size_t len;
  ssize_t n;
  int ret;

  if (size <= 0)
    return -EINVAL;
  ret = sb_app_path_follow (c, dirfd, addr, path, false);
  if (ret == -ENOENT)
    {
      /* Perhaps an empty path, which is ENOENT there: then the symlink
         dirfd names, read here or by its name below. */
      int fd = empty_path_link (c, dirfd, addr, link, sizeof (link));
      if (fd < 0)
        return fd;
      if (fd > 0)
        {
          if ((n = readlinkat (fd, "", link, sizeof (link))) < 0)
            n = -errno;
          close (fd);
          if (n < 0)
            return n;
          data = link;
          len = (size_t) n;
          goto out;
        }
      if (link[0] == '\0')
        return ret; /* not empty: the path's own ENOENT */
      strcpy (path, link); /* a link of the container's procfs, by its name there */
    }
  else if (ret < 0)
    return ret;
  else if (path[0] && path[1] && path[strlen (path) - 1] == '/')
    {
      /* A trailing slash follows the last symlink and asks for a
         directory, which is never a symlink: the walk's error, or EINVAL. */
      struct statx stx;
      ret = stat_common (c, dirfd, addr, 0, STATX_TYPE, &stx);
      return ret < 0 ? ret : -EINVAL;
    }
  if (strcmp (path, "/proc/self") == 0 || strcmp (path, "/proc/thread-self") == 0)
    {
      pid_t pid, tid;
      if ((ret = sb_inner_ids (c, &pid, &tid)) < 0)
        return ret;
      if (path[6] == 's')
        snprintf (target, sizeof (target), "%d", pid);
      else
        snprintf (target, sizeof (target), "%d/task/%d", pid, tid);
      data = target;
      len = strlen (target);
    }
  else if ((n = sb_direct_readlink (c, path, link, sizeof (link))) != SB_DIRECT_NO)
    {
      if (n < 0)
        return n;
      data = link;
      len = (size_t) n;
    }
  else
    {
      ret = sb_gofer (c, SB_GOFER_READLINK, path, NULL, 0, 0, 0, NULL, 0);
      if (ret < 0)
        return ret;
      data = sb_last_answer.data;
      len = sb_last_answer.data_len;
    }
out:
  if (len > (uint64_t) size)
    len = size;
  ret = sb_copy_out (c, buf, data, len);
  return ret < 0 ? ret : (long) len;
}

long
sys_readlink (struct sb_call *c)
{
  return readlink_common (c, AT_FDCWD, c->args[0], c->args[1], (int64_t) c->args[2]);
}

long
sys_readlinkat (struct sb_call *c)
{
  return readlink_common (c, (int) c->args[0], c->args[1], c->args[2], (int64_t) c->args[3]);
}

