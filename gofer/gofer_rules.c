/* The rules the Gofer applies to every name it resolves.

   Principle: a rule binds to what a name leads to, never to the spelling
   the app chose. Every check takes a canonical path: the kernel's own name
   of a file the Gofer holds open (or of its parent plus one component), so
   a symlink, "..", a doubled slash or a bind cannot dodge it. The Sentry
   hands the tenant's hidden and read-only paths over already expanded (see
   sentry/protect.c): each as written, the entry itself with its parent
   resolved, and where it leads when it is a symlink. So hiding
   /etc/os-release (a symlink) hides /usr/lib/os-release as well.

   A rule also pins the names above it: a directory that holds a protected
   path cannot be renamed or removed (gofer_check_remove), or `mv /etc
   /etc2` would carry /etc/shadow out from under its rule, and in a rootfs
   that persists, out from under the next sandbox's as well.

   Masks are different: they are empty read-only mounts over the entries
   of /proc that describe the host (common/mounts.c). Anything on a mask
   answers ENOENT: the mask itself and, because a mask is a mount, whatever
   a name below it reaches, by any route. */
#include "gofer.h"
#include "mounts.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* path is prefix, or lies under it ("/" is above everything). */
static bool
is_or_under (const char *path, const char *prefix)
{
  return sb_path_under_any (path, &prefix, 1);
}

/* Some rule names a path strictly below dir. */
static bool
any_strictly_below (const char *dir, const char *const *list, int n)
{
  int i;

  for (i = 0; i < n; i++)
    if (strcmp (list[i], dir) != 0 && is_or_under (list[i], dir))
      return true;
  return false;
}

bool
gofer_has_rules (const struct gofer *g)
{
  return g->nhidden > 0 || g->nread_only > 0;
}

bool
gofer_is_hidden (const struct gofer *g, const char *canonical)
{
  return sb_path_under_any (canonical, g->hidden, g->nhidden);
}

int
gofer_check_write (const struct gofer *g, const char *canonical)
{
  return sb_path_under_any (canonical, g->read_only, g->nread_only) ? -EROFS : 0;
}

int
gofer_check_remove (const struct gofer *g, const char *canonical)
{
  int ret = gofer_check_write (g, canonical);

  if (ret < 0)
    return ret;
  if (any_strictly_below (canonical, g->hidden, g->nhidden)
      || any_strictly_below (canonical, g->read_only, g->nread_only))
    return -EBUSY;
  return 0;
}

bool
gofer_is_masked (const struct gofer *g, dev_t dev, ino_t ino)
{
  int i;

  for (i = 0; i < g->nmask_dev; i++)
    if (g->mask_dev[i] == dev)
      return true;
  for (i = 0; i < g->nmask_file; i++)
    if (g->mask_file[i].dev == dev && g->mask_file[i].ino == ino)
      return true;
  return false;
}

/* A masked name of procfs or sysfs (common/mounts.c), by its canonical
   path: covers what no mount can (per-process entries), and backs the
   masks up. */
bool
gofer_proc_private (const char *canonical)
{
  return sb_path_masked (canonical);
}

static void
learn_mask (struct gofer *g, const char *path)
{
  struct stat st;
  int i;

  if (lstat (path, &st) < 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      /* A directory that is not a mount of its own was not covered: its
         device is the procfs's, which must never count as a mask. */
      if (st.st_dev == g->proc_dev)
        return;
      for (i = 0; i < g->nmask_dev; i++)
        if (g->mask_dev[i] == st.st_dev)
          return;
      if (g->nmask_dev < SB_GOFER_MAX_MASKS)
        g->mask_dev[g->nmask_dev++] = st.st_dev;
      return;
    }
  for (i = 0; i < g->nmask_file; i++)
    if (g->mask_file[i].dev == st.st_dev && g->mask_file[i].ino == st.st_ino)
      return;
  if (g->nmask_file < (int) (sizeof (g->mask_file) / sizeof (g->mask_file[0])))
    {
      g->mask_file[g->nmask_file].dev = st.st_dev;
      g->mask_file[g->nmask_file].ino = st.st_ino;
      g->nmask_file++;
    }
}

void
gofer_learn_masks (struct gofer *g)
{
  DIR *d = opendir ("/proc");
  struct dirent *de;
  char path[300];
  int i;

  g->nmask_dev = g->nmask_file = 0;
  /* The same choice the app's init made when it covered them. */
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && !sb_proc_entry_visible (de->d_name))
      {
        snprintf (path, sizeof (path), "/proc/%s", de->d_name);
        learn_mask (g, path);
      }
  if (d)
    closedir (d);
  for (i = 0; sb_masked_paths[i]; i++)
    learn_mask (g, sb_masked_paths[i]);
}
