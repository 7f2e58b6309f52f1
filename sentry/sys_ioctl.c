/* ioctl requests the filter's allowlist (sentry/filter_args.c) does not let
   run on the host arrive here. The Sentry decides by the type of the
   descriptor: TIOCSPGRP, which job control needs, runs on a pty slave or
   /dev/tty, never on the master side (where its locking raced:
   CVE-2020-29661); RNDGETENTCNT on /dev/random or /dev/urandom is answered
   here; everything else is refused with ENOTTY, what a device without the
   request answers, and audited (after EBADF for a descriptor that is not
   open, or is O_PATH, as the kernel checks first). A socket's requests to
   change a network interface are EPERM, after EFAULT for a request the
   kernel could not have read, in the kernel's order. */
#include "sentry.h"
#include "cleanup.h"
#include "sys_file.h"
#include "memory.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <linux/sockios.h>
#include <net/if.h>
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

/* /dev/random and /dev/urandom are 1:8 and 1:9. */
static bool
is_random (dev_t rdev)
{
  return major (rdev) == 1 && (minor (rdev) == 8 || minor (rdev) == 9);
}

/* The interface requests every socket family hands to the network
   devices' own ioctl, which need CAP_NET_ADMIN. */
static bool
is_interface_change (uint32_t request)
{
  switch (request)
    {
    case SIOCSIFFLAGS: case SIOCSIFMETRIC: case SIOCSIFMTU: case SIOCSIFHWADDR:
    case SIOCSIFSLAVE: case SIOCADDMULTI: case SIOCDELMULTI: case SIOCSIFHWBROADCAST:
    case SIOCSIFMAP: case SIOCSIFTXQLEN: case SIOCSIFNAME: case SIOCGMIIPHY:
    case SIOCGMIIREG: case SIOCSMIIREG: case SIOCBONDENSLAVE: case SIOCBONDRELEASE:
    case SIOCBONDSETHWADDR: case SIOCBONDCHANGEACTIVE: case SIOCBRADDIF:
    case SIOCBRDELIF: case SIOCSHWTSTAMP:
      return true;
    default:
      return false;
    }
}

long
sys_ioctl (struct sb_call *c)
{
  uint32_t request = (uint32_t) c->args[1];
  cleanup_close int fd = -1;
  struct stat st;
  int fl;

  /* A descriptor that is not open, or is O_PATH, is EBADF before the
     kernel looks at the request. */
  fd = sb_get_app_fd (c, (int) c->args[0]);
  if (fd < 0)
    return fd;
  if (fstat (fd, &st) < 0 || (fl = fcntl (fd, F_GETFL)) < 0)
    return -errno;
  if (fl & O_PATH)
    return -EBADF;
  if (request == RNDGETENTCNT && S_ISCHR (st.st_mode) && is_random (st.st_rdev))
    {
      /* The entropy count, which Linux has reported as 256 bits since the
         pool became a ChaCha one (5.18); what /proc's entropy_avail says. */
      int bits = 256;
      return sb_copy_out (c, c->args[2], &bits, sizeof (bits));
    }
  if (S_ISSOCK (st.st_mode) && is_interface_change (request))
    {
      /* The kernel copies the request's ifreq in before it checks
         CAP_NET_ADMIN over the network namespace, which the app lacks. */
      struct ifreq ifr;
      int ret = sb_mem_read (c->tid, c->args[2], &ifr, sizeof (ifr));
      return ret < 0 ? ret : sb_deny (c, EPERM, "deny-ioctl");
    }
  if (request != TIOCSPGRP)
    return sb_deny (c, ENOTTY, "deny-ioctl");
  if (!S_ISCHR (st.st_mode) || !is_terminal_slave (st.st_rdev))
    return sb_deny (c, ENOTTY, "deny-ioctl");
  /* The kernel must run it: it acts on the caller's session. What made
     the check is the descriptor's type; another thread could dup2 a master
     over the number before the kernel runs it, a window of a few
     microseconds that docs/SURFACE.md names as what is left. The process
     group id is read by the kernel, and any value is checked there. */
  return SB_RET_CONTINUE;
}
