/* The OCI config, read once here (untrusted input: every field checked for
   its type), as the request sandboxd admits under the tenant's policy.
   What a sandbox cannot give is refused with the config's own key: host
   devices, capabilities beyond Docker's set, joining namespaces other
   than a network one, hooks inside the container, sysctls that are not
   namespaced. What the sandbox provides itself (/proc, /dev, /sys, their
   masks) satisfies the config's mounts of them. docs/OCI.md has the table. */
#include "config.h"
#include "oci.h"
#include "cgroup.h"
#include "sandbox.h"
#include "capabilities.h"
#include "cleanup.h"
#include "policy/policy.h"
#include "syscall_table.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OCI_FILE_COPY_MAX (1 << 20)

static const char *const cap_names[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
  "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
  "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
  "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
  NULL,
};

static int
cap_number (const char *name)
{
  for (int i = 0; cap_names[i]; i++)
    if (strcmp (cap_names[i], name) == 0)
      return i;
  return -1;
}

/* Each capability set may only hold what the sandbox grants (Docker's
   set, over the tenant's own namespace); the bounding set narrows it. */
static int
check_capabilities (json_t *caps, json_t *req, sb_error_t *err)
{
  static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient", NULL };
  uint64_t bounding = sb_caps_docker_default, inheritable = 0, ambient = 0;
  bool have_bounding = false;

  for (int s = 0; sets[s]; s++)
    {
      json_t *list = json_object_get (caps, sets[s]), *v;
      uint64_t mask = 0;
      size_t i;

      if (list == NULL)
        continue;
      if (!json_is_array (list))
        return sb_error (err, EINVAL, "process.capabilities.%s: a list of names", sets[s]);
      json_array_foreach (list, i, v)
        {
          const char *name = json_string_value (v);
          int nr = name ? cap_number (name) : -1;
          if (nr < 0)
            return sb_error (err, EINVAL, "process.capabilities.%s: unknown capability `%s`", sets[s],
                             name ? name : "?");
          if (!(sb_caps_docker_default & (1ull << nr)))
            return sb_error (err, EPERM, "process.capabilities.%s: %s is more than a sandbox grants "
                             "(Docker's default set, over the tenant's own user namespace)", sets[s], name);
          mask |= 1ull << nr;
        }
      if (strcmp (sets[s], "bounding") == 0)
        {
          bounding = mask;
          have_bounding = true;
        }
      else if (strcmp (sets[s], "inheritable") == 0)
        inheritable = mask;
      else if (strcmp (sets[s], "ambient") == 0)
        ambient = mask;
    }
  if (have_bounding)
    json_object_set_new (req, "caps", json_integer ((json_int_t) bounding));
  /* As runc: the inheritable set as given, the ambient one where the
     kernel allows it (in the inheritable and the bounding sets). */
  if (inheritable & bounding)
    json_object_set_new (req, "caps_inheritable", json_integer ((json_int_t) (inheritable & bounding)));
  if (ambient & inheritable & bounding)
    json_object_set_new (req, "caps_ambient", json_integer ((json_int_t) (ambient & inheritable & bounding)));
  return 0;
}

/* Mounts the sandbox makes itself: the config's are satisfied by them. */
static const char *const own_dests[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                                         "/sys/fs/cgroup", NULL };

/* Its index in own_dests, or -1. */
static int
sandbox_provided (const char *dest)
{
  for (int i = 0; own_dests[i]; i++)
    if (strcmp (dest, own_dests[i]) == 0)
      return i;
  return -1;
}

static bool
has_option (json_t *opts, const char *want)
{
  size_t i;
  json_t *v;

  json_array_foreach (opts, i, v)
    if (json_string_value (v) && strcmp (json_string_value (v), want) == 0)
      return true;
  return false;
}

