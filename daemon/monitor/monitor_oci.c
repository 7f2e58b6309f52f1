/* The monitor's OCI mode (sandbox-monitor --oci), for sandbox-runtime.

   sandbox-runtime create starts the monitor as its own child, with the
   caller's stdio (the containerd shim's or conmon's pipes and FIFOs, or
   the slave of a host pty whose master went over --console-socket), and
   writes the monitor's pid to --pid-file: the caller is a subreaper that
   waits for that pid, so the monitor exits with the command's status.
   The sandbox is made when sandbox-runtime create asks (op "create"), with
   the command held in its init until sandbox-runtime start (op "start"),
   as runc's init waits on its exec FIFO.

   The command never holds the caller's descriptors: they stay here and
   the monitor relays them, as `sandbox-runtime do` does, to the sandbox's
   own pipes or terminal. Its own messages go to monitor.log. */
#include "monitor.h"
#include "cleanup.h"
#include "fdpass.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

static void
set_nonblock (int fd)
{
  int fl = fcntl (fd, F_GETFL);
  if (fl >= 0)
    fcntl (fd, F_SETFL, fl | O_NONBLOCK);
}

/* The network the OCI config asked for, made or joined by the monitor
   itself, so that the caller's hooks (Docker's libnetwork-setkey) find it
   at /proc/<pid>/ns/net of the pid they were given; the sandbox then
   shares it. `none`: a new namespace with only its loopback; a path: that
   namespace, never the host's; `host`: the monitor's own (the policy
   allowed it). */
/* The config's sysctls (net.* only: sandbox-runtime checked), in the
   namespace the monitor owns. */
static int
oci_sysctl (struct monitor *m, sb_error_t *err)
{
  json_t *sysctl = json_object_get (m->spec, "sysctl"), *v;
  const char *k;

  json_object_foreach (sysctl, k, v)
    {
      char path[512];
      if (strncmp (k, "net.", 4) != 0 || strstr (k, "..") || strchr (k, '/') || !json_is_string (v))
        return sb_error (err, EPERM, "linux.sysctl: %s", k);
      snprintf (path, sizeof (path), "/proc/sys/%s", k);
      for (char *p = path + 10; *p; p++)
        if (*p == '.')
          *p = '/';
      if (sb_write_file (path, json_string_value (v), err) < 0)
        return sb_error_prefix (err, "linux.sysctl: %s", k);
    }
  return 0;
}

/* Joins the namespace of kind ("net", "ipc", "uts"; what names it in
   messages) at path: the one sandboxd admitted (KINDns_id of the spec:
   never another tenant's), not whatever the path names by now, and never
   the one we were started in (the engine's: the host's) nor pid 1's where
   we may look (a host may keep its pid 1 from root's stat). */
static int
join_admitted (struct monitor *m, const char *kind, const char *what, int type, const char *path, sb_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  char idkey[16], id[64], own[32], host[32];
  const char *want;
  struct stat st, os, hs;

  if (fd < 0 || fstat (fd, &st) < 0)
    return sb_error (err, errno, "linux.namespaces: %s path `%s`", what, path);
  snprintf (idkey, sizeof (idkey), "%sns_id", kind);
  want = json_string_value (json_object_get (m->spec, idkey));
  sb_ns_identity (&st, id, sizeof (id));
  if (want == NULL || strcmp (id, want) != 0)
    return sb_error (err, EPERM, "linux.namespaces: %s path `%s` no longer names the namespace sandboxd admitted",
                     what, path);
  snprintf (own, sizeof (own), "/proc/self/ns/%s", kind);
  snprintf (host, sizeof (host), "/proc/1/ns/%s", kind);
  if (stat (own, &os) < 0 || (os.st_dev == st.st_dev && os.st_ino == st.st_ino)
      || (stat (host, &hs) == 0 && hs.st_dev == st.st_dev && hs.st_ino == st.st_ino))
    return sb_error (err, EPERM, "linux.namespaces: %s path `%s` is the host's %s namespace", what, path, what);
  if (setns (fd, type) < 0)
    return sb_error (err, errno, "linux.namespaces: join the %s namespace `%s`", what, path);
  return 0;
}

/* Of pid's children (as /proc lists those of its main thread), the first
   whose pid namespace is a child of the namespace parent: that namespace,
   opened, once pid is known to be that child's parent still (a pid that
   was reused is another process); -1 if none is. */
