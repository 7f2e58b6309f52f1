/* Streams: a container's logs (tail, follow), attach and exec. Output
   reaches the client as frames (docs/API.md, "Streams"): an 8-byte header
   (type, three zero bytes, the length as a big-endian 32-bit number), then
   the bytes; 1 is stdout (and a terminal's output), 2 stderr, 3 the end
   with a JSON status. Attach and exec take the connection over (HTTP/1.1
   101) and read frames from the client too: 0 stdin, 4 end of stdin,
   5 a terminal's new size {"rows":R,"cols":C}. */
#include "sandboxd.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SBD_LOG_TAIL_MAX 100000   /* lines: more is all of it, as far as tail goes */

static void
add_frame (struct evbuffer *out, int type, const char *data, size_t n)
{
  unsigned char hdr[8] = { (unsigned char) type, 0, 0, 0, (unsigned char) (n >> 24), (unsigned char) (n >> 16),
                           (unsigned char) (n >> 8), (unsigned char) n };

  evbuffer_add (out, hdr, sizeof (hdr));
  evbuffer_add (out, data, n);
}

/* ---- logs ------------------------------------------------------------------------ */

struct log_stream
{
  struct evhttp_request *req;
  struct evhttp_connection *evcon;
  char id[65];
  char path[4300];
  FILE *f;                    /* the file being followed */
  ino_t ino;
  bool want_out, want_err, timestamps, follow, gone;
  struct event *timer;
};

/* One log line as a frame, if its stream is wanted. */
static void
line_frame (struct log_stream *s, struct evbuffer *out, const char *line)
{
  json_t *o = json_loads (line, 0, NULL);
  const char *stream = json_string_value (json_object_get (o, "stream"));
  const char *text = json_string_value (json_object_get (o, "log"));
  bool err = stream && strcmp (stream, "stderr") == 0;

  if (text && ((err && s->want_err) || (!err && s->want_out)))
    {
      if (s->timestamps)
        {
          char *both = NULL;
          if (asprintf (&both, "%s %s", json_string_value (json_object_get (o, "time")), text) > 0)
            add_frame (out, err ? 2 : 1, both, strlen (both));
          free (both);
        }
      else
        add_frame (out, err ? 2 : 1, text, json_string_length (json_object_get (o, "log")));
    }
  json_decref (o);
}

/* The last `tail` lines of the log (and of its rotated part), as frames. */
static void
tail_lines (struct log_stream *s, struct evbuffer *out, long tail)
{
  char rotated[4400], *line = NULL;
  size_t cap = 0;
  ssize_t n;
  char **ring = NULL;
  long count = 0, size = tail > 0 ? tail : 0;
  const char *files[2] = { rotated, s->path };

  snprintf (rotated, sizeof (rotated), "%s.1", s->path);
  if (size)
    ring = calloc ((size_t) size, sizeof (char *));
  for (int k = 0; k < 2; k++)
    {
      FILE *f = fopen (files[k], "re");
      if (f == NULL)
        continue;
      while ((n = getline (&line, &cap, f)) > 0)
        {
          if (tail < 0)
            line_frame (s, out, line);
          else if (ring)
            {
              free (ring[count % size]);
              ring[count % size] = strdup (line);
            }
          count++;
        }
      if (k == 1)
        {
          /* Follow from here. */
          struct stat st;
          if (fstat (fileno (f), &st) == 0)
            s->ino = st.st_ino;
          s->f = f;
        }
      else
        fclose (f);
    }
  if (ring)
    {
      long first = count > size ? count - size : 0;
      for (long i = first; i < count; i++)
        line_frame (s, out, ring[i % size]);
      for (long i = 0; i < size; i++)
        free (ring[i]);
      free (ring);
    }
  free (line);
}

static void
log_stream_end (struct log_stream *s)
{
  if (!s->gone)
    {
      evhttp_connection_set_closecb (s->evcon, NULL, NULL);
      evhttp_send_reply_end (s->req);
    }
  if (s->timer)
    event_free (s->timer);
  if (s->f)
    fclose (s->f);
  free (s);
}

static void
log_gone (struct evhttp_connection *evcon, void *arg)
{
  struct log_stream *s = arg;

  (void) evcon;
  s->gone = true;
}

/* Follow: new lines every quarter second; a rotation is followed to the new
   file; the end comes when the container has ended and all is sent. */
