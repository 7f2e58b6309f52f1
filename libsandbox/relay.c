#include "relay.h"
#include "cleanup.h"
#include "fdpass.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* How long output may keep coming after the Sentry is gone (its namespace
   is torn down with it, so it is only what was in flight). */
#define DRAIN_MS 5000

/* One direction: bytes read from src wait in buf until dst takes them. */
struct channel
{
  int src, dst;
  bool close_dst;      /* at src's end of file, close dst (the app's stdin sees it) */
  bool done;
  char buf[16384];
  size_t off, len;
};

static void
channel_init (struct channel *ch, int src, int dst, bool close_dst)
{
  ch->src = src;
  ch->dst = dst;
  ch->close_dst = close_dst;
  ch->done = src < 0 || dst < 0;
  ch->off = ch->len = 0;
}

static void
channel_finish (struct channel *ch, bool own_src)
{
  if (ch->done)
    return;
  ch->done = true;
  if (own_src && ch->src >= 0)
    close (ch->src);
  if (ch->close_dst && ch->dst >= 0)
    close (ch->dst);
}

/* Reads when empty, writes when full; at most one of each per poll round. */
static void
channel_step (struct channel *ch, short src_events, short dst_events, bool own_src)
{
  if (ch->done)
    return;
  if (ch->len == 0 && (src_events & (POLLIN | POLLHUP | POLLERR)))
    {
      ssize_t n = read (ch->src, ch->buf, sizeof (ch->buf));
      if (n > 0)
        {
          ch->off = 0;
          ch->len = (size_t) n;
        }
      else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        {
          channel_finish (ch, own_src); /* end of file; EIO: a terminal with no one left */
          return;
        }
    }
  if (ch->len > 0 && (dst_events & (POLLOUT | POLLERR | POLLHUP)))
    {
      /* At most a pipe buffer: after POLLOUT that never blocks. */
      size_t want = ch->len > 4096 ? 4096 : ch->len;
      ssize_t n = write (ch->dst, ch->buf + ch->off, want);
      if (n > 0)
        {
          ch->off += (size_t) n;
          ch->len -= (size_t) n;
        }
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        channel_finish (ch, own_src); /* the reader went away (EPIPE): so does the writer */
    }
}

/* The operator's terminal, while the sandbox's is relayed. */
static struct termios saved_termios;
static bool termios_saved;

static void
terminal_raw (void)
{
  struct termios raw;

  if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &saved_termios) < 0)
    return;
  raw = saved_termios;
  cfmakeraw (&raw);
  if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0)
    termios_saved = true;
}

static void
terminal_restore (void)
{
  if (termios_saved)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
  termios_saved = false;
}

static void
copy_window_size (int master)
{
  struct winsize ws;

  if (master >= 0 && (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0))
    ioctl (master, TIOCSWINSZ, &ws);
}

static void
set_nonblock (int fd)
{
  int fl = fcntl (fd, F_GETFL);
  if (fl >= 0)
    fcntl (fd, F_SETFL, fl | O_NONBLOCK);
}

static bool
forwarded (const struct sb_relay *r, int sig)
{
  for (int i = 0; i < r->nforward; i++)
    if (r->forward[i] == sig)
      return true;
  return false;
}

