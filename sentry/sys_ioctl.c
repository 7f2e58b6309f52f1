/* ioctl requests the filter's allowlist (sentry/filter_args.c) does not let
   run on the host arrive here. The Sentry decides by the type of the
   descriptor: TIOCSPGRP, which job control needs, runs on a pty slave or
   /dev/tty, never on the master side (where its locking raced:
   CVE-2020-29661); everything else is refused with ENOTTY, what a device
   without the request answers, and audited. */
#include "sentry.h"
#include "cleanup.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Unix98 pty slaves have majors 136 to 143; /dev/tty is 5:0. */
static bool
is_terminal_slave (dev_t rdev)
{
  unsigned maj = major (rdev);

  return (maj >= 136 && maj <= 143) || (maj == 5 && minor (rdev) == 0);
}

long
sys_ioctl (struct sb_call *c)
{
  uint32_t request = (uint32_t) c->args[1];
  cleanup_close int fd = -1;
  struct stat st;

  if (request != TIOCSPGRP)
    return sb_deny (c, ENOTTY, "deny-ioctl");
  fd = sb_get_app_fd (c, (int) c->args[0]);
  if (fd < 0)
    return fd;
  if (fstat (fd, &st) < 0)
    return -errno;
  if (!S_ISCHR (st.st_mode) || !is_terminal_slave (st.st_rdev))
    return sb_deny (c, ENOTTY, "deny-ioctl");
  /* The kernel must run it: it acts on the caller's session. What made
     the check is the descriptor's type; another thread could dup2 a master
     over the number before the kernel runs it, a window of a few
     microseconds that docs/SURFACE.md names as what is left. The process
     group id is read by the kernel, and any value is checked there. */
  return SB_RET_CONTINUE;
}
