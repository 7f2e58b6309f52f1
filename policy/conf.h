/* Shared by the libconfuse files of the project (tenant policies,
   sandboxd.conf): errors read "FILE:LINE: KEY: what is wrong". */
#ifndef SB_POLICY_CONF_H
#define SB_POLICY_CONF_H

#include <confuse.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

/* Held around every libconfuse parse (its lexer is global). */
extern pthread_mutex_t sb_conf_lock;

/* A value for a message: quoted, control characters escaped, long ones cut
   (four rotating buffers per thread). */
const char *sb_conf_show (const char *v);
/* A key for a message: as sb_conf_show without the quotes. */
const char *sb_conf_show_key (const char *v);
/* libconfuse's message (fmt, ap) in our words; is_top_level (may be NULL)
   tells a top-level key met inside a section (a '}' probably missing).
   Returns a malloc'd string. */
char *sb_conf_translate (cfg_t *cfg, const char *fmt, va_list ap, bool (*is_top_level) (const char *))
  __attribute__ ((format (printf, 2, 0)));

#endif
