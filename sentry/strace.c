/* --strace: one line per mediated call, like `runsc --strace`:
   [tid] name(args...) = result (class). Paths are shown as the Sentry
   resolved them, so the line says what was really looked up.

   Every string comes from the app (a path, an xattr name), and the lines
   go to the operator's terminal or log: each is quoted and escaped as
   strace(1) does (\n, \t, \", \\, other bytes outside printable ASCII
   as octal), so that a name can neither forge a trace line nor send escape
   sequences to a terminal. */
#include "sentry.h"
#include "memory.h"
#include "syscall_table.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t strace_lock = PTHREAD_MUTEX_INITIALIZER;

/* "s" (n bytes), quoted and escaped, with "..." after the quote when cut. */
void
sb_strace_quote (char *out, size_t len, const char *s, size_t n, bool cut)
{
  size_t at = 0, i;

  if (len < 8)
    {
      if (len)
        out[0] = '\0';
      return;
    }
  out[at++] = '"';
  for (i = 0; i < n; i++)
    {
      unsigned char ch = (unsigned char) s[i];
      char esc[8];
      size_t k;

      switch (ch)
        {
        case '\n': strcpy (esc, "\\n"); break;
        case '\t': strcpy (esc, "\\t"); break;
        case '\r': strcpy (esc, "\\r"); break;
        case '\v': strcpy (esc, "\\v"); break;
        case '\f': strcpy (esc, "\\f"); break;
        case '"': strcpy (esc, "\\\""); break;
        case '\\': strcpy (esc, "\\\\"); break;
        default:
          if (ch < 0x20 || ch >= 0x7f)
            snprintf (esc, sizeof (esc), "\\%03o", ch);
          else
            {
              esc[0] = (char) ch;
              esc[1] = '\0';
            }
        }
      k = strlen (esc);
      if (at + k + 5 >= len)
        {
          cut = true;
          break;
        }
      memcpy (out + at, esc, k);
      at += k;
    }
  out[at++] = '"';
  if (cut)
    {
      memcpy (out + at, "...", 3);
      at += 3;
    }
  out[at] = '\0';
}

static void
put_string (char *out, size_t len, pid_t tid, uint64_t addr)
{
  char s[96];
  ssize_t n = sb_mem_read_string (tid, addr, s, sizeof (s));

  if (n < 0 && n != -ENAMETOOLONG)
    snprintf (out, len, "%#llx", (unsigned long long) addr);
  else
    sb_strace_quote (out, len, s, n < 0 ? sizeof (s) - 1 : (size_t) n, n < 0);
}

static void
format_open_flags (uint64_t v, char *out, size_t len)
{
  static const struct
  {
    int bit;
    const char *name;
  } bits[] = {
    { O_CREAT, "O_CREAT" },         { O_EXCL, "O_EXCL" },         { O_NOCTTY, "O_NOCTTY" },
    { O_TRUNC, "O_TRUNC" },         { O_APPEND, "O_APPEND" },     { O_NONBLOCK, "O_NONBLOCK" },
    { O_DSYNC, "O_DSYNC" },         { O_DIRECT, "O_DIRECT" },     { O_LARGEFILE, "O_LARGEFILE" },
    { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
    { O_CLOEXEC, "O_CLOEXEC" },     { O_PATH, "O_PATH" },         { __O_TMPFILE, "O_TMPFILE" },
  };
  static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
  size_t at, i;
  int flags = (int) v, rest;

  at = snprintf (out, len, "%s", acc[flags & O_ACCMODE]);
  rest = flags & ~O_ACCMODE;
  for (i = 0; i < sizeof (bits) / sizeof (bits[0]) && at < len; i++)
    if (bits[i].bit && (rest & bits[i].bit) == bits[i].bit)
      {
        at += snprintf (out + at, len - at, "|%s", bits[i].name);
        rest &= ~bits[i].bit;
      }
  if (rest && at < len)
    snprintf (out + at, len - at, "|%#x", rest);
}

static void
format_arg (struct sb_call *c, int kind, uint64_t v, bool *path_used, char *out, size_t len)
{
  switch (kind)
    {
    case SB_ARG_OPENFLAGS:
      format_open_flags (v, out, len);
      break;
    case SB_ARG_INT:
      snprintf (out, len, "%lld", (long long) v);
      break;
    case SB_ARG_UINT:
      snprintf (out, len, "%llu", (unsigned long long) v);
      break;
    case SB_ARG_FD:
      if ((int) v == AT_FDCWD)
        snprintf (out, len, "AT_FDCWD");
      else
        snprintf (out, len, "%d", (int) v);
      break;
    case SB_ARG_MODE:
      snprintf (out, len, "0%llo", (unsigned long long) v);
      break;
    case SB_ARG_PATH:
      if (!*path_used && c->detail[0])
        {
          sb_strace_quote (out, len, c->detail, strlen (c->detail), false);
          *path_used = true;
        }
      else
        put_string (out, len, c->tid, v);
      break;
    case SB_ARG_STR:
      put_string (out, len, c->tid, v);
      break;
    default:
      snprintf (out, len, "%#llx", (unsigned long long) v);
      break;
    }
}

void
sb_strace_call (struct sb_call *c, long ret, const char *how)
{
  const struct sb_syscall *e = sb_syscall_lookup (c->nr);
  char line[4096], arg[1100], result[64];
  bool path_used = false;
  size_t at = 0;
  int i, nargs = e ? e->nargs : 6;

  at += snprintf (line + at, sizeof (line) - at, "[%6d] %s(", c->tid, e ? e->name : "unknown");
  for (i = 0; i < nargs && at < sizeof (line); i++)
    {
      format_arg (c, e ? e->arg[i] : SB_ARG_HEX, c->args[i], &path_used, arg, sizeof (arg));
      at += snprintf (line + at, sizeof (line) - at, "%s%s", i ? ", " : "", arg);
    }
  if (ret == SB_RET_CONTINUE)
    snprintf (result, sizeof (result), "(continued on the host)");
  else if (ret == SB_RET_DONE)
    snprintf (result, sizeof (result), "(in progress)");
  else if (ret < 0)
    snprintf (result, sizeof (result), "-1 %s", strerrorname_np ((int) -ret) ?: "?");
  else
    snprintf (result, sizeof (result), "%ld", ret);
  if (at < sizeof (line))
    snprintf (line + at, sizeof (line) - at, ") = %s [%s]\n", result, how);
  pthread_mutex_lock (&strace_lock);
  if (write (STDERR_FILENO, line, strlen (line)) < 0)
    {
      /* nothing sensible to do: the caller's stderr is gone */
    }
  pthread_mutex_unlock (&strace_lock);
}
