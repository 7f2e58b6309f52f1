#include "cgroup.h"
#include "cleanup.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/magic.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PATHLEN 8192

/* v1 controllers the sandbox is placed in (those the host has mounted). */
static const char *const v1_controllers[] = { "memory", "pids", "cpu", "cpuacct", "freezer", "cpuset", "blkio", "devices",
                                              NULL };

static int
mkdir_one (const char *path, sb_error_t *err)
{
  if (mkdir (path, 0755) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", path);
  return 0;
}

/* Lets the children of dir use the controllers a sandbox limits; one the host
   lacks is reported when a limit needs it. */
static void
enable_controllers (const char *dir)
{
  char ctl[PATHLEN + 320];

  snprintf (ctl, sizeof (ctl), "%s/cgroup.subtree_control", dir);
  /* One at a time: a write naming one the host lacks enables none. */
  for (const char *const *c = (const char *const[]){ "+memory", "+pids", "+cpu", "+cpuset", "+io", NULL }; *c; c++)
    sb_write_file (ctl, *c, NULL);
}

/* v1's cpuset starts a new cgroup with no CPU and no memory node, and
   refuses processes until it has some: each directory from the
   hierarchy's root down to dir that has none takes its parent's. */
static void
cpuset_fill (const char *hier, const char *dir)
{
  char file[PATHLEN + 340], value[4096];
  size_t n = strlen (hier), end;

  if (strncmp (dir, hier, n) != 0 || dir[n] != '/' || strlen (dir) >= PATHLEN)
    return;
  for (end = n + 1;; end++)
    {
      size_t parent;

      if (dir[end] != '/' && dir[end] != '\0')
        continue;
      parent = (size_t) ((const char *) memrchr (dir, '/', end) - dir);
      for (int k = 0; k < 2; k++)
        {
          const char *knob = k == 0 ? "cpuset.cpus" : "cpuset.mems";
          ssize_t len;

          snprintf (file, sizeof (file), "%.*s/%s", (int) end, dir, knob);
          len = sb_read_file_at (AT_FDCWD, file, value, sizeof (value));
          if (len < 0 || strspn (value, " \n") != (size_t) len)
            continue;
          snprintf (file, sizeof (file), "%.*s/%s", (int) parent, dir, knob);
          if (sb_read_file_at (AT_FDCWD, file, value, sizeof (value)) <= 0)
            continue;
          snprintf (file, sizeof (file), "%.*s/%s", (int) end, dir, knob);
          sb_write_file (file, value, NULL);
        }
      if (dir[end] == '\0')
        break;
    }
}

/* The devices a sandbox's processes (the app, the Sentry, the Gofer, an OCI
   monitor) may open, whatever node they reach: the memory devices its /dev
   offers, the terminal, and ptys. A second wall behind "no host device node
   is within reach". All are character devices; minor -1 is any. */
static const struct
{
  unsigned major;
  int minor;
  const char *what;
} allowed_devices[] = {
  { 1, 3, "null" }, { 1, 5, "zero" },    { 1, 7, "full" }, { 1, 8, "random" }, { 1, 9, "urandom" },
  { 5, 0, "tty" },  { 5, 1, "console" }, { 5, 2, "ptmx" }, { 136, -1, "pty slaves" },
};
#define N_ALLOWED_DEVICES (sizeof (allowed_devices) / sizeof (allowed_devices[0]))

/* v1: the devices controller's lists. */
static int
devices_restrict (const char *dir, sb_error_t *err)
{
  char path[PATHLEN + 320], rule[64];

  snprintf (path, sizeof (path), "%s/devices.deny", dir);
  if (sb_write_file (path, "a", err) < 0)
    return sb_error_prefix (err, "deny devices");
  snprintf (path, sizeof (path), "%s/devices.allow", dir);
  for (size_t i = 0; i < N_ALLOWED_DEVICES; i++)
    {
      if (allowed_devices[i].minor < 0)
        snprintf (rule, sizeof (rule), "c %u:* rwm", allowed_devices[i].major);
      else
        snprintf (rule, sizeof (rule), "c %u:%d rwm", allowed_devices[i].major, allowed_devices[i].minor);
      if (sb_write_file (path, rule, err) < 0)
        return sb_error_prefix (err, "allow device `%s` (%s)", rule, allowed_devices[i].what);
    }
  return 0;
}

/* v2 has no devices controller: a BPF_PROG_TYPE_CGROUP_DEVICE program
   attached to the sandbox's cgroup (and so run for its two parts) answers
   each open or mknod of a device node, 1 to allow, 0 to deny. Its context
   is struct bpf_cgroup_dev_ctx: access_type (the device type in its low 16
   bits, the access in the high), major, minor. */
#define INSN(code_, dst_, src_, off_, imm_)                                                                            \
  ((struct bpf_insn){ .code = (code_), .dst_reg = (dst_), .src_reg = (src_), .off = (off_), .imm = (imm_) })
#define LDX_W(dst, src, off) INSN (BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define AND32_IMM(dst, imm) INSN (BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN (BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define MOV64_IMM(dst, imm) INSN (BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define EXIT() INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

size_t
sb_cgroup_devices_program (struct bpf_insn *prog, size_t max)
{
  size_t n = 0, type_check;

  if (max < 7 + 4 * N_ALLOWED_DEVICES)
    return 0;
  prog[n++] = LDX_W (BPF_REG_2, BPF_REG_1, offsetof (struct bpf_cgroup_dev_ctx, access_type));
  prog[n++] = AND32_IMM (BPF_REG_2, 0xffff);
  prog[n++] = LDX_W (BPF_REG_3, BPF_REG_1, offsetof (struct bpf_cgroup_dev_ctx, major));
  prog[n++] = LDX_W (BPF_REG_4, BPF_REG_1, offsetof (struct bpf_cgroup_dev_ctx, minor));
  type_check = n++; /* no block device: to the refusal, set below */
  for (size_t i = 0; i < N_ALLOWED_DEVICES; i++)
    {
      bool any = allowed_devices[i].minor < 0;

      prog[n++] = JNE_IMM (BPF_REG_3, (int32_t) allowed_devices[i].major, any ? 2 : 3);
      if (!any)
        prog[n++] = JNE_IMM (BPF_REG_4, allowed_devices[i].minor, 2);
      prog[n++] = MOV64_IMM (BPF_REG_0, 1);
      prog[n++] = EXIT ();
    }
  prog[type_check] = JNE_IMM (BPF_REG_2, BPF_DEVCG_DEV_CHAR, (int16_t) (n - type_check - 1));
  prog[n++] = MOV64_IMM (BPF_REG_0, 0);
  prog[n++] = EXIT ();
  return n;
}

int
sb_cgroup_devices_attach (const char *dir, sb_error_t *err)
{
  struct bpf_insn prog[8 + 4 * N_ALLOWED_DEVICES];
  char log[4096] = "";
  union bpf_attr attr;
  int prog_fd, dir_fd, rc;

  memset (&attr, 0, sizeof (attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uintptr_t) prog;
  attr.insn_cnt = (uint32_t) sb_cgroup_devices_program (prog, sizeof (prog) / sizeof (prog[0]));
  attr.license = (uintptr_t) "GPL";
  attr.log_buf = (uintptr_t) log;
  attr.log_size = sizeof (log);
  attr.log_level = 1;
  prog_fd = (int) syscall (__NR_bpf, BPF_PROG_LOAD, &attr, sizeof (attr));
  if (prog_fd < 0)
    return sb_error (err, errno, "load the BPF program that allows only the sandbox's devices%s%.200s",
                     log[0] ? ": " : "", log);
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    {
      rc = sb_error (err, errno, "open `%s`", dir);
      close (prog_fd);
      return rc;
    }
  memset (&attr, 0, sizeof (attr));
  attr.target_fd = (uint32_t) dir_fd;
  attr.attach_bpf_fd = (uint32_t) prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  /* Beside an engine's own program on a parent, which also runs. */
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  rc = (int) syscall (__NR_bpf, BPF_PROG_ATTACH, &attr, sizeof (attr));
  if (rc < 0)
    rc = sb_error (err, errno, "attach the devices BPF program to `%s`", dir);
  /* The cgroup holds the program until it is removed. */
  close (dir_fd);
  close (prog_fd);
  return rc < 0 ? -1 : 0;
}

bool
sb_cgroup_path_ok (const char *path)
{
  const char *p = path;

  if (path == NULL || path[0] != '/' || strlen (path) > SB_CGROUP_PATH_MAX)
    return false;
  while (*p == '/')
    {
      size_t n = strcspn (p + 1, "/");
      if (n == 0 || (n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' && p[2] == '.'))
        return false;
      for (size_t k = 1; k <= n; k++)
        if (!(isalnum ((unsigned char) p[k]) || strchr ("._:@-", p[k])))
          return false;
      p += n + 1;
    }
  return *p == '\0';
}

bool
sb_cgroup_in_sandbox_tree (const char *path)
{
  return strcmp (path, "/sandbox") == 0 || strncmp (path, "/sandbox/", 9) == 0;
}

bool
sb_cgroup_path_foreign (const char *path)
{
  return sb_cgroup_path_ok (path) && !sb_cgroup_in_sandbox_tree (path);
}

int
sb_cgroup_relative (const char *name, char *out, size_t len, sb_error_t *err)
{
  if (name[0] == '/')
    {
      if (!sb_cgroup_path_ok (name))
        return sb_error (err, EINVAL, "cgroup path `%s`", name);
      snprintf (out, len, "%s", name + 1);
      return 0;
    }
  if (strchr (name, '/') || strlen (name) > 200 || name[0] == '\0' || name[0] == '.')
    return sb_error (err, EINVAL, "cgroup name `%s`", name);
  snprintf (out, len, "sandbox/%s", name);
  return 0;
}

/* The parents of a cgroup given by its path (an engine's, such as a
   Kubernetes pod's): made as runc makes them, and never removed by us. */
static int
make_parents (struct sb_cgroup *cg, const char *hier, const char *rel, sb_error_t *err)
{
  char dir[PATHLEN + 256];
  size_t n = strlen (hier);

  snprintf (dir, sizeof (dir), "%s/%s", hier, rel);
  for (char *p = strchr (dir + n + 1, '/'); p; p = strchr (p + 1, '/'))
    {
      *p = '\0';
      if (mkdir_one (dir, err) < 0)
        return -1;
      if (cg->v2)
        enable_controllers (dir);
      *p = '/';
    }
  return 0;
}

static int
add_dir (struct sb_cgroup *cg, const char *hier, const char *controller, const char *name,
         sb_error_t *err)
{
  char parent[PATHLEN], path[PATHLEN + 256], sub[PATHLEN + 300], rel[SB_CGROUP_PATH_MAX + 16];

  if (cg->ndirs >= SB_CGROUP_MAX_DIRS)
    return sb_error (err, ENOSPC, "too many cgroup hierarchies");
  if (sb_cgroup_relative (name, rel, sizeof (rel), err) < 0)
    return -1;
  snprintf (path, sizeof (path), "%s/%s", hier, rel);
  if (name[0] == '/')
    {
      if (make_parents (cg, hier, rel, err) < 0)
        return -1;
      /* Its own leaf: a cgroup that exists is someone else's. */
      if (mkdir (path, 0755) < 0)
        return sb_error (err, errno, "mkdir `%s`", path);
    }
  else
    {
      snprintf (parent, sizeof (parent), "%s/sandbox", hier);
      /* The shared parent goes when the last sandbox under it ends
         (sb_cgroup_destroy): one ending between our two mkdirs takes it away,
         and we make it again. */
      for (int tries = 0;; tries++)
        {
          if (mkdir_one (parent, err) < 0)
            return -1;
          if (cg->v2)
            enable_controllers (parent);
          if (mkdir (path, 0755) == 0)
            break;
          if (errno != ENOENT || tries >= 100)
            return sb_error (err, errno, "mkdir `%s`", path);
        }
    }
  cg->dirs[cg->ndirs] = strdup (path);
  cg->controllers[cg->ndirs] = strdup (controller);
  cg->ndirs++;
  /* Before any process, and before the app's part, which inherits it. */
  if (strcmp (controller, "devices") == 0 && devices_restrict (path, err) < 0)
    return -1;
  if (cg->v2)
    {
      if (sb_cgroup_devices_attach (path, err) < 0)
        return -1;
      /* Processes only in leaves: the Sentry's part and the app's part. */
      enable_controllers (path);
      snprintf (sub, sizeof (sub), "%s/supervisor", path);
      if (mkdir_one (sub, err) < 0)
        return -1;
    }
  snprintf (sub, sizeof (sub), "%s/app", path);
  if (mkdir_one (sub, err) < 0)
    return -1;
  if (strcmp (controller, "cpuset") == 0)
    cpuset_fill (hier, sub);
  return 0;
}

int
sb_cgroup_create (struct sb_cgroup *cg, const char *root, const char *name, sb_error_t *err)
{
  struct statfs sfs;
  int i, j;

  memset (cg, 0, sizeof (*cg));
  cg->by_path = name[0] == '/';
  if (statfs (root, &sfs) < 0)
    return sb_error (err, errno, "statfs `%s`", root);
  cg->v2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
  if (cg->v2)
    {
      char parent[PATHLEN];

      /* Enable the controllers down to the sandboxes' parent. */
      enable_controllers (root);
      snprintf (parent, sizeof (parent), "%s/sandbox", root);
      if (!cg->by_path && mkdir_one (parent, err) < 0)
        return -1;
      if (!cg->by_path)
        enable_controllers (parent);
      if (add_dir (cg, root, "", name, err) < 0)
        {
          sb_cgroup_destroy (cg, NULL);
          return -1;
        }
      return 0;
    }
  {
    dev_t seen_dev[SB_CGROUP_MAX_DIRS];
    ino_t seen_ino[SB_CGROUP_MAX_DIRS];
    int nseen = 0;

    for (i = 0; v1_controllers[i]; i++)
      {
        struct stat st;
        char dir[1024];
        bool duplicate = false;

        snprintf (dir, sizeof (dir), "%s/%s", root, v1_controllers[i]);
        if (statfs (dir, &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC || stat (dir, &st) < 0)
          continue;
        /* "cpu" and "cpuacct" are often one hierarchy under two names. */
        for (j = 0; j < nseen; j++)
          duplicate |= seen_dev[j] == st.st_dev && seen_ino[j] == st.st_ino;
        if (duplicate || nseen >= SB_CGROUP_MAX_DIRS)
          continue;
        seen_dev[nseen] = st.st_dev;
        seen_ino[nseen++] = st.st_ino;
        if (add_dir (cg, dir, v1_controllers[i], name, err) < 0)
          {
            sb_cgroup_destroy (cg, NULL);
            return -1;
          }
      }
  }
  if (cg->ndirs == 0)
    return sb_error (err, ENOENT, "no cgroup controller mounted under `%s`", root);
  return 0;
}

static bool
single_threaded (void)
{
  char status[4096], *t;
  ssize_t n = sb_read_file_at (AT_FDCWD, "/proc/self/status", status, sizeof (status));

  return n > 0 && (t = strstr (status, "\nThreads:\t")) != NULL && strncmp (t + 10, "1\n", 2) == 0;
}

/* A move by pid, or of a whole process (cgroup.procs), takes the kernel's
   global cgroup_threadgroup_rwsem for writing, and taking it waits for an
   RCU grace period: 5-16 ms on the test host, which was most of a
   sandbox's start. A thread that moves itself ("0") through v1's `tasks`
   takes no such lock, but `tasks` would leave any other thread behind: a
   caller with threads moves as a whole process (slow, but whole). v2 has
   no `tasks` (a child is better cloned into its v2 cgroup:
   sb_cgroup_clone_fd). */
const char *
sb_cgroup_self_file (bool v2)
{
  return !v2 && single_threaded () ? "tasks" : "cgroup.procs";
}

/* The calling process into part ("" the directory itself) of each
   hierarchy's directory, by its own move. */
static int
enter_part (struct sb_cgroup *cg, const char *part, sb_error_t *err)
{
  char path[PATHLEN + 32];
  const char *file = sb_cgroup_self_file (cg->v2);
  int i;

  for (i = 0; i < cg->ndirs; i++)
    {
      snprintf (path, sizeof (path), "%s%s/%s", cg->dirs[i], part, file);
      if (sb_write_file (path, "0", err) < 0)
        return -1;
    }
  return 0;
}

int
sb_cgroup_enter (struct sb_cgroup *cg, sb_error_t *err)
{
  return enter_part (cg, cg->v2 ? "/supervisor" : "", err);
}

int
sb_cgroup_enter_app (struct sb_cgroup *cg, sb_error_t *err)
{
  return enter_part (cg, "/app", err);
}

int
sb_cgroup_clone_fd (struct sb_cgroup *cg)
{
  char path[PATHLEN + 32];

  if (!cg->v2 || cg->ndirs != 1)
    return -1;
  snprintf (path, sizeof (path), "%s/supervisor", cg->dirs[0]);
  return open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
sb_cgroup_app_procs (struct sb_cgroup *cg, int i, char *out, size_t len)
{
  if (i < 0 || i >= cg->ndirs)
    return -ENOENT;
  if ((size_t) snprintf (out, len, "%s/app/cgroup.procs", cg->dirs[i]) >= len)
    return -ENAMETOOLONG;
  return 0;
}

/* Which part of the sandbox's cgroup a limit binds. */
enum part
{
  WHOLE,   /* the app, the Sentry and the Gofer: everything done for the sandbox */
  APP,     /* the app alone */
};

/* The directory of the hierarchy that has controller (v2: the one). */
static const char *
dir_for (struct sb_cgroup *cg, const char *controller, enum part part, char *buf, size_t len)
{
  int i;

  for (i = 0; i < cg->ndirs; i++)
    if (cg->v2 || strcmp (cg->controllers[i], controller) == 0)
      {
        snprintf (buf, len, "%s%s", cg->dirs[i], part == APP ? "/app" : "");
        return buf;
      }
  return NULL;
}

static int
write_knob (struct sb_cgroup *cg, const char *controller, enum part part, const char *knob,
            const char *value, bool optional, sb_error_t *err)
{
  char dir[PATHLEN + 8], path[PATHLEN + 64];

  if (dir_for (cg, controller, part, dir, sizeof (dir)) == NULL)
    return sb_error (err, ENOENT, "the %s cgroup controller is not available on this host", controller);
  snprintf (path, sizeof (path), "%s/%s", dir, knob);
  if (access (path, F_OK) < 0)
    {
      if (optional)
        return 0;
      return sb_error (err, ENOENT, "the %s cgroup controller is not enabled (no `%s`)", controller, path);
    }
  return sb_write_file (path, value, err);
}

/* A block I/O throttle's kind (v2's io.max key) and its v1 file. */
static const char *const io_kinds[][2] = { { "rbps", "blkio.throttle.read_bps_device" },
                                           { "wbps", "blkio.throttle.write_bps_device" },
                                           { "riops", "blkio.throttle.read_iops_device" },
                                           { "wiops", "blkio.throttle.write_iops_device" } };

static const char *
io_v1_knob (const char *kind)
{
  for (size_t j = 0; kind && j < sizeof (io_kinds) / sizeof (io_kinds[0]); j++)
    if (strcmp (kind, io_kinds[j][0]) == 0)
      return io_kinds[j][1];
  return NULL;
}

bool
sb_cgroup_io_kind_ok (const char *kind)
{
  return io_v1_knob (kind) != NULL;
}

/* A cpuset of the whole sandbox and of the app's part, which v1 keeps
   within the whole's: the whole takes its parent's set first (so that
   neither write is refused for the other), then the app's part, then the
   whole, its new set. */
static int
set_cpuset (struct sb_cgroup *cg, const char *knob, const char *value, sb_error_t *err)
{
  char dir[PATHLEN + 8], path[PATHLEN + 64], parent[4096];

  if (dir_for (cg, "cpuset", WHOLE, dir, sizeof (dir)) == NULL)
    return sb_error (err, ENOENT, "the cpuset cgroup controller is not available on this host");
  snprintf (path, sizeof (path), "%s/../%s", dir, knob);
  if (sb_read_file_at (AT_FDCWD, path, parent, sizeof (parent)) > 1)
    write_knob (cg, "cpuset", WHOLE, knob, parent, true, NULL);
  else
    parent[0] = '\0';
  parent[strcspn (parent, "\n")] = '\0';
  if (write_knob (cg, "cpuset", APP, knob, value, false, err) < 0
      || write_knob (cg, "cpuset", WHOLE, knob, value, false, err) < 0)
    return sb_error_prefix (err, "%s `%s`%s%s%s", knob, value, parent[0] ? " (the sandbox's parent has `" : "",
                            parent, parent[0] ? "`)" : "");
  return 0;
}

/* Memory and CPU bind the whole sandbox: the app and the work the Sentry
   and the Gofer do for it (their own memory, the files they copy into the
   writable layer, socket buffers, the CPU of mediated calls). The pids
   limit binds the app alone, so that a fork bomb never stops the helpers
   from serving or tearing down. */
int
sb_cgroup_set_limits (struct sb_cgroup *cg, const struct sb_cgroup_limits *l, sb_error_t *err)
{
  char v[64];

  if (l->memory_bytes)
    {
      snprintf (v, sizeof (v), "%llu", (unsigned long long) l->memory_bytes);
      if (write_knob (cg, "memory", WHOLE, cg->v2 ? "memory.max" : "memory.limit_in_bytes", v, false, err) < 0)
        return -1;
      if (cg->v2)
        {
          /* Socket buffers count in memory.max on v2 (sockets are charged
             to the cgroup of the task that makes them: the Sentry, here). */
          if (l->swap_bytes >= 0)
            snprintf (v, sizeof (v), "%lld", (long long) l->swap_bytes);
          else
            snprintf (v, sizeof (v), "max");
          if (write_knob (cg, "memory", WHOLE, "memory.swap.max", v, true, err) < 0)
            return -1;
        }
      else
        {
          /* memory+swap; the knob exists only with swap accounting. */
          if (l->swap_bytes >= 0)
            snprintf (v, sizeof (v), "%llu", (unsigned long long) (l->memory_bytes + (uint64_t) l->swap_bytes));
          else
            snprintf (v, sizeof (v), "-1");
          if (write_knob (cg, "memory", WHOLE, "memory.memsw.limit_in_bytes", v, true, err) < 0)
            return -1;
          if (l->swap_bytes == 0 && write_knob (cg, "memory", WHOLE, "memory.swappiness", "0", true, err) < 0)
            return -1;
          /* v1 keeps socket buffers apart, and accounts a cgroup's only
             once its own limit is set: the same bound as memory, on the
             whole and on the app's part (its accepted sockets), which
             charges the whole too. */
          snprintf (v, sizeof (v), "%llu", (unsigned long long) l->memory_bytes);
          if (write_knob (cg, "memory", WHOLE, "memory.kmem.tcp.limit_in_bytes", v, true, err) < 0
              || write_knob (cg, "memory", APP, "memory.kmem.tcp.limit_in_bytes", v, true, err) < 0)
            return -1;
        }
    }
  if (l->pids)
    {
      snprintf (v, sizeof (v), "%u", l->pids);
      if (write_knob (cg, "pids", APP, "pids.max", v, false, err) < 0)
        return -1;
    }
  if (l->memory_low
      && write_knob (cg, "memory", WHOLE, cg->v2 ? "memory.low" : "memory.soft_limit_in_bytes",
                     (snprintf (v, sizeof (v), "%llu", (unsigned long long) l->memory_low), v), false, err) < 0)
    return -1;
  if (l->swappiness_set && !cg->v2
      && write_knob (cg, "memory", WHOLE, "memory.swappiness", (snprintf (v, sizeof (v), "%u", l->swappiness), v),
                     false, err) < 0)
    return -1;
  if (l->cpu_shares)
    {
      if (cg->v2)
        /* The weight runc gives a share count: 2..262144 onto 1..10000. */
        snprintf (v, sizeof (v), "%llu", 1 + ((unsigned long long) (l->cpu_shares - 2) * 9999) / 262142);
      else
        snprintf (v, sizeof (v), "%llu", (unsigned long long) l->cpu_shares);
      if (write_knob (cg, "cpu", WHOLE, cg->v2 ? "cpu.weight" : "cpu.shares", v, false, err) < 0)
        return -1;
    }
  for (int k = 0; k < l->nio && k < SB_CGROUP_MAX_IO; k++)
    {
      /* v1: blkio.throttle.read_bps_device "8:0 1048576" (0 lifts it);
         v2: io.max "8:0 rbps=1048576" ("max" lifts it). */
      const char *knob = io_v1_knob (l->io[k].kind);
      if (knob == NULL)
        return sb_error (err, EINVAL, "block I/O throttle `%s`: rbps, wbps, riops or wiops", l->io[k].kind);
      if (cg->v2)
        {
          if (l->io[k].rate)
            snprintf (v, sizeof (v), "%u:%u %s=%llu", l->io[k].major, l->io[k].minor, l->io[k].kind,
                      (unsigned long long) l->io[k].rate);
          else
            snprintf (v, sizeof (v), "%u:%u %s=max", l->io[k].major, l->io[k].minor, l->io[k].kind);
          knob = "io.max";
        }
      else
        snprintf (v, sizeof (v), "%u:%u %llu", l->io[k].major, l->io[k].minor, (unsigned long long) l->io[k].rate);
      if (write_knob (cg, cg->v2 ? "io" : "blkio", WHOLE, knob, v, false, err) < 0)
        return sb_error_prefix (err, "block I/O throttle %s of device %u:%u", l->io[k].kind, l->io[k].major,
                                l->io[k].minor);
    }
  if ((l->cpus[0] && set_cpuset (cg, "cpuset.cpus", l->cpus, err) < 0)
      || (l->mems[0] && set_cpuset (cg, "cpuset.mems", l->mems, err) < 0))
    return -1;
  if (l->cpu_millis || l->cpu_quota_us)
    {
      const unsigned period = l->cpu_quota_us && l->cpu_period_us ? l->cpu_period_us : 100000;
      unsigned long long quota = l->cpu_quota_us ? l->cpu_quota_us : (unsigned long long) l->cpu_millis * period / 1000;
      if (cg->v2)
        {
          snprintf (v, sizeof (v), "%llu %u", quota, period);
          if (write_knob (cg, "cpu", WHOLE, "cpu.max", v, false, err) < 0)
            return -1;
        }
      else
        {
          snprintf (v, sizeof (v), "%u", period);
          if (write_knob (cg, "cpu", WHOLE, "cpu.cfs_period_us", v, false, err) < 0)
            return -1;
          snprintf (v, sizeof (v), "%llu", quota);
          if (write_knob (cg, "cpu", WHOLE, "cpu.cfs_quota_us", v, false, err) < 0)
            return -1;
        }
    }
  return 0;
}

void
sb_cgroup_limits_from_json (const json_t *lim, struct sb_cgroup_limits *l)
{
  const json_t *o = lim;
  json_t *swap = json_object_get (o, "swap"), *sw = json_object_get (o, "swappiness");

  memset (l, 0, sizeof (*l));
  l->memory_bytes = (uint64_t) json_integer_value (json_object_get (o, "memory"));
  l->swap_bytes = swap ? json_integer_value (swap) : 0;
  l->cpu_millis = (uint32_t) json_integer_value (json_object_get (o, "cpu_millis"));
  l->pids = (uint32_t) json_integer_value (json_object_get (o, "pids"));
  l->cpu_quota_us = (uint32_t) json_integer_value (json_object_get (o, "cpu_quota"));
  l->cpu_period_us = (uint32_t) json_integer_value (json_object_get (o, "cpu_period"));
  l->cpu_shares = (uint64_t) json_integer_value (json_object_get (o, "cpu_shares"));
  l->memory_low = (uint64_t) json_integer_value (json_object_get (o, "memory_reservation"));
  l->swappiness_set = json_is_integer (sw);
  l->swappiness = (uint8_t) json_integer_value (sw);
  snprintf (l->cpus, sizeof (l->cpus), "%s", json_string_value (json_object_get (o, "cpuset_cpus")) ?: "");
  snprintf (l->mems, sizeof (l->mems), "%s", json_string_value (json_object_get (o, "cpuset_mems")) ?: "");
  {
    json_t *io = json_object_get (o, "blkio_throttle"), *e;
    size_t k;
    json_array_foreach (io, k, e)
      {
        if (l->nio >= SB_CGROUP_MAX_IO)
          break;
        snprintf (l->io[l->nio].kind, sizeof (l->io[l->nio].kind), "%s",
                  json_string_value (json_object_get (e, "kind")) ?: "");
        l->io[l->nio].major = (uint32_t) json_integer_value (json_object_get (e, "major"));
        l->io[l->nio].minor = (uint32_t) json_integer_value (json_object_get (e, "minor"));
        l->io[l->nio].rate = (uint64_t) json_integer_value (json_object_get (e, "rate"));
        l->nio++;
      }
  }
}

long
sb_cgroup_oom_kills (struct sb_cgroup *cg)
{
  char dir[PATHLEN + 8], path[PATHLEN + 64], buf[4096], *p;
  long kills = 0;
  int part;

  /* v2 counts a kill in every ancestor of the victim's cgroup; v1 only in
     the victim's own, which may be either part. */
  for (part = WHOLE; part <= (cg->v2 ? WHOLE : APP); part++)
    {
      if (dir_for (cg, "memory", (enum part) part, dir, sizeof (dir)) == NULL)
        return 0;
      snprintf (path, sizeof (path), "%s/%s", dir, cg->v2 ? "memory.events" : "memory.oom_control");
      if (sb_read_file_at (AT_FDCWD, path, buf, sizeof (buf)) < 0)
        continue;
      p = strstr (buf, "oom_kill ");
      if (p)
        kills += strtol (p + 9, NULL, 10);
    }
  return kills;
}

static void
kill_members (const char *dir)
{
  char path[PATHLEN + 32], line[64];
  cleanup_file FILE *f = NULL;

  snprintf (path, sizeof (path), "%s/cgroup.procs", dir);
  f = fopen (path, "re");
  if (f == NULL)
    return;
  /* Only processes of this sandbox's own cgroup: they are ours to end. */
  while (fgets (line, sizeof (line), f))
    {
      long pid;
      line[strcspn (line, "\n")] = '\0';
      if (sb_parse_long (line, 1, 1 << 30, &pid) == 0)
        kill ((pid_t) pid, SIGKILL);
    }
}

static int
remove_dir (const char *dir)
{
  int tries;

  for (tries = 0; tries < 300; tries++)
    {
      struct timespec ts = { 0, 10 * 1000 * 1000 };

      if (rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY)
        return -errno;
      kill_members (dir);
      nanosleep (&ts, NULL);
    }
  return -EBUSY;
}

/* A paused sandbox (its app part frozen: v1's freezer.state, v2's
   cgroup.freeze) takes no signal until it is let go: its app killed, then
   thawed, its processes end, and its cgroups can go. Without this,
   deleting a paused container (`delete --force`, or the clean-up after its
   owner was killed) waited on processes that could never die. (Only the
   app part is killed here: the rest is killed, as before, only if its
   directory will not go.) */
static void
let_go (const char *dir)
{
  static const char *const parts[] = { "/app", "" };
  static const struct
  {
    const char *file, *value;
  } thaw[] = { { "freezer.state", "THAWED" }, { "cgroup.freeze", "0" } };
  char path[PATHLEN + 32];

  snprintf (path, sizeof (path), "%s/app", dir);
  kill_members (path);
  for (size_t k = 0; k < 2; k++)
    for (size_t t = 0; t < 2; t++)
      {
        snprintf (path, sizeof (path), "%s%s/%s", dir, parts[k], thaw[t].file);
        /* Not in this hierarchy, or gone meanwhile: nothing to let go. */
        sb_write_file (path, thaw[t].value, NULL);
      }
}

void
sb_cgroup_let_go (struct sb_cgroup *cg)
{
  for (int i = 0; i < cg->ndirs; i++)
    if (cg->dirs[i] != NULL)
      let_go (cg->dirs[i]);
}

int
sb_cgroup_destroy (struct sb_cgroup *cg, sb_error_t *err)
{
  int i, ret = 0;

  sb_cgroup_let_go (cg);
  for (i = 0; i < cg->ndirs; i++)
    {
      static const char *const parts[] = { "/app", "/supervisor", "" };
      char path[PATHLEN + 16];
      size_t k;

      if (cg->dirs[i] == NULL)
        continue;
      for (k = 0; k < 3; k++)
        {
          int r;
          snprintf (path, sizeof (path), "%s%s", cg->dirs[i], parts[k]);
          r = remove_dir (path);
          if (r < 0 && ret == 0)
            ret = sb_error (err, -r, "remove cgroup `%s`", path);
        }
      /* The shared parent goes too once no sandbox uses it (not the
         parent of a cgroup placed by its path: that one is the engine's). */
      snprintf (path, sizeof (path), "%s", cg->dirs[i]);
      if (strrchr (path, '/'))
        {
          *strrchr (path, '/') = '\0';
          if (!cg->by_path)
            rmdir (path);
        }
      free (cg->dirs[i]);
      free (cg->controllers[i]);
      cg->dirs[i] = cg->controllers[i] = NULL;
    }
  cg->ndirs = 0;
  return ret;
}

int
sb_cgroup_open_named (struct sb_cgroup *cg, const char *root, const char *name, sb_error_t *err)
{
  struct statfs sfs;
  char path[PATHLEN];

  char rel[SB_CGROUP_PATH_MAX + 16];

  memset (cg, 0, sizeof (*cg));
  cg->by_path = name[0] == '/';
  if (sb_cgroup_relative (name, rel, sizeof (rel), err) < 0)
    return -1;
  if (statfs (root, &sfs) < 0)
    return sb_error (err, errno, "statfs `%s`", root);
  cg->v2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
  if (cg->v2)
    {
      snprintf (path, sizeof (path), "%s/%s", root, rel);
      if (access (path, F_OK) == 0)
        {
          cg->dirs[0] = strdup (path);
          cg->controllers[0] = strdup ("");
          cg->ndirs = 1;
        }
    }
  else
    for (int i = 0; v1_controllers[i] && cg->ndirs < SB_CGROUP_MAX_DIRS; i++)
      {
        snprintf (path, sizeof (path), "%s/%s/%s", root, v1_controllers[i], rel);
        if (access (path, F_OK) == 0)
          {
            cg->dirs[cg->ndirs] = strdup (path);
            cg->controllers[cg->ndirs++] = strdup (v1_controllers[i]);
          }
      }
  return 0;
}

void
sb_cgroup_close (struct sb_cgroup *cg)
{
  for (int i = 0; i < cg->ndirs; i++)
    {
      free (cg->dirs[i]);
      free (cg->controllers[i]);
      cg->dirs[i] = cg->controllers[i] = NULL;
    }
  cg->ndirs = 0;
}

int
sb_cgroup_update_limits (struct sb_cgroup *cg, const struct sb_cgroup_limits *l, sb_error_t *err)
{
  /* v1 refuses a memory limit above memory+swap's: that one is lifted
     first, then both are set as at the start. */
  if (l->memory_bytes && !cg->v2
      && write_knob (cg, "memory", WHOLE, "memory.memsw.limit_in_bytes", "-1", true, err) < 0)
    return -1;
  return sb_cgroup_set_limits (cg, l, err);
}

int
sb_cgroup_remove_named (const char *root, const char *name, sb_error_t *err)
{
  struct sb_cgroup cg;
  int ret;

  if (sb_cgroup_open_named (&cg, root, name, err) < 0)
    return -1;
  ret = sb_cgroup_destroy (&cg, err);
  /* Its leaf may be gone already while the parent stayed (its remover was
     killed between the two). */
  sb_cgroup_prune (root);
  return ret;
}

void
sb_cgroup_prune (const char *root)
{
  struct statfs sfs;
  char path[PATHLEN];

  if (statfs (root, &sfs) < 0)
    return;
  /* rmdir fails (EBUSY) while a sandbox is under it; one being made
     between its two mkdirs makes the parent again (add_dir). */
  if (sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      snprintf (path, sizeof (path), "%s/sandbox", root);
      rmdir (path);
      return;
    }
  for (int i = 0; v1_controllers[i]; i++)
    {
      snprintf (path, sizeof (path), "%s/%s/sandbox", root, v1_controllers[i]);
      rmdir (path);
    }
}
