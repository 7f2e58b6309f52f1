/* What the verbs print: tables with widths from their content, JSON, and
   Go-like templates ({{.Field}}) for --format; times and sizes read the
   way docker prints them. Side-effect free apart from printing. */
#include "client.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- tables ---------------------------------------------------------------------- */

struct sbc_table
{
  int ncols;
  char **cells;             /* rows * ncols, the header first */
  size_t nrows, cap;
};

struct sbc_table *
sbc_table_new (int ncols, const char *const *headers)
{
  struct sbc_table *t = calloc (1, sizeof (*t));

  if (t == NULL)
    return NULL;
  t->ncols = ncols;
  sbc_table_add (t, headers);
  return t;
}

void
sbc_table_add (struct sbc_table *t, const char *const *cells)
{
  if (t->nrows == t->cap)
    {
      size_t cap = t->cap ? t->cap * 2 : 16;
      char **p = realloc (t->cells, cap * (size_t) t->ncols * sizeof (char *));
      if (p == NULL)
        return;
      t->cells = p;
      t->cap = cap;
    }
  for (int i = 0; i < t->ncols; i++)
    t->cells[t->nrows * (size_t) t->ncols + (size_t) i] = strdup (cells[i] ? cells[i] : "");
  t->nrows++;
}

void
sbc_table_print (struct sbc_table *t, FILE *f)
{
  size_t width[32] = { 0 };

  for (size_t r = 0; r < t->nrows; r++)
    for (int c = 0; c < t->ncols && c < 32; c++)
      {
        size_t n = strlen (t->cells[r * (size_t) t->ncols + (size_t) c]);
        if (n > width[c])
          width[c] = n;
      }
  for (size_t r = 0; r < t->nrows; r++)
    {
      for (int c = 0; c < t->ncols; c++)
        {
          const char *cell = t->cells[r * (size_t) t->ncols + (size_t) c];
          if (c == t->ncols - 1)
            fprintf (f, "%s", cell);
          else
            fprintf (f, "%-*s   ", (int) width[c], cell);
        }
      fputc ('\n', f);
    }
}

void
sbc_table_free (struct sbc_table *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->nrows * (size_t) t->ncols; i++)
    free (t->cells[i]);
  free (t->cells);
  free (t);
}

/* ---- templates -------------------------------------------------------------------- */

/* Keys compare without regard to case or '_': .ExitCode finds "exit_code". */
static bool
key_equal (const char *a, size_t alen, const char *b)
{
  size_t i = 0;

  for (; *b; b++)
    {
      if (*b == '_')
        continue;
      while (i < alen && a[i] == '_')
        i++;
      if (i == alen || tolower ((unsigned char) a[i]) != tolower ((unsigned char) *b))
        return false;
      i++;
    }
  return i == alen;
}

static json_t *
lookup (json_t *obj, const char *path, size_t len)
{
  json_t *cur = obj;
  size_t i = 0;

  while (i < len && cur)
    {
      size_t start, n;
      const char *key;
      json_t *v, *found = NULL;

      if (path[i] != '.')
        return NULL;
      start = ++i;
      while (i < len && path[i] != '.')
        i++;
      n = i - start;
      if (n == 0)
        continue; /* "." alone: the object itself */
      if (!json_is_object (cur))
        return NULL;
      json_object_foreach (cur, key, v)
        if (key_equal (path + start, n, key))
          {
            found = v;
            break;
          }
      cur = found;
    }
  return cur;
}

static void
append_value (FILE *m, json_t *v, bool as_json)
{
  char *text;

  if (v == NULL || json_is_null (v))
    {
      if (as_json)
        fputs ("null", m);
      else
        fputs ("<no value>", m);
      return;
    }
  if (!as_json && json_is_string (v))
    {
      fputs (json_string_value (v), m);
      return;
    }
  if (!as_json && json_is_object (v))
    {
      /* Labels and the like: k=v,k=v. */
      const char *k;
      json_t *x;
      bool first = true;
      json_object_foreach (v, k, x)
        {
          fprintf (m, "%s%s=", first ? "" : ",", k);
          append_value (m, x, false);
          first = false;
        }
      return;
    }
  if (!as_json && json_is_array (v))
    {
      size_t i;
      json_t *x;
      json_array_foreach (v, i, x)
        {
          if (i)
            fputc (' ', m);
          append_value (m, x, false);
        }
      return;
    }
  text = json_dumps (v, JSON_COMPACT | JSON_ENCODE_ANY);
  if (text)
    fputs (text, m);
  free (text);
}

