/* probe_mknod: device nodes must not be creatable, through mknodat (what
   glibc's mknod uses) nor the legacy mknod call number; a FIFO must still
   work (a setup error if it does not, since the sandbox supports FIFOs).
   Nodes are made in a fresh directory under /tmp, never opened, and
   removed at once. */
#include "probe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char dir[] = "/tmp/sbprobe-mknod-XXXXXX";

static void
attempt (const char *name, mode_t type, unsigned maj, unsigned min,
         bool legacy)
{
  char path[256], what[320];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  snprintf (what, sizeof what, "%s(%s, %s, makedev(%u,%u))",
            legacy ? "SYS_mknod" : "mknod", path,
            type == S_IFBLK ? "S_IFBLK" : "S_IFCHR", maj, min);
  errno = 0;
  long rc;
#ifdef SYS_mknod
  if (legacy)
    rc = syscall (SYS_mknod, path, (unsigned) (type | 0600),
                  (unsigned) makedev (maj, min));
  else
#endif
    rc = mknod (path, type | 0600, makedev (maj, min));
  int err = errno;
  probe_denied (what, rc, err);
  if (rc == 0)
    unlink (path);
}

int
main (void)
{
  probe_init ();
  if (!mkdtemp (dir))
    {
      probe_setup ("mkdtemp under /tmp", errno);
      return probe_status ();
    }

  attempt ("null", S_IFCHR, 1, 3, false);
  attempt ("sda", S_IFBLK, 8, 0, false);
  attempt ("zero", S_IFCHR, 1, 5, true);
  attempt ("sdb", S_IFBLK, 8, 16, true);

  char fifo[256];
  snprintf (fifo, sizeof fifo, "%s/fifo", dir);
  if (mknod (fifo, S_IFIFO | 0600, 0) == 0)
    {
      probe_ok ("mknod(%s, S_IFIFO) works", fifo);
      unlink (fifo);
    }
  else
    probe_setup ("mknod S_IFIFO must work in the sandbox", errno);

  rmdir (dir);
  return probe_status ();
}
