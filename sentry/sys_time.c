/* time(2) and gettimeofday(2), answered from the Sentry's own clock. Every
   program reads the time through the vDSO, which never enters the kernel;
   these numbers are only the fallback of static or old code, so they need
   not be host calls. */
#include "sentry.h"
#include "memory.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

long
sys_time (struct sb_call *c)
{
  time_t now = time (NULL);
  int ret;

  if (c->args[0] != 0)
    {
      if (!sb_call_valid (c))
        return -ECANCELED;
      ret = sb_mem_write (c->tid, c->args[0], &now, sizeof (now));
      if (ret < 0)
        return ret;
    }
  return (long) now;
}

long
sys_gettimeofday (struct sb_call *c)
{
  struct timeval tv;
  /* The timezone argument is obsolete: the kernel fills it with zeros
     unless settimeofday set one, which the sandbox cannot. */
  struct timezone tz = { 0, 0 };
  int ret;

  gettimeofday (&tv, NULL);
  if (!sb_call_valid (c))
    return -ECANCELED;
  if (c->args[0] != 0 && (ret = sb_mem_write (c->tid, c->args[0], &tv, sizeof (tv))) < 0)
    return ret;
  if (c->args[1] != 0 && (ret = sb_mem_write (c->tid, c->args[1], &tz, sizeof (tz))) < 0)
    return ret;
  return 0;
}

/* ---- the host's clock: read, never set --------------------------------------

   No process of a sandbox may set the host's clock (CAP_SYS_TIME over the
   host's user namespace, which nothing in a sandbox holds), but the kernel
   checks the arguments before it checks that, and programs read the
   clock's discipline through adjtimex. So these calls come here: the
   argument checks in the kernel's order, then EPERM (audited, as the
   refusal it is), and reading the discipline is done by the Sentry's own
   adjtimex, which can only read (it too lacks CAP_SYS_TIME). */

/* timekeeping's limit on a time set: KTIME_SEC_MAX less 30 years of uptime. */
#define SETTOD_SEC_MAX (9223372036LL - 30LL * 365 * 86400)

/* adjtimex's mode bits as the kernel spells them (glibc's ADJ_OFFSET_*
   constants include ADJ_ADJTIME). */
#define K_ADJ_OFFSET_SINGLESHOT 0x0001
#define K_ADJ_FREQUENCY 0x0002
#define K_ADJ_OFFSET_READONLY 0x2000
#define K_ADJ_ADJTIME 0x8000
/* 1000 ns per µs, shifted from the user's 16 fraction bits to NTP's 32. */
#define PPM_SCALE (1000LL << 16)

static bool
settod_valid (int64_t sec, int64_t nsec)
{
  return sec >= 0 && nsec >= 0 && nsec < 1000000000 && sec < SETTOD_SEC_MAX;
}

long
sys_settimeofday (struct sb_call *c)
{
  struct timeval tv;
  struct timezone tz;
  int ret;

  /* The kernel's order: the time read and its microseconds checked, the
     zone read, then the time checked whole. */
  if (c->args[0] != 0)
    {
      if ((ret = sb_mem_read (c->tid, c->args[0], &tv, sizeof (tv))) < 0)
        return ret;
      if (tv.tv_usec > 1000000 || tv.tv_usec < 0)
        return -EINVAL;
    }
  if (c->args[1] != 0 && (ret = sb_mem_read (c->tid, c->args[1], &tz, sizeof (tz))) < 0)
    return ret;
  if (c->args[0] != 0 && !settod_valid (tv.tv_sec, tv.tv_usec * 1000))
    return -EINVAL;
  return sb_deny (c, EPERM, "deny");
}

/* Kinds of clock id, as the kernel's clockid_to_kclock tells them: a
   negative id is another process's CPU clock, or a clock device's
   descriptor (CLOCKFD); 0 to 11 are the fixed clocks, of which 10 is gone. */
enum clock_kind
{
  CLOCK_KIND_NONE,
  CLOCK_KIND_REALTIME,
  CLOCK_KIND_FIXED,
  CLOCK_KIND_CPU,
  CLOCK_KIND_FD,
};

