/* sandbox-monitor DIR SOCKET [READY_FD]: reads DIR/spec.json (written by
   sandboxd), starts the container's sandbox, says on READY_FD "ok" or the
   error, and serves SOCKET until the container has ended and DIR/exit.json
   records how. See monitor.h. */
#include "monitor.h"
#include "cleanup.h"
#include "idrange.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char **
strings (json_t *a)
{
  size_t n = json_array_size (a), i;
  char **v = calloc (n + 1, sizeof (char *));

  for (i = 0; v && i < n; i++)
    v[i] = (char *) json_string_value (json_array_get (a, i));
  return v;
}

static int
listen_on (const char *path, sb_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof (sun.sun_path))
    return sb_error (err, ENAMETOOLONG, "socket `%s`", path);
  strcpy (sun.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return sb_error (err, errno, "socket");
  unlink (path);
  /* Root's only: umask for the bind, then the mode checked again. */
  {
    mode_t old = umask (077);
    int r = bind (fd, (struct sockaddr *) &sun, sizeof (sun));
    umask (old);
    if (r < 0 || chmod (path, 0600) < 0 || listen (fd, 16) < 0)
      {
        sb_error (err, errno, "listen on `%s`", path);
        close (fd);
        return -1;
      }
  }
  return fd;
}

/* The sandbox the spec describes. */
static int
start_sandbox (struct monitor *m, sb_error_t *err)
{
  json_t *spec = m->spec, *limits = json_object_get (spec, "limits"), *ids = json_object_get (spec, "ids");
  json_t *user = json_object_get (spec, "user"), *layers = json_object_get (spec, "layers");
  struct sb_sandbox_spec s = { 0 };
  cleanup_free char **argv = strings (json_object_get (spec, "argv"));
  cleanup_free char **envp = strings (json_object_get (spec, "env"));
  cleanup_free char **lay = layers ? strings (layers) : NULL;
  char policy[4200];
  int ret;

  if (argv == NULL || envp == NULL || argv[0] == NULL)
    return sb_error (err, EINVAL, "spec.json: no command");
  snprintf (policy, sizeof (policy), "%s/policy.conf", m->dir);
  if (sb_policy_load_new (&m->policy, NULL, policy, err) < 0)
    return -1;
  s.id = json_string_value (json_object_get (spec, "id"));
  s.policy = m->policy;
  s.policy_file = policy;
  s.rootfs = json_string_value (json_object_get (spec, "rootfs"));
  s.layers = (const char *const *) lay; /* an image's layers, bottom first; none: the host root */
  s.upper = json_string_value (json_object_get (spec, "upper"));
  s.work = json_string_value (json_object_get (spec, "work"));
  /* A joined uts namespace's name (monitor_oci.c), or the spec's. */
  s.hostname = m->oci_hostname[0] ? m->oci_hostname : json_string_value (json_object_get (spec, "hostname"));
  s.release = m->policy->uname_release;
  /* An OCI container's network namespace is the monitor's (monitor_oci.c). */
  s.network_host = m->oci || m->policy->network == SB_NET_HOST;
  /* And so is its ipc namespace, made or joined by the monitor. */
  s.ipc_inherit = m->oci;
  s.tty = json_is_true (json_object_get (spec, "tty"));
  s.cwd = json_string_value (json_object_get (spec, "cwd"));
  s.argv = argv;
  s.envp = envp;
  sb_cgroup_limits_from_json (limits, &s.limits);
  s.ids.host = (uint32_t) json_integer_value (json_object_get (ids, "host"));
  s.ids.count = (uint32_t) json_integer_value (json_object_get (ids, "count"));
  if (json_is_object (user))
    {
      json_t *g = json_object_get (user, "groups");
      s.user.set = true;
      s.user.uid = (uint32_t) json_integer_value (json_object_get (user, "uid"));
      s.user.gid = (uint32_t) json_integer_value (json_object_get (user, "gid"));
      for (size_t i = 0; i < json_array_size (g) && i < 64; i++)
        s.user.groups[s.user.ngroups++] = (uint32_t) json_integer_value (json_array_get (g, i));
    }
  if (s.id == NULL || s.hostname == NULL || s.ids.count == 0)
    return sb_error (err, EINVAL, "spec.json: incomplete");
  if (m->oci)
    {
      static char **tmpfs, **rlimits;
      if (monitor_oci_settings (m, &s, &tmpfs, &rlimits) < 0)
        return sb_error (err, ENOMEM, "spec.json: the OCI settings");
      s.cgroup_ready = m->sb.cg.ndirs > 0;
      s.hold = m->oci_held;
      if (monitor_oci_pod_pid (m, &s, err) < 0)
        return -1;
    }
  ret = sb_sandbox_start (&s, &m->sb, err);
  if (m->oci)
    monitor_oci_pod_pid_close (&s);
  return ret < 0 ? -1 : 0;
}

