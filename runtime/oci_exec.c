/* exec: one more process in a running container, through sandboxd's exec
   (so the tenant's exec-sessions limit holds), relayed to our stdio or to
   a host pty whose master went over --console-socket. With --detach the
   relay is a child we leave behind: its pid goes to --pid-file, it exits
   with the process's status, and the caller (a subreaper) waits for it. */
#include "config.h"
#include "oci.h"
#include "capabilities.h"
#include "cleanup.h"
#include "fdpass.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int
oci_console (const char *console_socket, json_t *size, sb_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  cleanup_close int master = -1;
  cleanup_close int sock = -1;
  char name[64];
  int slave, r;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt (master) < 0 || unlockpt (master) < 0 || ptsname_r (master, name, sizeof (name)) != 0)
    return sb_error (err, errno, "a terminal for the container");
  slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return sb_error (err, errno, "open `%s`", name);
  if (json_is_object (size))
    {
      struct winsize ws = { .ws_row = (unsigned short) json_integer_value (json_object_get (size, "height")),
                            .ws_col = (unsigned short) json_integer_value (json_object_get (size, "width")) };
      if (ws.ws_row && ws.ws_col)
        ioctl (master, TIOCSWINSZ, &ws);
    }
  if (strlen (console_socket) >= sizeof (sun.sun_path))
    {
      close (slave);
      return sb_error (err, ENAMETOOLONG, "--console-socket `%s`", console_socket);
    }
  strcpy (sun.sun_path, console_socket);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect (sock, (struct sockaddr *) &sun, sizeof (sun)) < 0)
    {
      close (slave);
      return sb_error (err, errno, "--console-socket `%s`", console_socket);
    }
  /* As runc sends it: the pty's name, and the master. */
  r = sb_send_msg (sock, name, strlen (name), &master, 1);
  if (r < 0)
    {
      close (slave);
      return sb_error (err, -r, "send the terminal over `%s`", console_socket);
    }
  return slave;
}

static int
send_frame (int fd, int type, const void *data, size_t n)
{
  unsigned char hdr[8] = { (unsigned char) type, 0, 0, 0, (unsigned char) (n >> 24), (unsigned char) (n >> 16),
                           (unsigned char) (n >> 8), (unsigned char) n };

  if (sb_write_all (fd, hdr, sizeof (hdr)) < 0 || (n && sb_write_all (fd, data, n) < 0))
    return -1;
  return 0;
}

