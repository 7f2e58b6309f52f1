/* /proc files that would describe the host, answered from the sandbox's own
   limits, processes and clock: meminfo, cpuinfo, stat, uptime, loadavg;
   and its own identity: version, osrelease (the policy's release), the
   kernel command line and boot_id (random per sandbox, as a boot's is).
   Each open gets a sealed memfd with a fresh snapshot.

   The host's other facts are masked rather than answered (common/mounts.c
   for /proc, sentry/sysfs.c for /sys); the process start times of
   /proc/<pid>/stat and the clocks are the sandbox's through its time
   namespace (sentry/timens.c). */
#include "sentry.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

/* The memfds' names (what sys_lseek knows them by) and seals. */
#define SYNTHETIC_SEQ_NAME "synthetic"
#define SYNTHETIC_SYSCTL_NAME "synthetic-sysctl"
#define SYNTHETIC_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

struct sandbox_usage
{
  int tasks;
  int running;
  uint64_t rss_bytes;
  uint64_t utime_ticks;
  uint64_t stime_ticks;
};

/* The pid namespace of pid in the Sentry's procfs ("pid:[N]"), or false
   when it cannot be read (a process of another user namespace, or gone). */
static bool
pid_ns_of (struct sentry *s, long pid, char *out, size_t len)
{
  char link[64];
  ssize_t n;

  snprintf (link, sizeof (link), "%ld/ns/pid", pid);
  if ((n = readlinkat (s->procfd, link, out, len - 1)) <= 0)
    return false;
  out[n] = '\0';
  return true;
}

/* Walks the Sentry's procfs: the sandbox's processes, less the Sentry and
   the Gofer. In a pod's pid namespace that procfs (the pod's first
   Sentry's) also holds the pod's other Sentries and Gofers, and the app
   pid namespace the other containers' processes: only the processes of
   the app pid namespace that this Sentry may look at (its own sandbox's,
   those of its user namespace) count. */
static void
sandbox_usage (struct sentry *s, struct sandbox_usage *u)
{
  cleanup_close int dfd = openat (s->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = NULL;
  long page = sysconf (_SC_PAGESIZE);
  struct dirent *de;
  char app_ns[64], ns[64];

  memset (u, 0, sizeof (*u));
  if (s->init_pid <= 0 || !pid_ns_of (s, s->init_pid, app_ns, sizeof (app_ns)))
    return;
  if (dfd < 0 || (d = fdopendir (dfd)) == NULL)
    return;
  dfd = -1; /* owned by d */
  while ((de = readdir (d)) != NULL)
    {
      char path[64], buf[1024], *p;
      unsigned long long rss, ut, st;
      long pid;
      char state;

      if (sb_parse_long (de->d_name, 1, 1 << 30, &pid) < 0 || pid == 1 || pid == s->gofer_pid
          || !pid_ns_of (s, pid, ns, sizeof (ns)) || strcmp (ns, app_ns) != 0)
        continue;
      snprintf (path, sizeof (path), "%ld/statm", pid);
      if (sb_read_file_at (s->procfd, path, buf, sizeof (buf)) > 0
          && sscanf (buf, "%*u %llu", &rss) == 1)
        u->rss_bytes += rss * (uint64_t) page;
      snprintf (path, sizeof (path), "%ld/stat", pid);
      if (sb_read_file_at (s->procfd, path, buf, sizeof (buf)) <= 0)
        continue;
      p = strrchr (buf, ')'); /* the name may hold spaces */
      if (p == NULL || sscanf (p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                               &state, &ut, &st) != 3)
        continue;
      u->tasks++;
      u->running += state == 'R';
      u->utime_ticks += ut;
      u->stime_ticks += st;
    }
}

int
sb_count_sandbox_tasks (struct sentry *s, int *running)
{
  struct sandbox_usage u;

  sandbox_usage (s, &u);
  if (running)
    *running = u.running;
  return u.tasks;
}

/* The sandbox's memory limit now: its cgroup's (an OCI `update` may have
   moved it since the start), else the one it started with, else the host's
   memory. */
static uint64_t
memory_total (struct sentry *s)
{
  struct sysinfo si;
  char buf[32];
  long limit;
  ssize_t n;

  /* "max" (v2) or a page-rounded LONG_MAX (v1): no limit there. A read
     from offset 0 makes the cgroup file anew. */
  if (s->memory_limit_fd >= 0 && (n = pread (s->memory_limit_fd, buf, sizeof (buf) - 1, 0)) > 0)
    {
      buf[n] = '\0';
      buf[strcspn (buf, "\n")] = '\0';
      if (sb_parse_long (buf, 1, LONG_MAX, &limit) == 0 && sysinfo (&si) == 0
          && (uint64_t) limit < (uint64_t) si.totalram * si.mem_unit)
        return (uint64_t) limit;
    }
  if (s->cfg.memory_limit)
    return s->cfg.memory_limit;
  if (sysinfo (&si) < 0)
    return 0;
  return (uint64_t) si.totalram * si.mem_unit;
}

static int
host_cpus (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int) n : 1;
}