int
monitor_prepare (struct monitor *m, sb_error_t *err)
{
  char path[4200];
  json_error_t jerr;
  const char *audit;
  sigset_t mask;
  unsigned long long start;
  char me[64];
  ssize_t ret;

  /* Who we are, before we make or join any namespace: sandboxd counts
     what we and the processes below us (the Sentry, the Gofer) are in as
     the container's from then on, not only once we record it
     (namespaces.json). */
  if ((ret = sb_proc_stat (0, NULL, &start)) < 0)
    return sb_error (err, (int) -ret, "read /proc/self/stat");
  snprintf (me, sizeof (me), "%d %llu\n", (int) getpid (), start);
  snprintf (path, sizeof (path), "%s/monitor.pid", m->dir);
  if ((ret = sb_write_atomic (path, me, strlen (me), 0600)) < 0)
    return sb_error (err, (int) -ret, "write `%s`", path);
  snprintf (path, sizeof (path), "%s/spec.json", m->dir);
  m->spec = json_load_file (path, 0, &jerr);
  if (m->spec == NULL)
    return sb_error (err, EINVAL, "%s: %s", path, jerr.text);
  snprintf (path, sizeof (path), "%s/container.log", m->dir);
  if (sb_ctrlog_open (&m->log, path, (uint64_t) json_integer_value (json_object_get (m->spec, "log_max")), err) < 0)
    return -1;
  audit = json_string_value (json_object_get (m->spec, "audit_log"));
  if (audit && sb_audit_log_open (&m->audit, audit, (uint64_t) json_integer_value (json_object_get (m->spec, "audit_log_max")), err) < 0)
    return -1;
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGHUP);
  if (m->oci)
    sigaddset (&mask, SIGWINCH);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  m->sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (m->sigfd < 0)
    return sb_error (err, errno, "signalfd");
  m->listen_fd = listen_on (m->sock_path, err);
  if (m->listen_fd < 0)
    return -1;
  return 0;
}

int
monitor_record_namespaces (struct monitor *m, pid_t pid, sb_error_t *err)
{
  static const char *const kinds[] = { "net", "ipc", "uts" };
  char path[4300];
  cleanup_free char *text = NULL;
  json_t *o = json_object ();
  ssize_t ret;

  for (size_t k = 0; o && k < sizeof (kinds) / sizeof (kinds[0]); k++)
    {
      char ns[64], id[64];
      struct stat st;
      if (pid > 0)
        snprintf (ns, sizeof (ns), "/proc/%d/ns/%s", (int) pid, kinds[k]);
      else
        snprintf (ns, sizeof (ns), "/proc/self/ns/%s", kinds[k]);
      if (stat (ns, &st) < 0)
        {
          json_decref (o);
          return sb_error (err, errno, "stat `%s`", ns);
        }
      sb_ns_identity (&st, id, sizeof (id));
      json_object_set_new (o, kinds[k], json_string (id));
    }
  /* An engine's shm tmpfs that is our /dev/shm (a pod's): no other
     tenant's container may then have it (daemon/api_oci.c). */
  if (o && json_string_value (json_object_get (m->spec, "shm_id")))
    json_object_set (o, "shm", json_object_get (m->spec, "shm_id"));
  text = o ? json_dumps (o, 0) : NULL;
  json_decref (o);
  if (text == NULL)
    return sb_error (err, ENOMEM, "allocate");
  snprintf (path, sizeof (path), "%s/namespaces.json", m->dir);
  ret = sb_write_atomic (path, text, strlen (text), 0600);
  if (ret < 0)
    return sb_error (err, (int) -ret, "write `%s`", path);
  return 0;
}

