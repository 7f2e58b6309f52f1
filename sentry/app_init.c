/* The sandbox's pid 1. Runs our code until execve, so everything it does
   before the command starts is trusted set-up; after loading the filter it
   is an ordinary sandboxed process (its own calls are all host class).

   Order matters:
   1. make the container's procfs (inside the new pid namespace), cover its
      host-describing entries, make /proc/sys read-only, mount it at /proc,
      and send a copy of that tree to the Sentry for the Gofer;
   2. pivot_root into the container root, drop the old root;
   3. join the tenant's user namespace as its root (from here on, the
      init's ids are the tenant's host ids), take the app's stdio, close
      everything else, cut capabilities, set no_new_privs;
   4. load the filter; tell the Sentry the listener's number (a plain write:
      sendmsg would already need the Sentry); it takes the listener with
      pidfd_getfd and says go;
   5. fork the command, forward signals to it, reap orphans, exit with its
      status (128+signal when killed). */
#include "launch.h"
#include "capabilities.h"
#include "cleanup.h"
#include "fdpass.h"
#include "filter.h"
#include "mounts.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <grp.h>
#include <poll.h>
#include <jansson.h>
#include <sys/mount.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static pid_t command_pid = -1;
static volatile sig_atomic_t woken;

static void
wake_up (int sig)
{
  (void) sig;
  woken = 1;
}

static void
forward_signal (int sig)
{
  if (command_pid > 0)
    kill (command_pid, sig);
}

/* The sync socket until the filter is loaded: a failure before then is
   told to the Sentry ("E" and the reason), which fails the sandbox's
   build with it (an OCI start answers its caller with it). */
static int die_sock = -1;

__attribute__ ((noreturn)) static void
die (sb_error_t *err)
{
  char msg[1024];

  snprintf (msg, sizeof (msg), "E%s", *err && (*err)->msg ? (*err)->msg : "failed");
  if (die_sock >= 0 && send (die_sock, msg, strlen (msg), MSG_NOSIGNAL) >= 0)
    _exit (125);
  sb_error_print ("sandbox-runtime: sandbox init", err);
  _exit (125);
}

/* The app's /proc: a procfs of its pid namespace (only a process inside
   it can make one), made before the root is built and handed to the
   Sentry, which places it where the config's order puts /proc, and covers
   the host-describing entries and /proc/sys (sb_masked_paths) on top of
   all the mounts, so that no route to them, even one that skips the Gofer,
   finds anything to read or write. */
static int
send_new_procfs (int sync_sock, sb_error_t *err)
{
  cleanup_close int mfd = sb_new_procfs (err);
  char byte = 'Q';
  int ret;

  if (mfd < 0)
    return sb_error_prefix (err, "the container procfs");
  ret = sb_send_msg (sync_sock, &byte, 1, &mfd, 1);
  if (ret < 0)
    return sb_error (err, -ret, "send the procfs to the Sentry");
  return 0;
}

