/* Reading and writing the app's memory (process_vm_readv/writev). Callers
   check the notification is still valid after reading, before acting. */
#ifndef SB_MEMORY_H
#define SB_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exactly len bytes, or -EFAULT. */
int sb_mem_read (pid_t pid, uint64_t addr, void *buf, size_t len);
int sb_mem_write (pid_t pid, uint64_t addr, const void *buf, size_t len);
/* A NUL-terminated string of at most max-1 bytes: its length, -EFAULT, or
   -ENAMETOOLONG when no NUL comes within max bytes. */
ssize_t sb_mem_read_string (pid_t pid, uint64_t addr, char *buf, size_t max);

#endif
