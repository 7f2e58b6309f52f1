/* From a path to a descriptor, inside the container root.
   - Whole paths: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so no
     "..", absolute or relative symlink, or concurrent rename leaves the root.
   - The last component alone (unlink, rename, lstat...): the parent is
     resolved as above and the operation acts on (parent fd, one name), so
     the kernel never walks a path of the app's choosing outside openat2.
   Every descriptor is vetted before use (vet below): its canonical name
   against the hidden paths, its inode against the masks and the
   per-process entries that show host clocks. */
#include "gofer.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The app's RESOLVE_* flags the Gofer applies as they are. */
#define APP_RESOLVE (RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV | RESOLVE_CACHED | RESOLVE_BENEATH \
                     | RESOLVE_IN_ROOT)

void
gofer_fd_path (char *buf, size_t len, int fd)
{
  snprintf (buf, len, "self/fd/%d", fd);
}

bool
gofer_has_trailing_slash (const char *path)
{
  size_t n = strlen (path);
  return n > 1 && path[n - 1] == '/';
}

int
gofer_canonical_path (const struct gofer *g, int fd, char *out, size_t len)
{
  char via[32];
  ssize_t n;

  gofer_fd_path (via, sizeof (via), fd);
  n = readlinkat (g->selfprocfd, via, out, len - 1);
  if (n < 0)
    return -errno;
  out[n] = '\0';
  return 0;
}

/* openat2, retried while a rename races with a ".." walk (EAGAIN), a
   bounded number of times, never replaced by an unchecked walk. With
   RESOLVE_CACHED, EAGAIN is the app's answer. */
static int
openat2_retry (int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
  struct open_how how = {
    .flags = (unsigned) flags | O_CLOEXEC,
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode & 07777 : 0,
    .resolve = resolve | RESOLVE_NO_MAGICLINKS,
  };
  int fd = -1, tries;

  for (tries = 0; tries < 64; tries++)
    {
      fd = syscall (SYS_openat2, dirfd, path, &how, sizeof (how));
      if (fd >= 0 || (errno != EAGAIN && errno != EINTR) || (resolve & RESOLVE_CACHED))
        break;
    }
  return fd < 0 ? -errno : fd;
}

void
gofer_statx_to_stat (const struct statx *stx, struct stat *st)
{
  memset (st, 0, sizeof (*st));
  st->st_dev = makedev (stx->stx_dev_major, stx->stx_dev_minor);
  st->st_ino = stx->stx_ino;
  st->st_mode = stx->stx_mode;
  st->st_nlink = stx->stx_nlink;
  st->st_uid = stx->stx_uid;
  st->st_gid = stx->stx_gid;
  st->st_rdev = makedev (stx->stx_rdev_major, stx->stx_rdev_minor);
  st->st_size = (off_t) stx->stx_size;
  st->st_blksize = (blksize_t) stx->stx_blksize;
  st->st_blocks = (blkcnt_t) stx->stx_blocks;
  st->st_atim.tv_sec = stx->stx_atime.tv_sec;
  st->st_atim.tv_nsec = stx->stx_atime.tv_nsec;
  st->st_mtim.tv_sec = stx->stx_mtime.tv_sec;
  st->st_mtim.tv_nsec = stx->stx_mtime.tv_nsec;
  st->st_ctim.tv_sec = stx->stx_ctime.tv_sec;
  st->st_ctim.tv_nsec = stx->stx_ctime.tv_nsec;
}

/* The checks every resolution passes, on one statx (mask: what the caller
   wants of it besides the basic fields). The canonical name is read only
   where a rule could apply to it: a hidden path, the container's procfs,
   and a read-only path when the caller asks for the name (canon). */
static int
vet (struct gofer *g, int fd, unsigned mask, struct statx *stx, char *canon, size_t canonlen)
{
  char own[SB_GOFER_PATH_MAX + 16];
  char *path = canon ? canon : own;
  size_t pathlen = canon ? canonlen : sizeof (own);
  bool on_proc;

  if (canon)
    canon[0] = '\0';
  if (statx (fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, mask | STATX_BASIC_STATS, stx) < 0)
    return -errno;
  if (gofer_is_masked (g, makedev (stx->stx_dev_major, stx->stx_dev_minor), stx->stx_ino))
    return -ENOENT;
  on_proc = g->proc_attached && makedev (stx->stx_dev_major, stx->stx_dev_minor) == g->proc_dev;
  if (g->nhidden == 0 && !on_proc && !(canon && g->nread_only > 0))
    return 0;
  /* A name the Gofer cannot see (rare) is refused rather than let through. */
  if (gofer_canonical_path (g, fd, path, pathlen) < 0)
    return -ENOENT;
  if (gofer_is_hidden (g, path) || (on_proc && gofer_proc_private (path)))
    return -ENOENT;
  return 0;
}

