/* Extracting one layer of an image into a directory of the store.

   libarchive reads the tar; the files are written here, each relative to
   the layer's root by descriptor, never by a path from the process's
   working directory (the daemon has threads: no chdir) and never through a
   symbolic link:
   - a name is cleaned of "." and empty components; an absolute name, a
     `..` component, a name over 4095 bytes or a component over 255 refuse
     the import (libarchive's SECURE_NOABSOLUTEPATHS and SECURE_NODOTDOT);
   - the parent directory is opened from the layer root with openat2
     (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV), made if
     missing (root's, 0755): a symbolic link on the way refuses the import,
     so no later entry writes through one (SECURE_SYMLINKS);
   - the entry itself replaces whatever had its name (a directory stays a
     directory) and is made with O_CREAT|O_EXCL|O_NOFOLLOW, mkdirat,
     symlinkat or mknodat: what a name held before is never followed;
   - a hard link's target is resolved the same way from the layer root: it
     must be an entry of this layer, not a directory; a link to anything
     else refuses the import;
   - device nodes are skipped (counted), and so are sockets and unknown
     types; setuid and setgid bits are stripped (counted; a directory keeps
     its setgid bit, which only chooses the group of new entries);
     security.capability is dropped (counted) and so is every extended
     attribute but user.* (user.overlay.* too: only the store writes
     overlayfs's attributes); ACLs and file flags are not restored;
   - OCI whiteouts become overlayfs ones: `.wh.NAME` a 0/0 character device
     NAME, `.wh..wh..opq` the attribute trusted.overlay.opaque=y on its
     directory; other `.wh..wh.` names (aufs's own) are skipped;
   - owners are the tarball's numeric ids, unshifted (ids that are not
     valid become 65534); modes and times are the tarball's, directories'
     times set last. */
#include "util.h"
#include "image_internal.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <dirent.h>

#define NOBODY 65534u

struct dir_time
{
  char *path;
  struct timespec times[2];
};

struct writer
{
  struct sb_tar *t;
  int root;
  uint64_t max_file;
  struct sb_layer_stats *st;
  struct dir_time *dirs;
  size_t ndirs, cap;
  const char *entry;       /* the entry's name as the tarball gives it */
};

/* openat2 beneath dirfd, no symbolic link anywhere (a trailing one is
   returned as itself with O_PATH | O_NOFOLLOW). Returns fd or -errno. */
static int
resolve (int dirfd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (unsigned) flags | O_CLOEXEC,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd = syscall (SYS_openat2, dirfd, path[0] ? path : ".", &how, sizeof (how));

  return fd < 0 ? -errno : fd;
}

static int
refuse (struct writer *w, sb_error_t *err, const char *why, const char *detail)
{
  return sb_error (err, 0, "%s: entry `%s`: %s%s", w->t->what, w->entry, why, detail ? detail : "");
}

static int
walk_error (struct writer *w, const char *path, int e, sb_error_t *err)
{
  char detail[4200];

  snprintf (detail, sizeof (detail), " (`%s`)", path);
  if (e == ELOOP)
    return refuse (w, err, "a symbolic link is on its way: writing through one is refused", detail);
  if (e == ENOTDIR)
    return refuse (w, err, "a directory on its way is not one", detail);
  return sb_error (err, e, "%s: entry `%s`: open `%s`", w->t->what, w->entry, path);
}

/* The directory path of the layer (read-only descriptor), made with its
   missing parents. */
static int
open_dir_p (struct writer *w, const char *path, sb_error_t *err)
{
  cleanup_close int cur = -1;
  char buf[4096];
  char *p, *comp;
  int fd = resolve (w->root, path, O_RDONLY | O_DIRECTORY);

  if (fd >= 0)
    return fd;
  if (fd != -ENOENT)
    return walk_error (w, path, -fd, err);
  snprintf (buf, sizeof (buf), "%s", path);
  cur = resolve (w->root, "", O_RDONLY | O_DIRECTORY);
  if (cur < 0)
    return sb_error (err, -cur, "%s: open the layer's root", w->t->what);
  for (p = buf; (comp = strsep (&p, "/")) != NULL;)
    {
      bool made = mkdirat (cur, comp, 0755) == 0;
      int next;

      if (!made && errno != EEXIST)
        return sb_error (err, errno, "%s: entry `%s`: mkdir `%s`", w->t->what, w->entry, comp);
      next = resolve (cur, comp, O_RDONLY | O_DIRECTORY);
      if (next < 0)
        return walk_error (w, path, -next, err);
      /* Whatever the umask: 0755, root's. */
      if (made && fchmod (next, 0755) < 0)
        {
          close (next);
          return sb_error (err, errno, "%s: chmod `%s`", w->t->what, path);
        }
      close (cur);
      cur = next;
    }
  return steal_fd (&cur);
}

