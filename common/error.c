#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
format_message (int errno_, const char *fmt, va_list ap)
{
  char *base = NULL, *full = NULL;

  if (vasprintf (&base, fmt, ap) < 0)
    return NULL;
  if (errno_ == 0)
    return base;
  if (asprintf (&full, "%s: %s", base, strerror (errno_)) < 0)
    full = NULL;
  free (base);
  return full;
}

int
sb_error (sb_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  sb_error_t e;

  if (err == NULL)
    return errno_ ? -errno_ : -1;
  e = calloc (1, sizeof (*e));
  if (e == NULL)
    abort ();
  va_start (ap, fmt);
  e->msg = format_message (errno_, fmt, ap);
  va_end (ap);
  e->status = errno_;
  sb_error_free (err);
  *err = e;
  return errno_ ? -errno_ : -1;
}

int
sb_error_prefix (sb_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *prefix = NULL, *joined = NULL;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end (ap);
  if (prefix && asprintf (&joined, "%s: %s", prefix, (*err)->msg ? (*err)->msg : "") >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = joined;
    }
  free (prefix);
  return (*err)->status ? -(*err)->status : -1;
}

void
sb_error_free (sb_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

void
sb_error_print (const char *prog, sb_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  fprintf (stderr, "%s: %s\n", prog, (*err)->msg ? (*err)->msg : "unknown error");
  sb_error_free (err);
}