static int
child_in_child_ns (pid_t pid, const struct stat *parent, pid_t *child_out)
{
  char path[64], buf[4096], *p, *end;
  long child;

  snprintf (path, sizeof (path), "/proc/%d/task/%d/children", (int) pid, (int) pid);
  if (sb_read_file_at (AT_FDCWD, path, buf, sizeof (buf)) < 0)
    return -1;
  for (p = buf; (child = strtol (p, &end, 10)) > 0 && end != p; p = end)
    {
      cleanup_close int fd = -1, up = -1;
      struct stat st;

      snprintf (path, sizeof (path), "/proc/%ld/ns/pid", child);
      if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0 || (up = ioctl (fd, NS_GET_PARENT)) < 0
          || fstat (up, &st) < 0 || st.st_dev != parent->st_dev || st.st_ino != parent->st_ino)
        continue;
      if (sb_proc_child_of ((pid_t) child, pid))
        {
          *child_out = (pid_t) child;
          return steal_fd (&fd);
        }
    }
  return -1;
}

int
monitor_oci_pod_pid (struct monitor *m, struct sb_sandbox_spec *s, sb_error_t *err)
{
  const char *of = json_string_value (json_object_get (m->spec, "pidns_of"));
  const char *path = json_string_value (json_object_get (m->spec, "pidns")) ?: "";
  unsigned long long start;
  struct stat own, sentry_ns;
  pid_t sentry, init;
  int pid;

  s->pod_sentry_pid_ns = s->pod_app_pid_ns = s->pod_app_time_ns = -1;
  if (of == NULL)
    return 0;
  if (sscanf (of, "%d %llu", &pid, &start) != 2 || pid <= 0)
    return sb_error (err, EINVAL, "spec.json: pidns_of `%s`", of);
  if (stat ("/proc/self/ns/pid", &own) < 0)
    return sb_error (err, errno, "stat our own pid namespace");
  /* Below the monitor sandboxd admitted: its Sentry, pid 1 of a pid
     namespace made in ours (or in a pod's, if that container joined one
     itself); below that, the sandbox's init, pid 1 of the app's. */
  s->pod_sentry_pid_ns = child_in_child_ns ((pid_t) pid, &own, &sentry);
  if (s->pod_sentry_pid_ns >= 0 && fstat (s->pod_sentry_pid_ns, &sentry_ns) == 0)
    s->pod_app_pid_ns = child_in_child_ns (sentry, &sentry_ns, &init);
  /* And the time namespace that init made for its app (the pod's clocks:
     start times in /proc/<pid>/stat are counted from its boot), once that
     init is known to be the Sentry's child still. */
  if (s->pod_app_pid_ns >= 0)
    {
      char tpath[64];
      struct stat ts, ours;

      snprintf (tpath, sizeof (tpath), "/proc/%d/ns/time_for_children", (int) init);
      s->pod_app_time_ns = open (tpath, O_RDONLY | O_CLOEXEC);
      if (s->pod_app_time_ns >= 0
          && (!sb_proc_child_of (init, sentry) || fstat (s->pod_app_time_ns, &ts) < 0
              || stat ("/proc/self/ns/time", &ours) < 0 || (ts.st_dev == ours.st_dev && ts.st_ino == ours.st_ino)))
        {
          close (s->pod_app_time_ns);
          s->pod_app_time_ns = -1;
        }
    }
  if (s->pod_app_pid_ns < 0 || s->pod_app_time_ns < 0)
    {
      monitor_oci_pod_pid_close (s);
      return sb_error (err, ESRCH, "linux.namespaces: pid path `%s`: that container's sandbox is not running", path);
    }
  if (!sb_proc_started_at ((pid_t) pid, start))
    {
      monitor_oci_pod_pid_close (s);
      return sb_error (err, EPERM, "linux.namespaces: pid path `%s` no longer names the container sandboxd admitted",
                       path);
    }
  s->join_pid_ns = true;
  return 0;
}

void
monitor_oci_pod_pid_close (struct sb_sandbox_spec *s)
{
  if (s->pod_sentry_pid_ns >= 0)
    close (s->pod_sentry_pid_ns);
  if (s->pod_app_pid_ns >= 0)
    close (s->pod_app_pid_ns);
  if (s->pod_app_time_ns >= 0)
    close (s->pod_app_time_ns);
  s->pod_sentry_pid_ns = s->pod_app_pid_ns = s->pod_app_time_ns = -1;
  s->join_pid_ns = false;
}

