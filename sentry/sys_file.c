/* Names (mkdir, mknod, unlink, rename, link, symlink), truncate, statfs,
   chdir, execve and inotify: path calls served through the Gofer.
   Each handler copies its path once from the app (so a thread that rewrites
   the string afterwards changes nothing), checks the notification is still
   valid, makes the path absolute in the container (relative paths join the
   caller's cwd or dirfd, judged by what it is: sys_path.c), and asks the Gofer,
   which resolves it inside the root. Results come back as values, bytes
   copied into the app, or descriptors installed with SECCOMP_IOCTL_NOTIF_ADDFD. */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "fdpass.h"
#include "memory.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

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

/* A link of the file the app's descriptor appfd holds (fd: the Sentry's
   copy, consumed), by linkat with an empty path and AT_EMPTY_PATH, or of
   "/proc/self/fd/N" with AT_SYMLINK_FOLLOW: what open(2) documents for an
   O_TMPFILE. The Gofer makes it, reaching the file through the app's own
   /proc/<pid>/fd link, and only for a file without a name
   (app_anonymous_file in gofer_ops.c says why): a directory is EPERM, a
   named file ENOENT (what the kernel answers a link by descriptor it does
   not allow). */
static long
link_app_fd (struct sb_call *c, int fd, int appfd, int newdir, uint64_t newaddr)
{
  char procpath[64], p2[PATH_BUF];
  struct stat st;
  pid_t pid, tid;
  int ret;

  ret = fstat (fd, &st) < 0 ? -errno : 0;
  close (fd);
  if (ret < 0)
    return ret;
  if (S_ISDIR (st.st_mode))
    return -EPERM;
  if (!S_ISREG (st.st_mode) || st.st_nlink != 0)
    return -ENOENT;
  if ((ret = sb_inner_ids (c, &pid, &tid)) < 0)
    return ret;
  snprintf (procpath, sizeof (procpath), "/proc/%d/fd/%d", pid, appfd);
  if ((ret = sb_app_path_follow (c, newdir, newaddr, p2, false)) < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_LINK, procpath, p2, AT_EMPTY_PATH, 0, 0, NULL, 0);
}

