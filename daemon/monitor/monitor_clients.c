/* The monitor's clients (sandboxd, or a local tool as root) and its
   exchanges with the Sentry's control channel. Requests, one JSON line:

     {"op":"status"}                      -> {"state","sentry_pid","monitor_pid"[,"exit_code"]}
     {"op":"create"}, {"op":"start"}      -> {"ok":true,"sentry_pid":P} or {"error":".."}
                                             (OCI mode: monitor_oci.c)
     {"op":"kill","signal":N}             -> {"ok":true}
     {"op":"stats"}                       -> {"mediated":M,"denied":D}
     {"op":"resize","rows":R,"cols":C}    -> {"ok":true}
     {"op":"events"}                      -> {"ok":true}, then {"event":"exit","status":{..}}
     {"op":"attach","stdin":B,"stdout":B,"stderr":B} -> {"ok":true}, then frames
     {"op":"exec","argv":[..],"env":[..],"cwd":"/","tty":B,"user":{..}[,"rows":R,"cols":C]} -> {"ok":true,"pid":P}
                                           (or {"error":...}), then frames; the last is EXIT

   A client that sends something else, or a line longer than 64 KiB, is
   dropped. Output to a client that does not read is dropped past 4 MiB
   queued (the client with it: the log keeps everything). */
#include "monitor.h"
#include "fdpass.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define OUT_MAX (4u << 20)
#define EXEC_LINGER_MS 2000

void
monitor_client_drop (struct monitor *m, int i)
{
  struct monitor_client *c = &m->clients[i];

  if (c->fd >= 0)
    close (c->fd);
  free (c->out);
  /* An exec session whose client left goes on, unseen (as docker's does). */
  for (int k = 0; k < MONITOR_EXECS; k++)
    if (m->execs[k].id != 0 && m->execs[k].client == i)
      m->execs[k].client = -1;
  if (m->oci_start_client == i)
    m->oci_start_client = -1;
  memset (c, 0, sizeof (*c));
  c->fd = -1;
}

void
monitor_queue (struct monitor *m, int i, const void *data, size_t n)
{
  struct monitor_client *c = &m->clients[i];

  if (c->fd < 0)
    return;
  if (c->nout + n > OUT_MAX)
    {
      monitor_client_drop (m, i);
      return;
    }
  if (c->nout + n > c->capout)
    {
      size_t cap = c->capout ? c->capout : 65536;
      while (cap < c->nout + n)
        cap *= 2;
      char *p = realloc (c->out, cap);
      if (p == NULL)
        {
          monitor_client_drop (m, i);
          return;
        }
      c->out = p;
      c->capout = cap;
    }
  memcpy (c->out + c->nout, data, n);
  c->nout += n;
}

void
monitor_queue_frame (struct monitor *m, int i, int type, const void *data, size_t n)
{
  unsigned char hdr[8] = { (unsigned char) type, 0, 0, 0, (unsigned char) (n >> 24),
                           (unsigned char) (n >> 16), (unsigned char) (n >> 8), (unsigned char) n };

  monitor_queue (m, i, hdr, sizeof (hdr));
  monitor_queue (m, i, data, n);
}

void
monitor_queue_json (struct monitor *m, int i, json_t *obj)
{
  char *text = obj ? json_dumps (obj, JSON_COMPACT) : NULL;

  json_decref (obj);
  if (text == NULL)
    return;
  monitor_queue (m, i, text, strlen (text));
  monitor_queue (m, i, "\n", 1);
  free (text);
}

void
monitor_client_flush (struct monitor *m, int i)
{
  struct monitor_client *c = &m->clients[i];
  ssize_t n;

  if (c->nout == 0)
    return;
  n = write (c->fd, c->out, c->nout);
  if (n < 0)
    {
      if (errno != EAGAIN && errno != EINTR)
        monitor_client_drop (m, i);
      return;
    }
  memmove (c->out, c->out + n, c->nout - (size_t) n);
  c->nout -= (size_t) n;
  if (c->nout == 0 && c->closing)
    monitor_client_drop (m, i);
}

void
monitor_accept (struct monitor *m)
{
  int fd = accept4 (m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), i;
  struct ucred cred;
  socklen_t len = sizeof (cred);

  if (fd < 0)
    return;
  /* Root's socket, root's clients (the file mode says so; this says it again). */
  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0)
    {
      close (fd);
      return;
    }
  for (i = 0; i < MONITOR_CLIENTS && m->clients[i].fd >= 0; i++)
    ;
  if (i == MONITOR_CLIENTS)
    {
      close (fd);
      return;
    }
  memset (&m->clients[i], 0, sizeof (m->clients[i]));
  m->clients[i].fd = fd;
  m->clients[i].kind = MC_REQUEST;
}