static int
sandbox_cpus (struct sentry *s)
{
  int host = host_cpus ();
  return s->cfg.cpus > 0 && s->cfg.cpus < host ? s->cfg.cpus : host;
}

/* The sandbox's uptime: its app's boot clock, which is the host's shifted
   by the offset of the time namespace its init made for it (or, in a
   pod, joined: the pod's first container's), so that /proc/uptime, btime
   and sysinfo agree with the start times of /proc/<pid>/stat and with
   CLOCK_BOOTTIME as the app reads them. Read once from the init's
   timens_offsets (the namespace of its children); the Sentry's own start
   until then, or if it cannot be read. */
static double
uptime_seconds (struct sentry *s)
{
  struct timespec boot;

  /* Several serving threads may get here first: each reads the same. */
  if (!__atomic_load_n (&s->boot_offset_known, __ATOMIC_ACQUIRE) && s->init_pid > 0)
    {
      char path[64], buf[256], *p;
      long long sec, nsec;

      snprintf (path, sizeof (path), "%d/timens_offsets", (int) s->init_pid);
      if (sb_read_file_at (s->procfd, path, buf, sizeof (buf)) > 0 && (p = strstr (buf, "boottime")) != NULL
          && sscanf (p, "boottime %lld %lld", &sec, &nsec) == 2 && sec < 0)
        {
          __atomic_store_n (&s->boot_offset_ns, sec * 1000000000ll + nsec, __ATOMIC_RELAXED);
          __atomic_store_n (&s->boot_offset_known, true, __ATOMIC_RELEASE);
        }
    }
  if (__atomic_load_n (&s->boot_offset_known, __ATOMIC_ACQUIRE) && clock_gettime (CLOCK_BOOTTIME, &boot) == 0)
    return (double) ((long long) boot.tv_sec * 1000000000ll + boot.tv_nsec
                     + __atomic_load_n (&s->boot_offset_ns, __ATOMIC_RELAXED)) / 1e9;
  return (double) (sb_now_ns () - s->start_ns) / 1e9;
}

void
sb_fill_sysinfo (struct sentry *s, void *out)
{
  struct sysinfo *info = out;
  struct sandbox_usage u;
  uint64_t total = memory_total (s);

  sandbox_usage (s, &u);
  memset (info, 0, sizeof (*info));
  info->uptime = (long) uptime_seconds (s);
  info->loads[0] = info->loads[1] = info->loads[2] = (unsigned long) u.running * 65536;
  info->totalram = total;
  info->freeram = total > u.rss_bytes ? total - u.rss_bytes : 0;
  info->procs = (unsigned short) u.tasks;
  info->mem_unit = 1;
}

static void
write_meminfo (struct sentry *s, FILE *f)
{
  struct sandbox_usage u;
  uint64_t total, used, free_kb;

  sandbox_usage (s, &u);
  total = memory_total (s) / 1024;
  used = u.rss_bytes / 1024;
  free_kb = total > used ? total - used : 0;
  fprintf (f,
           "MemTotal:       %8llu kB\nMemFree:        %8llu kB\nMemAvailable:   %8llu kB\n"
           "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
           "Active:         %8llu kB\nInactive:              0 kB\nSwapTotal:             0 kB\n"
           "SwapFree:              0 kB\nDirty:                 0 kB\nWriteback:             0 kB\n"
           "AnonPages:      %8llu kB\nMapped:                0 kB\nShmem:                 0 kB\n"
           "Committed_AS:   %8llu kB\nHugePages_Total:       0\nHugePages_Free:        0\n"
           "Hugepagesize:       2048 kB\n",
           (unsigned long long) total, (unsigned long long) free_kb, (unsigned long long) free_kb,
           (unsigned long long) used, (unsigned long long) used, (unsigned long long) used);
}