int
oci_relay_frames (int fd, bool tty, int in, int out, int errfd)
{
  static unsigned char buf[(1u << 20) + 8];
  size_t have = 0;
  int sigfd = -1, code = 255;
  sigset_t mask;

  /* sandboxd ends the stream after the exit frame, perhaps while we still
     send input the command never read: a write then fails (EPIPE), and
     the frames already sent to us, the exit among them, are still read. */
  signal (SIGPIPE, SIG_IGN);
  if (tty)
    {
      struct winsize ws;
      sigemptyset (&mask);
      sigaddset (&mask, SIGWINCH);
      sigprocmask (SIG_BLOCK, &mask, NULL);
      sigfd = signalfd (-1, &mask, SFD_CLOEXEC);
      /* The terminal's size now (the config's consoleSize, or the caller's). */
      if (ioctl (in, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        {
          char msg[64];
          snprintf (msg, sizeof (msg), "{\"rows\":%u,\"cols\":%u}", ws.ws_row, ws.ws_col);
          send_frame (fd, 5, msg, strlen (msg));
        }
    }
  for (;;)
    {
      struct pollfd p[3] = { { .fd = fd, .events = POLLIN }, { .fd = in, .events = POLLIN },
                             { .fd = sigfd, .events = POLLIN } };
      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (p[2].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          struct winsize ws;
          if (read (sigfd, &si, sizeof (si)) > 0 && ioctl (in, TIOCGWINSZ, &ws) == 0)
            {
              char msg[64];
              snprintf (msg, sizeof (msg), "{\"rows\":%u,\"cols\":%u}", ws.ws_row, ws.ws_col);
              send_frame (fd, 5, msg, strlen (msg));
            }
        }
      if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          char data[16384];
          ssize_t n = read (in, data, sizeof (data));
          if (n > 0 && send_frame (fd, 0, data, (size_t) n) < 0)
            in = -1; /* the stream is closed for input: only read now */
          else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            {
              send_frame (fd, 4, NULL, 0);
              in = -1;
            }
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t n = read (fd, buf + have, sizeof (buf) - have);
          if (n <= 0)
            break;
          have += (size_t) n;
          while (have >= 8)
            {
              size_t len = ((size_t) buf[4] << 24) | ((size_t) buf[5] << 16) | ((size_t) buf[6] << 8) | buf[7];
              if (len > sizeof (buf) - 8)
                return 255;
              if (have < 8 + len)
                break;
              if (buf[0] == 1)
                sb_write_all (out, buf + 8, len);
              else if (buf[0] == 2)
                sb_write_all (errfd, buf + 8, len);
              else if (buf[0] == 3)
                {
                  json_t *o = json_loadb ((char *) buf + 8, len, 0, NULL);
                  if (json_object_get (o, "exit_code"))
                    code = (int) json_integer_value (json_object_get (o, "exit_code"));
                  else if (json_string_value (json_object_get (o, "error")))
                    {
                      fprintf (stderr, "sandbox-runtime exec: %s\n", json_string_value (json_object_get (o, "error")));
                      code = 126;
                    }
                  json_decref (o);
                  return code;
                }
              memmove (buf, buf + 8 + len, have - 8 - len);
              have -= 8 + len;
            }
        }
    }
  return code;
}

/* Opens sandboxd's exec stream (HTTP 101, then frames). */
static int
open_exec (const char *sbd_id, json_t *body, sb_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  cleanup_free char *text = json_dumps (body, JSON_COMPACT);
  char head[1024], resp[8192];
  size_t n = 0;
  int fd;

  if (strlen (oci_g.socket) >= sizeof (sun.sun_path) || text == NULL)
    return sb_error (err, EINVAL, "sandboxd-socket");
  strcpy (sun.sun_path, oci_g.socket);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sun, sizeof (sun)) < 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return sb_error (err, e, "connect to sandboxd `%s`", oci_g.socket);
    }
  snprintf (head, sizeof (head), "POST /v1/containers/%s/exec HTTP/1.1\r\nHost: sandboxd\r\nConnection: Upgrade\r\n"
            "Upgrade: sandbox-stream\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", sbd_id,
            strlen (text));
  if (sb_write_all (fd, head, strlen (head)) < 0 || sb_write_all (fd, text, strlen (text)) < 0)
    {
      close (fd);
      return sb_error (err, EPIPE, "write to sandboxd");
    }
  /* The answer's head, byte by byte: the frames follow it at once. */
  while (n < sizeof (resp) - 1)
    {
      ssize_t r = read (fd, resp + n, 1);
      if (r <= 0)
        break;
      n++;
      if (n >= 4 && memcmp (resp + n - 4, "\r\n\r\n", 4) == 0)
        break;
    }
  resp[n] = '\0';
  if (n < 12 || atoi (resp + 9) != 101)
    {
      char more[4096];
      ssize_t r = read (fd, more, sizeof (more) - 1);
      json_t *ans;
      more[r > 0 ? r : 0] = '\0';
      ans = json_loads (more, JSON_DISABLE_EOF_CHECK, NULL);
      sb_error (err, EPERM, "exec refused: %s", ans ? oci_sbd_message (ans) : resp);
      json_decref (ans);
      close (fd);
      return -1;
    }
  return fd;
}