/* Makes room for a new entry `name` in dirfd: whatever is there goes
   (a directory stays when keep_dir). *kept says whether it did. */
static int
clear_name (struct writer *w, int dirfd, const char *name, bool keep_dir, bool *kept, sb_error_t *err)
{
  struct stat st;
  int r;

  if (kept)
    *kept = false;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : sb_error (err, errno, "%s: entry `%s`", w->t->what, w->entry);
  if (keep_dir && S_ISDIR (st.st_mode))
    {
      *kept = true;
      return 0;
    }
  r = sb_remove_tree (dirfd, name);
  if (r < 0)
    return sb_error (err, -r, "%s: entry `%s`: replace what had its name", w->t->what, w->entry);
  return 0;
}

static uint32_t
entry_id (la_int64_t id)
{
  return id < 0 || id >= 0xffffffffll ? NOBODY : (uint32_t) id;
}

/* The entry's permission bits, without setuid/setgid (counted). */
static mode_t
entry_mode (struct writer *w, struct archive_entry *e, bool dir)
{
  mode_t mode = archive_entry_perm (e) & 07777;
  mode_t strip = dir ? S_ISUID : (S_ISUID | S_ISGID);

  if (mode & strip)
    {
      mode &= ~strip;
      w->st->setid++;
    }
  return mode;
}

static void
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  long mns = archive_entry_mtime_nsec (e), ans = archive_entry_atime_nsec (e);

  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = mns >= 0 && mns < 1000000000 ? mns : 0;
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = ans >= 0 && ans < 1000000000 ? ans : 0;
    }
  else
    ts[0] = ts[1];
}

/* Owner, mode and the extended attributes kept, on an open file or directory. */
static int
set_attrs (struct writer *w, int fd, struct archive_entry *e, mode_t mode, sb_error_t *err)
{
  bool cap = false, other = false;
  const char *name;
  const void *value;
  size_t size;

  if (fchown (fd, entry_id (archive_entry_uid (e)), entry_id (archive_entry_gid (e))) < 0
      || fchmod (fd, mode) < 0)
    return sb_error (err, errno, "%s: entry `%s`: set owner and mode", w->t->what, w->entry);
  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK)
    {
      if (name == NULL)
        continue;
      if (strcmp (name, "security.capability") == 0)
        cap = true;
      else if (strncmp (name, "user.", 5) != 0 || strncmp (name, "user.overlay.", 13) == 0
               || fsetxattr (fd, name, value, size, 0) < 0)
        other = true;
    }
  /* Counted by entry (a pax header may give one attribute twice). */
  w->st->capabilities += cap;
  w->st->xattrs += other;
  return 0;
}

static int
remember_dir_time (struct writer *w, const char *path, struct archive_entry *e, sb_error_t *err)
{
  if (w->ndirs == w->cap)
    {
      size_t cap = w->cap ? 2 * w->cap : 256;
      struct dir_time *d = realloc (w->dirs, cap * sizeof (*d));
      if (d == NULL)
        return sb_error (err, ENOMEM, "allocate");
      w->dirs = d;
      w->cap = cap;
    }
  w->dirs[w->ndirs].path = strdup (path);
  if (w->dirs[w->ndirs].path == NULL)
    return sb_error (err, ENOMEM, "allocate");
  entry_times (e, w->dirs[w->ndirs].times);
  w->ndirs++;
  return 0;
}

static int
write_data (struct writer *w, int fd, sb_error_t *err)
{
  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t offset;
      int r = archive_read_data_block (w->t->tar, &buf, &size, &offset);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r < ARCHIVE_WARN)
        return sb_tar_fail (w->t, err);
      if (offset < 0 || (uint64_t) offset + size > w->max_file)
        return sb_error (err, EFBIG, "%s: entry `%s`: larger than %llu bytes", w->t->what,
                         w->entry, (unsigned long long) w->max_file);
      while (size > 0)
        {
          ssize_t n = pwrite (fd, buf, size, offset);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return sb_error (err, n < 0 ? errno : EIO, "%s: entry `%s`: write", w->t->what, w->entry);
          buf = (const char *) buf + n;
          size -= (size_t) n;
          offset += n;
          w->st->bytes += (uint64_t) n;
        }
    }
}