void
monitor_broadcast (struct monitor *m, int stream, const char *data, size_t n)
{
  for (int i = 0; i < MONITOR_CLIENTS; i++)
    {
      struct monitor_client *c = &m->clients[i];
      if (c->fd < 0 || c->kind != MC_ATTACH)
        continue;
      if ((stream == 0 && c->want_stdout) || (stream == 1 && c->want_stderr))
        monitor_queue_frame (m, i, stream == 0 ? SB_FRAME_STDOUT : SB_FRAME_STDERR, data, n);
    }
}

static void
answer (struct monitor *m, int i, json_t *obj)
{
  monitor_queue_json (m, i, obj);
}

static void
fail (struct monitor *m, int i, const char *what)
{
  answer (m, i, json_pack ("{s:s}", "error", what));
  m->clients[i].closing = true;
}

static void
set_winsize (int fd, json_t *req)
{
  struct winsize ws = { 0 };

  ws.ws_row = (unsigned short) json_integer_value (json_object_get (req, "rows"));
  ws.ws_col = (unsigned short) json_integer_value (json_object_get (req, "cols"));
  if (fd >= 0 && ws.ws_row && ws.ws_col)
    ioctl (fd, TIOCSWINSZ, &ws);
}

/* A new exec session: pipes for its stdio (or a terminal, from the Sentry). */
static void
start_exec (struct monitor *m, int i, json_t *req)
{
  struct monitor_exec *e = NULL;
  bool tty = json_is_true (json_object_get (req, "tty"));
  json_t *msg, *user = json_object_get (req, "user");
  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, give[3], k, ret;
  uint32_t root = (uint32_t) json_integer_value (json_object_get (json_object_get (m->spec, "ids"), "host"));
  char *text;

  if (m->exited || m->sb.ctl < 0 || m->oci_held || m->oci_start_client >= 0)
    {
      fail (m, i, "the container is not running");
      return;
    }
  if (m->policy && m->policy->max_exec_sessions)
    {
      /* Sessions whose client left run on: they count (sandboxd counts
         only clients, this holds whatever they do). */
      unsigned live = 0;
      for (k = 0; k < MONITOR_EXECS; k++)
        live += m->execs[k].id != 0;
      if (live >= m->policy->max_exec_sessions)
        {
          char why[160];
          snprintf (why, sizeof (why), "limits.exec-sessions: %u exec sessions still run in this container", live);
          fail (m, i, why);
          return;
        }
    }
  if (!json_is_array (json_object_get (req, "argv")) || json_array_size (json_object_get (req, "argv")) == 0)
    {
      fail (m, i, "exec: no command");
      return;
    }
  for (k = 0; k < MONITOR_EXECS; k++)
    if (m->execs[k].id == 0)
      {
        e = &m->execs[k];
        break;
      }
  if (e == NULL)
    {
      fail (m, i, "too many exec sessions");
      return;
    }
  if (!tty)
    {
      if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (out, O_CLOEXEC | O_NONBLOCK) < 0
          || pipe2 (err, O_CLOEXEC | O_NONBLOCK) < 0 || fchown (in[0], root, root) < 0
          || fchown (out[0], root, root) < 0 || fchown (err[0], root, root) < 0)
        {
          for (k = 0; k < 2; k++)
            {
              if (in[k] >= 0) close (in[k]);
              if (out[k] >= 0) close (out[k]);
              if (err[k] >= 0) close (err[k]);
            }
          fail (m, i, "exec: pipes");
          return;
        }
      give[0] = in[0];
      give[1] = out[1];
      give[2] = err[1];
    }
  memset (e, 0, sizeof (*e));
  e->id = ++m->next_exec;
  e->client = i;
  e->tty = tty;
  e->in = tty ? -1 : in[1];
  e->out = tty ? -1 : out[0];
  e->err = tty ? -1 : err[0];
  e->err_eof = tty;
  msg = json_pack ("{s:s, s:I, s:O, s:O, s:s, s:b}", "op", "exec", "id", (json_int_t) e->id,
                   "argv", json_object_get (req, "argv"),
                   "env", json_object_get (req, "env") ? json_object_get (req, "env") : json_array (),
                   "cwd", json_string_value (json_object_get (req, "cwd")) ? json_string_value (json_object_get (req, "cwd")) : "/",
                   "tty", tty);
  if (tty && json_integer_value (json_object_get (req, "rows")) > 0 && json_integer_value (json_object_get (req, "cols")) > 0)
    {
      json_object_set (msg, "rows", json_object_get (req, "rows"));
      json_object_set (msg, "cols", json_object_get (req, "cols"));
    }
  if (json_is_object (user))
    {
      json_object_set (msg, "uid", json_object_get (user, "uid"));
      json_object_set (msg, "gid", json_object_get (user, "gid"));
      json_object_set (msg, "groups", json_object_get (user, "groups") ? json_object_get (user, "groups") : json_array ());
    }
  text = json_dumps (msg, JSON_COMPACT);
  json_decref (msg);
  ret = text ? sb_send_msg (m->sb.ctl, text, strlen (text), tty ? NULL : give, tty ? 0 : 3) : -ENOMEM;
  free (text);
  if (!tty)
    {
      close (in[0]);
      close (out[1]);
      close (err[1]);
    }
  if (ret < 0)
    {
      if (e->in >= 0) close (e->in);
      if (e->out >= 0) close (e->out);
      if (e->err >= 0) close (e->err);
      e->id = 0;
      fail (m, i, "exec: the Sentry does not answer");
      return;
    }
  m->clients[i].kind = MC_EXEC;
  m->clients[i].exec_id = e->id;
}

