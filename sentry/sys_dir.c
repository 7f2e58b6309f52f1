/* Directory listings that agree with lookups.

   A hidden path, a masked /proc or /sys entry, answers ENOENT; its name
   must not show in its parent's listing either, or the listing tells that
   it exists (and `ls /proc` fails on every masked name). So getdents and
   getdents64 reach the Sentry (the filter notifies them), which reads the
   directory itself on the app's own open file (shared with the app: the
   position moves as if the app had read) and drops the entries whose
   canonical name is hidden or masked. It never lets the call continue on
   the host: another thread could swap the descriptor between the check
   and the kernel's read. The cost is one round trip per getdents call
   (tens of entries or more each). */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "memory.h"
#include "mounts.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LISTING_MAX 65536
_Static_assert (LISTING_MAX <= SB_LANE_SCRATCH, "a listing fits a lane's scratch");

struct dirent64_raw
{
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* The old getdents record: the type sits in the last byte of the record. */
struct dirent_old
{
  unsigned long d_ino;
  unsigned long d_off;
  unsigned short d_reclen;
  char d_name[];
};

void
sb_serve_listings (struct sentry *s)
{
  /* Under a tenant's own deny the call stays denied. The filter notifies
     every number marked in deny[]; sb_sentry_serves tells dispatch.c this
     one is served, not refused. */
  if (s->filter.deny[SYS_getdents64] || s->filter.deny[SYS_getdents])
    return;
  s->filter.deny[SYS_getdents64] = s->filter.deny[SYS_getdents] = true;
  s->serve_listings = true;
}

bool
sb_sentry_serves (const struct sentry *s, int nr)
{
  return s->serve_listings && (nr == SYS_getdents64 || nr == SYS_getdents);
}

/* name, in the directory whose canonical path is dir, is hidden. */
static bool
hidden_entry (const struct sentry *s, const char *dir, const char *name)
{
  size_t n = strlen (dir);
  int i;

  for (i = 0; i < s->nhidden_forms; i++)
    {
      const char *h = s->hidden_forms[i];
      const char *slash = strrchr (h, '/');
      size_t plen = slash == h ? 1 : (size_t) (slash - h);

      if (plen == n && strncmp (h, dir, n) == 0 && strcmp (slash + 1, name) == 0)
        return true;
    }
  return false;
}

/* Drops hidden entries from buf (n bytes of dirent64 records); returns the
   new length. With old, converts the kept ones to the old record format
   (same length: both are 8-aligned, 20 bytes + name + NUL). */
static size_t
filter_entries (const struct sentry *s, const char *dir, char *buf, size_t n, bool old)
{
  size_t in = 0, out = 0;

  while (in + offsetof (struct dirent64_raw, d_name) < n)
    {
      struct dirent64_raw *d = (struct dirent64_raw *) (buf + in);
      unsigned short len = d->d_reclen;

      if (len == 0 || in + len > n)
        break;
      if (dir == NULL || !(hidden_entry (s, dir, d->d_name) || sb_entry_masked (dir, d->d_name)))
        {
          if (old)
            {
              struct dirent64_raw copy;
              char name[256];
              struct dirent_old *o = (struct dirent_old *) (buf + out);

              memcpy (&copy, d, sizeof (copy));
              snprintf (name, sizeof (name), "%s", d->d_name);
              o->d_ino = copy.d_ino;
              o->d_off = (unsigned long) copy.d_off;
              o->d_reclen = len;
              memset (o->d_name, 0, len - offsetof (struct dirent_old, d_name));
              memcpy (o->d_name, name, strlen (name));
              ((char *) o)[len - 1] = (char) copy.d_type;
            }
          else if (out != in)
            memmove (buf + out, d, len);
          out += len;
        }
      in += len;
    }
  return out;
}

long
sys_getdents (struct sb_call *c)
{
  char *buf = sb_lane_scratch (); /* LISTING_MAX bytes, this thread's */
  cleanup_close int fd = sb_get_app_fd (c, (int) c->args[0]);
  size_t count = c->args[2] > LISTING_MAX ? LISTING_MAX : c->args[2];
  char dir[PATH_BUF], link[32];
  const char *dirp = NULL;
  struct stat st;
  ssize_t n;
  size_t kept;

  if (fd < 0)
    return fd == -ESRCH ? fd : -EBADF;
  if (fstat (fd, &st) < 0)
    return -errno;
  if (!S_ISDIR (st.st_mode))
    return -ENOTDIR;
  /* The kernel's name of this very open directory (a removed one holds
     nothing, hidden or not). */
  if (st.st_nlink > 0)
    {
      snprintf (link, sizeof (link), "self/fd/%d", fd);
      n = readlinkat (c->s->procfd, link, dir, sizeof (dir) - 1);
      if (n <= 0)
        return -EIO;
      dir[n] = '\0';
      dirp = dir;
    }
  for (;;)
    {
      n = syscall (SYS_getdents64, fd, buf, count);
      if (n <= 0)
        return n < 0 ? -errno : 0;
      kept = filter_entries (c->s, dirp, buf, (size_t) n, c->nr == SYS_getdents);
      /* Everything read was hidden: read on, as if those names were not there. */
      if (kept > 0)
        break;
    }
  n = sb_copy_out (c, c->args[1], buf, kept);
  return n < 0 ? n : (long) kept;
}
