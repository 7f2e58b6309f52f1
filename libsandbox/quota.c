/* Project quotas on the host's filesystem (quota.h). Everything goes
   through quotactl_fd(2) on a descriptor of the tree, so no block device
   needs naming, and through FS_IOC_FSSETXATTR on descriptors opened
   without following symlinks. */
#include "quota.h"
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef QCMD
#define QCMD(cmd, type) (((cmd) << SUBCMDSHIFT) | ((type) & SUBCMDMASK))
#endif

/* Deeper than any layer an engine makes: a tree this deep is refused
   rather than walked. */
#define WALK_DEPTH_MAX 512

static int
quotactl_on (int fd, int cmd, uint32_t id, void *addr)
{
  return (int) syscall (SYS_quotactl_fd, fd, QCMD (cmd, PRJQUOTA), id, addr);
}

int
sb_quota_project_of (const char *dir, uint32_t *projid, sb_error_t *err)
{
  struct stat st;

  if (lstat (dir, &st) < 0)
    return sb_error (err, errno, "`%s`", dir);
  if (!S_ISDIR (st.st_mode))
    return sb_error (err, ENOTDIR, "`%s`", dir);
  if (st.st_ino == 0 || st.st_ino > UINT32_MAX)
    return sb_error (err, ERANGE, "`%s`: inode %llu is not a project id", dir, (unsigned long long) st.st_ino);
  *projid = (uint32_t) st.st_ino;
  return 0;
}

/* Does the filesystem of fd enforce project quota limits? */
static int
enforced (int fd, const char *dir, sb_error_t *err)
{
  struct fs_quota_statv qs = { .qs_version = FS_QSTATV_VERSION1 };

  if (quotactl_on (fd, Q_XGETQSTATV, 0, &qs) < 0)
    {
      if (errno == ENOSYS || errno == ENOTSUP || errno == ESRCH || errno == EINVAL || errno == ENOENT)
        return sb_error (err, ENOTSUP, "`%s` is on a filesystem without project quotas", dir);
      return sb_error (err, errno, "`%s`: the filesystem's quota state", dir);
    }
  if (!(qs.qs_flags & FS_QUOTA_PDQ_ENFD))
    return sb_error (err, ENOTSUP, "`%s` is on a filesystem that does not enforce project quotas", dir);
  return 0;
}

static int
set_project (int fd, uint32_t projid, bool dir)
{
  struct fsxattr fa;

  if (ioctl (fd, FS_IOC_FSGETXATTR, &fa) < 0)
    return -errno;
  if (fa.fsx_projid == projid && (!dir || (fa.fsx_xflags & FS_XFLAG_PROJINHERIT)))
    return 0;
  fa.fsx_projid = projid;
  if (dir)
    fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
  if (ioctl (fd, FS_IOC_FSSETXATTR, &fa) < 0)
    return -errno;
  return 0;
}

/* Charges the tree under the directory dfd (already charged itself). */
static int
walk (int dfd, dev_t dev, uint32_t projid, int depth, const char *top, sb_error_t *err)
{
  int copy = dup (dfd);
  DIR *d;
  struct dirent *e;
  int ret = 0;

  if (depth > WALK_DEPTH_MAX)
    return sb_error (err, ELOOP, "`%s`: deeper than %d directories", top, WALK_DEPTH_MAX);
  if (copy < 0 || (d = fdopendir (copy)) == NULL)
    {
      if (copy >= 0)
        close (copy);
      return sb_error (err, errno, "`%s`: read a directory", top);
    }
  while (ret == 0 && (errno = 0, e = readdir (d)) != NULL)
    {
      struct stat st;
      int fd, r;

      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if (fstatat (dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)
            continue;
          ret = sb_error (err, errno, "`%s`: stat `%s`", top, e->d_name);
          break;
        }
      /* Symlinks, devices, FIFOs and sockets hold no blocks worth it (an
         fd of one could not take the ioctl); another filesystem mounted
         inside is not the layer's. */
      if (st.st_dev != dev || !(S_ISDIR (st.st_mode) || S_ISREG (st.st_mode)))
        continue;
      fd = openat (dfd, e->d_name,
                   (S_ISDIR (st.st_mode) ? O_DIRECTORY : O_NONBLOCK | O_NOCTTY) | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          if (errno == ENOENT)
            continue;
          ret = sb_error (err, errno, "`%s`: open `%s`", top, e->d_name);
          break;
        }
      {
        struct stat now;
        /* Replaced meanwhile by something else: left alone. */
        if (fstat (fd, &now) < 0 || now.st_ino != st.st_ino || now.st_dev != dev
            || (now.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
          {
            close (fd);
            continue;
          }
      }
      r = set_project (fd, projid, S_ISDIR (st.st_mode));
      if (r < 0)
        ret = sb_error (err, -r, "`%s`: set the project of `%s`", top, e->d_name);
      else if (S_ISDIR (st.st_mode))
        ret = walk (fd, dev, projid, depth + 1, top, err);
      close (fd);
    }
  if (ret == 0 && errno != 0)
    ret = sb_error (err, errno, "`%s`: read a directory", top);
  closedir (d);
  return ret;
}

int
sb_quota_bound (const char *const *dirs, int n, uint32_t projid, uint64_t bytes, sb_error_t *err)
{
  cleanup_close int first = -1;
  struct if_dqblk q = { 0 };
  dev_t dev = 0;

  for (int i = 0; i < n; i++)
    {
      cleanup_close int fd = open (dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      struct stat st;
      int r;

      if (fd < 0 || fstat (fd, &st) < 0)
        return sb_error (err, errno, "`%s`", dirs[i]);
      if (i == 0)
        {
          if (enforced (fd, dirs[i], err) < 0)
            return -1;
          dev = st.st_dev;
          first = dup (fd);
        }
      else if (st.st_dev != dev)
        return sb_error (err, EXDEV, "`%s` is not on the filesystem of `%s`", dirs[i], dirs[0]);
      r = set_project (fd, projid, true);
      if (r < 0)
        return sb_error (err, -r, "`%s`: set its project", dirs[i]);
      if (walk (fd, dev, projid, 0, dirs[i], err) < 0)
        return -1;
    }
  if (first < 0)
    return sb_error (err, EINVAL, "no directory to bound");
  q.dqb_bhardlimit = q.dqb_bsoftlimit = (bytes + QIF_DQBLKSIZE - 1) / QIF_DQBLKSIZE;
  q.dqb_valid = QIF_BLIMITS;
  if (quotactl_on (first, Q_SETQUOTA, projid, &q) < 0)
    return sb_error (err, errno, "`%s`: set the quota of project %u", dirs[0], projid);
  return 0;
}

/* A descriptor on the filesystem of path, or of its nearest ancestor. */
static int
open_nearest (const char *path)
{
  char p[4096];

  snprintf (p, sizeof (p), "%s", path);
  for (;;)
    {
      int fd = open (p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      char *slash;
      if (fd >= 0 || errno != ENOENT)
        return fd;
      slash = strrchr (p, '/');
      if (slash == NULL || slash == p)
        return -1;
      *slash = '\0';
    }
}

int
sb_quota_release (const char *path, uint32_t projid, sb_error_t *err)
{
  cleanup_close int fd = open_nearest (path);
  struct if_dqblk q = { .dqb_valid = QIF_BLIMITS };

  if (fd < 0)
    return sb_error (err, errno, "`%s`", path);
  if (quotactl_on (fd, Q_SETQUOTA, projid, &q) < 0)
    return sb_error (err, errno, "`%s`: lift the quota of project %u", path, projid);
  return 0;
}
