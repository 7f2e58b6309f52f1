/* The x86-64 system call table: one class per call number.

   Why the classes are what they are:

   - SB_SYS_SENTRY: the call's safety depends on something a seccomp filter
     cannot see.  A path is a string in the app's memory, which the app can
     rewrite after the filter looked at it (and a BPF filter cannot read
     memory at all), and its meaning depends on the host's mount table and
     symlinks; so every call that takes a path is carried out by the Sentry,
     which copies the string once and resolves it through the Gofer.  The
     same holds for network addresses (socket, bind, connect, send*), and
     for the system reports (uname, sysinfo), whose true answers describe
     the host, and for the calls that set the host's clock, which the Sentry
     refuses after checking their arguments as the kernel does.
   - SB_SYS_DENIED: the kernel's own attack surface: calls that reach
     subsystems a container never needs (modules, kexec, BPF, perf,
     io_uring, keys, mounts and namespaces, raw I/O ports, other processes'
     memory, host-wide settings) or that exist only as
     unimplemented slots; and, answered ENOSYS so programs take their
     fallback, calls ordinary workloads do not make (splice, tee, vmsplice,
     message queues, old AIO, NUMA, memory locking, scheduling classes,
     older forms of allowed calls). They are answered with deny_errno and
     audited; the compat profile lets a documented set of the latter run
     (sentry/filter.c).
   - SB_SYS_HOST_CHECKED: runs on the host only with the argument values of
     an allowlist (sentry/filter_args.c: ioctl requests, socket options,
     madvise advice, futex operations, mmap/mprotect without the grows-down
     flags, pipe2 flags, waitid pointers, clone without namespace flags,
     socketpair of AF_UNIX, socket of TCP, UDP and Unix kinds, query and
     PER_LINUX personalities); other values
     reach the Sentry, which refuses them with deny_errno (ioctl: decided by
     the descriptor's type, sentry/sys_ioctl.c).
   - SB_SYS_HOST: works on objects the app already holds (file
     descriptors, its own memory, its own threads, its private IPC and PID
     namespaces) and runs on the host kernel unchanged.

   Every host and host-checked call is justified, with the workload that
   needs it, in docs/SURFACE.md (the unit test keeps the two in step).

   Numbers above 450 are not in Debian 12's <asm/unistd_64.h> and are
   written as literals; they were checked against the kernel's
   arch/x86/entry/syscalls/syscall_64.tbl. */

#include "syscall_table.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

