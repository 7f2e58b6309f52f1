/* create, start, run, state, kill, delete.

   create: sandboxd admits the container under the tenant's policy (POST
   /v1/oci/containers); then we start its monitor (sandbox-monitor --oci)
   as our child with the caller's stdio, and its pid goes to --pid-file:
   the caller, a subreaper, waits for it, and it exits with the command's
   status. start asks the monitor to make the sandbox and tells sandboxd,
   which then watches the monitor like any of its own. */
#include "config.h"
#include "oci.h"
#include "cgroup.h"
#include "quota.h"
#include "sandbox.h"
#include "cleanup.h"
#include "fdpass.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct create_opts
{
  const char *id, *bundle, *pid_file, *console_socket;
  int preserve_fds;
  bool detach;
};

static int
parse_create (int argc, char **argv, struct create_opts *o, bool run, sb_error_t *err)
{
  static const struct option opts[] = {
    { "bundle", required_argument, 0, 'b' },   { "pid-file", required_argument, 0, 'p' },
    { "console-socket", required_argument, 0, 'c' }, { "preserve-fds", required_argument, 0, 'f' },
    { "no-pivot", no_argument, 0, 'n' },       { "no-new-keyring", no_argument, 0, 'k' },
    { "detach", no_argument, 0, 'd' },         { "keep", no_argument, 0, 'K' },
    { "no-subreaper", no_argument, 0, 'S' },   { 0, 0, 0, 0 },
  };
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+b:d", opts, NULL)) != -1)
    switch (c)
      {
      case 'b': o->bundle = optarg; break;
      case 'p': o->pid_file = optarg; break;
      case 'c': o->console_socket = optarg; break;
      case 'f': o->preserve_fds = atoi (optarg); break;
      case 'd': o->detach = true; break;
      case 'n': case 'k': case 'K': case 'S': break; /* nothing to do: see the manual */
      default: return sb_error (err, EINVAL, "unknown option `%s`", argv[optind - 1]);
      }
  if (optind != argc - 1)
    return sb_error (err, EINVAL, "usage: sandbox-runtime %s [OPTIONS] ID", run ? "run" : "create");
  o->id = argv[optind];
  if (!oci_valid_id (o->id))
    return sb_error (err, EINVAL, "invalid container id `%s`", o->id);
  if (o->preserve_fds > 0)
    return sb_error (err, EPERM, "--preserve-fds: a sandbox is given none of the caller's descriptors "
                     "beyond its stdio");
  return 0;
}

static char *
absolute (const char *path)
{
  char *r = realpath (path ? path : ".", NULL);
  return r;
}

static int
write_pid_file (const char *path, pid_t pid, sb_error_t *err)
{
  char buf[32];
  int r;

  if (path == NULL)
    return 0;
  snprintf (buf, sizeof (buf), "%d", (int) pid);
  r = sb_write_atomic (path, buf, strlen (buf), 0644);
  if (r < 0)
    return sb_error (err, -r, "--pid-file `%s`", path);
  return 0;
}

/* Forgets the container: sandboxd's record and ours. */
static void
forget (json_t *rec)
{
  char path[256];
  json_t *ans = NULL;
  int status;
  sb_error_t err = NULL;

  snprintf (path, sizeof (path), "/v1/containers/%s?force=1", json_string_value (json_object_get (rec, "sbd_id")) ?: "-");
  oci_sbd_request ("DELETE", path, NULL, &status, &ans, &err);
  sb_error_free (&err);
  json_decref (ans);
  {
    json_t *q = json_object_get (rec, "quota");
    const char *qpath = json_string_value (json_object_get (q, "path"));
    if (qpath && sb_quota_release (qpath, (uint32_t) json_integer_value (json_object_get (q, "project")), &err) < 0)
      fprintf (stderr, "sandbox-runtime: %s\n", err->msg);
    sb_error_free (&err);
  }
  oci_record_remove (json_string_value (json_object_get (rec, "id")));
}