int
oci_cmd_exec (int argc, char **argv)
{
  static const struct option opts[] = {
    { "process", required_argument, 0, 'p' }, { "tty", no_argument, 0, 't' },
    { "detach", no_argument, 0, 'd' },        { "pid-file", required_argument, 0, 'P' },
    { "console-socket", required_argument, 0, 'c' }, { "preserve-fds", required_argument, 0, 'f' },
    { "cwd", required_argument, 0, 'w' },     { "env", required_argument, 0, 'e' },
    { "user", required_argument, 0, 'u' },    { "cap", required_argument, 0, 'C' },
    { "no-new-privs", no_argument, 0, 'n' },  { "process-label", required_argument, 0, 'l' },
    { "apparmor", required_argument, 0, 'a' }, { "additional-gids", required_argument, 0, 'g' },
    { 0, 0, 0, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  const char *process = NULL, *pid_file = NULL, *console = NULL, *cwd = NULL, *user = NULL;
  bool tty = false, detach = false;
  json_t *env = json_array (), *proc = NULL, *rec = NULL, *body;
  int c, fd, slave = -1, ready[2];
  pid_t pid;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+p:tde:u:", opts, NULL)) != -1)
    switch (c)
      {
      case 'p': process = optarg; break;
      case 't': tty = true; break;
      case 'd': detach = true; break;
      case 'P': pid_file = optarg; break;
      case 'c': console = optarg; break;
      case 'w': cwd = optarg; break;
      case 'e': json_array_append_new (env, json_string (optarg)); break;
      case 'u': user = optarg; break;
      case 'f':
        if (atoi (optarg) > 0)
          sb_error (&err, EPERM, "--preserve-fds: a sandbox is given none of the caller's descriptors");
        break;
      case 'C':
        sb_error (&err, EPERM, "--cap %s: an exec gets the container's capabilities, no more", optarg);
        break;
      default: break;
      }
  if (err == NULL && optind >= argc)
    sb_error (&err, EINVAL, "usage: sandbox-runtime exec [OPTIONS] ID [COMMAND ARG...]");
  if (err == NULL && oci_record_load (argv[optind], &rec, &err) == 0)
    {
      body = json_object ();
      if (process)
        {
          proc = oci_load_json (process, &err);
          if (proc)
            {
              json_t *u = json_object_get (proc, "user");
              json_object_set (body, "cmd", json_object_get (proc, "args"));
              json_object_set (body, "env", json_object_get (proc, "env") ?: json_array ());
              if (json_string_value (json_object_get (proc, "cwd")))
                json_object_set (body, "cwd", json_object_get (proc, "cwd"));
              if (u)
                json_object_set_new (body, "user", json_pack ("{s:I, s:I, s:O}", "uid",
                                                              json_integer_value (json_object_get (u, "uid")), "gid",
                                                              json_integer_value (json_object_get (u, "gid")), "groups",
                                                              json_object_get (u, "additionalGids") ?: json_array ()));
              tty = tty || json_is_true (json_object_get (proc, "terminal"));
              /* Capabilities beyond the container's are refused, as in create. */
              {
                json_t *caps = json_object_get (json_object_get (proc, "capabilities"), "bounding"), *v;
                size_t i;
                json_array_foreach (caps, i, v)
                  {
                    const char *name = json_string_value (v) ?: "";
                    static const char *const ok[] = { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
                                                      "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
                                                      "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                                                      "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL };
                    bool fine = false;
                    for (int k = 0; ok[k]; k++)
                      fine |= strcmp (ok[k], name) == 0;
                    if (!fine && err == NULL)
                      sb_error (&err, EPERM, "process.capabilities.bounding: %s is more than a sandbox grants", name);
                  }
              }
            }
        }
      else
        {
          json_t *cmd = json_array ();
          for (int i = optind + 1; i < argc; i++)
            json_array_append_new (cmd, json_string (argv[i]));
          json_object_set_new (body, "cmd", cmd);
          json_object_set (body, "env", env);
          if (cwd)
            json_object_set_new (body, "cwd", json_string (cwd));
          if (user)
            json_object_set_new (body, "user", json_string (user));
        }
      json_object_set_new (body, "tty", json_boolean (tty));
      if (err == NULL && json_array_size (json_object_get (body, "cmd")) == 0)
        sb_error (&err, EINVAL, "exec: no command");
      if (err == NULL && tty && console)
        slave = oci_console (console, json_object_get (proc, "consoleSize"), &err);
      if (err == NULL && pipe2 (ready, O_CLOEXEC) == 0)
        {
          pid = detach ? fork () : 0;
          if (pid == 0)
            {
              int in = slave >= 0 ? slave : 0, out = slave >= 0 ? slave : 1, efd = slave >= 0 ? slave : 2, code;
              close (ready[0]);
              if (slave >= 0)
                {
                  struct termios t;
                  if (tcgetattr (slave, &t) == 0)
                    {
                      cfmakeraw (&t);
                      tcsetattr (slave, TCSANOW, &t);
                    }
                  if (detach)
                    {
                      setsid ();
                      ioctl (slave, TIOCSCTTY, 0);
                    }
                }
              fd = open_exec (json_string_value (json_object_get (rec, "sbd_id")), body, &err);
              if (fd < 0)
                {
                  if (detach)
                    {
                      dprintf (ready[1], "%s", err->msg);
                      _exit (126);
                    }
                  oci_report ("exec", &err);
                  return 126;
                }
              if (detach)
                {
                  /* With a terminal the relay needs none of the caller's
                     stdio, and must not hold them: the shim reads our
                     output until every writer is gone. Without one, they
                     are the process's own from now on. */
                  if (slave >= 0)
                    {
                      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
                      if (null >= 0)
                        {
                          dup2 (null, 0);
                          dup2 (null, 1);
                          dup2 (null, 2);
                          close (null);
                        }
                    }
                  sb_write_all (ready[1], "ok", 2);
                }
              close (ready[1]);
              code = oci_relay_frames (fd, tty, in, out, efd);
              if (detach)
                _exit (code);
              return code;
            }
          close (ready[1]);
          if (pid < 0)
            sb_error (&err, errno, "fork");
          else
            {
              char msg[4096];
              ssize_t n = read (ready[0], msg, sizeof (msg) - 1);
              msg[n > 0 ? n : 0] = '\0';
              if (strcmp (msg, "ok") != 0)
                {
                  waitpid (pid, NULL, 0);
                  sb_error (&err, EIO, "%s", n > 0 ? msg : "exec failed");
                }
              else if (pid_file)
                {
                  char buf[32];
                  snprintf (buf, sizeof (buf), "%d", (int) pid);
                  if (sb_write_atomic (pid_file, buf, strlen (buf), 0644) < 0)
                    sb_error (&err, errno, "--pid-file `%s`", pid_file);
                }
            }
          close (ready[0]);
        }
      json_decref (body);
    }
  if (slave >= 0)
    close (slave);
  json_decref (proc);
  json_decref (rec);
  json_decref (env);
  if (err)
    {
      oci_report ("exec", &err);
      return 1;
    }
  return 0;
}
