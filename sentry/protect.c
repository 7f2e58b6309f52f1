/* The tenant's hidden and read-only paths, applied to the container root
   while it is built (sentry/launch.c calls sb_protect_paths).

   Principle: a rule holds on the path as written and on where it leads.
   Each policy path is expanded into the canonical names the Gofer matches
   (gofer/gofer_rules.c):
   - the path as written (normalized by the policy parser);
   - the entry itself: its parent resolved inside the root, plus its last
     component (so /lib64/x, with /lib64 a symlink to usr/lib64, is also
     /usr/lib64/x);
   - where it leads, when the entry is a symlink (hiding /etc/os-release,
     a symlink to ../usr/lib/os-release, hides that file too).
   Then the file a path leads to is covered in the root itself, so that
   what the kernel resolves alone (execve, "#!" interpreters, a working
   directory) meets the rule too: a hidden file or directory by an empty
   read-only mount, a read-only one by a read-only bind of itself. A
   symlink cannot carry a mount; the Gofer holds its name. */
#include "launch.h"
#include "cleanup.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

/* Per path: as written, its parent resolved, where it leads (expand);
   where a missing one would be, and each link of a dangling chain
   (cover_missing, at most 8): as many as the Gofer takes. */
#define MAX_FORMS SB_GOFER_MAX_RULES
_Static_assert (SB_GOFER_MAX_RULES >= 12 * SB_POLICY_MAX_PATHS, "room for every form of every rule");

/* The container path of an fd opened in the root being built. */
static int
container_path (int fd, char *out, size_t len)
{
  char via[64], host[4096 + 64];
  size_t n = strlen (SB_ROOT_DIR);
  ssize_t got;

  snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
  got = readlink (via, host, sizeof (host) - 1);
  if (got < 0)
    return -errno;
  host[got] = '\0';
  if (strncmp (host, SB_ROOT_DIR, n) != 0 || (host[n] != '/' && host[n] != '\0'))
    return -EXDEV;
  snprintf (out, len, "%s", host[n] ? host + n : "/");
  return 0;
}

static void
add_form (char **forms, int *n, const char *path)
{
  int i;

  for (i = 0; i < *n; i++)
    if (strcmp (forms[i], path) == 0)
      return;
  if (*n < MAX_FORMS && (forms[*n] = strdup (path)) != NULL)
    (*n)++;
}

/* The container path of the directory path's last component is in,
   resolved inside the root (symlinks followed), into out. */
static int
parent_path (int rootfd, const char *path, char *out, size_t len)
{
  const char *last = strrchr (path, '/');
  cleanup_close int pfd = -1;
  char parent[4096];

  if (last == NULL || last == path)
    strcpy (parent, "/");
  else
    snprintf (parent, sizeof (parent), "%.*s", (int) (last - path), path);
  pfd = sb_open_in_root (rootfd, parent, O_PATH | O_DIRECTORY, 0);
  return pfd < 0 ? pfd : container_path (pfd, out, len);
}

/* out (a container path, len bytes) followed by "/" and rest, as written. */
static int
join (char *out, size_t len, const char *rest)
{
  size_t have = strlen (out);

  if ((size_t) snprintf (out + have, len - have, "%s%s", strcmp (out, "/") == 0 ? "" : "/", rest) >= len - have)
    return -ENAMETOOLONG;
  return 0;
}

/* Expands path into forms; returns an O_PATH fd of what it leads to, or -errno. */
static int
expand (int rootfd, const char *path, char **forms, int *nforms)
{
  char canon[4096 + 256];
  cleanup_close int entry = -1;
  const char *last = strrchr (path, '/');
  struct stat st;
  int fd;

  add_form (forms, nforms, path);
  /* The entry itself: its parent resolved, its own name. */
  if (last && last[1] && parent_path (rootfd, path, canon, 4096) == 0 && join (canon, sizeof (canon), last + 1) == 0)
    add_form (forms, nforms, canon);
  entry = sb_open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, 0);
  if (entry < 0)
    return entry;
  if (fstat (entry, &st) < 0)
    return -errno;
  if (!S_ISLNK (st.st_mode))
    return steal_fd (&entry);
  fd = sb_open_in_root (rootfd, path, O_PATH, 0);
  if (fd < 0)
    return fd; /* dangling, or into /proc (not mounted yet): the Gofer holds the name */
  if (container_path (fd, canon, sizeof (canon)) == 0)
    add_form (forms, nforms, canon);
  return fd;
}