/* The monitor, our child, with the caller's stdio (or a host pty's slave). */
static pid_t
spawn_monitor (json_t *rec, int slave, sb_error_t *err)
{
  char exe[4200], msg[4096];
  int ready[2];
  ssize_t n;
  pid_t pid;

  snprintf (exe, sizeof (exe), "%s/sandbox-monitor", sb_libexec_dir ());
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return sb_error (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    return sb_error (err, errno, "fork");
  if (pid == 0)
    {
      if (slave >= 0)
        {
          dup2 (slave, 0);
          dup2 (slave, 1);
          dup2 (slave, 2);
        }
      dup2 (ready[1], 3);
      sb_close_fds_except (4, NULL, 0);
      execl (exe, "sandbox-monitor", "--oci", json_string_value (json_object_get (rec, "dir")),
             json_string_value (json_object_get (rec, "socket")), "3", (char *) NULL);
      dprintf (3, "exec `%s`: %s", exe, strerror (errno));
      _exit (125);
    }
  close (ready[1]);
  n = read (ready[0], msg, sizeof (msg) - 1);
  close (ready[0]);
  msg[n > 0 ? n : 0] = '\0';
  if (n < 2 || strcmp (msg, "ok") != 0)
    {
      waitpid (pid, NULL, 0);
      return sb_error (err, EIO, "the container's monitor: %s", n > 0 ? msg : "ended without a word");
    }
  return pid;
}

/* The writable layer the container writes on the host's disk, from
   the request to sandboxd: an overlay rootfs's upper layer and its
   workdir, or a directory rootfs written in place; none for an upper
   layer stacked under an in-memory one, which the sandbox's memory
   bounds (its tmpfs is of the tenant's disk size). */
static json_t *
writable_layer (json_t *req)
{
  json_t *upper = json_object_get (req, "upper"), *work = json_object_get (req, "work");

  if (json_is_string (upper) && json_is_string (work))
    return json_pack ("[O, O]", upper, work);
  if (json_is_true (json_object_get (req, "rootfs_writable")) && json_is_string (json_object_get (req, "rootfs")))
    return json_pack ("[O]", json_object_get (req, "rootfs"));
  return json_array ();
}

/* The tenant's disk limit on that layer: a project quota of its own
   (libsandbox/quota.c), recorded for delete to lift. A filesystem that
   cannot enforce one fails create with disk-quota = required; with
   if-supported (the default) the layer stays unbounded, as under runc,
   and create says so in --log. */
static int
bound_layer (json_t *layer, uint64_t bytes, json_t *rec, sb_error_t *err)
{
  const char *dirs[2];
  int n = 0;
  uint32_t projid;
  size_t i;
  json_t *v;

  if (oci_g.disk_quota == OCI_QUOTA_OFF || bytes == 0)
    return 0;
  json_array_foreach (layer, i, v)
    if (n < 2)
      dirs[n++] = json_string_value (v);
  if (n == 0)
    return 0;
  if (sb_quota_project_of (dirs[0], &projid, err) < 0 || sb_quota_bound (dirs, n, projid, bytes, err) < 0)
    {
      char why[1200];
      snprintf (why, sizeof (why), "%s", (*err)->msg);
      if ((*err)->status == ENOTSUP && oci_g.disk_quota == OCI_QUOTA_IF_SUPPORTED)
        {
          oci_warn ("tenant %s's disk limit (%llu bytes) does not bound the container's writable layer: %s "
                    "(disk-quota = if-supported)", oci_g.tenant, (unsigned long long) bytes, why);
          sb_error_free (err);
          return 0;
        }
      if ((*err)->status == ENOTSUP)
        return sb_error (err, 0, "tenant %s's disk limit (%llu bytes) cannot bound the container's writable "
                         "layer: %s (ext4: tune2fs -O project,quota and mount it with prjquota; xfs: mount "
                         "it with pquota; the kernel needs CONFIG_QUOTA), or set disk-quota = if-supported "
                         "in the runtime's configuration", oci_g.tenant, (unsigned long long) bytes, why);
      return sb_error (err, (*err)->status, "tenant %s's disk limit on the container's writable layer: %s",
                       oci_g.tenant, why);
    }
  json_object_set_new (rec, "quota", json_pack ("{s:s, s:I}", "path", dirs[0], "project", (json_int_t) projid));
  return 0;
}

/* The monitor makes the sandbox, the command held in its init until
   start, as runc's create leaves its init waiting: what cannot be built (a
   mount over a file, a volume that cannot be attached, a missing cwd)
   fails create, with the cause. */
static int
build_sandbox (json_t *rec, sb_error_t *err)
{
  json_t *ans = NULL, *req = json_pack ("{s:s}", "op", "create");
  int ret = oci_monitor_request (json_string_value (json_object_get (rec, "socket")), req, &ans, err);

  json_decref (req);
  if (ret < 0)
    return sb_error_prefix (err, "the container's monitor");
  if (json_string_value (json_object_get (ans, "error")))
    ret = sb_error (err, 0, "%s", json_string_value (json_object_get (ans, "error")));
  json_decref (ans);
  return ret;
}

/* create's work; returns the monitor's pid. */
static pid_t
create_container (struct create_opts *o, json_t **config_out, sb_error_t *err)
{
  cleanup_free char *bundle = absolute (o->bundle);
  json_t *config, *req = NULL, *vmounts = NULL, *ans = NULL, *rec, *state, *layer, *cgroup;
  char created[64], msg[4400];
  uint64_t disk;
  int status, slave = -1;
  pid_t pid;

  if (bundle == NULL)
    return sb_error (err, errno, "--bundle `%s`", o->bundle ? o->bundle : ".");
  if (oci_record_load (o->id, &rec, err) == 0)
    {
      json_decref (rec);
      return sb_error (err, EEXIST, "container with id exists: %s", o->id);
    }
  sb_error_free (err);
  if (oci_g.tenant == NULL)
    return sb_error (err, EINVAL, "no tenant: set `tenant` in the runtime's configuration or pass --tenant");
  config = oci_bundle_config (bundle, err);
  if (config == NULL)
    return -1;
  *config_out = config;
  if (oci_spec_request (config, bundle, o->id, &req, &vmounts, err) < 0)
    {
      json_decref (req);
      json_decref (vmounts);
      return -1;
    }
  if (json_is_true (json_object_get (req, "tty")) && o->console_socket == NULL && !isatty (0))
    {
      json_decref (req);
      json_decref (vmounts);
      return sb_error (err, EINVAL, "process.terminal is set: --console-socket is needed");
    }
  if (oci_sbd_request ("POST", "/v1/oci/containers", req, &status, &ans, err) < 0)
    {
      json_decref (req);
      json_decref (vmounts);
      return -1;
    }
  layer = writable_layer (req);
  cgroup = json_incref (json_object_get (req, "cgroup"));
  if (status == 201 && json_object_get (json_object_get (req, "limits"), "swap_at_most"))
    {
      /* Swap is bounded by the policy rather than refused (docs/OCI.md). */
      json_int_t asked = json_integer_value (json_object_get (json_object_get (req, "limits"), "swap_at_most"));
      json_int_t given = json_integer_value (json_object_get (ans, "swap"));
      if (given != asked && (asked < 0 || (given >= 0 && given < asked)))
        oci_warn ("linux.resources.memory.swap: %lld bytes of swap asked for, %lld given by tenant %s's policy",
                  (long long) asked, (long long) given, oci_g.tenant);
    }
  json_decref (req);
  if (status != 201)
    {
      oci_spec_refusal (oci_sbd_message (ans), vmounts, config, msg, sizeof (msg));
      json_decref (ans);
      json_decref (vmounts);
      json_decref (layer);
      json_decref (cgroup);
      return sb_error (err, status == 403 || status == 429 ? EPERM : EINVAL, "refused by tenant %s's policy: %s",
                       oci_g.tenant, msg);
    }
  json_decref (vmounts);
  sb_now_iso (created, sizeof (created));
  rec = json_pack ("{s:s, s:O, s:O, s:O, s:s, s:O, s:s, s:s, s:O, s:i, s:b}", "id", o->id, "sbd_id",
                   json_object_get (ans, "id"), "dir", json_object_get (ans, "dir"), "socket",
                   json_object_get (ans, "socket"), "bundle", bundle, "rootfs",
                   json_object_get (json_object_get (config, "root"), "path"), "created", created, "tenant",
                   oci_g.tenant, "annotations", json_object_get (config, "annotations") ?: json_object (), "pid", 0,
                   "started", 0);
  disk = (uint64_t) json_integer_value (json_object_get (ans, "disk"));
  if (rec && cgroup)
    json_object_set (rec, "cgroup", cgroup);
  json_decref (cgroup);
  json_decref (ans);
  if (rec == NULL || oci_record_save (o->id, rec, err) < 0 || bound_layer (layer, disk, rec, err) < 0)
    {
      json_decref (layer);
      if (rec)
        forget (rec);
      json_decref (rec);
      return rec ? -1 : sb_error (err, ENOMEM, "allocate");
    }
  json_decref (layer);
  if (json_is_true (json_object_get (json_object_get (config, "process"), "terminal")) && o->console_socket)
    {
      slave = oci_console (o->console_socket, json_object_get (json_object_get (config, "process"), "consoleSize"), err);
      if (slave < 0)
        {
          forget (rec);
          json_decref (rec);
          return -1;
        }
    }
  pid = spawn_monitor (rec, slave, err);
  if (slave >= 0)
    close (slave);
  if (pid < 0)
    {
      forget (rec);
      json_decref (rec);
      return -1;
    }
  json_object_set_new (rec, "pid", json_integer (pid));
  if (oci_record_save (o->id, rec, err) < 0 || write_pid_file (o->pid_file, pid, err) < 0
      || build_sandbox (rec, err) < 0)
    goto fail;
  state = oci_state_of (rec);
  /* createContainer after createRuntime, as runc; in the container's
     namespaces (the monitor's), but on the host's files: their path is
     the host's (the runtime namespace's, as the spec says), and no
     program of the host enters the sandbox's mount namespace. */
  if (oci_run_hooks (config, "prestart", state, 0, NULL, err) < 0
      || oci_run_hooks (config, "createRuntime", state, 0, NULL, err) < 0
      || oci_run_hooks (config, "createContainer", state, pid, oci_cgroup_name (rec), err) < 0)
    {
      json_decref (state);
      goto fail;
    }
  json_decref (state);
  json_decref (rec);
  return pid;
fail:
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  /* The monitor made the sandbox's cgroup at its start and would have
     removed it at its end: killed, it leaves that to us. */
  sb_cgroup_remove_named (sb_cgroup_root (), oci_cgroup_name (rec), NULL);
  forget (rec);
  json_decref (rec);
  return -1;
}

int
oci_cmd_create (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct create_opts o = { 0 };
  json_t *config = NULL;
  pid_t pid;

  if (parse_create (argc, argv, &o, false, &err) < 0 || (pid = create_container (&o, &config, &err)) < 0)
    {
      json_decref (config);
      oci_report ("create", &err);
      return 1;
    }
  json_decref (config);
  return 0;
}

/* The bundle's poststart or poststop hooks, given the container's state
   (its status replaced when status is not NULL), from config (NULL: the
   bundle's, read here). Their failure is a warning (runtime-spec): the
   verb has already done its work. */
static void
late_hooks (json_t *rec, json_t *config, const char *phase, const char *status, const char *verb)
{
  cleanup_error sb_error_t err = NULL;
  json_t *own = config ? NULL : oci_bundle_config (json_string_value (json_object_get (rec, "bundle")), &err);
  json_t *state;

  if (config == NULL && (config = own) == NULL)
    return;
  state = oci_state_of (rec);
  if (status)
    json_object_set_new (state, "status", json_string (status));
  if (oci_run_hooks (config, phase, state, 0, NULL, &err) < 0)
    fprintf (stderr, "sandbox-runtime %s: %s\n", verb, err->msg);
  json_decref (state);
  json_decref (own);
}

static int
start_container (const char *id, sb_error_t *err)
{
  json_t *rec, *ans = NULL, *req, *config;
  char path[256];
  int status;

  if (oci_record_load (id, &rec, err) < 0)
    return -1;
  req = json_pack ("{s:s}", "op", "start");
  {
    /* The config's startContainer hooks run in the sandbox, before the
       command (sentry/app_init.c), given the state as runc gives it there:
       created, the container's init as pid 1 of its namespace. Read once:
       its poststart hooks come from it too. */
    cleanup_error sb_error_t cerr = NULL;
    json_t *hooks;
    config = oci_bundle_config (json_string_value (json_object_get (rec, "bundle")), &cerr);
    hooks = json_object_get (json_object_get (config, "hooks"), "startContainer");
    if (json_array_size (hooks) > 0)
      {
        json_t *state = oci_state_of (rec);
        json_object_set_new (state, "status", json_string ("created"));
        json_object_set_new (state, "pid", json_integer (1));
        json_object_set (req, "hooks", hooks);
        json_object_set_new (req, "state", state);
      }
  }
  if (oci_monitor_request (json_string_value (json_object_get (rec, "socket")), req, &ans, err) < 0)
    {
      json_decref (req);
      json_decref (rec);
      json_decref (config);
      return sb_error_prefix (err, "container %s is not created", id);
    }
  json_decref (req);
  if (json_string_value (json_object_get (ans, "error")))
    {
      sb_error (err, 0, "%s", json_string_value (json_object_get (ans, "error")));
      json_decref (ans);
      json_decref (rec);
      json_decref (config);
      return -1;
    }
  json_decref (ans);
  json_object_set_new (rec, "started", json_true ());
  oci_record_save (id, rec, err);
  sb_error_free (err);
  /* From now on sandboxd watches it (events, stats, exec, adoption). */
  snprintf (path, sizeof (path), "/v1/oci/containers/%s/started", json_string_value (json_object_get (rec, "sbd_id")));
  if (oci_sbd_request ("POST", path, NULL, &status, &ans, err) < 0 || (status != 204 && status != 409))
    {
      fprintf (stderr, "sandbox-runtime start: sandboxd did not take the container: %s\n",
               *err ? (*err)->msg : oci_sbd_message (ans));
      sb_error_free (err);
    }
  json_decref (ans);
  late_hooks (rec, config, "poststart", NULL, "start");
  json_decref (config);
  json_decref (rec);
  return 0;
}

int
oci_cmd_start (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;

  if (argc != 2)
    {
      sb_error (&err, EINVAL, "usage: sandbox-runtime start ID");
      oci_report ("start", &err);
      return 1;
    }
  if (start_container (argv[1], &err) < 0)
    {
      oci_report ("start", &err);
      return 1;
    }
  return 0;
}

static int delete_container (const char *id, bool force, sb_error_t *err);

int
oci_cmd_run (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct create_opts o = { 0 };
  json_t *config = NULL;
  int status, code;
  pid_t pid;

  if (parse_create (argc, argv, &o, true, &err) < 0 || (pid = create_container (&o, &config, &err)) < 0)
    {
      json_decref (config);
      oci_report ("run", &err);
      return 1;
    }
  json_decref (config);
  if (start_container (o.id, &err) < 0)
    {
      oci_report ("run", &err);
      delete_container (o.id, true, &err);
      return 1;
    }
  if (o.detach)
    return 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  delete_container (o.id, true, &err);
  return code;
}

int
oci_cmd_state (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  json_t *rec, *st;
  char *text;

  if (argc != 2)
    {
      sb_error (&err, EINVAL, "usage: sandbox-runtime state ID");
      oci_report ("state", &err);
      return 1;
    }
  if (oci_record_load (argv[1], &rec, &err) < 0)
    {
      oci_report ("state", &err);
      return 1;
    }
  st = oci_state_of (rec);
  text = json_dumps (st, JSON_INDENT (2));
  printf ("%s\n", text ? text : "{}");
  free (text);
  json_decref (st);
  json_decref (rec);
  return 0;
}

static const struct
{
  const char *name;
  int nr;
} signals[] = {
  { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
  { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "WINCH", SIGWINCH },
  { "ALRM", SIGALRM }, { "PIPE", SIGPIPE }, { "ABRT", SIGABRT }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
  { "TTOU", SIGTTOU }, { "CHLD", SIGCHLD }, { "URG", SIGURG },   { "PWR", SIGPWR },   { "SYS", SIGSYS },
  { NULL, 0 },
};

static int
parse_signal (const char *s)
{
  char *end;
  long n = strtol (s, &end, 10);

  if (*end == '\0' && n > 0 && n < 65)
    return (int) n;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (int i = 0; signals[i].name; i++)
    if (strcasecmp (signals[i].name, s) == 0)
      return signals[i].nr;
  return -1;
}

int
oci_cmd_kill (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  json_t *rec, *ans = NULL, *req;
  int i = 1, sig = SIGTERM;

  while (i < argc && argv[i][0] == '-')
    i++; /* --all, -a: every process of the sandbox ends with it anyway */
  if (i >= argc || argc - i > 2 || (argc - i == 2 && (sig = parse_signal (argv[i + 1])) < 0))
    {
      sb_error (&err, EINVAL, "usage: sandbox-runtime kill [--all] ID [SIGNAL]");
      oci_report ("kill", &err);
      return 1;
    }
  if (oci_record_load (argv[i], &rec, &err) < 0)
    {
      oci_report ("kill", &err);
      return 1;
    }
  req = json_pack ("{s:s, s:i}", "op", "kill", "signal", sig);
  if (oci_monitor_request (json_string_value (json_object_get (rec, "socket")), req, &ans, &err) < 0)
    {
      sb_error_free (&err);
      sb_error (&err, ESRCH, "container not running");
      json_decref (req);
      json_decref (rec);
      oci_report ("kill", &err);
      return 1;
    }
  json_decref (req);
  json_decref (ans);
  json_decref (rec);
  return 0;
}

/* Waits (up to ms) for the monitor to end, or without its pid for its
   socket to go: the container has ended. */
static bool
wait_gone (json_t *rec, int ms)
{
  const char *sock = json_string_value (json_object_get (rec, "socket"));
  json_int_t pid = json_integer_value (json_object_get (rec, "pid"));

  if (pid > 0 && pid <= INT_MAX)
    {
      bool gone = sb_wait_exit ((pid_t) pid, ms) == 0;
      if (gone)
        waitpid ((pid_t) pid, NULL, WNOHANG);
      return gone;
    }
  for (int t = 0; t < ms; t += 20)
    {
      if (access (sock, F_OK) < 0)
        return true;
      usleep (20000);
    }
  return false;
}

static int
delete_container (const char *id, bool force, sb_error_t *err)
{
  json_t *rec, *st;
  const char *status;

  if (oci_record_load (id, &rec, err) < 0)
    return -1;
  st = oci_state_of (rec);
  status = json_string_value (json_object_get (st, "status"));
  if (strcmp (status, "stopped") != 0 && strcmp (status, "created") != 0 && !force)
    {
      sb_error (err, EBUSY, "cannot delete container %s that is not stopped: %s", id, status);
      json_decref (st);
      json_decref (rec);
      return -1;
    }
  if (strcmp (status, "stopped") != 0)
    {
      json_t *ans = NULL, *req = json_pack ("{s:s, s:i}", "op", "kill", "signal", SIGKILL);
      oci_monitor_request (json_string_value (json_object_get (rec, "socket")), req, &ans, err);
      sb_error_free (err);
      json_decref (req);
      json_decref (ans);
      wait_gone (rec, 5000);
    }
  json_decref (st);
  forget (rec);
  /* The monitor removes the sandbox's cgroup at its end; one that was
     killed (SIGKILL, the OOM killer) left it, with whatever of the
     sandbox still ran there: ended and removed here, as runc's delete
     removes the container's cgroup. Gone already: nothing to do. */
  {
    sb_error_t cgerr = NULL;
    if (sb_cgroup_remove_named (sb_cgroup_root (), oci_cgroup_name (rec), &cgerr) < 0)
      fprintf (stderr, "sandbox-runtime delete: remove the cgroup of %s: %s\n", id, cgerr ? cgerr->msg : "failed");
    sb_error_free (&cgerr);
  }
  late_hooks (rec, NULL, "poststop", "stopped", "delete");
  json_decref (rec);
  return 0;
}

int
oci_cmd_delete (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  bool force = false;
  int i = 1;

  for (; i < argc && argv[i][0] == '-'; i++)
    if (strcmp (argv[i], "--force") == 0 || strcmp (argv[i], "-f") == 0)
      force = true;
  if (i != argc - 1)
    {
      sb_error (&err, EINVAL, "usage: sandbox-runtime delete [--force] ID");
      oci_report ("delete", &err);
      return 1;
    }
  if (delete_container (argv[i], force, &err) < 0)
    {
      oci_report ("delete", &err);
      return 1;
    }
  return 0;
}