/* Whether PATH is where a mount's root is. */
static bool
oci_mount_root (const char *path)
{
  struct statx stx;

  return statx (AT_FDCWD, path, AT_STATX_SYNC_AS_STAT, STATX_TYPE, &stx) == 0
         && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* The name of the directory below one of roots that real lies in (its
   first component under the root: a container's id, a pod's sandbox id or
   uid) to owner: "" when real is that root itself or the name does not
   fit. Returns the root, or NULL when real lies under none. */
static const char *
engine_dir (const char *real, char *const *roots, int nroots, char *owner, size_t len)
{
  const char *root = oci_root_of (real, roots, nroots), *rest;
  size_t n;

  owner[0] = '\0';
  if (root == NULL)
    return NULL;
  rest = real + strlen (root);
  rest += *rest == '/';
  n = strcspn (rest, "/");
  if (n < len)
    snprintf (owner, len, "%.*s", (int) n, rest);
  return root;
}

/* The config's /dev/shm. An engine's tmpfs bound there (the container's
   shm mount: Docker's, podman's, a CRI pod's, which a pod's members bind
   too) is the sandbox's /dev/shm, when it is the root of a tmpfs mount
   named shm in the runtime's shm-roots: so a pod's members share their
   POSIX shared memory as under runc (sandboxd admits one the same tenant's
   live containers have, or an empty one no live container has). Otherwise
   the sandbox has a tmpfs of its own, of the size the config gives (a
   tmpfs mount's size= option, or the size of the tmpfs bound there), 64
   MiB without one. Its pages are charged to the sandbox's memory cgroup,
   as the app's are. */
static int
shm_size (json_t *m, bool bind, size_t i, json_t *req, sb_error_t *err)
{
  const char *src = json_string_value (json_object_get (m, "source"));
  json_t *o;
  size_t k;
  uint64_t bytes = 0;

  if (bind)
    {
      struct statfs sf;
      char real[PATH_MAX];
      if (src && statfs (src, &sf) == 0 && sf.f_type == TMPFS_MAGIC)
        {
          bytes = (uint64_t) sf.f_blocks * (uint64_t) sf.f_bsize;
          char owner[256];
          const char *base = realpath (src, real) ? strrchr (real, '/') : NULL;
          const char *root = base ? engine_dir (real, oci_g.shm_roots, oci_g.nshm_roots, owner, sizeof (owner)) : NULL;
          if (root && strcmp (base, "/shm") == 0 && real[strlen (root)] == '/' && oci_mount_root (real))
            {
              /* With the engine's directory it lies in (a container's id,
                 a pod's sandbox id): sandboxd admits only the container's
                 own, its pod's or a live container's of its tenant. */
              json_object_set_new (req, "shm_source", json_string (real));
              json_object_set_new (req, "shm_owner", json_string (owner));
            }
        }
    }
  else
    json_array_foreach (json_object_get (m, "options"), k, o)
      {
        const char *opt = json_string_value (o);
        char v[32];
        size_t n;
        if (opt == NULL || strncmp (opt, "size=", 5) != 0)
          continue;
        /* sb_parse_size reads "64M"; mount options say "64m", "65536k". */
        n = (size_t) snprintf (v, sizeof (v), "%s", opt + 5);
        if (n > 0 && n < sizeof (v) && strchr ("kmgt", v[n - 1]))
          v[n - 1] = (char) (v[n - 1] - 'a' + 'A');
        if (n >= sizeof (v) || sb_parse_size (v, &bytes) < 0)
          return sb_error (err, EINVAL, "mounts[%zu] (/dev/shm): size `%s`: bytes, or with k, m or g", i, opt + 5);
      }
  if (bytes > 0 && bytes < 4096)
    return sb_error (err, EINVAL, "mounts[%zu] (/dev/shm): a size of at least 4 KiB", i);
  if (bytes > 0)
    json_object_set_new (req, "shm_size", json_integer ((json_int_t) bytes));
  return 0;
}

/* Whether a small file bound from src (real: where its links lead) is one
   of the engine's: true when a file-root names src itself (docker-init,
   catatonit: the same for every container); otherwise, when real lies in a
   directory below one of the file-roots, that directory's name (the
   container's id, its pod's sandbox id or uid) goes to owner. Neither: a
   volume. */
static bool
engine_file (const char *src, const char *real, char *owner, size_t len)
{
  const char *root;

  for (int k = 0; k < oci_g.nfile_roots; k++)
    if (strcmp (src, oci_g.file_roots[k]) == 0)
      return true;
  root = engine_dir (real, oci_g.file_roots, oci_g.nfile_roots, owner, len);
  /* In that directory, not the directory itself nor a file of the root's. */
  if (root == NULL || owner[0] == '\0' || real[strlen (root) + 1 + strlen (owner)] != '/')
    owner[0] = '\0';
  return false;
}

static int
translate_mounts (json_t *mounts, json_t *req, json_t *volume_mounts, sb_error_t *err)
{
  json_t *vols = json_array (), *files = json_array (), *tmpfs = json_array (), *m;
  /* The sandbox's own mounts the config names, in its order, for the
     Sentry (--own-mounts "proc,dev,dev/pts,..."): runc mounts them so, and
     runtime-tools checks it. A destination named twice counts where it
     first comes. */
  char own[128] = "";
  unsigned seen = 0;
  size_t i;

  json_object_set_new (req, "volumes", vols);
  json_object_set_new (req, "files", files);
  json_object_set_new (req, "tmpfs", tmpfs);
  if (mounts && !json_is_array (mounts))
    return sb_error (err, EINVAL, "mounts: a list");
  json_array_foreach (mounts, i, m)
    {
      const char *dest = json_string_value (json_object_get (m, "destination"));
      const char *type = json_string_value (json_object_get (m, "type")) ?: "";
      const char *src = json_string_value (json_object_get (m, "source"));
      json_t *opts = json_object_get (m, "options");
      bool bind = strcmp (type, "bind") == 0 || has_option (opts, "bind") || has_option (opts, "rbind");
      bool ro = has_option (opts, "ro");

      if (dest == NULL || dest[0] != '/')
        return sb_error (err, EINVAL, "mounts[%zu].destination: an absolute path", i);
      int own_index = sandbox_provided (dest);
      if (strcmp (dest, "/dev/shm") == 0 && shm_size (m, bind, i, req, err) < 0)
        return -1;
      if (own_index >= 0)
        {
          size_t len = strlen (own);
          if (!(seen & (1u << own_index)))
            snprintf (own + len, sizeof (own) - len, "%s%s", len ? "," : "", dest + 1);
          seen |= 1u << own_index;
          continue;
        }
      if (bind)
        {
          struct stat st;
          if (src == NULL || src[0] != '/')
            return sb_error (err, EINVAL, "mounts[%zu].source: an absolute host path", i);
          if (stat (src, &st) < 0)
            return sb_error (err, errno, "mounts[%zu] (%s): source `%s`", i, dest, src);
          char real[PATH_MAX], owner[256] = "";
          bool named = false;
          if (S_ISREG (st.st_mode) && st.st_size <= OCI_FILE_COPY_MAX && realpath (src, real))
            named = engine_file (src, real, owner, sizeof (owner));
          if (named || owner[0])
            {
              /* A small file the engine made for the container (/etc/hosts,
                 /etc/resolv.conf, /etc/hostname) or its init (docker-init):
                 sandboxd copies it, from where its links lead (docker-init
                 is one), refusing any link found there by then. Only from
                 the file-roots, judged where the links lead (a link an app
                 left in its volume there leads nowhere else), and only the
                 container's own (sandboxd checks the owner): any other file
                 is a volume, which the tenant's volume-roots bound (a copy
                 of /etc/shadow is no less a way out than a bind of it). */
              json_t *f = json_pack ("{s:s, s:s}", "source", real, "target", dest);
              json_object_set_new (f, named ? "shared" : "owner", named ? json_true () : json_string (owner));
              /* Bound without "ro": sandboxd binds it read-write where the
                 tenant's volume-roots hold it (a pod's termination log). */
              if (!named && !ro)
                json_object_set_new (f, "writable", json_true ());
              json_array_append_new (files, f);
            }
          else if (S_ISDIR (st.st_mode) || S_ISREG (st.st_mode))
            {
              json_t *vol = json_pack ("{s:s, s:s, s:b}", "source", src, "target", dest, "read_only", ro);
              /* A volume in the engines' directories (the kubelet's
                 pods/<uid>/volumes): only the container's own, its pod's
                 or a live container's of the same tenant (sandboxd
                 checks the owner, as for the small files). */
              if (realpath (src, real) && engine_dir (real, oci_g.file_roots, oci_g.nfile_roots, owner, sizeof (owner)))
                json_object_set_new (vol, "owner", json_string (owner));
              json_array_append_new (vols, vol);
              json_array_append_new (volume_mounts, json_integer ((json_int_t) i));
            }
          else
            return sb_error (err, EPERM, "mounts[%zu] (%s): `%s` is neither a directory nor a file", i, dest, src);
          continue;
        }
      if (strcmp (type, "tmpfs") == 0)
        {
          json_t *o = json_pack ("{s:s, s:O}", "target", dest, "options", opts ? opts : json_array ());
          json_array_append_new (tmpfs, o);
          continue;
        }
      return sb_error (err, EPERM, "mounts[%zu]: a %s mount at `%s` is not one a sandbox makes (bind, tmpfs, "
                       "and the sandbox's own /proc, /dev, /sys)", i, type[0] ? type : "typeless", dest);
    }
  if (mounts)
    json_object_set_new (req, "own_mounts", json_string (own));
  return 0;
}

static int
translate_namespaces (json_t *nss, json_t *req, sb_error_t *err)
{
  bool network = false;
  struct stat st;
  json_t *n;
  size_t i;

  json_array_foreach (nss, i, n)
    {
      const char *type = json_string_value (json_object_get (n, "type")) ?: "";
      const char *path = json_string_value (json_object_get (n, "path"));

      if (strcmp (type, "network") == 0)
        {
          network = true;
          if (path && path[0])
            {
              struct stat host, ours;
              if (stat (path, &st) < 0)
                return sb_error (err, errno, "linux.namespaces[%zu]: network path `%s`", i, path);
              /* Docker's --network host names the host's namespace (the
                 caller's own): that is network mode host, which the
                 tenant's policy must allow. */
              if ((stat ("/proc/1/ns/net", &host) == 0 && st.st_ino == host.st_ino && st.st_dev == host.st_dev)
                  || (stat ("/proc/self/ns/net", &ours) == 0 && st.st_ino == ours.st_ino && st.st_dev == ours.st_dev))
                {
                  network = false;
                  continue;
                }
              json_object_set_new (req, "netns", json_string (path));
              json_object_set_new (req, "network", json_string ("netns"));
            }
          continue;
        }
      if (path && path[0] && (strcmp (type, "ipc") == 0 || strcmp (type, "uts") == 0))
        {
          /* A pod's: Kubernetes (containerd's CRI, CRI-O) and `docker
             --ipc container:X` give /proc/<pid>/ns/ipc of the pod's first
             container, whose pid is its monitor's. sandboxd lets a
             container join only one that a container of the same tenant
             made (api_oci.c), and the monitor joins it (monitor_oci.c). */
          if (stat (path, &st) < 0)
            return sb_error (err, errno, "linux.namespaces[%zu]: %s path `%s`", i, type, path);
          json_object_set_new (req, type[0] == 'i' ? "ipcns" : "utsns", json_string (path));
          continue;
        }
      if (path && path[0] && strcmp (type, "pid") == 0)
        {
          /* A pod's (Kubernetes' shareProcessNamespace, `docker --pid
             container:X`): /proc/<pid>/ns/pid of its first container, whose
             pid is its monitor's. sandboxd finds that container by the pid
             (api_oci.c); the monitor joins its app's pid namespace
             (monitor_oci.c). */
          json_object_set_new (req, "pidns", json_string (path));
          continue;
        }
      if (path && path[0])
        return sb_error (err, EPERM, "linux.namespaces[%zu]: joining the %s namespace `%s`: a sandbox has its own (a "
                         "network, ipc, uts or pid namespace may be joined)", i, type, path);
    }
  if (!network)
    json_object_set_new (req, "network", json_string ("host"));
  return 0;
}

/* The keys of linux.resources a sandbox does not apply (docs/OCI.md):
   accepted, as before, but each one asked for is named in --log, as a
   warning, so that a caller who set it can see it did nothing. Zero,
   empty and default values are not warned of (engines send them). */
static void
warn_unapplied (json_t *res)
{
  static const struct
  {
    const char *group, *key;
  } keys[] = {
    { "cpu", "realtimeRuntime" }, { "cpu", "realtimePeriod" }, { "cpu", "idle" },
    { "memory", "kernel" },    { "memory", "kernelTCP" },    { "memory", "disableOOMKiller" },
    { "blockIO", "weight" },   { "blockIO", "leafWeight" },  { "blockIO", "weightDevice" },
    { NULL, "hugepageLimits" }, { NULL, "network" }, { NULL, "rdma" }, { NULL, "unified" },
  };

  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    {
      json_t *v = keys[i].group ? json_object_get (json_object_get (res, keys[i].group), keys[i].key)
                                : json_object_get (res, keys[i].key);
      bool asked = (json_is_integer (v) && json_integer_value (v) != 0)
                   || (json_is_string (v) && json_string_length (v) > 0) || json_is_true (v)
                   || (json_is_array (v) && json_array_size (v) > 0) || (json_is_object (v) && json_object_size (v) > 0);
      if (asked)
        oci_warn ("linux.resources.%s%s%s: not applied by a sandbox (accepted; docs/OCI.md)",
                  keys[i].group ? keys[i].group : "", keys[i].group ? "." : "", keys[i].key);
    }
}

/* linux.resources, as sandboxd's limits (which only narrow the policy's).
   NULL, with err set, for a value no kernel takes. */
json_t *
oci_spec_limits (json_t *res, sb_error_t *err)
{
  json_t *lim = json_object (), *cpu = json_object_get (res, "cpu"), *memory = json_object_get (res, "memory");
  json_t *swappiness = json_object_get (memory, "swappiness"), *swap = json_object_get (memory, "swap");
  json_int_t shares = json_integer_value (json_object_get (cpu, "shares"));
  json_int_t reservation = json_integer_value (json_object_get (memory, "reservation"));
  json_int_t mem = json_integer_value (json_object_get (memory, "limit"));
  json_int_t quota = json_integer_value (json_object_get (cpu, "quota"));
  json_int_t period = json_integer_value (json_object_get (cpu, "period"));
  json_int_t pids = json_integer_value (json_object_get (json_object_get (res, "pids"), "limit"));

  warn_unapplied (res);
  if (mem > 0)
    json_object_set_new (lim, "memory", json_integer (mem));
  if (quota > 0)
    {
      char buf[32];
      double cpus = (double) quota / (double) (period > 0 ? period : 100000);
      if (cpus < 0.01)
        cpus = 0.01;
      snprintf (buf, sizeof (buf), "%.3f", cpus);
      json_object_set_new (lim, "cpus", json_string (buf));
      /* And exactly as given, for the cgroup (sandboxd checks their ratio).
         Without a period, sandboxd keeps the container's (100000 at create),
         as runc's update does. */
      json_object_set_new (lim, "cpu_quota", json_integer (quota));
      if (period > 0)
        json_object_set_new (lim, "cpu_period", json_integer (period));
    }
  if (pids > 0)
    json_object_set_new (lim, "pids", json_integer (pids));
  if (shares > 0)
    json_object_set_new (lim, "cpu_shares", json_integer (shares));
  if (reservation > 0)
    json_object_set_new (lim, "memory_reservation", json_integer (reservation));
  /* -1 (as a signed value) leaves the kernel's, as runc does. */
  if (json_is_integer (swappiness) && json_integer_value (swappiness) != -1)
    {
      if (json_integer_value (swappiness) < 0 || json_integer_value (swappiness) > 100)
        {
          json_decref (lim);
          return sb_error (err, EINVAL, "linux.resources.memory.swappiness: %lld is not 0..100",
                           (long long) json_integer_value (swappiness)), NULL;
        }
      json_object_set (lim, "swappiness", swappiness);
    }
  for (int k = 0; k < 2; k++)
    {
      const char *v = json_string_value (json_object_get (cpu, k ? "mems" : "cpus"));
      if (v && v[0])
        json_object_set_new (lim, k ? "cpuset_mems" : "cpuset_cpus", json_string (v));
    }
  {
    static const char *const throttles[][2] = { { "throttleReadBpsDevice", "rbps" },
                                                { "throttleWriteBpsDevice", "wbps" },
                                                { "throttleReadIOPSDevice", "riops" },
                                                { "throttleWriteIOPSDevice", "wiops" } };
    json_t *io = json_array (), *e;
    size_t i;
    for (size_t t = 0; t < sizeof (throttles) / sizeof (throttles[0]); t++)
      json_array_foreach (json_object_get (json_object_get (res, "blockIO"), throttles[t][0]), i, e)
        json_array_append_new (io, json_pack ("{s:s, s:I, s:I, s:I}", "kind", throttles[t][1], "major",
                                              json_integer_value (json_object_get (e, "major")), "minor",
                                              json_integer_value (json_object_get (e, "minor")), "rate",
                                              json_integer_value (json_object_get (e, "rate"))));
    if (json_array_size (io))
      json_object_set_new (lim, "blkio_throttle", io);
    else
      json_decref (io);
  }
  /* OCI's swap is memory and swap together; sandboxd's, the swap alone,
     which the tenant's policy bounds (docs/OCI.md). */
  if (json_is_integer (swap) && json_integer_value (swap) != 0)
    {
      json_int_t total = json_integer_value (swap);
      if (total == -1)
        json_object_set_new (lim, "swap_at_most", json_integer (-1));
      else if (mem > 0 && total < mem)
        {
          json_decref (lim);
          return sb_error (err, EINVAL, "linux.resources.memory.swap: %lld is less than memory.limit (%lld): it is "
                           "memory and swap together", (long long) total, (long long) mem), NULL;
        }
      else if (mem > 0)
        json_object_set_new (lim, "swap_at_most", json_integer (total - mem));
      else
        oci_warn ("linux.resources.memory.swap: not applied without memory.limit");
    }
  return lim;
}

/* A systemd cgroupsPath, "SLICE:PREFIX:NAME", as the cgroup path runc's
   systemd driver gives it: the slice expanded ("a-b.slice" is
   /a.slice/a-b.slice, "-.slice" the root), then PREFIX-NAME.scope. */
static int
systemd_path (const char *cp, char *out, size_t len)
{
  const char *c1 = strchr (cp, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  char slice[512], *dash;
  size_t n = 0;

  if (c2 == NULL || strchr (c2 + 1, ':') || (size_t) (c1 - cp) >= sizeof (slice))
    return -1;
  snprintf (slice, sizeof (slice), "%.*s", (int) (c1 - cp), cp);
  if (slice[0] == '\0')
    snprintf (slice, sizeof (slice), "system.slice");
  out[0] = '\0';
  if (strcmp (slice, "-.slice") != 0)
    {
      size_t sl = strlen (slice);
      if (sl < 7 || strcmp (slice + sl - 6, ".slice") != 0 || strchr (slice, '/'))
        return -1;
      slice[sl - 6] = '\0';
      /* Each dash-separated prefix is a parent slice. */
      for (dash = strchr (slice, '-'); dash; dash = strchr (dash + 1, '-'))
        {
          if (dash == slice || dash[1] == '-' || dash[1] == '\0')
            return -1;
          n += (size_t) snprintf (out + n, len > n ? len - n : 0, "/%.*s.slice", (int) (dash - slice), slice);
        }
      n += (size_t) snprintf (out + n, len > n ? len - n : 0, "/%s.slice", slice);
    }
  n += (size_t) snprintf (out + n, len > n ? len - n : 0, "/%.*s%s%s.scope", (int) (c2 - c1 - 1), c1 + 1,
                          c2 - c1 > 1 ? "-" : "", c2 + 1);
  return n < len ? 0 : -1;
}

/* linux.cgroupsPath: followed only under a parent the runtime's
   configuration names (cgroup-parents, an engine's such as Kubernetes'
   kubepods); with none, the sandbox's cgroup is sandboxd's (sandbox/ID)
   and the path is not used, as before. A path elsewhere is refused: a
   tenant who can set it (docker run --cgroup-parent) would otherwise
   place its sandbox in any cgroup of the host. */
static int
cgroup_path (const char *cp, json_t *req, sb_error_t *err)
{
  char path[2048];

  if (cp == NULL || cp[0] == '\0' || oci_g.ncgroup_parents == 0)
    return 0;
  if (strchr (cp, ':'))
    {
      if (systemd_path (cp, path, sizeof (path)) < 0)
        return sb_error (err, EINVAL, "linux.cgroupsPath `%s`: not slice:prefix:name", cp);
    }
  else
    snprintf (path, sizeof (path), "%s%s", cp[0] == '/' ? "" : "/", cp);
  if (!sb_cgroup_path_ok (path))
    return sb_error (err, EINVAL, "linux.cgroupsPath `%s`: not a clean cgroup path", cp);
  for (int i = 0; i < oci_g.ncgroup_parents; i++)
    {
      /* "/": anywhere but sandboxd's own tree (sandboxd checks it too). */
      size_t n = strcmp (oci_g.cgroup_parents[i], "/") == 0 ? 0 : strlen (oci_g.cgroup_parents[i]);
      if (strncmp (path, oci_g.cgroup_parents[i], n) == 0 && path[n] == '/' && sb_cgroup_path_foreign (path))
        {
          json_object_set_new (req, "cgroup", json_string (path));
          return 0;
        }
    }
  return sb_error (err, EPERM, "linux.cgroupsPath `%s` (%s) is not under the cgroup parents the runtime's "
                   "configuration allows (cgroup-parents: %s%s)", cp, path, oci_g.cgroup_parents[0],
                   oci_g.ncgroup_parents > 1 ? ", ..." : "");
}

/* The sysctls runc accepts are those of namespaces the container owns; a
   sandbox's network namespace is the monitor's to set up (net.*). */
static int
check_sysctl (json_t *sysctl, json_t *req, sb_error_t *err)
{
  const char *k;
  json_t *v;

  json_object_foreach (sysctl, k, v)
    {
      if (strncmp (k, "net.", 4) != 0 || strstr (k, "..") || strchr (k, '/') || !json_is_string (v))
        return sb_error (err, EPERM, "linux.sysctl: %s is not one a sandbox sets (net.* of its own network)", k);
    }
  if (sysctl && json_object_size (sysctl))
    json_object_set (req, "sysctl", sysctl);
  return 0;
}

/* linux.seccomp, intersected with the Sentry's table: every call the
   table lets run (or serves) that the profile does not allow outright is
   refused for this container too. Rules with argument conditions are
   taken as allowing (the table's own checks hold for them). */
static int
translate_seccomp (json_t *sc, json_t *req, sb_error_t *err)
{
  const char *dflt = json_string_value (json_object_get (sc, "defaultAction")) ?: "SCMP_ACT_ALLOW";
  json_t *denies = json_array (), *rules = json_object_get (sc, "syscalls");

  for (long nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      const struct sb_syscall *e = sb_syscall_lookup (nr);
      const char *action = NULL;
      bool cond_allow = false;
      json_t *r;
      size_t i;

      if (e == NULL || e->name == NULL || e->cls == SB_SYS_DENIED || e->cls == SB_SYS_UNKNOWN)
        continue;
      json_array_foreach (rules, i, r)
        {
          json_t *names = json_object_get (r, "names"), *n;
          size_t k;
          bool match = false;
          json_array_foreach (names, k, n)
            match |= json_string_value (n) && strcmp (json_string_value (n), e->name) == 0;
          if (!match)
            continue;
          if (json_array_size (json_object_get (r, "args")) > 0)
            cond_allow |= strcmp (json_string_value (json_object_get (r, "action")) ?: "", "SCMP_ACT_ALLOW") == 0;
          else if (action == NULL)
            action = json_string_value (json_object_get (r, "action"));
        }
      if (action == NULL)
        action = cond_allow ? "SCMP_ACT_ALLOW" : dflt;
      if (strcmp (action, "SCMP_ACT_ALLOW") != 0 && strcmp (action, "SCMP_ACT_LOG") != 0)
        json_array_append_new (denies, json_string (e->name));
    }
  if (json_array_size (denies) > 60)
    {
      json_decref (denies);
      return sb_error (err, E2BIG, "linux.seccomp: the profile refuses more than 60 calls the sandbox serves; "
                       "a sandbox applies at most 60 of a container's own");
    }
  json_object_set_new (req, "denies", denies);
  return 0;
}

/* The hooks: prestart, createRuntime, createContainer, poststart and
   poststop run on the host by the runtime, as the caller (oci_run_hooks;
   createContainer ones in the container's network, ipc and uts
   namespaces); startContainer ones run in the sandbox, as the command,
   before it (their path is the container's: sentry/app_init.c). Every
   path is the host's but startContainer's: no program of the container
   ever runs outside the sandbox. */
static int
check_hooks (json_t *hooks, sb_error_t *err)
{
  const char *k;
  json_t *v, *h, *a;
  size_t i, j;

  json_object_foreach (hooks, k, v)
    {
      if (json_array_size (v) == 0)
        continue;
      if (!oci_g.hooks)
        return sb_error (err, EPERM, "hooks.%s: the runtime's configuration refuses hooks (hooks = false)", k);
      if (!json_is_array (v) || json_array_size (v) > 32)
        return sb_error (err, EINVAL, "hooks.%s: a list of at most 32", k);
      json_array_foreach (v, i, h)
        {
          const char *path = json_string_value (json_object_get (h, "path"));
          json_t *t = json_object_get (h, "timeout");
          if (path == NULL || path[0] != '/')
            return sb_error (err, EINVAL, "hooks.%s[%zu].path: an absolute path", k, i);
          if (t && (!json_is_integer (t) || json_integer_value (t) <= 0))
            return sb_error (err, EINVAL, "hooks.%s[%zu].timeout: a number of seconds above 0", k, i);
          json_array_foreach (json_object_get (h, "args"), j, a)
            if (!json_is_string (a))
              return sb_error (err, EINVAL, "hooks.%s[%zu].args: strings", k, i);
          json_array_foreach (json_object_get (h, "env"), j, a)
            if (!json_is_string (a))
              return sb_error (err, EINVAL, "hooks.%s[%zu].env: strings", k, i);
        }
    }
  v = json_object_get (hooks, "startContainer");
  if (v)
    {
      /* They travel to the sandbox's init in one message. */
      cleanup_free char *text = json_dumps (v, JSON_COMPACT);
      if (text == NULL || strlen (text) > 32768)
        return sb_error (err, E2BIG, "hooks.startContainer: at most 32 KiB of JSON");
    }
  return 0;
}

/* The layers of an overlayfs rootfs (Docker's, containerd's and podman's
   snapshots are one), bottom first: the lower directories. An overlayfs
   mount cannot be idmapped, its layers can: the sandbox stacks them,
   read-only and idmapped, under the same writable layer the engine's
   mount has (its upperdir and, beside it, its workdir: *upper and *work),
   idmapped too, so what the container writes lands where runc's writes
   would, owned as runc's are, and `docker diff`, `cp` and `commit` see
   it. An upper layer without a workdir beside it (same parent directory)
   is stacked as the top lower layer instead (its whiteouts are
   overlayfs's own), under the sandbox's in-memory layer. Returns NULL
   when root is not an overlayfs mount. */
/* a/x and a/y: two directories side by side (overlayfs needs the upper
   layer and its workdir on one mount; the sandbox mounts their parent). */
static bool
same_parent (const char *a, const char *b)
{
  const char *sa = strrchr (a, '/'), *sb = strrchr (b, '/');

  return sa && sb && sa > a && sa - a == sb - b && strncmp (a, b, (size_t) (sa - a)) == 0 && sa[1] && sb[1]
         && strcmp (sa, sb) != 0;
}

static json_t *
overlay_layers (const char *root, char **upper_out, char **work_out)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  json_t *layers = NULL;
  size_t cap = 0;

  while (f && getline (&line, &cap, f) > 0)
    {
      char mnt[4096], *sep, *fstype, *opts, *lower, *upper, *work, *end, base[4096] = "", wdir[4096] = "";
      if (sscanf (line, "%*s %*s %*s %*s %4095s", mnt) != 1 || strcmp (mnt, root) != 0)
        continue;
      sep = strstr (line, " - ");
      if (sep == NULL)
        continue;
      fstype = sep + 3;
      if (strncmp (fstype, "overlay ", 8) != 0)
        {
          json_decref (layers);
          layers = NULL; /* a later mount over it wins */
          continue;
        }
      opts = strchr (fstype + 8, ' ');
      if (opts == NULL)
        continue;
      opts++;
      opts[strcspn (opts, "\n")] = '\0';
      lower = strstr (opts, "lowerdir=");
      upper = strstr (opts, "upperdir=");
      work = strstr (opts, "workdir=");
      json_decref (layers);
      layers = json_array ();
      free (*upper_out);
      free (*work_out);
      *upper_out = *work_out = NULL;
      if (upper)
        {
          upper += 9;
          end = upper + strcspn (upper, ",");
          snprintf (base, sizeof (base), "%.*s", (int) (end - upper), upper);
        }
      if (work)
        {
          work += 8;
          end = work + strcspn (work, ",");
          snprintf (wdir, sizeof (wdir), "%.*s", (int) (end - work), work);
        }
      if (lower)
        {
          /* Top first in the option; relative ones (podman's l/ links) are
             relative to the directory holding the upper layer's. */
          char *p = lower + 9;
          end = p + strcspn (p, ",");
          *end = '\0';
          for (char *tok = strtok (p, ":"); tok; tok = strtok (NULL, ":"))
            {
              char path[8300], *real;
              if (tok[0] == '/')
                snprintf (path, sizeof (path), "%s", tok);
              else
                {
                  char top[4096];
                  snprintf (top, sizeof (top), "%s", base);
                  for (int k = 0; k < 2 && strrchr (top, '/'); k++)
                    *strrchr (top, '/') = '\0';
                  snprintf (path, sizeof (path), "%s/%s", top, tok);
                }
              real = realpath (path, NULL);
              json_array_insert_new (layers, 0, json_string (real ? real : path));
              free (real);
            }
        }
      if (base[0])
        {
          char *real = realpath (base, NULL), *wreal = wdir[0] ? realpath (wdir, NULL) : NULL;
          const char *u = real ? real : base;
          if (wreal && same_parent (u, wreal))
            {
              *upper_out = strdup (u);
              *work_out = strdup (wreal);
            }
          else
            json_array_append_new (layers, json_string (u));
          free (real);
          free (wreal);
        }
    }
  return layers;
}

int
oci_spec_request (json_t *config, const char *bundle, const char *id, json_t **request,
                  json_t **volume_mounts, sb_error_t *err)
{
  json_t *proc = json_object_get (config, "process"), *lx = json_object_get (config, "linux"), *v;
  json_t *req = json_object ();
  const char *root = json_string_value (json_object_get (json_object_get (config, "root"), "path"));
  char rootfs[4200];
  size_t i;

  *request = req;
  *volume_mounts = json_array ();
  if (!json_is_object (proc) || !json_is_array (json_object_get (proc, "args"))
      || json_array_size (json_object_get (proc, "args")) == 0)
    return sb_error (err, EINVAL, "process.args: a non-empty list");
  if (root == NULL)
    return sb_error (err, EINVAL, "root.path: missing");
  if (root[0] == '/')
    snprintf (rootfs, sizeof (rootfs), "%s", root);
  else
    snprintf (rootfs, sizeof (rootfs), "%s/%s", bundle, root);
  {
    char *real = realpath (rootfs, NULL), *upper = NULL, *work = NULL;
    json_t *layers;
    if (real == NULL)
      return sb_error (err, errno, "root.path `%s`", rootfs);
    {
      /* The sandbox writes the root as the container's 0: a directory in
         place, an overlay in its upper layer. So only the bundle's own
         (runc spec's rootfs, containerd's mount) or one in the runtime's
         rootfs-roots (the engines' merged layers): a config naming /usr
         (podman --rootfs /usr) would have the host's programs rewritten,
         and one naming another container's would write into its layer. */
      char *breal = realpath (bundle, NULL);
      size_t bn = breal ? strlen (breal) : 0;
      bool in_bundle = breal && strncmp (real, breal, bn) == 0 && real[bn] == '/';
      free (breal);
      if (!in_bundle && !oci_path_under (real, oci_g.rootfs_roots, oci_g.nrootfs_roots))
        {
          sb_error (err, EPERM, "root.path `%s`: neither inside the bundle nor under the runtime's rootfs-roots",
                    real);
          free (real);
          return -1;
        }
    }
    json_object_set_new (req, "rootfs", json_string (real));
    layers = overlay_layers (real, &upper, &work);
    if (json_array_size (layers) == 0)
      /* A directory: the container's own, written in place as runc does
         (idmapped, so the container's root writes files of 0's). */
      json_object_set_new (req, "rootfs_writable", json_true ());
    if (json_array_size (layers) > 0)
      {
        json_object_set_new (req, "layers", layers);
        if (upper && work)
          {
            json_object_set_new (req, "upper", json_string (upper));
            json_object_set_new (req, "work", json_string (work));
          }
      }
    else
      json_decref (layers);
    free (upper);
    free (work);
    free (real);
  }
  json_object_set_new (req, "tenant", json_string (oci_g.tenant));
  json_object_set_new (req, "name", json_string (id));
  json_object_set_new (req, "bundle", json_string (bundle));
  json_object_set (req, "cmd", json_object_get (proc, "args"));
  json_object_set (req, "env", json_object_get (proc, "env") ?: json_array ());
  if (json_string_value (json_object_get (proc, "cwd")))
    json_object_set (req, "cwd", json_object_get (proc, "cwd"));
  if ((v = json_object_get (proc, "user")) != NULL)
    {
      json_t *u = json_pack ("{s:I, s:I, s:O}", "uid", json_integer_value (json_object_get (v, "uid")), "gid",
                             json_integer_value (json_object_get (v, "gid")), "groups",
                             json_object_get (v, "additionalGids") ?: json_array ());
      json_object_set_new (req, "user", u);
    }
  json_object_set_new (req, "tty", json_boolean (json_is_true (json_object_get (proc, "terminal"))));
  if (json_string_value (json_object_get (config, "hostname")))
    json_object_set (req, "hostname", json_object_get (config, "hostname"));
  if (json_is_true (json_object_get (json_object_get (config, "root"), "readonly")))
    json_object_set_new (req, "read_only_root", json_true ());
  if (check_capabilities (json_object_get (proc, "capabilities"), req, err) < 0)
    return -1;
  json_array_foreach (json_object_get (proc, "rlimits"), i, v)
    {
      /* As runc: a name the kernel has no limit of, one named twice, or a
         soft limit above the hard one is an error, not a limit left out. */
      const char *type = json_string_value (json_object_get (v, "type")) ?: "";
      json_t *soft = json_object_get (v, "soft"), *hard = json_object_get (v, "hard"), *w;
      size_t j;
      if (sb_rlimit_by_name (type) < 0)
        return sb_error (err, EINVAL, "process.rlimits[%zu].type: `%s` is no limit of the kernel's (RLIMIT_NOFILE...)",
                         i, type);
      /* (-1: unlimited, as oci_load_json reads the engines' uint64 -1.) */
      if (!json_is_integer (soft) || !json_is_integer (hard)
          || (uint64_t) json_integer_value (soft) > (uint64_t) json_integer_value (hard))
        return sb_error (err, EINVAL, "process.rlimits[%zu] (%s): soft and hard numbers, soft at most hard", i, type);
      json_array_foreach (json_object_get (proc, "rlimits"), j, w)
        if (j < i && strcmp (json_string_value (json_object_get (w, "type")) ?: "", type) == 0)
          return sb_error (err, EINVAL, "process.rlimits[%zu].type: %s is given twice", i, type);
    }
  if (json_object_get (proc, "rlimits"))
    json_object_set (req, "rlimits", json_object_get (proc, "rlimits"));
  v = json_object_get (proc, "oomScoreAdj");
  if (v)
    {
      /* Below 0 only as far as the tenant's policy lets (sandboxd:
         limits.oom-score-adj-min), since the host's OOM killer would then
         pass over the app and end other tenants' processes first. */
      if (!json_is_integer (v) || json_integer_value (v) < -1000 || json_integer_value (v) > 1000)
        return sb_error (err, EINVAL, "process.oomScoreAdj: an integer from -1000 to 1000");
      json_object_set (req, "oom_score_adj", v);
    }
  if (translate_mounts (json_object_get (config, "mounts"), req, *volume_mounts, err) < 0)
    return -1;
  if (translate_namespaces (json_object_get (lx, "namespaces"), req, err) < 0)
    return -1;
  {
    json_t *lim = oci_spec_limits (json_object_get (lx, "resources"), err);
    if (lim == NULL)
      return -1;
    json_object_set_new (req, "limits", lim);
  }
  json_array_foreach (json_object_get (lx, "devices"), i, v)
    {
      static const char *const own[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                         "/dev/tty", "/dev/ptmx", NULL };
      const char *path = json_string_value (json_object_get (v, "path")) ?: "?";
      bool ours = false;
      for (int k = 0; own[k]; k++)
        ours |= strcmp (own[k], path) == 0;
      if (!ours)
        return sb_error (err, EPERM, "linux.devices[%zu]: `%s`: a sandbox is given no host device", i, path);
    }
  if (check_sysctl (json_object_get (lx, "sysctl"), req, err) < 0)
    return -1;
  if (cgroup_path (json_string_value (json_object_get (lx, "cgroupsPath")), req, err) < 0)
    return -1;
  if (json_object_get (lx, "seccomp") && translate_seccomp (json_object_get (lx, "seccomp"), req, err) < 0)
    return -1;
  json_object_set (req, "masked", json_object_get (lx, "maskedPaths") ?: json_array ());
  json_object_set (req, "read_only", json_object_get (lx, "readonlyPaths") ?: json_array ());
  if (check_hooks (json_object_get (config, "hooks"), err) < 0)
    return -1;
  json_object_set (req, "labels", json_object_get (config, "annotations") ?: json_object ());
  return 0;
}

void
oci_spec_refusal (const char *message, json_t *volume_mounts, json_t *config, char *out, size_t len)
{
  static const struct
  {
    const char *prefix, *key;
  } keys[] = {
    { "limits.memory_reservation", "linux.resources.memory.reservation" },
    { "limits.cpu_shares", "linux.resources.cpu.shares" }, { "limits.swappiness", "linux.resources.memory.swappiness" },
    { "limits.cpuset_cpus", "linux.resources.cpu.cpus" }, { "limits.cpuset_mems", "linux.resources.cpu.mems" },
    { "limits.swap_at_most", "linux.resources.memory.swap" }, { "limits.cpu_quota", "linux.resources.cpu (quota/period)" },
    { "limits.blkio_throttle", "linux.resources.blockIO (throttle*Device)" },
    { "limits.memory", "linux.resources.memory.limit" }, { "limits.cpus", "linux.resources.cpu (quota/period)" },
    { "limits.pids", "linux.resources.pids.limit" },     { "hostname", "hostname" },
    { "network", "linux.namespaces (network)" },         { "limits.containers", "limits.containers" },
    { NULL, NULL },
  };
  unsigned long k;

  if (sscanf (message, "volumes[%lu]", &k) == 1 && k < json_array_size (volume_mounts))
    {
      json_int_t mi = json_integer_value (json_array_get (volume_mounts, k));
      json_t *m = json_array_get (json_object_get (config, "mounts"), (size_t) mi);
      const char *rest = strchr (message, ':');
      snprintf (out, len, "mounts[%lld] (%s)%s", (long long) mi,
                json_string_value (json_object_get (m, "destination")) ?: "?", rest ? rest : "");
      return;
    }
  for (int i = 0; keys[i].prefix; i++)
    if (strncmp (message, keys[i].prefix, strlen (keys[i].prefix)) == 0)
      {
        snprintf (out, len, "%s: %s", keys[i].key, message);
        return;
      }
  snprintf (out, len, "%s", message);
}

static const struct
{
  const char *name;
  int type;
} hook_ns[] = { { "net", CLONE_NEWNET }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS } };
#define HOOK_NS (sizeof (hook_ns) / sizeof (hook_ns[0]))

