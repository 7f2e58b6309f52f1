/* probe.h - shared reporting for the sandbox security probes.

   Every probe makes a series of attempts at something the sandbox must not
   allow and prints one line per attempt:

     refused: WHAT (errno NAME)      the sandbox stopped it
     refused: WHAT (absent)          the thing does not exist here
     ESCAPE: WHAT (DETAIL)           the attempt got through

   plus "ok:" lines for sanity checks that must work and "SETUP:" lines when
   the probe could not do its job.  Exit status: 0 when every attempt was
   refused, 1 when any attempt escaped, 2 on a setup error (and no escape).

   For calls the sandbox denies outright ("denied class") only EPERM, EACCES
   and ENOSYS count as refused: any other error means the call reached the
   host kernel, which is what a native run as root shows.  Attempts are
   chosen so that they are harmless when they succeed. */
#ifndef SB_PROBE_H
#define SB_PROBE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROBE_OK 0
#define PROBE_ESCAPED 1
#define PROBE_SETUP_ERROR 2

struct probe_state
{
  int escapes;
  int refusals;
  int setup_errors;
};

static struct probe_state probe_st __attribute__ ((unused));

/* Symbolic name of an errno value, "E<number>" when unknown. */
static inline const char *
probe_errname (int err)
{
  static char buf[24];
  switch (err)
    {
#define PROBE_E(e) \
    case e: \
      return #e;
      PROBE_E (EPERM) PROBE_E (ENOENT) PROBE_E (ESRCH) PROBE_E (EINTR)
      PROBE_E (EIO) PROBE_E (ENXIO) PROBE_E (E2BIG) PROBE_E (ENOEXEC)
      PROBE_E (EBADF) PROBE_E (ECHILD) PROBE_E (EAGAIN) PROBE_E (ENOMEM)
      PROBE_E (EACCES) PROBE_E (EFAULT) PROBE_E (EBUSY) PROBE_E (EEXIST)
      PROBE_E (EXDEV) PROBE_E (ENODEV) PROBE_E (ENOTDIR) PROBE_E (EISDIR)
      PROBE_E (EINVAL) PROBE_E (ENFILE) PROBE_E (EMFILE) PROBE_E (ENOTTY)
      PROBE_E (ETXTBSY) PROBE_E (EFBIG) PROBE_E (ENOSPC) PROBE_E (ESPIPE)
      PROBE_E (EROFS) PROBE_E (EMLINK) PROBE_E (EPIPE) PROBE_E (ERANGE)
      PROBE_E (ENAMETOOLONG) PROBE_E (ENOSYS) PROBE_E (ENOTEMPTY)
      PROBE_E (ELOOP) PROBE_E (ENOKEY) PROBE_E (EKEYREJECTED)
      PROBE_E (EOPNOTSUPP) PROBE_E (EAFNOSUPPORT) PROBE_E (EPROTONOSUPPORT)
      PROBE_E (ESOCKTNOSUPPORT) PROBE_E (EPROTOTYPE) PROBE_E (ENOTSOCK)
      PROBE_E (EADDRNOTAVAIL) PROBE_E (ENETDOWN) PROBE_E (ENOBUFS)
      PROBE_E (ETIMEDOUT) PROBE_E (ECONNREFUSED) PROBE_E (ESTALE)
      PROBE_E (EDQUOT) PROBE_E (ENOMSG) PROBE_E (EIDRM) PROBE_E (ENODATA)
      PROBE_E (EOVERFLOW) PROBE_E (EBADMSG) PROBE_E (EKEYEXPIRED)
      PROBE_E (EKEYREVOKED) PROBE_E (ENOMEDIUM) PROBE_E (EMEDIUMTYPE)
      PROBE_E (ECANCELED) PROBE_E (EOWNERDEAD) PROBE_E (ENOTRECOVERABLE)
      PROBE_E (ERFKILL) PROBE_E (EHWPOISON) PROBE_E (ENOTUNIQ)
      PROBE_E (EBADFD) PROBE_E (ENOLINK) PROBE_E (EDESTADDRREQ)
      PROBE_E (EMSGSIZE) PROBE_E (ENOPROTOOPT) PROBE_E (EADDRINUSE)
      PROBE_E (ENETUNREACH) PROBE_E (EHOSTUNREACH) PROBE_E (EALREADY)
      PROBE_E (EINPROGRESS) PROBE_E (ECONNRESET) PROBE_E (ENOTCONN)
      PROBE_E (EISCONN)
#undef PROBE_E
    default:
      snprintf (buf, sizeof buf, "E%d", err);
      return buf;
    }
}

