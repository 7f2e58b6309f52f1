/* File and path system calls, served through the Gofer.
   Each handler copies its path once from the app (so a thread that rewrites
   the string afterwards changes nothing), checks the notification is still
   valid, makes the path absolute in the container (relative paths join the
   caller's cwd or dirfd as its /proc entry names them), and asks the Gofer,
   which resolves it inside the root. Results come back as values, bytes
   copied into the app, or descriptors installed with SECCOMP_IOCTL_NOTIF_ADDFD. */
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
  char path[PATH_BUF];
  bool empty;
  int fd, ret, appfd;

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
  if (!(flags & AT_SYMLINK_NOFOLLOW) && sb_own_fd_path (c, path, &appfd))
    {
      fd = sb_get_app_fd (c, appfd);
      if (fd < 0)
        return fd == -EBADF ? -ENOENT : fd;
      ret = statx (fd, "", AT_EMPTY_PATH, mask, stx) < 0 ? -errno : 0;
      close (fd);
      return ret;
    }
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
  return sb_gofer (c, SB_GOFER_ACCESS, path, NULL, flags & AT_SYMLINK_NOFOLLOW, (uint32_t) mode, 0,
                NULL, 0);
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

static long
readlink_common (struct sb_call *c, int dirfd, uint64_t addr, uint64_t buf, int64_t size)
{
  char path[PATH_BUF], target[64];
  const char *data;
  size_t len;
  int ret;

  if (size <= 0)
    return -EINVAL;
  ret = sb_app_path_follow (c, dirfd, addr, path, false);
  if (ret < 0)
    return ret;
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
  else
    {
      ret = sb_gofer (c, SB_GOFER_READLINK, path, NULL, 0, 0, 0, NULL, 0);
      if (ret < 0)
        return ret;
      data = sb_last_answer.data;
      len = sb_last_answer.data_len;
    }
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

/* ---- creating and removing names ------------------------------------------- */

static long
mkdir_common (struct sb_call *c, int dirfd, uint64_t addr, mode_t mode)
{
  char path[PATH_BUF];
  int ret = sb_app_path_follow (c, dirfd, addr, path, false);

  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_MKDIR, path, NULL, 0, mode & ~sb_caller_umask (c) & 07777, 0, NULL, 0);
}

long
sys_mkdir (struct sb_call *c)
{
  return mkdir_common (c, AT_FDCWD, c->args[0], (mode_t) c->args[1]);
}

long
sys_mkdirat (struct sb_call *c)
{
  return mkdir_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2]);
}

static long
mknod_common (struct sb_call *c, int dirfd, uint64_t addr, mode_t mode)
{
  char path[PATH_BUF];
  mode_t type = mode & S_IFMT;
  int ret;

  if (type == S_IFCHR || type == S_IFBLK)
    return -EPERM; /* device nodes would reach host devices */
  if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
    return -EINVAL;
  ret = sb_app_path_follow (c, dirfd, addr, path, false);
  if (ret < 0)
    return ret;
  mode = (type ? type : S_IFREG) | (mode & ~sb_caller_umask (c) & 07777);
  return sb_gofer (c, SB_GOFER_MKNOD, path, NULL, 0, mode, 0, NULL, 0);
}

long
sys_mknod (struct sb_call *c)
{
  return mknod_common (c, AT_FDCWD, c->args[0], (mode_t) c->args[1]);
}

long
sys_mknodat (struct sb_call *c)
{
  return mknod_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2]);
}

static long
unlink_common (struct sb_call *c, int dirfd, uint64_t addr, int flags)
{
  char path[PATH_BUF];
  int ret;

  if (flags & ~AT_REMOVEDIR)
    return -EINVAL;
  ret = sb_app_path_follow (c, dirfd, addr, path, false);
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_UNLINK, path, NULL, flags, 0, 0, NULL, 0);
}

long
sys_rmdir (struct sb_call *c)
{
  return unlink_common (c, AT_FDCWD, c->args[0], AT_REMOVEDIR);
}

long
sys_unlink (struct sb_call *c)
{
  return unlink_common (c, AT_FDCWD, c->args[0], 0);
}

long
sys_unlinkat (struct sb_call *c)
{
  return unlink_common (c, (int) c->args[0], c->args[1], (int) c->args[2]);
}

static long
two_paths (struct sb_call *c, uint32_t op, int d1, uint64_t a1, int d2, uint64_t a2, int flags,
           bool follow1)
{
  char p1[PATH_BUF], p2[PATH_BUF];
  int ret = sb_app_path_follow (c, d1, a1, p1, follow1);

  if (ret < 0)
    return ret;
  ret = sb_app_path_follow (c, d2, a2, p2, false);
  if (ret < 0)
    return ret;
  return sb_gofer (c, op, p1, p2, flags, 0, 0, NULL, 0);
}

