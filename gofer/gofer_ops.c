/* The Gofer's operations on names and attributes: readlink, mkdir, mknod,
   unlink, rename, link, symlink, chmod, chown, utimens, statfs, xattrs; and
   the dispatch of every request. Whole paths are resolved by
   gofer_resolve.c; an operation on a last component acts on (parent fd,
   name). Operations that must follow the final symlink resolve it to an
   O_PATH fd first, then reach the file through the Gofer's own procfs
   ("self/fd/N"), which names exactly that already-confined file.

   Each operation that creates, removes or changes a name checks the
   tenant's rules on the entry's canonical name (gofer_rules.c): EROFS in a
   read-only path, EBUSY for a directory that holds a protected path. */
#include "gofer.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CANON_MAX (SB_GOFER_PATH_MAX + NAME_MAX + 16)

/* The parent of path (O_PATH) and its last component, for an operation
   that writes the entry: the rules are checked on its canonical name. A
   refusal is returned as -(SB_RULE_BASE + errno), apart from the errors of
   the walk (-EBUSY means a "." or ".." last component there). */
#define SB_RULE_BASE 0x10000
static int
parent_for_write (struct gofer *g, const char *path, char *last, size_t lastlen, bool removes)
{
  char canon[CANON_MAX];
  int fd = gofer_open_parent (g, path, last, lastlen, canon, sizeof (canon));
  int ret;

  if (fd < 0 || canon[0] == '\0')
    return fd;
  ret = removes ? gofer_check_remove (g, canon) : gofer_check_write (g, canon);
  if (ret < 0)
    {
      close (fd);
      return ret - SB_RULE_BASE;
    }
  return fd;
}

/* The answer for a failed parent_for_write: the rules' refusal as it is,
   a special last component as busy_means, any other error as it is. */
static int
walk_error (int fd, int busy_means)
{
  if (fd <= -SB_RULE_BASE)
    return fd + SB_RULE_BASE;
  return fd == -EBUSY ? busy_means : fd;
}

/* Whether the last component of path (trailing slashes aside) is "..". */
static bool
last_is_dotdot (const char *path)
{
  size_t n = strlen (path);

  while (n > 1 && path[n - 1] == '/')
    n--;
  return n >= 2 && path[n - 1] == '.' && path[n - 2] == '.' && (n == 2 || path[n - 3] == '/');
}

/* A name made by anything but mkdir cannot end in a slash: Linux answers
   EEXIST if the name exists, else ENOENT (a directory was asked for).
   0 when the path has no trailing slash. */
static int
create_slash_error (int parentfd, const char *last, const char *path)
{
  struct stat st;

  if (!gofer_has_trailing_slash (path))
    return 0;
  return fstatat (parentfd, last, &st, AT_SYMLINK_NOFOLLOW) == 0 ? -EEXIST : -ENOENT;
}

static void
op_readlink (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = gofer_open_parent (g, m->path, last, sizeof (last), NULL, 0);
  ssize_t n;

  if (fd < 0)
    {
      r->result = fd == -EBUSY ? -EINVAL : fd;
      return;
    }
  n = readlinkat (fd, last, r->data, sizeof (r->data));
  if (n < 0)
    {
      r->result = -errno;
      return;
    }
  r->data_len = n;
  r->result = n;
}

static void
op_mkdir (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = parent_for_write (g, m->path, last, sizeof (last), false);

  if (fd < 0)
    {
      r->result = walk_error (fd, -EEXIST);
      return;
    }
  r->result = mkdirat (fd, last, m->hdr.mode & 07777) < 0 ? -errno : 0;
}

