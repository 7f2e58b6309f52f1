/* list, ps, pause, resume, update, events, features, spec, install. */
#include "config.h"
#include "oci.h"
#include "capabilities.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
usage_error (const char *cmd, const char *usage)
{
  sb_error_t err = NULL;

  sb_error (&err, EINVAL, "usage: sandbox-runtime %s", usage);
  oci_report (cmd, &err);
  sb_error_free (&err);
  return 1;
}

static void
print_json (json_t *o, bool pretty)
{
  char *t = json_dumps (o, pretty ? JSON_INDENT (2) : JSON_COMPACT);
  printf ("%s\n", t ? t : "null");
  free (t);
}

static const char *
last_arg (int argc, char **argv)
{
  return argc > 1 && argv[argc - 1][0] != '-' ? argv[argc - 1] : NULL;
}

static bool
has_flag (int argc, char **argv, const char *a, const char *b)
{
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], a) == 0 || (b && strcmp (argv[i], b) == 0))
      return true;
  return false;
}

int
oci_cmd_list (int argc, char **argv)
{
  bool json = false, quiet = has_flag (argc, argv, "-q", "--quiet");
  json_t *all = json_array ();
  DIR *d = opendir (oci_g.root);
  struct dirent *de;
  size_t i;
  json_t *st;

  for (int k = 1; k < argc; k++)
    if ((strcmp (argv[k], "--format") == 0 || strcmp (argv[k], "-f") == 0) && k + 1 < argc)
      json = strcmp (argv[k + 1], "json") == 0;
    else if (strcmp (argv[k], "--format=json") == 0)
      json = true;
  while (d && (de = readdir (d)) != NULL)
    {
      json_t *rec;
      sb_error_t err = NULL;
      if (de->d_name[0] == '.' || oci_record_load (de->d_name, &rec, &err) < 0)
        {
          sb_error_free (&err);
          continue;
        }
      json_array_append_new (all, oci_state_of (rec));
      json_decref (rec);
    }
  if (d)
    closedir (d);
  if (json)
    print_json (all, false);
  else
    {
      if (!quiet)
        printf ("%-20s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
      json_array_foreach (all, i, st)
        if (quiet)
          printf ("%s\n", json_string_value (json_object_get (st, "id")));
        else
          printf ("%-20s %-10lld %-10s %-40s %-30s %s\n", json_string_value (json_object_get (st, "id")),
                  (long long) json_integer_value (json_object_get (st, "pid")),
                  json_string_value (json_object_get (st, "status")), json_string_value (json_object_get (st, "bundle")),
                  json_string_value (json_object_get (st, "created")), "root");
    }
  json_decref (all);
  return 0;
}

/* The host pids of the container's processes: the app's part of the
   sandbox's cgroup (docker top reads them with ps on the host). */
/* runc's table: ps -ef's header and the lines of the container's pids (the
   second column). */
static void
print_ps_table (json_t *pids)
{
  FILE *ps = popen ("ps -ef", "re");
  char line[4096];
  bool header = true;

  if (ps == NULL)
    {
      perror ("sandbox-runtime ps: ps -ef");
      return;
    }
  while (fgets (line, sizeof (line), ps))
    {
      long pid = 0;
      bool ours = header;
      size_t i;
      json_t *p;

      if (!header && sscanf (line, "%*s %ld", &pid) == 1)
        json_array_foreach (pids, i, p)
          ours |= json_integer_value (p) == pid;
      if (ours)
        fputs (line, stdout);
      header = false;
    }
  pclose (ps);
}

int
oci_cmd_ps (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  const char *id = NULL;
  bool json = false;
  char dirs[8][4200], path[4400], line[64];
  json_t *rec, *pids = json_array ();
  int n;

  for (int k = 1; k < argc; k++)
    {
      if ((strcmp (argv[k], "--format") == 0 || strcmp (argv[k], "-f") == 0) && k + 1 < argc)
        json = strcmp (argv[++k], "json") == 0;
      else if (strcmp (argv[k], "--format=json") == 0)
        json = true;
      else if (id == NULL && argv[k][0] != '-')
        id = argv[k];
    }
  if (id == NULL)
    return usage_error ("ps", "ps [--format table|json] ID [PS_ARGS]");
  if (oci_record_load (id, &rec, &err) < 0)
    {
      oci_report ("ps", &err);
      return 1;
    }
  n = oci_cgroup_dirs (rec, dirs, 8);
  for (int i = 0; i < n && json_array_size (pids) == 0; i++)
    {
      FILE *f;
      if (strstr (dirs[i], "/pids/") == NULL && n > 1)
        continue;
      snprintf (path, sizeof (path), "%.4200s/app/cgroup.procs", dirs[i]);
      if ((f = fopen (path, "re")) == NULL)
        continue;
      while (fgets (line, sizeof (line), f))
        json_array_append_new (pids, json_integer (atoll (line)));
      fclose (f);
    }
  json_decref (rec);
  if (json)
    print_json (pids, false);
  else
    print_ps_table (pids);
  json_decref (pids);
  return 0;
}

static int
freeze (int argc, char **argv, bool on)
{
  cleanup_error sb_error_t err = NULL;
  const char *id = last_arg (argc, argv), *cmd = on ? "pause" : "resume";
  char dirs[8][4200], path[4400];
  json_t *rec;
  int n, done = 0;

  if (id == NULL)
    return usage_error (cmd, on ? "pause ID" : "resume ID");
  if (oci_record_load (id, &rec, &err) < 0)
    {
      oci_report (cmd, &err);
      return 1;
    }
  n = oci_cgroup_dirs (rec, dirs, 8);
  json_decref (rec);
  for (int i = 0; i < n; i++)
    {
      bool v1 = strstr (dirs[i], "/freezer/") != NULL;
      if (n > 1 && !v1)
        continue;
      /* The app's part only: the monitor, the Sentry and the Gofer go on
         answering (state, kill, delete) while the app is frozen. */
      snprintf (path, sizeof (path), "%.4200s/app/%s", dirs[i], v1 ? "freezer.state" : "cgroup.freeze");
      if (sb_write_file (path, v1 ? (on ? "FROZEN" : "THAWED") : (on ? "1" : "0"), &err) == 0)
        done++;
    }
  if (done == 0)
    {
      if (err == NULL)
        sb_error (&err, ENOENT, "container %s has no freezer cgroup (is it running?)", id);
      oci_report (cmd, &err);
      return 1;
    }
  return 0;
}

int
oci_cmd_pause (int argc, char **argv)
{
  return freeze (argc, argv, true);
}

int
oci_cmd_resume (int argc, char **argv)
{
  return freeze (argc, argv, false);
}

/* runc's update flags, as the linux.resources keys they set. */
static const struct
{
  const char *flag, *section, *key;
} update_flags[] = {
  { "--memory", "memory", "limit" },       { "--cpu-quota", "cpu", "quota" },
  { "--cpu-period", "cpu", "period" },     { "--cpu-share", "cpu", "shares" },
  { "--cpu-shares", "cpu", "shares" },     { "--pids-limit", "pids", "limit" },
  { "--memory-swap", "memory", "swap" },   { "--memory-reservation", "memory", "reservation" },
  { "--kernel-memory", "memory", "kernel" }, { "--kernel-memory-tcp", "memory", "kernelTCP" },
  { "--blkio-weight", "blockIO", "weight" }, { "--cpu-rt-period", "cpu", "realtimePeriod" },
  { "--cpu-rt-runtime", "cpu", "realtimeRuntime" }, { "--cpuset-cpus", "cpu", "cpus" },
  { "--cpuset-mems", "cpu", "mems" },
  { NULL, NULL, NULL },
};

/* A size as runc's flags take it: bytes, or with a k, m, g suffix. */
static int
parse_update_value (const char *v, json_int_t *out)
{
  char *end;
  long long n = strtoll (v, &end, 10);

  if (end == v)
    return -1;
  switch (*end)
    {
    case 'k': case 'K': n <<= 10; end++; break;
    case 'm': case 'M': n <<= 20; end++; break;
    case 'g': case 'G': n <<= 30; end++; break;
    default: break;
    }
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end)
    return -1;
  *out = n;
  return 0;
}

