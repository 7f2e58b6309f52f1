/* The OCI runtime's verbs (sandbox-runtime create/start, docs/OCI.md):
   administrators only, meant for the root-only local socket.

   POST /v1/oci/containers admits a container described by an OCI bundle
   under a tenant's policy, exactly as a create does (limits, volumes,
   hostname and the container count are checked by the same code), records
   it and writes its spec.json, but starts nothing: sandbox-runtime starts
   the container's monitor itself, as its own child, so that the pid the
   caller (the containerd shim, conmon) waits for is the monitor's.
   POST /v1/oci/containers/{id}/started tells sandboxd that the monitor has
   made the sandbox: from then on the container is one of sandboxd's like
   any other (events, stats, exec, logs, adoption after a restart).
   POST /v1/oci/containers/{id}/update sets new limits (sandbox-runtime
   update), within the tenant's policy. */
#include "sandboxd.h"
#include "cleanup.h"
#include "util.h"
#include "hostpath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "syscall_table.h"
#include "cgroup.h"
#include "sandbox.h"

#define OCI_FILE_MAX (1u << 20)   /* /etc/hosts and the like: small files, copied */
#define OCI_FILES_MAX 16

/* A small regular file the caller prepared for the container (its
   /etc/hosts, /etc/resolv.conf, /etc/hostname): copied into the
   container's directory, so that the sandbox is given our copy and never
   the caller's inode. */