long
sys_rename (struct sb_call *c)
{
  return two_paths (c, SB_GOFER_RENAME, AT_FDCWD, c->args[0], AT_FDCWD, c->args[1], 0, false);
}

long
sys_renameat (struct sb_call *c)
{
  return two_paths (c, SB_GOFER_RENAME, (int) c->args[0], c->args[1], (int) c->args[2],
                    c->args[3], 0, false);
}

long
sys_renameat2 (struct sb_call *c)
{
  unsigned flags = (unsigned) c->args[4];

  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
    return -EINVAL;
  return two_paths (c, SB_GOFER_RENAME, (int) c->args[0], c->args[1], (int) c->args[2],
                    c->args[3], (int) flags, false);
}

long
sys_link (struct sb_call *c)
{
  return two_paths (c, SB_GOFER_LINK, AT_FDCWD, c->args[0], AT_FDCWD, c->args[1], 0, false);
}

long
sys_linkat (struct sb_call *c)
{
  int flags = (int) c->args[4];

  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  if (flags & AT_EMPTY_PATH)
    return -ENOENT; /* needs CAP_DAC_READ_SEARCH, which the app does not have */
  return two_paths (c, SB_GOFER_LINK, (int) c->args[0], c->args[1], (int) c->args[2],
                    c->args[3], flags, (flags & AT_SYMLINK_FOLLOW) != 0);
}

static long
symlink_common (struct sb_call *c, uint64_t target_addr, int dirfd, uint64_t link_addr)
{
  char target[PATH_BUF], path[PATH_BUF];
  int ret = sb_read_path (c, target_addr, target, sizeof (target));

  if (ret < 0)
    return ret;
  if (target[0] == '\0')
    return -ENOENT;
  ret = sb_app_path_follow (c, dirfd, link_addr, path, false);
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_SYMLINK, path, NULL, 0, 0, 0, target, strlen (target) + 1);
}

long
sys_symlink (struct sb_call *c)
{
  return symlink_common (c, c->args[0], AT_FDCWD, c->args[1]);
}

long
sys_symlinkat (struct sb_call *c)
{
  return symlink_common (c, c->args[0], (int) c->args[1], c->args[2]);
}

/* ---- attributes ------------------------------------------------------------ */