static int
hide (int fd, const char *what, sb_error_t *err)
{
  struct stat st;
  char via[64];
  int ret;

  if (fstat (fd, &st) < 0)
    return sb_error (err, errno, "hidden path `%s`", what);
  snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
  if (S_ISDIR (st.st_mode))
    ret = mount ("hidden", via, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555");
  else
    ret = mount (SB_MASK_FILE, via, NULL, MS_BIND, NULL);
  if (ret < 0)
    return sb_error (err, errno, "mask hidden path `%s`", what);
  return 0;
}

static int
mount_id (int fd, uint64_t *id)
{
  struct statx stx;

  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
    return -errno;
  if (!(stx.stx_mask & STATX_MNT_ID))
    return -EOPNOTSUPP;
  *id = stx.stx_mnt_id;
  return 0;
}

/* Appends the components of rest to the canonical directory path out
   (len bytes), "." and ".." taken as written: rest names what does not
   exist, so no symlink is among its components. */
static int
append_lexically (char *out, size_t len, const char *rest)
{
  const char *p = rest;

  while (*p)
    {
      const char *end;
      size_t n, have = strlen (out);

      p += strspn (p, "/");
      if (*p == '\0')
        break;
      end = strchrnul (p, '/');
      n = (size_t) (end - p);
      if (n == 1 && p[0] == '.')
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          char *slash = strrchr (out, '/');
          if (slash != NULL)
            slash[slash == out ? 1 : 0] = '\0';
        }
      else if (have + n + 2 > len)
        return -ENAMETOOLONG;
      else
        snprintf (out + have, len - have, "%s%.*s", strcmp (out, "/") == 0 ? "" : "/", (int) n, p);
      p = end;
    }
  return 0;
}

/* Where path, which does not exist, would be: its deepest existing
   ancestor as the root resolves it (symlinks followed), then the rest of
   its components. Returns an O_PATH fd of that ancestor, or -errno. */
static int
missing_form (int rootfd, const char *path, char *out, size_t len)
{
  char head[4096];
  size_t k = strlen (path);

  if (k >= sizeof (head))
    return -ENAMETOOLONG;
  while (k > 0)
    {
      int fd;

      /* Drop the last component (and the slashes before it). */
      while (k > 0 && path[k - 1] == '/')
        k--;
      while (k > 0 && path[k - 1] != '/')
        k--;
      snprintf (head, sizeof (head), "%.*s", (int) (k > 1 ? k - 1 : k), path);
      if (head[0] == '\0')
        strcpy (head, "/");
      fd = sb_open_in_root (rootfd, head, O_PATH | O_DIRECTORY, 0);
      if (fd == -ENOENT)
        continue;
      if (fd < 0)
        return fd;
      if (container_path (fd, out, len) < 0 || append_lexically (out, len, path + k) < 0)
        {
          close (fd);
          return -ENAMETOOLONG;
        }
      return fd;
    }
  return -ENOENT;
}

/* A hidden name with nothing there when the sandbox starts has no mask
   to carry. The Gofer refuses it by name; but what the kernel resolves
   alone after the Gofer's check (an O_PATH open, chdir, execve, a Unix
   connect, whose path another thread may change meanwhile) would reach a
   file that appears there later in a lower layer that can change (the
   host root's). So where the name would be is a form of the rule (the
   Gofer refuses that name too), and when it lies in a root whose writable
   layer is the stage tmpfs, an empty file is made there (and the
   directories missing above it, as for a volume's target) and masked as
   a hidden file is: the writable layer holds it over whatever a lower
   layer gets at that name later, file or directory. Nowhere else: there
   it would be written into the host's files (a volume, a tenant's
   rootfs, an engine's layer). A dangling symlink is followed to where it
   leads (at most 8 links). A name that cannot be made stays with the
   Gofer's check alone, as before. Returns 1 when it made a mask, 0 when
   not, -1 on an error. */
