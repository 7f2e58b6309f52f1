/* The text layer of the policy loader: what libconfuse is given to parse.

   libconfuse 3.3 (Debian 12) has two lexer bugs that matter here: every
   `#` or `//` comment advances its line counter by two extra lines, so
   every error after the first comment would name the wrong line; and a
   comment between the values of a list ("a",  # why\n "b") is a syntax
   error. Its lexer also silently drops characters it has no rule for (an
   unquoted `acme-*` reaches the parser as `acme-`), expands ${VARIABLES}
   from the environment, and cuts strings at an escaped NUL.

   So a policy file first goes through this pre-pass, which mirrors the
   lexer's tokenisation and
     - blanks every comment (keeping its newlines), so the lines libconfuse
       counts are the file's lines;
     - refuses what the lexer would silently alter: stray `*` and `+`,
       ${...}, NUL escapes, unterminated strings and comments;
     - expands `include "FILE"` (and `include("FILE")`) in place, at the top
       level only, relative to the including file's directory, keeping a
       map from each line of the combined text to its file and line;
     - notes which lists are assigned with `+=` only, so the merge can append
       them to the base file's values instead of replacing them.
   Its first error is kept with the (combined) line it is on and the text is
   cut at the start of that line: policy.c lets libconfuse parse what comes
   before, so the error reported is always the first one in the file. */
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INCLUDE_DEPTH PT_MAX_INCLUDE_DEPTH
#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_NEST 8

void *
pt_xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (p == NULL)
    abort ();
  return p;
}

char *
pt_xstrdup (const char *s)
{
  char *d = strdup (s);
  if (d == NULL)
    abort ();
  return d;
}

/* Copies src into dst[size], cut if needed (keys and paths were checked
   against the sizes where it matters). */
static void
set_str (char *dst, size_t size, const char *src)
{
  size_t n = strnlen (src, size - 1);
  memcpy (dst, src, n);
  dst[n] = '\0';
}

/* --- the combined text and its line map ----------------------------------- */

static void
out_reserve (struct pt_text *t, size_t more)
{
  if (t->len + more + 1 > t->cap)
    {
      t->cap = (t->len + more + 1) * 2;
      t->buf = pt_xrealloc (t->buf, t->cap);
    }
}

static void
out_char (struct pt_text *t, char c)
{
  out_reserve (t, 1);
  t->buf[t->len++] = c;
  t->buf[t->len] = '\0';
}

static void
map_push (struct pt_text *t, int file, int line)
{
  if (t->nmap == t->mapcap)
    {
      t->mapcap = t->mapcap ? t->mapcap * 2 : 64;
      t->map = pt_xrealloc (t->map, t->mapcap * sizeof (*t->map));
    }
  t->map[t->nmap].file = file;
  t->map[t->nmap].line = line;
  t->nmap++;
}

/* Ends the current combined line; the next one is `line` of `file`. */
static void
out_newline (struct pt_text *t, int file, int line)
{
  out_char (t, '\n');
  t->line_start = t->len;
  map_push (t, file, line);
}

void
pt_locate (const struct pt_text *t, int outline, const char **file, int *line)
{
  size_t i;

  if (t->nmap == 0)
    {
      *file = t->nfiles ? t->files[0] : "?";
      *line = outline > 0 ? outline : 1;
      return;
    }
  i = outline < 1 ? 0 : (size_t) outline - 1;
  if (i >= t->nmap)
    i = t->nmap - 1;
  *file = t->files[t->map[i].file];
  *line = t->map[i].line;
}

static int
add_file (struct pt_text *t, const char *name)
{
  t->files = pt_xrealloc (t->files, (size_t) (t->nfiles + 1) * sizeof (*t->files));
  t->files[t->nfiles] = pt_xstrdup (name);
  return t->nfiles++;
}

void
pt_free (struct pt_text *t)
{
  for (int i = 0; i < t->nfiles; i++)
    free (t->files[i]);
  free (t->files);
  free (t->buf);
  free (t->map);
  free (t->assigns);
  free (t->err);
  memset (t, 0, sizeof (*t));
}

/* --- assignments (for `+=` across files) ----------------------------------- */