int
sb_relay_run (struct sb_relay *r, sb_error_t *err)
{
  struct channel in, out, errc;
  cleanup_close int sigfd = -1;
  int master = -1, status = -1;
  sigset_t mask;
  bool exited = false;
  uint64_t exit_ns = 0;
  char abuf[8192];

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGWINCH);
  for (int i = 0; i < r->nforward; i++)
    sigaddset (&mask, r->forward[i]);
  sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0)
    return sb_error (err, errno, "signalfd");
  /* Our ends only: the operator's descriptors keep their flags. */
  if (r->app_out >= 0)
    set_nonblock (r->app_out);
  if (r->app_err >= 0)
    set_nonblock (r->app_err);
  if (r->audit >= 0)
    set_nonblock (r->audit);
  channel_init (&in, STDIN_FILENO, r->app_in, true);
  channel_init (&out, r->app_out, STDOUT_FILENO, false);
  channel_init (&errc, r->app_err, STDERR_FILENO, false);
  if (r->app_in >= 0)
    set_nonblock (r->app_in);

  for (;;)
    {
      struct pollfd p[8];
      int np = 0, ip_in = -1, ip_indst = -1, ip_out = -1, ip_outdst = -1, ip_err = -1,
          ip_errdst = -1, ip_audit = -1, ip_ctl = -1, ip_sig, timeout = -1;

      if (exited && out.done && errc.done && r->audit < 0)
        break;
      if (exited)
        {
          long left = DRAIN_MS - (long) ((sb_now_ns () - exit_ns) / 1000000);
          if (left <= 0)
            break;
          timeout = (int) left;
        }
      ip_sig = np;
      p[np++] = (struct pollfd) { .fd = sigfd, .events = POLLIN };
      if (!in.done && !exited)
        {
          if (in.len == 0)
            {
              ip_in = np;
              p[np++] = (struct pollfd) { .fd = in.src, .events = POLLIN };
            }
          else
            {
              ip_indst = np;
              p[np++] = (struct pollfd) { .fd = in.dst, .events = POLLOUT };
            }
        }
      if (!out.done)
        {
          if (out.len == 0)
            {
              ip_out = np;
              p[np++] = (struct pollfd) { .fd = out.src, .events = POLLIN };
            }
          else
            {
              ip_outdst = np;
              p[np++] = (struct pollfd) { .fd = out.dst, .events = POLLOUT };
            }
        }
      if (!errc.done)
        {
          if (errc.len == 0)
            {
              ip_err = np;
              p[np++] = (struct pollfd) { .fd = errc.src, .events = POLLIN };
            }
          else
            {
              ip_errdst = np;
              p[np++] = (struct pollfd) { .fd = errc.dst, .events = POLLOUT };
            }
        }
      if (r->audit >= 0)
        {
          ip_audit = np;
          p[np++] = (struct pollfd) { .fd = r->audit, .events = POLLIN };
        }
      if (r->ctl >= 0)
        {
          ip_ctl = np;
          p[np++] = (struct pollfd) { .fd = r->ctl, .events = POLLIN };
        }
      if (poll (p, (nfds_t) np, timeout) < 0)
        {
          if (errno == EINTR)
            continue;
          sb_error (err, errno, "poll");
          break;
        }
      if (p[ip_sig].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sigfd, &si, sizeof (si)) == sizeof (si))
            {
              int sig = (int) si.ssi_signo;
              if (sig == SIGCHLD)
                {
                  if (!exited && waitpid (r->child, &status, WNOHANG) == r->child)
                    {
                      exited = true;
                      exit_ns = sb_now_ns ();
                    }
                }
              else if (sig == SIGWINCH && r->tty)
                copy_window_size (master);
              else if (forwarded (r, sig) && !exited)
                kill (r->child, sig);
            }
        }
      if (ip_ctl >= 0 && p[ip_ctl].revents)
        {
          /* The Sentry hands over the terminal's master ({"op":"terminal"}); `do`
             asks nothing else of it. */
          char msg[256];
          int fds[1], nfds = 1;
          ssize_t n = sb_recv_msg (r->ctl, msg, sizeof (msg) - 1, fds, &nfds);
          if (n > 0)
            msg[n] = '\0';
          if (n > 0 && nfds == 1 && strstr (msg, "\"terminal\"") && master < 0)
            {
              master = fds[0];
              set_nonblock (master);
              copy_window_size (master);
              terminal_raw ();
              channel_init (&in, STDIN_FILENO, master, false);
              channel_init (&out, master, STDOUT_FILENO, false);
            }
          else
            for (int i = 0; i < nfds; i++)
              close (fds[i]);
          if (n <= 0 || master >= 0)
            {
              close (r->ctl);
              r->ctl = -1;
            }
        }
      if (ip_audit >= 0 && p[ip_audit].revents)
        {
          ssize_t n = read (r->audit, abuf, sizeof (abuf));
          if (n > 0)
            sb_audit_log_feed (r->log, abuf, (size_t) n);
          else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            {
              close (r->audit);
              r->audit = -1;
            }
        }
      channel_step (&in, ip_in >= 0 ? p[ip_in].revents : 0, ip_indst >= 0 ? p[ip_indst].revents : 0,
                    false);
      channel_step (&out, ip_out >= 0 ? p[ip_out].revents : 0,
                    ip_outdst >= 0 ? p[ip_outdst].revents : 0, !r->tty);
      channel_step (&errc, ip_err >= 0 ? p[ip_err].revents : 0,
                    ip_errdst >= 0 ? p[ip_errdst].revents : 0, true);
      /* With a terminal but no master (the Sentry failed first), only the exit counts. */
      if (r->tty && master < 0 && r->ctl < 0)
        out.done = true;
    }
  terminal_restore ();
  if (!exited)
    {
      /* Not drained in time, or poll failed: the Sentry's status all the same. */
      kill (r->child, SIGKILL);
      waitpid (r->child, &status, 0);
    }
  if (master >= 0)
    close (master);
  if (!in.done && in.close_dst && in.dst >= 0)
    close (in.dst);
  if (!out.done && !r->tty && out.src >= 0)
    close (out.src);
  if (!errc.done && errc.src >= 0)
    close (errc.src);
  if (r->audit >= 0)
    close (r->audit);
  if (r->ctl >= 0)
    close (r->ctl);
  r->audit = r->ctl = -1;
  return status;
}
