/* Messages for libconfuse files (policies, sandboxd.conf): the value and
   key quoting, and libconfuse's own messages in our words. */
#include "conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libconfuse keeps its lexer in globals: one parse at a time, whichever file. */
pthread_mutex_t sb_conf_lock = PTHREAD_MUTEX_INITIALIZER;

/* A value for a message: quoted, control characters escaped, long ones cut. */
const char *
sb_conf_show (const char *v)
{
  static __thread char bufs[4][200];
  static __thread unsigned k;
  char *b = bufs[k++ % 4];
  size_t o = 0;
  const unsigned char *q = (const unsigned char *) v;

  b[o++] = '"';
  for (; *q && o < 180; q++)
    {
      if (*q == '"' || *q == '\\')
        {
          b[o++] = '\\';
          b[o++] = (char) *q;
        }
      else if (*q < 0x20 || *q == 0x7f)
        o += (size_t) snprintf (b + o, sizeof (bufs[0]) - o, "\\x%02x", *q);
      else
        b[o++] = (char) *q;
    }
  if (*q)
    {
      memcpy (b + o, "...", 3);
      o += 3;
    }
  b[o++] = '"';
  b[o] = '\0';
  return b;
}

/* A key for a message: as show() without the quotes. */
const char *
sb_conf_show_key (const char *v)
{
  const char *q = sb_conf_show (v);
  static __thread char b[200];
  size_t n = strlen (q);

  snprintf (b, sizeof (b), "%.*s", (int) (n - 2), q + 1);
  return b;
}

/* libconfuse's own messages (3.3, untranslated: nothing here calls
   setlocale), in this format. Our callbacks' messages arrive as "%s". */
char *
sb_conf_translate (cfg_t *cfg, const char *fmt, va_list ap, bool (*is_top_level) (const char *))
{
  char *msg = NULL;
  const char *arg;
  int rc;

  if (strcmp (fmt, "%s") == 0)
    rc = vasprintf (&msg, fmt, ap);
  else if (strcmp (fmt, "no such option '%s'") == 0)
    {
      arg = va_arg (ap, const char *);
      if (cfg->name == NULL || strcmp (cfg->name, "root") == 0)
        rc = asprintf (&msg, "%s: unknown key", sb_conf_show_key (arg));
      else
        {
          /* A top-level key inside a section: usually a `}` left out. */
          bool top = is_top_level && is_top_level (arg);
          rc = asprintf (&msg, "%s: unknown key in %s%s%s%s", sb_conf_show_key (arg), cfg->name,
                         top ? " (is a '}' missing before it? " : "", top ? cfg->name : "",
                         top ? " is still open)" : "");
        }
    }
  else if (strcmp (fmt, "unexpected token '%s'") == 0)
    rc = asprintf (&msg, "syntax error: unexpected %s", sb_conf_show (va_arg (ap, const char *)));
  else if (strcmp (fmt, "missing equal sign after option '%s'") == 0)
    rc = asprintf (&msg, "%s: expected '=' after the key", sb_conf_show_key (va_arg (ap, const char *)));
  else if (strcmp (fmt, "attempt to append to non-list option '%s'") == 0)
    rc = asprintf (&msg, "%s: '+=' only applies to lists", sb_conf_show_key (va_arg (ap, const char *)));
  else if (strcmp (fmt, "missing opening brace for section '%s'") == 0)
    {
      arg = sb_conf_show_key (va_arg (ap, const char *));
      rc = asprintf (&msg, "%s: is a section: %s { ... }", arg, arg);
    }
  else if (strcmp (fmt, "missing title for section '%s'") == 0)
    {
      arg = sb_conf_show_key (va_arg (ap, const char *));
      rc = asprintf (&msg, "%s: expected a name: %s NAME { ... }", arg, arg);
    }
  else if (strcmp (fmt, "found duplicate title '%s'") == 0)
    rc = asprintf (&msg, "volume: %s is given twice", sb_conf_show (va_arg (ap, const char *)));
  else if (strcmp (fmt, "premature end of file") == 0)
    rc = asprintf (&msg, "syntax error: unexpected end of file (a section or list is not closed)");
  else if (strcmp (fmt, "unexpected closing brace") == 0)
    rc = asprintf (&msg, "syntax error: unexpected '}'");
  else
    {
      char *raw = NULL;
      if (vasprintf (&raw, fmt, ap) < 0)
        abort ();
      rc = asprintf (&msg, "syntax error: %s", raw);
      free (raw);
    }
  if (rc < 0)
    abort ();
  return msg;
}

