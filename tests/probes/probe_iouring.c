/* probe_iouring: io_uring_setup must be refused under every profile
   (test-probes.sh runs this once per profile: default, strict, compat).
   io_uring_enter and io_uring_register on a descriptor that is not a ring
   must be refused too, not answered EBADF by the kernel. A ring that
   was made is closed at once. */
#include "probe.h"

#include <linux/io_uring.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif

int
main (void)
{
  struct io_uring_params p;

  probe_init ();
  memset (&p, 0, sizeof p);
  errno = 0;
  long rc = syscall (__NR_io_uring_setup, 1U, &p);
  probe_denied ("io_uring_setup(1 entry)", rc, errno);
  if (rc >= 0)
    close ((int) rc);
  errno = 0;
  rc = syscall (__NR_io_uring_enter, 0, 0U, 0U, 0U, NULL, 0UL);
  probe_denied ("io_uring_enter(fd 0)", rc, errno);
  errno = 0;
  rc = syscall (__NR_io_uring_register, 0, 0U, NULL, 0U);
  probe_denied ("io_uring_register(fd 0)", rc, errno);
  return probe_status ();
}
