#include "auditlog.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
open_file (const char *path)
{
  return open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

int
sb_audit_log_open (struct sb_audit_log *l, const char *path, uint64_t max_bytes, sb_error_t *err)
{
  char lock[4200];

  memset (l, 0, sizeof (*l));
  l->fd = l->lockfd = -1;
  l->max_bytes = max_bytes;
  if (snprintf (l->path, sizeof (l->path), "%s", path) >= (int) sizeof (l->path))
    return sb_error (err, ENAMETOOLONG, "the audit log `%s`", path);
  l->fd = open_file (path);
  if (l->fd < 0)
    return sb_error (err, errno, "open the audit log `%s`", path);
  snprintf (lock, sizeof (lock), "%s.lock", path);
  l->lockfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (l->lockfd < 0)
    {
      sb_error (err, errno, "open the audit log's lock `%s`", lock);
      close (l->fd);
      l->fd = -1;
      return -1;
    }
  return 0;
}

/* FILE.N-1 -> FILE.N, ..., FILE -> FILE.1; then a new FILE. Under the lock. */
static void
rotate (struct sb_audit_log *l)
{
  char from[4200], to[4200];
  int k;

  for (k = SB_AUDIT_LOG_KEEP; k >= 1; k--)
    {
      if (k == 1)
        snprintf (from, sizeof (from), "%s", l->path);
      else
        snprintf (from, sizeof (from), "%s.%d", l->path, k - 1);
      snprintf (to, sizeof (to), "%s.%d", l->path, k);
      rename (from, to);
    }
}

/* Our descriptor still names FILE (another writer may have rotated it). */
static void
follow_rotation (struct sb_audit_log *l)
{
  struct stat mine, now;

  if (fstat (l->fd, &mine) == 0 && stat (l->path, &now) == 0 && mine.st_dev == now.st_dev
      && mine.st_ino == now.st_ino)
    return;
  close (l->fd);
  l->fd = open_file (l->path);
}

static void
append (struct sb_audit_log *l, const char *line, size_t n)
{
  struct stat st;

  if (l->fd < 0 || flock (l->lockfd, LOCK_EX) < 0)
    return;
  follow_rotation (l);
  if (l->fd >= 0 && l->max_bytes && fstat (l->fd, &st) == 0 && (uint64_t) st.st_size + n > l->max_bytes
      && st.st_size > 0)
    {
      rotate (l);
      follow_rotation (l);
    }
  if (l->fd >= 0)
    sb_write_all (l->fd, line, n);
  flock (l->lockfd, LOCK_UN);
}

void
sb_audit_log_feed (struct sb_audit_log *l, const char *data, size_t n)
{
  while (n > 0)
    {
      const char *nl = memchr (data, '\n', n);
      size_t take = nl ? (size_t) (nl - data) + 1 : n;

      if (l->discarding || l->npartial + take > sizeof (l->partial))
        {
          /* A line longer than any the Sentry writes: drop all of it. */
          l->npartial = 0;
          l->discarding = nl == NULL;
        }
      else
        {
          memcpy (l->partial + l->npartial, data, take);
          l->npartial += take;
          if (nl)
            {
              append (l, l->partial, l->npartial);
              l->npartial = 0;
            }
        }
      data += take;
      n -= take;
    }
}

void
sb_audit_log_close (struct sb_audit_log *l)
{
  if (l->fd >= 0)
    close (l->fd);
  if (l->lockfd >= 0)
    close (l->lockfd);
  l->fd = l->lockfd = -1;
}