static struct monitor_exec *
find_exec (struct monitor *m, long id)
{
  for (int k = 0; k < MONITOR_EXECS; k++)
    if (m->execs[k].id == id)
      return &m->execs[k];
  return NULL;
}

static void
request (struct monitor *m, int i, json_t *req)
{
  struct monitor_client *c = &m->clients[i];
  const char *op = json_string_value (json_object_get (req, "op"));

  if (op == NULL)
    fail (m, i, "a request is {\"op\":...}");
  else if (strcmp (op, "status") == 0)
    answer (m, i, monitor_status (m));
  else if (strcmp (op, "create") == 0 && m->oci)
    monitor_oci_create (m, i);
  else if (strcmp (op, "start") == 0 && m->oci)
    monitor_oci_start (m, i, req);
  else if (strcmp (op, "kill") == 0)
    {
      int sig = (int) json_integer_value (json_object_get (req, "signal"));
      if (sig <= 0 || sig >= NSIG)
        fail (m, i, "kill: no such signal");
      else
        {
          /* The Sentry forwards catchable signals to the command; SIGKILL of
             the Sentry (pid 1 of the sandbox) ends every process of it. */
          if (monitor_oci_signal_held (m, sig))
            ;
          else if (!m->exited && m->sb.sentry > 0 && sig == SIGKILL)
            sb_sandbox_kill (&m->sb); /* a paused one too */
          else if (!m->exited && m->sb.sentry > 0)
            kill (m->sb.sentry, sig);
          else if (!m->exited && !m->started && sig != SIGCHLD && sig != SIGWINCH && sig != SIGCONT)
            {
              /* An OCI container killed before its start: it ends so. */
              m->exited = true;
              m->status = sig & 0x7f;
              m->exited_ns = sb_now_ns ();
              m->out_eof = m->err_eof = true;
            }
          answer (m, i, json_pack ("{s:b}", "ok", 1));
        }
    }
  else if (strcmp (op, "stats") == 0)
    {
      static const char ask[] = "{\"op\":\"stats\"}";
      if (m->exited || m->sb.ctl < 0 || sb_send_msg (m->sb.ctl, ask, sizeof (ask) - 1, NULL, 0) < 0)
        answer (m, i, json_pack ("{s:i, s:i}", "mediated", 0, "denied", 0));
      else
        c->kind = MC_STATS;
    }
  else if (strcmp (op, "resize") == 0)
    {
      long id = (long) json_integer_value (json_object_get (req, "exec"));
      struct monitor_exec *e = id ? find_exec (m, id) : NULL;
      set_winsize (e ? e->in : m->master, req);
      answer (m, i, json_pack ("{s:b}", "ok", 1));
    }
  else if (strcmp (op, "events") == 0)
    {
      c->kind = MC_EVENTS;
      answer (m, i, json_pack ("{s:b}", "ok", 1));
    }
  else if (strcmp (op, "attach") == 0)
    {
      c->kind = MC_ATTACH;
      c->want_stdout = !json_is_false (json_object_get (req, "stdout"));
      c->want_stderr = !json_is_false (json_object_get (req, "stderr"));
      c->stdin_allowed = json_is_true (json_object_get (req, "stdin"));
      answer (m, i, json_pack ("{s:b}", "ok", 1));
      if (m->exited)
        {
          json_t *st = monitor_status (m);
          char *text = json_dumps (st, JSON_COMPACT);
          json_decref (st);
          if (text)
            monitor_queue_frame (m, i, SB_FRAME_EXIT, text, strlen (text));
          free (text);
          c->closing = true;
        }
    }
  else if (strcmp (op, "exec") == 0)
    start_exec (m, i, req);
  else
    fail (m, i, "unknown request");
}