long
sys_linkat (struct sb_call *c)
{
  int flags = (int) c->args[4], appfd, dirfd = (int) c->args[0];
  char p1[PATH_BUF];
  bool empty;
  int ret;

  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  if (flags & AT_EMPTY_PATH)
    {
      ret = sb_empty_path_fd (c, dirfd, c->args[1], flags, &empty);
      if (ret < 0)
        return ret;
      if (empty && dirfd == AT_FDCWD)
        {
          close (ret);
          return -EPERM; /* the working directory: a directory */
        }
      if (empty)
        return link_app_fd (c, ret, dirfd, (int) c->args[2], c->args[3]);
    }
  if (flags & AT_SYMLINK_FOLLOW)
    {
      ret = sb_app_path_follow (c, dirfd, c->args[1], p1, true);
      if (ret < 0)
        return ret;
      if (sb_own_fd_path (c, p1, &appfd))
        {
          int fd = sb_get_app_fd (c, appfd);
          if (fd < 0)
            return fd == -EBADF ? -ENOENT : fd; /* the link is missing */
          return link_app_fd (c, fd, appfd, (int) c->args[2], c->args[3]);
        }
    }
  return two_paths (c, SB_GOFER_LINK, (int) c->args[0], c->args[1], (int) c->args[2],
                    c->args[3], flags & AT_SYMLINK_FOLLOW, (flags & AT_SYMLINK_FOLLOW) != 0);
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

/* ---- truncate, statfs, chdir --------------------------------------------- */

/* The caller's soft RLIMIT_FSIZE, from its /proc limits (readable by
   anyone, where prlimit would need CAP_SYS_RESOURCE); RLIM_INFINITY when
   unknown. */
static uint64_t
caller_fsize_limit (struct sb_call *c)
{
  char name[64], buf[4096], *line;
  cleanup_close int fd = -1;
  unsigned long long v;
  ssize_t n;

  snprintf (name, sizeof (name), "%d/limits", c->tid);
  fd = openat (c->s->procfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || (n = read (fd, buf, sizeof (buf) - 1)) <= 0)
    return RLIM_INFINITY;
  buf[n] = '\0';
  line = strstr (buf, "\nMax file size");
  if (line == NULL || sscanf (line + 15, " %llu", &v) != 1)
    return RLIM_INFINITY; /* "unlimited" */
  return v;
}

/* The Gofer truncates under its own limits: the caller's RLIMIT_FSIZE is
   applied here as the kernel does (only when the file, now size bytes, grows
   past it: EFBIG and SIGXFSZ to the calling thread). */
static int
truncate_fsize_limit (struct sb_call *c, uint64_t size, uint64_t length)
{
  if (size >= length)
    return 0;
  syscall (SYS_tkill, c->tid, SIGXFSZ);
  return -EFBIG;
}

static int
truncate_fsize_check (struct sb_call *c, const char *path, uint64_t length)
{
  uint64_t limit = caller_fsize_limit (c);
  struct statx stx;

  if (limit == RLIM_INFINITY || length <= limit)
    return 0;
  if (sb_gofer (c, SB_GOFER_STAT, path, NULL, 0, STATX_SIZE, 0, NULL, 0) < 0
      || sb_last_answer.data_len != sizeof (stx))
    return 0; /* the truncate itself will say what is wrong */
  memcpy (&stx, sb_last_answer.data, sizeof (stx));
  return truncate_fsize_limit (c, stx.stx_size, length);
}

/* truncate("/proc/<pid>/fd/N"): the file of that descriptor (a copy,
   consumed), reopened for writing as the caller on a worker (a lease break
   may wait), like the Gofer's answer below. Only a descriptor open for
   writing: the kernel would follow the link to the file whatever the
   descriptor's access, but a file the tenant's rules make read-only by
   name without a read-only mount (one made after the start) is protected
   by the Gofer's look at names alone, and a read-only or O_PATH
   descriptor of it must not become a way to change its content. Such a
   descriptor gets EACCES, as a reopen for writing does (sys_open.c). */
static long
truncate_fd (struct sb_call *c, int fd, uint64_t length)
{
  uint64_t limit = caller_fsize_limit (c);
  struct stat st;
  int ret = 0, fl = fcntl (fd, F_GETFL);

  if (fstat (fd, &st) < 0 || fl < 0)
    ret = -errno;
  else if (S_ISDIR (st.st_mode))
    ret = -EISDIR;
  else if (!S_ISREG (st.st_mode))
    ret = -EINVAL;
  else if ((fl & O_PATH) || (fl & O_ACCMODE) == O_RDONLY)
    ret = -EACCES;
  else if (limit != RLIM_INFINITY && length > limit)
    ret = truncate_fsize_limit (c, (uint64_t) st.st_size, length);
  if (ret < 0)
    {
      close (fd);
      return ret;
    }
  return sb_truncate_later (c, fd, (off_t) length);
}

long
sys_truncate (struct sb_call *c)
{
  char path[PATH_BUF];
  int ret, fd;

  if ((int64_t) c->args[1] < 0)
    return -EINVAL;
  ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, true);
  if (ret < 0)
    return ret;
  if ((fd = sb_fd_link_file (c, path)) != 0)
    return fd < 0 ? fd : truncate_fd (c, fd, c->args[1]);
  if ((ret = truncate_fsize_check (c, path, c->args[1])) < 0)
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
  struct statfs sfs;
  int ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, true), fd;

  if (ret < 0)
    return ret;
  /* /proc/<pid>/fd/N: the filesystem of that descriptor's file. */
  if ((fd = sb_fd_link_file (c, path)) != 0)
    {
      if (fd < 0)
        return fd;
      ret = fstatfs (fd, &sfs) < 0 ? -errno : 0;
      close (fd);
      return ret < 0 ? ret : sb_copy_out (c, c->args[1], &sfs, sizeof (sfs));
    }
  ret = sb_gofer (c, SB_GOFER_STATFS, path, NULL, 0, 0, 0, NULL, 0);
  if (ret < 0)
    return ret;
  if (sb_last_answer.data_len != sizeof (struct statfs))
    return -EIO;
  return sb_copy_out (c, c->args[1], sb_last_answer.data, sizeof (struct statfs));
}

