/* probe_signal: a process outside the sandbox must be out of reach.

   Usage: probe_signal HOST-PID [MARKER (default "sleep")]

   The test starts a victim on the host (argv[0] = MARKER) and passes its
   host pid.  The probe calls kill(pid, 0), pidfd_open(pid) and kill(pid,
   SIGTERM).  Inside the sandbox's pid namespace that number is normally
   free (ESRCH); if it is taken, the probe looks at /proc/PID/cmdline: the
   victim is an escape, any other process is an in-sandbox pid and fine
   (then SIGTERM is not sent, so the probe does not hurt its own sandbox).
   When it cannot tell, it says so; the test checks from outside that the
   victim is still alive either way. */
#include "probe.h"

#include <fcntl.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

enum
{
  ID_UNKNOWN = -1,
  ID_OTHER = 0,
  ID_VICTIM = 1,
};

static int
identify (pid_t pid, const char *marker, char *name, size_t namelen)
{
  char path[64], buf[256];
  snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
  snprintf (name, namelen, "?");
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ID_UNKNOWN;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return ID_UNKNOWN;
  buf[n] = '\0'; /* buf is argv[0] up to its NUL */
  const char *base = strrchr (buf, '/');
  base = base ? base + 1 : buf;
  snprintf (name, namelen, "%s", base);
  return strcmp (base, marker) == 0 ? ID_VICTIM : ID_OTHER;
}

/* The call on PID succeeded: say whose pid it was.  Returns the identity. */
static int
report_success (const char *what, pid_t pid, const char *marker)
{
  char name[256];
  int id = identify (pid, marker, name, sizeof name);
  if (id == ID_VICTIM)
    probe_report (false, what, "reached the host process %s", name);
  else if (id == ID_OTHER)
    probe_report (true, what, "pid %d inside the sandbox is %s, not the "
                              "host's %s",
                  (int) pid, name, marker);
  else
    probe_report (true, what, "succeeded on a pid whose owner cannot be "
                              "read; the test checks the host process");
  return id;
}

int
main (int argc, char **argv)
{
  probe_init ();
  char *end = NULL;
  long lpid = argc > 1 ? strtol (argv[1], &end, 10) : 0;
  if (argc < 2 || *end || lpid <= 1)
    {
      probe_setup ("usage: probe_signal HOST-PID [MARKER]", 0);
      return probe_status ();
    }
  pid_t pid = (pid_t) lpid;
  const char *marker = argc > 2 ? argv[2] : "sleep";
  char what[128];
  int id = ID_UNKNOWN;

  snprintf (what, sizeof what, "kill(%d, 0)", (int) pid);
  if (kill (pid, 0) != 0)
    probe_refused (what, true, errno);
  else
    id = report_success (what, pid, marker);

  snprintf (what, sizeof what, "pidfd_open(%d)", (int) pid);
  errno = 0;
  long fd = syscall (__NR_pidfd_open, pid, 0);
  if (fd < 0)
    probe_refused (what, true, errno);
  else
    {
      report_success (what, pid, marker);
      close ((int) fd);
    }

  snprintf (what, sizeof what, "kill(%d, SIGTERM)", (int) pid);
  if (id == ID_OTHER || pid == getpid () || pid == getppid ())
    probe_report (true, what, "not sent: pid %d belongs to the sandbox",
                  (int) pid);
  else
    {
      /* Look before the signal: afterwards the victim may be gone. */
      char name[256];
      int before = identify (pid, marker, name, sizeof name);
      if (kill (pid, SIGTERM) != 0)
        probe_refused (what, true, errno);
      else if (before == ID_VICTIM)
        probe_report (false, what, "delivered to the host process %s", name);
      else
        probe_report (true, what, "delivered to a pid whose owner cannot be "
                                  "read; the test checks the host process");
    }
  return probe_status ();
}
