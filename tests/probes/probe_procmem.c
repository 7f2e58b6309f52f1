/* probe_procmem: /proc/PID/mem writes go around page protections in the
   host kernel (FOLL_FORCE).  The probe maps one private anonymous page
   read-only with known content and tries to overwrite it through
   /proc/self/mem (pwrite) and /proc/<pid>/mem (lseek + write), <pid> being
   what /proc/self points to.  It is an
   escape only if the page content changed; the page is the probe's own, so
   a success is harmless. */
#include "probe.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

static const char original[] = "SBPROBE-ORIGINAL-CONTENT";
static const char replacement[] = "ESCAPED-VIA-PROC-MEM!!!!";

static bool
page_changed (const volatile char *page)
{
  for (size_t i = 0; i < sizeof original; i++)
    if (page[i] != original[i])
      return true;
  return false;
}

static bool
reset_page (char *page, size_t len)
{
  if (mprotect (page, len, PROT_READ | PROT_WRITE) != 0)
    return false;
  memcpy (page, original, sizeof original);
  return mprotect (page, len, PROT_READ) == 0;
}

static void
attempt (const char *path, bool use_pwrite, char *page, size_t len)
{
  char what[160];
  snprintf (what, sizeof what, "%s to a PROT_READ page via %s",
            use_pwrite ? "pwrite" : "lseek+write", path);

  if (!reset_page (page, len))
    {
      probe_setup ("mprotect of the test page", errno);
      return;
    }

  int fd = open (path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    {
      probe_report (true, what, "open O_RDWR: errno %s",
                    probe_errname (errno));
      return;
    }

  off_t off = (off_t) (uintptr_t) page;
  ssize_t n;
  int err = 0;
  if (use_pwrite)
    n = pwrite (fd, replacement, sizeof replacement - 1, off);
  else if (lseek (fd, off, SEEK_SET) == (off_t) -1)
    n = -1;
  else
    n = write (fd, replacement, sizeof replacement - 1);
  if (n < 0)
    err = errno;
  close (fd);

  if (page_changed (page))
    probe_report (false, what, "the read-only page was overwritten");
  else if (n < 0)
    probe_report (true, what, "errno %s", probe_errname (err));
  else
    probe_report (true, what, "write returned %zd but the page is unchanged",
                  n);
}

int
main (void)
{
  probe_init ();

  long pg = sysconf (_SC_PAGESIZE);
  size_t len = pg > 0 ? (size_t) pg : 4096;
  char *page = mmap (NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    {
      probe_setup ("mmap of one page", errno);
      return probe_status ();
    }

  /* The numeric path must name this process in the /proc that is mounted,
     which need not be of this pid namespace: take the number from
     /proc/self rather than getpid (), and never write through a pid that
     could be someone else. */
  char self[32], bypid[64];
  ssize_t n = readlink ("/proc/self", self, sizeof self - 1);
  if (n > 0)
    {
      self[n] = '\0';
      snprintf (bypid, sizeof bypid, "/proc/%s/mem", self);
    }
  else
    snprintf (bypid, sizeof bypid, "/proc/thread-self/mem");

  attempt ("/proc/self/mem", true, page, len);
  attempt (bypid, false, page, len);

  munmap (page, len);
  return probe_status ();
}