static void
log_tick (evutil_socket_t fd, short what, void *arg)
{
  struct log_stream *s = arg;
  struct evbuffer *out;
  bool running;
  struct sbd_container *c;
  char *line = NULL;
  size_t cap = 0;
  struct stat st;

  (void) fd;
  (void) what;
  if (s->gone)
    {
      log_stream_end (s);
      return;
    }
  c = sbd_container_by_id (sbd, s->id);
  running = c && (c->state == SBD_RUNNING || c->state == SBD_STARTING);
  out = evbuffer_new ();
  for (int round = 0; round < 2; round++)
    {
      if (s->f == NULL)
        {
          s->f = fopen (s->path, "re");
          if (s->f && fstat (fileno (s->f), &st) == 0)
            s->ino = st.st_ino;
        }
      if (s->f == NULL)
        break;
      clearerr (s->f);
      while (getline (&line, &cap, s->f) > 0)
        line_frame (s, out, line);
      /* Rotated: what is left was in the old file; read the new one. */
      if (stat (s->path, &st) == 0 && st.st_ino != s->ino)
        {
          fclose (s->f);
          s->f = NULL;
          continue;
        }
      break;
    }
  free (line);
  if (evbuffer_get_length (out))
    evhttp_send_reply_chunk (s->req, out);
  evbuffer_free (out);
  if (!running)
    log_stream_end (s);
}

static void
logs (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  const char *tail = sbd_query (r, "tail");
  struct log_stream *s;
  struct evbuffer *buf;
  char dir[4200];

  if (c == NULL)
    return;
  s = calloc (1, sizeof (*s));
  if (s == NULL)
    {
      sbd_reply_error (r, 500, "internal", "out of memory");
      return;
    }
  s->req = r->req;
  s->evcon = evhttp_request_get_connection (r->req);
  snprintf (s->id, sizeof (s->id), "%s", c->id);
  sbd_container_dir (c, dir, sizeof (dir));
  snprintf (s->path, sizeof (s->path), "%s/container.log", dir);
  s->want_out = sbd_query_bool (r, "stdout", true);
  s->want_err = sbd_query_bool (r, "stderr", true);
  s->timestamps = sbd_query_bool (r, "timestamps", false);
  s->follow = sbd_query_bool (r, "follow", false);
  sbd_stream_start (r, "application/vnd.sandbox.stream");
  buf = evbuffer_new ();
  {
    long n = tail && strcmp (tail, "all") != 0 ? atol (tail) : -1;
    /* The ring of the last lines is allocated whole: bounded. */
    tail_lines (s, buf, n > SBD_LOG_TAIL_MAX ? SBD_LOG_TAIL_MAX : n);
  }
  if (evbuffer_get_length (buf))
    evhttp_send_reply_chunk (r->req, buf);
  evbuffer_free (buf);
  if (!s->follow)
    {
      log_stream_end (s);
      return;
    }
  evhttp_connection_set_closecb (s->evcon, log_gone, s);
  s->timer = event_new (sbd->base, -1, EV_PERSIST, log_tick, s);
  {
    struct timeval tv = { 0, 250000 };
    event_add (s->timer, &tv);
  }
}

/* ---- attach and exec ------------------------------------------------------------ */

static bool
flag (struct sbd_request *r, const char *key, bool dflt)
{
  return sbd_query_bool (r, key, dflt);
}

static void
attach (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  cleanup_error sb_error_t err = NULL;
  struct evhttp_connection *evcon;
  json_t *req;

  if (c == NULL)
    return;
  if (c->state != SBD_RUNNING)
    {
      sbd_reply_error (r, 409, "conflict", "container %s is not running", c->name);
      return;
    }
  req = json_pack ("{s:s, s:b, s:b, s:b}", "op", "attach", "stdin", flag (r, "stdin", false), "stdout",
                   flag (r, "stdout", true), "stderr", flag (r, "stderr", true));
  evcon = evhttp_request_get_connection (r->req);
  sbd_hijack (r);
  if (sbd_monitor_stream (c, req, evcon, NULL, NULL, &err) < 0)
    evhttp_connection_free (evcon);
}

static void
exec_done (void *arg)
{
  char *id = arg;
  struct sbd_container *c = sbd_container_by_id (sbd, id);

  if (c && c->exec_sessions > 0)
    c->exec_sessions--;
  free (id);
}

