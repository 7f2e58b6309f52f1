/* chmod, chown, utime(s)/utimensat/futimesat and the path xattr calls:
   changes to a file's attributes, through the Gofer (or, for AT_EMPTY_PATH,
   on the app's own descriptor, as the caller). */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "fdpass.h"
#include "memory.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
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


/* ---- attributes ------------------------------------------------------------ */

/* A chmod or chown: on the app's own descriptor with AT_EMPTY_PATH (done
   here, as the caller), else on a path through the Gofer. */
struct attr_change
{
  uint32_t op;     /* SB_GOFER_CHMOD or SB_GOFER_CHOWN */
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

/* chmod or chown of "/proc/self/fd/N" (followed): of the caller's own
   descriptor N, as the kernel follows the magic link, O_PATH ones too.
   glibc's fchmodat(AT_SYMLINK_NOFOLLOW) is an O_PATH open and a chmod of
   that name (GNU tar's every extracted file). fchmod refuses O_PATH, so
   the Sentry's own procfs link to its copy is followed instead: it names
   that file and nothing else. */
static long
attr_on_app_fd (struct sb_call *c, int appfd, const struct attr_change *a)
{
  cleanup_close int fd = sb_get_app_fd (c, appfd);
  char link[64];
  int ret;

  if (fd < 0)
    return fd == -EBADF ? -ENOENT : fd;
  snprintf (link, sizeof (link), "self/fd/%d", fd);
  if ((ret = sb_fd_check (c, fd, true)) < 0 || (ret = sb_act_as_caller (c)) < 0)
    return ret;
  ret = a->op == SB_GOFER_CHMOD ? fchmodat (c->s->procfd, link, a->mode & 07777, 0)
                                : fchownat (fd, "", a->uid, a->gid, AT_EMPTY_PATH);
  ret = ret < 0 ? -errno : 0;
  sb_act_as_self (c);
  return ret;
}

static long
attr_common (struct sb_call *c, int dirfd, uint64_t addr, const struct attr_change *a, int flags)
{
  struct sb_gofer_req req = { .op = a->op, .mode = a->mode & 07777, .uid = a->uid, .gid = a->gid };
  char path[PATH_BUF];
  bool empty;
  int fd, ret, appfd;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  fd = sb_empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    {
      ret = sb_fd_check (c, fd, true);
      if (ret == 0)
        ret = sb_act_as_caller (c);
      if (ret == 0)
        {
          ret = a->op == SB_GOFER_CHMOD ? fchmod (fd, a->mode & 07777)
                                        : fchownat (fd, "", a->uid, a->gid, AT_EMPTY_PATH);
          ret = ret < 0 ? -errno : 0;
          sb_act_as_self (c);
        }
      close (fd);
      return ret;
    }
  ret = sb_app_path_follow (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  if (!(flags & AT_SYMLINK_NOFOLLOW) && sb_own_fd_path (c, path, &appfd))
    return attr_on_app_fd (c, appfd, a);
  req.flags = flags & AT_SYMLINK_NOFOLLOW;
  ret = sb_gofer_request_cred (c, &req);
  if (ret == 0)
    ret = sb_gofer_call (c->s, &req, path, NULL, NULL, 0, &sb_last_answer);
  return ret < 0 ? ret : sb_last_answer.result;
}

static long
chmod_common (struct sb_call *c, int dirfd, uint64_t addr, mode_t mode, int flags)
{
  struct attr_change a = { .op = SB_GOFER_CHMOD, .mode = mode };

  return attr_common (c, dirfd, addr, &a, flags);
}

long
sys_chmod (struct sb_call *c)
{
  return chmod_common (c, AT_FDCWD, c->args[0], (mode_t) c->args[1], 0);
}

long
sys_fchmodat (struct sb_call *c)
{
  return chmod_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2], 0);
}

long
sys_fchmodat2 (struct sb_call *c)
{
  return chmod_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2], (int) c->args[3]);
}

static long
chown_common (struct sb_call *c, int dirfd, uint64_t addr, uid_t uid, gid_t gid, int flags)
{
  struct attr_change a = { .op = SB_GOFER_CHOWN, .uid = uid, .gid = gid };

  return attr_common (c, dirfd, addr, &a, flags);
}

long
sys_chown (struct sb_call *c)
{
  return chown_common (c, AT_FDCWD, c->args[0], (uid_t) c->args[1], (gid_t) c->args[2], 0);
}

long
sys_lchown (struct sb_call *c)
{
  return chown_common (c, AT_FDCWD, c->args[0], (uid_t) c->args[1], (gid_t) c->args[2],
                       AT_SYMLINK_NOFOLLOW);
}