static int
copy_file (const char *src, const char *dst, sb_error_t *err)
{
  /* No link anywhere on the way: the runtime resolved the path it checked. */
  struct open_how how = { .flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                          .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  cleanup_close int in = (int) syscall (SYS_openat2, AT_FDCWD, src, &how, sizeof (how));
  cleanup_free char *buf = NULL;
  struct stat st;
  ssize_t n;

  if (in < 0)
    return sb_error (err, errno, "open `%s`", src);
  if (fstat (in, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > OCI_FILE_MAX)
    return sb_error (err, EINVAL, "`%s`: a regular file of at most 1 MiB", src);
  buf = malloc ((size_t) st.st_size + 1);
  if (buf == NULL)
    return sb_error (err, ENOMEM, "allocate");
  n = read (in, buf, (size_t) st.st_size);
  if (n < 0)
    return sb_error (err, errno, "read `%s`", src);
  /* Its permissions, but never set-id bits or writable by others:
     docker-init must stay executable. */
  n = sb_write_atomic (dst, buf, (size_t) n, (st.st_mode & 0755) | 0444);
  if (n < 0)
    return sb_error (err, (int) -n, "write `%s`", dst);
  return 0;
}

/* The policy snapshot sbd_container_create wrote, narrowed further by the
   OCI config: the calls its seccomp profile refuses, its masked and
   read-only paths, the network it asked for, and the copied files (as
   read-only volumes from the container's own directory). */
static int
narrow_policy (const char *dir, json_t *b, json_t *files, sb_error_t *err)
{
  cleanup_free struct sb_policy *p = calloc (1, sizeof (*p));
  char path[4300], froot[3900];
  json_t *v;
  size_t i;

  if (p == NULL)
    return sb_error (err, ENOMEM, "allocate");
  snprintf (path, sizeof (path), "%s/policy.conf", dir);
  if (sb_policy_load (p, NULL, path, err) < 0)
    return -1;
  json_array_foreach (json_object_get (b, "denies"), i, v)
    {
      const char *name = json_string_value (v);
      bool have = false;
      for (int k = 0; k < p->ndenies && !have; k++)
        have = strcmp (p->denies[k], name) == 0;
      if (have)
        continue;
      if (p->ndenies >= SB_POLICY_MAX_DENIES)
        return sb_error (err, E2BIG, "linux.seccomp: more than %d system calls to refuse", SB_POLICY_MAX_DENIES);
      snprintf (p->denies[p->ndenies++], sizeof (p->denies[0]), "%s", name);
    }
  json_array_foreach (json_object_get (b, "masked"), i, v)
    if (p->nhidden < SB_POLICY_MAX_PATHS)
      snprintf (p->hidden[p->nhidden++], sizeof (p->hidden[0]), "%s", json_string_value (v));
  json_array_foreach (json_object_get (b, "read_only"), i, v)
    if (p->nread_only < SB_POLICY_MAX_PATHS)
      snprintf (p->read_only[p->nread_only++], sizeof (p->read_only[0]), "%s", json_string_value (v));
  /* A namespace of its own (none) is never the host's; a joined one
     (netns) was allowed only under a host-mode policy. */
  if (strcmp (json_string_value (json_object_get (b, "network")) ?: "none", "none") == 0)
    p->network = SB_NET_NONE;
  snprintf (froot, sizeof (froot), "%.3800s/files", dir);
  if (json_array_size (files) > 0)
    {
      if (p->nvolume_roots >= SB_POLICY_MAX_PATHS)
        return sb_error (err, E2BIG, "too many volume roots");
      snprintf (p->volume_roots[p->nvolume_roots++], sizeof (p->volume_roots[0]), "%.3900s", froot);
    }
  json_array_foreach (files, i, v)
    {
      struct sb_volume *vol;
      bool bound = json_is_true (json_object_get (v, "bind"));
      if (p->nvolumes >= SB_POLICY_MAX_VOLUMES)
        return sb_error (err, E2BIG, "mounts: too many (at most %d with the policy's volumes)", SB_POLICY_MAX_VOLUMES);
      vol = &p->volumes[p->nvolumes++];
      snprintf (vol->name, sizeof (vol->name), "oci-file-%zu", i);
      if (bound)
        snprintf (vol->source, sizeof (vol->source), "%s", json_string_value (json_object_get (v, "source")));
      else
        snprintf (vol->source, sizeof (vol->source), "%.3900s/%zu", froot, i);
      snprintf (vol->target, sizeof (vol->target), "%s", json_string_value (json_object_get (v, "target")));
      vol->read_only = !bound;
    }
  return sbd_policy_save (p, path, err);
}

/* spec.json, what the monitor reads (as sandboxd writes it for its own
   starts, plus the bundle's rootfs and the OCI settings the monitor
   applies itself). */
static int
write_oci_spec (struct sbd_container *c, struct sbd_tenant *t, const char *dir, json_t *b, sb_error_t *err)
{
  json_t *cfg = c->config, *lim = json_object_get (cfg, "limits"), *spec;
  char path[4300], *text;
  int ret;

  spec = json_pack ("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:O, s:O, s:s?, s:{s:I, s:I, s:I, s:I},"
                    " s:{s:I, s:I}, s:I, s:s, s:I, s:b, s:s, s:O}",
                    "id", c->id, "tenant", c->tenant, "name", c->name,
                    "hostname", json_string_value (json_object_get (cfg, "hostname")),
                    "tty", json_is_true (json_object_get (cfg, "tty")), "stdin", 1,
                    "cwd", json_string_value (json_object_get (cfg, "cwd")),
                    "argv", json_object_get (cfg, "cmd"), "env", json_object_get (cfg, "env"),
                    "rootfs", json_string_value (json_object_get (cfg, "rootfs")),
                    "limits", "memory", (json_int_t) json_integer_value (json_object_get (lim, "memory")),
                    "swap", (json_int_t) json_integer_value (json_object_get (lim, "swap")),
                    "cpu_millis", (json_int_t) json_integer_value (json_object_get (lim, "cpu_millis")),
                    "pids", (json_int_t) json_integer_value (json_object_get (lim, "pids")),
                    "ids", "host", (json_int_t) t->ids.host, "count", (json_int_t) t->ids.count,
                    "log_max", (json_int_t) sbd->cfg.log_max, "audit_log", sbd->cfg.audit_log,
                    "audit_log_max", (json_int_t) sbd->cfg.audit_log_max, "oci", 1,
                    "created", c->created, "config", cfg);
  if (spec == NULL)
    return sb_error (err, EINVAL, "the container's settings are incomplete");
  sbd_spec_more_limits (json_object_get (spec, "limits"), lim);
  if (json_object_get (cfg, "user"))
    json_object_set (spec, "user", json_object_get (cfg, "user"));
  {
    static const char *const keys[] = { "layers", "upper", "work", NULL };
    for (int k = 0; keys[k]; k++)
      if (json_object_get (cfg, keys[k]))
        json_object_set (spec, keys[k], json_object_get (cfg, keys[k]));
  }
  /* A joined uts namespace gives its hostname; one the config names too
     must be that one (the monitor compares). */
  if (json_object_get (b, "utsns") && json_string_value (json_object_get (b, "hostname"))
      && json_string_value (json_object_get (b, "hostname"))[0])
    json_object_set_new (spec, "hostname_asked", json_true ());
  /* What the monitor applies itself: a netns (ipc, uts) to join, the root read-only,
     tmpfs mounts, the capabilities, rlimits. */
  {
    static const char *const keys[] = { "netns",   "netns_id",         "ipcns",        "ipcns_id",        "utsns",
                                        "utsns_id", "shm_size",        "shm_source",   "shm_id",          "read_only_root",
                                        "tmpfs",    "caps",
                                        "caps_inheritable", "caps_ambient", "rootfs_writable", "rlimits",
                                        "no_new_privs", "sysctl",      "own_mounts",   "oom_score_adj",   "pidns",
                                        "pidns_of", NULL };
    for (int k = 0; keys[k]; k++)
      if (json_object_get (b, keys[k]))
        json_object_set (spec, keys[k], json_object_get (b, keys[k]));
  }
  text = json_dumps (spec, JSON_INDENT (1));
  json_decref (spec);
  snprintf (path, sizeof (path), "%s/spec.json", dir);
  ret = text ? sb_write_atomic (path, text, strlen (text), 0600) : -ENOMEM;
  free (text);
  if (ret < 0)
    return sb_error (err, -ret, "write `%s`", path);
  return 0;
}

/* The identity ("DEV:INO") of the namespace of kind type at path, or NULL
   with why it is none. Opened only once it is a file of nsfs (the device
   of /proc/self/ns): a FIFO or a device named here must not block sandboxd
   or be touched. */
static const char *
ns_identity (const char *path, int type, char *id, size_t len)
{
  cleanup_close int fd = -1;
  struct stat st, nsfs;

  if (stat (path, &st) < 0)
    return strerror (errno);
  if (stat ("/proc/self/ns/ipc", &nsfs) < 0 || st.st_dev != nsfs.st_dev)
    return "not a namespace file";
  if ((fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
    return strerror (errno);
  if (fstat (fd, &st) < 0 || st.st_dev != nsfs.st_dev || ioctl (fd, NS_GET_NSTYPE) != type)
    return "a namespace of another kind";
  sb_ns_identity (&st, id, len);
  return NULL;
}

/* Whether pid, as it is now, is in the namespace id of kind, and (host
   given) not as the host is (sandboxd's own namespace is no container's). */
static bool
pid_in_namespace (pid_t pid, const char *kind, const char *id, const struct stat *host)
{
  char path[64], have[64];
  struct stat st;

  snprintf (path, sizeof (path), "/proc/%d/ns/%s", (int) pid, kind);
  if (stat (path, &st) < 0 || (host && st.st_dev == host->st_dev && st.st_ino == host->st_ino))
    return false;
  sb_ns_identity (&st, have, sizeof (have));
  return strcmp (have, id) == 0;
}

/* Whether pid is in the namespace id of kind, or one of its children
   is, or (depth 2) one of theirs; each child found known, once looked at,
   to be still pid's (a pid that was reused is another process). */
static bool
tree_in_namespace (pid_t pid, int depth, const char *kind, const char *id, const struct stat *host)
{
  char path[64], buf[4096], *p, *end;
  long child;

  if (pid_in_namespace (pid, kind, id, host))
    return true;
  if (depth == 0)
    return false;
  snprintf (path, sizeof (path), "/proc/%d/task/%d/children", (int) pid, (int) pid);
  if (sb_read_file_at (AT_FDCWD, path, buf, sizeof (buf)) < 0)
    return false;
  for (p = buf; (child = strtol (p, &end, 10)) > 0 && end != p; p = end)
    if (tree_in_namespace ((pid_t) child, depth - 1, kind, id, host) && sb_proc_child_of ((pid_t) child, pid))
      return true;
  return false;
}

/* The pid and start time the container's monitor wrote in dir
   (monitor.pid) before it made or joined any namespace. */
static bool
monitor_of (const char *dir, pid_t *pid, unsigned long long *start)
{
  char path[4300], buf[128];
  int p;

  snprintf (path, sizeof (path), "%s/monitor.pid", dir);
  if (sb_read_file_at (AT_FDCWD, path, buf, sizeof (buf)) < 0 || sscanf (buf, "%d %llu", &p, start) != 2 || p <= 0)
    return false;
  *pid = (pid_t) p;
  return true;
}

/* Whether the live processes of the container in dir are in the namespace
   id of kind (net, ipc or uts): its monitor, which makes an OCI
   container's namespaces in itself, its children (the Sentry, which
   sb_sandbox_start clones into new ones) and theirs (the Gofer, in a
   network namespace of its own; the sandbox's init). A namespace is the
   container's from the moment it is made, not only once the monitor has
   recorded it in namespaces.json: until then another tenant could name it
   by /proc/<pid>/ns and be admitted. The monitor wrote monitor.pid (its
   pid and start time) before it made or joined any; its start time, read
   again once its tree was looked at, tells it from a process that reused
   its pid. */
static bool
processes_in_namespace (const char *dir, const char *kind, const char *id, const struct stat *host)
{
  unsigned long long start;
  pid_t pid;

  return monitor_of (dir, &pid, &start) && tree_in_namespace (pid, 2, kind, id, host) && sb_proc_started_at (pid, start);
}

/* Our own namespace of kind (the host's, which is no container's) into
   *host; false when it cannot be read. */
static bool
host_namespace (const char *kind, struct stat *host)
{
  char own[64];

  snprintf (own, sizeof (own), "/proc/self/ns/%s", kind);
  return stat (own, host) == 0;
}

/* The tenant of a live container that is in the namespace id of kind, or
   NULL: its monitor recorded it in namespaces.json (monitor_start.c), or
   (net, ipc, uts) its monitor or a process below it is in it now. The
   same tenant's first when several have it. */
static const char *
ns_owner (const char *kind, const char *id, const char *prefer)
{
  const char *owner = NULL;
  char dir[4200], path[4300];
  struct stat host;
  bool live = strcmp (kind, "shm") != 0 && host_namespace (kind, &host);

  for (struct sbd_container *o = sbd->containers; o; o = o->next)
    {
      json_t *ns;
      bool same;

      if (o->state == SBD_EXITED)
        continue;
      sbd_container_dir (o, dir, sizeof (dir));
      snprintf (path, sizeof (path), "%s/namespaces.json", dir);
      ns = json_load_file (path, 0, NULL);
      same = ns && json_string_value (json_object_get (ns, kind))
             && strcmp (json_string_value (json_object_get (ns, kind)), id) == 0;
      json_decref (ns);
      if (!same && live)
        same = processes_in_namespace (dir, kind, id, &host);
      if (same && (owner == NULL || strcmp (o->tenant, prefer) == 0))
        owner = o->tenant;
    }
  return owner;
}

/* Whether a process in a sandbox's cgroup (sandboxd's /sandbox tree, where
   every sandbox without a cgroupsPath lives: `sandbox-runtime do`'s among
   them, which belong to no tenant) is in the network namespace id. Read
   from /proc, process by process: asked only of a namespace that no
   container of sandboxd's has. */
static bool
sandbox_in_netns (const char *id)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  bool found = false;

  while (d && !found && (e = readdir (d)) != NULL)
    {
      char path[300], buf[4096], *save = NULL;

      if (e->d_name[0] < '1' || e->d_name[0] > '9' || !pid_in_namespace ((pid_t) atoi (e->d_name), "net", id, NULL))
        continue;
      snprintf (path, sizeof (path), "/proc/%s/cgroup", e->d_name);
      if (sb_read_file_at (AT_FDCWD, path, buf, sizeof (buf)) < 0)
        continue;
      /* Lines "ID:CONTROLLERS:PATH", one per hierarchy. */
      for (char *line = strtok_r (buf, "\n", &save); line && !found; line = strtok_r (NULL, "\n", &save))
        {
          char *colon = strchr (line, ':');
          colon = colon ? strchr (colon + 1, ':') : NULL;
          found = colon && sb_cgroup_in_sandbox_tree (colon + 1);
        }
    }
  if (d)
    closedir (d);
  return found;
}

/* A pod's namespace that this container joins (kind "ipc" or "uts";
   Kubernetes gives /proc/<pid>/ns/ipc of the pod's first container, whose
   pid is its monitor's; so does `docker --ipc container:X`). Only one that
   a live container of the same tenant made or joined. Never the host's,
   never another tenant's: a shared ipc namespace is shared memory. The
   identity goes to the monitor, which checks that what it opens is still
   that namespace. */
static bool
pod_namespace (struct sbd_request *r, const struct sbd_tenant *t, json_t *b, const char *kind, int type)
{
  char key[16], idkey[16], id[64];
  const char *nspath, *why, *owner;

  snprintf (key, sizeof (key), "%sns", kind);
  snprintf (idkey, sizeof (idkey), "%sns_id", kind);
  json_object_del (b, idkey); /* ours to give, never the client's */
  nspath = json_string_value (json_object_get (b, key));
  if (json_object_get (b, key) == NULL)
    return true;
  if (nspath == NULL || nspath[0] != '/')
    {
      sbd_reply_error (r, 400, "bad_request", "%s: an absolute path (linux.namespaces)", key);
      return false;
    }
  if ((why = ns_identity (nspath, type, id, sizeof (id))) != NULL)
    {
      sbd_reply_error (r, 400, "bad_request", "linux.namespaces: %s path `%s` is no %s namespace: %s", kind, nspath,
                       kind, why);
      return false;
    }
  owner = ns_owner (kind, id, t->name);
  if (owner && strcmp (owner, t->name) == 0)
    {
      json_object_set_new (b, idkey, json_string (id));
      return true;
    }
  sbd_audit (r, nspath, "denied-namespace");
  sbd_reply_error (r, 403, "policy", "linux.namespaces: the %s namespace `%s` is not one of tenant %s's containers' "
                   "(a container may join only the namespaces of its own tenant's)", kind, nspath, t->name);
  return false;
}

/* A pod's pid namespace (Kubernetes' shareProcessNamespace, `docker --pid
   container:X`, a podman pod sharing pid): the engines name it as
   /proc/<pid>/ns/pid of the pod's first container, whose pid is its
   monitor's, so the path names the host's pid namespace and only the pid
   tells the container. Only a live container of the same tenant, known by
   its monitor's pid and start time (a reused pid is another process). The
   monitor finds that container's Sentry's and app's pid namespaces below
   that process, and checks the start time again (monitor_oci.c). */
static bool
pod_pid_namespace (struct sbd_request *r, const struct sbd_tenant *t, json_t *b)
{
  const char *nspath, *owner = NULL;
  char want[64], dir[4200], of[64] = "";
  unsigned long long start;
  long pid = 0;

  json_object_del (b, "pidns_of"); /* ours to give, never the client's */
  if (json_object_get (b, "pidns") == NULL)
    return true;
  nspath = json_string_value (json_object_get (b, "pidns"));
  if (nspath && strncmp (nspath, "/proc/", 6) == 0)
    {
      char *end;
      pid = strtol (nspath + 6, &end, 10);
      snprintf (want, sizeof (want), "/proc/%ld/ns/pid", pid);
      if (pid <= 0 || pid > (1 << 30) || strcmp (nspath, want) != 0)
        pid = 0;
    }
  if (pid == 0)
    {
      sbd_reply_error (r, 400, "bad_request", "linux.namespaces: pid path `%s`: a pod's pid namespace is named as "
                       "/proc/PID/ns/pid of its first container (PID as its runtime reported it)", nspath ?: "");
      return false;
    }
  for (struct sbd_container *o = sbd->containers; o; o = o->next)
    {
      pid_t mpid;

      if (o->state == SBD_EXITED)
        continue;
      sbd_container_dir (o, dir, sizeof (dir));
      if (!monitor_of (dir, &mpid, &start) || mpid != pid || !sb_proc_started_at (mpid, start))
        continue;
      owner = o->tenant;
      snprintf (of, sizeof (of), "%ld %llu", pid, start);
      break;
    }
  if (owner && strcmp (owner, t->name) == 0)
    {
      json_object_set_new (b, "pidns_of", json_string (of));
      return true;
    }
  sbd_audit (r, nspath, "denied-namespace");
  sbd_reply_error (r, 403, "policy", "linux.namespaces: the pid namespace `%s` is not one of tenant %s's containers' "
                   "(a container may join only the pid namespace of a live container of its own tenant, named by "
                   "the pid its runtime reported)", nspath, t->name);
  return false;
}

/* A network namespace to join (Docker's --network container:X, a CNI
   namespace of the engine's): never one of another tenant's sandboxes,
   whose loopback services would then be the joiner's to reach. */
static bool
netns_not_foreign (struct sbd_request *r, const struct sbd_tenant *t, json_t *b)
{
  const char *nspath, *why, *owner;
  char id[64];

  json_object_del (b, "netns_id"); /* ours to give, never the client's */
  nspath = json_string_value (json_object_get (b, "netns"));
  if (nspath == NULL)
    return true;
  if ((why = ns_identity (nspath, CLONE_NEWNET, id, sizeof (id))) != NULL)
    {
      sbd_reply_error (r, 400, "bad_request", "linux.namespaces: network path `%s` is no network namespace: %s",
                       nspath, why);
      return false;
    }
  owner = ns_owner ("net", id, t->name);
  if (owner == NULL && sandbox_in_netns (id))
    {
      sbd_audit (r, nspath, "denied-namespace");
      sbd_reply_error (r, 403, "policy", "linux.namespaces: the network namespace `%s` is a sandbox's that is no "
                       "container of tenant %s's", nspath, t->name);
      return false;
    }
  if (owner == NULL || strcmp (owner, t->name) == 0)
    {
      /* The monitor checks that the path still names it when it joins. */
      json_object_set_new (b, "netns_id", json_string (id));
      return true;
    }
  sbd_audit (r, nspath, "denied-namespace");
  sbd_reply_error (r, 403, "policy", "linux.namespaces: the network namespace `%s` is another tenant's container's",
                   nspath);
  return false;
}

/* The Kubernetes pod a container's annotations name (its uid), or NULL. */
static const char *
pod_uid (json_t *labels)
{
  static const char *const keys[] = { "io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid", NULL };
  const char *dir = json_string_value (json_object_get (labels, "io.kubernetes.cri.sandbox-log-directory"));

  for (int k = 0; keys[k]; k++)
    {
      const char *v = json_string_value (json_object_get (labels, keys[k]));
      if (v && v[0] && strlen (v) < 128 && !strchr (v, '/'))
        return v;
    }
  /* containerd's CRI before it gave the uid: /var/log/pods/NS_NAME_UID. */
  if (dir && strrchr (dir, '_') && strrchr (dir, '_')[1] && !strchr (strrchr (dir, '_'), '/')
      && strlen (strrchr (dir, '_')) < 128)
    return strrchr (dir, '_') + 1;
  return NULL;
}

/* A live OCI container of tenant t (or, with foreign, of any other
   tenant) whose name (the OCI id) or pod uid is id. */
static bool
live_container_named (const struct sbd_tenant *t, bool foreign, const char *id, bool by_pod)
{
  for (struct sbd_container *o = sbd->containers; o; o = o->next)
    {
      const char *v = by_pod ? pod_uid (json_object_get (o->config, "labels")) : o->name;
      if (o->state != SBD_EXITED && json_object_get (o->config, "oci") && v && strcmp (v, id) == 0
          && (strcmp (o->tenant, t->name) != 0) == foreign)
        return true;
    }
  return false;
}

/* Whether owner, the directory of an engine's (below one of the runtime's
   file-roots: a container's id, a pod's sandbox id or uid) that a file or
   volume lies in, is the container's own (name, uid) or a live OCI
   container's of tenant t, and no live container's of another tenant. */
static bool
owner_ok (const struct sbd_tenant *t, const char *name, const char *uid, const char *owner)
{
  /* Names are each tenant's own: a name (or pod) another tenant's live
     container bears too is no one's to claim. */
  if (owner == NULL || live_container_named (t, true, owner, false) || live_container_named (t, true, owner, true))
    return false;
  return (name && strcmp (owner, name) == 0) || (uid && strcmp (owner, uid) == 0)
         || live_container_named (t, false, owner, false) || live_container_named (t, false, owner, true);
}

/* What an OCI container takes from the engines' directories (the runtime's
   file-roots) comes from its own directory there: each small file copied
   in (runtime/oci_spec.c) and each volume that lies there names the
   directory below the root ("owner"), which must be the container's id,
   its pod's uid, or the id or pod of a live container of the same tenant
   (Docker's --network container:X binds X's /etc/hosts, a CRI pod's
   members their sandbox's, the kubelet gives a pod's volumes from its
   pods/<uid>); never another tenant's container's (Docker's config.v2.json
   of it holds its environment, the kubelet's pod directory its secrets).
   The runtime says which files its configuration names one by one
   ("shared": docker-init). */
static bool
files_owned (struct sbd_request *r, const struct sbd_tenant *t, json_t *b, const char *name, json_t *files)
{
  const char *uid = pod_uid (json_object_get (b, "labels"));
  json_t *v;
  size_t i;

  if (uid && live_container_named (t, true, uid, true))
    {
      sbd_audit (r, uid, "denied-pod");
      sbd_reply_error (r, 403, "policy", "annotations: the pod `%s` is another tenant's", uid);
      return false;
    }
  json_array_foreach (files, i, v)
    {
      const char *owner = json_string_value (json_object_get (v, "owner"));
      if (json_is_true (json_object_get (v, "shared")) || owner_ok (t, name, uid, owner))
        continue;
      sbd_audit (r, json_string_value (json_object_get (v, "source")), "denied-file");
      sbd_reply_error (r, 403, "policy", "mounts: %s: `%s` is not the container's own file, nor its pod's or one of "
                       "tenant %s's live containers' (`%s`)", json_string_value (json_object_get (v, "target")),
                       json_string_value (json_object_get (v, "source")), t->name, owner ? owner : "none");
      return false;
    }
  json_array_foreach (json_object_get (b, "volumes"), i, v)
    {
      const char *owner = json_string_value (json_object_get (v, "owner"));
      if (json_object_get (v, "owner") == NULL || owner_ok (t, name, uid, owner))
        continue;
      sbd_audit (r, json_string_value (json_object_get (v, "source")), "denied-file");
      sbd_reply_error (r, 403, "policy", "mounts: %s: `%s` is not the container's own directory of the engine's, nor "
                       "its pod's or one of tenant %s's live containers' (`%s`)",
                       json_string_value (json_object_get (v, "target")),
                       json_string_value (json_object_get (v, "source")), t->name, owner ? owner : "none");
      return false;
    }
  return true;
}

/* Whether the directory of the O_PATH descriptor fd holds nothing. */
static bool
tmpfs_empty (int fd)
{
  int dfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  struct dirent *e;
  bool empty = d != NULL;

  if (d == NULL && dfd >= 0)
    close (dfd);
  while (d && empty && (e = readdir (d)) != NULL)
    empty = strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0;
  if (d)
    closedir (d);
  return empty;
}

/* The engine's shm tmpfs to be the container's /dev/shm (a pod's, which
   its members bind; runtime/oci_spec.c sends one only from its
   shm-roots, with the engine's directory it lies in, "shm_owner"). Never
   another tenant's (one its live container has): its shared memory. Only
   one of the container's own directory there, its pod's or a live
   container's of the same tenant (owner_ok): never the shm of a
   container that is not a sandbox of this tenant (runc's). Then one a
   live container of the same tenant has (the pod's), or an empty one no
   live container has (the engine made it for this one); never one that
   still holds the files of containers that have ended, whoever's they
   were. Its identity goes to the monitor, which checks that what it opens
   is still that tmpfs. */
static bool
shm_not_foreign (struct sbd_request *r, const struct sbd_tenant *t, json_t *b, const char *name)
{
  const char *src, *owner, *dir = json_string_value (json_object_get (b, "shm_owner"));
  char id[64];
  cleanup_error sb_error_t err = NULL;
  cleanup_close int fd = -1;

  json_object_del (b, "shm_id"); /* ours to give, never the client's */
  if (json_object_get (b, "shm_source") == NULL)
    return true;
  src = json_string_value (json_object_get (b, "shm_source"));
  if (!sbd_clean_absolute (src))
    {
      sbd_reply_error (r, 400, "bad_request", "shm_source: a clean absolute path (mounts: /dev/shm)");
      return false;
    }
  if ((fd = sb_open_host_shm (src, id, sizeof (id), &err)) < 0)
    {
      sbd_reply_error (r, 400, "bad_request", "mounts (/dev/shm): %s", err->msg);
      return false;
    }
  owner = ns_owner ("shm", id, t->name);
  if (owner && strcmp (owner, t->name) != 0)
    {
      sbd_audit (r, src, "denied-namespace");
      sbd_reply_error (r, 403, "policy", "mounts: the /dev/shm `%s` is another tenant's container's", src);
      return false;
    }
  if (!owner_ok (t, name, pod_uid (json_object_get (b, "labels")), dir))
    {
      sbd_audit (r, src, "denied-namespace");
      sbd_reply_error (r, 403, "policy", "mounts: the /dev/shm `%s` is not the container's own, nor its pod's or one "
                       "of tenant %s's live containers' (`%s`)", src, t->name, dir ? dir : "none");
      return false;
    }
  if (owner == NULL && !tmpfs_empty (fd))
    {
      sbd_audit (r, src, "denied-namespace");
      sbd_reply_error (r, 403, "policy", "mounts: the /dev/shm `%s` holds the files of containers that have ended "
                       "(none of tenant %s's live containers has it)", src, t->name);
      return false;
    }
  json_object_set_new (b, "shm_id", json_string (id));
  return true;
}

static void
oci_create (struct sbd_request *r)
{
  json_t *b = r->body, *cfg = json_object (), *v, *files;
  const char *tn = json_string_value (json_object_get (b, "tenant"));
  const char *name = json_string_value (json_object_get (b, "name"));
  const char *hostname = json_string_value (json_object_get (b, "hostname"));
  const char *network = json_string_value (json_object_get (b, "network")) ?: "none";
  struct sbd_tenant *t = tn ? sbd_tenant_by_name (sbd, tn) : NULL;
  cleanup_error sb_error_t err = NULL;
  struct sbd_container *c;
  const struct sb_policy *p;
  char dir[4200], sock[4300];
  size_t i;
  int live = 0;

  if (t == NULL || !t->present)
    {
      sbd_reply_error (r, 400, "bad_request", "tenant: %s", tn ? "no such tenant" : "missing");
      goto out;
    }
  p = t->policy;
  if (!sbd_clean_absolute (json_string_value (json_object_get (b, "rootfs"))))
    {
      sbd_reply_error (r, 400, "bad_request", "root.path: an absolute path");
      goto out;
    }
  v = json_object_get (b, "oom_score_adj");
  if (v && (!json_is_integer (v) || json_integer_value (v) < -1000 || json_integer_value (v) > 1000))
    {
      sbd_reply_error (r, 400, "bad_request", "process.oomScoreAdj: -1000 to 1000");
      goto out;
    }
  /* Below 0 the host's OOM killer passes over the app for other tenants'
     processes: only as far as the tenant's policy lets (Kubernetes gives
     Guaranteed pods -997), never -1000. */
  if (v && json_integer_value (v) < p->oom_score_adj_min)
    {
      sbd_audit (r, "oom_score_adj", "denied-limit");
      sbd_reply_error (r, 403, "policy", "process.oomScoreAdj: %lld is below tenant %s's limits.oom-score-adj-min (%d): "
                       "the host's OOM killer would pass over the app and end other tenants' processes first",
                       (long long) json_integer_value (v), t->name, (int) p->oom_score_adj_min);
      goto out;
    }
  json_object_set_new (cfg, "image", json_string ("oci"));
  v = json_object_get (b, "layers");
  if (v)
    {
      /* The rootfs is an overlayfs of these directories (the runtime read
         them from its mount table): the sandbox stacks them itself. */
      json_t *l;
      if (!json_is_array (v) || json_array_size (v) == 0 || json_array_size (v) > 128)
        {
          sbd_reply_error (r, 400, "bad_request", "layers: a list of at most 128 directories");
          goto out;
        }
      json_array_foreach (v, i, l)
        if (!sbd_clean_absolute (json_string_value (l)))
          {
            sbd_reply_error (r, 400, "bad_request", "layers[%zu]: an absolute path", i);
            goto out;
          }
      json_object_set (cfg, "layers", v);
      /* Their writable layer and its workdir, side by side (libsandbox
         checks them again where it opens them). */
      const char *upper = json_string_value (json_object_get (b, "upper"));
      const char *work = json_string_value (json_object_get (b, "work"));
      if (upper || work)
        {
          if (!sbd_clean_absolute (upper) || !sbd_clean_absolute (work))
            {
              sbd_reply_error (r, 400, "bad_request", "upper, work: absolute paths, both or neither");
              goto out;
            }
          json_object_set_new (cfg, "upper", json_string (upper));
          json_object_set_new (cfg, "work", json_string (work));
        }
    }
  else
    json_object_set (cfg, "rootfs", json_object_get (b, "rootfs"));
  if (!sbd_string_array (json_object_get (b, "cmd"), true) || !sbd_string_array (json_object_get (b, "env"), false))
    {
      sbd_reply_error (r, 400, "bad_request", "process.args, process.env: lists of strings (args not empty)");
      goto out;
    }
  json_object_set (cfg, "cmd", json_object_get (b, "cmd"));
  json_object_set (cfg, "env", json_object_get (b, "env"));
  if (name && !sbd_valid_name (name))
    name = NULL;
  if (name && !sbd_name_free (r, t->name, name))
    goto out;
  if (name)
    json_object_set_new (cfg, "name", json_string (name));
  /* An OCI config's empty hostname means none given. */
  hostname = sbd_create_hostname (r, t, p, hostname && hostname[0] ? hostname : NULL);
  if (hostname == NULL)
    goto out;
  json_object_set_new (cfg, "hostname", json_string (hostname));
  v = json_object_get (b, "cwd");
  json_object_set_new (cfg, "cwd", json_string (sbd_clean_absolute (json_string_value (v)) ? json_string_value (v) : "/"));
  if ((v = json_object_get (b, "user")) != NULL)
    {
      json_t *u = sbd_parse_user (v);
      if (u == NULL)
        {
          sbd_reply_error (r, 400, "bad_request", "process.user: uid and gid below 65536");
          goto out;
        }
      json_object_set_new (cfg, "user", u);
    }
  if (strcmp (network, "host") == 0 && p->network != SB_NET_HOST)
    {
      sbd_reply_error (r, 403, "policy", "network: tenant %s's policy allows only network mode none", t->name);
      goto out;
    }
  if (json_object_get (b, "netns") && p->network != SB_NET_HOST)
    {
      sbd_reply_error (r, 403, "policy", "network: tenant %s's policy allows only its own loopback (mode none)",
                       t->name);
      goto out;
    }
  if (!pod_namespace (r, t, b, "ipc", CLONE_NEWIPC) || !pod_namespace (r, t, b, "uts", CLONE_NEWUTS)
      || !pod_pid_namespace (r, t, b) || !netns_not_foreign (r, t, b) || !shm_not_foreign (r, t, b, name))
    goto out;
  v = json_object_get (b, "shm_size");
  if (v && (!json_is_integer (v) || json_integer_value (v) < 4096 || json_integer_value (v) > (json_int_t) 1 << 40))
    {
      sbd_reply_error (r, 400, "bad_request", "shm_size: bytes of /dev/shm, 4 KiB to 1 TiB (mounts)");
      goto out;
    }
  json_object_set_new (cfg, "limits", json_object ());
  if (!sbd_check_limits (r, p, json_object_get (b, "limits"), json_object_get (cfg, "limits")))
    goto out;
  json_object_set_new (cfg, "volumes", json_array ());
  if (!sbd_check_volumes (r, p, json_object_get (b, "volumes"), json_object_get (cfg, "volumes")))
    goto out;
  files = json_object_get (b, "files");
  if (files && (!json_is_array (files) || json_array_size (files) > OCI_FILES_MAX))
    {
      sbd_reply_error (r, 400, "bad_request", "files: at most %d {source, target}", OCI_FILES_MAX);
      goto out;
    }
  json_array_foreach (files, i, v)
    if (!sbd_clean_absolute (json_string_value (json_object_get (v, "source")))
        || !sbd_clean_absolute (json_string_value (json_object_get (v, "target"))))
      {
        sbd_reply_error (r, 400, "bad_request", "files[%zu]: absolute source and target", i);
        goto out;
      }
  if (!files_owned (r, t, b, name, files))
    goto out;
  /* A small file the engine binds writable, of the container's own
     directory there (files_owned), that the tenant's volume-roots hold
     (the kubelet's pods/<uid>, whose containers/<name>/<id> is the
     container's /dev/termination-log, read back once it has ended): bound
     as it is, read-write, as a volume would be, not copied. Any other is
     copied, read-only. The mark is ours, never the client's. */
  json_array_foreach (files, i, v)
    {
      json_object_del (v, "bind");
      if (json_is_true (json_object_get (v, "writable")) && json_object_get (v, "owner")
          && sb_policy_in_volume_roots (p, json_string_value (json_object_get (v, "source"))))
        json_object_set_new (v, "bind", json_true ());
    }
  json_array_foreach (json_object_get (b, "denies"), i, v)
    if (!json_is_string (v) || sb_syscall_by_name (json_string_value (v)) < 0)
      {
        sbd_reply_error (r, 400, "bad_request", "denies[%zu]: not a system call of the table", i);
        goto out;
      }
  json_object_set_new (cfg, "restart", json_string ("no"));
  json_object_set_new (cfg, "tty", json_boolean (json_is_true (json_object_get (b, "tty"))));
  json_object_set_new (cfg, "stdin", json_true ());
  v = json_object_get (b, "labels");
  json_object_set_new (cfg, "labels", json_is_object (v) ? json_deep_copy (v) : json_object ());
  json_object_set_new (cfg, "oci", json_pack ("{s:s, s:s}", "bundle",
                                              json_string_value (json_object_get (b, "bundle")) ?: "",
                                              "network", network));
  v = json_object_get (b, "cgroup");
  if (v)
    {
      /* The config's cgroupsPath, which the runtime's configuration lets
         it follow: a path of its own, never sandboxd's sandbox/ tree. */
      const char *cg = json_string_value (v);
      if (!sb_cgroup_path_foreign (cg))
        {
          sbd_reply_error (r, 400, "bad_request", "cgroup: a clean absolute cgroup path outside /sandbox "
                           "(linux.cgroupsPath)");
          goto out;
        }
      json_object_set (json_object_get (cfg, "oci"), "cgroup", v);
    }
  for (struct sbd_container *o = sbd->containers; o; o = o->next)
    live += strcmp (o->tenant, t->name) == 0 && o->state != SBD_EXITED;
  if (p->max_containers && live >= (int) p->max_containers)
    {
      sbd_audit (r, "containers", "denied-limit");
      sbd_reply_error (r, 429, "policy", "limits.containers: tenant %s may have %u containers at once", t->name,
                       p->max_containers);
      goto out;
    }
  c = sbd_container_create (sbd, t, cfg, &err);
  if (c == NULL)
    {
      sbd_reply_error (r, 500, "internal", "%s", err->msg);
      goto out;
    }
  sbd_container_dir (c, dir, sizeof (dir));
  if (json_string_value (json_object_get (b, "shm_id")))
    {
      /* The pod's shm is this tenant's from now on, not once the monitor
         records it: another tenant's create in between must find it so. */
      char path[4300];
      json_t *ns = json_pack ("{s:O}", "shm", json_object_get (b, "shm_id"));
      cleanup_free char *text = ns ? json_dumps (ns, 0) : NULL;
      ssize_t ret = text ? 0 : -ENOMEM;
      json_decref (ns);
      snprintf (path, sizeof (path), "%s/namespaces.json", dir);
      if (ret == 0)
        ret = sb_write_atomic (path, text, strlen (text), 0600);
      if (ret < 0)
        sb_error (&err, (int) -ret, "write `%s`", path);
    }
  if (json_array_size (files) > 0)
    {
      char fdir[4300], dst[4400];
      snprintf (fdir, sizeof (fdir), "%s/files", dir);
      if (mkdir (fdir, 0755) < 0)
        sb_error (&err, errno, "mkdir `%s`", fdir);
      json_array_foreach (files, i, v)
        {
          snprintf (dst, sizeof (dst), "%s/%zu", fdir, i);
          if (err == NULL && !json_is_true (json_object_get (v, "bind"))
              && copy_file (json_string_value (json_object_get (v, "source")), dst, &err) < 0)
            sb_error_prefix (&err, "mounts: %s", json_string_value (json_object_get (v, "target")));
        }
    }
  if (err || narrow_policy (dir, b, files, &err) < 0 || write_oci_spec (c, t, dir, b, &err) < 0)
    {
      int status = err->status == E2BIG || err->status == EINVAL || err->status == ENOENT ? 400 : 500;
      sbd_reply_error (r, status, status == 400 ? "bad_request" : "internal", "%s", err->msg);
      sbd_container_remove (sbd, c, NULL);
      goto out;
    }
  sbd_container_socket (c, sock, sizeof (sock));
  sbd_event (c, "create");
  sbd_reply_json (r, 201, json_pack ("{s:s, s:s, s:s, s:s, s:I, s:I}", "id", c->id, "name", c->name, "dir", dir,
                                     "socket", sock, "disk", (json_int_t) p->disk_bytes, "swap",
                                     json_integer_value (json_object_get (json_object_get (c->config, "limits"), "swap"))));
out:
  json_decref (cfg);
}

/* The monitor sandbox-runtime started has made the sandbox. */
static void
oci_started (struct sbd_request *r)
{
  const char *id = r->nparts >= 4 ? r->parts[3] : "";
  struct sbd_container *c = sbd_container_by_id (sbd, id);
  struct timespec ts;
  struct tm tm;
  size_t k;

  if (c == NULL || !json_object_get (c->config, "oci"))
    {
      sbd_reply_error (r, 404, "not_found", "no such OCI container: %s", id);
      return;
    }
  if (c->state != SBD_CREATED)
    {
      sbd_reply_error (r, 409, "conflict", "container %s is %s", c->name, sbd_state_name (c->state));
      return;
    }
  c->state = SBD_RUNNING;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  k = strftime (c->started, sizeof (c->started), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (c->started + k, sizeof (c->started) - k, ".%09ldZ", ts.tv_nsec);
  sbd->metrics.starts++;
  sbd_container_save (c);
  if (sbd_monitor_watch (c) < 0)
    {
      /* Already gone: it ran and ended before we looked. */
      sbd_container_monitor_gone (c);
    }
  else
    sbd_event (c, "start");
  sbd_reply_empty (r, 204);
}

/* New limits of a running OCI container (sandbox-runtime update): within
   its tenant's policy, checked as at create; the keys given replace the
   container's, the others stay. */
static void
oci_update (struct sbd_request *r)
{
  const char *id = r->nparts >= 4 ? r->parts[3] : "";
  struct sbd_container *c = sbd_container_by_id (sbd, id);
  struct sbd_tenant *t = c ? sbd_tenant_by_name (sbd, c->tenant) : NULL;
  json_t *in = json_object_get (r->body, "limits"), *now, *lim = json_object (), *checked = NULL;
  struct sb_cgroup_limits l = { 0 };
  struct sb_cgroup cg;
  cleanup_error sb_error_t err = NULL;

  if (c == NULL || !json_object_get (c->config, "oci") || t == NULL || !t->present)
    {
      sbd_reply_error (r, 404, "not_found", "no such OCI container: %s", id);
      goto out;
    }
  if (c->state != SBD_RUNNING && c->state != SBD_CREATED)
    {
      sbd_reply_error (r, 409, "conflict", "container %s is %s", c->name, sbd_state_name (c->state));
      goto out;
    }
  if (!json_is_object (in))
    {
      sbd_reply_error (r, 400, "bad_request", "limits: an object");
      goto out;
    }
  now = json_object_get (c->config, "limits");
  /* Checked against the container's memory limit as it is, if not changed
     (a reservation may not be above it). */
  checked = json_copy (in);
  if (!json_object_get (in, "memory") && json_integer_value (json_object_get (now, "memory")) > 0)
    json_object_set (checked, "memory", json_object_get (now, "memory"));
  /* A quota without a period keeps the container's period: checked, and
     its cpus counted, with that one. */
  if (json_object_get (in, "cpu_quota") && !json_object_get (in, "cpu_period")
      && json_integer_value (json_object_get (now, "cpu_period")) > 0)
    {
      json_object_set (checked, "cpu_period", json_object_get (now, "cpu_period"));
      json_object_del (checked, "cpus");
    }
  if (!sbd_check_limits (r, t->policy, checked, lim))
    goto out;
  /* What was not asked for stays as it is (sbd_check_limits fills in the
     policy's, for a new container); swap goes with memory+swap. */
  {
    static const char *const asked[][2] = { { "memory", "memory" }, { "cpus", "cpu_millis" }, { "pids", "pids" } };
    for (size_t k = 0; k < sizeof (asked) / sizeof (asked[0]); k++)
      if (!json_object_get (in, asked[k][0]))
        json_object_del (lim, asked[k][1]);
    if (!json_object_get (in, "swap_at_most"))
      json_object_set_new (lim, "swap", json_integer (json_integer_value (json_object_get (now, "swap"))));
  }
  sb_cgroup_limits_from_json (lim, &l);
  if (sb_cgroup_open_named (&cg, sb_cgroup_root (), sbd_container_cgroup (c), &err) < 0 || cg.ndirs == 0
      || sb_cgroup_update_limits (&cg, &l, &err) < 0)
    {
      sb_cgroup_close (&cg);
      sbd_reply_error (r, err ? 409 : 404, err ? "conflict" : "not_found", "container %s: %s", c->name,
                       err ? err->msg : "it has no cgroup (it is not running)");
      goto out;
    }
  sb_cgroup_close (&cg);
  if (!json_is_object (now))
    json_object_set_new (c->config, "limits", now = json_object ());
  /* New cpus without a quota of their own: the old quota goes. */
  if (json_object_get (lim, "cpu_millis") && !json_object_get (lim, "cpu_quota"))
    {
      json_object_del (now, "cpu_quota");
      json_object_del (now, "cpu_period");
    }
  json_object_update (now, lim);
  sbd_container_save (c);
  sbd_audit (r, c->id, "update");
  sbd_reply_json (r, 200, json_pack ("{s:O}", "limits", now));
out:
  json_decref (checked);
  json_decref (lim);
}

const struct sbd_route sbd_oci_routes[] = {
  { EVHTTP_REQ_POST, "/v1/oci/containers", oci_create, SBD_ADMIN_ONLY | SBD_JSON_BODY, "oci.create" },
  { EVHTTP_REQ_POST, "/v1/oci/containers/:id/started", oci_started, SBD_ADMIN_ONLY, "oci.started" },
  { EVHTTP_REQ_POST, "/v1/oci/containers/:id/update", oci_update, SBD_ADMIN_ONLY | SBD_JSON_BODY, "oci.update" },
  { 0, NULL, NULL, 0, NULL },
};
