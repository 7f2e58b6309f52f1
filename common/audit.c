#include "audit.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
iso_time (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  size_t n;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, len - n, ".%06ldZ", ts.tv_nsec / 1000);
}

void
sb_audit_syscall (int fd, const char *container, pid_t pid, const char *name, long nr,
                  const uint64_t args[6], const char *action, int err)
{
  char when[64];
  json_t *obj, *jargs;
  char *line;
  int i;

  if (fd < 0)
    return;
  iso_time (when, sizeof (when));
  jargs = json_array ();
  for (i = 0; i < 6; i++)
    {
      char hex[24];
      snprintf (hex, sizeof (hex), "0x%llx", (unsigned long long) args[i]);
      json_array_append_new (jargs, json_string (hex));
    }
  obj = json_pack ("{s:s, s:s, s:i, s:s, s:I, s:o, s:s, s:s}",
                   "time", when, "container", container ? container : "",
                   "pid", (int) pid, "syscall", name ? name : "unknown",
                   "nr", (json_int_t) nr, "args", jargs, "action", action,
                   "errno", err ? strerrorname_np (err) ? strerrorname_np (err) : "?" : "");
  if (obj == NULL)
    return;
  line = json_dumps (obj, JSON_COMPACT);
  json_decref (obj);
  if (line)
    {
      size_t n = strlen (line);
      line = realloc (line, n + 2);
      if (line)
        {
          line[n] = '\n';
          line[n + 1] = '\0';
          sb_write_all (fd, line, n + 1);
        }
    }
  free (line);
}
