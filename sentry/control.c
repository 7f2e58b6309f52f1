/* The Sentry's control channel: what its owner (sandbox-runtime, sandboxd's
   monitor) may ask of a running sandbox, and what it is told back. One
   JSON object per SOCK_SEQPACKET message, descriptors alongside:

     owner -> Sentry  {"op":"exec","id":N,"argv":[..],"env":[..],"cwd":"/",
                       "uid":U,"gid":G,"groups":[..],"tty":false}  + stdin, stdout, stderr
                      (with "tty":true, "rows":R,"cols":C: the terminal's first size)
                      {"op":"stats"}
                      {"op":"start","hooks":[..],"state":{..}}
                                       (with --hold: the command starts; once, after
                                        "ready"; the init first runs the config's
                                        startContainer hooks, given the state;
                                        answered with "started" once they ran)
     Sentry -> owner  {"op":"terminal"} + the master of the command's terminal (once, first)
                      {"op":"exec","id":N,"pid":P} (+ the master with "tty")
                      {"op":"exec","id":N,"error":"...","errno":E}
                      {"op":"exited","id":N,"status":S}   (a wait status)
                      {"op":"stats","mediated":M,"denied":D}
                      {"op":"ended","code":N}   (the command's init has exited with N;
                                                 the Sentry's teardown follows)
                      {"op":"ready"}            (the sandbox is built: once, before any
                                                 other answer but "terminal")
                      {"op":"failed","error":"..."}  (it could not be built; the
                                                 Sentry exits with 125)
                      {"op":"started"[,"error":"..."]}  (a held command was let go,
                                                 or why not: a hook that failed)

   An exec is carried out by the sandbox's init (pid 1 inside, already in
   every namespace and under the app's filter): the Sentry passes the
   request on over the init's socket and relays its answers. The Sentry
   never waits for the init on its main loop: requests and answers are
   messages, handled as they come. */
#include "sentry.h"
#include "cleanup.h"
#include "fdpass.h"
#include "syscall_table.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONTROL_MSG_MAX 65536

/* Exec sessions waiting for the init's answer: the master to hand back. */
#define PENDING_MAX 64
static struct
{
  long id;
  int master;
  bool used;
} pending[PENDING_MAX];

static void
send_json (int sock, json_t *obj, const int *fds, int nfds)
{
  char *text = json_dumps (obj, JSON_COMPACT);

  json_decref (obj);
  if (text == NULL)
    return;
  /* The owner may be gone (sandbox-runtime do stops listening): nothing to do then. */
  sb_send_msg (sock, text, strlen (text), fds, nfds);
  free (text);
}

static void
exec_error (struct sentry *s, long id, int err, const char *what)
{
  send_json (s->cfg.ctl_fd, json_pack ("{s:s, s:I, s:s, s:i}", "op", "exec", "id", (json_int_t) id,
                                       "error", what, "errno", err),
             NULL, 0);
}

/* A terminal of the sandbox's own devpts for an exec session: the slave
   (owned by the container's root and tty group) goes to the init, the
   master back to the owner. */
static int
new_pty (struct sentry *s, int *master, int *slave)
{
  int n = 0, unlock = 0;
  char name[32];

  *master = openat (s->ptsfd, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0)
    return -errno;
  if (ioctl (*master, TIOCSPTLCK, &unlock) < 0 || ioctl (*master, TIOCGPTN, &n) < 0)
    {
      close (*master);
      return -errno;
    }
  snprintf (name, sizeof (name), "%d", n);
  *slave = openat (s->ptsfd, name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0)
    {
      int e = -errno;
      close (*master);
      return e;
    }
  return 0;
}

