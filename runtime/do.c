/* sandbox-runtime do: run one command in a new sandbox, like `runsc do`.
   Without --rootfs the host root is the image, read-only, under an in-memory
   writable layer that vanishes at exit. The command's stdio are ours; its
   exit status (or 128+signal) is ours; SIGINT, SIGTERM and SIGHUP reach it.
   Everything the sandbox makes lives in its namespaces and its cgroup, both
   gone when this returns. */
#include "runtime.h"
#include "cgroup.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_AUDIT_LOG SB_LOCALSTATEDIR "/log/sandboxd/audit.log"
#define HOSTNAME_MAX 64

struct do_options
{
  char *rootfs;             /* realpath'd */
  const char *policy;
  const char *hostname;
  const char *release;
  const char *audit_log;
  const char *cwd;
  bool network_host;
  bool strace;
  char **argv;
};

static void
do_usage (FILE *f)
{
  fprintf (f,
           "usage: sandbox-runtime do [OPTIONS] -- CMD [ARG...]\n"
           "\n"
           "Runs CMD in a new sandbox and exits with its status (128+N if killed by signal N).\n"
           "\n"
           "  --rootfs DIR          use DIR as the root (default: the host root, read-only,\n"
           "                        with an in-memory writable layer)\n"
           "  --policy FILE         apply a tenant policy file\n"
           "  --hostname NAME       the sandbox's hostname (default: sandbox)\n"
           "  --release R           the kernel release uname reports (default: 6.1.0)\n"
           "  --network none|host   none: loopback only (default); host: the host's network\n"
           "  --strace              print every mediated system call to stderr\n"
           "  --cwd DIR             the command's working directory (default: the current one\n"
           "                        with the host root, / with --rootfs)\n"
           "  --audit-log FILE      append denied calls as JSON lines (default: %s)\n"
           "  -h, --help            show this help\n",
           DEFAULT_AUDIT_LOG);
}

static bool
valid_hostname (const char *h)
{
  size_t n = strlen (h), i;

  if (n == 0 || n > HOSTNAME_MAX)
    return false;
  for (i = 0; i < n; i++)
    if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9')
          || h[i] == '-' || h[i] == '.'))
      return false;
  return h[0] != '-' && h[0] != '.';
}

static int
parse_do_options (int argc, char **argv, struct do_options *o, sb_error_t *err)
{
  static const struct option opts[] = {
    { "rootfs", required_argument, 0, 'r' },   { "policy", required_argument, 0, 'p' },
    { "hostname", required_argument, 0, 'H' }, { "release", required_argument, 0, 'R' },
    { "network", required_argument, 0, 'n' },  { "strace", no_argument, 0, 's' },
    { "audit-log", required_argument, 0, 'a' }, { "help", no_argument, 0, 'h' },
    { "cwd", required_argument, 0, 'w' },
    { 0, 0, 0, 0 },
  };
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'r':
          {
            struct stat st;
            o->rootfs = realpath (optarg, NULL);
            if (o->rootfs == NULL)
              return sb_error (err, errno, "--rootfs `%s`", optarg);
            if (stat (o->rootfs, &st) < 0 || !S_ISDIR (st.st_mode))
              return sb_error (err, ENOTDIR, "--rootfs `%s`", optarg);
            break;
          }
        case 'p':
          o->policy = optarg;
          break;
        case 'H':
          if (!valid_hostname (optarg))
            return sb_error (err, 0, "--hostname `%s`: use letters, digits, '-' and '.', at most %d",
                             optarg, HOSTNAME_MAX);
          o->hostname = optarg;
          break;
        case 'R':
          if (strlen (optarg) == 0 || strlen (optarg) > 64)
            return sb_error (err, 0, "--release `%s`: 1 to 64 characters", optarg);
          o->release = optarg;
          break;
        case 'n':
          if (strcmp (optarg, "host") == 0)
            o->network_host = true;
          else if (strcmp (optarg, "none") == 0)
            o->network_host = false;
          else
            return sb_error (err, 0, "--network `%s`: use none or host", optarg);
          break;
        case 's':
          o->strace = true;
          break;
        case 'a':
          o->audit_log = optarg;
          break;
        case 'w':
          if (optarg[0] != '/')
            return sb_error (err, 0, "--cwd `%s`: must be an absolute path", optarg);
          o->cwd = optarg;
          break;
        case 'h':
          do_usage (stdout);
          exit (0);
        default:
          return sb_error (err, 0, "unknown or incomplete option `%s` (see --help)",
                           argv[optind - 1]);
        }
    }
  if (optind >= argc)
    return sb_error (err, 0, "no command given (usage: sandbox-runtime do [OPTIONS] -- CMD [ARG...])");
  o->argv = argv + optind;
  if (o->policy)
    return sb_error (err, ENOTSUP, "--policy `%s`: policy files are not supported by this build yet",
                     o->policy);
  return 0;
}