/* The resources of `update`: --resources FILE ("-": stdin), then the
   flags over it. */
static json_t *
update_resources (int argc, char **argv, sb_error_t *err)
{
  json_t *res = NULL;
  int i, k;

  for (i = 1; i < argc - 1; i++)
    if (strcmp (argv[i], "--resources") == 0 || strcmp (argv[i], "-r") == 0)
      {
        json_error_t jerr;
        const char *f = argv[++i];
        json_decref (res);
        res = strcmp (f, "-") == 0 ? json_loadf (stdin, JSON_DISABLE_EOF_CHECK, &jerr) : json_load_file (f, 0, &jerr);
        if (!json_is_object (res))
          {
            json_decref (res);
            return sb_error (err, EINVAL, "--resources %s: not a JSON object of linux.resources (%s)", f, jerr.text), NULL;
          }
      }
  if (res == NULL)
    res = json_object ();
  for (i = 1; i < argc - 1; i++)
    for (k = 0; update_flags[k].flag; k++)
      {
        size_t n = strlen (update_flags[k].flag);
        const char *v = NULL;
        json_t *sec;
        json_int_t value;
        if (strcmp (argv[i], update_flags[k].flag) == 0 && i + 1 < argc - 1)
          v = argv[++i];
        else if (strncmp (argv[i], update_flags[k].flag, n) == 0 && argv[i][n] == '=')
          v = argv[i] + n + 1;
        if (v == NULL)
          continue;
        sec = json_object_get (res, update_flags[k].section);
        if (!json_is_object (sec))
          json_object_set_new (res, update_flags[k].section, sec = json_object ());
        if (strcmp (update_flags[k].key, "cpus") == 0 || strcmp (update_flags[k].key, "mems") == 0)
          json_object_set_new (sec, update_flags[k].key, json_string (v));
        else if (parse_update_value (v, &value) < 0)
          {
            json_decref (res);
            return sb_error (err, EINVAL, "%s %s: a number", update_flags[k].flag, v), NULL;
          }
        else
          json_object_set_new (sec, update_flags[k].key, json_integer (value));
        break;
      }
  return res;
}