static enum clock_kind
clock_kind (clockid_t id)
{
  if (id < 0)
    return (id & 7) == 3 ? CLOCK_KIND_FD : CLOCK_KIND_CPU;
  if (id == CLOCK_REALTIME)
    return CLOCK_KIND_REALTIME;
  return id <= CLOCK_TAI && id != 10 ? CLOCK_KIND_FIXED : CLOCK_KIND_NONE;
}

long
sys_clock_settime (struct sb_call *c)
{
  enum clock_kind kind = clock_kind ((clockid_t) c->args[0]);
  struct timespec ts;
  int ret;

  /* Only the realtime clock, CPU clocks and clock devices can be set. */
  if (kind == CLOCK_KIND_NONE || kind == CLOCK_KIND_FIXED)
    return -EINVAL;
  if ((ret = sb_mem_read (c->tid, c->args[1], &ts, sizeof (ts))) < 0)
    return ret;
  /* No descriptor in a sandbox is a clock device (it has no /dev/ptp*):
     the kernel's answer for one that is not. A CPU clock's CPUCLOCK_WHICH
     of 3 names no clock. */
  if (kind == CLOCK_KIND_FD || (kind == CLOCK_KIND_CPU && (c->args[0] & 3) == 3))
    return -EINVAL;
  if (kind == CLOCK_KIND_REALTIME && !settod_valid (ts.tv_sec, ts.tv_nsec))
    return -EINVAL;
  return sb_deny (c, EPERM, "deny");
}

/* The kernel's timekeeping_validate_timex for a caller without
   CAP_SYS_TIME: 0 when the call only reads. */
static int
timex_check (const struct timex *tx)
{
  if (tx->modes & K_ADJ_ADJTIME)
    {
      if (!(tx->modes & K_ADJ_OFFSET_SINGLESHOT))
        return -EINVAL;
      if (!(tx->modes & K_ADJ_OFFSET_READONLY))
        return -EPERM;
    }
  else if (tx->modes != 0)
    return -EPERM;
  if ((tx->modes & ADJ_SETOFFSET))
    return -EPERM;
  if ((tx->modes & K_ADJ_FREQUENCY) && (LLONG_MIN / PPM_SCALE > tx->freq || LLONG_MAX / PPM_SCALE < tx->freq))
    return -EINVAL;
  return 0;
}

/* adjtimex and clock_adjtime of the realtime clock: the struct is read
   whole first (EFAULT), checked, and a read is the Sentry's own, with
   modes 0 or a single-shot read (which reports the pending adjustment). */
static long
adjtime_realtime (struct sb_call *c, uint64_t addr)
{
  struct timex tx, host;
  int ret, state;

  if ((ret = sb_mem_read (c->tid, addr, &tx, sizeof (tx))) < 0)
    return ret;
  if ((ret = timex_check (&tx)) < 0)
    return ret == -EPERM ? sb_deny (c, EPERM, "deny") : ret;
  memset (&host, 0, sizeof (host));
  host.modes = (tx.modes & K_ADJ_ADJTIME) ? K_ADJ_ADJTIME | K_ADJ_OFFSET_SINGLESHOT | K_ADJ_OFFSET_READONLY : 0;
  state = (int) syscall (SYS_adjtimex, &host); /* glibc's adjtimex is clock_adjtime */
  if (state < 0)
    return -errno;
  host.modes = tx.modes; /* the kernel hands the modes back as given */
  if (!sb_call_valid (c))
    return -ECANCELED;
  if ((ret = sb_mem_write (c->tid, addr, &host, sizeof (host))) < 0)
    return ret;
  return state;
}

long
sys_adjtimex (struct sb_call *c)
{
  return adjtime_realtime (c, c->args[0]);
}

long
sys_clock_adjtime (struct sb_call *c)
{
  enum clock_kind kind = clock_kind ((clockid_t) c->args[0]);
  struct timex tx;
  int ret;

  if (kind == CLOCK_KIND_REALTIME)
    return adjtime_realtime (c, c->args[1]);
  /* Every other clock: the struct first, then the clock. */
  if ((ret = sb_mem_read (c->tid, c->args[1], &tx, sizeof (tx))) < 0)
    return ret;
  if (kind == CLOCK_KIND_NONE || kind == CLOCK_KIND_FD)
    return -EINVAL;
  return -EOPNOTSUPP;
}