static int
open_audit_log (const char *path, sb_error_t *err)
{
  int fd;

  if (strcmp (path, DEFAULT_AUDIT_LOG) == 0)
    {
      /* mkdir -p of the default log directory, private to root. */
      char dir[PATH_MAX], *p;
      snprintf (dir, sizeof (dir), "%s", SB_LOCALSTATEDIR "/log/sandboxd");
      for (p = dir + 1; *p; p++)
        if (*p == '/')
          {
            *p = '\0';
            mkdir (dir, 0755);
            *p = '/';
          }
      mkdir (dir, 0700);
    }
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return sb_error (err, errno, "open the audit log `%s`", path);
  return fd;
}

/* argv for sandbox-sentry. */
static char **
sentry_argv (const struct do_options *o, int audit_fd, const char *id)
{
  size_t n = 0, i;
  char **v;
  static char audit_buf[16];

  while (o->argv[n])
    n++;
  v = calloc (n + 24, sizeof (char *));
  if (v == NULL)
    return NULL;
  i = 0;
  v[i++] = "sandbox-sentry";
  if (o->rootfs)
    {
      v[i++] = "--rootfs";
      v[i++] = o->rootfs;
    }
  v[i++] = "--hostname";
  v[i++] = (char *) (o->hostname ? o->hostname : "sandbox");
  if (o->release)
    {
      v[i++] = "--release";
      v[i++] = (char *) o->release;
    }
  v[i++] = "--network";
  v[i++] = o->network_host ? "host" : "none";
  if (o->strace)
    v[i++] = "--strace";
  snprintf (audit_buf, sizeof (audit_buf), "%d", audit_fd);
  v[i++] = "--audit-fd";
  v[i++] = audit_buf;
  v[i++] = "--id";
  v[i++] = (char *) id;
  if (o->cwd)
    {
      v[i++] = "--cwd";
      v[i++] = (char *) o->cwd;
    }
  else if (!o->rootfs)
    {
      /* Like runsc do: start where the caller is, if the image has that directory. */
      static char here[PATH_MAX];
      if (getcwd (here, sizeof (here)))
        {
          v[i++] = "--cwd";
          v[i++] = here;
          v[i++] = "--cwd-optional";
        }
    }
  v[i++] = "--";
  memcpy (v + i, o->argv, n * sizeof (char *));
  return v;
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static int
wait_sandbox (pid_t child, sb_error_t *err)
{
  sigset_t set;
  size_t i;
  int status;

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  for (i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaddset (&set, forwarded[i]);
  for (;;)
    {
      siginfo_t si;
      int sig = sigwaitinfo (&set, &si);

      if (sig < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (sig != SIGCHLD)
        {
          kill (child, sig);
          continue;
        }
      if (waitpid (child, &status, WNOHANG) == child)
        break;
    }
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  sb_error (err, 0, "the sandbox's Sentry died (signal %d): the sandbox is gone",
            WIFSIGNALED (status) ? WTERMSIG (status) : 0);
  return -1;
}

int
sb_runtime_do (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct do_options o = { .audit_log = DEFAULT_AUDIT_LOG };
  struct sb_cgroup cg = { 0 };
  cleanup_close int sentry_exe = -1;
  cleanup_close int audit_fd = -1;
  int sync[2] = { -1, -1 };
  char path[PATH_MAX], id[64];
  cleanup_free char **sargv = NULL;
  sigset_t block, old;
  unsigned long flags;
  pid_t child;
  int code = SB_EXIT_SANDBOX;
  size_t i;

  if (parse_do_options (argc, argv, &o, &err) < 0)
    {
      sb_error_print ("sandbox-runtime do", &err);
      free (o.rootfs);
      return SB_EXIT_USAGE;
    }
  if (geteuid () != 0)
    {
      fprintf (stderr, "sandbox-runtime do: must run as root (it creates namespaces and cgroups)\n");
      free (o.rootfs);
      return SB_EXIT_SANDBOX;
    }
  snprintf (path, sizeof (path), "%s/sandbox-sentry", sb_libexec_dir ());
  sentry_exe = open (path, O_PATH | O_CLOEXEC);
  if (sentry_exe < 0)
    {
      sb_error (&err, errno, "open the Sentry `%s`", path);
      goto out;
    }
  if ((audit_fd = open_audit_log (o.audit_log, &err)) < 0)
    goto out;
  snprintf (id, sizeof (id), "do-%d-%llx", getpid (), (unsigned long long) (sb_now_ns () & 0xffffff));
  sargv = sentry_argv (&o, 3, id);
  if (sargv == NULL)
    {
      sb_error (&err, ENOMEM, "allocate");
      goto out;
    }
  if (sb_cgroup_create (&cg, "/sys/fs/cgroup", id, &err) < 0)
    {
      sb_error_prefix (&err, "create the sandbox's cgroup");
      goto out;
    }
  if (pipe2 (sync, O_CLOEXEC) < 0)
    {
      sb_error (&err, errno, "pipe");
      goto out;
    }

  /* Signals wait in a queue from here on, to be forwarded to the sandbox. */
  sigemptyset (&block);
  sigaddset (&block, SIGCHLD);
  for (i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaddset (&block, forwarded[i]);
  sigprocmask (SIG_BLOCK, &block, &old);

  flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  if (!o.network_host)
    flags |= CLONE_NEWNET;
  child = syscall (SYS_clone, flags, 0, 0, 0, 0);
  if (child < 0)
    {
      sb_error (&err, errno, "clone the sandbox's namespaces");
      sigprocmask (SIG_SETMASK, &old, NULL);
      goto out;
    }
  if (child == 0)
    {
      int keep[2] = { 3, 4 };
      char go;

      sigprocmask (SIG_SETMASK, &old, NULL);
      close (sync[1]);
      if (read (sync[0], &go, 1) != 1)
        _exit (SB_EXIT_SANDBOX); /* the parent failed to place us: give up */
      /* The Sentry gets stdio, the audit log as fd 3, its binary as fd 4. */
      {
        /* Move both above 4 first: either may already sit on 3 or 4. */
        int a = fcntl (audit_fd, F_DUPFD_CLOEXEC, 10), e = fcntl (sentry_exe, F_DUPFD_CLOEXEC, 10);
        if (a < 0 || e < 0 || dup2 (a, 3) < 0 || dup2 (e, 4) < 0)
          _exit (SB_EXIT_SANDBOX);
      }
      sb_close_fds_except (5, keep, 0);
      syscall (SYS_execveat, 4, "", sargv, environ, AT_EMPTY_PATH);
      fprintf (stderr, "sandbox-runtime do: exec the Sentry: %s\n", strerror (errno));
      _exit (SB_EXIT_SANDBOX);
    }
  close (sync[0]);
  sync[0] = -1;
  if (sb_cgroup_add_pid (&cg, child, &err) < 0)
    {
      close (sync[1]);
      waitpid (child, NULL, 0);
      sigprocmask (SIG_SETMASK, &old, NULL);
      sb_error_prefix (&err, "place the sandbox in its cgroup");
      goto out;
    }
  if (write (sync[1], "G", 1) != 1)
    kill (child, SIGKILL);
  close (sync[1]);
  sync[1] = -1;
  code = wait_sandbox (child, &err);
  sigprocmask (SIG_SETMASK, &old, NULL);
  if (code < 0)
    code = SB_EXIT_SANDBOX;

out:
  if (sync[0] >= 0)
    close (sync[0]);
  if (sync[1] >= 0)
    close (sync[1]);
  if (cg.ndirs > 0)
    {
      sb_error_t cgerr = NULL;
      if (sb_cgroup_destroy (&cg, &cgerr) < 0)
        sb_error_print ("sandbox-runtime do", &cgerr);
    }
  if (err)
    sb_error_print ("sandbox-runtime do", &err);
  free (o.rootfs);
  return code;
}
