/*
 * appfilter: runs a command under the sandbox's own app filter, alone.
 *
 *     appfilter [--profile default|strict|compat] [--] CMD [ARG...]
 *
 * Builds and loads the very filter sandbox-sentry gives an app
 * (sentry/filter.c: one class per syscall number, argument checks for the
 * host-checked calls, NOTIFY for the rest), then execs CMD. A forked
 * supervisor takes the listener over (pidfd_getfd) and answers every
 * notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE, so mediated calls run
 * as on the host. No namespace, cgroup or Sentry: next to onefilter's column
 * it shows what the filter itself costs a host-class call, apart from
 * everything else the sandbox changes. Measures; asserts nothing.
 *
 * Exit status: CMD's, 127 when CMD cannot be exec'ed, 2 on bad usage, 1
 * when the filter or the supervisor cannot be set up.
 */
#include "error.h"
#include "filter.h"
#include "policy/policy.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Takes the listener from the parent, answers CONTINUE until the last
   filtered task is gone (POLLHUP). */
static int
supervise (pid_t parent, int in, int out)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  struct pollfd p;
  int fd, pidfd, listener;

  if (read (in, &fd, sizeof (fd)) != sizeof (fd))
    return 1;
  pidfd = syscall (SYS_pidfd_open, parent, 0);
  listener = pidfd < 0 ? -1 : syscall (SYS_pidfd_getfd, pidfd, fd, 0);
  if (write (out, &listener, sizeof (listener)) != sizeof (listener) || listener < 0)
    return 1;
  p.fd = listener;
  p.events = POLLIN;
  for (;;)
    {
      if (poll (&p, 1, -1) < 0 && errno != EINTR)
        return 1;
      if (p.revents & (POLLHUP | POLLERR))
        return 0;
      if (!(p.revents & POLLIN))
        continue;
      memset (&req, 0, sizeof (req));
      if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        continue;
      memset (&resp, 0, sizeof (resp));
      resp.id = req.id;
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, &resp); /* ENOENT: the caller died */
    }
}

int
main (int argc, char **argv)
{
  static struct sb_filter_options opts; /* profile default, no extra denies */
  int i = 1, to_child[2], to_parent[2], fd, got;
  cleanup_error sb_error_t err = NULL;
  pid_t parent = getpid ();

  if (i + 1 < argc && strcmp (argv[i], "--profile") == 0)
    {
      if (strcmp (argv[i + 1], "strict") == 0)
        opts.profile = SB_PROFILE_STRICT;
      else if (strcmp (argv[i + 1], "compat") == 0)
        opts.profile = SB_PROFILE_COMPAT;
      else if (strcmp (argv[i + 1], "default") != 0)
        i = argc;
      i += 2;
    }
  if (i < argc && strcmp (argv[i], "--") == 0)
    i++;
  if (i >= argc)
    {
      fprintf (stderr, "usage: appfilter [--profile default|strict|compat] [--] CMD [ARG...]\n");
      return 2;
    }
  if (pipe (to_child) < 0 || pipe (to_parent) < 0)
    return 1;
  switch (fork ())
    {
    case -1: perror ("appfilter: fork"); return 1;
    case 0:
      close (to_child[1]);
      close (to_parent[0]);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      _exit (supervise (parent, to_child[0], to_parent[1]));
    default: break;
    }
  close (to_child[0]);
  close (to_parent[1]);
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return 1;
  fd = sb_app_filter_load (&opts, &err);
  if (fd < 0)
    {
      sb_error_print ("appfilter", &err);
      return 1;
    }
  /* read and write are host-class calls: they pass the filter. */
  if (write (to_child[1], &fd, sizeof (fd)) != sizeof (fd)
      || read (to_parent[0], &got, sizeof (got)) != sizeof (got) || got < 0)
    {
      fprintf (stderr, "appfilter: the supervisor could not take the listener\n");
      return 1;
    }
  close (fd);
  close (to_child[1]);
  close (to_parent[0]);
  execvp (argv[i], argv + i);
  fprintf (stderr, "appfilter: %s: %s\n", argv[i], strerror (errno));
  return 127;
}
