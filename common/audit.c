#include "audit.h"
#include "util.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
sb_audit_init (struct sb_audit *a, int fd, const char *container)
{
  a->fd = fd;
  a->container = container ? container : "";
  pthread_mutex_init (&a->lock, NULL);
  a->tokens = SB_AUDIT_BURST;
  a->last_ns = sb_now_ns ();
  a->suppressed = 0;
}

/* One line, whole or not at all (a line is far below PIPE_BUF, and the
   pipe does not block: a runtime that cannot keep up loses lines, not the
   sandbox's time). Under a->lock. */
static void
write_line (struct sb_audit *a, json_t *obj)
{
  char *line = json_dumps (obj, JSON_COMPACT);
  size_t n;

  json_decref (obj);
  if (line == NULL)
    return;
  n = strlen (line);
  line = realloc (line, n + 2);
  if (line != NULL)
    {
      line[n] = '\n';
      if (write (a->fd, line, n + 1) != (ssize_t) (n + 1))
        a->suppressed++;
    }
  free (line);
}

static void
write_suppressed (struct sb_audit *a)
{
  char when[64];
  uint64_t count = a->suppressed;

  if (count == 0)
    return;
  a->suppressed = 0;
  sb_now_iso_digits (when, sizeof (when), 6);
  write_line (a, json_pack ("{s:s, s:s, s:s, s:I}", "time", when, "container", a->container,
                            "action", "suppressed", "count", (json_int_t) count));
}

/* Takes a token if one is there (refilled at SB_AUDIT_RATE a second). */
static bool
take_token (struct sb_audit *a)
{
  uint64_t now = sb_now_ns ();

  a->tokens += (double) (now - a->last_ns) * SB_AUDIT_RATE / 1e9;
  if (a->tokens > SB_AUDIT_BURST)
    a->tokens = SB_AUDIT_BURST;
  a->last_ns = now;
  if (a->tokens < 1)
    return false;
  a->tokens -= 1;
  return true;
}

void
sb_audit_syscall (struct sb_audit *a, pid_t pid, const char *name, long nr,
                  const uint64_t args[6], const char *action, int err)
{
  char when[64];
  json_t *jargs;
  int i;

  if (a->fd < 0)
    return;
  pthread_mutex_lock (&a->lock);
  if (!take_token (a))
    {
      a->suppressed++;
      pthread_mutex_unlock (&a->lock);
      return;
    }
  if (a->suppressed && a->last_ns - a->reported_ns >= 1000000000ull)
    {
      write_suppressed (a);
      a->reported_ns = a->last_ns;
    }
  sb_now_iso_digits (when, sizeof (when), 6);
  jargs = json_array ();
  for (i = 0; i < 6; i++)
    {
      char hex[24];
      snprintf (hex, sizeof (hex), "0x%llx", (unsigned long long) args[i]);
      json_array_append_new (jargs, json_string (hex));
    }
  write_line (a, json_pack ("{s:s, s:s, s:i, s:s, s:I, s:o, s:s, s:s}",
                            "time", when, "container", a->container,
                            "pid", (int) pid, "syscall", name ? name : "unknown",
                            "nr", (json_int_t) nr, "args", jargs, "action", action,
                            "errno", err ? strerrorname_np (err) ? strerrorname_np (err) : "?" : ""));
  pthread_mutex_unlock (&a->lock);
}

void
sb_audit_flush (struct sb_audit *a)
{
  if (a->fd < 0)
    return;
  pthread_mutex_lock (&a->lock);
  write_suppressed (a);
  pthread_mutex_unlock (&a->lock);
}
