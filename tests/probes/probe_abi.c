/* probe_abi: the 32-bit (int $0x80) and x32 system call ABIs must be
   refused, since a filter written for x86-64 numbers does not describe them.
   Each attempt is getpid in that ABI, made in a forked child: refused when
   it returns -ENOSYS/-EPERM or the child is killed (SIGSYS, SIGKILL, or
   SIGSEGV on a kernel without the 32-bit entry); any other result means the
   call ran. */
#include "probe.h"

#ifndef __x86_64__
#error "probe_abi is for x86-64"
#endif

#define NR32_getpid 20 /* i386 getpid */
#define X32_SYSCALL_BIT 0x40000000L

static long
int80_getpid (void)
{
  long ret;
  __asm__ volatile ("int $0x80"
                    : "=a"(ret)
                    : "a"((long) NR32_getpid)
                    : "r8", "r9", "r10", "r11", "memory", "cc");
  return ret;
}

/* Child side: exit 0 refused, 1 ran. */
static void
child_int80 (void)
{
  long ret = int80_getpid ();
  if (ret == -ENOSYS || ret == -EPERM)
    probe_refused ("int $0x80 getpid (i386 ABI)", true, (int) -ret);
  else
    probe_report (false, "int $0x80 getpid (i386 ABI)", "returned %ld, pid %d",
                  ret, (int) getpid ());
}

static void
child_x32 (void)
{
  errno = 0;
  long ret = syscall (X32_SYSCALL_BIT | SYS_getpid);
  int err = errno;
  probe_denied ("syscall(__X32_SYSCALL_BIT|getpid) (x32 ABI)", ret, err);
}

static void
run (const char *what, void (*fn) (void))
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid < 0)
    {
      probe_setup ("fork", errno);
      return;
    }
  if (pid == 0)
    {
      fn ();
      fflush (stdout);
      _exit (probe_status ());
    }
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        probe_setup ("waitpid", errno);
        return;
      }
  if (WIFSIGNALED (status))
    probe_report (true, what, "child killed by %s",
                  probe_signame (WTERMSIG (status)));
  else
    probe_merge_child (what, status);
}

int
main (void)
{
  probe_init ();
  run ("int $0x80 getpid (i386 ABI)", child_int80);
  run ("syscall(__X32_SYSCALL_BIT|getpid) (x32 ABI)", child_x32);
  return probe_status ();
}