static void
exec_request (struct sentry *s, json_t *req, int *fds, int nfds)
{
  json_int_t id = json_integer_value (json_object_get (req, "id"));
  bool tty = json_is_true (json_object_get (req, "tty"));
  int master = -1, slave = -1, slot, ret, i;
  int give[3];

  for (slot = 0; slot < PENDING_MAX && pending[slot].used; slot++)
    ;
  if (slot == PENDING_MAX)
    {
      exec_error (s, id, EAGAIN, "too many exec sessions starting at once");
      return;
    }
  if (tty)
    {
      ret = new_pty (s, &master, &slave);
      if (ret < 0)
        {
          exec_error (s, id, -ret, "allocate a terminal");
          return;
        }
      give[0] = give[1] = give[2] = slave;
      /* Its size from the start, before the command can ask (stty size). */
      {
        struct winsize ws = { .ws_row = (unsigned short) json_integer_value (json_object_get (req, "rows")),
                              .ws_col = (unsigned short) json_integer_value (json_object_get (req, "cols")) };
        if (ws.ws_row && ws.ws_col)
          ioctl (master, TIOCSWINSZ, &ws);
      }
    }
  else if (nfds == 3)
    for (i = 0; i < 3; i++)
      give[i] = fds[i];
  else
    {
      exec_error (s, id, EINVAL, "an exec without a terminal needs stdin, stdout and stderr");
      return;
    }
  {
    char *text = json_dumps (req, JSON_COMPACT);
    ret = text ? sb_send_msg (s->init_sock, text, strlen (text), give, 3) : -ENOMEM;
    free (text);
  }
  if (slave >= 0)
    close (slave);
  if (ret < 0)
    {
      if (master >= 0)
        close (master);
      exec_error (s, id, -ret, "reach the sandbox's init");
      return;
    }
  pending[slot].used = true;
  pending[slot].id = (long) id;
  pending[slot].master = master;
}

/* Calls served and refused, in all and by name (those with any). */
static json_t *
stats (struct sentry *s)
{
  json_t *by = json_object ();

  for (int nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      uint32_t m = __atomic_load_n (&s->mediated_nr[nr], __ATOMIC_RELAXED);
      uint32_t d = __atomic_load_n (&s->denied_nr[nr], __ATOMIC_RELAXED);
      const struct sb_syscall *e = sb_syscall_lookup (nr);
      if ((m || d) && e)
        json_object_set_new (by, e->name, json_pack ("[I, I]", (json_int_t) m, (json_int_t) d));
    }
  return json_pack ("{s:s, s:I, s:I, s:o}", "op", "stats",
                    "mediated", (json_int_t) __atomic_load_n (&s->mediated, __ATOMIC_RELAXED),
                    "denied", (json_int_t) __atomic_load_n (&s->denied, __ATOMIC_RELAXED), "by_syscall", by);
}

/* The held command starts: the init, waiting since it loaded its filter,
   is given the config's startContainer hooks and the container's state
   (none: an empty list), then woken as an unheld one is at the end of the
   build (launch.c). It runs the hooks in the sandbox before the command,
   and its word on them ("hooks", sb_control_from_init) is the answer. */
static void
start_held (struct sentry *s, json_t *req)
{
  const char *why = NULL;
  json_t *hooks = json_object_get (req, "hooks"), *state = json_object_get (req, "state"), *msg = NULL;
  cleanup_free char *text = NULL;

  if (!s->cfg.hold)
    why = "the command has already started";
  else if (hooks && !json_is_array (hooks))
    why = "hooks: a list";
  else if ((msg = json_pack ("{s:o, s:o}", "hooks", hooks ? json_incref (hooks) : json_array (), "state",
                              state ? json_incref (state) : json_object ())) == NULL
           || (text = json_dumps (msg, JSON_COMPACT)) == NULL)
    why = "the start's hooks: no memory";
  else if (s->init_pid <= 0 || write (s->init_sock, text, strlen (text)) < 0 || kill (s->init_pid, SIGUSR1) < 0)
    why = "the sandbox's init has ended";
  json_decref (msg);
  s->cfg.hold = false;
  if (why)
    send_json (s->cfg.ctl_fd, json_pack ("{s:s, s:s}", "op", "started", "error", why), NULL, 0);
}

