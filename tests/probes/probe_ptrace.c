/* probe_ptrace: ptrace must be refused, both on a sibling process and as
   PTRACE_TRACEME.  A successful attach is undone (detach, or the tracer
   exits) and the target is killed afterwards, so a native run is harmless.
   probe_ptrace --parent [PID...]: run as a sandbox's command, whose parent
   is the sandbox's init (pid 1, or another number in a pod's pid
   namespace): attaching to it, and to the other PIDs given (the other
   inits of a pod, another container's processes), must be refused under
   every profile, even one that lets the app trace its own processes. */
#include "probe.h"

#include <sys/ptrace.h>

static void
attack_sibling (void *arg)
{
  pid_t target = *(pid_t *) arg;
  char what[128];

  snprintf (what, sizeof what, "ptrace(PTRACE_ATTACH) of sibling pid %d",
            (int) target);
  errno = 0;
  long rc = ptrace (PTRACE_ATTACH, target, NULL, NULL);
  int err = errno;
  probe_denied (what, rc, err);
  if (rc == 0)
    {
      /* Attached: wait for the attach stop, then let go of it so that the
         next attempt starts from the same state. */
      int status;
      waitpid (target, &status, __WALL);
      ptrace (PTRACE_DETACH, target, NULL, NULL);
    }

  snprintf (what, sizeof what, "ptrace(PTRACE_SEIZE) of sibling pid %d",
            (int) target);
  errno = 0;
  rc = ptrace (PTRACE_SEIZE, target, NULL, NULL);
  err = errno;
  probe_denied (what, rc, err);
  /* A seized tracee is detached when this child exits. */
}

static void
traceme (void *arg)
{
  (void) arg;
  errno = 0;
  long rc = ptrace (PTRACE_TRACEME, 0, NULL, NULL);
  probe_denied ("ptrace(PTRACE_TRACEME)", rc, errno);
}

int
main (int argc, char **argv)
{
  probe_init ();

  if (argc >= 2 && strcmp (argv[1], "--parent") == 0)
    {
      pid_t init = getppid ();
      printf ("probe_ptrace: the sandbox's init is pid %d here\n", (int) init);
      probe_in_child ("the init attach", attack_sibling, &init);
      for (int i = 2; i < argc; i++)
        {
          pid_t other = (pid_t) atoi (argv[i]);
          if (other > 0 && other != init && other != getpid ())
            probe_in_child ("another pod process's attach", attack_sibling, &other);
        }
      return probe_status ();
    }

  fflush (stdout);
  pid_t target = fork ();
  if (target < 0)
    {
      probe_setup ("fork of the target", errno);
      return probe_status ();
    }
  if (target == 0)
    {
      for (;;)
        pause ();
    }

  probe_in_child ("the sibling attach", attack_sibling, &target);

  kill (target, SIGKILL);
  waitpid (target, NULL, __WALL);

  probe_in_child ("PTRACE_TRACEME", traceme, NULL);
  return probe_status ();
}