/* New limits within the tenant's policy, applied by sandboxd to the
   sandbox's cgroup: memory.limit, swap, reservation and swappiness,
   cpu.quota/period, shares, cpus and mems, and pids.limit (more than the
   policy allows is refused, naming the key), block I/O throttles. The
   other keys (block I/O weights, kernel memory) are accepted and leave the
   sandbox as sandboxd made it, as they do at create; a value <= 0
   ("unlimited") leaves that limit as it is. */
int
oci_cmd_update (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  const char *id = last_arg (argc, argv);
  json_t *rec = NULL, *res = NULL, *answer = NULL, *body;
  char path[400], msg[1024];
  int status = 0, ret = 1;

  if (id == NULL)
    return usage_error ("update", "update [--resources FILE|-] [--memory N] [--cpu-quota N] [--cpu-period N] "
                        "[--pids-limit N]... ID");
  if (oci_record_load (id, &rec, &err) < 0 || (res = update_resources (argc, argv, &err)) == NULL)
    goto out;
  if ((body = oci_spec_limits (res, &err)) == NULL)
    goto out;
  body = json_pack ("{s:o}", "limits", body);
  snprintf (path, sizeof (path), "/v1/oci/containers/%.64s/update", json_string_value (json_object_get (rec, "sbd_id")) ?: "-");
  if (oci_sbd_request ("POST", path, body, &status, &answer, &err) < 0)
    {
      json_decref (body);
      goto out;
    }
  json_decref (body);
  if (status != 200)
    {
      oci_spec_refusal (oci_sbd_message (answer), NULL, NULL, msg, sizeof (msg));
      sb_error (&err, status == 403 ? EPERM : EINVAL, "container %s: %s", id, msg);
      goto out;
    }
  ret = 0;
out:
  if (ret)
    oci_report ("update", &err);
  json_decref (rec);
  json_decref (res);
  json_decref (answer);
  return ret;
}

int
oci_cmd_events (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  const char *id = last_arg (argc, argv);
  json_t *rec, *ev;
  char dirs[8][4200], path[4400], buf[64];
  int n;

  if (id == NULL || !has_flag (argc, argv, "--stats", NULL))
    return usage_error ("events", "events --stats ID (a stream of events is not served: use sandboxd's events)");
  if (oci_record_load (id, &rec, &err) < 0)
    {
      oci_report ("events", &err);
      return 1;
    }
  ev = json_pack ("{s:s, s:O, s:{}}", "type", "stats", "id", json_object_get (rec, "id"), "data");
  n = oci_cgroup_dirs (rec, dirs, 8);
  for (int i = 0; i < n; i++)
    {
      static const struct
      {
        const char *file, *section, *key;
      } files[] = { { "memory.usage_in_bytes", "memory", "usage" }, { "memory.current", "memory", "usage" },
                    { "pids.current", "pids", "current" },         { "cpuacct.usage", "cpu", "usage" },
                    { NULL, NULL, NULL } };
      for (int k = 0; files[k].file; k++)
        {
          FILE *f;
          snprintf (path, sizeof (path), "%.4200s/%s", dirs[i], files[k].file);
          if ((f = fopen (path, "re")) == NULL)
            continue;
          if (fgets (buf, sizeof (buf), f))
            {
              json_t *data = json_object_get (ev, "data"), *sec = json_object_get (data, files[k].section);
              if (sec == NULL)
                json_object_set_new (data, files[k].section, sec = json_object ());
              json_object_set_new (sec, files[k].key, json_pack ("{s:I}", "usage", (json_int_t) atoll (buf)));
            }
          fclose (f);
        }
    }
  print_json (ev, false);
  json_decref (ev);
  json_decref (rec);
  return 0;
}