static int
cover_missing (struct sentry *s, int rootfd, const char *path, int depth, sb_error_t *err)
{
  char form[4096], lead[4096 + 4096];
  cleanup_close int entry = -1, above = -1, fd = -1;
  uint64_t root_mnt, above_mnt;
  struct stat st;
  int ret;

  entry = sb_open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, 0);
  if (entry >= 0)
    {
      ssize_t n;

      if (depth >= 8 || fstat (entry, &st) < 0 || !S_ISLNK (st.st_mode)
          || (n = readlinkat (entry, "", form, sizeof (form) - 1)) <= 0)
        return 0;
      form[n] = '\0';
      /* Relative: from the link's own directory (its ".." walked by the
         root's resolution, not taken lexically). */
      if (form[0] == '/')
        snprintf (lead, sizeof (lead), "%s", form);
      else if (parent_path (rootfd, path, lead, 4096) < 0 || join (lead, sizeof (lead), form) < 0)
        return 0;
      return cover_missing (s, rootfd, lead, depth + 1, err);
    }
  if (entry != -ENOENT)
    return 0;
  above = missing_form (rootfd, path, form, sizeof (form));
  if (above < 0)
    return 0;
  add_form (s->hidden_forms, &s->nhidden_forms, form);
  if (!s->root_in_memory || mount_id (rootfd, &root_mnt) < 0 || mount_id (above, &above_mnt) < 0
      || root_mnt != above_mnt)
    return 0;
  ret = sb_launch_make_in_root (rootfd, form, true, s->cfg.idmap.host);
  if (ret == -ENOSPC || ret == -ENOMEM || ret == -EDQUOT)
    return sb_error (err, -ret, "hidden path `%s`: placeholder `%s` in the writable layer", path, form);
  if (ret < 0)
    return 0; /* a file or a dangling link on the way: nothing can be made there */
  fd = sb_open_in_root (rootfd, form, O_PATH | O_NOFOLLOW, 0);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return sb_error (err, fd < 0 ? -fd : EEXIST, "hidden path `%s`: placeholder `%s`", path, form);
  return hide (fd, path, err) < 0 ? -1 : 1;
}

static int
make_read_only (int rootfd, int fd, const char *what, sb_error_t *err)
{
  cleanup_close int top = -1;
  char via[64], path[4096];

  snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
  if (mount (via, via, NULL, MS_BIND | MS_REC, NULL) < 0)
    return sb_error (err, errno, "read-only path `%s`: bind", what);
  /* The bind is a new mount on top: walk to it again to remount it. */
  if (container_path (fd, path, sizeof (path)) < 0
      || (top = sb_open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, 0)) < 0)
    return sb_error (err, top < 0 ? -top : EXDEV, "read-only path `%s`: reopen", what);
  snprintf (via, sizeof (via), "/proc/self/fd/%d", top);
  if (mount (NULL, via, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    return sb_error (err, errno, "make `%s` read-only", what);
  return 0;
}

int
sb_protect_paths (struct sentry *s, int rootfd, sb_error_t *err)
{
  const struct sb_policy *p = s->policy;
  bool covered[SB_POLICY_MAX_PATHS] = { false };
  int i, ret;

  s->hidden_forms = calloc (MAX_FORMS, sizeof (char *));
  s->read_only_forms = calloc (MAX_FORMS, sizeof (char *));
  if (s->hidden_forms == NULL || s->read_only_forms == NULL)
    return sb_error (err, ENOMEM, "allocate the path rules");
  /* Hidden names that do not exist yet first: a read-only bind made
     after takes their masks along. */
  for (i = 0; i < p->nhidden && i < SB_POLICY_MAX_PATHS; i++)
    if ((ret = cover_missing (s, rootfd, p->hidden[i], 0, err)) < 0)
      return -1;
    else
      covered[i] = ret > 0;
  for (i = 0; i < p->nread_only; i++)
    {
      cleanup_close int fd = expand (rootfd, p->read_only[i], s->read_only_forms, &s->nread_only_forms);
      if (fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR)
        continue; /* nothing there (yet): the Gofer refuses to create it */
      if (fd < 0)
        return sb_error (err, -fd, "read-only path `%s`", p->read_only[i]);
      if (make_read_only (rootfd, fd, p->read_only[i], err) < 0)
        return -1;
    }
  for (i = 0; i < p->nhidden; i++)
    {
      cleanup_close int fd = expand (rootfd, p->hidden[i], s->hidden_forms, &s->nhidden_forms);
      if (fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR)
        continue;
      if (fd < 0)
        return sb_error (err, -fd, "hidden path `%s`", p->hidden[i]);
      if (!covered[i] && hide (fd, p->hidden[i], err) < 0)
        return -1;
    }
  /* Listings must agree with these rules and with the masks (sys_dir.c);
     set before the app's init loads the filter. */
  sb_serve_listings (s);
  return 0;
}
