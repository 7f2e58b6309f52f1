/* ptrace under the compat profile: debuggers and tracers (strace, gdb, test
   harnesses) on the sandbox's own processes, run by the host kernel, whose
   pid namespace confines the tracee to the sandbox (the Sentry and the
   Gofer are not in it) and whose own checks (same ids or CAP_SYS_PTRACE
   over the tenant's namespace, dumpable) apply as natively. Requests of an
   existing trace run on the host without a round trip (filter_args.c);
   attaching comes here, where the pid, a register the app cannot change
   under the check, is read: the sandbox's init (pid 1) holds the Sentry's
   exec channel and is never a tracee. Why the host and not an
   implementation in the Sentry: docs/COMPAT.md. */
#include "sentry.h"

#include <errno.h>
#include <sys/ptrace.h>

long
sys_ptrace (struct sb_call *c)
{
  long request = (long) (int) c->args[0];
  pid_t target = (pid_t) (int) c->args[1];

  if (request != PTRACE_ATTACH && request != PTRACE_SEIZE)
    return sb_deny (c, EIO, "deny-ptrace-request");
  /* The sandbox's init (pid 1, or its number in a pod's pid namespace). */
  if (target == 1 || target == c->s->init_inner_pid)
    return sb_deny (c, EPERM, "deny-ptrace-init");
  return SB_RET_CONTINUE;
}