static void
note_assign (struct pt_text *t, const char *path, bool append)
{
  struct pt_assign *a = NULL;

  for (size_t i = 0; i < t->nassigns; i++)
    if (strcmp (t->assigns[i].path, path) == 0)
      a = &t->assigns[i];
  if (a == NULL)
    {
      t->assigns = pt_xrealloc (t->assigns, (t->nassigns + 1) * sizeof (*t->assigns));
      a = &t->assigns[t->nassigns++];
      memset (a, 0, sizeof (*a));
      set_str (a->path, sizeof (a->path), path);
    }
  if (append)
    a->append = true;
  else
    a->plain = true;
}

bool
pt_appends (const struct pt_text *t, const char *path)
{
  for (size_t i = 0; i < t->nassigns; i++)
    if (strcmp (t->assigns[i].path, path) == 0)
      return t->assigns[i].append && !t->assigns[i].plain;
  return false;
}

/* --- reading files --------------------------------------------------------- */

/* Reads a regular file of at most MAX_FILE_SIZE bytes. Opens with
   O_NONBLOCK so that a FIFO cannot stall the loader. On failure returns
   NULL and sets *why to a static description. */
static char *
read_file (const char *path, size_t *len, struct stat *st, const char **why)
{
  char *data;
  size_t got = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      *why = strerror (errno);
      return NULL;
    }
  if (fstat (fd, st) < 0)
    {
      *why = strerror (errno);
      close (fd);
      return NULL;
    }
  if (!S_ISREG (st->st_mode))
    {
      *why = "not a regular file";
      close (fd);
      return NULL;
    }
  if (st->st_size > MAX_FILE_SIZE)
    {
      *why = "too large (at most 1 MiB)";
      close (fd);
      return NULL;
    }
  data = pt_xrealloc (NULL, (size_t) st->st_size + 1);
  for (;;)
    {
      ssize_t n;
      if (got == (size_t) st->st_size)
        break;
      n = read (fd, data + got, (size_t) st->st_size - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *why = strerror (errno);
          free (data);
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      got += (size_t) n;
    }
  close (fd);
  data[got] = '\0';
  *len = got;
  return data;
}

/* --- the scanner ------------------------------------------------------------ */

enum
{
  T_EOF = 0,
  T_STR = 256,
  T_PLUSEQ,
};

struct token
{
  int type;
  size_t start, end;   /* in the file's text */
  int line;            /* of the token's start */
  size_t outline;      /* combined line of the token's start */
  size_t line_off;     /* offset in the combined text of that line's start */
  char val[256];       /* decoded value of a string (truncated) */
  bool truncated;
};

enum state
{
  S_KEY, S_AFTER_KEY, S_VALUE, S_LIST, S_TITLE, S_FUNC,
  S_INCLUDE, S_INCLUDE_PAREN, S_INCLUDE_CLOSE,
};

struct scan
{
  struct pt_text *t;
  int file;
  const char *s;
  size_t len, i;
  int line;
  enum state state;
  int depth;
  char stack[MAX_NEST][40];
  struct token opened[MAX_NEST];   /* the key token of each open section */
  char key[64];
  struct token keytok;             /* the key of the statement under way */
  char incpath[256];
  struct token inctok;
  int incdepth;
};

static int scan_file (struct pt_text *t, int file, const char *s, size_t len, int incdepth);

__attribute__ ((format (printf, 5, 6))) static int
scan_error (struct scan *sc, int line, size_t outline, size_t line_off, const char *fmt, ...)
{
  struct pt_text *t = sc->t;
  va_list ap;
  char *msg = NULL;

  if (t->err == NULL)
    {
      va_start (ap, fmt);
      if (vasprintf (&msg, fmt, ap) < 0)
        abort ();
      va_end (ap);
      if (asprintf (&t->err, "%s:%d: %s", t->files[sc->file], line, msg) < 0)
        abort ();
      free (msg);
      t->err_outline = outline;
      t->len = line_off;
      if (t->buf)
        t->buf[t->len] = '\0';
    }
  return -1;
}

#define TOK_ERROR(sc, tok, ...) \
  scan_error ((sc), (tok)->line, (tok)->outline, (tok)->line_off, __VA_ARGS__)