int
oci_cmd_features (int argc, char **argv)
{
  static const char *const caps[] = { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                                      "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                                      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
                                      NULL };
  json_t *o, *c = json_array ();

  (void) argc;
  (void) argv;
  for (int i = 0; caps[i]; i++)
    json_array_append_new (c, json_string (caps[i]));
  /* What is honoured, truthfully: docs/OCI.md says how each is. */
  o = json_pack ("{s:s, s:s, s:[ssssss], s:[sssss], s:{s:[sssssss], s:o, s:{s:b, s:b}, s:{s:b}, "
                 "s:{s:b}, s:{s:b}, s:{s:b}}, s:{s:s}}",
                 "ociVersionMin", "1.0.0", "ociVersionMax", OCI_VERSION,
                 "hooks", "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
                 "mountOptions", "bind", "rbind", "ro", "rw", "size",
                 "linux", "namespaces", "cgroup", "ipc", "mount", "network", "pid", "user", "uts",
                 "capabilities", c, "cgroup", "v1", 1, "v2", 1, "seccomp", "enabled", 1, "apparmor", "enabled", 0,
                 "selinux", "enabled", 0, "intelRdt", "enabled", 0,
                 "annotations", "org.opencontainers.runtime-spec.features", "sandbox-runtime: startContainer hooks run in the "
                 "sandbox; createContainer hooks on the host's files, in the container's network, ipc and uts "
                 "namespaces and its cgroup; see docs/OCI.md");
  print_json (o, true);
  json_decref (o);
  return 0;
}

int
oci_cmd_spec (int argc, char **argv)
{
  const char *bundle = ".";
  char path[4200];
  json_t *o;
  int r;

  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "--bundle") == 0 || strcmp (argv[i], "-b") == 0)
      bundle = argv[i + 1];
  snprintf (path, sizeof (path), "%s/config.json", bundle);
  if (access (path, F_OK) == 0)
    {
      fprintf (stderr, "sandbox-runtime spec: `%s` exists\n", path);
      return 1;
    }
  o = json_pack ("{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[ss], s:s, s:{s:[sss], s:[sss], s:[sss]}, s:[{s:s, s:i, s:i}],"
                 " s:b}, s:{s:s, s:b}, s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:[ssss]}, {s:s, s:s, s:s, s:[ssss]}],"
                 " s:{s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]}}",
                 "ociVersion", OCI_VERSION, "process", "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
                 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "cwd", "/",
                 "capabilities", "bounding", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "effective",
                 "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "permitted", "CAP_AUDIT_WRITE", "CAP_KILL",
                 "CAP_NET_BIND_SERVICE", "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
                 "noNewPrivileges", 1, "root", "path", "rootfs", "readonly", 1, "hostname", "sandbox", "mounts",
                 "destination", "/proc", "type", "proc", "source", "proc", "destination", "/dev", "type", "tmpfs",
                 "source", "tmpfs", "options", "nosuid", "strictatime", "mode=755", "size=65536k", "destination",
                 "/tmp", "type", "tmpfs", "source", "tmpfs", "options", "nosuid", "nodev", "mode=1777", "size=65536k",
                 "linux", "namespaces", "type", "pid", "type", "network", "type", "ipc", "type", "uts", "type", "mount");
  r = json_dump_file (o, path, JSON_INDENT (2));
  json_decref (o);
  return r == 0 ? 0 : 1;
}

/* Registers the runtime with Docker (daemon.json's runtimes, as `runsc
   install` does) and prints containerd's snippet for a RuntimeClass. */
int
oci_cmd_install (int argc, char **argv)
{
  const char *path = "/etc/docker/daemon.json", *name = "sandbox";
  char self[4096];
  json_error_t jerr;
  json_t *cfg, *rt;
  ssize_t n;

  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "--config-file") == 0)
      path = argv[++i];
    else if (strcmp (argv[i], "--runtime") == 0)
      name = argv[++i];
  n = readlink ("/proc/self/exe", self, sizeof (self) - 1);
  if (n <= 0)
    return 1;
  self[n] = '\0';
  cfg = access (path, F_OK) == 0 ? json_load_file (path, 0, &jerr) : json_object ();
  if (!json_is_object (cfg))
    {
      fprintf (stderr, "sandbox-runtime install: `%s`: %s\n", path, jerr.text);
      return 1;
    }
  rt = json_object_get (cfg, "runtimes");
  if (!json_is_object (rt))
    json_object_set_new (cfg, "runtimes", rt = json_object ());
  json_object_set_new (rt, name, json_pack ("{s:s}", "path", self));
  if (json_dump_file (cfg, path, JSON_INDENT (4)) < 0)
    {
      fprintf (stderr, "sandbox-runtime install: write `%s`: %s\n", path, strerror (errno));
      json_decref (cfg);
      return 1;
    }
  json_decref (cfg);
  printf ("Runtime %s added to %s (restart dockerd). For containerd (Kubernetes RuntimeClass `%s`), add:\n\n"
          "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.%s]\n"
          "  runtime_type = \"io.containerd.runc.v2\"\n"
          "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.%s.options]\n"
          "  BinaryName = \"%s\"\n",
          name, path, name, name, name, self);
  return 0;
}