/* The Gofer gets a copy of the same /proc, as the Sentry built it. */
static int
send_procfs_copy (int sync_sock, sb_error_t *err)
{
  cleanup_close int clone = -1;
  char byte = 'P';
  int ret;

  clone = syscall (SYS_open_tree, AT_FDCWD, SB_ROOT_DIR "/proc",
                   OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
  if (clone < 0)
    return sb_error (err, errno, "copy the container procfs");
  ret = sb_send_msg (sync_sock, &byte, 1, &clone, 1);
  if (ret < 0)
    return sb_error (err, -ret, "send the procfs to the Sentry");
  return 0;
}

/* From host root to the tenant's: the app's processes are the tenant's
   host ids, with Docker's capabilities over the tenant's namespace only. */
static int
become_tenant (struct sb_app_init_args *a, sb_error_t *err)
{
  /* The Sentry's -1000 is not the app's: the OOM killer must be able to
     pick any of the app's processes. 0, or the value of the OCI config
     (below 0 only as the tenant's policy allows), written as host root, so
     that it is also the floor the app cannot go below. */
  char adj[16];
  snprintf (adj, sizeof (adj), "%d", a->oom_score_adj);
  if (sb_write_file ("/proc/self/oom_score_adj", adj, err) < 0)
    return -1;
  if (sb_userns_enter (a->userns_fd, err) < 0)
    return -1;
  close (a->userns_fd);
  /* Changing ids cleared these. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
  return 0;
}

/* The app's stdio on 0, 1 and 2 (pipes or the sandbox's terminal; never
   the operator's files), every other inherited descriptor closed. */
static int
take_stdio (struct sb_app_init_args *a, sb_error_t *err)
{
  int keep[1] = { a->sync_sock }, moved[3], i;

  for (i = 0; i < 3; i++)
    {
      moved[i] = fcntl (a->stdio[i], F_DUPFD_CLOEXEC, 10);
      if (moved[i] < 0)
        return sb_error (err, errno, "take the app's stdio");
    }
  for (i = 0; i < 3; i++)
    if (dup2 (moved[i], i) < 0)
      return sb_error (err, errno, "take the app's stdio");
  if (a->sync_sock < 3)
    return sb_error (err, EBADF, "the sync socket is on a stdio descriptor");
  sb_close_fds_except (3, keep, 1);
  return 0;
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

static void
forwarded_set (sigset_t *set)
{
  sigemptyset (set);
  for (size_t i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaddset (set, forwarded[i]);
}

/* The handlers forward to the command; the caller unblocks the signals once
   command_pid is set. */
static void
install_forwarding (void)
{
  struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

  sigemptyset (&sa.sa_mask);
  for (size_t i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaction (forwarded[i], &sa, NULL);
}

/* An OCI config's inheritable and ambient capabilities, within those the
   app keeps: set by the init, and again by a process that changes user
   (the kernel clears the ambient set then, as runc also finds). */
static uint64_t kept_caps, inheritable_caps, ambient_caps;

/* CAP_SETUID and CAP_SETGID (both in Docker's set): the init keeps them
   in its permitted set (never in the bounding set) for the processes it
   starts, which take their user's ids first and drop them then, as runc
   changes user before it applies the config's capabilities (runc spec's
   config, without them, runs as root 0:0). */
#define USER_CHANGE_CAPS ((1ull << CAP_SETUID) | (1ull << CAP_SETGID))

static int
set_inheritable_ambient (uint64_t permitted)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct d[2] = { 0 };

  if (inheritable_caps == 0)
    return 0;
  d[0].permitted = d[0].effective = (uint32_t) permitted;
  d[1].permitted = d[1].effective = (uint32_t) (permitted >> 32);
  d[0].inheritable = (uint32_t) inheritable_caps;
  d[1].inheritable = (uint32_t) (inheritable_caps >> 32);
  if (syscall (SYS_capset, &hdr, d) < 0)
    return -1;
  for (int c = 0; c < 64; c++)
    if ((ambient_caps >> c) & 1 && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return -1;
  return 0;
}

/* After the change of user: the command's capabilities are kept_caps at
   most (a root command would get its bounding set back at exec anyway; a
   command that does not exec must not keep what the init held for it). */
static int
drop_user_change_caps (void)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct d[2] = { 0 };

  if (syscall (SYS_capget, &hdr, d) < 0)
    return -1;
  if ((((uint64_t) d[1].permitted << 32 | d[0].permitted) & ~kept_caps) == 0)
    return 0;
  d[0].permitted &= (uint32_t) kept_caps;
  d[1].permitted &= (uint32_t) (kept_caps >> 32);
  d[0].effective &= (uint32_t) kept_caps;
  d[1].effective &= (uint32_t) (kept_caps >> 32);
  return syscall (SYS_capset, &hdr, d) < 0 ? -1 : 0;
}

/* In a child of the init: becomes the process the request describes and
   execs it. Everything here is host-class under the app's filter (fds,
   ids, a session), except execve and chdir, which the Sentry serves. */
__attribute__ ((noreturn)) static void
run_process (const char *file, char **argv, char **envp, const char *cwd, const struct sb_proc_user *user,
             bool tty, const int *stdio)
{
  sigset_t none;
  int i;

  for (i = 1; i < NSIG; i++)
    signal (i, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (stdio)
    {
      int moved[3];
      for (i = 0; i < 3; i++)
        if ((moved[i] = fcntl (stdio[i], F_DUPFD_CLOEXEC, 10)) < 0)
          _exit (126);
      for (i = 0; i < 3; i++)
        if (dup2 (moved[i], i) < 0)
          _exit (126);
      syscall (SYS_close_range, 3, ~0u, 0);
    }
  /* With a terminal the process leads a session that has it, as docker
     run -t and exec -t give it. */
  if (tty && (setsid () < 0 || ioctl (0, TIOCSCTTY, 0) < 0))
    {
      fprintf (stderr, "sandbox-runtime: make the terminal the command's: %s\n", strerror (errno));
      _exit (126);
    }
  if (user && user->set)
    {
      gid_t groups[SB_PROC_MAX_GROUPS];
      for (i = 0; i < user->ngroups; i++)
        groups[i] = user->groups[i];
      if (ambient_caps && prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        _exit (126);
      if (setgroups ((size_t) user->ngroups, groups) < 0 || setresgid (user->gid, user->gid, user->gid) < 0
          || setresuid (user->uid, user->uid, user->uid) < 0)
        {
          fprintf (stderr, "sandbox-runtime: become user %u:%u: %s\n", user->uid, user->gid, strerror (errno));
          _exit (126);
        }
      if (ambient_caps && (set_inheritable_ambient (kept_caps) < 0 || prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0))
        {
          fprintf (stderr, "sandbox-runtime: ambient capabilities of user %u: %s\n", user->uid, strerror (errno));
          _exit (126);
        }
      /* Changing ids made us undumpable until the exec: the Sentry, which
         reads the path arguments of chdir and execve from our memory,
         could not (EFAULT). The exec sets this anew. */
      prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
    }
  if (drop_user_change_caps () < 0)
    {
      fprintf (stderr, "sandbox-runtime: drop CAP_SETUID and CAP_SETGID: %s\n", strerror (errno));
      _exit (126);
    }
  if (cwd && chdir (cwd) < 0)
    {
      fprintf (stderr, "sandbox-runtime: working directory `%s`: %s\n", cwd, strerror (errno));
      _exit (126);
    }
  if (envp)
    environ = envp;
  if (file)
    execv (file, argv);
  else
    execvp (argv[0], argv);
  fprintf (stderr, "sandbox-runtime: exec `%s`: %s\n", file ?: argv[0], strerror (errno));
  _exit (errno == ENOENT ? 127 : 126);
}

/* ---- exec sessions: requests from the Sentry (sentry/control.c) ------------ */

#define SESSIONS_MAX 1024
static struct
{
  pid_t pid;
  long long id;
} sessions[SESSIONS_MAX];

static char **
string_array (json_t *a)
{
  size_t n = json_array_size (a), i;
  char **v = calloc (n + 1, sizeof (char *));

  for (i = 0; v && i < n; i++)
    v[i] = (char *) json_string_value (json_array_get (a, i));
  return v;
}

static void
tell_sentry (int sock, json_t *msg)
{
  char *text = json_dumps (msg, JSON_COMPACT);

  json_decref (msg);
  if (text)
    {
      /* A plain write: one message on the SOCK_SEQPACKET socket. */
      if (write (sock, text, strlen (text)) < 0)
        {
          /* The Sentry is gone: so is the sandbox, in a moment. */
        }
      free (text);
    }
}

static void
start_session (int sock)
{
  char buf[65537];
  int fds[SB_FDPASS_MAX], nfds = SB_FDPASS_MAX, i, slot;
  ssize_t n = sb_recv_msg (sock, buf, sizeof (buf) - 1, fds, &nfds);
  struct sb_proc_user user = { 0 };
  json_t *req, *groups;
  json_int_t id;
  char **argv, **envp;
  const char *cwd;
  pid_t pid;

  if (n <= 0)
    return;
  buf[n] = '\0';
  req = json_loadb (buf, (size_t) n, 0, NULL);
  id = json_integer_value (json_object_get (req, "id"));
  argv = string_array (json_object_get (req, "argv"));
  envp = string_array (json_object_get (req, "env"));
  cwd = json_string_value (json_object_get (req, "cwd"));
  for (slot = 0; slot < SESSIONS_MAX && sessions[slot].pid > 0; slot++)
    ;
  if (req == NULL || nfds != 3 || argv == NULL || envp == NULL || argv[0] == NULL || slot == SESSIONS_MAX)
    {
      tell_sentry (sock, json_pack ("{s:I, s:s, s:i}", "id", id, "error", "malformed or too many exec sessions",
                                    "errno", EINVAL));
      goto out;
    }
  if (json_object_get (req, "uid"))
    {
      user.set = true;
      user.uid = (uint32_t) json_integer_value (json_object_get (req, "uid"));
      user.gid = (uint32_t) json_integer_value (json_object_get (req, "gid"));
      groups = json_object_get (req, "groups");
      for (i = 0; i < (int) json_array_size (groups) && i < SB_PROC_MAX_GROUPS; i++)
        user.groups[user.ngroups++] = (uint32_t) json_integer_value (json_array_get (groups, (size_t) i));
    }
  pid = fork ();
  if (pid == 0)
    run_process (NULL, argv, envp, cwd, &user, json_is_true (json_object_get (req, "tty")), fds);
  if (pid < 0)
    tell_sentry (sock, json_pack ("{s:I, s:s, s:i}", "id", id, "error", "fork", "errno", errno));
  else
    {
      sessions[slot].pid = pid;
      sessions[slot].id = id;
      tell_sentry (sock, json_pack ("{s:I, s:i}", "id", id, "pid", (int) pid));
    }
out:
  for (i = 0; i < nfds; i++)
    close (fds[i]);
  free (argv);
  free (envp);
  json_decref (req);
}

static void
chld_noop (int sig)
{
  (void) sig;
}

/* Waits for the command while serving exec requests; returns its status. */
static int
serve (int sock)
{
  struct sigaction sa = { .sa_handler = chld_noop };
  sigset_t block, during;
  int status;

  sigemptyset (&sa.sa_mask);
  sigaction (SIGCHLD, &sa, NULL);
  sigemptyset (&block);
  sigaddset (&block, SIGCHLD);
  sigprocmask (SIG_BLOCK, &block, &during);
  sigdelset (&during, SIGCHLD);
  for (;;)
    {
      struct pollfd p = { .fd = sock, .events = POLLIN };
      pid_t pid;

      if (ppoll (&p, sock >= 0 ? 1 : 0, NULL, &during) > 0 && (p.revents & (POLLHUP | POLLERR)))
        sock = -1; /* the Sentry is gone: only the command matters now */
      else if (p.revents & POLLIN)
        start_session (sock);
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        {
          if (pid == command_pid)
            return status;
          for (int i = 0; i < SESSIONS_MAX; i++)
            if (sessions[i].pid == pid)
              {
                sessions[i].pid = 0;
                if (sock >= 0)
                  tell_sentry (sock, json_pack ("{s:I, s:i, s:i}", "id", sessions[i].id, "exited",
                                                (int) pid, "status", status));
              }
        }
    }
}

/* ---- the config's startContainer hooks (an OCI start) --------------------- */

/* One hook, in the sandbox as the command will be (its ids, capabilities,
   working directory and stdout and stderr), with the container's state on
   its stdin; "" when it exited 0, else why not in why. */
static void
run_start_hook (struct sb_app_init_args *a, json_t *h, size_t k, const char *state, char *why, size_t whylen)
{
  const char *path = json_string_value (json_object_get (h, "path"));
  json_int_t timeout = json_integer_value (json_object_get (h, "timeout"));
  cleanup_free char **argv = string_array (json_object_get (h, "args"));
  cleanup_free char **envp = string_array (json_object_get (h, "env"));
  char *only[2] = { (char *) path, NULL };
  int in[2], status = 0, stdio[3], r;
  pid_t pid;

  why[0] = '\0';
  if (path == NULL || argv == NULL || envp == NULL || pipe2 (in, O_CLOEXEC) < 0)
    {
      snprintf (why, whylen, "hooks.startContainer[%zu]: malformed, or no pipe", k);
      return;
    }
  stdio[0] = in[0];
  stdio[1] = 1;
  stdio[2] = 2;
  pid = fork ();
  if (pid == 0)
    run_process (path, argv[0] ? argv : only, envp, NULL, &a->user, false, stdio);
  close (in[0]);
  if (pid < 0)
    {
      close (in[1]);
      snprintf (why, whylen, "hooks.startContainer[%zu] (%s): fork: %s", k, path, strerror (errno));
      return;
    }
  /* A hook that never reads its stdin, or has already ended, costs us
     nothing: EPIPE, not SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
  sb_write_all (in[1], state, strlen (state));
  close (in[1]);
  r = sb_wait_child (pid, timeout, &status);
  if (r < 0)
    {
      if (r == -ETIMEDOUT)
        snprintf (why, whylen, "hooks.startContainer[%zu] (%s): timed out after %llds", k, path, (long long) timeout);
      else
        snprintf (why, whylen, "hooks.startContainer[%zu] (%s): wait: %s", k, path, strerror (-r));
      return;
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    snprintf (why, whylen, "hooks.startContainer[%zu] (%s) failed (status %d%s)", k, path,
              WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status),
              WIFEXITED (status) && WEXITSTATUS (status) == 127 ? ": not found in the container" : "");
}

/* The owner's start (sentry/control.c) sends the config's startContainer
   hooks and the container's state before it wakes us. They run in the
   sandbox, one after another, before the command exists; the Sentry hears
   how they went ("hooks"), and a hook that fails or outlives its timeout
   fails the start: the command never runs. */
static void
run_start_hooks (struct sb_app_init_args *a)
{
  char buf[65537], why[1024] = "";
  int nfds = 0;
  ssize_t n = sb_recv_msg (a->sync_sock, buf, sizeof (buf) - 1, NULL, &nfds);
  json_t *msg = NULL, *h;
  cleanup_free char *state = NULL;
  size_t k;

  if (n > 0)
    {
      buf[n] = '\0';
      msg = json_loadb (buf, (size_t) n, 0, NULL);
    }
  if (msg == NULL)
    snprintf (why, sizeof (why), "the start's hooks did not arrive");
  else if ((state = json_dumps (json_object_get (msg, "state"), JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
    snprintf (why, sizeof (why), "the container's state did not arrive");
  json_array_foreach (json_object_get (msg, "hooks"), k, h)
    {
      if (why[0])
        break;
      run_start_hook (a, h, k, state, why, sizeof (why));
    }
  json_decref (msg);
  if (why[0])
    {
      tell_sentry (a->sync_sock, json_pack ("{s:s, s:s}", "op", "hooks", "error", why));
      _exit (125);
    }
  tell_sentry (a->sync_sock, json_pack ("{s:s}", "op", "hooks"));
}

static char *title_area;
static size_t title_len;

void
sb_app_init_title_area (char *start, size_t len)
{
  title_area = start;
  title_len = len;
}

/* The init is a fork of the Sentry: its command line would be the
   Sentry's, which names host paths, cgroups and ids. It shows as a plain
   "init" instead (/proc/1/cmdline, ps). The last byte of the area stays
   non-zero, which is how the kernel knows to read the title up to its
   first NUL (setproctitle's convention). */
static void
retitle (void)
{
  static const char title[] = "init";

  prctl (PR_SET_NAME, title);
  if (title_area == NULL || title_len < sizeof (title) + 1)
    return;
  memset (title_area, ' ', title_len);
  memcpy (title_area, title, sizeof (title));
}

void
sb_app_init (struct sb_app_init_args *a)
{
  cleanup_error sb_error_t err = NULL;
  sigset_t usr1, waitmask;
  int listener, status;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* In a pod's pid namespace we are not its pid 1: the command's orphans
     would go to the pod's first init. They stay ours to reap, as they do
     when we are pid 1. */
  if (a->joined)
    prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  /* The Sentry blocks the signals it reads from a signalfd; we inherited that
     mask. We keep the ones we forward blocked until the command exists: as
     the init of a pid namespace we would otherwise drop them (a handler-less
     init ignores them), and a stop sent right after the start would be lost.
     Blocked, they wait. */
  {
    sigset_t fwd;
    forwarded_set (&fwd);
    sigprocmask (SIG_SETMASK, &fwd, NULL);
  }
  die_sock = a->sync_sock;
  /* A pod's clocks: its first container's app time namespace, joined
     while we still hold the host's capabilities over the user namespace
     that owns it (that container's, not ours). */
  if (a->time_ns_fd >= 0)
    {
      if (setns (a->time_ns_fd, CLONE_NEWTIME) < 0)
        {
          sb_error (&err, errno, "join the pod's time namespace");
          die (&err);
        }
      close (a->time_ns_fd);
    }
  if (send_new_procfs (a->sync_sock, &err) < 0)
    die (&err);
  /* The Sentry builds the root, places us in the app's cgroup (our cgroup
     namespace is rooted there), then says "C" with what it decided
     meanwhile: the filter's options (the listings it serves), and the
     terminal if the app has one. Only then is the root ours: a copy of
     its mount namespace. */
  {
    static struct sb_filter_options filter;
    char msg[1 + sizeof (filter)];
    int fds[1], nfds = 1;
    ssize_t n = sb_recv_msg (a->sync_sock, msg, sizeof (msg), fds, &nfds);

    if (n != (ssize_t) sizeof (msg) || msg[0] != 'C' || (a->tty && nfds != 1) || (!a->tty && nfds != 0))
      _exit (125);
    memcpy (&filter, msg + 1, sizeof (filter));
    a->filter = &filter;
    for (int k = 0; a->tty && k < 3; k++)
      a->stdio[k] = fds[0];
  }
  /* Into the app's part of each v1 hierarchy, by our own move (one thread:
     we are a fork), before the cgroup namespace below is rooted there. */
  for (int k = 0; k < a->ncgroup_tasks; k++)
    {
      int r;
      if (a->cgroup_tasks[k] < 0)
        continue;
      r = sb_write_all (a->cgroup_tasks[k], "0", 1);
      close (a->cgroup_tasks[k]);
      if (r < 0)
        {
          sb_error (&err, -r, "place the app in its cgroup");
          die (&err);
        }
    }
  if (unshare (CLONE_NEWNS) < 0)
    {
      sb_error (&err, errno, "unshare the mount namespace");
      die (&err);
    }
  if (unshare (CLONE_NEWCGROUP) < 0)
    {
      sb_error (&err, errno, "unshare the cgroup namespace");
      die (&err);
    }
  if (send_procfs_copy (a->sync_sock, &err) < 0 || sb_pivot_into (SB_ROOT_DIR, &err) < 0)
    die (&err);
  if (a->open_files)
    {
      struct rlimit rl = { .rlim_cur = a->open_files, .rlim_max = a->open_files };
      if (setrlimit (RLIMIT_NOFILE, &rl) < 0)
        {
          sb_error (&err, errno, "set the open-files limit to %u", a->open_files);
          die (&err);
        }
    }
  else if (a->caller_nofile)
    {
      struct rlimit rl;
      if (getrlimit (RLIMIT_NOFILE, &rl) == 0)
        {
          rl.rlim_cur = a->caller_nofile < rl.rlim_max ? a->caller_nofile : rl.rlim_max;
          setrlimit (RLIMIT_NOFILE, &rl);
        }
    }
  /* An OCI config's rlimits last: they may only narrow what is above. */
  if (sb_apply_rlimits (a->rlimits, a->nrlimits, &err) < 0)
    die (&err);
  if (become_tenant (a, &err) < 0 || (a->time_ns_fd < 0 && sb_enter_sandbox_time (&err) < 0))
    die (&err);
  /* The app's stdio from here on: what fails next (a working directory
     that does not exist) is told where the app's own errors go. */
  if (take_stdio (a, &err) < 0)
    die (&err);
  /* As the tenant's root: the kernel's permission checks decide. */
  if (a->cwd && chdir (a->cwd) < 0)
    {
      if (!a->cwd_optional)
        {
          sb_error (&err, errno, "working directory `%s`", a->cwd);
          die (&err);
        }
      if (chdir ("/") < 0)
        _exit (125);
    }
  kept_caps = a->caps ? a->caps & sb_caps_docker_default : sb_caps_docker_default;
  inheritable_caps = a->caps_inheritable & kept_caps;
  ambient_caps = a->caps_ambient & inheritable_caps;
  if (sb_caps_restrict_keeping (kept_caps, USER_CHANGE_CAPS & sb_caps_docker_default, &err) < 0)
    die (&err);
  if (set_inheritable_ambient (kept_caps | (USER_CHANGE_CAPS & sb_caps_docker_default)) < 0)
    {
      sb_error (&err, errno, "process.capabilities: the inheritable and ambient sets");
      die (&err);
    }
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    {
      sb_error (&err, errno, "set no_new_privs");
      die (&err);
    }
  /* Once the filter is loaded, no call may need the Sentry before it holds
     the listener (under the strict profile even write would): say we are
     about to load it, then wait for SIGUSR1 with sigsuspend, which no
     profile mediates. The Sentry finds the listener in our fd table. */
  sigemptyset (&usr1);
  sigaddset (&usr1, SIGUSR1);
  sigprocmask (SIG_BLOCK, &usr1, &waitmask);
  sigdelset (&waitmask, SIGUSR1);
  {
    struct sigaction sa = { .sa_handler = wake_up };
    sigemptyset (&sa.sa_mask);
    sigaction (SIGUSR1, &sa, NULL);
  }
  if (sb_write_all (a->sync_sock, "L", 1) < 0)
    _exit (125);
  die_sock = -1;
  listener = sb_app_filter_load (a->filter, &err);
  if (listener < 0)
    die (&err);
  while (!woken)
    sigsuspend (&waitmask);
  /* SIGUSR1 stays blocked with the others until the command exists. */
  close (listener);
  /* The filter was built here (libseccomp): its heap is ours alone, not
     shared with the Sentry we were forked from. It would stay resident
     while the command runs. */
  malloc_trim (0);

  /* The command's arguments may be strings of the area retitle()
     overwrites: copied first, so that no process of the sandbox ever sees
     the Sentry's command line. */
  {
    size_t n = 0, i;
    char **copy;
    while (a->argv[n])
      n++;
    copy = calloc (n + 1, sizeof (*copy));
    if (copy == NULL)
      _exit (125);
    for (i = 0; i < n; i++)
      if ((copy[i] = strdup (a->argv[i])) == NULL)
        _exit (125);
    a->argv = copy;
  }
  retitle ();
  /* After the retitle: a hook, a process of the sandbox, must not see the
     Sentry's command line either. */
  if (a->hold)
    run_start_hooks (a);
  install_forwarding ();
  command_pid = fork ();
  if (command_pid < 0)
    _exit (125);
  if (command_pid == 0)
    {
      close (a->sync_sock);
      run_process (NULL, a->argv, NULL, NULL, &a->user, a->tty, NULL);
    }
  {
    sigset_t fwd;
    forwarded_set (&fwd);
    sigprocmask (SIG_UNBLOCK, &fwd, NULL);
  }
  /* The sync socket carries exec requests from now on. */
  status = serve (a->sync_sock);
  if (WIFSIGNALED (status))
    _exit (128 + WTERMSIG (status));
  _exit (WEXITSTATUS (status));
}
