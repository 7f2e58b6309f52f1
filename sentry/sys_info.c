/* System reports: the sandbox's own name, release, memory and clock, never
   the host's. */
#include "sentry.h"
#include "memory.h"

#include <errno.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

long
sys_uname (struct sb_call *c)
{
  struct utsname u;

  memset (&u, 0, sizeof (u));
  strncpy (u.sysname, "Linux", sizeof (u.sysname) - 1);
  strncpy (u.nodename, c->s->cfg.hostname, sizeof (u.nodename) - 1);
  strncpy (u.release, c->s->cfg.release, sizeof (u.release) - 1);
  strncpy (u.version, "#1 SMP sandbox", sizeof (u.version) - 1);
  strncpy (u.machine, "x86_64", sizeof (u.machine) - 1);
  strncpy (u.domainname, "(none)", sizeof (u.domainname) - 1);
  if (!sb_call_valid (c))
    return -ECANCELED;
  return sb_mem_write (c->tid, c->args[0], &u, sizeof (u));
}

long
sys_sysinfo (struct sb_call *c)
{
  struct sysinfo info;

  sb_fill_sysinfo (c->s, &info);
  if (!sb_call_valid (c))
    return -ECANCELED;
  return sb_mem_write (c->tid, c->args[0], &info, sizeof (info));
}