/* The namespaces of process join (the container's) that are not ours
   (a container of the host's network shares ours): fds[k] open, or -1. */
static int
open_container_ns (pid_t join, int fds[HOOK_NS], sb_error_t *err)
{
  for (size_t k = 0; k < HOOK_NS; k++)
    {
      char path[64], own[64];
      struct stat st, os;

      fds[k] = -1;
      snprintf (path, sizeof (path), "/proc/%d/ns/%s", (int) join, hook_ns[k].name);
      snprintf (own, sizeof (own), "/proc/self/ns/%s", hook_ns[k].name);
      if (stat (path, &st) < 0 || stat (own, &os) < 0)
        return sb_error (err, errno, "the container's %s namespace (%s)", hook_ns[k].name, path);
      if (st.st_dev == os.st_dev && st.st_ino == os.st_ino)
        continue;
      fds[k] = open (path, O_RDONLY | O_CLOEXEC);
      if (fds[k] < 0)
        return sb_error (err, errno, "the container's %s namespace (%s)", hook_ns[k].name, path);
    }
  return 0;
}

static void
close_container_ns (int fds[HOOK_NS])
{
  for (size_t k = 0; k < HOOK_NS; k++)
    if (fds[k] >= 0)
      close (fds[k]);
}

/* In the child: moves itself into the app part of the container's cgroup
   (each hierarchy's), as runc's createContainer hooks run in the
   container's cgroup: the container's limits bind them, and what they
   leave running ends with the container. */