/* After an ENOENT: does path lead through a symlink to /proc/self or
   /proc/thread-self (/etc/mtab -> /proc/mounts -> self/mounts)? Those
   name the process that follows them, here the Gofer, which is not in the
   sandbox's pid namespace. If so, g->redirect gets the path with every
   symlink up to there replaced by its target, for the Sentry to put the
   caller's ids in and ask again. Each component on the way is opened
   (O_PATH, no symlink followed) and vetted as a resolution's result is,
   so the walk says nothing of hidden or masked names. */
static void
find_proc_self_link (struct gofer *g, const char *path)
{
  char work[2 * SB_GOFER_PATH_MAX], cur[SB_GOFER_PATH_MAX], cand[SB_GOFER_PATH_MAX + NAME_MAX + 2];
  char target[SB_GOFER_PATH_MAX], next[2 * SB_GOFER_PATH_MAX];
  const char *p, *end;
  int hops = 0, fd;
  struct statx stx;
  ssize_t n;

  if (!g->proc_attached || path[0] != '/' || strlen (path) >= sizeof (work))
    return;
  /* Most misses have no symlink on the way: one openat2 tells. */
  fd = openat2_retry (g->rootfd, path, O_PATH, 0, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
  if (fd >= 0)
    close (fd);
  if (fd != -ELOOP)
    return;
  strcpy (work, path);
restart:
  cur[0] = '\0';
  for (p = work; *p;)
    {
      size_t len;
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      end = strchr (p, '/');
      len = end ? (size_t) (end - p) : strlen (p);
      if (len > NAME_MAX)
        return;
      if (len == 1 && p[0] == '.')
        {
          p += len;
          continue;
        }
      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          char *slash = strrchr (cur, '/');
          if (slash)
            *slash = '\0';
          p += len;
          continue;
        }
      snprintf (cand, sizeof (cand), "%s/%.*s", cur, (int) len, p);
      p += len;
      if (strcmp (cand, "/proc/self") == 0 || strcmp (cand, "/proc/thread-self") == 0)
        {
          if (snprintf (g->redirect, sizeof (g->redirect), "%s%s", cand, p) >= (int) sizeof (g->redirect))
            g->redirect[0] = '\0';
          return;
        }
      if (strlen (cand) >= sizeof (cur))
        return;
      fd = openat2_retry (g->rootfd, cand, O_PATH | O_NOFOLLOW, 0, RESOLVE_IN_ROOT);
      if (fd < 0)
        return;
      if (vet (g, fd, 0, &stx, NULL, 0) < 0)
        {
          close (fd);
          return;
        }
      if (!S_ISLNK (stx.stx_mode))
        {
          close (fd);
          strcpy (cur, cand);
          continue;
        }
      n = readlinkat (fd, "", target, sizeof (target) - 1);
      close (fd);
      if (n <= 0 || ++hops > 40)
        return;
      target[n] = '\0';
      if (snprintf (next, sizeof (next), "%s%s%s%s", target[0] == '/' ? "" : cur, target[0] == '/' ? "" : "/",
                    target, p)
          >= (int) sizeof (work))
        return;
      strcpy (work, next);
      goto restart;
    }
}

/* After an ENOTDIR: the walk met a file where it wanted a directory (a
   trailing slash, O_DIRECTORY, a component below a file). If that file is
   hidden or masked, the answer is ENOENT, as for any other resolution that
   reaches it: ENOTDIR would say that something is there. Each prefix is
   looked at (O_PATH, with the app's O_NOFOLLOW for the last) until the
   first that is not a directory, which is vetted. */
static int
hidden_not_dir (struct gofer *g, const char *path, int flags)
{
  char prefix[SB_GOFER_PATH_MAX];
  size_t n = strlen (path), i;

  if (path[0] != '/' || n >= sizeof (prefix))
    return -ENOTDIR;
  memcpy (prefix, path, n + 1);
  while (n > 1 && prefix[n - 1] == '/')
    prefix[--n] = '\0';
  for (i = 1; i <= n; i++)
    {
      struct statx stx;
      char saved;
      int fd, ret;

      if (i < n && prefix[i] != '/')
        continue;
      saved = prefix[i];
      prefix[i] = '\0';
      fd = openat2_retry (g->rootfd, prefix, O_PATH | (i == n ? flags & O_NOFOLLOW : 0), 0, RESOLVE_IN_ROOT);
      prefix[i] = saved;
      if (fd < 0)
        return -ENOTDIR;
      ret = vet (g, fd, 0, &stx, NULL, 0);
      close (fd);
      if (ret < 0)
        return ret;
      if (!S_ISDIR (stx.stx_mode))
        return -ENOTDIR;
    }
  return -ENOTDIR;
}