static void
exec_ (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  struct sbd_tenant *t;
  cleanup_error sb_error_t err = NULL;
  struct evhttp_connection *evcon;
  json_t *b = r->body, *req, *cmd = json_object_get (b, "cmd"), *env = json_object_get (b, "env");
  const char *cwd = json_string_value (json_object_get (b, "cwd"));
  size_t i;
  json_t *v;

  if (c == NULL)
    return;
  if (c->state != SBD_RUNNING)
    {
      sbd_reply_error (r, 409, "conflict", "container %s is not running", c->name);
      return;
    }
  if (!json_is_array (cmd) || json_array_size (cmd) == 0)
    {
      sbd_reply_error (r, 400, "bad_request", "cmd: a non-empty list of strings");
      return;
    }
  json_array_foreach (cmd, i, v)
    if (!json_is_string (v))
      {
        sbd_reply_error (r, 400, "bad_request", "cmd: a non-empty list of strings");
        return;
      }
  if (env && !json_is_array (env))
    {
      sbd_reply_error (r, 400, "bad_request", "env: a list of \"NAME=VALUE\" strings");
      return;
    }
  json_array_foreach (env, i, v)
    if (!json_is_string (v))
      {
        sbd_reply_error (r, 400, "bad_request", "env: a list of \"NAME=VALUE\" strings");
        return;
      }
  if (cwd && cwd[0] != '/')
    {
      sbd_reply_error (r, 400, "bad_request", "cwd: an absolute path");
      return;
    }
  t = sbd_tenant_by_name (sbd, c->tenant);
  if (t && t->policy->max_exec_sessions && c->exec_sessions >= (int) t->policy->max_exec_sessions)
    {
      sbd_audit (r, c->id, "denied-limit");
      sbd_reply_error (r, 429, "policy", "limits.exec-sessions: container %s may have %u exec sessions at once",
                       c->name, t->policy->max_exec_sessions);
      return;
    }
  req = json_pack ("{s:s, s:O, s:o, s:s, s:b}", "op", "exec", "argv", cmd, "env",
                   json_deep_copy (json_object_get (c->config, "env")), "cwd", cwd ? cwd : json_string_value (json_object_get (c->config, "cwd")) ?: "/", "tty",
                   json_is_true (json_object_get (b, "tty")));
  if (json_is_array (env))
    json_array_extend (json_object_get (req, "env"), env);
  if (json_is_true (json_object_get (b, "tty")) && (json_object_get (b, "h") || json_object_get (b, "w")))
    {
      json_int_t h = json_integer_value (json_object_get (b, "h")), w = json_integer_value (json_object_get (b, "w"));
      if (h < 1 || h > 65535 || w < 1 || w > 65535)
        {
          json_decref (req);
          sbd_reply_error (r, 400, "bad_request", "h, w: the terminal's rows and columns, 1 to 65535");
          return;
        }
      json_object_set_new (req, "rows", json_integer (h));
      json_object_set_new (req, "cols", json_integer (w));
    }
  if (json_object_get (b, "user"))
    {
      json_t *u = sbd_parse_user (json_object_get (b, "user"));
      if (u == NULL)
        {
          json_decref (req);
          sbd_reply_error (r, 400, "bad_request", "user: \"UID[:GID]\" (container ids, below 65536)");
          return;
        }
      json_object_set_new (req, "user", u);
    }
  else if (json_object_get (c->config, "user"))
    json_object_set (req, "user", json_object_get (c->config, "user"));
  c->exec_sessions++;
  evcon = evhttp_request_get_connection (r->req);
  sbd_hijack (r);
  {
    char *id = strdup (c->id);
    if (sbd_monitor_stream (c, req, evcon, exec_done, id, &err) < 0)
      {
        free (id);
        c->exec_sessions--;
        evhttp_connection_free (evcon);
      }
  }
}

const struct sbd_route sbd_stream_routes[] = {
  { EVHTTP_REQ_GET, "/v1/containers/:id/logs", logs, 0, "container.logs" },
  { EVHTTP_REQ_POST, "/v1/containers/:id/attach", attach, 0, "container.attach" },
  { EVHTTP_REQ_POST, "/v1/containers/:id/exec", exec_, SBD_JSON_BODY, "container.exec" },
  { 0, NULL, NULL, 0, NULL },
};