const struct sb_syscall sb_syscall_table[SB_SYSCALL_NR_MAX] = {
  /* --- file I/O on descriptors the app already holds ---------------------- */
  [__NR_read] = { "read", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_write] = { "write", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_close] = { "close", SB_SYS_HOST, 0, 1, { SB_ARG_FD } },
  [__NR_fstat] = { "fstat", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_PTR } },
  [__NR_lseek] = { "lseek", SB_SYS_HOST_CHECKED, EINVAL, 3, { SB_ARG_FD, SB_ARG_INT, SB_ARG_INT } },
  [__NR_pread64] = { "pread64", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_pwrite64] = { "pwrite64", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_readv] = { "readv", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_writev] = { "writev", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  /* preadv/pwritev: the pos_h argument is unused on 64-bit. */
  [__NR_preadv] = { "preadv", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_pwritev] = { "pwritev", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_preadv2] = { "preadv2", SB_SYS_DENIED, ENOSYS, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_pwritev2] = { "pwritev2", SB_SYS_DENIED, ENOSYS, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_sendfile] = { "sendfile", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_splice] = { "splice", SB_SYS_DENIED, ENOSYS, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_tee] = { "tee", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_FD, SB_ARG_FD, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_vmsplice] = { "vmsplice", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_copy_file_range] = { "copy_file_range", SB_SYS_HOST, 0, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_dup] = { "dup", SB_SYS_HOST, 0, 1, { SB_ARG_FD } },
  [__NR_dup2] = { "dup2", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_FD } },
  [__NR_dup3] = { "dup3", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_FD, SB_ARG_OPENFLAGS } },
  [__NR_pipe] = { "pipe", SB_SYS_HOST, 0, 1, { SB_ARG_PTR } },
  [__NR_pipe2] = { "pipe2", SB_SYS_HOST_CHECKED, EINVAL, 2, { SB_ARG_PTR, SB_ARG_OPENFLAGS } },
  [__NR_fcntl] = { "fcntl", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_flock] = { "flock", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_HEX } },
  [__NR_fsync] = { "fsync", SB_SYS_HOST, 0, 1, { SB_ARG_FD } },
  [__NR_fdatasync] = { "fdatasync", SB_SYS_HOST, 0, 1, { SB_ARG_FD } },
  [__NR_syncfs] = { "syncfs", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_FD } },
  [__NR_sync] = { "sync", SB_SYS_DENIED, ENOSYS, 0, { 0 } },
  [__NR_sync_file_range] = { "sync_file_range", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_ftruncate] = { "ftruncate", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_INT } },
  [__NR_fallocate] = { "fallocate", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_HEX, SB_ARG_INT, SB_ARG_INT } },
  [__NR_readahead] = { "readahead", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_FD, SB_ARG_INT, SB_ARG_UINT } },
  [__NR_fadvise64] = { "fadvise64", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_INT, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_getdents] = { "getdents", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_getdents64] = { "getdents64", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_fstatfs] = { "fstatfs", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_PTR } },
  [__NR_fchmod] = { "fchmod", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_MODE } },
  [__NR_fchown] = { "fchown", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_INT, SB_ARG_INT } },
  [__NR_fchdir] = { "fchdir", SB_SYS_HOST, 0, 1, { SB_ARG_FD } },
  [__NR_getcwd] = { "getcwd", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_umask] = { "umask", SB_SYS_HOST, 0, 1, { SB_ARG_MODE } },
  [__NR_close_range] = { "close_range", SB_SYS_HOST, 0, 3, { SB_ARG_UINT, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_fsetxattr] = { "fsetxattr", SB_SYS_HOST, 0, 5, { SB_ARG_FD, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_fgetxattr] = { "fgetxattr", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_flistxattr] = { "flistxattr", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_fremovexattr] = { "fremovexattr", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_FD, SB_ARG_STR } },
  [451] = { "cachestat", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_HEX } },

  /* --- calls that take a path: the Sentry ----------------------------------- */
  [__NR_open] = { "open", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_OPENFLAGS, SB_ARG_MODE } },
  [__NR_openat] = { "openat", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_OPENFLAGS, SB_ARG_MODE } },
  [__NR_openat2] = { "openat2", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_creat] = { "creat", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_MODE } },
  [__NR_stat] = { "stat", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PTR } },
  [__NR_lstat] = { "lstat", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PTR } },
  [__NR_newfstatat] = { "newfstatat", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_statx] = { "statx", SB_SYS_SENTRY, 0, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_statfs] = { "statfs", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PTR } },
  [__NR_access] = { "access", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_faccessat] = { "faccessat", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_faccessat2] = { "faccessat2", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_readlink] = { "readlink", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_readlinkat] = { "readlinkat", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_mkdir] = { "mkdir", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_MODE } },
  [__NR_mkdirat] = { "mkdirat", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_MODE } },
  [__NR_mknod] = { "mknod", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_MODE, SB_ARG_HEX } },
  [__NR_mknodat] = { "mknodat", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_MODE, SB_ARG_HEX } },
  [__NR_rmdir] = { "rmdir", SB_SYS_SENTRY, 0, 1, { SB_ARG_PATH } },
  [__NR_unlink] = { "unlink", SB_SYS_SENTRY, 0, 1, { SB_ARG_PATH } },
  [__NR_unlinkat] = { "unlinkat", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_rename] = { "rename", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PATH } },
  [__NR_renameat] = { "renameat", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_FD, SB_ARG_PATH } },
  [__NR_renameat2] = { "renameat2", SB_SYS_SENTRY, 0, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_link] = { "link", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PATH } },
  [__NR_linkat] = { "linkat", SB_SYS_SENTRY, 0, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_symlink] = { "symlink", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PATH } },
  [__NR_symlinkat] = { "symlinkat", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_FD, SB_ARG_PATH } },
  [__NR_chmod] = { "chmod", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_MODE } },
  [__NR_fchmodat] = { "fchmodat", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_MODE } },
  [452] = { "fchmodat2", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_MODE, SB_ARG_HEX } },
  [__NR_chown] = { "chown", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_INT, SB_ARG_INT } },
  [__NR_lchown] = { "lchown", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_INT, SB_ARG_INT } },
  [__NR_fchownat] = { "fchownat", SB_SYS_SENTRY, 0, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_utime] = { "utime", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PTR } },
  [__NR_utimes] = { "utimes", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_PTR } },
  [__NR_futimesat] = { "futimesat", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR } },
  [__NR_utimensat] = { "utimensat", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_truncate] = { "truncate", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_INT } },
  [__NR_chdir] = { "chdir", SB_SYS_SENTRY, 0, 1, { SB_ARG_PATH } },
  [__NR_inotify_add_watch] = { "inotify_add_watch", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_setxattr] = { "setxattr", SB_SYS_SENTRY, 0, 5, { SB_ARG_PATH, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_lsetxattr] = { "lsetxattr", SB_SYS_SENTRY, 0, 5, { SB_ARG_PATH, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_getxattr] = { "getxattr", SB_SYS_SENTRY, 0, 4, { SB_ARG_PATH, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_lgetxattr] = { "lgetxattr", SB_SYS_SENTRY, 0, 4, { SB_ARG_PATH, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_listxattr] = { "listxattr", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_llistxattr] = { "llistxattr", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_removexattr] = { "removexattr", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_STR } },
  [__NR_lremovexattr] = { "lremovexattr", SB_SYS_SENTRY, 0, 2, { SB_ARG_PATH, SB_ARG_STR } },
  /* The *xattrat calls (dfd, path, at_flags, ...). */
  [463] = { "setxattrat", SB_SYS_SENTRY, 0, 6, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT } },
  [464] = { "getxattrat", SB_SYS_SENTRY, 0, 6, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT } },
  [465] = { "listxattrat", SB_SYS_SENTRY, 0, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_UINT } },
  [466] = { "removexattrat", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_STR } },

  /* --- program execution: the Sentry (the path names the image) ------------ */
  [__NR_execve] = { "execve", SB_SYS_SENTRY, 0, 3, { SB_ARG_PATH, SB_ARG_ARGV, SB_ARG_ARGV } },
  [__NR_execveat] = { "execveat", SB_SYS_SENTRY, 0, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_ARGV, SB_ARG_ARGV, SB_ARG_HEX } },

  /* --- system reports: the Sentry answers with the sandbox's view ---------- */
  [__NR_uname] = { "uname", SB_SYS_SENTRY, 0, 1, { SB_ARG_PTR } },
  [__NR_sysinfo] = { "sysinfo", SB_SYS_SENTRY, 0, 1, { SB_ARG_PTR } },

  /* --- network: naming peers goes to the Sentry; TCP, UDP and Unix sockets
         are made, and data on a connected socket and socket options stay,
         on the host --------------------------------------------------------- */
  [__NR_socket] = { "socket", SB_SYS_HOST_CHECKED, EAFNOSUPPORT, 3, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_INT } },
  [__NR_bind] = { "bind", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_SOCKADDR, SB_ARG_UINT } },
  [__NR_connect] = { "connect", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_SOCKADDR, SB_ARG_UINT } },
  [__NR_sendto] = { "sendto", SB_SYS_SENTRY, 0, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_SOCKADDR, SB_ARG_UINT } },
  [__NR_sendmsg] = { "sendmsg", SB_SYS_SENTRY, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_sendmmsg] = { "sendmmsg", SB_SYS_SENTRY, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_socketpair] = { "socketpair", SB_SYS_HOST_CHECKED, EAFNOSUPPORT, 4, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_accept] = { "accept", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_accept4] = { "accept4", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_listen] = { "listen", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_INT } },
  [__NR_shutdown] = { "shutdown", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_INT } },
  [__NR_recvfrom] = { "recvfrom", SB_SYS_HOST, 0, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_recvmsg] = { "recvmsg", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_recvmmsg] = { "recvmmsg", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_getsockname] = { "getsockname", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_getpeername] = { "getpeername", SB_SYS_HOST, 0, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_setsockopt] = { "setsockopt", SB_SYS_HOST_CHECKED, ENOPROTOOPT, 5, { SB_ARG_FD, SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_getsockopt] = { "getsockopt", SB_SYS_HOST_CHECKED, ENOPROTOOPT, 5, { SB_ARG_FD, SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },

  /* --- device control: an allowlist of requests (filter_args.c) ------------- */
  [__NR_ioctl] = { "ioctl", SB_SYS_HOST_CHECKED, ENOTTY, 3, { SB_ARG_FD, SB_ARG_HEX, SB_ARG_HEX } },

  /* --- memory ---------------------------------------------------------------- */
  [__NR_mmap] = { "mmap", SB_SYS_HOST_CHECKED, EPERM, 6, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_FD, SB_ARG_HEX } },
  [__NR_mprotect] = { "mprotect", SB_SYS_HOST_CHECKED, EPERM, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_pkey_mprotect] = { "pkey_mprotect", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_INT } },
  [__NR_munmap] = { "munmap", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_brk] = { "brk", SB_SYS_HOST, 0, 1, { SB_ARG_PTR } },
  [__NR_mremap] = { "mremap", SB_SYS_HOST, 0, 5, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_msync] = { "msync", SB_SYS_HOST, 0, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_mincore] = { "mincore", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_madvise] = { "madvise", SB_SYS_HOST_CHECKED, EINVAL, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_mlock] = { "mlock", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_mlock2] = { "mlock2", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_munlock] = { "munlock", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_mlockall] = { "mlockall", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_HEX } },
  [__NR_munlockall] = { "munlockall", SB_SYS_DENIED, ENOSYS, 0, { 0 } },
  [__NR_remap_file_pages] = { "remap_file_pages", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_mbind] = { "mbind", SB_SYS_DENIED, ENOSYS, 6, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_set_mempolicy] = { "set_mempolicy", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_get_mempolicy] = { "get_mempolicy", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_set_mempolicy_home_node] = { "set_mempolicy_home_node", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_pkey_alloc] = { "pkey_alloc", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_pkey_free] = { "pkey_free", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_INT } },
  [__NR_memfd_create] = { "memfd_create", SB_SYS_HOST, 0, 2, { SB_ARG_STR, SB_ARG_HEX } },
  [__NR_membarrier] = { "membarrier", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_INT } },
  [453] = { "map_shadow_stack", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [462] = { "mseal", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },

  /* --- processes and threads ------------------------------------------------- */
  /* clone: no namespace flags (filter.c); clone3 hides its flags in memory,
     so it is refused with ENOSYS and libc falls back to clone. */
  [__NR_clone] = { "clone", SB_SYS_HOST_CHECKED, EPERM, 5, { SB_ARG_HEX, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_clone3] = { "clone3", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_fork] = { "fork", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_vfork] = { "vfork", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_exit] = { "exit", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_exit_group] = { "exit_group", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_wait4] = { "wait4", SB_SYS_HOST, 0, 4, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_waitid] = { "waitid", SB_SYS_HOST_CHECKED, EFAULT, 5, { SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_getpid] = { "getpid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_getppid] = { "getppid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_gettid] = { "gettid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_getpgrp] = { "getpgrp", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_getpgid] = { "getpgid", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_setpgid] = { "setpgid", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_INT } },
  [__NR_getsid] = { "getsid", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_setsid] = { "setsid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_set_tid_address] = { "set_tid_address", SB_SYS_HOST, 0, 1, { SB_ARG_PTR } },
  [__NR_set_robust_list] = { "set_robust_list", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_get_robust_list] = { "get_robust_list", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_arch_prctl] = { "arch_prctl", SB_SYS_HOST, 0, 2, { SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_prctl] = { "prctl", SB_SYS_HOST, 0, 5, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
  /* personality: only queries and PER_LINUX values (filter.c). */
  [__NR_personality] = { "personality", SB_SYS_HOST_CHECKED, EPERM, 1, { SB_ARG_HEX } },
  [__NR_rseq] = { "rseq", SB_SYS_HOST, 0, 4, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_seccomp] = { "seccomp", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_UINT, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_pidfd_open] = { "pidfd_open", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_HEX } },
  [__NR_pidfd_send_signal] = { "pidfd_send_signal", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_INT, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_restart_syscall] = { "restart_syscall", SB_SYS_HOST, 0, 0, { 0 } },
  /* uretprobe and uprobe only work from the trampoline the kernel maps for
     a probe (elsewhere: SIGILL, ENXIO); the kernel lets them bypass seccomp
     anyway. */
  [335] = { "uretprobe", SB_SYS_DENIED, ENOSYS, 0, { 0 } },
  [336] = { "uprobe", SB_SYS_DENIED, ENOSYS, 0, { 0 } },

  /* --- credentials (confined by the user namespace) -------------------------
     The calls that change them are sentry class: the Sentry keeps each
     thread's ids, groups and capabilities (sentry/caller.c) and must see
     every change. It forgets the caller's, then lets the kernel run the call
     (CONTINUE: their arguments are registers, or lists whose content the
     Sentry does not judge). */
  [__NR_getuid] = { "getuid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_geteuid] = { "geteuid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_getgid] = { "getgid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_getegid] = { "getegid", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_setuid] = { "setuid", SB_SYS_SENTRY, 0, 1, { SB_ARG_INT } },
  [__NR_setgid] = { "setgid", SB_SYS_SENTRY, 0, 1, { SB_ARG_INT } },
  [__NR_setreuid] = { "setreuid", SB_SYS_SENTRY, 0, 2, { SB_ARG_INT, SB_ARG_INT } },
  [__NR_setregid] = { "setregid", SB_SYS_SENTRY, 0, 2, { SB_ARG_INT, SB_ARG_INT } },
  [__NR_setresuid] = { "setresuid", SB_SYS_SENTRY, 0, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_INT } },
  [__NR_getresuid] = { "getresuid", SB_SYS_HOST, 0, 3, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_setresgid] = { "setresgid", SB_SYS_SENTRY, 0, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_INT } },
  [__NR_getresgid] = { "getresgid", SB_SYS_HOST, 0, 3, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_setfsuid] = { "setfsuid", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_INT } },
  [__NR_setfsgid] = { "setfsgid", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_INT } },
  [__NR_getgroups] = { "getgroups", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_setgroups] = { "setgroups", SB_SYS_SENTRY, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_capget] = { "capget", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_capset] = { "capset", SB_SYS_SENTRY, 0, 2, { SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_landlock_create_ruleset] = { "landlock_create_ruleset", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_landlock_add_rule] = { "landlock_add_rule", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_FD, SB_ARG_INT, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_landlock_restrict_self] = { "landlock_restrict_self", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_FD, SB_ARG_HEX } },

  /* --- scheduling, priorities and limits ------------------------------------- */
  [__NR_sched_yield] = { "sched_yield", SB_SYS_HOST, 0, 0, { 0 } },
  /* Reading a process's scheduling policy and the policies' ranges: the
     pid namespace confines the targets, and nothing is changed. Setting
     them is compat's. */
  [__NR_sched_setparam] = { "sched_setparam", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_sched_getparam] = { "sched_getparam", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_sched_setscheduler] = { "sched_setscheduler", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_sched_getscheduler] = { "sched_getscheduler", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_sched_get_priority_max] = { "sched_get_priority_max", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_sched_get_priority_min] = { "sched_get_priority_min", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_sched_rr_get_interval] = { "sched_rr_get_interval", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_sched_setaffinity] = { "sched_setaffinity", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_sched_getaffinity] = { "sched_getaffinity", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_sched_setattr] = { "sched_setattr", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_sched_getattr] = { "sched_getattr", SB_SYS_HOST, 0, 4, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_getpriority] = { "getpriority", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_INT } },
  [__NR_setpriority] = { "setpriority", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_INT } },
  [__NR_ioprio_set] = { "ioprio_set", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_ioprio_get] = { "ioprio_get", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_INT, SB_ARG_INT } },
  [__NR_getcpu] = { "getcpu", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_getrlimit] = { "getrlimit", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_setrlimit] = { "setrlimit", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_prlimit64] = { "prlimit64", SB_SYS_HOST, 0, 4, { SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_getrusage] = { "getrusage", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_times] = { "times", SB_SYS_HOST, 0, 1, { SB_ARG_PTR } },
  [__NR_getrandom] = { "getrandom", SB_SYS_HOST, 0, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },

  /* --- signals (the PID namespace confines kill and friends) ---------------- */
  [__NR_rt_sigaction] = { "rt_sigaction", SB_SYS_HOST, 0, 4, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_rt_sigprocmask] = { "rt_sigprocmask", SB_SYS_HOST, 0, 4, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_rt_sigreturn] = { "rt_sigreturn", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_rt_sigpending] = { "rt_sigpending", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_rt_sigtimedwait] = { "rt_sigtimedwait", SB_SYS_HOST, 0, 4, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_rt_sigqueueinfo] = { "rt_sigqueueinfo", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_rt_tgsigqueueinfo] = { "rt_tgsigqueueinfo", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_INT, SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_rt_sigsuspend] = { "rt_sigsuspend", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_sigaltstack] = { "sigaltstack", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_kill] = { "kill", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_INT } },
  [__NR_tkill] = { "tkill", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_INT, SB_ARG_INT } },
  [__NR_tgkill] = { "tgkill", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_INT } },
  [__NR_pause] = { "pause", SB_SYS_HOST, 0, 0, { 0 } },
  [__NR_signalfd] = { "signalfd", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_signalfd4] = { "signalfd4", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },

  /* --- futexes --------------------------------------------------------------- */
  [__NR_futex] = { "futex", SB_SYS_HOST_CHECKED, ENOSYS, 6, { SB_ARG_PTR, SB_ARG_INT, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_futex_waitv] = { "futex_waitv", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_INT } },
  [454] = { "futex_wake", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_PTR, SB_ARG_HEX, SB_ARG_INT, SB_ARG_HEX } },
  [455] = { "futex_wait", SB_SYS_DENIED, ENOSYS, 6, { SB_ARG_PTR, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_INT } },
  [456] = { "futex_requeue", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_PTR, SB_ARG_HEX, SB_ARG_INT, SB_ARG_INT } },

  /* --- time and timers (reading only; setting clocks is denied below) ------- */
  /* time, gettimeofday: the vDSO serves them; the Sentry answers the rare
     real call (sys_time.c), so they need not reach the host. */
  [__NR_time] = { "time", SB_SYS_SENTRY, 0, 1, { SB_ARG_PTR } },
  [__NR_gettimeofday] = { "gettimeofday", SB_SYS_SENTRY, 0, 2, { SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_clock_gettime] = { "clock_gettime", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_clock_getres] = { "clock_getres", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_clock_nanosleep] = { "clock_nanosleep", SB_SYS_HOST, 0, 4, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_nanosleep] = { "nanosleep", SB_SYS_HOST, 0, 2, { SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_alarm] = { "alarm", SB_SYS_HOST, 0, 1, { SB_ARG_UINT } },
  [__NR_getitimer] = { "getitimer", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_setitimer] = { "setitimer", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_timer_create] = { "timer_create", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_timer_settime] = { "timer_settime", SB_SYS_HOST, 0, 4, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_timer_gettime] = { "timer_gettime", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_timer_getoverrun] = { "timer_getoverrun", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_INT } },
  [__NR_timer_delete] = { "timer_delete", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_timerfd_create] = { "timerfd_create", SB_SYS_HOST, 0, 2, { SB_ARG_INT, SB_ARG_HEX } },
  [__NR_timerfd_settime] = { "timerfd_settime", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_timerfd_gettime] = { "timerfd_gettime", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_FD, SB_ARG_PTR } },

  /* --- event notification ---------------------------------------------------- */
  [__NR_poll] = { "poll", SB_SYS_HOST, 0, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_ppoll] = { "ppoll", SB_SYS_HOST, 0, 5, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_select] = { "select", SB_SYS_HOST, 0, 5, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_pselect6] = { "pselect6", SB_SYS_HOST, 0, 6, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_epoll_create] = { "epoll_create", SB_SYS_HOST, 0, 1, { SB_ARG_INT } },
  [__NR_epoll_create1] = { "epoll_create1", SB_SYS_HOST, 0, 1, { SB_ARG_HEX } },
  [__NR_epoll_ctl] = { "epoll_ctl", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_INT, SB_ARG_FD, SB_ARG_PTR } },
  [__NR_epoll_wait] = { "epoll_wait", SB_SYS_HOST, 0, 4, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_INT, SB_ARG_INT } },
  [__NR_epoll_pwait] = { "epoll_pwait", SB_SYS_HOST, 0, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_epoll_pwait2] = { "epoll_pwait2", SB_SYS_DENIED, ENOSYS, 6, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_eventfd] = { "eventfd", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_UINT } },
  [__NR_eventfd2] = { "eventfd2", SB_SYS_HOST, 0, 2, { SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_inotify_init] = { "inotify_init", SB_SYS_DENIED, ENOSYS, 0, { 0 } },
  [__NR_inotify_init1] = { "inotify_init1", SB_SYS_HOST, 0, 1, { SB_ARG_HEX } },
  [__NR_inotify_rm_watch] = { "inotify_rm_watch", SB_SYS_HOST, 0, 2, { SB_ARG_FD, SB_ARG_INT } },

  /* --- asynchronous I/O (the old AIO interface: compat only; io_uring is denied) */
  [__NR_io_setup] = { "io_setup", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_io_destroy] = { "io_destroy", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_HEX } },
  [__NR_io_getevents] = { "io_getevents", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_HEX, SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_io_submit] = { "io_submit", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_HEX, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_io_cancel] = { "io_cancel", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_HEX, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_io_pgetevents] = { "io_pgetevents", SB_SYS_DENIED, ENOSYS, 6, { SB_ARG_HEX, SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR } },

  /* --- System V and POSIX IPC (the IPC namespace is private; only shared
         memory in default, the rest compat only) ----------------------------- */
  [__NR_shmget] = { "shmget", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_shmat] = { "shmat", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_shmctl] = { "shmctl", SB_SYS_HOST, 0, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_shmdt] = { "shmdt", SB_SYS_HOST, 0, 1, { SB_ARG_PTR } },
  [__NR_semget] = { "semget", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_semop] = { "semop", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_semtimedop] = { "semtimedop", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_semctl] = { "semctl", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_INT, SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_msgget] = { "msgget", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_INT, SB_ARG_HEX } },
  [__NR_msgsnd] = { "msgsnd", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_msgrcv] = { "msgrcv", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_msgctl] = { "msgctl", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR } },
  /* mq names live in the namespace's own mqueue filesystem, not a path. */
  [__NR_mq_open] = { "mq_open", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_STR, SB_ARG_OPENFLAGS, SB_ARG_MODE, SB_ARG_PTR } },
  [__NR_mq_unlink] = { "mq_unlink", SB_SYS_DENIED, ENOSYS, 1, { SB_ARG_STR } },
  [__NR_mq_timedsend] = { "mq_timedsend", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_mq_timedreceive] = { "mq_timedreceive", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_mq_notify] = { "mq_notify", SB_SYS_DENIED, ENOSYS, 2, { SB_ARG_FD, SB_ARG_PTR } },
  [__NR_mq_getsetattr] = { "mq_getsetattr", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR } },

  /* ===== Denied: the kernel attack surface ==================================== */

  /* --- debugging and other processes' memory -------------------------------- */
  [__NR_ptrace] = { "ptrace", SB_SYS_DENIED, EPERM, 4, { SB_ARG_INT, SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_process_vm_readv] = { "process_vm_readv", SB_SYS_DENIED, EPERM, 6, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_process_vm_writev] = { "process_vm_writev", SB_SYS_DENIED, EPERM, 6, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [__NR_process_madvise] = { "process_madvise", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_process_mrelease] = { "process_mrelease", SB_SYS_DENIED, EPERM, 2, { SB_ARG_FD, SB_ARG_HEX } },
  [__NR_kcmp] = { "kcmp", SB_SYS_DENIED, EPERM, 5, { SB_ARG_INT, SB_ARG_INT, SB_ARG_INT, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_pidfd_getfd] = { "pidfd_getfd", SB_SYS_DENIED, EPERM, 3, { SB_ARG_FD, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_migrate_pages] = { "migrate_pages", SB_SYS_DENIED, EPERM, 4, { SB_ARG_INT, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_move_pages] = { "move_pages", SB_SYS_DENIED, EPERM, 6, { SB_ARG_INT, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_HEX } },

  /* --- kernel extensions: BPF, perf, io_uring, userfaultfd, keys ------------ */
  [__NR_bpf] = { "bpf", SB_SYS_DENIED, EPERM, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_perf_event_open] = { "perf_event_open", SB_SYS_DENIED, EPERM, 5, { SB_ARG_PTR, SB_ARG_INT, SB_ARG_INT, SB_ARG_FD, SB_ARG_HEX } },
  [__NR_userfaultfd] = { "userfaultfd", SB_SYS_DENIED, EPERM, 1, { SB_ARG_HEX } },
  [__NR_io_uring_setup] = { "io_uring_setup", SB_SYS_DENIED, EPERM, 2, { SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_io_uring_enter] = { "io_uring_enter", SB_SYS_DENIED, EPERM, 6, { SB_ARG_FD, SB_ARG_UINT, SB_ARG_UINT, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_io_uring_register] = { "io_uring_register", SB_SYS_DENIED, EPERM, 4, { SB_ARG_FD, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_add_key] = { "add_key", SB_SYS_DENIED, EPERM, 5, { SB_ARG_STR, SB_ARG_STR, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_request_key] = { "request_key", SB_SYS_DENIED, EPERM, 4, { SB_ARG_STR, SB_ARG_STR, SB_ARG_STR, SB_ARG_INT } },
  [__NR_keyctl] = { "keyctl", SB_SYS_DENIED, EPERM, 5, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_fanotify_init] = { "fanotify_init", SB_SYS_DENIED, EPERM, 2, { SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_fanotify_mark] = { "fanotify_mark", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_FD, SB_ARG_PATH } },
  [__NR_memfd_secret] = { "memfd_secret", SB_SYS_DENIED, EPERM, 1, { SB_ARG_HEX } },
  [459] = { "lsm_get_self_attr", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_UINT, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_HEX } },
  [460] = { "lsm_set_self_attr", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_UINT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [461] = { "lsm_list_modules", SB_SYS_DENIED, ENOSYS, 3, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_HEX } },

  /* --- modules and kexec ----------------------------------------------------- */
  [__NR_init_module] = { "init_module", SB_SYS_DENIED, EPERM, 3, { SB_ARG_PTR, SB_ARG_UINT, SB_ARG_STR } },
  [__NR_finit_module] = { "finit_module", SB_SYS_DENIED, EPERM, 3, { SB_ARG_FD, SB_ARG_STR, SB_ARG_HEX } },
  [__NR_delete_module] = { "delete_module", SB_SYS_DENIED, EPERM, 2, { SB_ARG_STR, SB_ARG_HEX } },
  [__NR_kexec_load] = { "kexec_load", SB_SYS_DENIED, EPERM, 4, { SB_ARG_HEX, SB_ARG_UINT, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_kexec_file_load] = { "kexec_file_load", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_FD, SB_ARG_UINT, SB_ARG_STR, SB_ARG_HEX } },

  /* --- namespaces, mounts and the root -------------------------------------- */
  [__NR_unshare] = { "unshare", SB_SYS_DENIED, EPERM, 1, { SB_ARG_HEX } },
  [__NR_setns] = { "setns", SB_SYS_DENIED, EPERM, 2, { SB_ARG_FD, SB_ARG_HEX } },
  [__NR_mount] = { "mount", SB_SYS_DENIED, EPERM, 5, { SB_ARG_PATH, SB_ARG_PATH, SB_ARG_STR, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_umount2] = { "umount2", SB_SYS_DENIED, EPERM, 2, { SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_pivot_root] = { "pivot_root", SB_SYS_DENIED, EPERM, 2, { SB_ARG_PATH, SB_ARG_PATH } },
  [__NR_chroot] = { "chroot", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PATH } },
  [__NR_open_tree] = { "open_tree", SB_SYS_DENIED, EPERM, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_move_mount] = { "move_mount", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_fsopen] = { "fsopen", SB_SYS_DENIED, EPERM, 2, { SB_ARG_STR, SB_ARG_HEX } },
  [__NR_fsconfig] = { "fsconfig", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_UINT, SB_ARG_STR, SB_ARG_PTR, SB_ARG_INT } },
  [__NR_fsmount] = { "fsmount", SB_SYS_DENIED, EPERM, 3, { SB_ARG_FD, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_fspick] = { "fspick", SB_SYS_DENIED, EPERM, 3, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_mount_setattr] = { "mount_setattr", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_UINT } },
  /* Newer than the release the sandbox reports (6.1): ENOSYS, what that
     kernel answers, so programs take their fallback (libmount reads
     /proc/self/mountinfo, which the Sentry cleans); so for every call
     after 6.1 that is refused (tests/unit/test_syscall_table.c). */
  [457] = { "statmount", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [458] = { "listmount", SB_SYS_DENIED, ENOSYS, 4, { SB_ARG_PTR, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [467] = { "open_tree_attr", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_HEX, SB_ARG_PTR, SB_ARG_UINT } },

  /* --- file handles and inode attributes that bypass path checks ------------ */
  [__NR_name_to_handle_at] = { "name_to_handle_at", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_HEX } },
  [__NR_open_by_handle_at] = { "open_by_handle_at", SB_SYS_DENIED, EPERM, 3, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_OPENFLAGS } },
  [468] = { "file_getattr", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },
  [469] = { "file_setattr", SB_SYS_DENIED, ENOSYS, 5, { SB_ARG_FD, SB_ARG_PATH, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_HEX } },

  /* --- host-wide administration: power, swap, accounting, quotas, names ---- */
  [__NR_reboot] = { "reboot", SB_SYS_DENIED, EPERM, 4, { SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_PTR } },
  [__NR_swapon] = { "swapon", SB_SYS_DENIED, EPERM, 2, { SB_ARG_PATH, SB_ARG_HEX } },
  [__NR_swapoff] = { "swapoff", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PATH } },
  [__NR_acct] = { "acct", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PATH } },
  [__NR_quotactl] = { "quotactl", SB_SYS_DENIED, EPERM, 4, { SB_ARG_HEX, SB_ARG_PATH, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_quotactl_fd] = { "quotactl_fd", SB_SYS_DENIED, EPERM, 4, { SB_ARG_FD, SB_ARG_HEX, SB_ARG_INT, SB_ARG_PTR } },
  [__NR_sethostname] = { "sethostname", SB_SYS_DENIED, EPERM, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_setdomainname] = { "setdomainname", SB_SYS_DENIED, EPERM, 2, { SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_syslog] = { "syslog", SB_SYS_DENIED, EPERM, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_INT } },
  [__NR_vhangup] = { "vhangup", SB_SYS_DENIED, EPERM, 0, { 0 } },
  [__NR_lookup_dcookie] = { "lookup_dcookie", SB_SYS_DENIED, EPERM, 3, { SB_ARG_HEX, SB_ARG_PTR, SB_ARG_UINT } },
  /* ustat(2): the Sentry answers for the filesystems the app has mounted,
     never for another of the host's (sentry/sys_file.c). */
  [__NR_ustat] = { "ustat", SB_SYS_SENTRY, 0, 2, { SB_ARG_HEX, SB_ARG_PTR } },
  /* sysfs(2) (the kernel's list of filesystem types: /proc/filesystems as a
     call): the Sentry answers from that list (sys_info.c). */
  [__NR_sysfs] = { "sysfs", SB_SYS_SENTRY, 0, 3, { SB_ARG_INT, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR__sysctl] = { "_sysctl", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PTR } },
  [__NR_uselib] = { "uselib", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PATH } },

  /* --- host clocks: never set (EPERM, audited), but the Sentry checks the
         arguments first as the kernel does, and answers reads of the clock's
         discipline (adjtimex with no mode) itself (sentry/sys_time.c) ------- */
  [__NR_settimeofday] = { "settimeofday", SB_SYS_SENTRY, 0, 2, { SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_clock_settime] = { "clock_settime", SB_SYS_SENTRY, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },
  [__NR_adjtimex] = { "adjtimex", SB_SYS_SENTRY, 0, 1, { SB_ARG_PTR } },
  [__NR_clock_adjtime] = { "clock_adjtime", SB_SYS_SENTRY, 0, 2, { SB_ARG_INT, SB_ARG_PTR } },

  /* --- raw hardware and x86 segment state (set/get_thread_area are the
         32-bit TLS calls; 64-bit code uses arch_prctl) ------------------- */
  [__NR_iopl] = { "iopl", SB_SYS_DENIED, EPERM, 1, { SB_ARG_UINT } },
  [__NR_ioperm] = { "ioperm", SB_SYS_DENIED, EPERM, 3, { SB_ARG_HEX, SB_ARG_UINT, SB_ARG_INT } },
  [__NR_modify_ldt] = { "modify_ldt", SB_SYS_DENIED, EPERM, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT } },
  [__NR_set_thread_area] = { "set_thread_area", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PTR } },
  [__NR_get_thread_area] = { "get_thread_area", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PTR } },

  /* --- slots with no implementation in the 64-bit kernel -------------------- */
  [__NR_create_module] = { "create_module", SB_SYS_DENIED, EPERM, 2, { SB_ARG_STR, SB_ARG_UINT } },
  [__NR_get_kernel_syms] = { "get_kernel_syms", SB_SYS_DENIED, EPERM, 1, { SB_ARG_PTR } },
  [__NR_query_module] = { "query_module", SB_SYS_DENIED, EPERM, 5, { SB_ARG_STR, SB_ARG_INT, SB_ARG_PTR, SB_ARG_UINT, SB_ARG_PTR } },
  [__NR_nfsservctl] = { "nfsservctl", SB_SYS_DENIED, EPERM, 3, { SB_ARG_INT, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_getpmsg] = { "getpmsg", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_PTR } },
  [__NR_putpmsg] = { "putpmsg", SB_SYS_DENIED, EPERM, 5, { SB_ARG_FD, SB_ARG_PTR, SB_ARG_PTR, SB_ARG_INT, SB_ARG_HEX } },
  [__NR_afs_syscall] = { "afs_syscall", SB_SYS_DENIED, EPERM, 5, { SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_tuxcall] = { "tuxcall", SB_SYS_DENIED, EPERM, 3, { SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_security] = { "security", SB_SYS_DENIED, EPERM, 3, { SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_vserver] = { "vserver", SB_SYS_DENIED, EPERM, 5, { SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_epoll_ctl_old] = { "epoll_ctl_old", SB_SYS_DENIED, EPERM, 4, { SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
  [__NR_epoll_wait_old] = { "epoll_wait_old", SB_SYS_DENIED, EPERM, 4, { SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX, SB_ARG_HEX } },
};

const struct sb_syscall *
sb_syscall_lookup (long nr)
{
  if (nr < 0 || nr >= SB_SYSCALL_NR_MAX)
    return NULL;
  if (sb_syscall_table[nr].name == NULL)
    return NULL;
  return &sb_syscall_table[nr];
}

enum sb_sys_class
sb_syscall_class (long nr)
{
  const struct sb_syscall *sc = sb_syscall_lookup (nr);

  return sc != NULL ? sc->cls : SB_SYS_UNKNOWN;
}

long
sb_syscall_by_name (const char *name)
{
  long nr;

  if (name == NULL)
    return -1;
  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    if (sb_syscall_table[nr].name != NULL
        && strcmp (sb_syscall_table[nr].name, name) == 0)
      return nr;
  return -1;
}

const char *
sb_syscall_class_name (enum sb_sys_class cls)
{
  switch (cls)
    {
    case SB_SYS_UNKNOWN:
      return "unknown";
    case SB_SYS_HOST:
      return "host";
    case SB_SYS_HOST_CHECKED:
      return "host_checked";
    case SB_SYS_SENTRY:
      return "sentry";
    case SB_SYS_DENIED:
      return "denied";
    }
  return "invalid";
}