static void
op_mknod (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = -1;
  mode_t type = m->hdr.mode & S_IFMT;

  /* Device nodes would reach host devices: only FIFOs, sockets and files. */
  if (type != S_IFIFO && type != S_IFREG && type != S_IFSOCK && type != 0)
    {
      r->result = -EPERM;
      return;
    }
  fd = parent_for_write (g, m->path, last, sizeof (last), false);
  if (fd < 0)
    {
      r->result = walk_error (fd, -EEXIST);
      return;
    }
  if ((r->result = create_slash_error (fd, last, m->path)) < 0)
    return;
  r->result = mknodat (fd, last, m->hdr.mode, 0) < 0 ? -errno : 0;
}

static void
op_unlink (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = parent_for_write (g, m->path, last, sizeof (last), true);
  int flags = m->hdr.flags & AT_REMOVEDIR;
  struct stat st;

  if (fd < 0)
    {
      r->result = walk_error (fd, !flags                       ? -EISDIR
                                  : strcmp (m->path, "/") == 0   ? -EBUSY
                                  : last_is_dotdot (m->path)     ? -ENOTEMPTY
                                                                 : -EINVAL);
      return;
    }
  if (!flags && gofer_has_trailing_slash (m->path))
    {
      r->result = fstatat (fd, last, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno
                  : S_ISDIR (st.st_mode)                         ? -EISDIR
                                                                  : -ENOTDIR;
      return;
    }
  r->result = unlinkat (fd, last, flags) < 0 ? -errno : 0;
}

static void
op_rename (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last1[NAME_MAX + 2], last2[NAME_MAX + 2]; /* room for a trailing slash */
  cleanup_close int fd1 = parent_for_write (g, m->path, last1, sizeof (last1), true);
  cleanup_close int fd2 = -1;

  if (fd1 < 0)
    {
      r->result = walk_error (fd1, -EBUSY);
      return;
    }
  fd2 = parent_for_write (g, m->path2, last2, sizeof (last2), true);
  if (fd2 < 0)
    {
      r->result = walk_error (fd2, -EBUSY);
      return;
    }
  /* A trailing slash on either name is the kernel's to judge (ENOTDIR when
     what is renamed is not a directory): kept on the last component, which
     it adds nothing to the walk of. */
  if (gofer_has_trailing_slash (m->path))
    strcat (last1, "/");
  if (gofer_has_trailing_slash (m->path2))
    strcat (last2, "/");
  r->result = renameat2 (fd1, last1, fd2, last2, m->hdr.flags) < 0 ? -errno : 0;
}

/* The anonymous file (an O_TMPFILE, or one unlinked since) that descriptor
   n of the app's process pid holds, path being "/proc/<pid>/fd/<n>": its
   descriptor O_PATH, or -errno. The directory is walked in the root as any
   path is; only its last step follows the app's magic link, with the
   caller's ids (the kernel's ptrace-read rule). Anything with a name is
   refused (ENOENT, as the kernel answers a link by descriptor it does not
   allow): linking a named file by its descriptor would give a file that
   the rules protect by name (read-only, made after the start) a second,
   writable name. */
static int
app_anonymous_file (struct gofer *g, const char *path)
{
  char dir[64], num[24], *end, *end2;
  cleanup_close int d = -1;
  struct stat st;
  long pid, n;
  int f;

  if (strncmp (path, "/proc/", 6) != 0)
    return -EINVAL;
  pid = strtol (path + 6, &end, 10);
  if (end == path + 6 || pid <= 0 || strncmp (end, "/fd/", 4) != 0)
    return -EINVAL;
  n = strtol (end + 4, &end2, 10);
  if (end2 == end + 4 || *end2 != '\0' || n < 0 || n > (1 << 20))
    return -EINVAL;
  snprintf (dir, sizeof (dir), "/proc/%ld/fd", pid);
  snprintf (num, sizeof (num), "%ld", n);
  d = gofer_open_in_root (g, dir, O_PATH | O_DIRECTORY, 0);
  if (d < 0)
    return d;
  f = openat (d, num, O_PATH | O_CLOEXEC);
  if (f < 0)
    return -errno;
  if (fstat (f, &st) < 0 || !S_ISREG (st.st_mode) || st.st_nlink != 0)
    {
      close (f);
      return -ENOENT;
    }
  return f;
}

static void
op_link (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last1[NAME_MAX + 1], last2[NAME_MAX + 1], via[32];
  cleanup_close int fd1 = -1;
  cleanup_close int fd2 = parent_for_write (g, m->path2, last2, sizeof (last2), false);

  if (fd2 < 0)
    {
      r->result = walk_error (fd2, -EEXIST);
      return;
    }
  if ((r->result = create_slash_error (fd2, last2, m->path2)) < 0)
    return;
  if (m->hdr.flags & (AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    {
      fd1 = m->hdr.flags & AT_EMPTY_PATH ? app_anonymous_file (g, m->path)
                                         : gofer_open_in_root (g, m->path, O_PATH, 0);
      if (fd1 < 0)
        {
          r->result = fd1;
          return;
        }
      gofer_fd_path (via, sizeof (via), fd1);
      r->result = linkat (g->selfprocfd, via, fd2, last2, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
      return;
    }
  fd1 = gofer_open_parent (g, m->path, last1, sizeof (last1), NULL, 0);
  if (fd1 < 0)
    {
      r->result = fd1 == -EBUSY ? -EPERM : fd1;
      return;
    }
  r->result = linkat (fd1, last1, fd2, last2, 0) < 0 ? -errno : 0;
}

static void
op_symlink (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1], target[SB_GOFER_PATH_MAX];
  cleanup_close int fd = -1;

  if (m->hdr.data_len == 0 || m->hdr.data_len > sizeof (target)
      || ((const char *) m->data)[m->hdr.data_len - 1] != '\0')
    {
      r->result = -EINVAL;
      return;
    }
  memcpy (target, m->data, m->hdr.data_len);
  fd = parent_for_write (g, m->path, last, sizeof (last), false);
  if (fd < 0)
    {
      r->result = walk_error (fd, -EEXIST);
      return;
    }
  /* The target is stored, never walked here: resolving it later goes through
     openat2 like every other path. */
  if ((r->result = create_slash_error (fd, last, m->path)) < 0)
    return;
  r->result = symlinkat (target, fd, last) < 0 ? -errno : 0;
}

/* Resolves a path to an O_PATH fd following or not the final symlink. */
static int
open_target (struct gofer *g, const char *path, bool follow)
{
  return gofer_open_in_root (g, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
}

/* The same, for an operation that changes the file: refused in a
   read-only path (a symlink's own name included). */
static int
open_target_write (struct gofer *g, const char *path, bool follow)
{
  char canon[SB_GOFER_PATH_MAX + 16];
  int fd = open_target (g, path, follow), ret;

  if (fd < 0 || g->nread_only == 0)
    return fd;
  ret = gofer_canonical_path (g, fd, canon, sizeof (canon)) < 0 ? -EROFS : gofer_check_write (g, canon);
  if (ret < 0)
    {
      close (fd);
      return ret;
    }
  return fd;
}

static void
op_chmod (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = open_target_write (g, m->path, !(m->hdr.flags & AT_SYMLINK_NOFOLLOW));
  struct stat st;
  char via[32];

  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (fstat (fd, &st) < 0)
    {
      r->result = -errno;
      return;
    }
  if (S_ISLNK (st.st_mode))
    {
      r->result = -EOPNOTSUPP;
      return;
    }
  gofer_fd_path (via, sizeof (via), fd);
  r->result = fchmodat (g->selfprocfd, via, m->hdr.mode & 07777, 0) < 0 ? -errno : 0;
}

static void
op_chown (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = open_target_write (g, m->path, !(m->hdr.flags & AT_SYMLINK_NOFOLLOW));

  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  r->result = fchownat (fd, "", (uid_t) m->hdr.uid, (gid_t) m->hdr.gid, AT_EMPTY_PATH) < 0
                  ? -errno
                  : 0;
}

static void
op_utimens (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  struct timespec ts[2];
  const struct timespec *tsp = NULL;
  char last[NAME_MAX + 1], via[32];
  cleanup_close int fd = -1;

  if (m->hdr.data_len == sizeof (ts))
    {
      memcpy (ts, m->data, sizeof (ts));
      tsp = ts;
    }
  else if (m->hdr.data_len != 0)
    {
      r->result = -EINVAL;
      return;
    }
  if (m->hdr.flags & AT_SYMLINK_NOFOLLOW)
    {
      fd = parent_for_write (g, m->path, last, sizeof (last), false);
      if (fd >= 0)
        {
          r->result = utimensat (fd, last, tsp, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
          return;
        }
      if (fd != -EBUSY)
        {
          r->result = walk_error (fd, -EBUSY);
          return;
        }
    }
  fd = open_target_write (g, m->path, true);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  gofer_fd_path (via, sizeof (via), fd);
  r->result = utimensat (g->selfprocfd, via, tsp, 0) < 0 ? -errno : 0;
}

static void
op_statfs (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = open_target (g, m->path, true);
  struct statfs sfs;

  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (fstatfs (fd, &sfs) < 0)
    {
      r->result = -errno;
      return;
    }
  memcpy (r->data, &sfs, sizeof (sfs));
  r->data_len = sizeof (sfs);
}

/* The xattr calls take a path and no dirfd: reach the file as "self/fd/N"
   (following) or "N/name" style relative to the parent (not following),
   with the Gofer's cwd set to the directory that makes the name relative. */
static int
xattr_target (struct gofer *g, const struct sb_gofer_msg *m, char *name, size_t len, int *holdfd)
{
  bool follow = !(m->hdr.flags & AT_SYMLINK_NOFOLLOW);
  bool writes = m->hdr.op == SB_GOFER_SETXATTR || m->hdr.op == SB_GOFER_REMOVEXATTR;
  int fd;

  if (!follow)
    {
      fd = writes ? parent_for_write (g, m->path, name, len, false)
                  : gofer_open_parent (g, m->path, name, len, NULL, 0);
      if (fd == -EBUSY)
        follow = true;
      else if (fd < 0)
        return walk_error (fd, -EBUSY);
      else
        {
          *holdfd = fd;
          return fchdir (fd) < 0 ? -errno : 0;
        }
    }
  fd = writes ? open_target_write (g, m->path, true) : open_target (g, m->path, true);
  if (fd < 0)
    return fd;
  *holdfd = fd;
  gofer_fd_path (name, len, fd);
  return fchdir (g->selfprocfd) < 0 ? -errno : 0;
}

static const char *
xattr_name (const struct sb_gofer_msg *m)
{
  const char *name = m->data;

  if (m->hdr.data_len == 0 || memchr (name, '\0', m->hdr.data_len) == NULL)
    return NULL;
  return name;
}

static void
op_xattr (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char target[NAME_MAX + 1];
  cleanup_close int hold = -1;
  const char *name = NULL;
  bool follow = !(m->hdr.flags & AT_SYMLINK_NOFOLLOW);
  size_t size = m->hdr.arg > sizeof (r->data) ? sizeof (r->data) : m->hdr.arg;
  ssize_t n = -1;
  int ret;

  if (m->hdr.op != SB_GOFER_LISTXATTR && (name = xattr_name (m)) == NULL)
    {
      r->result = -EINVAL;
      return;
    }
  ret = xattr_target (g, m, target, sizeof (target), &hold);
  if (ret < 0)
    {
      r->result = ret;
      return;
    }
  /* After xattr_target, a follow request names "self/fd/N" (must follow that
     magic link), a no-follow request names the entry itself. */
  follow = strncmp (target, "self/fd/", 8) == 0 ? true : follow;
  switch (m->hdr.op)
    {
    case SB_GOFER_GETXATTR:
      n = follow ? getxattr (target, name, r->data, size) : lgetxattr (target, name, r->data, size);
      break;
    case SB_GOFER_LISTXATTR:
      n = follow ? listxattr (target, r->data, size) : llistxattr (target, r->data, size);
      break;
    case SB_GOFER_SETXATTR:
      {
        size_t nlen = strlen (name) + 1;
        const char *value = name + nlen;
        if (nlen + m->hdr.arg != m->hdr.data_len)
          {
            r->result = -EINVAL;
            goto out;
          }
        n = follow ? setxattr (target, name, value, m->hdr.arg, (int) m->hdr.mode)
                   : lsetxattr (target, name, value, m->hdr.arg, (int) m->hdr.mode);
        size = 0;
        break;
      }
    case SB_GOFER_REMOVEXATTR:
      n = follow ? removexattr (target, name) : lremovexattr (target, name);
      size = 0;
      break;
    }
  if (n < 0)
    r->result = -errno;
  else
    {
      r->result = n;
      if (size > 0)
        r->data_len = n;
    }
out:
  if (fchdir (g->rootfd) < 0)
    r->result = -EIO;
}

static void
op_open_parent (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  int fd = gofer_open_parent (g, m->path, last, sizeof (last), NULL, 0);

  if (fd < 0)
    {
      r->result = fd == -EBUSY ? -EINVAL : fd;
      return;
    }
  r->fd = fd;
  r->kind = SB_GOFER_KIND_FD;
  r->data_len = strlen (last) + 1;
  memcpy (r->data, last, r->data_len);
}

void
gofer_handle (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  r->result = 0;
  r->kind = SB_GOFER_KIND_NONE;
  r->fd = -1;
  r->data_len = 0;

  if (m->path == NULL)
    {
      r->result = -EINVAL;
      return;
    }
  if ((m->hdr.op == SB_GOFER_RENAME || m->hdr.op == SB_GOFER_LINK) && m->path2 == NULL)
    {
      r->result = -EINVAL;
      return;
    }
  switch (m->hdr.op)
    {
    case SB_GOFER_OPEN: gofer_op_open (g, m, r); break;
    case SB_GOFER_STAT: gofer_op_stat (g, m, r); break;
    case SB_GOFER_ACCESS: gofer_op_access (g, m, r); break;
    case SB_GOFER_READLINK: op_readlink (g, m, r); break;
    case SB_GOFER_MKDIR: op_mkdir (g, m, r); break;
    case SB_GOFER_MKNOD: op_mknod (g, m, r); break;
    case SB_GOFER_UNLINK: op_unlink (g, m, r); break;
    case SB_GOFER_RENAME: op_rename (g, m, r); break;
    case SB_GOFER_LINK: op_link (g, m, r); break;
    case SB_GOFER_SYMLINK: op_symlink (g, m, r); break;
    case SB_GOFER_CHMOD: op_chmod (g, m, r); break;
    case SB_GOFER_CHOWN: op_chown (g, m, r); break;
    case SB_GOFER_UTIMENS: op_utimens (g, m, r); break;
    case SB_GOFER_TRUNCATE: gofer_op_truncate (g, m, r); break;
    case SB_GOFER_STATFS: op_statfs (g, m, r); break;
    case SB_GOFER_GETXATTR:
    case SB_GOFER_SETXATTR:
    case SB_GOFER_LISTXATTR:
    case SB_GOFER_REMOVEXATTR: op_xattr (g, m, r); break;
    case SB_GOFER_OPEN_PARENT: op_open_parent (g, m, r); break;
    case SB_GOFER_WALK:
      r->result = gofer_open_in_root (g, m->path, O_PATH | (m->hdr.flags & (O_NOFOLLOW | O_DIRECTORY)), 0);
      if (r->result >= 0)
        {
          r->fd = r->result;
          r->result = 0;
          r->kind = SB_GOFER_KIND_FD;
        }
      break;
    default: r->result = -ENOSYS; break;
    }
}