/* The host's processor descriptions (features matter to programs), but only
   as many processors as the sandbox has. */
static void
write_cpuinfo (struct sentry *s, FILE *f)
{
  cleanup_close int fd = openat (s->procfd, "cpuinfo", O_RDONLY | O_CLOEXEC);
  cleanup_file FILE *in = NULL;
  char line[4096];
  int cpus = sandbox_cpus (s), seen = -1;

  if (fd < 0 || (in = fdopen (fd, "r")) == NULL)
    return;
  fd = -1;
  while (fgets (line, sizeof (line), in))
    {
      if (strncmp (line, "processor", 9) == 0)
        seen++;
      if (seen >= cpus)
        break;
      fputs (line, f);
    }
}

static void
write_stat (struct sentry *s, FILE *f)
{
  struct sandbox_usage u;
  long hz = sysconf (_SC_CLK_TCK);
  int cpus = sandbox_cpus (s), i;
  double up = uptime_seconds (s);
  unsigned long long busy, idle, btime = (unsigned long long) time (NULL) - (unsigned long long) up;

  sandbox_usage (s, &u);
  busy = u.utime_ticks + u.stime_ticks;
  idle = (unsigned long long) (up * hz * cpus);
  idle = idle > busy ? idle - busy : 0;
  fprintf (f, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long) u.utime_ticks,
           (unsigned long long) u.stime_ticks, idle);
  for (i = 0; i < cpus; i++)
    fprintf (f, "cpu%d %llu 0 %llu %llu 0 0 0 0 0 0\n", i,
             (unsigned long long) u.utime_ticks / cpus, (unsigned long long) u.stime_ticks / cpus,
             idle / cpus);
  /* Every line Linux prints, so parsers that look for one find it; the
     host's interrupt and softirq counts are not the sandbox's to show. */
  fprintf (f, "intr 0\nctxt 0\nbtime %llu\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n"
              "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
           btime, u.tasks, u.running);
}

static void
write_uptime (struct sentry *s, FILE *f)
{
  double up = uptime_seconds (s);
  fprintf (f, "%.2f %.2f\n", up, up * sandbox_cpus (s));
}

static void
write_loadavg (struct sentry *s, FILE *f)
{
  int running = 0, tasks = sb_count_sandbox_tasks (s, &running);
  fprintf (f, "%d.00 %d.00 %d.00 %d/%d 1\n", running, running, running, running, tasks);
}

/* The kernel the sandbox reports is the one uname reports. */
static void
write_version (struct sentry *s, FILE *f)
{
  fprintf (f, "Linux version %s (sandbox) #1 SMP sandbox\n", s->cfg.release);
}

static void
write_osrelease (struct sentry *s, FILE *f)
{
  fprintf (f, "%s\n", s->cfg.release);
}

static void
write_kernel_version (struct sentry *s, FILE *f)
{
  (void) s;
  fprintf (f, "#1 SMP sandbox\n");
}

static void
write_cmdline (struct sentry *s, FILE *f)
{
  fprintf (f, "BOOT_IMAGE=/boot/vmlinuz-%s ro quiet\n", s->cfg.release);
}