long
sys_fchownat (struct sb_call *c)
{
  return chown_common (c, (int) c->args[0], c->args[1], (uid_t) c->args[2], (gid_t) c->args[3],
                       (int) c->args[4]);
}

/* The times of the file of a descriptor copy (consumed), as the caller (the
   kernel's checks: owner or write access, O_PATH descriptors too). */
static long
utimens_fd (struct sb_call *c, int fd, const struct timespec *ts)
{
  int ret = sb_fd_check (c, fd, true);

  if (ret == 0)
    ret = sb_act_as_caller (c);
  if (ret == 0)
    {
      ret = utimensat (fd, "", ts, AT_EMPTY_PATH) < 0 ? -errno : 0;
      sb_act_as_self (c);
    }
  close (fd);
  return ret;
}

static long
utimens_common (struct sb_call *c, int dirfd, uint64_t addr, const struct timespec *ts, int flags)
{
  char path[PATH_BUF];
  bool empty;
  int fd, ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  /* "" with AT_EMPTY_PATH: the app's own descriptor. */
  fd = sb_empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    return utimens_fd (c, fd, ts);
  ret = sb_app_path_follow (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  /* /proc/<pid>/fd/N followed: the file of that descriptor. */
  if (!(flags & AT_SYMLINK_NOFOLLOW) && (fd = sb_fd_link_file (c, path)) != 0)
    return fd < 0 ? fd : utimens_fd (c, fd, ts);
  return sb_gofer (c, SB_GOFER_UTIMENS, path, NULL, flags & AT_SYMLINK_NOFOLLOW, 0, 0, ts,
                ts ? 2 * sizeof (*ts) : 0);
}

long
sys_utimensat (struct sb_call *c)
{
  struct timespec ts[2];
  int ret;

  if (c->args[2])
    {
      ret = sb_mem_read (c->tid, c->args[2], ts, sizeof (ts));
      if (ret < 0)
        return ret;
    }
  /* A NULL path (futimens) is allowed by the filter and never gets here. */
  return utimens_common (c, (int) c->args[0], c->args[1], c->args[2] ? ts : NULL,
                         (int) c->args[3]);
}

static long
timeval_call (struct sb_call *c, int dirfd, uint64_t path, uint64_t tvaddr)
{
  struct timeval tv[2];
  struct timespec ts[2];
  int ret;

  if (tvaddr == 0)
    return utimens_common (c, dirfd, path, NULL, 0);
  ret = sb_mem_read (c->tid, tvaddr, tv, sizeof (tv));
  if (ret < 0)
    return ret;
  if (tv[0].tv_usec < 0 || tv[0].tv_usec >= 1000000 || tv[1].tv_usec < 0
      || tv[1].tv_usec >= 1000000)
    return -EINVAL;
  ts[0].tv_sec = tv[0].tv_sec;
  ts[0].tv_nsec = tv[0].tv_usec * 1000;
  ts[1].tv_sec = tv[1].tv_sec;
  ts[1].tv_nsec = tv[1].tv_usec * 1000;
  return utimens_common (c, dirfd, path, ts, 0);
}

long
sys_utimes (struct sb_call *c)
{
  return timeval_call (c, AT_FDCWD, c->args[0], c->args[1]);
}

long
sys_futimesat (struct sb_call *c)
{
  return timeval_call (c, (int) c->args[0], c->args[1], c->args[2]);
}

long
sys_utime (struct sb_call *c)
{
  struct utimbuf ub;
  struct timespec ts[2];
  int ret;

  if (c->args[1] == 0)
    return utimens_common (c, AT_FDCWD, c->args[0], NULL, 0);
  ret = sb_mem_read (c->tid, c->args[1], &ub, sizeof (ub));
  if (ret < 0)
    return ret;
  ts[0].tv_sec = ub.actime;
  ts[0].tv_nsec = 0;
  ts[1].tv_sec = ub.modtime;
  ts[1].tv_nsec = 0;
  return utimens_common (c, AT_FDCWD, c->args[0], ts, 0);
}


/* ---- extended attributes by path ------------------------------------------- */

/* An xattr call on "/proc/<pid>/fd/N" followed: on the file of a descriptor
   copy (consumed), as the caller, through the Sentry's own procfs link to
   it, as the kernel follows the app's (a path, so O_PATH descriptors too,
   and the kernel's checks of the caller: owner, write access, the
   namespace of the name). value is the lane's scratch buffer. */
static long
xattr_on_fd (struct sb_call *c, uint32_t op, int fd, const char *name, char *value, size_t size)
{
  char link[64];
  ssize_t n;
  int ret;

  if ((ret = sb_fd_check (c, fd, op == SB_GOFER_SETXATTR || op == SB_GOFER_REMOVEXATTR)) < 0)
    {
      close (fd);
      return ret;
    }
  if (op == SB_GOFER_SETXATTR && (ret = sb_mem_read (c->tid, c->args[2], value, size)) < 0)
    {
      close (fd);
      return ret;
    }
  snprintf (link, sizeof (link), "/proc/self/fd/%d", fd);
  if ((ret = sb_act_as_caller (c)) < 0)
    {
      close (fd);
      return ret;
    }
  switch (op)
    {
    case SB_GOFER_GETXATTR: n = getxattr (link, name, value, size); break;
    case SB_GOFER_LISTXATTR: n = listxattr (link, value, size); break;
    case SB_GOFER_SETXATTR: n = setxattr (link, name, value, size, (int) c->args[4]); break;
    default: n = removexattr (link, name); break;
    }
  n = n < 0 ? -errno : n;
  sb_act_as_self (c);
  close (fd);
  if (n > 0 && size > 0 && (op == SB_GOFER_GETXATTR || op == SB_GOFER_LISTXATTR))
    {
      ret = sb_copy_out (c, op == SB_GOFER_LISTXATTR ? c->args[1] : c->args[2], value, (size_t) n);
      if (ret < 0)
        return ret;
    }
  return n;
}

long
sys_xattr (struct sb_call *c)
{
  char *value = sb_lane_scratch (); /* SB_GOFER_DATA_MAX bytes */
  char path[PATH_BUF], name[XATTR_NAME_MAX + 1];
  bool nofollow = false;
  uint32_t op;
  size_t size = 0, nlen = 0;
  int ret, fd;

  switch (c->nr)
    {
    case SYS_lgetxattr: nofollow = true; /* fall through */
    case SYS_getxattr: op = SB_GOFER_GETXATTR; size = c->args[3]; break;
    case SYS_lsetxattr: nofollow = true; /* fall through */
    case SYS_setxattr: op = SB_GOFER_SETXATTR; size = c->args[3]; break;
    case SYS_llistxattr: nofollow = true; /* fall through */
    case SYS_listxattr: op = SB_GOFER_LISTXATTR; size = c->args[2]; break;
    case SYS_lremovexattr: nofollow = true; /* fall through */
    case SYS_removexattr: op = SB_GOFER_REMOVEXATTR; break;
    default: return -ENOSYS;
    }
  if (op != SB_GOFER_LISTXATTR)
    {
      ssize_t n = sb_mem_read_string (c->tid, c->args[1], name, sizeof (name));
      if (n < 0)
        return n == -ENAMETOOLONG ? -ERANGE : n;
      nlen = n + 1;
    }
  /* A value over the kernel's limit is E2BIG, as Linux answers; one that
     fits the limit but not a Gofer message with its name is refused the
     same way rather than cut short. A larger get or list buffer is only
     an offer: the Gofer's answer fits its message. */
  if (op == SB_GOFER_SETXATTR && size > SB_GOFER_DATA_MAX - nlen)
    return -E2BIG;
  if (size > SB_GOFER_DATA_MAX - nlen)
    size = SB_GOFER_DATA_MAX - nlen;
  ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, !nofollow);
  if (ret < 0)
    return ret;
  if (!nofollow && (fd = sb_fd_link_file (c, path)) != 0)
    {
      if (fd < 0)
        return fd;
      return xattr_on_fd (c, op, fd, name, value, size);
    }
  if (op == SB_GOFER_SETXATTR)
    {
      memcpy (value, name, nlen);
      ret = sb_mem_read (c->tid, c->args[2], value + nlen, size);
      if (ret < 0)
        return ret;
      if (!sb_call_valid (c))
        return -ECANCELED;
      return sb_gofer (c, op, path, NULL, nofollow ? AT_SYMLINK_NOFOLLOW : 0,
                    (uint32_t) c->args[4], size, value, nlen + size);
    }
  ret = sb_gofer (c, op, path, NULL, nofollow ? AT_SYMLINK_NOFOLLOW : 0, 0, size, name, nlen);
  if (ret < 0 || op == SB_GOFER_REMOVEXATTR || size == 0)
    return ret;
  if (sb_last_answer.data_len > 0)
    {
      int w = sb_copy_out (c, op == SB_GOFER_LISTXATTR ? c->args[1] : c->args[2], sb_last_answer.data,
                        sb_last_answer.data_len);
      if (w < 0)
        return w;
    }
  return ret;
}

