/* Attach and exec: the request is answered with "HTTP/1.1 101" and the
   connection then carries frames both ways (daemon/api_streams.c): an
   8-byte header (type, three zero bytes, the length big-endian), then the
   bytes. From sandboxd: 1 stdout (and a terminal's output), 2 stderr, 3
   the end {"exit_code":N} or {"error":...}. To it: 0 stdin, 4 end of
   stdin, 5 a new size {"rows","cols"}.

   libcurl connects (TLS or the Unix socket) and carries the bytes; the
   request head is written here and the answer's status line and headers
   read here, strictly: nothing else of HTTP is needed once upgraded.

   One poll() loop: the socket, our stdin, and a pipe that signal handlers
   write to (SIGWINCH: resize; without a terminal SIGINT, SIGTERM, SIGHUP,
   SIGQUIT go to the container; with one, SIGTERM and SIGHUP end the
   session with the terminal restored). */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 16384

void
sbc_write_out (int fd, const char *data, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, data, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        {
          struct pollfd p = { .fd = fd, .events = POLLOUT };
          poll (&p, 1, 1000);
          continue;
        }
      if (w <= 0)
        return;
      data += w;
      n -= (size_t) w;
    }
}

/* ---- the session ------------------------------------------------------------------ */

static int sig_pipe[2] = { -1, -1 };

static void
on_signal (int sig)
{
  unsigned char b = (unsigned char) sig;
  int saved = errno;

  if (write (sig_pipe[1], &b, 1) < 0)
    (void) 0;
  errno = saved;
}

struct session
{
  struct sbc *c;
  void *h;
  int fd;
  const struct sbc_stream_opts *o;
  bool exec;
  char *out;                 /* frames waiting to be sent */
  size_t nout, capout;
  bool done, lost;
  int exit_code;
  char *refusal;             /* the end frame's {"error"} */
  unsigned char keys[8];
  int nkeys, matched;
  bool sized_after_output;   /* the size sent again once output came */
};

static void
queue (struct session *s, int type, const void *data, size_t n)
{
  unsigned char hdr[8] = { (unsigned char) type, 0, 0, 0, (unsigned char) (n >> 24), (unsigned char) (n >> 16),
                           (unsigned char) (n >> 8), (unsigned char) n };

  if (s->nout + 8 + n > s->capout)
    {
      size_t cap = s->capout ? s->capout : 65536;
      char *p;
      while (cap < s->nout + 8 + n)
        cap *= 2;
      p = realloc (s->out, cap);
      if (p == NULL)
        return;
      s->out = p;
      s->capout = cap;
    }
  memcpy (s->out + s->nout, hdr, 8);
  if (n)
    memcpy (s->out + s->nout + 8, data, n);
  s->nout += 8 + n;
}

static void
flush (struct session *s)
{
  while (s->nout > 0)
    {
      size_t sent = 0;
      int r = sbc_raw_send (s->h, s->out, s->nout, &sent);
      if (r < 0)
        {
          s->lost = true;
          return;
        }
      memmove (s->out, s->out + sent, s->nout - sent);
      s->nout -= sent;
      if (r == 1 || sent == 0)
        return;
    }
}

static void send_size (struct session *s);

static bool
on_frame (int type, const char *data, size_t n, void *arg)
{
  struct session *s = arg;

  if (type == 1 || type == 2)
    {
      sbc_write_out (type == 1 ? 1 : 2, data, n);
      /* A size sent before the container's terminal existed may have
         been dropped: its first output says it exists now. */
      if (s->o->tty && !s->sized_after_output)
        {
          s->sized_after_output = true;
          send_size (s);
        }
      return true;
    }
  if (type == 3)
    {
      json_t *st = json_loadb (data, n, 0, NULL);
      const char *error = json_string_value (json_object_get (st, "error"));
      if (error)
        s->refusal = strdup (error);
      else if (json_is_integer (json_object_get (st, "exit_code")))
        s->exit_code = (int) json_integer_value (json_object_get (st, "exit_code"));
      else
        s->refusal = strndup (data, n > 200 ? 200 : n);
      json_decref (st);
      s->done = true;
      return false;
    }
  return true; /* unknown types are skipped */
}

