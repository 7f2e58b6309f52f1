/* Container records. Each container has a directory under
   STATE_DIR/containers/ID holding its state (state.json, rewritten whole:
   temporary file, fsync, rename), the policy it was created under
   (policy.conf, a snapshot: reloads do not change it), what its monitor
   needs (spec.json), its log, and, once it has ended, exit.json (written by
   the monitor). Its monitor listens on RUN_DIR/containers/ID.sock.

   A container runs as long as its monitor does, whatever happens to
   sandboxd: at start sandboxd reads every record and, for those it left
   running, connects to the monitor again; a record whose monitor is gone
   becomes exited with the monitor's exit.json, or, without one, with exit
   code 255 and "lost" (its cgroup is removed). */
#include "sandboxd.h"
#include "cgroup.h"
#include "cleanup.h"
#include "sandbox.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sbd_waiter
{
  struct sbd_deferred *answer;
  bool start;                 /* answers a start (else a wait, or a stop) */
  bool removed;               /* answers a delete with force: once the record is gone */
  struct sbd_waiter *next;
};

static const char *const state_names[] = { "created", "starting", "running", "exited" };

const char *
sbd_state_name (enum sbd_state s)
{
  return state_names[s];
}

void
sbd_container_dir (struct sbd_container *c, char *out, size_t len)
{
  snprintf (out, len, "%s/containers/%s", sbd->cfg.state_dir, c->id);
}

void
sbd_container_socket (struct sbd_container *c, char *out, size_t len)
{
  /* The first 32 hex digits: sun_path holds 108 bytes. */
  snprintf (out, len, "%s/containers/%.32s.sock", sbd->cfg.run_dir, c->id);
}

const char *
sbd_container_cgroup (const struct sbd_container *c)
{
  const char *path = json_string_value (json_object_get (json_object_get (c->config, "oci"), "cgroup"));

  return path && sb_cgroup_path_ok (path) ? path : c->id;
}

json_t *
sbd_container_json (struct sbd_container *c, bool detail)
{
  json_t *o = json_pack ("{s:s, s:s, s:s, s:s, s:O, s:s}", "id", c->id, "name", c->name, "tenant",
                         c->tenant, "state", sbd_state_name (c->state), "image",
                         json_object_get (c->config, "image"), "created", c->created);

  json_object_set (o, "cmd", json_object_get (c->config, "cmd"));
  json_object_set (o, "labels", json_object_get (c->config, "labels"));
  if (c->started[0])
    json_object_set_new (o, "started", json_string (c->started));
  if (c->state == SBD_EXITED)
    {
      json_object_set_new (o, "exit_code", json_integer (c->exit_code));
      json_object_set_new (o, "oom_killed", json_boolean (c->oom_killed));
      if (c->finished[0])
        json_object_set_new (o, "finished", json_string (c->finished));
    }
  if (detail)
    {
      json_object_set (o, "config", c->config);
      json_object_set_new (o, "restart_count", json_integer (c->restart_count));
      json_object_set_new (o, "exec_sessions", json_integer (c->exec_sessions));
    }
  return o;
}

int
sbd_container_save (struct sbd_container *c)
{
  char dir[4200], path[4300];
  json_t *o = sbd_container_json (c, true);
  char *text;
  int ret;

  json_object_set_new (o, "stop_requested", json_boolean (c->stop_requested));
  text = json_dumps (o, JSON_INDENT (1));
  json_decref (o);
  if (text == NULL)
    return -ENOMEM;
  sbd_container_dir (c, dir, sizeof (dir));
  snprintf (path, sizeof (path), "%s/state.json", dir);
  ret = sb_write_atomic (path, text, strlen (text), 0600);
  free (text);
  if (ret < 0)
    fprintf (stderr, "sandboxd: save %s: %s\n", path, strerror (-ret));
  return ret;
}

static struct sbd_container *
link_new (struct sbd *d)
{
  struct sbd_container *c = calloc (1, sizeof (*c));

  if (c == NULL)
    return NULL;
  c->ready_fd = -1;
  c->pending_stop = -1;
  c->next = d->containers;
  d->containers = c;
  return c;
}

static void
unlink_container (struct sbd *d, struct sbd_container *c)
{
  for (struct sbd_container **p = &d->containers; *p; p = &(*p)->next)
    if (*p == c)
      {
        *p = c->next;
        break;
      }
  if (c->events)
    bufferevent_free (c->events);
  if (c->stop_timer)
    event_free (c->stop_timer);
  if (c->restart_timer)
    event_free (c->restart_timer);
  if (c->ready_ev)
    event_free (c->ready_ev);
  if (c->ready_fd >= 0)
    close (c->ready_fd);
  json_decref (c->config);
  json_decref (c->syscalls);
  free (c);
}

struct sbd_container *
sbd_container_by_id (struct sbd *d, const char *id)
{
  for (struct sbd_container *c = d->containers; c; c = c->next)
    if (strcmp (c->id, id) == 0)
      return c;
  return NULL;
}