char *
sbc_template (const char *tmpl, json_t *obj, sb_error_t *err)
{
  char *out = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&out, &len);
  const char *p = tmpl;

  if (m == NULL)
    {
      sb_error (err, errno, "allocate");
      return NULL;
    }
  while (*p)
    {
      if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n'))
        {
          fputc (p[1] == 't' ? '\t' : '\n', m);
          p += 2;
          continue;
        }
      if (p[0] == '{' && p[1] == '{')
        {
          const char *end = strstr (p + 2, "}}"), *a, *b;
          bool as_json = false;
          json_t *v;

          if (end == NULL)
            {
              fclose (m);
              free (out);
              sb_error (err, 0, "--format: a {{ without its }}");
              return NULL;
            }
          a = p + 2;
          b = end;
          while (a < b && isspace ((unsigned char) *a))
            a++;
          while (b > a && isspace ((unsigned char) b[-1]))
            b--;
          if (b - a > 5 && strncmp (a, "json ", 5) == 0)
            {
              as_json = true;
              a += 5;
              while (a < b && isspace ((unsigned char) *a))
                a++;
            }
          if (a == b || *a != '.')
            {
              fclose (m);
              free (out);
              sb_error (err, 0, "--format: `{{%.*s}}`: use {{.Field}}, {{.A.B}} or {{json .}}", (int) (end - p - 2),
                        p + 2);
              return NULL;
            }
          v = lookup (obj, a, (size_t) (b - a));
          append_value (m, v, as_json);
          p = end + 2;
          continue;
        }
      fputc (*p++, m);
    }
  fclose (m);
  return out;
}

void
sbc_print_json (json_t *j)
{
  json_dumpf (j, stdout, JSON_INDENT (2) | JSON_ENCODE_ANY);
  fputc ('\n', stdout);
}

int
sbc_print_formatted (const struct sbc_out *o, json_t *obj, sb_error_t *err)
{
  if (o->format)
    {
      size_t i;
      json_t *v;
      if (json_is_array (obj))
        {
          json_array_foreach (obj, i, v)
            {
              char *line = sbc_template (o->format, v, err);
              if (line == NULL)
                return -1;
              printf ("%s\n", line);
              free (line);
            }
          return 0;
        }
      char *line = sbc_template (o->format, obj, err);
      if (line == NULL)
        return -1;
      printf ("%s\n", line);
      free (line);
      return 0;
    }
  sbc_print_json (obj);
  return 0;
}

/* ---- times, sizes ------------------------------------------------------------------ */

time_t
sbc_parse_time (const char *iso)
{
  struct tm tm = { 0 };

  if (iso == NULL || strptime (iso, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
    return 0;
  return timegm (&tm);
}

static void
human_duration (long secs, char *out, size_t len)
{
  if (secs < 1)
    snprintf (out, len, "Less than a second");
  else if (secs < 60)
    snprintf (out, len, "%ld second%s", secs, secs == 1 ? "" : "s");
  else if (secs < 3600)
    snprintf (out, len, "%ld minute%s", secs / 60, secs / 60 == 1 ? "" : "s");
  else if (secs < 86400 * 2)
    snprintf (out, len, "%ld hour%s", secs / 3600, secs / 3600 == 1 ? "" : "s");
  else
    snprintf (out, len, "%ld days", secs / 86400);
}

void
sbc_ago (const char *iso, char *out, size_t len)
{
  time_t t = sbc_parse_time (iso);
  char d[64];

  if (t == 0)
    {
      snprintf (out, len, "%s", "");
      return;
    }
  human_duration ((long) (time (NULL) - t), d, sizeof (d));
  snprintf (out, len, "%s ago", d);
}

void
sbc_duration_since (const char *iso, char *out, size_t len)
{
  time_t t = sbc_parse_time (iso);

  if (t == 0)
    {
      snprintf (out, len, "?");
      return;
    }
  human_duration ((long) (time (NULL) - t), out, len);
}

void
sbc_size (uint64_t bytes, char *out, size_t len)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double v = (double) bytes;
  int u = 0;

  while (v >= 1024 && u < 4)
    {
      v /= 1024;
      u++;
    }
  if (u == 0)
    snprintf (out, len, "%lluB", (unsigned long long) bytes);
  else
    snprintf (out, len, "%.4g%s", v, units[u]);
}

char *
sbc_command_string (json_t *cmd)
{
  char *out = NULL;
  size_t len = 0, i;
  FILE *m = open_memstream (&out, &len);
  json_t *v;

  if (m == NULL)
    return strdup ("");
  json_array_foreach (cmd, i, v)
    {
      const char *s = json_string_value (v);
      if (s == NULL)
        continue;
      if (i)
        fputc (' ', m);
      if (s[0] && strpbrk (s, " \t\"'$\\;&|<>()*?") == NULL)
        fputs (s, m);
      else
        {
          fputc ('"', m);
          for (; *s; s++)
            {
              if (*s == '"' || *s == '\\')
                fputc ('\\', m);
              fputc (*s, m);
            }
          fputc ('"', m);
        }
    }
  fclose (m);
  return out;
}