static long
chmod_common (struct sb_call *c, int dirfd, uint64_t addr, mode_t mode, int flags)
{
  char path[PATH_BUF];
  bool empty;
  int fd, ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  fd = sb_empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    {
      ret = sb_act_as_caller (c);
      if (ret == 0)
        {
          ret = fchmod (fd, mode & 07777) < 0 ? -errno : 0;
          sb_act_as_self (c);
        }
      close (fd);
      return ret;
    }
  ret = sb_app_path_follow (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_CHMOD, path, NULL, flags & AT_SYMLINK_NOFOLLOW, mode & 07777, 0,
                NULL, 0);
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
  struct sb_gofer_req req = { .op = SB_GOFER_CHOWN, .uid = uid, .gid = gid };
  char path[PATH_BUF];
  bool empty;
  int fd, ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  fd = sb_empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    {
      ret = sb_act_as_caller (c);
      if (ret == 0)
        {
          ret = fchownat (fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
          sb_act_as_self (c);
        }
      close (fd);
      return ret;
    }
  ret = sb_app_path_follow (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  req.flags = flags & AT_SYMLINK_NOFOLLOW;
  ret = sb_gofer_request_cred (c, &req);
  if (ret == 0)
    ret = sb_gofer_call (c->s, &req, path, NULL, NULL, 0, &sb_last_answer);
  return ret < 0 ? ret : sb_last_answer.result;
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

static long
utimens_common (struct sb_call *c, int dirfd, uint64_t addr, const struct timespec *ts, int flags)
{
  char path[PATH_BUF];
  int ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  ret = sb_app_path_follow (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
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

long
sys_truncate (struct sb_call *c)
{
  char path[PATH_BUF];
  int ret;

  if ((int64_t) c->args[1] < 0)
    return -EINVAL;
  ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, true);
  if (ret < 0)
    return ret;
  ret = sb_gofer (c, SB_GOFER_TRUNCATE, path, NULL, 0, 0, c->args[1], NULL, 0);
  if (ret == 0 && sb_last_answer.kind == SB_GOFER_KIND_REOPEN && sb_last_answer.fd >= 0)
    return sb_truncate_later (c, sb_last_answer.fd, (off_t) c->args[1]);
  return ret;
}

long
sys_statfs (struct sb_call *c)
{
  char path[PATH_BUF];
  int ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, true);

  if (ret < 0)
    return ret;
  ret = sb_gofer (c, SB_GOFER_STATFS, path, NULL, 0, 0, 0, NULL, 0);
  if (ret < 0)
    return ret;
  if (sb_last_answer.data_len != sizeof (struct statfs))
    return -EIO;
  return sb_copy_out (c, c->args[1], sb_last_answer.data, sizeof (struct statfs));
}

long
sys_chdir (struct sb_call *c)
{
  char path[PATH_BUF];
  struct statx stx;
  int ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, true);

  if (ret < 0)
    return ret;
  ret = sb_gofer (c, SB_GOFER_STAT, path, NULL, 0, STATX_TYPE | STATX_MODE, 0, NULL, 0);
  if (ret < 0)
    return ret;
  memcpy (&stx, sb_last_answer.data, sizeof (stx));
  if (!S_ISDIR (stx.stx_mode))
    return -ENOTDIR;
  /* The kernel changes the cwd (nothing lets the Sentry set another
     process's), and it re-reads the path, which a second thread may have
     swapped since this check. That is safe because of where the kernel
     resolves it: the app's mount namespace, which holds only the container
     root with every hidden path (as written and where it leads) covered by
     an empty read-only mount (protect.c). A cwd that lands on such a mask
     reaches nothing: what the kernel resolves from it (execve of ./x, a
     "#!./x" interpreter) meets the mask, and every path call the Sentry
     serves is resolved again, by the Gofer, against the rules.
     test-rules.sh races this and checks both. */
  return SB_RET_CONTINUE;
}

/* ---- extended attributes by path ------------------------------------------- */

long
sys_xattr (struct sb_call *c)
{
  static char value[SB_GOFER_DATA_MAX];
  char path[PATH_BUF], name[XATTR_NAME_MAX + 1];
  bool nofollow = false;
  uint32_t op;
  size_t size = 0, nlen = 0;
  int ret;

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
  if (size > SB_GOFER_DATA_MAX - nlen)
    size = SB_GOFER_DATA_MAX - nlen;
  ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, !nofollow);
  if (ret < 0)
    return ret;
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

/* ---- exec and inotify ------------------------------------------------------ */

long
sys_execve (struct sb_call *c)
{
  char path[PATH_BUF];
  int ret, dirfd = c->nr == SYS_execveat ? (int) c->args[0] : AT_FDCWD;
  uint64_t addr = c->nr == SYS_execveat ? c->args[1] : c->args[0];

  /* With hidden paths, ask the Gofer first, for a clean ENOENT (the mounts
     that mask them in the app's namespace are the backstop). */
  if (c->s->policy->nhidden > 0)
    {
      ret = sb_app_path_follow (c, dirfd, addr, path, true);
      if (ret == -ECANCELED)
        return ret;
      if (ret == 0 && sb_gofer (c, SB_GOFER_STAT, path, NULL, 0, STATX_TYPE, 0, NULL, 0) == -ENOENT)
        return -ENOENT;
    }
  /* The kernel must load the program itself, so it reads the path and argv
     again after this sb_last_answer. That is safe: the caller's mount namespace
     holds only the container root (pivot_root, old root detached) with the
     hidden paths masked, so no path it can name leads out; no_new_privs
     stops set-id gains; and the new image inherits the same filter. */
  return SB_RET_CONTINUE;
}

long
sys_inotify_add_watch (struct sb_call *c)
{
  char path[PATH_BUF], via[48];
  uint32_t mask = (uint32_t) c->args[2];
  cleanup_close int ifd = -1;
  cleanup_close int target = -1;
  int ret;

  ret = sb_app_path_follow (c, AT_FDCWD, c->args[1], path, !(mask & IN_DONT_FOLLOW));
  if (ret < 0)
    return ret;
  ret = sb_gofer (c, SB_GOFER_WALK, path, NULL,
               ((mask & IN_DONT_FOLLOW) ? O_NOFOLLOW : 0) | ((mask & IN_ONLYDIR) ? O_DIRECTORY : 0),
               0, 0, NULL, 0);
  if (ret < 0)
    return ret;
  target = sb_last_answer.fd;
  ifd = sb_get_app_fd (c, (int) c->args[0]);
  if (ifd < 0)
    return ifd;
  /* The watch is placed on the inode the Gofer resolved, reached through the
     Sentry's own descriptor. */
  snprintf (via, sizeof (via), "/proc/self/fd/%d", target);
  ret = sb_act_as_caller (c);
  if (ret < 0)
    return ret;
  ret = inotify_add_watch (ifd, via, mask & ~IN_DONT_FOLLOW);
  ret = ret < 0 ? -errno : ret;
  sb_act_as_self (c);
  return ret;
}

