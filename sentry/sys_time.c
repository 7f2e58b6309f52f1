/* time(2) and gettimeofday(2), answered from the Sentry's own clock. Every
   program reads the time through the vDSO, which never enters the kernel;
   these numbers are only the fallback of static or old code, so they need
   not be host calls. */
#include "sentry.h"
#include "memory.h"

#include <errno.h>
#include <sys/time.h>
#include <time.h>

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
