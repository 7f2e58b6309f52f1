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

/* The checks every resolution passes. Fills *st. */
static int
vet (struct gofer *g, int fd, struct stat *st)
{
  char path[SB_GOFER_PATH_MAX + 16];
  bool on_proc;

  if (fstat (fd, st) < 0)
    return -errno;
  if (gofer_is_masked (g, st->st_dev, st->st_ino))
    return -ENOENT;
  on_proc = g->proc_attached && st->st_dev == g->proc_dev;
  if (g->nhidden == 0 && !on_proc)
    return 0;
  /* A name the Gofer cannot see (rare) is refused rather than let through. */
  if (gofer_canonical_path (g, fd, path, sizeof (path)) < 0)
    return -ENOENT;
  if (gofer_is_hidden (g, path) || (on_proc && gofer_proc_private (path)))
    return -ENOENT;
  return 0;
}

int
gofer_resolve (struct gofer *g, const char *base, const char *path, int flags, mode_t mode,
               uint64_t resolve, struct stat *st)
{
  cleanup_close int basefd = -1;
  struct stat own;
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
  if (fd < 0)
    return fd;
  ret = vet (g, fd, st ? st : &own);
  if (ret < 0)
    {
      close (fd);
      return ret;
    }
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