/* Bytes for the command's (or an exec session's) stdin. */
static void
to_stdin (struct monitor *m, struct monitor_client *c, int type, const char *data, size_t n)
{
  struct monitor_exec *e = c->kind == MC_EXEC ? find_exec (m, c->exec_id) : NULL;
  int *fd = e ? &e->in : m->master >= 0 ? &m->master : &m->sb.app_in;
  bool term = e ? e->tty : m->master >= 0;

  if (type == SB_FRAME_RESIZE)
    {
      /* A resize is no input: any attached client may send one. */
      json_t *r = json_loadb (data, n, 0, NULL);
      if (term)
        set_winsize (*fd, r);
      json_decref (r);
      return;
    }
  if (!e && !c->stdin_allowed)
    return;
  if (type == SB_FRAME_STDIN_CLOSE)
    {
      if (term)
        {
          if (*fd >= 0)
            sb_write_all (*fd, "\x04", 1); /* end of input on a terminal: ^D */
        }
      else if (*fd >= 0)
        {
          close (*fd);
          *fd = -1;
        }
      return;
    }
  if (type == SB_FRAME_STDIN && *fd >= 0 && sb_write_all (*fd, data, n) < 0 && !term)
    {
      close (*fd);
      *fd = -1;
    }
}

void
monitor_client_readable (struct monitor *m, int i)
{
  struct monitor_client *c = &m->clients[i];
  ssize_t n = read (c->fd, c->in + c->nin, sizeof (c->in) - c->nin);

  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    {
      monitor_client_drop (m, i);
      return;
    }
  if (n < 0)
    return;
  c->nin += (size_t) n;
  if (c->kind == MC_REQUEST)
    {
      char *nl = memchr (c->in, '\n', c->nin);
      json_t *req;
      size_t used;

      if (nl == NULL)
        {
          if (c->nin == sizeof (c->in))
            monitor_client_drop (m, i);
          return;
        }
      used = (size_t) (nl - c->in) + 1;
      req = json_loadb (c->in, used - 1, 0, NULL);
      memmove (c->in, c->in + used, c->nin - used);
      c->nin -= used;
      if (req == NULL)
        fail (m, i, "not JSON");
      else
        request (m, i, req);
      json_decref (req);
      return;
    }
  /* Attach and exec: frames from the client. */
  while (c->nin >= 8)
    {
      unsigned char *h = (unsigned char *) c->in;
      size_t len = ((size_t) h[4] << 24) | ((size_t) h[5] << 16) | ((size_t) h[6] << 8) | h[7];
      if (len > sizeof (c->in) - 8)
        {
          monitor_client_drop (m, i);
          return;
        }
      if (c->nin < 8 + len)
        break;
      to_stdin (m, c, h[0], c->in + 8, len);
      memmove (c->in, c->in + 8 + len, c->nin - 8 - len);
      c->nin -= 8 + len;
    }
}