/* Symbolic name of a signal number. */
static inline const char *
probe_signame (int sig)
{
  static char buf[24];
  switch (sig)
    {
#define PROBE_S(s) \
    case s: \
      return #s;
      PROBE_S (SIGSYS) PROBE_S (SIGKILL) PROBE_S (SIGSEGV) PROBE_S (SIGBUS)
      PROBE_S (SIGILL) PROBE_S (SIGABRT) PROBE_S (SIGTRAP) PROBE_S (SIGTERM)
      PROBE_S (SIGFPE) PROBE_S (SIGHUP) PROBE_S (SIGINT) PROBE_S (SIGQUIT)
      PROBE_S (SIGPIPE) PROBE_S (SIGALRM) PROBE_S (SIGUSR1)
      PROBE_S (SIGUSR2) PROBE_S (SIGSTOP) PROBE_S (SIGCHLD)
#undef PROBE_S
    default:
      snprintf (buf, sizeof buf, "signal %d", sig);
      return buf;
    }
}

/* Line-buffer stdout so that lines from forked children stay in order and
   are never duplicated by a fork. */
static inline void
probe_init (void)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
}

/* Print one attempt line; DETAIL (printf format) may be NULL. */
__attribute__ ((format (printf, 3, 4))) static inline void
probe_report (bool refused, const char *what, const char *fmt, ...)
{
  char detail[512] = "";
  if (fmt)
    {
      va_list ap;
      va_start (ap, fmt);
      vsnprintf (detail, sizeof detail, fmt, ap);
      va_end (ap);
    }
  if (refused)
    probe_st.refusals++;
  else
    probe_st.escapes++;
  printf ("%s: %s%s%s%s\n", refused ? "refused" : "ESCAPE", what,
          detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
  fflush (stdout);
}

/* The generic check: REFUSED tells whether the attempt was stopped, ERR is
   the errno the attempt got (0: none). */
static inline bool
probe_refused (const char *what, bool refused, int err)
{
  if (err)
    probe_report (refused, what, "errno %s", probe_errname (err));
  else
    probe_report (refused, what, refused ? NULL : "succeeded");
  return refused;
}

/* The errnos that count as a refusal for a denied-class call. */
static inline bool
probe_denied_errno (int err)
{
  return err == EPERM || err == EACCES || err == ENOSYS;
}

/* A denied-class call returned RC with errno ERR: refused only when it
   failed with EPERM, EACCES or ENOSYS.  Returns true when refused. */
static inline bool
probe_denied (const char *what, long rc, int err)
{
  if (rc == -1 && probe_denied_errno (err))
    return probe_refused (what, true, err);
  if (rc == -1)
    probe_report (false, what, "errno %s: the call reached the kernel",
                  probe_errname (err));
  else
    probe_report (false, what, "succeeded, returned %ld", rc);
  return false;
}

/* The target of the attempt does not exist at all. */
static inline void
probe_absent (const char *what)
{
  probe_report (true, what, "absent");
}

/* A sanity check that must work did work. */
__attribute__ ((format (printf, 1, 2))) static inline void
probe_ok (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("ok: ", stdout);
  vprintf (fmt, ap);
  fputc ('\n', stdout);
  va_end (ap);
  fflush (stdout);
}

/* Informational line (not an attempt). */
__attribute__ ((format (printf, 1, 2))) static inline void
probe_info (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("info: ", stdout);
  vprintf (fmt, ap);
  fputc ('\n', stdout);
  va_end (ap);
  fflush (stdout);
}

/* The probe could not do its job: WHAT failed with ERR (0: no errno). */
static inline void
probe_setup (const char *what, int err)
{
  probe_st.setup_errors++;
  if (err)
    printf ("SETUP: %s (errno %s)\n", what, probe_errname (err));
  else
    printf ("SETUP: %s\n", what);
  fflush (stdout);
}

/* The exit status for what was reported so far. */
static inline int
probe_status (void)
{
  if (probe_st.escapes)
    return PROBE_ESCAPED;
  if (probe_st.setup_errors)
    return PROBE_SETUP_ERROR;
  return PROBE_OK;
}

/* Fold the wait status of a child that reported its own attempts (and
   exited with probe_status ()) into this process's counters. */
static inline void
probe_merge_child (const char *what, int status)
{
  if (WIFEXITED (status))
    {
      switch (WEXITSTATUS (status))
        {
        case PROBE_OK:
          break;
        case PROBE_ESCAPED:
          probe_st.escapes++;
          break;
        default:
          probe_st.setup_errors++;
          break;
        }
    }
  else if (WIFSIGNALED (status))
    {
      char msg[256];
      snprintf (msg, sizeof msg, "child for %s killed by %s", what,
                probe_signame (WTERMSIG (status)));
      probe_setup (msg, 0);
    }
}

/* Run FN (ARG) in a forked child that reports its own attempts, wait for it
   and fold its result in. */
static inline void
probe_in_child (const char *what, void (*fn) (void *), void *arg)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid < 0)
    {
      probe_setup ("fork", errno);
      return;
    }
  if (pid == 0)
    {
      fn (arg);
      fflush (stdout);
      _exit (probe_status ());
    }
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        probe_setup ("waitpid", errno);
        return;
      }
  probe_merge_child (what, status);
}

#endif
