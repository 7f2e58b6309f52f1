/* probe_fds: no file descriptor of the host may leak into the sandbox.
   The test starts the sandbox with a host file open on fds 7 and 100; every
   fd from 3 to 1023 must be closed (fcntl F_GETFD fails with EBADF). */
#include "probe.h"

#include <fcntl.h>

int
main (void)
{
  probe_init ();
  int open_fds = 0;
  for (int fd = 3; fd <= 1023; fd++)
    {
      int rc = fcntl (fd, F_GETFD);
      int err = errno;
      if (rc == -1 && err == EBADF)
        continue;
      char what[64], link[64], target[512];
      snprintf (what, sizeof what, "inherited fd %d", fd);
      snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
      ssize_t n = readlink (link, target, sizeof target - 1);
      if (n < 0)
        snprintf (target, sizeof target, "?");
      else
        target[n] = '\0';
      open_fds++;
      if (rc == -1)
        probe_report (false, what, "F_GETFD failed with errno %s, not EBADF",
                      probe_errname (err));
      else
        probe_report (false, what, "open -> %s", target);
    }
  if (open_fds == 0)
    probe_report (true, "inherited fds 3..1023", "errno EBADF for all");
  return probe_status ();
}
