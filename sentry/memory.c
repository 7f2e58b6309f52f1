#include "memory.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096u

int
sb_mem_read (pid_t pid, uint64_t addr, void *buf, size_t len)
{
  struct iovec local = { .iov_base = buf, .iov_len = len };
  struct iovec remote = { .iov_base = (void *) (uintptr_t) addr, .iov_len = len };
  ssize_t n;

  if (len == 0)
    return 0;
  if (addr == 0)
    return -EFAULT;
  n = process_vm_readv (pid, &local, 1, &remote, 1, 0);
  if (n < 0)
    return errno == ESRCH ? -ESRCH : -EFAULT;
  return (size_t) n == len ? 0 : -EFAULT;
}

int
sb_mem_write (pid_t pid, uint64_t addr, const void *buf, size_t len)
{
  struct iovec local = { .iov_base = (void *) buf, .iov_len = len };
  struct iovec remote = { .iov_base = (void *) (uintptr_t) addr, .iov_len = len };
  ssize_t n;

  if (len == 0)
    return 0;
  if (addr == 0)
    return -EFAULT;
  n = process_vm_writev (pid, &local, 1, &remote, 1, 0);
  if (n < 0)
    return errno == ESRCH ? -ESRCH : -EFAULT;
  return (size_t) n == len ? 0 : -EFAULT;
}

ssize_t
sb_mem_read_string (pid_t pid, uint64_t addr, char *buf, size_t max)
{
  size_t got = 0;

  if (addr == 0)
    return -EFAULT;
  /* Read up to each page boundary, so a string ending just before an
     unmapped page is still read. */
  while (got < max)
    {
      uint64_t at = addr + got;
      size_t chunk = PAGE - (at % PAGE);
      struct iovec local, remote;
      ssize_t n;
      char *nul;

      if (chunk > max - got)
        chunk = max - got;
      local.iov_base = buf + got;
      local.iov_len = chunk;
      remote.iov_base = (void *) (uintptr_t) at;
      remote.iov_len = chunk;
      n = process_vm_readv (pid, &local, 1, &remote, 1, 0);
      if (n <= 0)
        return -EFAULT;
      nul = memchr (buf + got, '\0', n);
      if (nul)
        return nul - buf;
      got += n;
    }
  return -ENAMETOOLONG;
}