static void
send_size (struct session *s)
{
  int rows, cols;
  char text[64];

  if (!sbc_term_size (isatty (0) ? 0 : 1, &rows, &cols))
    return;
  if (s->exec || s->o->stdin_)
    {
      snprintf (text, sizeof (text), "{\"rows\":%d,\"cols\":%d}", rows, cols);
      queue (s, 5, text, strlen (text));
    }
  else if (s->o->container)
    {
      char path[512];
      snprintf (path, sizeof (path), "/v1/containers/%s/resize?h=%d&w=%d", sbc_escape (s->o->container), rows, cols);
      sbc_call (s->c, "POST", path, NULL, NULL, NULL);
    }
}

/* Our stdin: to the container, watching for the detach keys on a terminal. */
static bool
from_stdin (struct session *s, bool *detached)
{
  unsigned char buf[32768], pass[32768 + 8];
  ssize_t n = read (0, buf, sizeof (buf));
  size_t np = 0;

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    {
      queue (s, 4, NULL, 0);
      return false;
    }
  if (!s->o->tty || s->nkeys == 0)
    {
      queue (s, 0, buf, (size_t) n);
      return true;
    }
  for (ssize_t i = 0; i < n; i++)
    {
      if (buf[i] == s->keys[s->matched])
        {
          if (++s->matched == s->nkeys)
            {
              *detached = true;
              s->done = true;
              break;
            }
          continue;
        }
      /* Not the sequence after all: what was held back goes too. */
      memcpy (pass + np, s->keys, (size_t) s->matched);
      np += (size_t) s->matched;
      s->matched = 0;
      if (buf[i] == s->keys[0])
        {
          s->matched = 1;
          if (s->nkeys == 1)
            {
              *detached = true;
              s->done = true;
              break;
            }
          continue;
        }
      pass[np++] = buf[i];
    }
  if (np)
    queue (s, 0, pass, np);
  return true;
}

static void
proxy_signal (struct session *s, int sig)
{
  char path[512];
  const char *name = sig == SIGINT ? "INT" : sig == SIGTERM ? "TERM" : sig == SIGHUP ? "HUP" : sig == SIGQUIT ? "QUIT"
                     : sig == SIGUSR1 ? "USR1" : "USR2";

  snprintf (path, sizeof (path), "/v1/containers/%s/kill?signal=%s", sbc_escape (s->o->container), name);
  sbc_call (s->c, "POST", path, NULL, NULL, NULL);
}