int
gofer_resolve_statx (struct gofer *g, const char *base, const char *path, int flags, mode_t mode,
                     uint64_t resolve, unsigned mask, struct statx *stx, char *canon, size_t canonlen)
{
  cleanup_close int basefd = -1;
  bool redirect = !(resolve & GOFER_RESOLVE_NO_REDIRECT);
  int fd, ret;

  resolve &= APP_RESOLVE;
  if (base == NULL)
    fd = openat2_retry (g->rootfd, path, flags, mode, RESOLVE_IN_ROOT | (resolve & ~RESOLVE_BENEATH));
  else
    {
      /* The directory the app's dirfd names, then its path from there with
         the app's own scoping. Without BENEATH or IN_ROOT (NO_XDEV alone)
         the walk cannot leave the Gofer's root either: it is the container
         root, and NO_XDEV keeps it on the directory's mount. */
      basefd = gofer_resolve (g, NULL, base, O_PATH | O_DIRECTORY, 0, 0, NULL);
      if (basefd < 0)
        return basefd;
      fd = openat2_retry (basefd, path[1] ? path + 1 : ".", flags, mode, resolve);
    }
  if (fd == -ENOENT && base == NULL && resolve == 0 && redirect)
    find_proc_self_link (g, path);
  if (fd == -ENOTDIR && base == NULL && resolve == 0)
    fd = hidden_not_dir (g, path, flags);
  if (fd < 0)
    return fd;
  ret = vet (g, fd, mask, stx, canon, canonlen);
  if (ret < 0)
    {
      close (fd);
      return ret;
    }
  return fd;
}

int
gofer_resolve (struct gofer *g, const char *base, const char *path, int flags, mode_t mode,
               uint64_t resolve, struct stat *st)
{
  struct statx stx;
  int fd = gofer_resolve_statx (g, base, path, flags, mode, resolve, 0, &stx, NULL, 0);

  if (fd >= 0 && st)
    gofer_statx_to_stat (&stx, st);
  return fd;
}

int
gofer_open_in_root_stat (struct gofer *g, const char *path, int flags, mode_t mode, struct stat *st)
{
  return gofer_resolve (g, NULL, path, flags, mode, 0, st);
}

int
gofer_open_in_root (struct gofer *g, const char *path, int flags, mode_t mode)
{
  return gofer_open_in_root_stat (g, path, flags, mode, NULL);
}

int
gofer_open_parent (struct gofer *g, const char *path, char *last, size_t lastlen, char *canon,
                   size_t canonlen)
{
  char dir[SB_GOFER_PATH_MAX];
  char name[SB_GOFER_PATH_MAX + NAME_MAX + 16];
  size_t n = strlen (path), dirlen;
  const char *slash;
  int fd;

  if (canon)
    canon[0] = '\0';
  if (n >= sizeof (dir))
    return -ENAMETOOLONG;
  memcpy (dir, path, n + 1);
  while (n > 1 && dir[n - 1] == '/')
    dir[--n] = '\0';
  slash = strrchr (dir, '/');
  if (slash == NULL)
    return -EINVAL;
  if (strlen (slash + 1) >= lastlen)
    return -ENAMETOOLONG;
  strcpy (last, slash + 1);
  if (last[0] == '\0' || strcmp (last, ".") == 0 || strcmp (last, "..") == 0)
    return -EBUSY;
  dirlen = slash - dir;
  if (dirlen == 0)
    dirlen = 1;
  dir[dirlen] = '\0';
  fd = gofer_open_in_root (g, dir, O_PATH | O_DIRECTORY, 0);
  /* A parent through a symlink to /proc/self: the whole path is redirected. */
  if (fd == -ENOENT && g->redirect[0]
      && strlen (g->redirect) + 1 + strlen (last) < sizeof (g->redirect))
    {
      strcat (g->redirect, "/");
      strcat (g->redirect, last);
    }
  if (fd < 0 || !gofer_has_rules (g))
    return fd;
  /* The entry's canonical name is its parent's plus itself. */
  if (gofer_canonical_path (g, fd, name, sizeof (name) - NAME_MAX - 2) < 0)
    {
      close (fd);
      return -ENOENT;
    }
  if (strcmp (name, "/") != 0)
    strcat (name, "/");
  strcat (name, last);
  if (gofer_is_hidden (g, name))
    {
      close (fd);
      return -ENOENT;
    }
  if (canon)
    snprintf (canon, canonlen, "%s", name);
  return fd;
}
