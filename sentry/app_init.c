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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

__attribute__ ((noreturn)) static void
die (sb_error_t *err)
{
  sb_error_print ("sandbox-runtime: sandbox init", err);
  _exit (125);
}

/* The app's /proc: a procfs of its pid namespace with the host-describing
   entries covered and /proc/sys read-only (sb_masked_paths), so that no
   route to them, even one that skips the Gofer, finds anything to read or
   write. The Gofer gets a copy of the same tree. */
static int
make_procfs (int sync_sock, sb_error_t *err)
{
  cleanup_close int mfd = sb_new_procfs (err);
  cleanup_close int clone = -1;
  char byte = 'P';
  int ret;

  if (mfd < 0)
    return sb_error_prefix (err, "the container procfs");
  if (syscall (SYS_move_mount, mfd, "", AT_FDCWD, SB_ROOT_DIR "/proc", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return sb_error (err, errno, "mount the container procfs");
  if (sb_bind_read_only (SB_ROOT_DIR, "/proc/sys", err) < 0)
    return -1;
  if (sb_mask_procfs (SB_ROOT_DIR, SB_MASK_FILE, err) < 0)
    return -1;
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
     pick any of the app's processes (written as host root, so the floor
     goes back to 0 too). */
  if (sb_write_file ("/proc/self/oom_score_adj", "0", err) < 0)
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

static void
install_forwarding (void)
{
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };
  struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
  size_t i;

  sigemptyset (&sa.sa_mask);
  for (i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
    sigaction (sigs[i], &sa, NULL);
}

__attribute__ ((noreturn)) static void
exec_command (char **argv, bool tty)
{
  sigset_t none;
  int i;

  for (i = 1; i < NSIG; i++)
    signal (i, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* With a terminal the command leads a session that has it, as docker
     run -t gives it. */
  if (tty && (setsid () < 0 || ioctl (0, TIOCSCTTY, 0) < 0))
    {
      fprintf (stderr, "sandbox-runtime: make the terminal the command's: %s\n", strerror (errno));
      _exit (126);
    }
  execvp (argv[0], argv);
  fprintf (stderr, "sandbox-runtime: exec `%s`: %s\n", argv[0], strerror (errno));
  _exit (errno == ENOENT ? 127 : 126);
}

void
sb_app_init (struct sb_app_init_args *a)
{
  cleanup_error sb_error_t err = NULL;
  sigset_t usr1, waitmask;
  char go;
  int listener, status;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* The Sentry blocks the signals it reads from a signalfd; we inherited that
     mask, and must not keep it: we forward those signals to the command. */
  {
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
  }
  /* The Sentry places us in the app's cgroup first; our cgroup namespace is
     rooted there. */
  if (sb_read_all (a->sync_sock, &go, 1) < 0)
    _exit (125);
  if (unshare (CLONE_NEWCGROUP) < 0)
    {
      sb_error (&err, errno, "unshare the cgroup namespace");
      die (&err);
    }
  if (make_procfs (a->sync_sock, &err) < 0 || sb_pivot_into (SB_ROOT_DIR, &err) < 0)
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
  if (become_tenant (a, &err) < 0 || sb_enter_sandbox_time (&err) < 0)
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
  if (take_stdio (a, &err) < 0)
    die (&err);
  if (sb_caps_restrict (sb_caps_docker_default, &err) < 0)
    die (&err);
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
  listener = sb_app_filter_load (a->filter, &err);
  if (listener < 0)
    die (&err);
  while (!woken)
    sigsuspend (&waitmask);
  sigprocmask (SIG_UNBLOCK, &usr1, NULL);
  close (listener);
  close (a->sync_sock);

  install_forwarding ();
  command_pid = fork ();
  if (command_pid < 0)
    _exit (125);
  if (command_pid == 0)
    exec_command (a->argv, a->tty);
  for (;;)
    {
      pid_t pid = wait (&status);
      if (pid < 0 && errno == EINTR)
        continue;
      if (pid < 0)
        _exit (125);
      if (pid == command_pid)
        break;
    }
  if (WIFSIGNALED (status))
    _exit (128 + WTERMSIG (status));
  _exit (WEXITSTATUS (status));
}