int
monitor_oci_network (struct monitor *m, sb_error_t *err)
{
  const char *network = json_string_value (json_object_get (json_object_get (json_object_get (m->spec, "config"), "oci"), "network"));
  const char *path = json_string_value (json_object_get (m->spec, "netns"));

  if (network && strcmp (network, "host") == 0 && path == NULL)
    {
      if (json_object_size (json_object_get (m->spec, "sysctl")) > 0)
        return sb_error (err, EPERM, "linux.sysctl: the host's network is not the container's to set");
      return 0;
    }
  if (path)
    {
      if (join_admitted (m, "net", "network", CLONE_NEWNET, path, err) < 0)
        return -1;
      return oci_sysctl (m, err);
    }
  if (unshare (CLONE_NEWNET) < 0)
    return sb_error (err, errno, "a network namespace");
  {
    cleanup_close int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = { 0 };
    strcpy (ifr.ifr_name, "lo");
    if (sock < 0 || ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
      return sb_error (err, errno, "the loopback");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
      return sb_error (err, errno, "bring the loopback up");
  }
  /* As the Sentry does for a namespace of its own (sentry/launch.c). */
  if (sb_write_file ("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0", err) < 0)
    return -1;
  return oci_sysctl (m, err);
}

/* The ipc or uts namespace the sandbox lives in. New: our own, which a
   pod's later containers may join by /proc/<our pid>/ns/KIND. A path: the
   namespace sandboxd admitted (one a container of the same tenant made),
   checked again here (join_admitted), since the path is only a name. The
   sandbox then shares our ipc namespace (its queues and shared memory are
   the pod's); for uts it makes its own with the same name, which no
   sandbox can change (sethostname is refused). */
static int
oci_namespace (struct monitor *m, const char *kind, int type, sb_error_t *err)
{
  char key[16];
  const char *path;

  snprintf (key, sizeof (key), "%sns", kind);
  path = json_string_value (json_object_get (m->spec, key));
  if (path == NULL)
    {
      const char *hostname = json_string_value (json_object_get (m->spec, "hostname")) ?: "sandbox";
      if (unshare (type) < 0)
        return sb_error (err, errno, "a new %s namespace", kind);
      if (type == CLONE_NEWUTS && sethostname (hostname, strlen (hostname)) < 0)
        return sb_error (err, errno, "hostname: %s", hostname);
      return 0;
    }
  if (join_admitted (m, kind, kind, type, path, err) < 0)
    return -1;
  if (type == CLONE_NEWUTS)
    {
      const char *asked = json_string_value (json_object_get (m->spec, "hostname"));
      struct utsname u;

      if (uname (&u) < 0)
        return sb_error (err, errno, "uname");
      if (json_is_true (json_object_get (m->spec, "hostname_asked")) && asked && strcmp (asked, u.nodename) != 0)
        return sb_error (err, EPERM, "hostname: `%s`: the container joins the uts namespace `%s`, whose hostname is "
                         "`%s` (a sandbox's cannot be changed)", asked, path, u.nodename);
      snprintf (m->oci_hostname, sizeof (m->oci_hostname), "%s", u.nodename);
    }
  return 0;
}

int
monitor_oci_namespaces (struct monitor *m, sb_error_t *err)
{
  if (oci_namespace (m, "ipc", CLONE_NEWIPC, err) < 0 || oci_namespace (m, "uts", CLONE_NEWUTS, err) < 0)
    return -1;
  /* Ours are the sandbox's network and ipc namespaces, and a pod's uts one. */
  return monitor_record_namespaces (m, 0, err);
}

int
monitor_oci_take_stdio (struct monitor *m, sb_error_t *err)
{
  char log[4200];
  int fd;

  m->oci_in = fcntl (0, F_DUPFD_CLOEXEC, 3);
  m->oci_out = fcntl (1, F_DUPFD_CLOEXEC, 3);
  m->oci_err = fcntl (2, F_DUPFD_CLOEXEC, 3);
  if (m->oci_in < 0 || m->oci_out < 0 || m->oci_err < 0)
    return sb_error (err, EBADF, "the caller's stdio");
  snprintf (log, sizeof (log), "%s/monitor.log", m->dir);
  fd = open (log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return sb_error (err, errno, "open `%s`", log);
  dup2 (fd, 1);
  dup2 (fd, 2);
  close (fd);
  fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      dup2 (fd, 0);
      close (fd);
    }
  if (isatty (m->oci_in))
    {
      /* The slave of the caller's terminal: raw (the sandbox's own pty does
         the line discipline), and our controlling terminal, so that a
         resize of the caller's master reaches us as SIGWINCH. */
      struct termios t;
      m->oci_tty = true;
      if (tcgetattr (m->oci_in, &t) == 0)
        {
          cfmakeraw (&t);
          tcsetattr (m->oci_in, TCSANOW, &t);
        }
      setsid ();
      ioctl (m->oci_in, TIOCSCTTY, 0);
    }
  set_nonblock (m->oci_in);
  return 0;
}

static void
refuse (struct monitor *m, int i, const char *why)
{
  monitor_queue_json (m, i, json_pack ("{s:s}", "error", why));
  m->clients[i].closing = true;
}

static void
build (struct monitor *m, int i, bool hold)
{
  cleanup_error sb_error_t err = NULL;

  m->oci_held = hold;
  if (monitor_start_sandbox (m, &err) < 0)
    {
      /* The build failed: the container ends with 125, as runc's would not
         have run. */
      m->oci_held = false;
      fprintf (stderr, "sandbox-monitor: %s\n", err->msg);
      monitor_queue_json (m, i, json_pack ("{s:s}", "error", err->msg));
      m->clients[i].closing = true;
      m->exited = true;
      m->status = 125 << 8;
      m->exited_ns = sb_now_ns ();
      m->out_eof = m->err_eof = true;
      return;
    }
  set_nonblock (m->sb.app_out);
  set_nonblock (m->sb.app_err);
  set_nonblock (m->sb.audit);
  if (m->sb.app_in >= 0)
    set_nonblock (m->sb.app_in);
  /* The Sentry builds the root, the mounts and the Gofer after its exec:
     the answer waits for its word, so that a sandbox that cannot be built
     fails the caller's start with the cause (as runc's create would),
     rather than a container that ends with 125 and says nothing. */
  m->oci_start_client = i;
  m->oci_start_ns = sb_now_ns ();
  m->oci_start_hooks_ms = 0;
  if (m->oci_tty)
    monitor_oci_winch (m);
}

void
monitor_oci_create (struct monitor *m, int i)
{
  if (m->started || m->exited)
    refuse (m, i, m->exited ? "the container has ended" : "already created");
  else
    build (m, i, true);
}

void
monitor_oci_start (struct monitor *m, int i, json_t *req)
{
  /* With the config's startContainer hooks and the container's state,
     which the init runs in the sandbox before the command (sentry/control.c). */
  json_t *hooks = json_object_get (req, "hooks"), *state = json_object_get (req, "state");
  json_t *o = json_pack ("{s:s, s:o, s:o}", "op", "start", "hooks", hooks ? json_incref (hooks) : json_array (),
                         "state", state ? json_incref (state) : json_object ());
  cleanup_free char *go = o ? json_dumps (o, JSON_COMPACT) : NULL;

  json_decref (o);
  if (go == NULL)
    refuse (m, i, "no memory");
  else if (m->exited)
    refuse (m, i, "the container has ended");
  else if (!m->started && json_array_size (json_object_get (req, "hooks")) > 0)
    refuse (m, i, "hooks.startContainer: the sandbox was not built at create, so nothing holds the command for them");
  else if (!m->started)
    build (m, i, false);
  else if (m->oci_start_client >= 0)
    refuse (m, i, "the sandbox is still being built");
  else if (!m->oci_held)
    refuse (m, i, "already started");
  else if (m->sb.ctl < 0 || sb_send_msg (m->sb.ctl, go, strlen (go), NULL, 0) < 0)
    refuse (m, i, "the Sentry does not answer");
  else
    {
      /* Answered on the Sentry's "started" (monitor_clients.c), once the
         hooks ran: the wait grows by their timeouts, and has no limit when
         one of them has none (runc waits for it too). */
      json_t *h;
      size_t k;
      m->oci_held = false;
      m->oci_start_client = i;
      m->oci_start_ns = sb_now_ns ();
      m->oci_start_hooks_ms = 0;
      json_array_foreach (json_object_get (req, "hooks"), k, h)
        {
          json_int_t t = json_integer_value (json_object_get (h, "timeout"));
          if (t <= 0 || m->oci_start_hooks_ms < 0)
            m->oci_start_hooks_ms = -1;
          else
            m->oci_start_hooks_ms += (long) (t > 86400 ? 86400 : t) * 1000;
        }
    }
}

bool
monitor_oci_signal_held (struct monitor *m, int sig)
{
  if (!m->oci_held || m->exited || m->sb.sentry <= 0)
    return false;
  /* The init forwards signals only once the command exists; until then,
     as pid 1 of its namespace, it would ignore them. */
  if (sig == SIGCHLD || sig == SIGWINCH || sig == SIGCONT || sig == SIGURG)
    return true;
  if (m->oci_held_signal == 0)
    m->oci_held_signal = sig;
  sb_sandbox_kill (&m->sb);
  return true;
}

void
monitor_oci_started (struct monitor *m, const char *error)
{
  int i = m->oci_start_client;

  if (i < 0)
    return;
  m->oci_start_client = -1;
  if (error)
    {
      fprintf (stderr, "sandbox-monitor: the sandbox was not built: %s\n", error);
      monitor_queue_json (m, i, json_pack ("{s:s}", "error", error));
    }
  else
    monitor_queue_json (m, i, json_pack ("{s:b, s:i}", "ok", 1, "sentry_pid", (int) m->sb.sentry));
  m->clients[i].closing = true;
}

void
monitor_oci_output (struct monitor *m, int stream, const char *data, size_t n)
{
  int fd = stream == SB_CTRLOG_STDERR ? m->oci_err : m->oci_out;

  /* The caller reads what it asked for; if it has gone, the output still
     reaches the log. */
  if (fd >= 0 && sb_write_all (fd, data, n) < 0)
    {
      if (stream == SB_CTRLOG_STDERR)
        m->oci_err = -1;
      else
        m->oci_out = -1;
    }
}

/* Where the caller's stdin goes: the sandbox's terminal or its stdin pipe. */
static int
input_target (struct monitor *m)
{
  return m->master >= 0 ? m->master : m->sb.app_in;
}

void
monitor_oci_flush_input (struct monitor *m)
{
  int fd = input_target (m);
  ssize_t n;

  if (m->oci_nbuf == 0 || fd < 0)
    return;
  n = write (fd, m->oci_buf, m->oci_nbuf);
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EINTR)
        return;
      m->oci_nbuf = 0; /* the command closed its stdin */
      return;
    }
  memmove (m->oci_buf, m->oci_buf + n, m->oci_nbuf - (size_t) n);
  m->oci_nbuf -= (size_t) n;
  if (m->oci_nbuf == 0 && m->oci_in < 0 && m->master < 0 && m->sb.app_in >= 0)
    {
      close (m->sb.app_in);
      m->sb.app_in = -1;
    }
}