void
sb_control_from_owner (struct sentry *s)
{
  char buf[CONTROL_MSG_MAX + 1];
  int fds[SB_FDPASS_MAX], nfds = SB_FDPASS_MAX, i;
  ssize_t n = sb_recv_msg (s->cfg.ctl_fd, buf, CONTROL_MSG_MAX, fds, &nfds);
  json_t *req;
  const char *op;

  if (n <= 0)
    {
      /* The owner stopped listening (sandbox-runtime do does, once it has
         the terminal): the lifeline, not this, says when it is gone. */
      close (s->cfg.ctl_fd);
      s->cfg.ctl_fd = -1;
      return;
    }
  buf[n] = '\0';
  req = json_loadb (buf, (size_t) n, 0, NULL);
  op = json_string_value (json_object_get (req, "op"));
  if (op && strcmp (op, "exec") == 0)
    exec_request (s, req, fds, nfds);
  else if (op && strcmp (op, "stats") == 0)
    send_json (s->cfg.ctl_fd, stats (s), NULL, 0);
  else if (op && strcmp (op, "start") == 0)
    start_held (s, req);
  for (i = 0; i < nfds; i++)
    close (fds[i]);
  json_decref (req);
}

void
sb_control_from_init (struct sentry *s)
{
  char buf[CONTROL_MSG_MAX + 1];
  ssize_t n = read (s->init_sock, buf, CONTROL_MSG_MAX);
  json_t *msg;
  json_int_t id;
  int slot;

  if (n <= 0)
    {
      close (s->init_sock);
      s->init_sock = -1;
      return;
    }
  buf[n] = '\0';
  msg = json_loadb (buf, (size_t) n, 0, NULL);
  if (msg == NULL)
    return;
  const char *op = json_string_value (json_object_get (msg, "op"));
  if (op && strcmp (op, "hooks") == 0)
    {
      /* The held command's startContainer hooks have run (or one failed:
         the init ends, and the command never runs): the start's answer. */
      const char *why = json_string_value (json_object_get (msg, "error"));
      if (s->cfg.ctl_fd >= 0)
        send_json (s->cfg.ctl_fd, why ? json_pack ("{s:s, s:s}", "op", "started", "error", why)
                                      : json_pack ("{s:s}", "op", "started"), NULL, 0);
      json_decref (msg);
      return;
    }
  id = json_integer_value (json_object_get (msg, "id"));
  if (json_object_get (msg, "exited") == NULL)
    {
      /* The answer to an exec: hand the terminal's master over with it. */
      for (slot = 0; slot < PENDING_MAX; slot++)
        if (pending[slot].used && pending[slot].id == id)
          break;
      json_object_set_new (msg, "op", json_string ("exec"));
      if (slot < PENDING_MAX)
        {
          int master = pending[slot].master;
          pending[slot].used = false;
          if (s->cfg.ctl_fd >= 0)
            send_json (s->cfg.ctl_fd, msg, &master, master >= 0 ? 1 : 0);
          else
            json_decref (msg);
          if (master >= 0)
            close (master);
          return;
        }
    }
  else
    json_object_set_new (msg, "op", json_string ("exited"));
  if (s->cfg.ctl_fd >= 0)
    send_json (s->cfg.ctl_fd, msg, NULL, 0);
  else
    json_decref (msg);
}

void
sb_control_ended (struct sentry *s, int code)
{
  if (s->cfg.ctl_fd >= 0)
    send_json (s->cfg.ctl_fd, json_pack ("{s:s, s:i}", "op", "ended", "code", code), NULL, 0);
}

void
sb_control_ready (struct sentry *s)
{
  if (s->cfg.ctl_fd >= 0)
    send_json (s->cfg.ctl_fd, json_pack ("{s:s}", "op", "ready"), NULL, 0);
}

void
sb_control_failed (struct sentry *s, const char *msg)
{
  if (s->cfg.ctl_fd >= 0)
    send_json (s->cfg.ctl_fd, json_pack ("{s:s, s:s}", "op", "failed", "error", msg ? msg : "failed"), NULL, 0);
}