/* Reads the answer's head: "HTTP/1.1 101 ..." and headers, strictly. */
static int
read_head (struct session *s, struct sbc_frames *frames, struct sbc_reply *refused, sb_error_t *err)
{
  char head[HEAD_MAX + 1];
  size_t len = 0;
  char *end = NULL;
  time_t deadline = time (NULL) + 60;

  while (end == NULL)
    {
      size_t got = 0;
      int r;
      if (len == HEAD_MAX)
        return sb_error (err, 0, "sandboxd's answer to the stream request is too long");
      r = sbc_raw_recv (s->h, head + len, HEAD_MAX - len, &got);
      if (r < 0 || (r == 0 && got == 0))
        return sb_error (err, 0, "the connection to sandboxd at %s was lost before it answered",
                         sbc_settings (s->c)->server);
      if (r == 1)
        {
          struct pollfd p = { .fd = s->fd, .events = POLLIN };
          if (time (NULL) > deadline)
            return sb_error (err, 0, "sandboxd at %s did not answer the stream request", sbc_settings (s->c)->server);
          poll (&p, 1, 1000);
          continue;
        }
      len += got;
      head[len] = '\0';
      end = strstr (head, "\r\n\r\n");
    }
  {
    size_t head_len = (size_t) (end - head) + 4;
    struct sbc_head h;

    if (sbc_parse_head (head, head_len, &h) < 0)
      return sb_error (err, 0, "sandboxd's answer to the stream request is not HTTP: %s", h.error);
    int status = h.status;
    long content_length = h.content_length;
    bool upgraded = h.upgraded;
    if (status == 101)
      {
        if (!upgraded)
          return sb_error (err, 0, "sandboxd upgraded the connection to something else than a sandbox stream");
        if (len > head_len && !sbc_frames_feed (frames, head + head_len, len - head_len, on_frame, s))
          return sb_error (err, 0, "sandboxd sent a malformed frame");
        return 0;
      }
    /* Refused: the body is the error. */
    {
      size_t have = len - head_len, want = content_length > 0 && content_length < 65536 ? (size_t) content_length : 0;
      char *body = malloc (want + 1);
      if (body == NULL)
        return sb_error (err, ENOMEM, "allocate");
      memcpy (body, head + head_len, have < want ? have : want);
      while (have < want)
        {
          size_t got = 0;
          int r = sbc_raw_recv (s->h, body + have, want - have, &got);
          if (r < 0 || (r == 0 && got == 0))
            break;
          if (r == 1)
            {
              struct pollfd p = { .fd = s->fd, .events = POLLIN };
              poll (&p, 1, 1000);
              continue;
            }
          have += got;
        }
      body[have < want ? have : want] = '\0';
      memset (refused, 0, sizeof (*refused));
      refused->status = status;
      refused->json = json_loads (body, 0, NULL);
      {
        json_t *e = json_object_get (refused->json, "error");
        snprintf (refused->code, sizeof (refused->code), "%s", json_string_value (json_object_get (e, "code")) ?: "");
        refused->message = strdup (json_string_value (json_object_get (e, "message")) ?: body);
      }
      free (body);
      return -2;
    }
  }
}