int
monitor_start_sandbox (struct monitor *m, sb_error_t *err)
{
  if (start_sandbox (m, err) < 0)
    return -1;
  m->started = true;
  /* A container of sandboxd's own: its Sentry's namespaces are the
     sandbox's (an OCI one's monitor recorded its own at create). */
  if (!m->oci && monitor_record_namespaces (m, m->sb.sentry, err) < 0)
    return -1;
  m->stdin_open = json_is_true (json_object_get (m->spec, "stdin"));
  if (!m->stdin_open && m->sb.app_in >= 0)
    {
      close (m->sb.app_in); /* docker run without -i: stdin at its end */
      m->sb.app_in = -1;
    }
  /* With a terminal, the output is the master's (it arrives on the control channel). */
  m->out_eof = json_is_true (json_object_get (m->spec, "tty")) ? false : m->sb.app_out < 0;
  m->err_eof = m->sb.app_err < 0;
  return 0;
}

int
monitor_start (struct monitor *m, sb_error_t *err)
{
  if (monitor_prepare (m, err) < 0)
    return -1;
  if (monitor_start_sandbox (m, err) < 0)
    {
      unlink (m->sock_path);
      return -1;
    }
  return 0;
}

static void
report_ready (int fd, const char *what)
{
  if (fd < 0)
    return;
  sb_write_all (fd, what, strlen (what));
  close (fd);
}

int
main (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  static struct monitor m;
  int ready = -1;

  m.oci_in = m.oci_out = m.oci_err = -1;
  if (argc > 1 && strcmp (argv[1], "--oci") == 0)
    {
      /* Started by sandbox-runtime create: the caller's stdio are ours. */
      m.oci = true;
      argc--;
      argv++;
    }
  if (argc < 3 || argc > 4 || argv[1][0] != '/' || strlen (argv[2]) >= sizeof (m.sock_path))
    {
      fprintf (stderr, "usage: sandbox-monitor [--oci] CONTAINER_DIR SOCKET [READY_FD] (started by sandboxd "
                       "or sandbox-runtime)\n");
      return 2;
    }
  if (argc == 4)
    ready = atoi (argv[3]);
  snprintf (m.dir, sizeof (m.dir), "%s", argv[1]);
  snprintf (m.sock_path, sizeof (m.sock_path), "%s", argv[2]);
  m.listen_fd = m.sigfd = m.master = m.app_code = m.oci_start_client = -1;
  m.sb.sentry = m.sb.watcher = -1;
  m.sb.app_in = m.sb.app_out = m.sb.app_err = m.sb.ctl = m.sb.audit = m.sb.lifeline = -1;
  m.log.fd = -1;
  m.audit.fd = m.audit.lockfd = -1;
  for (int i = 0; i < MONITOR_CLIENTS; i++)
    m.clients[i].fd = -1;
  signal (SIGPIPE, SIG_IGN);
  if (m.oci)
    {
      /* The sandbox is made when sandbox-runtime start asks (op "start"). */
      if (monitor_oci_take_stdio (&m, &err) < 0 || monitor_prepare (&m, &err) < 0
          || monitor_oci_network (&m, &err) < 0 || monitor_oci_namespaces (&m, &err) < 0
          || monitor_oci_cgroup (&m, &err) < 0)
        {
          report_ready (ready, err ? err->msg : "failed");
          return 125;
        }
      report_ready (ready, "ok");
      return monitor_run (&m);
    }
  if (monitor_start (&m, &err) < 0)
    {
      char msg[1024];
      snprintf (msg, sizeof (msg), "%s", err ? err->msg : "failed");
      report_ready (ready, msg);
      sb_sandbox_cleanup (&m.sb);
      return 1;
    }
  m.started = true;
  report_ready (ready, "ok");
  return monitor_run (&m);
}
