/* The sandbox's clocks: a time namespace whose monotonic and boot clocks
   start when the sandbox does.

   The host's uptime is a host fact: it shows in CLOCK_MONOTONIC and
   CLOCK_BOOTTIME (read through the vDSO, without a system call the Sentry
   could answer), in field 22 of every /proc/<pid>/stat (start times are
   counted from boot) and in /proc/uptime. The Sentry answers /proc/uptime
   and sysinfo from its own clock; the rest the kernel shifts by the time
   namespace's offsets for whoever reads them. The offsets themselves (in
   /proc/<pid>/timens_offsets: minus the host's uptime) are hidden by the
   Gofer. */
#include "launch.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* This process's start, in whole seconds of the boot clock. */
static long
own_start_seconds (void)
{
  char buf[1024], *p;
  unsigned long long ticks;
  long hz = sysconf (_SC_CLK_TCK);

  if (sb_read_file_at (AT_FDCWD, "/proc/self/stat", buf, sizeof (buf)) <= 0
      || (p = strrchr (buf, ')')) == NULL
      || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                 &ticks) != 1
      || hz <= 0)
    return -1;
  return (long) (ticks / (unsigned long long) hz);
}

int
sb_enter_sandbox_time (sb_error_t *err)
{
  struct timespec mono;
  char offsets[128];
  long start = own_start_seconds ();
  int fd, n;

  if (start < 0 || clock_gettime (CLOCK_MONOTONIC, &mono) < 0)
    return sb_error (err, EIO, "read the clocks");
  if (unshare (CLONE_NEWTIME) < 0)
    return sb_error (err, errno, "unshare the time namespace");
  /* The boot clock from this process's own start (so that no start time
     the sandbox can see comes out negative), the monotonic one from now:
     both read a second or less when the command starts. */
  n = snprintf (offsets, sizeof (offsets), "monotonic %lld 0\nboottime %ld 0\n",
                -(long long) mono.tv_sec, -start);
  fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sb_error (err, errno, "open /proc/self/timens_offsets");
  if (write (fd, offsets, n) != n)
    {
      int e = errno;
      close (fd);
      return sb_error (err, e, "set the sandbox's clocks");
    }
  close (fd);
  return 0;
}
