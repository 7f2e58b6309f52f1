#include "ctrlog.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
sb_ctrlog_open (struct sb_ctrlog *l, const char *path, uint64_t max_bytes, sb_error_t *err)
{
  struct stat st;

  memset (l, 0, sizeof (*l));
  l->max_bytes = max_bytes;
  snprintf (l->path, sizeof (l->path), "%s", path);
  l->fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (l->fd < 0)
    return sb_error (err, errno, "open the container's log `%s`", path);
  if (fstat (l->fd, &st) == 0)
    l->size = (uint64_t) st.st_size;
  return 0;
}

/* Valid UTF-8 kept, each invalid byte replaced by U+FFFD. */
static char *
sanitize (const char *s, size_t n, size_t *outlen)
{
  char *out = malloc (n * 3 + 1);
  size_t i = 0, o = 0;

  if (out == NULL)
    return NULL;
  while (i < n)
    {
      unsigned char c = (unsigned char) s[i];
      size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool ok = len > 0 && i + len <= n;
      for (size_t k = 1; ok && k < len; k++)
        ok = ((unsigned char) s[i + k] >> 6) == 2;
      if (ok)
        {
          memcpy (out + o, s + i, len);
          o += len;
          i += len;
        }
      else
        {
          memcpy (out + o, "\xef\xbf\xbd", 3);
          o += 3;
          i++;
        }
    }
  *outlen = o;
  return out;
}

static void
rotate_if_needed (struct sb_ctrlog *l, size_t more)
{
  char old[4200];

  if (l->max_bytes == 0 || l->size + more <= l->max_bytes || l->size == 0)
    return;
  snprintf (old, sizeof (old), "%s.1", l->path);
  rename (l->path, old);
  close (l->fd);
  l->fd = open (l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  l->size = 0;
}

static void
write_line (struct sb_ctrlog *l, int stream, const char *text, size_t n)
{
  struct timespec ts;
  struct tm tm;
  char when[64], *clean, *line;
  size_t clen, k;
  json_t *obj;

  if (l->fd < 0)
    return;
  clean = sanitize (text, n, &clen);
  if (clean == NULL)
    return;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  k = strftime (when, sizeof (when), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (when + k, sizeof (when) - k, ".%09ldZ", ts.tv_nsec);
  obj = json_pack ("{s:s, s:s, s:s%}", "time", when, "stream",
                   stream == SB_CTRLOG_STDERR ? "stderr" : "stdout", "log", clean, clen);
  free (clean);
  line = obj ? json_dumps (obj, JSON_COMPACT) : NULL;
  json_decref (obj);
  if (line == NULL)
    return;
  k = strlen (line);
  rotate_if_needed (l, k + 1);
  if (l->fd >= 0 && sb_write_all (l->fd, line, k) == 0 && sb_write_all (l->fd, "\n", 1) == 0)
    l->size += k + 1;
  free (line);
}

void
sb_ctrlog_write (struct sb_ctrlog *l, int stream, const char *data, size_t n)
{
  char *buf = l->partial[stream];
  size_t *have = &l->npartial[stream];

  while (n > 0)
    {
      const char *nl = memchr (data, '\n', n);
      size_t take = nl ? (size_t) (nl - data) + 1 : n;
      if (*have + take > sizeof (l->partial[0]))
        take = sizeof (l->partial[0]) - *have;
      memcpy (buf + *have, data, take);
      *have += take;
      data += take;
      n -= take;
      if ((nl && buf[*have - 1] == '\n') || *have == sizeof (l->partial[0]))
        {
          write_line (l, stream, buf, *have);
          *have = 0;
        }
    }
}

void
sb_ctrlog_flush (struct sb_ctrlog *l)
{
  for (int s = 0; s < 2; s++)
    if (l->npartial[s])
      {
        write_line (l, s, l->partial[s], l->npartial[s]);
        l->npartial[s] = 0;
      }
}

void
sb_ctrlog_close (struct sb_ctrlog *l)
{
  sb_ctrlog_flush (l);
  if (l->fd >= 0)
    close (l->fd);
  l->fd = -1;
}
