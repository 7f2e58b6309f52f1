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
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The hand-over of the listener, in a page shared by the parent and the
   supervisor. Once the filter is loaded the parent may make no call the
   filter sends to the supervisor before the supervisor holds the
   listener: under strict even read and write are such calls. So the
   parent writes the number to memory and waits on a futex, which every
   profile lets run on the host. */
struct handover
{
  int fd;    /* the parent's listener, -1 until it is loaded */
  int taken; /* 0 until the supervisor answers: 1 it holds it, -1 it failed */
};

static void
futex_wait (int *addr, int val)
{
  syscall (SYS_futex, addr, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void
futex_wake (int *addr)
{
  syscall (SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Takes the listener from the parent, answers CONTINUE until the last
   filtered task is gone (POLLHUP). */
static int
supervise (pid_t parent, struct handover *h)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  struct pollfd p;
  int fd, pidfd, listener;

  while ((fd = __atomic_load_n (&h->fd, __ATOMIC_ACQUIRE)) < 0)
    futex_wait (&h->fd, -1);
  pidfd = syscall (SYS_pidfd_open, parent, 0);
  listener = pidfd < 0 ? -1 : syscall (SYS_pidfd_getfd, pidfd, fd, 0);
  __atomic_store_n (&h->taken, listener < 0 ? -1 : 1, __ATOMIC_RELEASE);
  futex_wake (&h->taken);
  if (listener < 0)
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
  struct handover *h;
  int i = 1, fd, taken;
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
  h = mmap (NULL, sizeof (*h), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (h == MAP_FAILED)
    {
      perror ("appfilter: mmap");
      return 1;
    }
  h->fd = -1;
  h->taken = 0;
  switch (fork ())
    {
    case -1: perror ("appfilter: fork"); return 1;
    case 0:
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      _exit (supervise (parent, h));
    default: break;
    }
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return 1;
  fd = sb_app_filter_load (&opts, &err);
  if (fd < 0)
    {
      sb_error_print ("appfilter", &err);
      return 1;
    }
  __atomic_store_n (&h->fd, fd, __ATOMIC_RELEASE);
  futex_wake (&h->fd);
  while ((taken = __atomic_load_n (&h->taken, __ATOMIC_ACQUIRE)) == 0)
    futex_wait (&h->taken, 0);
  if (taken < 0)
    {
      fprintf (stderr, "appfilter: the supervisor could not take the listener\n");
      return 1;
    }
  close (fd);
  munmap (h, sizeof (*h));
  execvp (argv[i], argv + i);
  fprintf (stderr, "appfilter: %s: %s\n", argv[i], strerror (errno));
  return 127;
}
