/* GET /v1/events: container lifecycle events as they happen, one JSON
   object per line, {"time","id","name","tenant","action"} (create, start,
   start-failed, die, oom, destroy, adopt). A tenant sees its own. */
#include "sandboxd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sbd_subscriber
{
  struct evhttp_request *req;
  struct evhttp_connection *evcon;
  char tenant[SB_POLICY_NAME_MAX];   /* "" for an administrator: everything */
  struct sbd_subscriber *next;
};

static void
unsubscribe (struct sbd_subscriber *s)
{
  for (struct sbd_subscriber **p = &sbd->subscribers; *p; p = &(*p)->next)
    if (*p == s)
      {
        *p = s->next;
        break;
      }
  free (s);
}

static void
subscriber_gone (struct evhttp_connection *evcon, void *arg)
{
  (void) evcon;
  unsubscribe (arg);
}

void
sbd_event (struct sbd_container *c, const char *action)
{
  struct timespec ts;
  struct tm tm;
  char when[64];
  size_t k;
  json_t *ev;
  char *text;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  k = strftime (when, sizeof (when), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (when + k, sizeof (when) - k, ".%09ldZ", ts.tv_nsec);
  ev = json_pack ("{s:s, s:s, s:s, s:s, s:s}", "time", when, "id", c->id, "name", c->name, "tenant", c->tenant,
                  "action", action);
  if (c->state == SBD_EXITED && (strcmp (action, "die") == 0 || strcmp (action, "oom") == 0))
    json_object_set_new (ev, "exit_code", json_integer (c->exit_code));
  /* Lifecycle events go to the audit log too. */
  sbd_audit_event (c->tenant, c->id, action, json_pack ("{s:s}", "name", c->name));
  text = json_dumps (ev, JSON_COMPACT);
  json_decref (ev);
  if (text == NULL)
    return;
  for (struct sbd_subscriber *s = sbd->subscribers; s; s = s->next)
    {
      struct evbuffer *buf;
      if (s->tenant[0] && strcmp (s->tenant, c->tenant) != 0)
        continue;
      buf = evbuffer_new ();
      evbuffer_add_printf (buf, "%s\n", text);
      evhttp_send_reply_chunk (s->req, buf);
      evbuffer_free (buf);
    }
  free (text);
}

static void
events (struct sbd_request *r)
{
  struct sbd_subscriber *s = calloc (1, sizeof (*s));

  if (s == NULL)
    {
      sbd_reply_error (r, 500, "internal", "out of memory");
      return;
    }
  s->req = r->req;
  s->evcon = evhttp_request_get_connection (r->req);
  snprintf (s->tenant, sizeof (s->tenant), "%s", r->admin ? "" : r->tenant->name);
  s->next = sbd->subscribers;
  sbd->subscribers = s;
  evhttp_connection_set_closecb (s->evcon, subscriber_gone, s);
  sbd_stream_start (r, "application/x-ndjson");
}

const struct sbd_route sbd_event_routes[] = {
  { EVHTTP_REQ_GET, "/v1/events", events, 0, "events" },
  { 0, NULL, NULL, 0, NULL },
};
