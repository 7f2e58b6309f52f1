#include "userns.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The throwaway child: takes the tenant's base id, makes the namespace
   (which it therefore owns), and waits until the parent has mapped and
   opened it. */
__attribute__ ((noreturn)) static void
userns_child (const struct sb_idmap *m, int sock)
{
  struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };
  char status = 'U', byte;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* The namespace remembers its creator's RLIMIT_NPROC as the tenant's
     ceiling above it; the pids cgroup is what limits processes. */
  setrlimit (RLIMIT_NPROC, &inf);
  if (setgroups (0, NULL) < 0 || setresgid (m->host, m->host, m->host) < 0
      || setresuid (m->host, m->host, m->host) < 0)
    status = 'I';
  else if (unshare (CLONE_NEWUSER) < 0)
    status = errno == EPERM || errno == ENOSPC ? 'P' : 'N';
  if (write (sock, &status, 1) != 1)
    _exit (1);
  while (read (sock, &byte, 1) > 0)
    ;
  _exit (0);
}

static int
write_map (int procfd, pid_t pid, const char *file, const char *map, sb_error_t *err)
{
  char path[64];
  cleanup_close int fd = -1;
  int ret;

  snprintf (path, sizeof (path), "%d/%s", pid, file);
  fd = openat (procfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sb_error (err, errno, "open %s of the user namespace", file);
  ret = sb_write_all (fd, map, strlen (map));
  if (ret < 0)
    return sb_error (err, -ret, "write %s `%s`", file, map);
  return 0;
}

int
sb_userns_create (const struct sb_idmap *m, int procfd, sb_error_t *err)
{
  cleanup_close int sock = -1;
  char map[64], path[64], status = 0;
  int sv[2], fd = -1;
  pid_t pid;

  if (m->count == 0 || (uint64_t) m->host + m->count - 1 > 4294967294ull || m->host == 0)
    return sb_error (err, EINVAL, "id map %u:%u", m->host, m->count);
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return sb_error (err, errno, "socketpair");
  pid = fork ();
  if (pid < 0)
    {
      close (sv[0]);
      close (sv[1]);
      return sb_error (err, errno, "fork");
    }
  if (pid == 0)
    {
      close (sv[0]);
      userns_child (m, sv[1]);
    }
  close (sv[1]);
  sock = sv[0];
  if (read (sock, &status, 1) != 1)
    status = 0;
  if (status != 'U')
    {
      waitpid (pid, NULL, 0);
      switch (status)
        {
        case 'I':
          return sb_error (err, EPERM, "take the tenant's host ids %u", m->host);
        case 'P':
          return sb_error (err, EPERM, "create a user namespace: refused by the kernel "
                           "(user.max_user_namespaces, or a security module, forbids it; "
                           "the sandbox never runs the app as host root instead)");
        default:
          return sb_error (err, ENOSYS, "create a user namespace: this kernel has none "
                           "(CONFIG_USER_NS; the sandbox never runs the app as host root instead)");
        }
    }
  snprintf (map, sizeof (map), "0 %u %u\n", m->host, m->count);
  if (write_map (procfd, pid, "uid_map", map, err) == 0
      && write_map (procfd, pid, "gid_map", map, err) == 0)
    {
      snprintf (path, sizeof (path), "%d/ns/user", pid);
      fd = openat (procfd, path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        sb_error (err, errno, "open the user namespace");
    }
  close (sock);
  sock = -1;
  waitpid (pid, NULL, 0);
  return fd;
}

int
sb_mount_attach (int tree, const char *dst, sb_error_t *err)
{
  if (syscall (SYS_move_mount, tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return sb_error (err, errno, "attach a mount at `%s`", dst);
  return 0;
}

int
sb_mount_attach_fd (int tree, int dstfd, sb_error_t *err)
{
  if (syscall (SYS_move_mount, tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return sb_error (err, errno, "attach a mount");
  return 0;
}
