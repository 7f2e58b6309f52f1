/* probe_ns: creating or joining namespaces must be refused: unshare of user,
   mount and network namespaces, setns on the probe's own namespace files,
   and raw clone / clone3 with CLONE_NEWUSER|CLONE_NEWPID.

   Each unshare/setns runs in its own child, so a success changes nothing
   outside that child; a cloned child exits at once. */
#include "probe.h"

#include <fcntl.h>
#include <sched.h>
#include <stdint.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

struct ns_case
{
  int flags;
  const char *name;
};

static void
try_unshare (void *arg)
{
  const struct ns_case *c = arg;
  char what[128];
  snprintf (what, sizeof what, "unshare(%s)", c->name);
  errno = 0;
  long rc = unshare (c->flags);
  probe_denied (what, rc, errno);
}

struct setns_case
{
  const char *path;
  int nstype;
  const char *name;
};

static void
try_setns (void *arg)
{
  const struct setns_case *c = arg;
  char what[160];
  snprintf (what, sizeof what, "setns(%s, %s)", c->path, c->name);
  int fd = open (c->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      /* Not even the namespace file: that is a refusal too. */
      probe_report (true, what, "open: errno %s", probe_errname (errno));
      return;
    }
  errno = 0;
  long rc = setns (fd, c->nstype);
  probe_denied (what, rc, errno);
  close (fd);
}

/* clone3's argument, first published version (CLONE_ARGS_SIZE_VER0). */
struct probe_clone_args
{
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
};

static void
reap (long pid)
{
  if (pid > 0)
    waitpid ((pid_t) pid, NULL, __WALL);
}

int
main (void)
{
  probe_init ();

  static const struct ns_case unshares[] = {
    { CLONE_NEWUSER, "CLONE_NEWUSER" },
    { CLONE_NEWNS, "CLONE_NEWNS" },
    { CLONE_NEWNET, "CLONE_NEWNET" },
    { CLONE_NEWUSER | CLONE_NEWNS, "CLONE_NEWUSER|CLONE_NEWNS" },
  };
  for (size_t i = 0; i < sizeof unshares / sizeof unshares[0]; i++)
    probe_in_child (unshares[i].name, try_unshare, (void *) &unshares[i]);

  static const struct setns_case setnses[] = {
    { "/proc/self/ns/net", CLONE_NEWNET, "CLONE_NEWNET" },
    { "/proc/self/ns/mnt", CLONE_NEWNS, "CLONE_NEWNS" },
  };
  for (size_t i = 0; i < sizeof setnses / sizeof setnses[0]; i++)
    probe_in_child (setnses[i].path, try_setns, (void *) &setnses[i]);

  /* Raw clone: without CLONE_VM and with no new stack it behaves like
     fork, and the child leaves at once. */
  fflush (stdout);
  errno = 0;
  long rc = syscall (SYS_clone, (unsigned long) (CLONE_NEWUSER | CLONE_NEWPID
                                                 | SIGCHLD),
                     0UL, 0UL, 0UL, 0UL);
  if (rc == 0)
    _exit (0);
  int err = errno;
  probe_denied ("clone(CLONE_NEWUSER|CLONE_NEWPID)", rc, err);
  reap (rc);

  struct probe_clone_args ca;
  memset (&ca, 0, sizeof ca);
  ca.flags = CLONE_NEWUSER | CLONE_NEWPID;
  ca.exit_signal = SIGCHLD;
  fflush (stdout);
  errno = 0;
  rc = syscall (__NR_clone3, &ca, sizeof ca);
  if (rc == 0)
    _exit (0);
  err = errno;
  probe_denied ("clone3(CLONE_NEWUSER|CLONE_NEWPID)", rc, err);
  reap (rc);

  return probe_status ();
}