int
sbc_stream_run (struct sbc *c, const char *method, const char *path, json_t *body, const struct sbc_stream_opts *o,
                bool *detached, struct sbc_reply *refused, sb_error_t *err)
{
  struct session s = { .c = c, .o = o, .fd = -1, .exit_code = -1 };
  struct sbc_frames frames = { 0 };
  char *text = body ? json_dumps (body, JSON_COMPACT) : NULL, *req = NULL;
  bool stdin_open = o->stdin_, raw = false;
  struct sigaction sa, old[NSIG];
  static const int handled[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
  int ret = -1, len;

  *detached = false;
  s.exec = strstr (path, "/exec") != NULL;
  s.nkeys = o->tty ? sbc_parse_detach_keys (o->detach_keys ? o->detach_keys : "ctrl-p,ctrl-q", s.keys) : 0;
  if (s.nkeys < 0)
    {
      free (text);
      return sb_error (err, 0, "--detach-keys %s: a list such as ctrl-p,ctrl-q (ctrl-A..ctrl-Z, ctrl-@, ctrl-[..ctrl-_, "
                       "or single characters)", o->detach_keys);
    }
  if (sbc_connect_raw (c, &s.h, &s.fd, err) < 0)
    {
      free (text);
      return -1;
    }
  len = asprintf (&req, "%s %s HTTP/1.1\r\nHost: sandboxd\r\nUser-Agent: " PROG "\r\nConnection: Upgrade\r\n"
                  "Upgrade: sandbox-stream\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                  method, path, text ? strlen (text) : 0, text ? text : "");
  free (text);
  if (len < 0)
    {
      sbc_raw_close (s.h);
      return sb_error (err, ENOMEM, "allocate");
    }
  s.out = req;
  s.nout = s.capout = (size_t) len;
  while (s.nout && !s.lost)
    {
      struct pollfd p = { .fd = s.fd, .events = POLLOUT };
      flush (&s);
      if (s.nout)
        poll (&p, 1, 1000);
    }
  if (s.lost)
    {
      sb_error (err, 0, "the connection to sandboxd at %s was lost", sbc_settings (c)->server);
      goto out;
    }
  ret = read_head (&s, &frames, refused, err);
  if (ret < 0)
    goto out;
  ret = -1;

  /* Signals arrive through a pipe. */
  if (sig_pipe[0] < 0 && pipe2 (sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
    {
      sb_error (err, errno, "pipe");
      goto out;
    }
  memset (&sa, 0, sizeof (sa));
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  for (size_t i = 0; i < sizeof (handled) / sizeof (handled[0]); i++)
    {
      int sig = handled[i];
      bool mine = sig == SIGWINCH ? o->tty : o->tty ? (sig == SIGTERM || sig == SIGHUP) : o->proxy_signals;
      sigaction (sig, NULL, &old[sig]);
      if (mine)
        sigaction (sig, &sa, NULL);
    }
  if (o->tty && o->stdin_ && isatty (0))
    {
      if (sbc_term_raw (0) < 0)
        {
          sb_error (err, errno, "put the terminal in raw mode");
          goto restore;
        }
      raw = true;
    }
  if (o->tty)
    send_size (&s);
  if (!o->stdin_ && s.exec)
    queue (&s, 4, NULL, 0);   /* the process reads an empty stdin */
  if (o->stdin_)
    fcntl (0, F_SETFL, fcntl (0, F_GETFL) | O_NONBLOCK);

  while (!s.done && !s.lost)
    {
      struct pollfd p[3];
      int np = 0, si = -1, ii = -1, gi;
      flush (&s);
      if (s.lost)
        break;
      p[np] = (struct pollfd) { .fd = s.fd, .events = (short) (POLLIN | (s.nout ? POLLOUT : 0)) };
      si = np++;
      if (stdin_open && s.nout < (1u << 20))
        {
          p[np] = (struct pollfd) { .fd = 0, .events = POLLIN };
          ii = np++;
        }
      p[np] = (struct pollfd) { .fd = sig_pipe[0], .events = POLLIN };
      gi = np++;
      if (poll (p, (nfds_t) np, -1) < 0 && errno != EINTR)
        break;
      if (p[gi].revents & POLLIN)
        {
          unsigned char sigs[16];
          ssize_t n = read (sig_pipe[0], sigs, sizeof (sigs));
          for (ssize_t k = 0; k < n; k++)
            {
              if (sigs[k] == SIGWINCH)
                send_size (&s);
              else if (o->tty)
                {
                  /* The session ends here; the terminal is restored below. */
                  sb_error (err, 0, "interrupted by signal %d", sigs[k]);
                  ret = -1;
                  s.done = true;
                  s.exit_code = -(128 + sigs[k]);
                }
              else if (o->container)
                proxy_signal (&s, sigs[k]);
            }
        }
      if (ii >= 0 && (p[ii].revents & (POLLIN | POLLHUP | POLLERR)))
        stdin_open = from_stdin (&s, detached);
      if (p[si].revents & (POLLIN | POLLHUP | POLLERR))
        {
          char buf[65536];
          for (;;)
            {
              size_t got = 0;
              int r = sbc_raw_recv (s.h, buf, sizeof (buf), &got);
              if (r == 1)
                break;
              if (r < 0 || got == 0)
                {
                  s.lost = !s.done;
                  break;
                }
              if (!sbc_frames_feed (&frames, buf, got, on_frame, &s))
                {
                  sb_error (err, 0, "sandboxd sent a malformed frame");
                  s.lost = true;
                  break;
                }
              if (s.done)
                break;
            }
        }
    }
  if (raw)
    sbc_term_restore ();
  if (*detached)
    ret = 0;
  else if (s.exit_code < -1)
    ret = -1;
  else if (s.refusal)
    {
      sb_error (err, 0, "%s", s.refusal);
      ret = -3;
    }
  else if (s.done)
    ret = s.exit_code;
  else if (err == NULL || *err == NULL)
    sb_error (err, 0, "the connection to sandboxd at %s was lost before the command ended", sbc_settings (c)->server);
restore:
  if (raw)
    sbc_term_restore ();
  for (size_t i = 0; i < sizeof (handled) / sizeof (handled[0]); i++)
    sigaction (handled[i], &old[handled[i]], NULL);
  if (o->stdin_)
    fcntl (0, F_SETFL, fcntl (0, F_GETFL) & ~O_NONBLOCK);
out:
  sbc_raw_close (s.h);
  sbc_frames_free (&frames);
  free (s.out);
  free (s.refusal);
  return ret;
}