/* ustat(2): the free blocks and inodes of the filesystem whose device
   number is dev. The kernel looks the number up among all of the host's
   superblocks; here only a filesystem mounted in the app's own mount
   namespace counts (any other is EINVAL, as an unknown number is), and its
   figures are its statfs at the first of its mount points that the app
   may stat. */
long
sys_ustat (struct sb_call *c)
{
  unsigned dev = (unsigned) c->args[0];
  unsigned want_major = (dev & 0xfff00) >> 8, want_minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  cleanup_file FILE *f = NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  char name[64];
  int fd;

  snprintf (name, sizeof (name), "%d/mountinfo", (int) c->tid);
  fd = openat (c->s->procfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || (f = fdopen (fd, "r")) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return -EINVAL;
    }
  /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
  while (getline (&line, &cap, f) > 0)
    {
      unsigned maj, min;
      char escaped[PATH_BUF], point[PATH_BUF];
      struct statfs sfs;
      struct
      {
        int32_t f_tfree;
        uint64_t f_tinode;
        char f_fname[6];
        char f_fpack[6];
      } u;

      if (sscanf (line, "%*u %*u %u:%u %*s %4095s", &maj, &min, escaped) != 3 || maj != want_major
          || min != want_minor)
        continue;
      sb_mount_point_unescape (escaped, point, sizeof (point));
      if (sb_gofer (c, SB_GOFER_STATFS, point, NULL, 0, 0, 0, NULL, 0) < 0
          || sb_last_answer.data_len != sizeof (sfs))
        continue;
      memcpy (&sfs, sb_last_answer.data, sizeof (sfs));
      memset (&u, 0, sizeof (u));
      u.f_tfree = (int32_t) sfs.f_bfree;
      u.f_tinode = sfs.f_ffree;
      return sb_copy_out (c, c->args[1], &u, sizeof (u));
    }
  return -EINVAL;
}

long
sys_chdir (struct sb_call *c)
{
  char path[PATH_BUF];
  struct statx stx;
  int ret = sb_app_path_follow (c, AT_FDCWD, c->args[0], path, true), fd;

  if (ret < 0)
    return ret;
  if ((fd = sb_fd_link_file (c, path)) != 0)
    {
      /* /proc/<pid>/fd/N of a directory: the kernel follows the link in
         the app's namespace, to the directory the descriptor holds. */
      if (fd < 0)
        return fd;
      ret = statx (fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx) < 0 ? -errno : 0;
      close (fd);
      if (ret < 0)
        return ret;
    }
  else
    {
      ret = sb_gofer (c, SB_GOFER_STAT, path, NULL, 0, STATX_TYPE | STATX_MODE, 0, NULL, 0);
      if (ret < 0)
        return ret;
      memcpy (&stx, sb_last_answer.data, sizeof (stx));
    }
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
  /* /proc/<pid>/fd/N followed: the file of that descriptor (IN_ONLYDIR is
     checked by the kernel below, through the link). */
  if (!(mask & IN_DONT_FOLLOW) && (target = sb_fd_link_file (c, path)) != 0)
    {
      if (target < 0)
        return target;
    }
  else
    {
      ret = sb_gofer (c, SB_GOFER_WALK, path, NULL,
                      ((mask & IN_DONT_FOLLOW) ? O_NOFOLLOW : 0) | ((mask & IN_ONLYDIR) ? O_DIRECTORY : 0),
                      0, 0, NULL, 0);
      if (ret < 0)
        return ret;
      target = sb_last_answer.fd;
    }
  ifd = sb_get_app_fd (c, (int) c->args[0]);
  if (ifd < 0)
    return ifd;
  /* The watch is placed on the inode the Gofer resolved (or the
     descriptor's), reached through the Sentry's own descriptor. */
  snprintf (via, sizeof (via), "/proc/self/fd/%d", target);
  ret = sb_act_as_caller (c);
  if (ret < 0)
    return ret;
  ret = inotify_add_watch (ifd, via, mask & ~IN_DONT_FOLLOW);
  ret = ret < 0 ? -errno : ret;
  sb_act_as_self (c);
  return ret;
}