void
monitor_oci_input (struct monitor *m)
{
  ssize_t n = read (m->oci_in, m->oci_buf, sizeof (m->oci_buf));

  if (n > 0)
    {
      m->oci_nbuf = (size_t) n;
      monitor_oci_flush_input (m);
      return;
    }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  /* End of the caller's stdin (or a hung-up terminal): the command's stdin ends. */
  if (!m->oci_tty)
    close (m->oci_in);
  m->oci_in = -1;
  if (m->master < 0 && m->sb.app_in >= 0)
    {
      close (m->sb.app_in);
      m->sb.app_in = -1;
    }
}

void
monitor_oci_winch (struct monitor *m)
{
  struct winsize ws;

  if (m->oci_in >= 0 && m->master >= 0 && ioctl (m->oci_in, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
    ioctl (m->master, TIOCSWINSZ, &ws);
}

/* How long a start waits for the Sentry's word: SANDBOX_START_TIMEOUT
   seconds (default 60). A Sentry that hangs while building (a mount
   source that never answers) is ended, and the start fails saying so. */
int
monitor_oci_start_deadline (struct monitor *m)
{
  static long limit_ms = -1;
  uint64_t spent_ms;

  if (m->oci_start_client < 0 || m->exited || m->oci_start_hooks_ms < 0)
    return -1;
  if (limit_ms < 0)
    {
      const char *s = getenv ("SANDBOX_START_TIMEOUT");
      long v;
      limit_ms = s && sb_parse_long (s, 1, 86400, &v) == 0 ? v * 1000 : 60000;
    }
  spent_ms = (sb_now_ns () - m->oci_start_ns) / 1000000u;
  if (spent_ms < (uint64_t) (limit_ms + m->oci_start_hooks_ms))
    return (int) ((uint64_t) (limit_ms + m->oci_start_hooks_ms) - spent_ms);
  char why[200];
  if (m->oci_start_hooks_ms > 0)
    snprintf (why, sizeof (why), "the startContainer hooks did not end within their timeouts and %ld s "
              "(SANDBOX_START_TIMEOUT): the Sentry was ended", limit_ms / 1000);
  else
    snprintf (why, sizeof (why), "the sandbox was not built within %ld s (SANDBOX_START_TIMEOUT): the Sentry was ended",
              limit_ms / 1000);
  m->oci_start_expired = true;
  sb_sandbox_kill (&m->sb);
  monitor_oci_started (m, why);
  return -1;
}

void
monitor_oci_not_built (struct monitor *m)
{
  char path[4200], tail[1024] = "", why[1400];
  cleanup_close int fd = -1;
  off_t size;
  ssize_t n;

  snprintf (path, sizeof (path), "%s/monitor.log", m->dir);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && (size = lseek (fd, 0, SEEK_END)) > 0)
    {
      off_t from = size > (off_t) sizeof (tail) - 1 ? size - (off_t) sizeof (tail) + 1 : 0;
      n = pread (fd, tail, sizeof (tail) - 1, from);
      tail[n > 0 ? n : 0] = '\0';
      while (n > 0 && tail[n - 1] == '\n')
        tail[--n] = '\0';
      if (strrchr (tail, '\n'))
        memmove (tail, strrchr (tail, '\n') + 1, strlen (strrchr (tail, '\n') + 1) + 1);
    }
  if (WIFSIGNALED (m->status))
    snprintf (why, sizeof (why), "the Sentry was killed by signal %d before the sandbox was built%s%s",
              WTERMSIG (m->status), tail[0] ? ": " : "", tail);
  else
    snprintf (why, sizeof (why), "the Sentry exited with %d before the sandbox was built%s%s",
              WEXITSTATUS (m->status), tail[0] ? ": " : "", tail);
  monitor_oci_started (m, why);
}

/* "size=64m" and the like: bytes. */
static uint64_t
tmpfs_size (const char *v)
{
  char *end;
  uint64_t n = strtoull (v, &end, 10);

  switch (*end)
    {
    case 'k': case 'K': return n << 10;
    case 'm': case 'M': return n << 20;
    case 'g': case 'G': return n << 30;
    default: return n;
    }
}

int
monitor_oci_settings (struct monitor *m, struct sb_sandbox_spec *s, char ***tmpfs, char ***rlimits)
{
  json_t *t = json_object_get (m->spec, "tmpfs"), *r = json_object_get (m->spec, "rlimits"), *v;
  size_t i, nt = 0, nr = 0;

  *tmpfs = calloc (17, sizeof (char *));
  *rlimits = calloc (17, sizeof (char *));
  if (*tmpfs == NULL || *rlimits == NULL)
    return -1;
  s->read_only_root = json_is_true (json_object_get (m->spec, "read_only_root"));
  s->rootfs_writable = json_is_true (json_object_get (m->spec, "rootfs_writable"));
  s->caps = (uint64_t) json_integer_value (json_object_get (m->spec, "caps"));
  if (s->caps == 0 && json_object_get (m->spec, "caps"))
    s->caps = 1ull << 63; /* an empty set: nothing of Docker's (bit 63 is no capability) */
  s->caps_inheritable = (uint64_t) json_integer_value (json_object_get (m->spec, "caps_inheritable"));
  s->caps_ambient = (uint64_t) json_integer_value (json_object_get (m->spec, "caps_ambient"));
  s->own_mounts = json_string_value (json_object_get (m->spec, "own_mounts"));
  s->shm_size = (uint64_t) json_integer_value (json_object_get (m->spec, "shm_size"));
  s->shm_source = json_string_value (json_object_get (m->spec, "shm_source"));
  s->shm_id = json_string_value (json_object_get (m->spec, "shm_id"));
  s->oom_score_adj = (int) json_integer_value (json_object_get (m->spec, "oom_score_adj"));
  json_array_foreach (t, i, v)
    {
      const char *target = json_string_value (json_object_get (v, "target"));
      json_t *o;
      size_t k;
      uint64_t size = 0;
      unsigned mode = 01777;
      char flags[8] = "";
      if (target == NULL || target[0] != '/' || nt >= 16)
        continue;
      json_array_foreach (json_object_get (v, "options"), k, o)
        {
          const char *opt = json_string_value (o) ?: "";
          if (strncmp (opt, "size=", 5) == 0)
            size = tmpfs_size (opt + 5);
          else if (strncmp (opt, "mode=", 5) == 0)
            mode = (unsigned) strtoul (opt + 5, NULL, 8);
          else if (strcmp (opt, "nosuid") == 0 && !strchr (flags, 'n'))
            strcat (flags, "n");
          else if (strcmp (opt, "noexec") == 0 && !strchr (flags, 'x'))
            strcat (flags, "x");
        }
      if (asprintf (&(*tmpfs)[nt++], "%s:%llu:%o:%s", target, (unsigned long long) size, mode, flags) < 0)
        return -1;
    }
  json_array_foreach (r, i, v)
    {
      /* Known names only: sandbox-runtime refused any other at create. */
      int resource = sb_rlimit_by_name (json_string_value (json_object_get (v, "type")));
      if (resource >= 0 && nr < 16
          && asprintf (&(*rlimits)[nr++], "%d:%llu:%llu", resource,
                       (unsigned long long) json_integer_value (json_object_get (v, "soft")),
                       (unsigned long long) json_integer_value (json_object_get (v, "hard"))) < 0)
        return -1;
    }
  s->tmpfs = (const char *const *) *tmpfs;
  s->rlimits = (const char *const *) *rlimits;
  return 0;
}

int
monitor_oci_cgroup (struct monitor *m, sb_error_t *err)
{
  const char *id = json_string_value (json_object_get (m->spec, "id"));
  /* The config's cgroupsPath when the runtime follows it (sandboxd checked it). */
  const char *path = json_string_value (json_object_get (json_object_get (json_object_get (m->spec, "config"), "oci"),
                                                         "cgroup"));
  cleanup_close int fd = open ("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, m->oci_cgroups, sizeof (m->oci_cgroups) - 1) : -1;

  m->oci_cgroups[n > 0 ? n : 0] = '\0';
  if (id == NULL)
    return sb_error (err, EINVAL, "spec.json: no id");
  if (sb_cgroup_create (&m->sb.cg, sb_cgroup_root (), path ? path : id, err) < 0)
    return sb_error_prefix (err, "the sandbox's cgroup");
  /* Like the Sentry and the Gofer, we work for the sandbox: an app that
     fills it must not have the OOM killer pick us. */
  {
    sb_error_t ignored = NULL;
    sb_write_file ("/proc/self/oom_score_adj", "-1000", &ignored);
    sb_error_free (&ignored);
  }
  /* Single-threaded: we move ourselves (no wait on the kernel's global
     lock, sb_cgroup_enter). */
  return sb_cgroup_enter (&m->sb.cg, err);
}

void
monitor_oci_leave_cgroup (struct monitor *m)
{
  const char *root = sb_cgroup_root (), *v1_file;
  char *save = NULL;

  if (m->sb.cg.ndirs == 0)
    return;
  /* Lines "ID:CONTROLLERS:/PATH" (v1) or "0::/PATH" (v2). We move
     ourselves ("0"), on v1 without the global lock a move by pid waits for
     (sb_cgroup_self_file). */
  v1_file = sb_cgroup_self_file (false);
  for (char *line = strtok_r (m->oci_cgroups, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL, path[8400];
      int fd;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      const char *file = c1[1] == '\0' ? sb_cgroup_self_file (true) : v1_file;
      if (c1[1] == '\0')
        snprintf (path, sizeof (path), "%s%s/%s", root, c2 + 1, file);
      else if (strncmp (c1 + 1, "name=", 5) == 0)
        continue;
      else
        snprintf (path, sizeof (path), "%s/%s%s/%s", root, c1 + 1, c2 + 1, file);
      fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write (fd, "0", 1) < 0)
        {
          /* Gone meanwhile: the hierarchy's root. */
          if (fd >= 0)
            close (fd);
          snprintf (path, sizeof (path), "%s/%s/%s", root, c1[1] ? c1 + 1 : "", file);
          fd = open (path, O_WRONLY | O_CLOEXEC);
          if (fd >= 0 && write (fd, "0", 1) < 0)
            fprintf (stderr, "sandbox-monitor: leave the sandbox's cgroup: %s\n", strerror (errno));
        }
      if (fd >= 0)
        close (fd);
    }
}
