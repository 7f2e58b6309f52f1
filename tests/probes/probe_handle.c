/* probe_handle: file handles bypass path resolution (the "shocker" escape),
   so name_to_handle_at and open_by_handle_at must be refused.  The opens
   are read-only and closed at once. */
#include "probe.h"

#include <fcntl.h>
#include <stdint.h>

int
main (void)
{
  probe_init ();

  union
  {
    struct file_handle fh;
    unsigned char space[sizeof (struct file_handle) + MAX_HANDLE_SZ];
  } h;
  memset (&h, 0, sizeof h);
  h.fh.handle_bytes = MAX_HANDLE_SZ;
  int mount_id = -1;

  errno = 0;
  long rc = name_to_handle_at (AT_FDCWD, "/", &h.fh, &mount_id, 0);
  int err = errno;
  probe_denied ("name_to_handle_at(/)", rc, err);
  bool have_handle = rc == 0;

  int mount_fd = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mount_fd < 0)
    mount_fd = AT_FDCWD;

  if (have_handle)
    {
      errno = 0;
      rc = open_by_handle_at (mount_fd, &h.fh, O_RDONLY | O_CLOEXEC);
      err = errno;
      probe_denied ("open_by_handle_at(handle of /)", rc, err);
      if (rc >= 0)
        close ((int) rc);
    }

  /* A forged handle: inode 2 (the root of ext2/3/4 and friends),
     generation 0, type FILEID_INO32_GEN. */
  memset (&h, 0, sizeof h);
  h.fh.handle_bytes = 8;
  h.fh.handle_type = 1;
  uint32_t forged[2] = { 2, 0 };
  memcpy (h.fh.f_handle, forged, sizeof forged);
  errno = 0;
  rc = open_by_handle_at (mount_fd, &h.fh, O_RDONLY | O_CLOEXEC);
  err = errno;
  probe_denied ("open_by_handle_at(forged handle: inode 2)", rc, err);
  if (rc >= 0)
    close ((int) rc);

  if (mount_fd >= 0)
    close (mount_fd);
  return probe_status ();
}