static void
write_boot_id (struct sentry *s, FILE *f)
{
  if (s->boot_id[0] == '\0')
    {
      unsigned char r[16];
      if (getrandom (r, sizeof (r), 0) != sizeof (r))
        memset (r, 0, sizeof (r));
      r[6] = (r[6] & 0x0f) | 0x40; /* a version 4 UUID, as the kernel makes */
      r[8] = (r[8] & 0x3f) | 0x80;
      snprintf (s->boot_id, sizeof (s->boot_id),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
                r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
    }
  fprintf (f, "%s\n", s->boot_id);
}

/* A sealed memfd holding text, named for what sys_lseek answers; -errno. */
static int
sealed_memfd (const char *name, const char *text, size_t len)
{
  int fd = memfd_create (name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

  if (fd < 0)
    return -errno;
  if (sb_write_all (fd, text, len) < 0 || lseek (fd, 0, SEEK_SET) < 0
      || fcntl (fd, F_ADD_SEALS, SYNTHETIC_SEALS) < 0)
    {
      int e = errno;
      close (fd);
      return -e;
    }
  return fd;
}

int
sb_synthetic_open (struct sentry *s, const char *name, sb_error_t *err)
{
  static const struct
  {
    const char *name;
    void (*write) (struct sentry *, FILE *);
    bool sysctl; /* a /proc/sys file (size 0 to lseek), else a seq_file */
  } files[] = {
    { "meminfo", write_meminfo, false }, { "cpuinfo", write_cpuinfo, false },
    { "stat", write_stat, false }, { "uptime", write_uptime, false },
    { "loadavg", write_loadavg, false }, { "version", write_version, false },
    { "sys/kernel/osrelease", write_osrelease, true },
    { "sys/kernel/version", write_kernel_version, true }, { "cmdline", write_cmdline, false },
    { "sys/kernel/random/boot_id", write_boot_id, true },
  };
  cleanup_free char *text = NULL;
  size_t len = 0, i;
  FILE *f;
  int fd;

  for (i = 0; i < sizeof (files) / sizeof (files[0]); i++)
    if (strcmp (files[i].name, name) == 0)
      break;
  if (i == sizeof (files) / sizeof (files[0]))
    return sb_error (err, ENOENT, "no synthetic file `%s`", name);
  f = open_memstream (&text, &len);
  if (f == NULL)
    return sb_error (err, errno, "open_memstream");
  files[i].write (s, f);
  fclose (f);
  fd = sealed_memfd (files[i].sysctl ? SYNTHETIC_SYSCTL_NAME : SYNTHETIC_SEQ_NAME, text, len);
  if (fd < 0)
    return sb_error (err, -fd, "fill the synthetic `%s`", name);
  return fd;
}

/* lseek with a whence other than SEEK_SET and SEEK_CUR (the filter lets
   those run on the host, filter_args.c). A synthetic file answers as the
   file it stands for: a seq_file (/proc/stat, meminfo...) refuses SEEK_END,
   SEEK_DATA and SEEK_HOLE with EINVAL; a /proc/sys file has size 0 to
   default_llseek (SEEK_END lands at the offset, SEEK_DATA and SEEK_HOLE
   find nothing past it). Any other descriptor continues: lseek's arguments
   are registers, which the app cannot change after this check, and what
   it acts on is the app's own descriptor, so CONTINUE runs exactly what the
   filter would have let run. A thread that swaps the number with dup2
   meanwhile only gets the answer of the other file. A memfd the app makes
   itself under the same name and seals gets the synthetic answer: the
   caller fooled only itself. */
long
sys_lseek (struct sb_call *c)
{
  cleanup_close int fd = -1;
  char link[64], name[64];
  int whence = (int) c->args[2], seals;
  int64_t off = (int64_t) c->args[1];
  ssize_t n;
  bool sysctl;

  if (whence != SEEK_END && whence != SEEK_DATA && whence != SEEK_HOLE)
    return SB_RET_CONTINUE; /* the kernel's EINVAL for an unknown whence */
  fd = sb_get_app_fd (c, (int) c->args[0]);
  if (fd < 0)
    return SB_RET_CONTINUE; /* EBADF and the like: the kernel answers */
  snprintf (link, sizeof (link), "self/fd/%d", fd);
  n = readlinkat (c->s->procfd, link, name, sizeof (name) - 1);
  if (n < 0)
    return SB_RET_CONTINUE;
  name[n] = '\0';
  if (strcmp (name, "/memfd:" SYNTHETIC_SEQ_NAME " (deleted)") == 0)
    sysctl = false;
  else if (strcmp (name, "/memfd:" SYNTHETIC_SYSCTL_NAME " (deleted)") == 0)
    sysctl = true;
  else
    return SB_RET_CONTINUE;
  seals = fcntl (fd, F_GET_SEALS);
  if (seals != SYNTHETIC_SEALS)
    return SB_RET_CONTINUE;
  if (!sysctl)
    return -EINVAL;
  if (off < 0)
    return -EINVAL;
  if (whence != SEEK_END)
    return -ENXIO;
  /* The copy shares the app's open file description, and its offset. */
  if (lseek (fd, off, SEEK_SET) < 0)
    return -errno;
  return off;
}

int
sb_synthetic_text (const char *text, size_t len)
{
  return sealed_memfd (SYNTHETIC_SEQ_NAME, text, len);
}
