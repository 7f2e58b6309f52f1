/* probe_hostwrite: host control files must not be openable for writing.
   An open with O_WRONLY that succeeds is the escape; the fd is closed
   without writing a byte (and without O_TRUNC/O_CREAT), so the probe never
   changes anything.  Files that do not exist are reported as absent. */
#include "probe.h"

#include <fcntl.h>

static const char *const paths[] = {
  "/proc/sysrq-trigger",
  "/sys/kernel/uevent_helper",
  "/sys/kernel/profiling",
  "/sys/kernel/mm/transparent_hugepage/enabled",
  "/proc/sys/kernel/hostname",
  "/proc/sys/kernel/core_pattern",
  "/proc/sys/kernel/modprobe",
  "/proc/sys/vm/drop_caches",
  "/proc/sys/fs/binfmt_misc/register",
  "/sys/fs/cgroup/cgroup.procs",
  "/sys/fs/cgroup/release_agent",
  "/dev/kmsg",
  "/dev/mem",
};

int
main (void)
{
  probe_init ();
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    {
      char what[256];
      snprintf (what, sizeof what, "open(%s, O_WRONLY)", paths[i]);
      int fd = open (paths[i], O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0)
        {
          probe_report (false, what, "opened for writing; closed unused");
          close (fd);
        }
      else if (errno == ENOENT)
        probe_absent (what);
      else
        probe_refused (what, true, errno);
    }
  return probe_status ();
}
