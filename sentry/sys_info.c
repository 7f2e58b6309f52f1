/* System reports: the sandbox's own name, release, memory and clock, never
   the host's. */
#include "sentry.h"
#include "cleanup.h"
#include "memory.h"
#include "sys_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

/* sysfs(2): 1 turns a filesystem type's name into its index, 2 an index
   into its name, 3 counts the types; the list, in the kernel's order, is
   /proc/filesystems (which the app may read as well). */
long
sys_sysfs (struct sb_call *c)
{
  cleanup_close int fd = openat (c->s->procfd, "filesystems", O_RDONLY | O_CLOEXEC);
  cleanup_file FILE *f = NULL;
  char line[256], want[256];
  long option = (long) c->args[0], i = 0;
  int ret;

  if (option < 1 || option > 3)
    return -EINVAL;
  if (option == 1 && (ret = sb_read_path (c, c->args[1], want, sizeof (want))) < 0)
    return ret == -ENAMETOOLONG ? -EINVAL : ret;
  if (fd < 0 || (f = fdopen (fd, "r")) == NULL)
    return -EIO;
  fd = -1; /* owned by f */
  while (fgets (line, sizeof (line), f))
    {
      char *name = strchr (line, '\t');
      if (name == NULL)
        continue;
      name++;
      name[strcspn (name, "\n")] = '\0';
      if (option == 1 && strcmp (name, want) == 0)
        return i;
      if (option == 2 && (unsigned long) i == (unsigned int) c->args[1])
        return sb_copy_out (c, c->args[2], name, strlen (name) + 1);
      i++;
    }
  return option == 3 ? i : -EINVAL;
}
