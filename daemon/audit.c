/* The daemon's lines in the audit log (the same file and format as the
   Sentries' refused calls, appended by libsandbox/auditlog.c): refused API
   requests, tenant policy reloads, container lifecycle events. */
#include "sandboxd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
append (json_t *o)
{
  struct timespec ts;
  struct tm tm;
  char when[64], *text;
  size_t k;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  k = strftime (when, sizeof (when), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (when + k, sizeof (when) - k, ".%06ldZ", ts.tv_nsec / 1000);
  json_object_set_new (o, "time", json_string (when));
  text = json_dumps (o, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref (o);
  if (text == NULL)
    return;
  sb_audit_log_feed (&sbd->audit, text, strlen (text));
  sb_audit_log_feed (&sbd->audit, "\n", 1);
  free (text);
}

void
sbd_audit (struct sbd_request *r, const char *target, const char *action)
{
  append (json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "api", "verb", r->verb ? r->verb : "unknown",
                     "subject", r->subject, "tenant", r->admin ? "" : r->tenant ? r->tenant->name : "",
                     "target", target ? target : "", "action", action));
}

void
sbd_audit_event (const char *tenant, const char *target, const char *action, json_t *extra)
{
  json_t *o = json_pack ("{s:s, s:s, s:s, s:s}", "kind", "daemon", "tenant", tenant ? tenant : "", "target",
                         target ? target : "", "action", action);

  if (extra)
    json_object_update (o, extra);
  json_decref (extra);
  append (o);
}