struct sbd_container *
sbd_container_find (struct sbd *d, const char *tenant, const char *ref, enum sbd_miss *miss)
{
  struct sbd_container *found = NULL, *other = NULL, *named = NULL;
  size_t n = strlen (ref);
  int matches = 0, names = 0;

  *miss = SBD_MISS_NONE;
  if (n == 0)
    return NULL;
  /* A whole id first (a name never stands for another container's id),
     then a name, exactly, then a unique id prefix. */
  if (n == 64)
    {
      struct sbd_container *c = sbd_container_by_id (d, ref);
      if (c && (tenant == NULL || strcmp (c->tenant, tenant) == 0))
        return c;
      if (c)
        other = c;
    }
  /* Names are unique within a tenant only: the admin, who sees every
     tenant's, must name one of two alike by its id. */
  for (struct sbd_container *c = d->containers; c; c = c->next)
    if (strcmp (c->name, ref) == 0)
      {
        if (tenant != NULL && strcmp (c->tenant, tenant) == 0)
          return c;
        if (tenant == NULL)
          named = c, names++;
        else
          other = c;
      }
  if (names == 1)
    return named;
  if (names > 1)
    {
      *miss = SBD_MISS_AMBIGUOUS;
      return NULL;
    }
  for (struct sbd_container *c = d->containers; c; c = c->next)
    {
      bool hit = strncmp (c->id, ref, n) == 0;
      if (!hit)
        continue;
      if (tenant && strcmp (c->tenant, tenant) != 0)
        {
          other = c;
          continue;
        }
      /* An id prefix must be unique. */
      if (strcmp (c->id, ref) == 0)
        return c;
      found = c;
      matches++;
    }
  if (matches == 1)
    return found;
  if (matches > 1)
    *miss = SBD_MISS_AMBIGUOUS;
  else if (other != NULL)
    *miss = SBD_MISS_ELSEWHERE;
  return NULL;
}

int
sbd_tenant_running (struct sbd *d, const char *tenant)
{
  int n = 0;

  for (struct sbd_container *c = d->containers; c; c = c->next)
    if (strcmp (c->tenant, tenant) == 0 && (c->state == SBD_RUNNING || c->state == SBD_STARTING))
      n++;
  return n;
}

/* ---- creating ------------------------------------------------------------------ */

static void
random_id (char out[65])
{
  unsigned char b[32];

  if (getrandom (b, sizeof (b), 0) != sizeof (b))
    for (size_t i = 0; i < sizeof (b); i++)
      b[i] = (unsigned char) (rand () & 0xff);
  for (int i = 0; i < 32; i++)
    snprintf (out + 2 * i, 3, "%02x", b[i]);
}

/* The policy the container runs under: the tenant's, narrowed by the
   request's limits and with its volumes added (api_containers.c checked
   both), written beside it. */
int
sbd_policy_save (const struct sb_policy *p, const char *path, sb_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  FILE *f;
  int ret;

  /* Made in memory, then written as every state file is: whole or not
     at all, and a full disk named as such. */
  f = open_memstream (&text, &len);
  if (f == NULL)
    return sb_error (err, ENOMEM, "allocate");
  ret = sb_policy_write (p, f);
  if (fclose (f) != 0 || ret < 0)
    return sb_error (err, ENOMEM, "write the policy of `%s`", path);
  ret = sb_write_atomic (path, text, len, 0600);
  if (ret < 0)
    return sb_error (err, -ret, "write `%s`", path);
  return 0;
}

static int
write_policy (struct sbd_tenant *t, json_t *config, const char *dir, sb_error_t *err)
{
  cleanup_free struct sb_policy *p = malloc (sizeof (*p));
  json_t *limits = json_object_get (config, "limits"), *vols = json_object_get (config, "volumes"), *v;
  char path[4300];
  size_t i;

  if (p == NULL)
    return sb_error (err, ENOMEM, "allocate");
  memcpy (p, t->policy, sizeof (*p));
  if (json_integer_value (json_object_get (limits, "memory")))
    p->memory_bytes = (uint64_t) json_integer_value (json_object_get (limits, "memory"));
  if (json_integer_value (json_object_get (limits, "cpu_millis")))
    p->cpu_millis = (uint32_t) json_integer_value (json_object_get (limits, "cpu_millis"));
  if (json_integer_value (json_object_get (limits, "pids")))
    p->pids = (uint32_t) json_integer_value (json_object_get (limits, "pids"));
  if (json_string_value (json_object_get (config, "hostname")))
    snprintf (p->hostname, sizeof (p->hostname), "%s", json_string_value (json_object_get (config, "hostname")));
  json_array_foreach (vols, i, v)
    {
      struct sb_volume *vol;
      if (p->nvolumes >= SB_POLICY_MAX_VOLUMES)
        return sb_error (err, E2BIG, "too many volumes (at most %d with the policy's)", SB_POLICY_MAX_VOLUMES);
      vol = &p->volumes[p->nvolumes++];
      snprintf (vol->name, sizeof (vol->name), "request-%zu", i);
      snprintf (vol->source, sizeof (vol->source), "%s", json_string_value (json_object_get (v, "source")));
      snprintf (vol->target, sizeof (vol->target), "%s", json_string_value (json_object_get (v, "target")));
      vol->read_only = json_is_true (json_object_get (v, "read_only"));
    }
  snprintf (path, sizeof (path), "%s/policy.conf", dir);
  return sbd_policy_save (p, path, err);
}

