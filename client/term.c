/* The local terminal during `run -t`, `exec -t`, `attach`: raw mode (the
   container's terminal does the line editing and the signals), and the
   saved mode put back on every way out: the stream's end, an error, a lost
   connection (the caller restores), exit() (atexit), and fatal signals
   (restored, then the signal is raised again with its default action). */
#include "client.h"

#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int saved_fd = -1;

void
sbc_term_restore (void)
{
  if (saved_fd >= 0)
    {
      tcsetattr (saved_fd, TCSADRAIN, &saved);
      saved_fd = -1;
    }
}

static void
fatal_signal (int sig)
{
  /* tcsetattr is async-signal-safe. */
  if (saved_fd >= 0)
    tcsetattr (saved_fd, TCSADRAIN, &saved);
  signal (sig, SIG_DFL);
  raise (sig);
}

int
sbc_term_raw (int fd)
{
  static bool hooked;
  struct termios raw;

  if (tcgetattr (fd, &saved) < 0)
    return -1;
  saved_fd = fd;
  if (!hooked)
    {
      static const int fatal[] = { SIGHUP, SIGTERM, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
      struct sigaction sa;
      memset (&sa, 0, sizeof (sa));
      sa.sa_handler = fatal_signal;
      sa.sa_flags = SA_RESETHAND;
      for (size_t i = 0; i < sizeof (fatal) / sizeof (fatal[0]); i++)
        {
          struct sigaction old;
          /* A handler the caller installed (e.g. the stream's) stays. */
          if (sigaction (fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
            sigaction (fatal[i], &sa, NULL);
        }
      atexit (sbc_term_restore);
      hooked = true;
    }
  raw = saved;
  cfmakeraw (&raw);
  /* Output post-processing stays as it was: the container's terminal
     already turned \n into \r\n. */
  raw.c_oflag = saved.c_oflag & ~(tcflag_t) OPOST;
  if (tcsetattr (fd, TCSADRAIN, &raw) < 0)
    {
      saved_fd = -1;
      return -1;
    }
  return 0;
}

bool
sbc_term_size (int fd, int *rows, int *cols)
{
  struct winsize ws;

  if (ioctl (fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
    return false;
  *rows = ws.ws_row;
  *cols = ws.ws_col;
  return true;
}
