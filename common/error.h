/* Errors that carry context upward: a failing function fills *err and
   returns a negative value; callers add context with sb_error_prefix(). */
#ifndef SB_ERROR_H
#define SB_ERROR_H

#include <errno.h>
#include <stdarg.h>

typedef struct sb_error
{
  int status;   /* errno of the cause, 0 if none */
  char *msg;
} *sb_error_t;

/* Returns -1 (or -errno_ when errno_ != 0) so callers can `return sb_error (...)`. */
int sb_error (sb_error_t *err, int errno_, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Prepends "CONTEXT: " to an existing error. Returns the same value as sb_error. */
int sb_error_prefix (sb_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
void sb_error_free (sb_error_t *err);
/* Prints "PROG: MESSAGE" to stderr and frees the error. */
void sb_error_print (const char *prog, sb_error_t *err);

#define cleanup_error __attribute__ ((cleanup (sb_error_free)))

/* The cause was a full file system (or the owner's quota of it). */
static inline int
sb_error_is_no_space (sb_error_t err)
{
  return err != 0 && (err->status == ENOSPC || err->status == EDQUOT);
}

#endif