static void
hook_enter_cgroup (struct sb_cgroup *cg, const char *kind, size_t idx, const char *path)
{
  sb_error_t e = NULL;

  if (cg != NULL && sb_cgroup_enter_app (cg, &e) < 0)
    {
      fprintf (stderr, "sandbox-runtime: hooks.%s[%zu] (%s): enter the container's cgroup: %s\n", kind, idx, path,
               e ? e->msg : "failed");
      _exit (126);
    }
}

/* One hook: path, args, env, timeout; the state on its stdin; with join
   > 0, in that process's network, ipc and uts namespaces; with cg, in
   the app part of that cgroup. */
static int
run_hook (json_t *hook, const char *kind, size_t idx, const char *state, pid_t join, struct sb_cgroup *cg,
          sb_error_t *err)
{
  const char *path = json_string_value (json_object_get (hook, "path"));
  json_t *args = json_object_get (hook, "args"), *env = json_object_get (hook, "env");
  json_int_t timeout = json_integer_value (json_object_get (hook, "timeout"));
  int in[2], status, r, nsfd[HOOK_NS] = { -1, -1, -1 };
  pid_t pid;

  if (path == NULL || path[0] != '/')
    return sb_error (err, EINVAL, "hooks.%s[%zu].path: an absolute path", kind, idx);
  if (join > 0 && open_container_ns (join, nsfd, err) < 0)
    {
      close_container_ns (nsfd);
      return sb_error_prefix (err, "hooks.%s[%zu] (%s)", kind, idx, path);
    }
  pid = -1;
  if (pipe2 (in, O_CLOEXEC) == 0 && (pid = fork ()) < 0)
    {
      int e = errno;
      close (in[0]);
      close (in[1]);
      errno = e;
    }
  if (pid < 0)
    {
      int e = errno;
      close_container_ns (nsfd);
      return sb_error (err, e, "hooks.%s[%zu] (%s): start it", kind, idx, path);
    }
  if (pid == 0)
    {
      size_t n = json_array_size (args), m = json_array_size (env), i;
      char **argv = calloc (n + 2, sizeof (char *)), **envp = calloc (m + 1, sizeof (char *));
      if (argv == NULL || envp == NULL)
        _exit (127);
      hook_enter_cgroup (cg, kind, idx, path);
      for (size_t k = 0; k < HOOK_NS; k++)
        if (nsfd[k] >= 0 && setns (nsfd[k], hook_ns[k].type) < 0)
          {
            fprintf (stderr, "sandbox-runtime: hooks.%s[%zu] (%s): join the container's %s namespace: %s\n", kind,
                     idx, path, hook_ns[k].name, strerror (errno));
            _exit (126);
          }
      for (i = 0; i < n; i++)
        argv[i] = (char *) json_string_value (json_array_get (args, i)) ?: "";
      if (n == 0)
        argv[0] = (char *) path;
      for (i = 0; i < m; i++)
        envp[i] = (char *) json_string_value (json_array_get (env, i)) ?: "";
      dup2 (in[0], 0);
      execve (path, argv, envp);
      _exit (127);
    }
  close (in[0]);
  close_container_ns (nsfd);
  sb_write_all (in[1], state, strlen (state));
  close (in[1]);
  r = sb_wait_child (pid, timeout, &status);
  if (r == -ETIMEDOUT)
    return sb_error (err, ETIMEDOUT, "hooks.%s[%zu] (%s): timed out after %llds", kind, idx, path,
                     (long long) timeout);
  if (r < 0)
    return sb_error (err, -r, "hooks.%s[%zu] (%s): wait for it", kind, idx, path);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return sb_error (err, EIO, "hooks.%s[%zu] (%s) failed (status %d)", kind, idx, path,
                     WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  return 0;
}

int
oci_run_hooks (json_t *config, const char *kind, json_t *state, pid_t join, const char *cgroup, sb_error_t *err)
{
  json_t *list = json_object_get (json_object_get (config, "hooks"), kind), *h;
  cleanup_free char *text = NULL;
  struct sb_cgroup cg = { 0 };
  size_t i;
  int r = 0;

  if (json_array_size (list) == 0)
    return 0;
  text = json_dumps (state, JSON_COMPACT);
  if (text == NULL)
    return sb_error (err, ENOMEM, "allocate");
  if (cgroup != NULL && sb_cgroup_open_named (&cg, sb_cgroup_root (), cgroup, err) < 0)
    return sb_error_prefix (err, "hooks.%s: the container's cgroup", kind);
  if (cgroup != NULL && cg.ndirs == 0)
    {
      sb_cgroup_close (&cg);
      return sb_error (err, ENOENT, "hooks.%s: the container's cgroup %s is gone", kind, cgroup);
    }
  json_array_foreach (list, i, h)
    if ((r = run_hook (h, kind, i, text, join, cgroup ? &cg : NULL, err)) < 0)
      break;
  if (cgroup != NULL)
    sb_cgroup_close (&cg);
  return r;
}