static void
val_put (struct token *tok, size_t *n, char c)
{
  if (*n + 1 < sizeof (tok->val))
    tok->val[(*n)++] = c;
  else
    tok->truncated = true;
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A double-quoted string, as the lexer's <dq_str> rules read it. */
static int
scan_dq (struct scan *sc, struct token *tok)
{
  const char *s = sc->s;
  size_t j = sc->i + 1, n = 0;

  while (j < sc->len && s[j] != '"')
    {
      if (s[j] == '\\')
        {
          char e;
          if (j + 1 >= sc->len)
            break;
          e = s[j + 1];
          if (e >= '0' && e <= '7')
            {
              unsigned v = 0;
              size_t k = j + 1;
              while (k < sc->len && k < j + 4 && s[k] >= '0' && s[k] <= '7')
                v = v * 8 + (unsigned) (s[k++] - '0');
              if (v == 0)
                return TOK_ERROR (sc, tok, "syntax error: a string cannot hold a NUL character");
              val_put (tok, &n, (char) v);
              j = k;
              continue;
            }
          if (e == 'x' && j + 2 < sc->len && hexval (s[j + 2]) >= 0)
            {
              int v = hexval (s[j + 2]);
              size_t k = j + 3;
              if (k < sc->len && hexval (s[k]) >= 0)
                v = v * 16 + hexval (s[k++]);
              if (v == 0)
                return TOK_ERROR (sc, tok, "syntax error: a string cannot hold a NUL character");
              val_put (tok, &n, (char) v);
              j = k;
              continue;
            }
          switch (e)
            {
            case '\n': break;   /* line continuation */
            case 'n': val_put (tok, &n, '\n'); break;
            case 'r': val_put (tok, &n, '\r'); break;
            case 't': val_put (tok, &n, '\t'); break;
            case 'b': val_put (tok, &n, '\b'); break;
            case 'f': val_put (tok, &n, '\f'); break;
            case 'a': val_put (tok, &n, '\a'); break;
            case 'e': val_put (tok, &n, '\033'); break;
            case 'v': val_put (tok, &n, '\v'); break;
            default: val_put (tok, &n, e); break;
            }
          j += 2;
          continue;
        }
      if (s[j] == '$' && j + 1 < sc->len && s[j + 1] == '{')
        return TOK_ERROR (sc, tok, "syntax error: ${...} (environment substitution) is not supported");
      val_put (tok, &n, s[j]);
      j++;
    }
  if (j >= sc->len)
    return TOK_ERROR (sc, tok, "syntax error: unterminated string");
  tok->val[n] = '\0';
  tok->type = T_STR;
  tok->end = j + 1;
  return 0;
}

/* A single-quoted string: no substitutions, only \\ and \' escapes. */
static int
scan_sq (struct scan *sc, struct token *tok)
{
  const char *s = sc->s;
  size_t j = sc->i + 1, n = 0;

  while (j < sc->len && s[j] != '\'')
    {
      if (s[j] == '\\' && j + 1 < sc->len)
        {
          if (s[j + 1] == '\\' || s[j + 1] == '\'')
            {
              val_put (tok, &n, s[j + 1]);
              j += 2;
              continue;
            }
          if (s[j + 1] == '\n')
            {
              j += 2;
              continue;
            }
        }
      val_put (tok, &n, s[j]);
      j++;
    }
  if (j >= sc->len)
    return TOK_ERROR (sc, tok, "syntax error: unterminated string");
  tok->val[n] = '\0';
  tok->type = T_STR;
  tok->end = j + 1;
  return 0;
}

/* Characters that end an unquoted string (the lexer's character class). */
static const char unquoted_stop[] = " #\"'\t\n\r={}()+,*";

/* Skips blanks and comments (copying them to the combined text, comments as
   spaces) and finds the next token, which is left unconsumed. */
static int
next_token (struct scan *sc, struct token *tok)
{
  struct pt_text *t = sc->t;
  const char *s = sc->s;
  char c, next;

  memset (tok, 0, sizeof (*tok));
  for (;;)
    {
      if (sc->i >= sc->len)
        {
          tok->type = T_EOF;
          tok->line = sc->line;
          tok->outline = t->nmap;
          tok->line_off = t->line_start;
          return 0;
        }
      c = s[sc->i];
      next = sc->i + 1 < sc->len ? s[sc->i + 1] : '\0';
      if (c == ' ' || c == '\t' || c == '\r')
        {
          out_char (t, c == '\r' ? ' ' : c);
          sc->i++;
        }
      else if (c == '\n')
        {
          sc->line++;
          out_newline (t, sc->file, sc->line);
          sc->i++;
        }
      else if (c == '#' || (c == '/' && next == '/'))
        {
          while (sc->i < sc->len && s[sc->i] != '\n')
            {
              out_char (t, ' ');
              sc->i++;
            }
        }
      else if (c == '/' && next == '*')
        {
          size_t j = sc->i + 2;
          while (j + 1 < sc->len && !(s[j] == '*' && s[j + 1] == '/'))
            j++;
          if (j + 1 >= sc->len)
            return scan_error (sc, sc->line, t->nmap, t->line_start,
                               "syntax error: unterminated comment");
          for (j += 2; sc->i < j; sc->i++)
            {
              if (s[sc->i] == '\n')
                {
                  sc->line++;
                  out_newline (t, sc->file, sc->line);
                }
              else
                out_char (t, ' ');
            }
        }
      else
        break;
    }

  tok->start = sc->i;
  tok->line = sc->line;
  tok->outline = t->nmap;
  tok->line_off = t->line_start;
  switch (c)
    {
    case '{': case '}': case '(': case ')': case '=': case ',':
      tok->type = c;
      tok->end = sc->i + 1;
      return 0;
    case '+':
      if (next != '=')
        return TOK_ERROR (sc, tok, "syntax error: unexpected character '+'");
      tok->type = T_PLUSEQ;
      tok->end = sc->i + 2;
      return 0;
    case '*':
      return TOK_ERROR (sc, tok, "syntax error: unexpected character '*' "
                        "(quote patterns: \"python:3.*\")");
    case '"':
      return scan_dq (sc, tok);
    case '\'':
      return scan_sq (sc, tok);
    default:
      {
        size_t j = sc->i, n = 0;
        while (j < sc->len && strchr (unquoted_stop, s[j]) == NULL)
          {
            if (s[j] == '$' && j + 1 < sc->len && s[j + 1] == '{')
              return TOK_ERROR (sc, tok, "syntax error: ${...} (environment substitution) "
                                "is not supported");
            val_put (tok, &n, s[j]);
            j++;
          }
        tok->val[n] = '\0';
        tok->type = T_STR;
        tok->end = j;
        return 0;
      }
    }
}

/* Copies the token to the combined text, or blanks it (for `include`). */
static void
consume (struct scan *sc, const struct token *tok, bool blank)
{
  for (sc->i = tok->start; sc->i < tok->end; sc->i++)
    {
      char c = sc->s[sc->i];
      if (c == '\n')
        {
          sc->line++;
          out_newline (sc->t, sc->file, sc->line);
        }
      else
        out_char (sc->t, blank ? ' ' : c);
    }
}

static void
record_assign (struct scan *sc, bool append)
{
  char path[sizeof (((struct pt_assign *) 0)->path)];
  size_t o = 0;

  path[0] = '\0';
  for (int d = 0; d < sc->depth && d < MAX_NEST; d++)
    o += (size_t) snprintf (path + o, o < sizeof (path) ? sizeof (path) - o : 0, "%s/",
                            sc->stack[d]);
  if (o < sizeof (path))
    snprintf (path + o, sizeof (path) - o, "%s", sc->key);
  note_assign (sc->t, path, append);
}

static int
do_include (struct scan *sc)
{
  struct pt_text *t = sc->t;
  const struct token *tok = &sc->inctok;
  char resolved[4096 + 4096];
  const char *cur = t->files[sc->file], *slash, *why = NULL;
  struct stat st;
  size_t len;
  char *data;
  int file, rc;

  if (!t->allow_include)
    return TOK_ERROR (sc, tok, "include: not allowed in a policy held in memory");
  if (sc->incpath[0] == '\0')
    return TOK_ERROR (sc, tok, "include: the file name is empty");
  if (sc->incdepth >= MAX_INCLUDE_DEPTH)
    return TOK_ERROR (sc, tok, "include: nested too deeply (at most %d levels)",
                      MAX_INCLUDE_DEPTH);
  slash = strrchr (cur, '/');
  if (sc->incpath[0] == '/' || slash == NULL)
    snprintf (resolved, sizeof (resolved), "%s", sc->incpath);
  else
    snprintf (resolved, sizeof (resolved), "%.*s/%s", (int) (slash - cur), cur, sc->incpath);
  data = read_file (resolved, &len, &st, &why);
  if (data == NULL)
    return TOK_ERROR (sc, tok, "include: cannot read %s: %s", resolved, why);
  for (int k = 0; k < t->nopen; k++)
    if (t->open[k].dev == st.st_dev && t->open[k].ino == st.st_ino)
      {
        free (data);
        return TOK_ERROR (sc, tok, "include: %s includes itself", resolved);
      }
  file = add_file (t, resolved);
  t->open[t->nopen].dev = st.st_dev;
  t->open[t->nopen].ino = st.st_ino;
  t->nopen++;
  out_newline (t, file, 1);
  rc = scan_file (t, file, data, len, sc->incdepth + 1);
  free (data);
  t->nopen--;
  if (rc < 0)
    return rc;
  out_newline (t, sc->file, sc->line);
  return 0;
}

/* Follows libconfuse's grammar just enough to know where keys, sections
   and `include` are. Anything unexpected is passed on: libconfuse reports
   it (at a line no later than this pass would). */
static int
step (struct scan *sc, struct token *tok)
{
  switch (sc->state)
    {
    case S_KEY:
      if (tok->type == T_STR && sc->depth == 0 && !tok->truncated
          && strcmp (tok->val, "include") == 0)
        {
          consume (sc, tok, true);
          sc->inctok = *tok;
          sc->state = S_INCLUDE;
          return 0;
        }
      if (tok->type == T_STR)
        {
          /* libconfuse would read "a|b" as the option b of section a. */
          if (strpbrk (tok->val, "|=") != NULL)
            {
              for (char *q = tok->val; *q; q++)   /* keep the message on one line */
                if ((unsigned char) *q < 0x20 || *q == 0x7f)
                  *q = '?';
              return TOK_ERROR (sc, tok, "%s: unknown key", tok->val);
            }
          set_str (sc->key, sizeof (sc->key), tok->val);
          sc->keytok = *tok;
          sc->state = S_AFTER_KEY;
        }
      else if (tok->type == '}' && sc->depth > 0)
        sc->depth--;
      break;
    case S_AFTER_KEY:
      if (tok->type == '=' || tok->type == T_PLUSEQ)
        {
          record_assign (sc, tok->type == T_PLUSEQ);
          sc->state = S_VALUE;
        }
      else if (tok->type == '{')
        {
          if (sc->depth < MAX_NEST)
            {
              set_str (sc->stack[sc->depth], sizeof (sc->stack[0]), sc->key);
              sc->opened[sc->depth] = sc->keytok;
            }
          sc->depth++;
          sc->state = S_KEY;
        }
      else if (tok->type == T_STR)
        sc->state = S_TITLE;
      else if (tok->type == '(')
        sc->state = S_FUNC;
      else
        {
          /* Not a statement libconfuse accepts (it will say so): read the
             token again as the start of the next one, so that a `}` is
             never lost. */
          sc->state = S_KEY;
          return step (sc, tok);
        }
      break;
    case S_VALUE:
      if (tok->type == '{')
        sc->state = S_LIST;
      else if (tok->type == T_STR)
        sc->state = S_KEY;
      else
        {
          sc->state = S_KEY;
          return step (sc, tok);
        }
      break;
    case S_LIST:
      if (tok->type == '}')
        sc->state = S_KEY;
      break;
    case S_TITLE:
      if (tok->type != '{')
        {
          sc->state = S_KEY;
          return step (sc, tok);
        }
      if (sc->depth < MAX_NEST)
        {
          set_str (sc->stack[sc->depth], sizeof (sc->stack[0]), sc->key);
          sc->opened[sc->depth] = sc->keytok;
        }
      sc->depth++;
      sc->state = S_KEY;
      break;
    case S_FUNC:
      if (tok->type == ')')
        sc->state = S_KEY;
      break;
    case S_INCLUDE:
    case S_INCLUDE_PAREN:
      if (tok->type == '(' && sc->state == S_INCLUDE)
        {
          consume (sc, tok, true);
          sc->state = S_INCLUDE_PAREN;
          return 0;
        }
      if (tok->type != T_STR || tok->truncated || strlen (tok->val) >= sizeof (sc->incpath))
        return TOK_ERROR (sc, &sc->inctok, "include: expects a file name: include \"FILE\"");
      set_str (sc->incpath, sizeof (sc->incpath), tok->val);
      consume (sc, tok, true);
      if (sc->state == S_INCLUDE_PAREN)
        {
          sc->state = S_INCLUDE_CLOSE;
          return 0;
        }
      sc->state = S_KEY;
      return do_include (sc);
    case S_INCLUDE_CLOSE:
      if (tok->type != ')')
        return TOK_ERROR (sc, &sc->inctok, "include: expects a file name: include \"FILE\"");
      consume (sc, tok, true);
      sc->state = S_KEY;
      return do_include (sc);
    }
  consume (sc, tok, false);
  return 0;
}

static int
scan_file (struct pt_text *t, int file, const char *s, size_t len, int incdepth)
{
  struct scan *sc;
  struct token tok;
  const char *nul;
  int rc = 0;

  sc = calloc (1, sizeof (*sc));
  if (sc == NULL)
    abort ();
  sc->t = t;
  sc->file = file;
  sc->s = s;
  sc->len = len;
  sc->line = 1;
  sc->incdepth = incdepth;

  nul = memchr (s, '\0', len);
  if (nul != NULL)
    {
      int line = 1;
      for (const char *q = s; q < nul; q++)
        line += *q == '\n';
      rc = scan_error (sc, line, t->nmap, t->line_start,
                       "syntax error: the file holds a NUL byte");
      goto out;
    }

  for (;;)
    {
      if ((rc = next_token (sc, &tok)) < 0)
        goto out;
      if (tok.type == T_EOF)
        break;
      if ((rc = step (sc, &tok)) < 0)
        goto out;
    }
  /* libconfuse 3.3 accepts a file that ends inside a section. These are
     reported at the line of what is left open, but ranked at the end of the
     file and without cutting the text: if libconfuse finds anything wrong
     before (this pass's reading of a broken file can be off), that wins. */
  if (sc->state >= S_INCLUDE)
    rc = TOK_ERROR (sc, &sc->inctok, "include: expects a file name: include \"FILE\"");
  else if (sc->state != S_KEY)
    rc = scan_error (sc, sc->keytok.line, t->nmap, t->len, "%s: unexpected end of file "
                     "(the value or list is not complete)", sc->key);
  else if (sc->depth > 0 && sc->depth <= MAX_NEST)
    rc = scan_error (sc, sc->opened[sc->depth - 1].line, t->nmap, t->len,
                     "%s: the section is not closed (missing '}')", sc->stack[sc->depth - 1]);
  else if (sc->depth > 0)
    rc = scan_error (sc, tok.line, t->nmap, t->len,
                     "syntax error: unexpected end of file (a section is not closed)");
out:
  free (sc);
  return rc;
}

int
pt_load (struct pt_text *t, const char *name, const char *text, bool allow_include)
{
  struct stat st;
  const char *why = NULL;
  char *data = NULL;
  size_t len;
  int file, rc;

  memset (t, 0, sizeof (*t));
  t->allow_include = allow_include;
  file = add_file (t, name);
  out_reserve (t, 0);
  t->buf[0] = '\0';
  map_push (t, file, 1);
  if (text != NULL)
    len = strlen (text);
  else
    {
      data = read_file (name, &len, &st, &why);
      if (data == NULL)
        {
          if (asprintf (&t->err, "%s: cannot read: %s", name, why) < 0)
            abort ();
          t->err_outline = 0;
          return -1;
        }
      t->open[0].dev = st.st_dev;
      t->open[0].ino = st.st_ino;
      t->nopen = 1;
      text = data;
    }
  rc = scan_file (t, file, text, len, 0);
  free (data);
  return rc;
}