struct sbd_container *
sbd_container_create (struct sbd *d, struct sbd_tenant *t, json_t *config, sb_error_t *err)
{
  struct sbd_container *c;
  char dir[4200];
  const char *name = json_string_value (json_object_get (config, "name"));

  c = link_new (d);
  if (c == NULL)
    {
      sb_error (err, ENOMEM, "allocate");
      return NULL;
    }
  random_id (c->id);
  snprintf (c->name, sizeof (c->name), "%s", name && name[0] ? name : c->id);
  if (!name || !name[0])
    c->name[12] = '\0'; /* a short name, as docker gives */
  snprintf (c->tenant, sizeof (c->tenant), "%s", t->name);
  c->config = json_incref (config);
  c->state = SBD_CREATED;
  sb_now_iso (c->created, sizeof (c->created));
  sbd_container_dir (c, dir, sizeof (dir));
  if (mkdir (dir, 0700) < 0)
    {
      sb_error (err, errno, "mkdir `%s`", dir);
      unlink_container (d, c);
      return NULL;
    }
  if (write_policy (t, config, dir, err) < 0 || sbd_container_save (c) < 0)
    {
      sb_remove_tree (AT_FDCWD, dir);
      unlink_container (d, c);
      if (*err == NULL)
        sb_error (err, EIO, "save the container's record");
      return NULL;
    }
  return c;
}

/* ---- starting ------------------------------------------------------------------- */

static void answer_waiters (struct sbd_container *c, bool start, int status, json_t *body);
static void remove_after_exit (struct sbd *d, struct sbd_container *c);

static int
write_spec (struct sbd_container *c, struct sbd_tenant *t, sb_error_t *err)
{
  json_t *cfg = c->config, *spec, *limits;
  char dir[4200], path[4300], *text;
  const char *image = json_string_value (json_object_get (cfg, "image"));
  struct sb_policy *p = t->policy;
  int ret;

  sbd_container_dir (c, dir, sizeof (dir));
  limits = json_pack ("{s:I, s:I, s:I, s:I}",
                      "memory", (json_int_t) (json_integer_value (json_object_get (json_object_get (cfg, "limits"), "memory"))
                                              ? json_integer_value (json_object_get (json_object_get (cfg, "limits"), "memory"))
                                              : (json_int_t) p->memory_bytes),
                      "swap", (json_int_t) (json_object_get (json_object_get (cfg, "limits"), "swap")
                                            ? json_integer_value (json_object_get (json_object_get (cfg, "limits"), "swap"))
                                            : (json_int_t) p->swap_bytes),
                      "cpu_millis", (json_int_t) (json_integer_value (json_object_get (json_object_get (cfg, "limits"), "cpu_millis"))
                                                  ? json_integer_value (json_object_get (json_object_get (cfg, "limits"), "cpu_millis"))
                                                  : (json_int_t) p->cpu_millis),
                      "pids", (json_int_t) (json_integer_value (json_object_get (json_object_get (cfg, "limits"), "pids"))
                                            ? json_integer_value (json_object_get (json_object_get (cfg, "limits"), "pids"))
                                            : (json_int_t) p->pids));
  spec = json_pack ("{s:s, s:s, s:s, s:b, s:b, s:s, s:O, s:O, s:o, s:{s:I, s:I}, s:I, s:s, s:I}",
                    "id", c->id, "tenant", c->tenant,
                    "hostname", json_string_value (json_object_get (cfg, "hostname")),
                    "tty", json_is_true (json_object_get (cfg, "tty")),
                    "stdin", json_is_true (json_object_get (cfg, "stdin")),
                    "cwd", json_string_value (json_object_get (cfg, "cwd")) ? json_string_value (json_object_get (cfg, "cwd")) : "/",
                    "argv", json_object_get (cfg, "cmd"), "env", json_object_get (cfg, "env"),
                    "limits", limits, "ids", "host", (json_int_t) t->ids.host, "count", (json_int_t) t->ids.count,
                    "log_max", (json_int_t) sbd->cfg.log_max, "audit_log", sbd->cfg.audit_log,
                    "audit_log_max", (json_int_t) sbd->cfg.audit_log_max);
  if (spec == NULL)
    return sb_error (err, EINVAL, "the container's settings are incomplete");
  sbd_spec_more_limits (json_object_get (spec, "limits"), json_object_get (cfg, "limits"));
  /* What sandboxd needs to rebuild the record should state.json be lost. */
  json_object_set_new (spec, "name", json_string (c->name));
  json_object_set (spec, "config", cfg);
  json_object_set_new (spec, "created", json_string (c->created));
  if (json_object_get (cfg, "user"))
    json_object_set (spec, "user", json_object_get (cfg, "user"));
  if (json_object_get (cfg, "layers"))
    json_object_set (spec, "layers", json_object_get (cfg, "layers"));
  (void) image; /* "host": the host root (no layers) */
  text = json_dumps (spec, JSON_INDENT (1));
  json_decref (spec);
  snprintf (path, sizeof (path), "%s/spec.json", dir);
  ret = text ? sb_write_atomic (path, text, strlen (text), 0600) : -ENOMEM;
  free (text);
  if (ret < 0)
    return sb_error (err, -ret, "write `%s`", path);
  /* A fresh end: the last run's record goes. */
  snprintf (path, sizeof (path), "%s/exit.json", dir);
  unlink (path);
  return 0;
}