/* The Sentry's messages: the command's terminal, exec answers, stats. */
void
monitor_control (struct monitor *m)
{
  char buf[65537];
  int fds[SB_FDPASS_MAX], nfds = SB_FDPASS_MAX, i;
  ssize_t n = sb_recv_msg (m->sb.ctl, buf, sizeof (buf) - 1, fds, &nfds);
  json_t *msg;
  const char *op;

  if (n <= 0)
    {
      close (m->sb.ctl);
      m->sb.ctl = -1;
      return;
    }
  buf[n] = '\0';
  msg = json_loadb (buf, (size_t) n, 0, NULL);
  op = json_string_value (json_object_get (msg, "op"));
  if (op && strcmp (op, "terminal") == 0 && nfds == 1 && m->master < 0)
    {
      m->master = fds[0];
      fcntl (m->master, F_SETFL, fcntl (m->master, F_GETFL) | O_NONBLOCK);
      m->out_eof = false;
      nfds = 0;
      if (m->oci)
        monitor_oci_winch (m);
    }
  else if (op && strcmp (op, "stats") == 0)
    {
      for (i = 0; i < MONITOR_CLIENTS; i++)
        if (m->clients[i].fd >= 0 && m->clients[i].kind == MC_STATS)
          {
            answer (m, i, json_pack ("{s:O, s:O, s:O}", "mediated", json_object_get (msg, "mediated"),
                                     "denied", json_object_get (msg, "denied"), "by_syscall",
                                     json_object_get (msg, "by_syscall")));
            m->clients[i].kind = MC_REQUEST;
          }
    }
  else if (op && strcmp (op, "ended") == 0)
    m->app_code = (int) json_integer_value (json_object_get (msg, "code"));
  else if (op && strcmp (op, "ready") == 0)
    monitor_oci_started (m, NULL);
  else if (op && strcmp (op, "started") == 0)
    monitor_oci_started (m, json_string_value (json_object_get (msg, "error")));
  else if (op && strcmp (op, "failed") == 0)
    {
      /* The container's log says why it never ran (docker logs, sandboxd's
         logs); an OCI start also answers its caller with it. */
      const char *why = json_string_value (json_object_get (msg, "error")) ?: "the Sentry failed";
      char line[1100];
      int len = snprintf (line, sizeof (line), "sandbox-runtime: %s\n", why);
      if (len > 0)
        sb_ctrlog_write (&m->log, SB_CTRLOG_STDERR, line, (size_t) len < sizeof (line) ? (size_t) len : sizeof (line) - 1);
      monitor_oci_started (m, why);
    }
  else if (op && strcmp (op, "exec") == 0)
    {
      struct monitor_exec *e = find_exec (m, (long) json_integer_value (json_object_get (msg, "id")));
      if (e && json_object_get (msg, "error"))
        {
          if (e->client >= 0)
            {
              int en = (int) json_integer_value (json_object_get (msg, "errno"));
              char why[512];
              snprintf (why, sizeof (why), "%s%s%s", json_string_value (json_object_get (msg, "error")) ?: "exec failed",
                        en ? ": " : "", en ? strerror (en) : "");
              fail (m, e->client, why);
            }
          if (e->in >= 0) close (e->in);
          if (e->out >= 0) close (e->out);
          if (e->err >= 0) close (e->err);
          e->id = 0;
        }
      else if (e)
        {
          e->started = true;
          e->pid = (pid_t) json_integer_value (json_object_get (msg, "pid"));
          if (e->tty && nfds == 1)
            {
              e->in = e->out = fds[0];
              fcntl (e->out, F_SETFL, fcntl (e->out, F_GETFL) | O_NONBLOCK);
              nfds = 0;
            }
          if (e->client >= 0)
            answer (m, e->client, json_pack ("{s:b, s:i}", "ok", 1, "pid", (int) e->pid));
        }
    }
  else if (op && strcmp (op, "exited") == 0)
    {
      struct monitor_exec *e = find_exec (m, (long) json_integer_value (json_object_get (msg, "id")));
      if (e)
        {
          e->exited = true;
          e->status = (int) json_integer_value (json_object_get (msg, "status"));
          e->exited_ns = sb_now_ns ();
        }
    }
  for (i = 0; i < nfds; i++)
    close (fds[i]);
  json_decref (msg);
}

void
monitor_exec_output (struct monitor *m, struct monitor_exec *e, int which)
{
  char buf[16384];
  int *fd = which == 1 ? &e->out : &e->err;
  bool *eof = which == 1 ? &e->out_eof : &e->err_eof;
  ssize_t n = read (*fd, buf, sizeof (buf));

  if (n > 0)
    {
      if (e->client >= 0)
        monitor_queue_frame (m, e->client, which == 1 ? SB_FRAME_STDOUT : SB_FRAME_STDERR, buf, (size_t) n);
      return;
    }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  *eof = true;
  if (!(e->tty && which == 1))
    {
      close (*fd);
      *fd = -1;
    }
}

/* An exec session ends when its process has exited and its output is
   drained (or after a moment: a child it left may hold the pipes). */
void
monitor_exec_check_done (struct monitor *m, struct monitor_exec *e)
{
  char text[128];
  int code;

  if (!e->exited || (!(e->out_eof && e->err_eof) && sb_now_ns () - e->exited_ns < EXEC_LINGER_MS * 1000000ull))
    return;
  code = WIFEXITED (e->status) ? WEXITSTATUS (e->status) : 128 + WTERMSIG (e->status);
  snprintf (text, sizeof (text), "{\"exit_code\":%d}", code);
  if (e->client >= 0)
    {
      monitor_queue_frame (m, e->client, SB_FRAME_EXIT, text, strlen (text));
      m->clients[e->client].closing = true;
    }
  if (e->tty)
    {
      if (e->out >= 0)
        close (e->out);
    }
  else
    {
      if (e->in >= 0) close (e->in);
      if (e->out >= 0) close (e->out);
      if (e->err >= 0) close (e->err);
    }
  memset (e, 0, sizeof (*e));
}