static int
extract_file (struct writer *w, int dirfd, const char *name, struct archive_entry *e, sb_error_t *err)
{
  cleanup_close int fd = -1;
  struct timespec ts[2];
  la_int64_t size = archive_entry_size (e);

  if (size < 0 || (uint64_t) size > w->max_file)
    return sb_error (err, EFBIG, "%s: entry `%s`: larger than %llu bytes", w->t->what, w->entry,
                     (unsigned long long) w->max_file);
  if (clear_name (w, dirfd, name, false, NULL, err) < 0)
    return -1;
  fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return sb_error (err, errno, "%s: entry `%s`: create", w->t->what, w->entry);
  if (write_data (w, fd, err) < 0)
    return -1;
  /* A sparse file's hole at its end. */
  if (ftruncate (fd, size) < 0)
    return sb_error (err, errno, "%s: entry `%s`: truncate", w->t->what, w->entry);
  if (set_attrs (w, fd, e, entry_mode (w, e, false), err) < 0)
    return -1;
  entry_times (e, ts);
  if (futimens (fd, ts) < 0)
    return sb_error (err, errno, "%s: entry `%s`: set times", w->t->what, w->entry);
  return 0;
}

static int
extract_dir (struct writer *w, int dirfd, const char *name, const char *path, struct archive_entry *e,
             sb_error_t *err)
{
  cleanup_close int fd = -1;
  bool kept = false;

  if (name[0] != '\0')
    {
      if (clear_name (w, dirfd, name, true, &kept, err) < 0)
        return -1;
      if (!kept && mkdirat (dirfd, name, 0700) < 0)
        return sb_error (err, errno, "%s: entry `%s`: mkdir", w->t->what, w->entry);
    }
  fd = resolve (dirfd, name, O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return walk_error (w, path, -fd, err);
  if (set_attrs (w, fd, e, entry_mode (w, e, true), err) < 0)
    return -1;
  return remember_dir_time (w, path, e, err);
}

/* Symbolic links and FIFOs: made by name in dirfd, never followed. */
static int
extract_special (struct writer *w, int dirfd, const char *name, struct archive_entry *e,
                 sb_error_t *err)
{
  bool link = archive_entry_filetype (e) == AE_IFLNK;
  const char *target = archive_entry_symlink (e);
  struct timespec ts[2];

  if (link && (target == NULL || target[0] == '\0' || strlen (target) > 4095))
    return refuse (w, err, "a symbolic link without a valid target", NULL);
  if (clear_name (w, dirfd, name, false, NULL, err) < 0)
    return -1;
  if (link ? symlinkat (target, dirfd, name) < 0 : mknodat (dirfd, name, S_IFIFO | 0600, 0) < 0)
    return sb_error (err, errno, "%s: entry `%s`: create", w->t->what, w->entry);
  if (fchownat (dirfd, name, entry_id (archive_entry_uid (e)), entry_id (archive_entry_gid (e)),
                AT_SYMLINK_NOFOLLOW) < 0
      || (!link && fchmodat (dirfd, name, entry_mode (w, e, false), AT_SYMLINK_NOFOLLOW) < 0))
    return sb_error (err, errno, "%s: entry `%s`: set owner and mode", w->t->what, w->entry);
  entry_times (e, ts);
  if (utimensat (dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
    return sb_error (err, errno, "%s: entry `%s`: set times", w->t->what, w->entry);
  return 0;
}

static int
extract_hardlink (struct writer *w, int dirfd, const char *name, const char *path,
                  const char *target, sb_error_t *err)
{
  cleanup_close int tfd = -1;
  char clean[4096];
  const char *why = sb_tar_clean_name (target, clean, sizeof (clean));
  struct stat st;

  if (why)
    return refuse (w, err, "a hard link whose target has ", why);
  if (strcmp (clean, path) == 0)
    return 0;
  tfd = resolve (w->root, clean, O_PATH | O_NOFOLLOW);
  if (tfd == -ENOENT)
    return refuse (w, err, "a hard link to an entry that is not in the layer (a link out of the "
                   "layer is refused): ", target);
  if (tfd < 0)
    return walk_error (w, clean, -tfd, err);
  if (fstat (tfd, &st) < 0)
    return sb_error (err, errno, "%s: entry `%s`", w->t->what, w->entry);
  if (!S_ISREG (st.st_mode) && !S_ISLNK (st.st_mode) && !S_ISFIFO (st.st_mode))
    return refuse (w, err, "a hard link to something other than a file: ", target);
  if (clear_name (w, dirfd, name, false, NULL, err) < 0)
    return -1;
  if (linkat (tfd, "", dirfd, name, AT_EMPTY_PATH) < 0)
    return sb_error (err, errno, "%s: entry `%s`: link", w->t->what, w->entry);
  return 0;
}

/* `.wh.NAME` and `.wh..wh..opq` in dirpath. */
static int
extract_whiteout (struct writer *w, const char *dirpath, const char *base, sb_error_t *err)
{
  cleanup_close int dirfd = open_dir_p (w, dirpath, err);
  const char *target = base + 4;

  if (dirfd < 0)
    return -1;
  w->st->whiteouts++;
  if (strcmp (base, ".wh..wh..opq") == 0)
    {
      if (fsetxattr (dirfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
        return sb_error (err, errno, "%s: entry `%s`: mark the directory opaque", w->t->what, w->entry);
      return 0;
    }
  if (target[0] == '\0' || strcmp (target, ".") == 0 || strcmp (target, "..") == 0)
    return refuse (w, err, "a whiteout of no valid name", NULL);
  if (clear_name (w, dirfd, target, false, NULL, err) < 0)
    return -1;
  if (mknodat (dirfd, target, S_IFCHR | 0, makedev (0, 0)) < 0)
    return sb_error (err, errno, "%s: entry `%s`: make the whiteout", w->t->what, w->entry);
  return 0;
}

/* aufs's own bookkeeping (.wh..wh.plnk...), anywhere on the path. */
static bool
aufs_metadata (const char *path)
{
  const char *p = path;

  for (;;)
    {
      if (strncmp (p, ".wh..wh.", 8) == 0 && strcmp (p, ".wh..wh..opq") != 0)
        return true;
      p = strchr (p, '/');
      if (p == NULL)
        return false;
      p++;
    }
}

static int
extract_entry (struct writer *w, struct archive_entry *e, sb_error_t *err)
{
  cleanup_close int dirfd = -1;
  char path[4096], dirpath[4096];
  const char *why, *base, *hardlink = archive_entry_hardlink (e);
  char *slash;
  unsigned type = archive_entry_filetype (e);

  w->entry = archive_entry_pathname (e);
  if (w->entry == NULL)
    w->entry = archive_entry_pathname_utf8 (e);
  why = sb_tar_clean_name (w->entry, path, sizeof (path));
  if (w->entry == NULL)
    w->entry = "(unreadable)";
  if (why)
    return refuse (w, err, "refused: ", why);
  w->st->entries++;
  slash = strrchr (path, '/');
  snprintf (dirpath, sizeof (dirpath), "%.*s", slash ? (int) (slash - path) : 0, path);
  base = slash ? slash + 1 : path;
  if (aufs_metadata (path))
    {
      w->st->other++;
      return 0;
    }
  if (strncmp (base, ".wh.", 4) == 0)
    return extract_whiteout (w, dirpath, base, err);
  if (path[0] == '\0')
    {
      if (type != AE_IFDIR || hardlink)
        return refuse (w, err, "the layer's root is not a directory", NULL);
      return extract_dir (w, w->root, "", "", e, err);
    }
  if (!hardlink && (type == AE_IFCHR || type == AE_IFBLK))
    {
      w->st->devices++;
      return 0;
    }
  if (!hardlink && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO)
    {
      w->st->other++;
      return 0;
    }
  dirfd = open_dir_p (w, dirpath, err);
  if (dirfd < 0)
    return -1;
  if (hardlink)
    return extract_hardlink (w, dirfd, base, path, hardlink, err);
  switch (type)
    {
    case AE_IFREG: return extract_file (w, dirfd, base, e, err);
    case AE_IFDIR: return extract_dir (w, dirfd, base, path, e, err);
    default: return extract_special (w, dirfd, base, e, err);
    }
}

/* Directories' times, once nothing more is made in them. */
static void
set_dir_times (struct writer *w)
{
  for (size_t i = w->ndirs; i-- > 0;)
    {
      int fd = resolve (w->root, w->dirs[i].path, O_RDONLY | O_DIRECTORY);
      if (fd >= 0)
        {
          futimens (fd, w->dirs[i].times);
          close (fd);
        }
    }
}

int
sb_layer_extract (struct sb_tar *t, int rootfd, uint64_t max_file, struct sb_layer_stats *st,
                  sb_error_t *err)
{
  struct writer w = { .t = t, .root = rootfd, .max_file = max_file, .st = st };
  struct archive_entry *e;
  int r, ret = 0;

  memset (st, 0, sizeof (*st));
  while ((r = sb_tar_next (t, &e, err)) > 0)
    if (extract_entry (&w, e, err) < 0)
      {
        ret = -1;
        break;
      }
  if (r < 0)
    ret = -1;
  if (ret == 0)
    set_dir_times (&w);
  for (size_t i = 0; i < w.ndirs; i++)
    free (w.dirs[i].path);
  free (w.dirs);
  return ret;
}