static void monitor_ready (evutil_socket_t fd, short what, void *arg);

/* The monitor, detached from us (a new session, re-parented to init), so
   it outlives sandboxd; it says on a pipe whether the sandbox started. */
static int
spawn_monitor (struct sbd_container *c, sb_error_t *err)
{
  char dir[4200], sock[4300], exe[4200], log[4300];
  int ready[2];
  pid_t pid;

  sbd_container_dir (c, dir, sizeof (dir));
  sbd_container_socket (c, sock, sizeof (sock));
  if (strlen (sock) >= 108)
    return sb_error (err, ENAMETOOLONG, "the monitor's socket `%s` is too long (run-dir)", sock);
  snprintf (exe, sizeof (exe), "%s/sandbox-monitor", sb_libexec_dir ());
  snprintf (log, sizeof (log), "%s/monitor.log", dir);
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return sb_error (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (ready[0]);
      close (ready[1]);
      return sb_error (err, errno, "fork");
    }
  if (pid == 0)
    {
      sigset_t none;
      int fd;

      setsid ();
      if (fork () != 0)
        _exit (0);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      for (int s = 1; s < NSIG; s++)
        signal (s, SIG_DFL);
      fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      dup2 (fd, 0);
      fd = open (log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      dup2 (fd, 1);
      dup2 (fd, 2);
      dup2 (ready[1], 3);
      sb_close_fds_except (4, NULL, 0);
      execl (exe, "sandbox-monitor", dir, sock, "3", (char *) NULL);
      fprintf (stderr, "sandboxd: exec `%s`: %s\n", exe, strerror (errno));
      _exit (125);
    }
  close (ready[1]);
  waitpid (pid, NULL, 0);
  evutil_make_socket_nonblocking (ready[0]);
  c->ready_fd = ready[0];
  c->ready_ev = event_new (sbd->base, ready[0], EV_READ | EV_PERSIST, monitor_ready, c);
  event_add (c->ready_ev, NULL);
  return 0;
}

int
sbd_container_start (struct sbd *d, struct sbd_container *c, sb_error_t *err)
{
  struct sbd_tenant *t = sbd_tenant_by_name (d, c->tenant);

  if (c->state == SBD_RUNNING || c->state == SBD_STARTING)
    return sb_error (err, EBUSY, "container %s is already running", c->name);
  if (t == NULL)
    return sb_error (err, ENOENT, "tenant %s has no policy any more", c->tenant);
  if (json_object_get (c->config, "oci"))
    return sb_error (err, EPERM, "container %s is an OCI container: its runtime (sandbox-runtime) starts it", c->name);
  if (write_spec (c, t, err) < 0 || spawn_monitor (c, err) < 0)
    return -1;
  c->state = SBD_STARTING;
  c->stop_requested = false;
  c->start_ns = sb_now_ns ();
  c->exit_code = 0;
  c->oom_killed = false;
  c->finished[0] = '\0';
  sbd_container_save (c);
  return 0;
}

static void
stop_ready (struct sbd_container *c)
{
  if (c->ready_ev)
    event_free (c->ready_ev);
  c->ready_ev = NULL;
  if (c->ready_fd >= 0)
    close (c->ready_fd);
  c->ready_fd = -1;
}

static void record_exit (struct sbd *d, struct sbd_container *c);

static void
monitor_ready (evutil_socket_t fd, short what, void *arg)
{
  struct sbd_container *c = arg;
  char buf[1024];
  ssize_t n = read (fd, buf, sizeof (buf) - 1);

  (void) what;
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  stop_ready (c);
  buf[n > 0 ? n : 0] = '\0';
  if (n >= 2 && strncmp (buf, "ok", 2) == 0)
    {
      double secs = (double) (sb_now_ns () - c->start_ns) / 1e9;
      c->state = SBD_RUNNING;
      sb_now_iso (c->started, sizeof (c->started));
      sbd_container_save (c);
      sbd_metrics_start_latency (secs);
      sbd->metrics.starts++;
      if (sbd_monitor_watch (c) < 0)
        fprintf (stderr, "sandboxd: %s: cannot watch its monitor\n", c->id);
      sbd_event (c, "start");
      if (c->pending_stop >= 0)
        {
          /* A stop asked for while it was starting. */
          int t = c->pending_stop;
          c->pending_stop = -1;
          sbd_container_stop (c, t);
        }
      answer_waiters (c, true, 204, NULL);
      return;
    }
  /* The sandbox did not start: the monitor said why. */
  sbd->metrics.start_failures++;
  c->state = SBD_EXITED;
  c->exit_code = 125;
  sb_now_iso (c->finished, sizeof (c->finished));
  sbd_container_save (c);
  sbd_event (c, "start-failed");
  answer_waiters (c, true, 422, json_pack ("{s:{s:s, s:s}}", "error", "code", "start_failed", "message",
                                           n > 0 ? buf : "the monitor ended without a word"));
  answer_waiters (c, false, 200, json_pack ("{s:i, s:b}", "exit_code", c->exit_code, "oom_killed", 0));
  if (c->remove_on_exit)
    remove_after_exit (sbd, c);
}

/* ---- signals, stop ------------------------------------------------------------- */

static void
signal_done (json_t *answer, void *arg)
{
  (void) answer;
  (void) arg;
}

int
sbd_container_signal (struct sbd_container *c, int sig, sb_error_t *err)
{
  if (c->state != SBD_RUNNING)
    return sb_error (err, ESRCH, "container %s is not running", c->name);
  if (sbd_monitor_request (c, json_pack ("{s:s, s:i}", "op", "kill", "signal", sig), signal_done, NULL) < 0)
    return sb_error (err, EIO, "container %s: its monitor does not answer", c->name);
  return 0;
}

static void
stop_timeout (evutil_socket_t fd, short what, void *arg)
{
  struct sbd_container *c = arg;

  (void) fd;
  (void) what;
  if (c->state == SBD_RUNNING)
    sbd_container_signal (c, SIGKILL, NULL);
}

void
sbd_container_stop (struct sbd_container *c, int timeout)
{
  struct timeval tv = { .tv_sec = timeout };

  c->stop_requested = true;
  sbd_container_save (c);
  if (c->state == SBD_STARTING)
    c->pending_stop = timeout; /* sent once it runs */
  if (c->state != SBD_RUNNING)
    return;
  sbd_container_signal (c, timeout > 0 ? SIGTERM : SIGKILL, NULL);
  if (timeout > 0)
    {
      if (c->stop_timer == NULL)
        c->stop_timer = evtimer_new (sbd->base, stop_timeout, c);
      evtimer_add (c->stop_timer, &tv);
    }
}

/* ---- the end of a run, restarts ---------------------------------------------------- */

static void
restart_now (evutil_socket_t fd, short what, void *arg)
{
  struct sbd_container *c = arg;
  cleanup_error sb_error_t err = NULL;

  (void) fd;
  (void) what;
  if (c->state != SBD_EXITED || c->stop_requested)
    return;
  c->restart_count++;
  if (sbd_container_start (sbd, c, &err) < 0)
    fprintf (stderr, "sandboxd: restart %s: %s\n", c->name, err->msg);
}

/* "no", "always", "unless-stopped", "on-failure[:N]": restarts wait 100 ms,
   doubling up to a minute. */
static void
maybe_restart (struct sbd_container *c)
{
  const char *policy = json_string_value (json_object_get (c->config, "restart"));
  bool again = false;
  struct timeval tv;
  uint64_t ms;

  if (policy == NULL || c->stop_requested || c->remove_on_exit)
    return;
  if (strcmp (policy, "always") == 0 || strcmp (policy, "unless-stopped") == 0)
    again = true;
  else if (strncmp (policy, "on-failure", 10) == 0 && c->exit_code != 0)
    {
      int max = policy[10] == ':' ? atoi (policy + 11) : 0;
      again = max == 0 || c->restart_count < max;
    }
  if (!again)
    return;
  ms = 100ull << (c->restart_count < 10 ? c->restart_count : 10);
  if (ms > 60000)
    ms = 60000;
  tv.tv_sec = (time_t) (ms / 1000);
  tv.tv_usec = (suseconds_t) ((ms % 1000) * 1000);
  if (c->restart_timer == NULL)
    c->restart_timer = evtimer_new (sbd->base, restart_now, c);
  evtimer_add (c->restart_timer, &tv);
}

/* Reads exit.json (the monitor's record); without one the monitor was lost. */
static void
record_exit (struct sbd *d, struct sbd_container *c)
{
  char dir[4200], path[4300];
  json_t *ex;

  sbd_container_dir (c, dir, sizeof (dir));
  snprintf (path, sizeof (path), "%s/exit.json", dir);
  ex = json_load_file (path, 0, NULL);
  if (ex)
    {
      c->exit_code = (int) json_integer_value (json_object_get (ex, "exit_code"));
      c->oom_killed = json_is_true (json_object_get (ex, "oom_killed"));
      snprintf (c->finished, sizeof (c->finished), "%s",
                json_string_value (json_object_get (ex, "finished_at")) ? json_string_value (json_object_get (ex, "finished_at")) : "");
      json_decref (ex);
    }
  else
    {
      c->exit_code = 255;
      sb_now_iso (c->finished, sizeof (c->finished));
      /* Nobody will remove its cgroup now: we do. */
      sb_cgroup_remove_named (sb_cgroup_root (), sbd_container_cgroup (c), NULL);
    }
  c->state = SBD_EXITED;
  sbd_metrics_retire (c);
  if (c->stop_timer)
    evtimer_del (c->stop_timer);
  if (c->events)
    {
      bufferevent_free (c->events);
      c->events = NULL;
    }
  sbd_container_save (c);
  sbd_event (c, c->oom_killed ? "oom" : "die");
  answer_waiters (c, false, 200, json_pack ("{s:i, s:b}", "exit_code", c->exit_code, "oom_killed", c->oom_killed));
  answer_waiters (c, true, 422, json_pack ("{s:{s:s, s:s}}", "error", "code", "start_failed", "message",
                                           "the container ended while starting"));
  if (c->remove_on_exit || json_is_true (json_object_get (c->config, "auto_remove")))
    {
      remove_after_exit (d, c);
      return;
    }
  maybe_restart (c);
}

/* A container deleted with force while it ran, or one that removes
   itself: its record goes now, and the deletes that waited for it are
   answered (204, or why it could not go). */
static void
remove_after_exit (struct sbd *d, struct sbd_container *c)
{
  struct sbd_waiter *removed = NULL, **p = &c->waiters;
  cleanup_error sb_error_t err = NULL;
  int r;

  while (*p)
    {
      struct sbd_waiter *w = *p;
      if (!w->removed)
        {
          p = &w->next;
          continue;
        }
      *p = w->next;
      w->next = removed;
      removed = w;
    }
  r = sbd_container_remove (d, c, &err);
  while (removed)
    {
      struct sbd_waiter *w = removed;
      removed = w->next;
      sbd_deferred_reply (w->answer, r < 0 ? 500 : 204,
                          r < 0 ? json_pack ("{s:{s:s, s:s}}", "error", "code", "internal", "message", err->msg) : NULL);
      free (w);
    }
}

/* Called by monitors.c when the monitor's event stream ends. */
void
sbd_container_monitor_gone (struct sbd_container *c)
{
  if (c->state == SBD_RUNNING || c->state == SBD_STARTING)
    record_exit (sbd, c);
}

int
sbd_container_remove (struct sbd *d, struct sbd_container *c, sb_error_t *err)
{
  char dir[4200];

  if (c->state == SBD_RUNNING || c->state == SBD_STARTING)
    return sb_error (err, EBUSY, "container %s is running (stop it, or remove it with force)", c->name);
  sbd_container_dir (c, dir, sizeof (dir));
  int r = sb_remove_tree (AT_FDCWD, dir);
  if (r < 0)
    return sb_error (err, -r, "remove `%s`", dir);
  sbd_event (c, "destroy");
  unlink_container (d, c);
  return 0;
}

/* ---- waiters (start, wait) ---------------------------------------------------------- */

static void
add_waiter (struct sbd_container *c, struct sbd_request *r, bool start, bool removed)
{
  struct sbd_waiter *w = calloc (1, sizeof (*w));

  if (w == NULL || (w->answer = sbd_defer (r)) == NULL)
    {
      free (w);
      sbd_reply_error (r, 500, "internal", "out of memory");
      return;
    }
  w->start = start;
  w->removed = removed;
  w->next = c->waiters;
  c->waiters = w;
}

void
sbd_add_waiter (struct sbd_container *c, struct sbd_request *r, bool start)
{
  add_waiter (c, r, start, false);
}

void
sbd_add_remove_waiter (struct sbd_container *c, struct sbd_request *r)
{
  add_waiter (c, r, false, true);
}

static void
answer_waiters (struct sbd_container *c, bool start, int status, json_t *body)
{
  struct sbd_waiter **p = &c->waiters;

  while (*p)
    {
      struct sbd_waiter *w = *p;
      if (w->start != start || w->removed)
        {
          p = &w->next;
          continue;
        }
      *p = w->next;
      sbd_deferred_reply (w->answer, status, body ? json_incref (body) : NULL);
      free (w);
    }
  json_decref (body);
}

/* ---- loading at start -------------------------------------------------------------- */

static void
adopt (struct sbd *d, struct sbd_container *c)
{
  if (c->state != SBD_RUNNING && c->state != SBD_STARTING)
    return;
  c->state = SBD_RUNNING;
  if (sbd_monitor_watch (c) < 0)
    {
      /* The monitor is gone: the container ended while we were away. Its
         socket, if it was killed, stays behind. */
      char sock[sizeof (((struct sockaddr_un *) 0)->sun_path)];
      sbd_container_socket (c, sock, sizeof (sock));
      unlink (sock);
      record_exit (d, c);
      return;
    }
  sbd_event (c, "adopt");
}

/* Ends whatever monitor answers on PATH, the socket of a container we have
   no usable record of: SIGKILL to its sandbox. The monitor answers at once
   (we wait a second at most) and then tears the sandbox down by itself,
   its cgroup and socket included. */
static void
end_orphan_monitor (const char *path)
{
  static const char kill_req[] = "{\"op\":\"kill\",\"signal\":9}\n";
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  struct timeval tv = { .tv_sec = 1 };
  char buf[512];
  int fd;

  snprintf (sun.sun_path, sizeof (sun.sun_path), "%s", path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  if (connect (fd, (struct sockaddr *) &sun, sizeof (sun)) == 0)
    {
      setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
      if (sb_write_all (fd, kill_req, sizeof (kill_req) - 1) == 0 && read (fd, buf, sizeof (buf)) > 0)
        {
          close (fd);
          return;
        }
    }
  /* Nobody answers: a stale socket. */
  close (fd);
  unlink (path);
}

static void
fill_record (struct sbd_container *c, json_t *o)
{
  snprintf (c->name, sizeof (c->name), "%s", json_string_value (json_object_get (o, "name")) ?: c->id);
  snprintf (c->tenant, sizeof (c->tenant), "%s", json_string_value (json_object_get (o, "tenant")) ?: "");
  snprintf (c->created, sizeof (c->created), "%s", json_string_value (json_object_get (o, "created")) ?: "");
  snprintf (c->started, sizeof (c->started), "%s", json_string_value (json_object_get (o, "started")) ?: "");
  snprintf (c->finished, sizeof (c->finished), "%s", json_string_value (json_object_get (o, "finished")) ?: "");
  c->config = json_incref (json_object_get (o, "config"));
  c->exit_code = (int) json_integer_value (json_object_get (o, "exit_code"));
  c->oom_killed = json_is_true (json_object_get (o, "oom_killed"));
  c->restart_count = (int) json_integer_value (json_object_get (o, "restart_count"));
  c->stop_requested = json_is_true (json_object_get (o, "stop_requested"));
}

/* A container directory out of the way at once (its monitor, still ending,
   can write nothing more into it: it writes by name), then removed;
   whatever is left of it goes at the next start. */
static void
drop_dir (struct sbd *d, const char *id)
{
  char from[4200], to[4200];

  snprintf (from, sizeof (from), "%s/containers/%s", d->cfg.state_dir, id);
  snprintf (to, sizeof (to), "%s/containers/.dropped-%s", d->cfg.state_dir, id);
  if (rename (from, to) < 0)
    snprintf (to, sizeof (to), "%s", from);
  sb_remove_tree (AT_FDCWD, to);
}

/* A record whose state.json cannot be read (it is written atomically, so
   only damage from outside does this). If the container was started, its
   spec.json (written before the start) names it, its tenant and its
   settings: the record is rebuilt from it and the container adopted (or
   recorded as ended). Without a usable spec nothing can be trusted: the
   container is ended and its directory removed. Either way it is logged
   and audited. */
static int
recover_one (struct sbd *d, const char *id, const char *dir)
{
  char path[4300], sock[sizeof (((struct sockaddr_un *) 0)->sun_path)];
  struct sbd_container *c;
  json_t *spec;
  enum sbd_miss miss;

  snprintf (path, sizeof (path), "%s/spec.json", dir);
  spec = json_load_file (path, 0, NULL);
  if (spec && json_is_string (json_object_get (spec, "tenant")) && json_is_string (json_object_get (spec, "name"))
      && json_is_object (json_object_get (spec, "config"))
      && sbd_container_find (d, json_string_value (json_object_get (spec, "tenant")),
                             json_string_value (json_object_get (spec, "name")), &miss) == NULL)
    {
      c = link_new (d);
      if (c == NULL)
        {
          json_decref (spec);
          return -1;
        }
      snprintf (c->id, sizeof (c->id), "%s", id);
      fill_record (c, spec);
      json_decref (spec);
      c->stop_requested = true; /* no restart policy for a rebuilt record */
      c->state = SBD_RUNNING;
      fprintf (stderr, "sandboxd: %s: state.json is unreadable: the record was rebuilt from spec.json\n", dir);
      sbd_audit_event (c->tenant, c->id, "record-rebuilt", NULL);
      adopt (d, c);
      sbd_container_save (c);
      return 0;
    }
  json_decref (spec);
  {
    struct sbd_container gone = { 0 };
    snprintf (gone.id, sizeof (gone.id), "%s", id);
    sbd_container_socket (&gone, sock, sizeof (sock));
  }
  end_orphan_monitor (sock);
  sb_cgroup_remove_named (sb_cgroup_root (), id, NULL);
  fprintf (stderr, "sandboxd: %s: state.json and spec.json are unreadable: the container was ended and its "
                   "record removed\n", dir);
  sbd_audit_event ("", id, "record-dropped", NULL);
  drop_dir (d, id);
  return 0;
}

static int
load_one (struct sbd *d, const char *id)
{
  char path[4300], dir[4200];
  struct sbd_container *c;
  json_t *o;
  const char *state;

  snprintf (dir, sizeof (dir), "%s/containers/%s", d->cfg.state_dir, id);
  /* A write interrupted before its rename: the old file is the record. */
  snprintf (path, sizeof (path), "%s/state.json.tmp", dir);
  unlink (path);
  snprintf (path, sizeof (path), "%s/spec.json.tmp", dir);
  unlink (path);
  snprintf (path, sizeof (path), "%s/state.json", dir);
  o = json_load_file (path, 0, NULL);
  if (o == NULL || !json_is_object (o) || !json_is_string (json_object_get (o, "tenant")))
    {
      json_decref (o);
      return recover_one (d, id, dir);
    }
  c = link_new (d);
  if (c == NULL)
    {
      json_decref (o);
      return -1;
    }
  snprintf (c->id, sizeof (c->id), "%s", id);
  fill_record (c, o);
  state = json_string_value (json_object_get (o, "state"));
  c->state = SBD_CREATED;
  for (int i = 0; i < 4 && state; i++)
    if (strcmp (state, state_names[i]) == 0)
      c->state = (enum sbd_state) i;
  json_decref (o);
  adopt (d, c);
  return 0;
}

/* Sockets of monitors we hold no record of (their directory was removed
   while they ran): the monitor is ended and the socket removed. */
static void
sweep_sockets (struct sbd *d)
{
  char path[4200], sock[sizeof (((struct sockaddr_un *) 0)->sun_path)];
  DIR *dir;
  struct dirent *de;

  snprintf (path, sizeof (path), "%s/containers", d->cfg.run_dir);
  dir = opendir (path);
  if (dir == NULL)
    return;
  while ((de = readdir (dir)) != NULL)
    {
      struct sbd_container *c;
      bool known = false;
      size_t n = strlen (de->d_name);

      if (n < 6 || strcmp (de->d_name + n - 5, ".sock") != 0)
        continue;
      for (c = d->containers; c && !known; c = c->next)
        {
          sbd_container_socket (c, sock, sizeof (sock));
          known = strcmp (strrchr (sock, '/') + 1, de->d_name) == 0;
        }
      if (known)
        continue;
      if (snprintf (sock, sizeof (sock), "%s/%s", path, de->d_name) >= (int) sizeof (sock))
        continue;
      fprintf (stderr, "sandboxd: %s belongs to no container: its monitor is ended\n", sock);
      end_orphan_monitor (sock);
    }
  closedir (dir);
}

int
sbd_containers_load (struct sbd *d, sb_error_t *err)
{
  char path[4200];
  DIR *dir;
  struct dirent *de;

  snprintf (path, sizeof (path), "%s/containers", d->cfg.state_dir);
  if (mkdir (path, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", path);
  snprintf (path, sizeof (path), "%s/containers", d->cfg.run_dir);
  if (mkdir (path, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", path);
  snprintf (path, sizeof (path), "%s/containers", d->cfg.state_dir);
  dir = opendir (path);
  if (dir == NULL)
    return sb_error (err, errno, "open `%s`", path);
  while ((de = readdir (dir)) != NULL)
    {
      if (strlen (de->d_name) == 64 && strspn (de->d_name, "0123456789abcdef") == 64)
        load_one (d, de->d_name);
      else if (strncmp (de->d_name, ".dropped-", 9) == 0)
        {
          char gone[4200 + 256];
          snprintf (gone, sizeof (gone), "%s/%s", path, de->d_name);
          sb_remove_tree (AT_FDCWD, gone);
        }
    }
  closedir (dir);
  sweep_sockets (d);
  /* As docker's: a container of restart policy `always` stopped by hand
     starts again with sandboxd; one of `unless-stopped` does not. */
  for (struct sbd_container *c = d->containers; c; c = c->next)
    if (c->state == SBD_EXITED && c->stop_requested && !c->remove_on_exit
        && strcmp (json_string_value (json_object_get (c->config, "restart")) ?: "", "always") == 0)
      {
        c->stop_requested = false;
        c->restart_count = 0;
        maybe_restart (c);
      }
  return 0;
}
