/* compat_probe: what Linux programs expect of sockets, credentials, O_PATH,
   /proc and errors, one case a line. Run by tests/integration/test-compat.sh
   twice: on the host kernel (in a user and pid namespace of its own, without
   CAP_SYS_ADMIN, as a container's root is) and in a sandbox; the test
   compares the two. Each case prints "NAME RESULT" where RESULT is "ok", an
   errno name or a short value that does not depend on the machine; the
   program never decides pass or fail itself.

   compat_probe [CASE...]   the named cases, or all of them, in a scratch
                            directory under $TMPDIR (default /tmp)
   compat_probe --native FIRST_ID [CASE...]
                            the same on the host kernel, as a container's
                            root: in new user (ids 0..65535 = host ids
                            FIRST_ID...), pid and mount namespaces, with a
                            procfs of its own and Docker's capabilities */
/* Results a case does not need are ignored on purpose. */
#pragma GCC diagnostic ignored "-Wunused-result"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <linux/random.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char scratch[256];

static const char *
ename (int e)
{
  const char *n = strerrorname_np (e);
  return n ? n : "E?";
}

/* "ok" for ret >= 0, else errno's name. */
static const char *
res (long ret)
{
  return ret < 0 ? ename (errno) : "ok";
}

static void
out (const char *name, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
out (const char *name, const char *fmt, ...)
{
  va_list ap;
  printf ("%s ", name);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
}

static void
sp (char *buf, size_t len, const char *name)
{
  snprintf (buf, len, "%s/%s", scratch, name);
}

/* ---- sockets ---------------------------------------------------------------- */

static void
case_socketpair_inet (void)
{
  int sv[2];
  out ("socketpair-inet", "%s", res (socketpair (AF_INET, SOCK_STREAM, 0, sv)));
  out ("socketpair-inet6-dgram", "%s", res (socketpair (AF_INET6, SOCK_DGRAM, 0, sv)));
}

/* sendmsg of one datagram of n bytes: the count sent and received, or the error. */
static void
big_datagram (const char *name, int type, size_t n)
{
  int sv[2], big = 4 << 20;
  struct iovec iov;
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
  char *buf = malloc (n);
  ssize_t s, r = -2;

  if (socketpair (AF_UNIX, type, 0, sv) < 0)
    {
      out (name, "socketpair %s", ename (errno));
      return;
    }
  setsockopt (sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof (big));
  setsockopt (sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof (big));
  memset (buf, 'x', n);
  iov.iov_base = buf;
  iov.iov_len = n;
  s = sendmsg (sv[0], &m, MSG_DONTWAIT);
  if (s < 0)
    {
      out (name, "%s", ename (errno));
      goto done;
    }
  r = recv (sv[1], buf, n, MSG_DONTWAIT);
  out (name, "%s", (size_t) s == n && (size_t) r == n ? "whole" : "partial");
done:
  close (sv[0]);
  close (sv[1]);
  free (buf);
}

static void
case_unix_whole (void)
{
  big_datagram ("unix-dgram-300k", SOCK_DGRAM, 300000);
  big_datagram ("unix-seqpacket-300k", SOCK_SEQPACKET, 300000);
  big_datagram ("unix-dgram-8m", SOCK_DGRAM, 8 << 20);
}

static socklen_t
unix_addr (struct sockaddr_un *sun, const char *path)
{
  memset (sun, 0, sizeof (*sun));
  sun->sun_family = AF_UNIX;
  snprintf (sun->sun_path, sizeof (sun->sun_path), "%s", path);
  return offsetof (struct sockaddr_un, sun_path) + strlen (path) + 1;
}

/* Does the address a call reported name the path it was bound to? */
static const char *
same_addr (const struct sockaddr_un *got, socklen_t len, const char *path)
{
  static char why[64];
  if (len != offsetof (struct sockaddr_un, sun_path) + strlen (path) + 1)
    {
      snprintf (why, sizeof (why), "length-differs");
      return why;
    }
  return strcmp (got->sun_path, path) == 0 ? "ok" : "path-differs";
}

static void
case_unix_names (void)
{
  char path[256], rel[64];
  struct sockaddr_un sun, got;
  socklen_t len, glen;
  struct stat st;
  int l, cl, a;
  mode_t old;

  sp (path, sizeof (path), "names.sock");
  len = unix_addr (&sun, path);
  l = socket (AF_UNIX, SOCK_STREAM, 0);
  old = umask (027);
  if (bind (l, (struct sockaddr *) &sun, len) < 0)
    {
      out ("unix-bind", "%s", ename (errno));
      umask (old);
      return;
    }
  umask (old);
  listen (l, 4);
  glen = sizeof (got);
  getsockname (l, (struct sockaddr *) &got, &glen);
  out ("unix-getsockname", "%s", same_addr (&got, glen, path));
  out ("unix-bind-umask", "%s",
       stat (path, &st) < 0 ? ename (errno) : (st.st_mode & 0777) == 0750 ? "ok" : "mode-differs");
  cl = socket (AF_UNIX, SOCK_STREAM, 0);
  if (connect (cl, (struct sockaddr *) &sun, len) < 0)
    out ("unix-connect", "%s", ename (errno));
  glen = sizeof (got);
  getpeername (cl, (struct sockaddr *) &got, &glen);
  out ("unix-getpeername", "%s", same_addr (&got, glen, path));
  a = accept (l, NULL, NULL);
  glen = sizeof (got);
  getsockname (a, (struct sockaddr *) &got, &glen);
  out ("unix-accepted-getsockname", "%s", same_addr (&got, glen, path));
  /* sendto with an address on a connected stream: EISCONN, whatever the address names. */
  unix_addr (&sun, "/nonexistent/x.sock");
  out ("unix-stream-sendto-connected", "%s",
       res (sendto (cl, "x", 1, 0, (struct sockaddr *) &sun, len)));
  close (a);
  close (cl);
  close (l);

  /* A relative name is kept as written. */
  if (chdir (scratch) == 0)
    {
      snprintf (rel, sizeof (rel), "rel.sock");
      len = unix_addr (&sun, rel);
      l = socket (AF_UNIX, SOCK_DGRAM, 0);
      if (bind (l, (struct sockaddr *) &sun, len) < 0)
        out ("unix-bind-relative", "%s", ename (errno));
      else
        {
          glen = sizeof (got);
          getsockname (l, (struct sockaddr *) &got, &glen);
          out ("unix-bind-relative", "%s", same_addr (&got, glen, rel));
        }
      close (l);
      chdir ("/");
    }

  /* Through the caller's /proc/self links: a bind (the name kept, where
     Linux keeps it), and a connect to it. */
  {
    static const char *const via[] = { "cwd", "fd", "dev-fd" };
    int d = open (scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (chdir (scratch) < 0)
      return;
    for (size_t i = 0; i < sizeof (via) / sizeof (via[0]); i++)
      {
        char name[64], p[128];
        if (i == 0)
          snprintf (p, sizeof (p), "/proc/self/cwd/via-%zu.sock", i);
        else
          snprintf (p, sizeof (p), "%s/%d/via-%zu.sock", i == 1 ? "/proc/self/fd" : "/dev/fd", d, i);
        len = unix_addr (&sun, p);
        l = socket (AF_UNIX, SOCK_STREAM, 0);
        snprintf (name, sizeof (name), "unix-bind-proc-%s", via[i]);
        if (bind (l, (struct sockaddr *) &sun, len) < 0 || listen (l, 1) < 0)
          out (name, "%s", ename (errno));
        else
          {
            struct stat a1, a2;
            const char *same;
            glen = sizeof (got);
            memset (&got, 0, sizeof (got));
            getsockname (l, (struct sockaddr *) &got, &glen);
            same = same_addr (&got, glen, p);
            /* Not the name bound, but the path of the same socket file. */
            if (strcmp (same, "ok") != 0 && got.sun_path[0] == '/' && stat (got.sun_path, &a1) == 0
                && stat (p, &a2) == 0 && a1.st_ino == a2.st_ino && a1.st_dev == a2.st_dev)
              same = "named-where-it-leads";
            out (name, "%s", same);
            cl = socket (AF_UNIX, SOCK_STREAM, 0);
            snprintf (name, sizeof (name), "unix-connect-proc-%s", via[i]);
            out (name, "%s", res (connect (cl, (struct sockaddr *) &sun, len)));
            close (cl);
          }
        close (l);
      }
    close (d);
    chdir ("/");
  }
}

static void
case_unix_seqpacket_sendto (void)
{
  char path[256];
  struct sockaddr_un sun, other;
  socklen_t len, olen;
  int l, cl, a;
  char b[8];

  sp (path, sizeof (path), "seq.sock");
  len = unix_addr (&sun, path);
  l = socket (AF_UNIX, SOCK_SEQPACKET, 0);
  if (bind (l, (struct sockaddr *) &sun, len) < 0 || listen (l, 4) < 0)
    {
      out ("unix-seqpacket-sendto-connected", "setup %s", ename (errno));
      return;
    }
  cl = socket (AF_UNIX, SOCK_SEQPACKET, 0);
  connect (cl, (struct sockaddr *) &sun, len);
  a = accept (l, NULL, NULL);
  olen = unix_addr (&other, "/nonexistent/y.sock");
  if (sendto (cl, "hi", 2, 0, (struct sockaddr *) &other, olen) < 0)
    out ("unix-seqpacket-sendto-connected", "%s", ename (errno));
  else
    out ("unix-seqpacket-sendto-connected", "%s", recv (a, b, sizeof (b), MSG_DONTWAIT) == 2 ? "ok" : "lost");
  close (a);
  close (cl);
  close (l);
}

static int
has_cap (int cap)
{
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  if (syscall (SYS_capget, &h, d) < 0)
    return 0;
  return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/* Sends "c" with SCM_CREDENTIALS (pid, uid, gid) over a Unix stream pair
   whose receiver has SO_PASSCRED; *seen: what the receiver read. */
static long
send_creds (pid_t pid, uid_t uid, gid_t gid, struct ucred *seen)
{
  int sv[2], on = 1;
  struct ucred uc = { pid, uid, gid };
  char cbuf[CMSG_SPACE (sizeof (uc))], rbuf[CMSG_SPACE (sizeof (uc))], b;
  struct iovec iov = { "c", 1 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof (cbuf) };
  struct cmsghdr *cm;
  long ret;

  memset (seen, 0, sizeof (*seen));
  socketpair (AF_UNIX, SOCK_STREAM, 0, sv);
  setsockopt (sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof (on));
  memset (cbuf, 0, sizeof (cbuf));
  cm = CMSG_FIRSTHDR (&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_CREDENTIALS;
  cm->cmsg_len = CMSG_LEN (sizeof (uc));
  memcpy (CMSG_DATA (cm), &uc, sizeof (uc));
  if (pid == 0)
    {
      m.msg_control = NULL; /* none: the kernel fills in the sender's own */
      m.msg_controllen = 0;
    }
  /* pid -1: a plain write, -2: send without an address; both run on the
     host kernel. */
  ret = pid == (pid_t) -1   ? write (sv[0], "c", 1)
        : pid == (pid_t) -2 ? send (sv[0], "c", 1, 0)
                            : sendmsg (sv[0], &m, 0);
  if (ret >= 0)
    {
      struct iovec riov = { &b, 1 };
      struct msghdr r = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rbuf, .msg_controllen = sizeof (rbuf) };
      if (recvmsg (sv[1], &r, MSG_DONTWAIT) == 1)
        for (cm = CMSG_FIRSTHDR (&r); cm; cm = CMSG_NXTHDR (&r, cm))
          if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS)
            memcpy (seen, CMSG_DATA (cm), sizeof (*seen));
    }
  else
    ret = -errno;
  close (sv[0]);
  close (sv[1]);
  if (ret < 0)
    errno = (int) -ret;
  return ret;
}

/* What a receiver with SO_PASSCRED saw of a send by this process. */
static const char *
seen_as (const struct ucred *seen)
{
  if (seen->uid != getuid () || seen->gid != getgid ())
    return "receiver-sees-other";
  return seen->pid == getpid () ? "ok" : seen->pid == 0 ? "receiver-sees-pid-0" : "receiver-sees-other";
}

static void
case_scm_credentials (void)
{
  struct ucred seen;
  long r;

  r = send_creds (getpid (), getuid (), getgid (), &seen);
  out ("scm-credentials-own", "%s", r < 0 ? ename (errno) : seen_as (&seen));
  r = send_creds (getpid () + 1000, getuid (), getgid (), &seen);
  /* Without CAP_SYS_ADMIN over the pid namespace a lie about the pid fails. */
  out ("scm-credentials-lie-pid", "%s", r < 0 ? ename (errno) : has_cap (CAP_SYS_ADMIN) ? "EPERM" : "accepted");
  /* Ids the user namespace does not map: EINVAL, before the pid is looked at. */
  r = send_creds (getpid () + 1000, getuid (), 70000000, &seen);
  out ("scm-credentials-unmapped", "%s", r < 0 ? ename (errno) : "accepted");
  /* Root with CAP_SETUID may name another uid of its namespace. */
  r = send_creds (getpid (), 5, getgid (), &seen);
  out ("scm-credentials-other-uid", "%s", r < 0 ? ename (errno) : seen.uid == 5 ? "sent" : "receiver-sees-other");
  r = send_creds (0, 0, 0, &seen);
  out ("passcred-implicit", "%s", r < 0 ? ename (errno) : seen_as (&seen));
  r = send_creds ((pid_t) -1, 0, 0, &seen);
  out ("passcred-write", "%s", r < 0 ? ename (errno) : seen_as (&seen));
  r = send_creds ((pid_t) -2, 0, 0, &seen);
  out ("passcred-send", "%s", r < 0 ? ename (errno) : seen_as (&seen));
  /* A child that dropped to uid 1000 claims uid 0: EPERM. */
  pid_t ch = fork ();
  if (ch == 0)
    {
      if (setresgid (1000, 1000, 1000) < 0 || setresuid (1000, 1000, 1000) < 0)
        _exit (3);
      r = send_creds (getpid (), 0, 1000, &seen);
      _exit (r < 0 && errno == EPERM ? 0 : r < 0 ? 1 : 2);
    }
  int st = 0;
  waitpid (ch, &st, 0);
  out ("scm-credentials-lie-uid", "%s",
       WEXITSTATUS (st) == 0 ? "EPERM" : WEXITSTATUS (st) == 2 ? "accepted" : "other");
}

static void *
pass_twice_thread (void *arg)
{
  int *sv = arg;
  int s = socket (AF_INET, SOCK_STREAM, 0);
  char cbuf[CMSG_SPACE (2 * sizeof (int))];
  struct iovec iov = { "p", 1 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof (cbuf) };
  struct cmsghdr *cm = CMSG_FIRSTHDR (&m);
  int fds[2] = { s, s };
  long r;

  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (fds));
  memcpy (CMSG_DATA (cm), fds, sizeof (fds));
  r = sendmsg (sv[0], &m, 0);
  if (r >= 0)
    r = sendmsg (sv[0], &m, 0);
  sv[2] = r < 0 ? errno : 0;
  close (s);
  return NULL;
}

static void
case_scm_rights_twice (void)
{
  int sv[3];
  pthread_t t;
  struct timespec dl;

  socketpair (AF_UNIX, SOCK_STREAM, 0, sv);
  sv[2] = -1;
  pthread_create (&t, NULL, pass_twice_thread, sv);
  clock_gettime (CLOCK_REALTIME, &dl);
  dl.tv_sec += 5;
  if (pthread_timedjoin_np (t, NULL, &dl) != 0)
    {
      out ("scm-rights-socket-twice", "hangs");
      return;
    }
  out ("scm-rights-socket-twice", "%s", sv[2] == 0 ? "ok" : ename (sv[2]));
  close (sv[0]);
  close (sv[1]);
}

static void
case_sockopts (void)
{
  int s = socket (AF_INET, SOCK_STREAM, 0);
  char cc[32] = "";
  socklen_t l = sizeof (cc);
  /* a classic BPF program that accepts everything */
  struct
  {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
  } ins[1] = { { 0x06, 0, 0, 0xffffffff } };
  struct
  {
    unsigned short len;
    void *filter;
  } prog = { 1, ins };

  out ("tcp-congestion-get", "%s", res (getsockopt (s, IPPROTO_TCP, 13 /* TCP_CONGESTION */, cc, &l)));
  out ("tcp-congestion-set", "%s", res (setsockopt (s, IPPROTO_TCP, 13, cc, strlen (cc))));
  out ("so-attach-filter", "%s", res (setsockopt (s, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof (prog))));
  out ("so-detach-filter", "%s", res (setsockopt (s, SOL_SOCKET, SO_DETACH_FILTER, &prog, sizeof (prog))));
  close (s);
}

/* ---- O_PATH ------------------------------------------------------------------ */

static void
case_o_path (void)
{
  char path[256], b[4];
  struct stat st;
  int fd, fl;

  sp (path, sizeof (path), "opath.txt");
  fd = open (path, O_CREAT | O_WRONLY, 0644);
  write (fd, "data", 4);
  close (fd);
  fd = open (path, O_PATH);
  if (fd < 0)
    {
      out ("o-path-open", "%s", ename (errno));
      return;
    }
  out ("o-path-read", "%s", res (read (fd, b, sizeof (b))));
  fl = fcntl (fd, F_GETFL);
  out ("o-path-getfl", "%s", fl >= 0 && (fl & O_PATH) ? "ok" : "no-O_PATH");
  out ("o-path-fchmod", "%s", res (fchmod (fd, 0600)));
  out ("o-path-mmap", "%s", mmap (NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? ename (errno) : "mapped");
  out ("o-path-fstat", "%s", fstat (fd, &st) == 0 && st.st_size == 4 ? "ok" : "bad");
  close (fd);
  /* A symlink itself, with O_NOFOLLOW. */
  sp (path, sizeof (path), "opath.link");
  symlink ("opath.txt", path);
  fd = open (path, O_PATH | O_NOFOLLOW);
  out ("o-path-symlink", "%s", fd < 0 ? ename (errno) : fstat (fd, &st) == 0 && S_ISLNK (st.st_mode) ? "ok" : "not-a-link");
  if (fd >= 0)
    close (fd);
  /* A directory that may be searched but not read. */
  sp (path, sizeof (path), "opath.dir");
  mkdir (path, 0755);
  fd = open (path, O_PATH | O_DIRECTORY);
  out ("o-path-dir", "%s", res (fd));
  if (fd >= 0)
    {
      out ("o-path-dir-openat", "%s", res (close (openat (fd, ".", O_RDONLY))));
      close (fd);
    }
}

/* ---- /proc ------------------------------------------------------------------- */

static void
case_proc_links (void)
{
  char path[512], b[256];
  struct stat st;
  int fd, d;
  DIR *dir;

  if (chdir (scratch) < 0)
    return;
  fd = open ("cwdfile", O_CREAT | O_WRONLY, 0644);
  close (fd);
  out ("proc-self-cwd-stat", "%s", res (stat ("/proc/self/cwd", &st)));
  out ("proc-self-cwd-file", "%s", res (stat ("/proc/self/cwd/cwdfile", &st)));
  dir = opendir ("/proc/self/cwd/");
  out ("proc-self-cwd-opendir", "%s", dir ? "ok" : ename (errno));
  if (dir)
    closedir (dir);
  fd = open ("/proc/self/cwd/cwdfile", O_RDONLY);
  out ("proc-self-cwd-open", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  out ("proc-self-cwd-access", "%s", res (access ("/proc/self/cwd/cwdfile", R_OK)));
  d = open (scratch, O_RDONLY | O_DIRECTORY);
  snprintf (path, sizeof (path), "/proc/self/fd/%d/cwdfile", d);
  out ("proc-self-fd-dir-stat", "%s", res (stat (path, &st)));
  fd = open (path, O_RDONLY);
  out ("proc-self-fd-dir-open", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  snprintf (path, sizeof (path), "/proc/self/fd/%d", d);
  out ("proc-self-fd-stat", "%s", stat (path, &st) == 0 && S_ISDIR (st.st_mode) ? "ok" : ename (errno));
  snprintf (path, sizeof (path), "/proc/%d/fd/%d/cwdfile", getpid (), d);
  out ("proc-pid-fd-dir-stat", "%s", res (stat (path, &st)));
  close (d);
  out ("proc-self-ns-stat", "%s", res (stat ("/proc/self/ns/net", &st)));
  ssize_t n = readlink ("/proc/self/ns/net", b, sizeof (b) - 1);
  out ("proc-self-ns-readlink", "%s", n < 0 ? ename (errno) : strncmp (b, "net:[", 5) == 0 ? "ok" : "bad");
  fd = open ("/proc/self/ns/net", O_RDONLY);
  out ("proc-self-ns-open", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  {
    /* Another process's namespace links: stat follows them when the
       caller may ptrace-read it (gdb compares its mount namespace with its
       inferior's); a process that is not dumpable is out of reach without
       CAP_SYS_PTRACE. */
    struct stat mine, its;
    int go[2], st2 = 0;
    pipe (go);
    for (int undumpable = 0; undumpable < 2; undumpable++)
      {
        pid_t ch = fork ();
        char c1;
        if (ch == 0)
          {
            if (undumpable)
              prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
            write (go[1], "r", 1);
            pause ();
            _exit (0);
          }
        read (go[0], &c1, 1);
        snprintf (path, sizeof (path), "/proc/%d/ns/mnt", ch);
        stat ("/proc/self/ns/mnt", &mine);
        int r = stat (path, &its);
        out (undumpable ? "proc-other-ns-stat-undumpable" : "proc-other-ns-stat", "%s",
             r < 0 ? ename (errno) : (its.st_ino == mine.st_ino && its.st_dev == mine.st_dev) ? "same" : "differs");
        snprintf (path, sizeof (path), "/proc/%d/task/%d/ns/pid", ch, ch);
        stat ("/proc/self/ns/pid", &mine);
        r = stat (path, &its);
        out (undumpable ? "proc-other-task-ns-stat-undumpable" : "proc-other-task-ns-stat", "%s",
             r < 0 ? ename (errno) : its.st_ino == mine.st_ino ? "same" : "differs");
        kill (ch, SIGKILL);
        waitpid (ch, &st2, 0);
      }
    close (go[0]);
    close (go[1]);
  }
  fd = open ("/proc/self/mounts", O_RDONLY);
  out ("proc-self-mounts", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  /* /etc/mtab: a symlink into /proc/self (the test makes it in the scratch directory too). */
  symlink ("/proc/self/mounts", "mtab");
  fd = open ("mtab", O_RDONLY);
  out ("symlink-into-proc-self", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  symlink ("../proc/self/mounts", "mtab-rel");
  out ("symlink-into-proc-self-stat", "%s", res (stat ("mtab", &st)));
  chdir ("/");
}

/* Another process's magic links (cwd, root, fd/N, task/<tid>/cwd): Linux
   follows them when the caller may ptrace-read the target (same ids, or
   CAP_SYS_PTRACE over it, which a container's root lacks). */
static void
case_proc_other_links (void)
{
  char path[512], dir[300], file[320], got[128];
  int ready[2], uready[2], done[2], rp[2], afd = -1, ffd = -1, sfd = -1, fd;
  struct stat st, st2;
  pid_t a, b, u;
  char x;

  snprintf (dir, sizeof (dir), "%s/other", scratch);
  snprintf (file, sizeof (file), "%s/ofile", dir);
  mkdir (dir, 0755);
  close (open (file, O_CREAT | O_WRONLY, 0644));
  if (pipe (ready) < 0 || pipe (uready) < 0 || pipe (done) < 0 || pipe (rp) < 0)
    return;
  a = fork ();
  if (a == 0)
    {
      int fds[3] = { open (dir, O_RDONLY | O_DIRECTORY), open (file, O_RDWR),
                     socket (AF_UNIX, SOCK_STREAM, 0) };
      close (done[1]);
      if (chdir (dir) < 0)
        _exit (1);
      write (ready[1], fds, sizeof (fds));
      read (done[0], &x, 1);
      _exit (0);
    }
  /* A uid 1000 process (undumpable after its id change) in the same place. */
  u = fork ();
  if (u == 0)
    {
      close (done[1]);
      if (chdir (dir) < 0 || setresgid (1000, 1000, 1000) < 0 || setresuid (1000, 1000, 1000) < 0)
        _exit (1);
      write (uready[1], "u", 1);
      read (done[0], &x, 1);
      _exit (0);
    }
  {
    int fds[3] = { -1, -1, -1 };
    read (ready[0], fds, sizeof (fds));
    afd = fds[0];
    ffd = fds[1];
    sfd = fds[2];
  }
  read (uready[0], &x, 1);
  snprintf (path, sizeof (path), "/proc/%d/cwd/ofile", a);
  out ("proc-other-cwd-file", "%s", res (stat (path, &st)));
  fd = open (path, O_RDONLY);
  out ("proc-other-cwd-open", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  snprintf (path, sizeof (path), "/proc/%d/cwd", a);
  out ("proc-other-cwd-stat", "%s",
       stat (path, &st) < 0 ? ename (errno)
       : stat (dir, &st2) == 0 && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev ? "ok" : "other");
  out ("proc-other-cwd-lstat", "%s",
       lstat (path, &st) < 0 ? ename (errno) : S_ISLNK (st.st_mode) ? "ok" : "not-a-link");
  snprintf (path, sizeof (path), "/proc/%d/root/", a);
  out ("proc-other-root-stat", "%s",
       stat (path, &st) < 0 ? ename (errno)
       : stat ("/", &st2) == 0 && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev ? "ok" : "other");
  snprintf (path, sizeof (path), "/proc/%d/root/etc/passwd", a);
  out ("proc-other-root-file", "%s", res (stat (path, &st)));
  snprintf (path, sizeof (path), "/proc/%d/cwd/../../../../../../../../etc/passwd", a);
  out ("proc-other-cwd-dotdot", "%s", res (stat (path, &st)));
  snprintf (path, sizeof (path), "/proc/%d/fd/%d/ofile", a, afd);
  out ("proc-other-fd-dir-file", "%s", res (stat (path, &st)));
  /* A file of another process, reopened through its fd link. */
  snprintf (path, sizeof (path), "/proc/%d/fd/%d", a, ffd);
  fd = open (path, O_RDONLY);
  out ("proc-other-fd-file-open", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  out ("proc-other-fd-file-stat", "%s", res (stat (path, &st)));
  fd = open (path, O_WRONLY);
  out ("proc-other-fd-file-open-write", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  snprintf (path, sizeof (path), "/proc/%d/fd/%d", a, sfd);
  out ("proc-other-fd-socket-open", "%s", res (open (path, O_RDONLY)));
  snprintf (path, sizeof (path), "/proc/%d/fd/%d", a, 999);
  out ("proc-other-fd-none-open", "%s", res (open (path, O_RDONLY)));
  snprintf (path, sizeof (path), "/proc/%d/task/%d/cwd/ofile", a, a);
  out ("proc-other-task-cwd-file", "%s", res (stat (path, &st)));
  snprintf (path, sizeof (path), "/proc/%d/cwd/ofile", u);
  out ("proc-other-root-to-uid1000", "%s", res (stat (path, &st)));
  out ("proc-other-missing", "%s", res (stat ("/proc/999999/cwd/x", &st)));
  /* uid 1000 may not follow root's links. */
  b = fork ();
  if (b == 0)
    {
      char r[128];
      if (setresgid (1000, 1000, 1000) < 0 || setresuid (1000, 1000, 1000) < 0)
        _exit (1);
      snprintf (path, sizeof (path), "/proc/%d/cwd/ofile", a);
      snprintf (r, sizeof (r), "%s", res (stat (path, &st)));
      snprintf (path, sizeof (path), "/proc/%d/root/etc/passwd", a);
      snprintf (r + strlen (r), sizeof (r) - strlen (r), ",%s", res (stat (path, &st)));
      snprintf (path, sizeof (path), "/proc/%d/fd/%d/ofile", a, afd);
      snprintf (r + strlen (r), sizeof (r) - strlen (r), ",%s", res (open (path, O_RDONLY)));
      snprintf (path, sizeof (path), "/proc/%d/cwd", a);
      snprintf (r + strlen (r), sizeof (r) - strlen (r), ",%s", res (opendir (path) ? 0 : -1));
      snprintf (path, sizeof (path), "/proc/%d/fd/%d", a, ffd);
      snprintf (r + strlen (r), sizeof (r) - strlen (r), ",%s", res (open (path, O_RDONLY)));
      write (rp[1], r, strlen (r));
      _exit (0);
    }
  close (rp[1]);
  memset (got, 0, sizeof (got));
  read (rp[0], got, sizeof (got) - 1);
  waitpid (b, NULL, 0);
  out ("proc-other-uid1000-to-root", "%s", got[0] ? got : "nothing");
  /* Every process's root is the container's. */
  {
    DIR *pd = opendir ("/proc");
    struct dirent *de;
    const char *verdict = "ok";
    stat ("/", &st2);
    while (pd && (de = readdir (pd)) != NULL)
      {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
          continue;
        snprintf (path, sizeof (path), "/proc/%s/root/", de->d_name);
        if (stat (path, &st) == 0 && (st.st_ino != st2.st_ino || st.st_dev != st2.st_dev))
          verdict = "elsewhere";
      }
    if (pd)
      closedir (pd);
    out ("proc-other-roots-inside", "%s", verdict);
  }
  close (done[1]);
  waitpid (a, NULL, 0);
  waitpid (u, NULL, 0);
  close (ready[0]);
  close (ready[1]);
  close (uready[0]);
  close (uready[1]);
  close (done[0]);
  close (rp[0]);
}

static void
case_proc_files (void)
{
  char buf[8192], *line;
  int fd, fields = 0;
  ssize_t n;
  bool has[6] = { 0 };
  static const char *keys[6] = { "intr ", "ctxt ", "btime ", "processes ", "procs_running ", "softirq " };

  fd = open ("/proc/stat", O_RDONLY);
  n = fd < 0 ? -1 : read (fd, buf, sizeof (buf) - 1);
  if (n <= 0)
    {
      out ("proc-stat-cpu-fields", "%s", ename (errno));
      return;
    }
  buf[n] = '\0';
  line = strtok (buf, "\n");
  if (line && strncmp (line, "cpu ", 4) == 0)
    {
      char *tok = strtok (line + 4, " ");
      while (tok)
        {
          fields++;
          tok = strtok (NULL, " ");
        }
    }
  out ("proc-stat-cpu-fields", "%d", fields);
  lseek (fd, 0, SEEK_SET);
  n = read (fd, buf, sizeof (buf) - 1);
  buf[n > 0 ? n : 0] = '\0';
  for (int i = 0; i < 6; i++)
    has[i] = strstr (buf, keys[i]) != NULL;
  out ("proc-stat-lines", "%s", has[0] && has[1] && has[2] && has[3] && has[4] && has[5] ? "ok" : "missing");
  out ("proc-stat-lseek-end", "%s", res (lseek (fd, 0, SEEK_END)));
  out ("proc-stat-lseek-data", "%s", res (lseek (fd, 0, SEEK_DATA)));
  out ("proc-stat-lseek-set-after", "%ld", (long) lseek (fd, 3, SEEK_SET));
  close (fd);
  /* A /proc/sys file has size 0 to lseek. */
  fd = open ("/proc/sys/kernel/osrelease", O_RDONLY);
  out ("proc-osrelease-lseek-end", "%ld", (long) lseek (fd, 5, SEEK_END));
  out ("proc-osrelease-lseek-cur", "%ld", (long) lseek (fd, 0, SEEK_CUR));
  out ("proc-osrelease-lseek-hole", "%s", res (lseek (fd, 0, SEEK_HOLE)));
  close (fd);
  /* An ordinary file's SEEK_END and SEEK_DATA go on as they did. */
  fd = open ("/etc/passwd", O_RDONLY);
  {
    struct stat st;
    fstat (fd, &st);
    out ("file-lseek-end", "%s", lseek (fd, 0, SEEK_END) == st.st_size ? "ok" : "wrong");
    out ("file-lseek-data", "%s", res (lseek (fd, 0, SEEK_DATA)));
  }
  close (fd);
  fd = open ("/proc/self/status", O_RDONLY);
  out ("proc-status-lseek-end", "%s", res (lseek (fd, 0, SEEK_END)));
  close (fd);
}

/* The process's start time (ticks after boot) against the uptime it sees. */
static void
case_proc_starttime (void)
{
  char buf[2048], *p;
  double up = 0;
  unsigned long long start = 0;
  long hz = sysconf (_SC_CLK_TCK);
  int fd, i;
  ssize_t n;

  fd = open ("/proc/uptime", O_RDONLY);
  n = read (fd, buf, sizeof (buf) - 1);
  close (fd);
  buf[n > 0 ? n : 0] = '\0';
  up = strtod (buf, NULL);
  fd = open ("/proc/self/stat", O_RDONLY);
  n = read (fd, buf, sizeof (buf) - 1);
  close (fd);
  buf[n > 0 ? n : 0] = '\0';
  p = strrchr (buf, ')');
  for (i = 0; p && i < 20; i++)
    p = strchr (p + 1, ' ');
  if (p)
    start = strtoull (p + 1, NULL, 10);
  out ("proc-starttime-within-uptime", "%s", p && (double) start / hz <= up + 2 ? "ok" : "after-uptime");
}

static void
case_proc_mem (void)
{
  static volatile char target[16] = "before";
  int fd = open ("/proc/self/mem", O_RDWR);

  out ("proc-self-mem-open-rw", "%s", res (fd));
  if (fd < 0)
    {
      out ("proc-self-mem-write", "not-opened");
      return;
    }
  ssize_t w = pwrite (fd, "after", 6, (off_t) (uintptr_t) target);
  out ("proc-self-mem-write", "%s", w == 6 && strcmp ((const char *) target, "after") == 0 ? "ok" : w < 0 ? ename (errno) : "not-written");
  close (fd);
}

static void
case_pid1 (void)
{
  char buf[4096];
  int fd = open ("/proc/1/cmdline", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read (fd, buf, sizeof (buf) - 1), i;

  if (fd >= 0)
    close (fd);
  if (n < 0)
    {
      out ("pid1-cmdline", "%s", ename (errno));
      return;
    }
  for (i = 0; i < n; i++)
    if (buf[i] == '\0')
      buf[i] = ' ';
  buf[n] = '\0';
  out ("pid1-cmdline", "%s", strstr (buf, "sandbox") || strstr (buf, "cgroup") || strstr (buf, "/sys/") ? "names-the-host" : "ok");
}

/* ---- errors and validation ------------------------------------------------ */

/* The cases found by LTP's syscall tests (docs/COMPAT.md, "Measured with
   LTP"): what each asks, the kernel's answer. */
static void
case_ltp_found (void)
{
  char f[256], l[256], b[256];
  int fd, pfd, r;

  sp (f, sizeof (f), "ltpfile");
  sp (l, sizeof (l), "ltplink");
  fd = open (f, O_CREAT | O_WRONLY, 0644);
  close (fd);
  symlink ("ltp-target", l);
  /* readlinkat(fd, ""): the symlink an O_PATH | O_NOFOLLOW descriptor names;
     ENOENT for any other file (readlinkat01). */
  pfd = open (l, O_PATH | O_NOFOLLOW);
  r = (int) readlinkat (pfd, "", b, sizeof (b) - 1);
  out ("readlinkat-empty-symlink", "%s", r < 0 ? ename (errno) : (r == 10 && memcmp (b, "ltp-target", 10) == 0) ? "ok" : "differs");
  close (pfd);
  pfd = open (f, O_PATH);
  out ("readlinkat-empty-file", "%s", res (readlinkat (pfd, "", b, sizeof (b))));
  close (pfd);
  /* O_CREAT on a file that exists creates nothing and asks for no write:
     /proc files open (openat202). */
  fd = open ("/proc/version", O_RDONLY | O_CREAT, 0400);
  out ("open-creat-existing-proc", "%s", res (fd));
  if (fd >= 0)
    close (fd);
  {
    /* The same through openat2's scoping (the Gofer's other open). */
    struct open_how how = { .flags = O_RDONLY | O_CREAT, .mode = 0400, .resolve = RESOLVE_BENEATH };
    int d = open ("/proc", O_PATH | O_DIRECTORY);
    fd = (int) syscall (SYS_openat2, d, "version", &how, sizeof (how));
    out ("openat2-beneath-creat-existing-proc", "%s", res (fd));
    if (fd >= 0)
      close (fd);
    close (d);
  }
  /* /proc/self/exe opens (the program), and RESOLVE_NO_MAGICLINKS refuses
     it (openat202). */
  fd = open ("/proc/self/exe", O_RDONLY);
  out ("open-proc-self-exe", "%s", fd < 0 ? ename (errno) : (read (fd, b, 4) == 4 && memcmp (b, "\177ELF", 4) == 0) ? "ok" : "not-elf");
  if (fd >= 0)
    close (fd);
  {
    /* A process that is not dumpable still opens its own program. */
    pid_t ch = fork ();
    int st = 0;
    if (ch == 0)
      {
        prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
        _exit (open ("/proc/self/exe", O_RDONLY) >= 0 ? 0 : errno);
      }
    waitpid (ch, &st, 0);
    out ("open-proc-self-exe-nondumpable", "%s", WEXITSTATUS (st) == 0 ? "ok" : ename (WEXITSTATUS (st)));
  }
  {
    struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_NO_MAGICLINKS };
    fd = (int) syscall (SYS_openat2, AT_FDCWD, "/proc/self/exe", &how, sizeof (how));
    out ("openat2-exe-no-magiclinks", "%s", res (fd));
    if (fd >= 0)
      close (fd);
    how.resolve = RESOLVE_NO_MAGICLINKS;
    fd = (int) syscall (SYS_openat2, AT_FDCWD, "/proc/self/cwd", &how, sizeof (how));
    out ("openat2-cwd-no-magiclinks", "%s", res (fd));
    if (fd >= 0)
      close (fd);
  }
  /* socket()'s own argument checks (socket01, socketpair01). */
  out ("socket-bad-type", "%s", res (socket (AF_INET, 75, 0)));
  out ("socketpair-bad-type", "%s", res (socketpair (AF_INET, 75, 0, (int[2]) { 0 })));
  out ("socket-raw-no-protocol", "%s", res (socket (AF_INET, SOCK_RAW, 0)));
  /* A level the socket's protocols lack (getsockopt01). */
  {
    int t = socket (AF_INET, SOCK_STREAM, 0), v;
    socklen_t vl = sizeof (v);
    out ("getsockopt-bad-level", "%s", res (getsockopt (t, 500, SO_OOBINLINE, &v, &vl)));
    vl = sizeof (v);
    out ("getsockopt-udp-level-on-tcp", "%s", res (getsockopt (t, IPPROTO_UDP, SO_OOBINLINE, &v, &vl)));
    close (t);
  }
  /* ioctl: a descriptor that is not open, or is O_PATH, is EBADF whatever
     the request (ioctl01, open13); RNDGETENTCNT reads (ioctl07). */
  {
    int v;
    out ("ioctl-badfd", "%s", res (ioctl (987, TCGETA, &v)));
    pfd = open (f, O_PATH);
    out ("ioctl-opath", "%s", res (ioctl (pfd, FS_IOC_GETFLAGS, &v)));
    close (pfd);
    fd = open ("/dev/urandom", O_RDONLY);
    out ("ioctl-rndgetentcnt", "%s", res (ioctl (fd, RNDGETENTCNT, &v)));
    close (fd);
  }
  /* sysfs(2) agrees with /proc/filesystems (sysfs01-05). */
  {
    FILE *pf = fopen ("/proc/filesystems", "r");
    char line[256], first[256] = "", name[256] = "";
    long n = 0, count = syscall (SYS_sysfs, 3), idx = syscall (SYS_sysfs, 1, "proc");
    long proc_at = -1;

    while (pf && fgets (line, sizeof (line), pf))
      {
        char *t = strchr (line, '\t');
        if (!t)
          continue;
        t[1 + strcspn (t + 1, "\n")] = '\0';
        if (n == 0)
          snprintf (first, sizeof (first), "%s", t + 1);
        if (strcmp (t + 1, "proc") == 0)
          proc_at = n;
        n++;
      }
    if (pf)
      fclose (pf);
    if (count < 0)
      out ("sysfs", "%s", ename (errno));
    else if (syscall (SYS_sysfs, 2, 0, name) < 0)
      out ("sysfs", "name-%s", ename (errno));
    else
      out ("sysfs", "%s", count == n && idx == proc_at && strcmp (name, first) == 0 ? "ok" : "differs");
    out ("sysfs-bad-option", "%s", res (syscall (SYS_sysfs, 9)));
  }
  /* SO_PEERCRED of a connected Unix socket names the connecting process
     (getsockopt02). */
  {
    struct sockaddr_un sun;
    socklen_t len, cl = sizeof (struct ucred);
    struct ucred cr;
    pid_t ch;
    int ls, a, go[2];

    sp (b, sizeof (b), "peer.sock");
    len = unix_addr (&sun, b);
    ls = socket (AF_UNIX, SOCK_STREAM, 0);
    bind (ls, (struct sockaddr *) &sun, len);
    listen (ls, 1);
    if (pipe (go) < 0)
      return;
    ch = fork ();
    if (ch == 0)
      {
        int c = socket (AF_UNIX, SOCK_STREAM, 0);
        char x;
        connect (c, (struct sockaddr *) &sun, len);
        (void) !read (go[0], &x, 1);
        _exit (0);
      }
    a = accept (ls, NULL, NULL);
    if (a >= 0 && getsockopt (a, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
      out ("unix-peercred-pid", "%s", cr.pid == ch ? "ok" : cr.pid == 0 ? "pid-0" : "other-pid");
    else
      out ("unix-peercred-pid", "%s", ename (errno));
    (void) !write (go[1], "g", 1);
    waitpid (ch, NULL, 0);
    close (go[0]);
    close (go[1]);
    if (a >= 0)
      close (a);
    close (ls);
  }
}

/* Scheduling queries: a process's policy and parameters, the policies'
   priority ranges (chrt checks a priority against them), the round-robin
   interval. */
static void
case_sched_queries (void)
{
  struct sched_param sp;
  struct timespec ts;
  unsigned int attr[14];

  out ("sched-getscheduler", "%ld", syscall (SYS_sched_getscheduler, 0) < 0 ? -(long) errno : syscall (SYS_sched_getscheduler, 0));
  out ("sched-getparam", "%s", res (syscall (SYS_sched_getparam, 0, &sp)));
  out ("sched-priority-max-fifo", "%ld", syscall (SYS_sched_get_priority_max, SCHED_FIFO) < 0 ? -(long) errno : syscall (SYS_sched_get_priority_max, SCHED_FIFO));
  out ("sched-priority-min-rr", "%ld", syscall (SYS_sched_get_priority_min, SCHED_RR) < 0 ? -(long) errno : syscall (SYS_sched_get_priority_min, SCHED_RR));
  out ("sched-priority-max-bad", "%s", res (syscall (SYS_sched_get_priority_max, 77)));
  out ("sched-rr-get-interval", "%s", res (syscall (SYS_sched_rr_get_interval, 0, &ts)));
  out ("sched-getattr", "%s", res (syscall (SYS_sched_getattr, 0, attr, (unsigned) sizeof (attr), 0)));
  out ("sched-getscheduler-no-such-pid", "%s", res (syscall (SYS_sched_getscheduler, 99999)));
}

/* Calls the sandbox refuses, answered in the kernel's order: the arguments
   are checked (EFAULT, EINVAL) before the missing capability (EPERM). A
   container's root lacks CAP_SYS_TIME and CAP_NET_ADMIN over the host, so
   nothing here can change the host's clock or interfaces, natively either. */
static void
case_arg_checks (void)
{
  struct timeval tv;
  struct timezone tz = { 2000, 0 };
  struct timespec ts;
  struct timex tx;
  struct stat st;
  clockid_t cid;
  char ub[64];
  int fd, s;

  out ("settimeofday-efault", "%s", res (syscall (SYS_settimeofday, (void *) -1, NULL)));
  tv = (struct timeval){ -1, 0 };
  out ("settimeofday-negative-sec", "%s", res (syscall (SYS_settimeofday, &tv, NULL)));
  tv = (struct timeval){ 0, -1 };
  out ("settimeofday-negative-usec", "%s", res (syscall (SYS_settimeofday, &tv, NULL)));
  tv = (struct timeval){ 0, 1000000 };
  out ("settimeofday-usec-second", "%s", res (syscall (SYS_settimeofday, &tv, NULL)));
  tv = (struct timeval){ 100, 100 };
  out ("settimeofday-valid", "%s", res (syscall (SYS_settimeofday, &tv, NULL)));
  out ("settimeofday-tz-only", "%s", res (syscall (SYS_settimeofday, NULL, &tz)));
  out ("settimeofday-tz-efault", "%s", res (syscall (SYS_settimeofday, NULL, (void *) -1)));
  tv = (struct timeval){ -1, 0 };
  out ("settimeofday-negative-sec-tz-efault", "%s", res (syscall (SYS_settimeofday, &tv, (void *) -1)));
  ts = (struct timespec){ 100, 0 };
  out ("clock-settime-monotonic", "%s", res (syscall (SYS_clock_settime, CLOCK_MONOTONIC, &ts)));
  out ("clock-settime-efault", "%s", res (syscall (SYS_clock_settime, CLOCK_REALTIME, (void *) -1)));
  out ("clock-settime-realtime", "%s", res (syscall (SYS_clock_settime, CLOCK_REALTIME, &ts)));
  ts = (struct timespec){ 0, 1000000000 };
  out ("clock-settime-bad-nsec", "%s", res (syscall (SYS_clock_settime, CLOCK_REALTIME, &ts)));
  ts = (struct timespec){ 100, 0 };
  if (clock_getcpuclockid (getpid (), &cid) == 0)
    out ("clock-settime-cpu-clock", "%s", res (syscall (SYS_clock_settime, cid, &ts)));
  fd = open ("/dev/null", O_RDONLY);
  out ("clock-settime-not-a-clock-fd", "%s", res (syscall (SYS_clock_settime, (clockid_t) ((~(unsigned) fd) << 3) | 3, &ts)));
  close (fd);

  out ("adjtimex-efault", "%s", res (syscall (SYS_adjtimex, (void *) -1)));
  memset (&tx, 0, sizeof (tx));
  {
    long r = syscall (SYS_adjtimex, &tx);
    time_t now = time (NULL);
    out ("adjtimex-read", "%s", r < 0 ? ename (errno) : (r <= 5 && tx.time.tv_sec >= now - 2 && tx.time.tv_sec <= now + 2) ? "ok" : "differs");
  }
  memset (&tx, 0, sizeof (tx));
  tx.modes = 0xa001; /* ADJ_OFFSET_SS_READ */
  out ("adjtimex-singleshot-read", "%s", res (syscall (SYS_adjtimex, &tx)));
  memset (&tx, 0, sizeof (tx));
  tx.modes = 0x8000; /* ADJ_ADJTIME without ADJ_OFFSET_SINGLESHOT */
  out ("adjtimex-adjtime-alone", "%s", res (syscall (SYS_adjtimex, &tx)));
  tx.modes = 0x8001;
  out ("adjtimex-singleshot-write", "%s", res (syscall (SYS_adjtimex, &tx)));
  tx.modes = 0xa003; /* a read with ADJ_FREQUENCY out of range */
  tx.freq = 0x7fffffffffffffffL;
  out ("adjtimex-read-bad-freq", "%s", res (syscall (SYS_adjtimex, &tx)));
  memset (&tx, 0, sizeof (tx));
  tx.modes = ADJ_TICK;
  tx.tick = 1;
  out ("adjtimex-bad-tick", "%s", res (syscall (SYS_adjtimex, &tx)));
  memset (&tx, 0, sizeof (tx));
  out ("clock-adjtime-realtime-read", "%s", res (syscall (SYS_clock_adjtime, CLOCK_REALTIME, &tx)));
  out ("clock-adjtime-monotonic", "%s", res (syscall (SYS_clock_adjtime, CLOCK_MONOTONIC, &tx)));
  out ("clock-adjtime-no-clock", "%s", res (syscall (SYS_clock_adjtime, 10, &tx)));
  out ("clock-adjtime-efault", "%s", res (syscall (SYS_clock_adjtime, CLOCK_MONOTONIC, (void *) -1)));

  /* ustat: a filesystem the caller has mounted, an unknown number, a bad
     buffer. */
  if (stat ("/", &st) == 0)
    {
      out ("ustat-root", "%s", res (syscall (SYS_ustat, (unsigned) st.st_dev, ub)));
      out ("ustat-efault", "%s", res (syscall (SYS_ustat, (unsigned) st.st_dev, (void *) -1)));
    }
  if (stat ("/proc", &st) == 0)
    out ("ustat-proc", "%s", res (syscall (SYS_ustat, (unsigned) st.st_dev, ub)));
  out ("ustat-unknown", "%s", res (syscall (SYS_ustat, 0xfffffffeu, ub)));

  /* Changing a network interface needs CAP_NET_ADMIN; the request is read
     first. */
  s = socket (AF_INET, SOCK_DGRAM, 0);
  {
    struct ifreq ifr;
    memset (&ifr, 0, sizeof (ifr));
    strcpy (ifr.ifr_name, "lo");
    out ("siocsifflags-efault", "%s", res (ioctl (s, SIOCSIFFLAGS, (void *) -1)));
    out ("siocsifflags", "%s", res (ioctl (s, SIOCSIFFLAGS, &ifr)));
    close (s);
    s = socket (AF_UNIX, SOCK_STREAM, 0);
    out ("siocsifmtu-unix-efault", "%s", res (ioctl (s, SIOCSIFMTU, (void *) -1)));
    out ("siocsifmtu-unix", "%s", res (ioctl (s, SIOCSIFMTU, &ifr)));
    close (s);
    fd = open ("/dev/null", O_RDONLY);
    out ("siocsifflags-not-socket", "%s", res (ioctl (fd, SIOCSIFFLAGS, &ifr)));
    close (fd);
  }
}

static void
case_errors (void)
{
  char d[256], f[256], p[300];
  struct stat st;
  struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
  int fd;

  sp (d, sizeof (d), "errdir");
  sp (f, sizeof (f), "errfile");
  mkdir (d, 0755);
  fd = open (f, O_CREAT | O_WRONLY, 0644);
  snprintf (p, sizeof (p), "%s/.", d);
  out ("unlink-dir-dot", "%s", res (unlink (p)));
  out ("rmdir-dir-dot", "%s", res (rmdir (p)));
  snprintf (p, sizeof (p), "%s/..", d);
  out ("rmdir-dir-dotdot", "%s", res (rmdir (p)));
  snprintf (p, sizeof (p), "%s/new/", scratch);
  out ("link-trailing-slash", "%s", res (link (f, p)));
  out ("statx-bad-flags", "%s", res (syscall (SYS_statx, AT_FDCWD, f, 0x40000000, 0x7ff, &st)));
  {
    static char big[70000];
    out ("setxattr-e2big", "%s", res (syscall (SYS_setxattr, f, "user.big", big, sizeof (big), 0)));
  }
  {
    /* A trailing slash follows the last symlink and asks for a directory:
       readlink never reads through one, rename of a file to such a name is
       ENOTDIR; bind to a name that is "." exists already. */
    char ln[300], ld[300], src[300], buf[64];
    struct sockaddr_un sun;
    socklen_t sl;
    int s;

    sp (ln, sizeof (ln), "errlink");
    sp (ld, sizeof (ld), "errdirlink");
    if (symlink (f, ln) < 0 || symlink (d, ld) < 0) {}
    snprintf (p, sizeof (p), "%s/", f);
    out ("readlink-file-slash", "%s", res (readlink (p, buf, sizeof (buf))));
    snprintf (p, sizeof (p), "%s/", ln);
    out ("readlink-link-slash", "%s", res (readlink (p, buf, sizeof (buf))));
    snprintf (p, sizeof (p), "%s/", ld);
    out ("readlink-dirlink-slash", "%s", res (readlink (p, buf, sizeof (buf))));
    sp (src, sizeof (src), "errsrc");
    close (open (src, O_CREAT | O_WRONLY, 0644));
    snprintf (p, sizeof (p), "%s/", ln);
    out ("rename-file-to-link-slash", "%s", res (rename (src, p)));
    snprintf (p, sizeof (p), "%s/", d);
    out ("rename-file-to-dir-slash", "%s", res (rename (src, p)));
    snprintf (p, sizeof (p), "%s/", src);
    out ("rename-file-slash", "%s", res (rename (p, f)));
    out ("rename-link-kept", "%s", lstat (ln, &st) == 0 && S_ISLNK (st.st_mode) ? "ok" : "replaced");
    snprintf (p, sizeof (p), "%s/.", d);
    sl = unix_addr (&sun, p);
    s = socket (AF_UNIX, SOCK_STREAM, 0);
    out ("bind-dot", "%s", res (bind (s, (struct sockaddr *) &sun, sl)));
    close (s);
    unlink (src);
    unlink (ln);
    unlink (ld);
  }
  out ("utimensat-empty-path", "%s", res (syscall (SYS_utimensat, fd, "", ts, AT_EMPTY_PATH)));
  out ("utimensat-null-fd", "%s", res (syscall (SYS_utimensat, fd, NULL, ts, 0)));
  close (fd);
  {
    struct rlimit rl = { 4096, 4096 }, old;
    pid_t ch;
    int stt = 0;
    getrlimit (RLIMIT_FSIZE, &old);
    ch = fork ();
    if (ch == 0)
      {
        setrlimit (RLIMIT_FSIZE, &rl);
        signal (SIGXFSZ, SIG_IGN);
        _exit (truncate (f, 100000) < 0 && errno == EFBIG ? 0 : 1);
      }
    waitpid (ch, &stt, 0);
    out ("truncate-past-fsize", "%s", WEXITSTATUS (stt) == 0 ? "EFBIG" : "allowed");
    ch = fork ();
    if (ch == 0)
      {
        setrlimit (RLIMIT_FSIZE, &rl);
        truncate (f, 100000);
        _exit (0);
      }
    waitpid (ch, &stt, 0);
    out ("truncate-past-fsize-signal", "%s", WIFSIGNALED (stt) && WTERMSIG (stt) == SIGXFSZ ? "SIGXFSZ" : "none");
  }
}

/* glibc's fchmodat(AT_SYMLINK_NOFOLLOW) (GNU tar's chmod of every file it
   extracts): an O_PATH open, then chmod("/proc/self/fd/N"). */
static void
case_lchmod (void)
{
  char file[300], lnk[300], path[64];
  struct stat st;
  int fd;
  pid_t ch;

  snprintf (file, sizeof (file), "%s/lchmod-file", scratch);
  snprintf (lnk, sizeof (lnk), "%s/lchmod-link", scratch);
  close (open (file, O_CREAT | O_WRONLY, 0644));
  symlink ("lchmod-file", lnk);
  out ("lchmod-file", "%s", res (fchmodat (AT_FDCWD, file, 0600, AT_SYMLINK_NOFOLLOW)));
  out ("lchmod-file-mode", "%o", stat (file, &st) == 0 ? (unsigned) (st.st_mode & 07777) : 0);
  out ("lchmod-symlink", "%s", res (fchmodat (AT_FDCWD, lnk, 0600, AT_SYMLINK_NOFOLLOW)));
  fd = open (file, O_PATH);
  snprintf (path, sizeof (path), "/proc/self/fd/%d", fd);
  out ("chmod-proc-self-fd-opath", "%s", res (chmod (path, 0640)));
  out ("chown-proc-self-fd-opath", "%s", res (chown (path, 0, 0)));
  out ("chmod-proc-self-fd-mode", "%o", stat (file, &st) == 0 ? (unsigned) (st.st_mode & 07777) : 0);
  /* Someone else's file, by one's own descriptor: EPERM as on Linux. */
  ch = fork ();
  if (ch == 0)
    {
      if (setresgid (1000, 1000, 1000) < 0 || setresuid (1000, 1000, 1000) < 0)
        _exit (3);
      _exit (chmod (path, 0666) == 0 ? 2 : errno == EPERM ? 0 : 1);
    }
  int wst = 0;
  waitpid (ch, &wst, 0);
  out ("chmod-proc-self-fd-not-owner", "%s",
       WEXITSTATUS (wst) == 0 ? "EPERM" : WEXITSTATUS (wst) == 2 ? "changed" : "other");
  out ("chmod-proc-self-fd-mode-after", "%o", stat (file, &st) == 0 ? (unsigned) (st.st_mode & 07777) : 0);
  close (fd);
}

static void
case_inotify (void)
{
  char d[256], f[300], l[300], buf[4096];
  int in, wd, fd;
  ssize_t n;
  unsigned mask = 0;

  sp (d, sizeof (d), "inodir");
  mkdir (d, 0755);
  snprintf (f, sizeof (f), "%s/f", d);
  fd = open (f, O_CREAT | O_WRONLY, 0644);
  close (fd);
  in = syscall (SYS_inotify_init1, IN_NONBLOCK);
  wd = syscall (SYS_inotify_add_watch, in, d, 0x00000fff);
  if (wd < 0)
    {
      out ("inotify-truncate", "%s", ename (errno));
      return;
    }
  truncate (f, 10);
  n = read (in, buf, sizeof (buf));
  for (char *p = buf; n > 0 && p < buf + n;)
    {
      uint32_t *ev = (uint32_t *) p;
      mask |= ev[1];
      p += 16 + ev[3];
    }
  out ("inotify-truncate", "%s", mask & 0x2 /* IN_MODIFY */ ? "ok" : "no-event");
  snprintf (l, sizeof (l), "%s/hard", d);
  mask = 0;
  link (f, l);
  n = read (in, buf, sizeof (buf));
  for (char *p = buf; n > 0 && p < buf + n;)
    {
      uint32_t *ev = (uint32_t *) p;
      mask |= ev[1];
      p += 16 + ev[3];
    }
  out ("inotify-link", "%s", mask & 0x100 /* IN_CREATE */ ? "ok" : "no-event");
  close (in);
}

static void
case_ptrace (void)
{
  pid_t ch = fork ();
  int st = 0;

  if (ch == 0)
    {
      if (syscall (SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0) < 0)
        _exit (1);
      raise (SIGSTOP);
      _exit (0);
    }
  waitpid (ch, &st, 0);
  if (WIFSTOPPED (st))
    {
      syscall (SYS_ptrace, 7 /* PTRACE_CONT */, ch, 0, 0);
      waitpid (ch, &st, 0);
      out ("ptrace-traceme", "%s", WIFEXITED (st) && WEXITSTATUS (st) == 0 ? "ok" : "bad-exit");
    }
  else
    out ("ptrace-traceme", "%s", WIFEXITED (st) && WEXITSTATUS (st) == 1 ? "refused" : "other");
}

static void
case_limits (void)
{
  struct rlimit rl;
  getrlimit (RLIMIT_NOFILE, &rl);
  /* The test passes the limit it expects in COMPAT_NOFILE. */
  const char *want = getenv ("COMPAT_NOFILE");
  if (want)
    out ("rlimit-nofile", "%s", (unsigned long long) rl.rlim_cur == strtoull (want, NULL, 10) ? "ok" : "differs");
}

/* A pty: a new session takes the slave as its controlling terminal
   (TIOCSCTTY), as login, su and terminal multiplexers do. */
static void
case_pty (void)
{
  int m = posix_openpt (O_RDWR | O_NOCTTY), st = 0;
  pid_t ch;

  if (m < 0 || grantpt (m) < 0 || unlockpt (m) < 0)
    {
      out ("pty-open", "%s", ename (errno));
      return;
    }
  out ("pty-open", "ok");
  ch = fork ();
  if (ch == 0)
    {
      int s;
      if (setsid () < 0)
        _exit (10);
      s = open (ptsname (m), O_RDWR | O_NOCTTY);
      if (s < 0)
        _exit (11);
      if (ioctl (s, TIOCSCTTY, 0) < 0)
        _exit (12);
      _exit (tcgetpgrp (s) == getpid () ? 0 : 13);
    }
  waitpid (ch, &st, 0);
  out ("pty-sctty", "%s", WIFEXITED (st) && WEXITSTATUS (st) == 0 ? "ok" : WIFEXITED (st) && WEXITSTATUS (st) == 11 ? "open-slave-failed" : WIFEXITED (st) && WEXITSTATUS (st) == 12 ? "TIOCSCTTY-failed" : "failed");
  close (m);
}

static void
case_personality (void)
{
  long old = syscall (SYS_personality, 0xffffffff);
  out ("personality-no-randomize", "%s", res (syscall (SYS_personality, old | 0x0040000)));
  syscall (SYS_personality, old);
}

/* A signal (SA_RESTART) every 100 us while the calls that change a file
   run: Linux never runs one twice nor fails one with EINTR for it (a Go
   program takes SIGURG for preemption as often). A call the Sentry had
   received and done, then restarted after the signal, would meet its own
   work: mkdir EEXIST, rmdir and unlink ENOENT, O_EXCL EEXIST. */
static volatile sig_atomic_t ticks;

static void
on_tick (int sig)
{
  (void) sig;
  ticks++;
}

static void
case_signals (void)
{
  struct sigaction sa = { .sa_handler = on_tick, .sa_flags = SA_RESTART };
  struct itimerval it = { { 0, 100 }, { 0, 100 } }, off = { { 0, 0 }, { 0, 0 } };
  char dir[300], file[300];
  const char *failed = NULL;
  int i, e = 0, fd;

  snprintf (dir, sizeof (dir), "%s/sig-dir", scratch);
  snprintf (file, sizeof (file), "%s/sig-file", scratch);
  sigemptyset (&sa.sa_mask);
  sigaction (SIGALRM, &sa, NULL);
  setitimer (ITIMER_REAL, &it, NULL);
  for (i = 0; i < 3000 && failed == NULL; i++)
    {
      if (mkdir (dir, 0755) < 0)
        failed = "mkdir", e = errno;
      else if (rmdir (dir) < 0)
        failed = "rmdir", e = errno;
      else if ((fd = open (file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
        failed = "create", e = errno;
      else if (close (fd), unlink (file) < 0)
        failed = "unlink", e = errno;
    }
  setitimer (ITIMER_REAL, &off, NULL);
  signal (SIGALRM, SIG_DFL);
  rmdir (dir);
  unlink (file);
  if (failed)
    out ("signals-restart", "%s-%s", failed, ename (e));
  else
    out ("signals-restart", "ok");
}

/* A call that blocks (the open of a FIFO without a writer) still ends at
   a signal the caller handles: EINTR without SA_RESTART; with it, the open
   is made again and goes on waiting (the writer a second timer opens lets
   it finish). */
static char fifo_path[300];

/* After 700 ms (three ticks have restarted the open), a writer. */
static void *
late_writer (void *arg)
{
  (void) arg;
  usleep (700000);
  return (void *) (long) open (fifo_path, O_WRONLY | O_CLOEXEC);
}

static void
case_signals_interrupt (void)
{
  struct sigaction sa = { .sa_handler = on_tick };
  struct itimerval once = { { 0, 0 }, { 0, 200000 } }, every = { { 0, 200000 }, { 0, 200000 } },
                   off = { { 0, 0 }, { 0, 0 } };
  int fd;

  snprintf (fifo_path, sizeof (fifo_path), "%s/sig-fifo", scratch);
  if (mkfifo (fifo_path, 0600) < 0)
    {
      out ("signals-interrupt", "mkfifo-%s", ename (errno));
      return;
    }
  sigemptyset (&sa.sa_mask);
  sigaction (SIGALRM, &sa, NULL);
  ticks = 0;
  setitimer (ITIMER_REAL, &once, NULL);
  fd = open (fifo_path, O_RDONLY | O_CLOEXEC);
  out ("signals-interrupt", "%s", fd < 0 ? ename (errno) : "opened");
  if (fd >= 0)
    close (fd);
  /* SA_RESTART: the ticks restart the open until a writer comes. */
  sa.sa_flags = SA_RESTART;
  sigaction (SIGALRM, &sa, NULL);
  ticks = 0;
  setitimer (ITIMER_REAL, &every, NULL);
  {
    pthread_t w;
    void *wfd = (void *) -1L;
    pthread_create (&w, NULL, late_writer, NULL);
    fd = open (fifo_path, O_RDONLY | O_CLOEXEC);
    setitimer (ITIMER_REAL, &off, NULL);
    pthread_join (w, &wfd);
    if ((long) wfd >= 0)
      close ((int) (long) wfd);
  }
  out ("signals-restarted", "%s", fd >= 0 && ticks >= 3 ? "ok" : fd < 0 ? ename (errno) : "too-soon");
  if (fd >= 0)
    close (fd);
  signal (SIGALRM, SIG_DFL);
  unlink (fifo_path);
}

/* Calls that name a file by "/proc/self/fd/N" act on the file of
   descriptor N, as the kernel follows the link: whatever N was opened for
   (read-only, O_PATH, a directory), with the checks of the file itself. */
static void
case_proc_fd_calls (void)
{
  static const struct
  {
    const char *kind;
    int flags;
  } kinds[] = { { "ro", O_RDONLY }, { "rw", O_RDWR }, { "opath", O_PATH }, { "dir", O_RDONLY | O_DIRECTORY } };
  char file[512], path[64], name[64], v[8];
  struct stat st;
  struct statfs sfs;

  for (size_t k = 0; k < sizeof (kinds) / sizeof (kinds[0]); k++)
    {
      bool dir = kinds[k].flags & O_DIRECTORY;
      int fd;
      long r;

      snprintf (name, sizeof (name), "fdcalls-%s", kinds[k].kind);
      sp (file, sizeof (file), name);
      if (dir ? mkdir (file, 0755) : close (open (file, O_CREAT | O_WRONLY, 0644))) {}
      if (!dir)
        {
          int w = open (file, O_WRONLY | O_TRUNC);
          if (write (w, "12345", 5) != 5) {}
          close (w);
        }
      fd = open (file, kinds[k].flags | O_CLOEXEC);
      snprintf (path, sizeof (path), "/proc/self/fd/%d", fd);
#define FD_CASE(what) (snprintf (name, sizeof (name), "proc-fd-%s-%s", kinds[k].kind, what), name)
      out (FD_CASE ("utime"), "%s", res (utimes (path, NULL)));
      if (!dir)
        {
          r = truncate (path, 2);
          out (FD_CASE ("truncate"), "%s", r < 0 ? ename (errno) : stat (file, &st) == 0 && st.st_size == 2 ? "ok" : "unchanged");
        }
      else
        out (FD_CASE ("truncate"), "%s", res (truncate (path, 2)));
      out (FD_CASE ("setxattr"), "%s", res (setxattr (path, "user.probe", "v1", 2, 0)));
      r = getxattr (path, "user.probe", v, sizeof (v));
      out (FD_CASE ("getxattr"), "%s", r < 0 ? ename (errno) : r == 2 && memcmp (v, "v1", 2) == 0 ? "ok" : "other");
      r = listxattr (path, NULL, 0);
      out (FD_CASE ("listxattr"), "%s", r < 0 ? ename (errno) : r > 0 ? "ok" : "empty");
      out (FD_CASE ("removexattr"), "%s", res (removexattr (path, "user.probe")));
      out (FD_CASE ("statfs"), "%s", res (statfs (path, &sfs)));
      {
        int in = inotify_init1 (IN_CLOEXEC);
        out (FD_CASE ("inotify"), "%s", res (inotify_add_watch (in, path, IN_MODIFY | (dir ? IN_ONLYDIR : 0))));
        if (!dir)
          out (FD_CASE ("inotify-onlydir"), "%s", res (inotify_add_watch (in, path, IN_MODIFY | IN_ONLYDIR)));
        close (in);
      }
      if (dir)
        {
          char cwd[512];
          r = chdir (path);
          out (FD_CASE ("chdir"), "%s", r < 0 ? ename (errno) : getcwd (cwd, sizeof (cwd)) && strcmp (cwd, file) == 0 ? "ok" : "elsewhere");
          if (chdir (scratch) < 0) {}
        }
#undef FD_CASE
      close (fd);
    }
  out ("proc-fd-closed-truncate", "%s", res (truncate ("/proc/self/fd/999", 0)));
}

/* linkat of a file by its descriptor: an O_TMPFILE given a name through
   /proc/self/fd/N (AT_SYMLINK_FOLLOW), as open(2) documents, or with an
   empty path and AT_EMPTY_PATH. */
static void
case_link_by_fd (void)
{
  char dir[300], name[320], named[320], proc[64];
  struct stat st;
  int t, n;

  sp (dir, sizeof (dir), "tmpfiles");
  mkdir (dir, 0755);
  t = open (dir, O_TMPFILE | O_RDWR, 0600);
  if (t < 0)
    {
      out ("linkat-tmpfile-proc", "tmpfile-%s", ename (errno));
      return;
    }
  if (write (t, "tmp", 3) != 3) {}
  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", t);
  snprintf (name, sizeof (name), "%s/by-proc", dir);
  out ("linkat-tmpfile-proc", "%s",
       linkat (AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) < 0 ? ename (errno)
       : stat (name, &st) == 0 && st.st_size == 3 ? "ok" : "lost");
  close (t);
  t = open (dir, O_TMPFILE | O_RDWR, 0600);
  snprintf (name, sizeof (name), "%s/by-empty", dir);
  out ("linkat-tmpfile-empty", "%s", res (linkat (t, "", AT_FDCWD, name, AT_EMPTY_PATH)));
  close (t);
  t = open (dir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", t);
  snprintf (name, sizeof (name), "%s/excl", dir);
  out ("linkat-tmpfile-excl", "%s", res (linkat (AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW)));
  close (t);
  snprintf (named, sizeof (named), "%s/named", dir);
  n = open (named, O_CREAT | O_RDWR, 0600);
  snprintf (name, sizeof (name), "%s/named-again", dir);
  out ("linkat-named-empty", "%s", res (linkat (n, "", AT_FDCWD, name, AT_EMPTY_PATH)));
  close (n);
  snprintf (name, sizeof (name), "%s/named-path", dir);
  out ("linkat-empty-flag-path", "%s", res (linkat (AT_FDCWD, named, AT_FDCWD, name, AT_EMPTY_PATH)));
  n = open (dir, O_RDONLY | O_DIRECTORY);
  snprintf (name, sizeof (name), "%s/dir-again", dir);
  out ("linkat-empty-dir", "%s", res (linkat (n, "", AT_FDCWD, name, AT_EMPTY_PATH)));
  close (n);
  out ("linkat-proc-closed", "%s", res (linkat (AT_FDCWD, "/proc/self/fd/999", AT_FDCWD, name, AT_SYMLINK_FOLLOW)));
}

static const struct
{
  const char *name;
  void (*fn) (void);
} cases[] = {
  { "socketpair", case_socketpair_inet },
  { "unix-whole", case_unix_whole },
  { "unix-names", case_unix_names },
  { "unix-seqpacket", case_unix_seqpacket_sendto },
  { "scm-credentials", case_scm_credentials },
  { "scm-rights", case_scm_rights_twice },
  { "sockopts", case_sockopts },
  { "o-path", case_o_path },
  { "proc-links", case_proc_links },
  { "proc-other-links", case_proc_other_links },
  { "proc-fd-calls", case_proc_fd_calls },
  { "link-by-fd", case_link_by_fd },
  { "proc-files", case_proc_files },
  { "proc-starttime", case_proc_starttime },
  { "proc-mem", case_proc_mem },
  { "pid1", case_pid1 },
  { "errors", case_errors },
  { "ltp-found", case_ltp_found },
  { "arg-checks", case_arg_checks },
  { "sched-queries", case_sched_queries },
  { "lchmod", case_lchmod },
  { "inotify", case_inotify },
  { "ptrace", case_ptrace },
  { "limits", case_limits },
  { "personality", case_personality },
  { "pty", case_pty },
  { "signals", case_signals },
  { "signals-interrupt", case_signals_interrupt },
};

/* Docker's default capabilities: what a sandbox's root holds. */
static const int docker_caps[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
                                   CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
                                   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE };

static void
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY);
  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    {
      perror (path);
      exit (1);
    }
  close (fd);
}

/* The host kernel's answers, as a container's root gets them. Returns in
   the grandchild (pid 1 of the new pid namespace); the others wait. */
static void
become_native_container (unsigned long first_id)
{
  int go[2], ready[2], st = 0, cap;
  char path[64], map[64];
  pid_t ch;

  if (pipe (go) < 0 || pipe (ready) < 0)
    exit (1);
  ch = fork ();
  if (ch == 0)
    {
      char b;
      close (go[1]);
      close (ready[0]);
      if (unshare (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) < 0)
        {
          perror ("unshare");
          _exit (1);
        }
      if (write (ready[1], "r", 1) != 1 || read (go[0], &b, 1) != 1)
        _exit (1);
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        _exit (1);
      prctl (PR_SET_DUMPABLE, 1, 0, 0, 0); /* the id change made it undumpable */
      ch = fork ();
      if (ch > 0)
        {
          waitpid (ch, &st, 0);
          _exit (WIFEXITED (st) ? WEXITSTATUS (st) : 1);
        }
      if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
          || mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        {
          perror ("mount /proc");
          _exit (1);
        }
      for (cap = 0; cap <= CAP_LAST_CAP; cap++)
        {
          bool keep = false;
          for (size_t k = 0; k < sizeof (docker_caps) / sizeof (docker_caps[0]); k++)
            keep |= docker_caps[k] == cap;
          if (!keep)
            prctl (PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
      struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
      struct __user_cap_data_struct d[2] = { { 0 } };
      for (size_t k = 0; k < sizeof (docker_caps) / sizeof (docker_caps[0]); k++)
        {
          d[docker_caps[k] / 32].effective |= 1u << (docker_caps[k] % 32);
          d[docker_caps[k] / 32].permitted |= 1u << (docker_caps[k] % 32);
        }
      if (syscall (SYS_capset, &h, d) < 0)
        {
          perror ("capset");
          _exit (1);
        }
      return;
    }
  close (go[0]);
  close (ready[1]);
  {
    char b;
    if (read (ready[0], &b, 1) != 1)
      exit (1);
  }
  snprintf (map, sizeof (map), "0 %lu 65536\n", first_id);
  snprintf (path, sizeof (path), "/proc/%d/uid_map", ch);
  write_file (path, map);
  snprintf (path, sizeof (path), "/proc/%d/gid_map", ch);
  write_file (path, map);
  if (write (go[1], "g", 1) != 1)
    exit (1);
  waitpid (ch, &st, 0);
  exit (WIFEXITED (st) ? WEXITSTATUS (st) : 1);
}

int
main (int argc, char **argv)
{
  const char *tmp = getenv ("TMPDIR");
  size_t i;
  int j;

  if (argc >= 3 && strcmp (argv[1], "--native") == 0)
    {
      become_native_container (strtoul (argv[2], NULL, 10));
      argv += 2;
      argc -= 2;
    }

  signal (SIGPIPE, SIG_IGN);
  snprintf (scratch, sizeof (scratch), "%s/compat-probe.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp (scratch) == NULL || chmod (scratch, 0755) < 0)
    {
      perror (scratch);
      return 1;
    }
  for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      bool want = argc < 2;
      for (j = 1; j < argc; j++)
        want |= strcmp (argv[j], cases[i].name) == 0;
      if (want)
        cases[i].fn ();
    }
  return 0;
}
