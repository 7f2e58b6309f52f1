/* The client's configuration file (libconfuse), its named contexts, and
   where each setting comes from: an option (--server, --context,
   --config), a SANDBOXCTL_* variable, the file's current context, or, for
   root without any configuration, the daemon's local socket.

     current-context = "acme"
     context acme {
         server = "https://sandbox.example.com:7443"
         ca = "ca.pem"          # relative to this file's directory
         cert = "cert.pem"
         key = "key.pem"
     }

   Errors read "FILE:LINE: what is wrong", as in policy files. */
#include "client.h"
#include "settings.h"
#include "policy/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCAL_SOCKET "/run/sandboxd/sandboxd.sock"

struct sbc_globals sbc_globals;

static char *parse_error;

__attribute__ ((format (printf, 2, 0))) static void
on_error (cfg_t *cfg, const char *fmt, va_list ap)
{
  char *msg;

  if (parse_error)
    return;
  msg = sb_conf_translate (cfg, fmt, ap, NULL);
  if (asprintf (&parse_error, "%s:%d: %s", cfg->filename ? cfg->filename : "?", cfg->line, msg ? msg : "error") < 0)
    parse_error = NULL;
  free (msg);
}

static int
cb_name (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  (void) opt;
  (void) result;
  if (v[0] == '\0' || strlen (v) > 63 || strspn (v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen (v))
    {
      cfg_error (cfg, "context: %s is not a name (letters, digits, '-', '_', '.')", sb_conf_show (v));
      return -1;
    }
  return 0;
}

static cfg_opt_t context_opts[] = {
  CFG_STR ("server", NULL, CFGF_NODEFAULT),
  CFG_STR ("ca", NULL, CFGF_NODEFAULT),
  CFG_STR ("cert", NULL, CFGF_NODEFAULT),
  CFG_STR ("key", NULL, CFGF_NODEFAULT),
  CFG_END (),
};

static cfg_opt_t file_opts[] = {
  CFG_STR ("current-context", "", CFGF_NONE),
  CFG_SEC ("context", context_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
  CFG_END (),
};

static char *
resolve (const char *dir, const char *p)
{
  char *out = NULL;

  if (p == NULL)
    return NULL;
  if (p[0] == '/' || dir == NULL)
    return strdup (p);
  if (p[0] == '~' && p[1] == '/' && getenv ("HOME"))
    return asprintf (&out, "%s/%s", getenv ("HOME"), p + 2) < 0 ? NULL : out;
  return asprintf (&out, "%s/%s", dir, p) < 0 ? NULL : out;
}

/* The line of `context NAME {` (libconfuse gives a section the line where
   it ended). */
static int
context_line (const char *path, const char *name, const char *key)
{
  FILE *f = fopen (path, "re");
  char *line = NULL;
  size_t cap = 0, n = strlen (name);
  int no = 0, found = 0;

  while (f && getline (&line, &cap, f) > 0)
    {
      const char *p = line + strspn (line, " \t");
      no++;
      if (found && key && strncmp (p, key, strlen (key)) == 0)
        {
          found = no;
          break;
        }
      if (found || strncmp (p, "context", 7) != 0 || !strchr (" \t", p[7]))
        continue;
      p += 7 + strspn (p + 7, " \t\"");
      if (strncmp (p, name, n) == 0 && strchr (" \t\"{\n", p[n]))
        {
          found = no;
          if (key == NULL)
            break;
        }
    }
  free (line);
  if (f)
    fclose (f);
  return found;
}

void
sbc_config_file_free (struct sbc_config_file *f)
{
  for (int i = 0; i < f->n; i++)
    {
      free (f->ctx[i].name);
      free (f->ctx[i].server);
      free (f->ctx[i].ca);
      free (f->ctx[i].cert);
      free (f->ctx[i].key);
    }
  free (f->ctx);
  free (f->current);
  free (f->path);
  memset (f, 0, sizeof (*f));
}

int
sbc_config_file_load (struct sbc_config_file *f, const char *path, sb_error_t *err)
{
  cfg_t *cfg;
  char *copy, *dir;
  int rc, ret = -1;

  memset (f, 0, sizeof (*f));
  if (access (path, R_OK) < 0)
    return sb_error (err, errno, "the configuration %s", path);
  pthread_mutex_lock (&sb_conf_lock);
  parse_error = NULL;
  cfg = cfg_init (file_opts, CFGF_NONE);
  cfg_set_error_function (cfg, on_error);
  rc = cfg_parse (cfg, path);
  if (rc != CFG_SUCCESS)
    {
      if (rc == CFG_FILE_ERROR)
        sb_error (err, errno, "the configuration %s", path);
      else
        sb_error (err, 0, "%s", parse_error ? parse_error : "syntax error");
      goto out;
    }
  copy = strdup (path);
  dir = dirname (copy);
  f->path = strdup (path);
  f->current = strdup (cfg_getstr (cfg, "current-context"));
  f->n = (int) cfg_size (cfg, "context");
  f->ctx = calloc ((size_t) f->n + 1, sizeof (*f->ctx));
  for (int i = 0; i < f->n; i++)
    {
      cfg_t *s = cfg_getnsec (cfg, "context", (unsigned) i);
      f->ctx[i].name = strdup (cfg_title (s));
      if (cb_name (cfg, NULL, f->ctx[i].name, NULL) < 0)
        {
          sb_error (err, 0, "%s", parse_error ? parse_error : "bad context name");
          free (copy);
          goto out;
        }
      if (cfg_getstr (s, "server") == NULL)
        {
          sb_error (err, 0, "%s:%d: context %s: no server = \"https://HOST:PORT\"", path,
                    context_line (path, f->ctx[i].name, NULL), f->ctx[i].name);
          free (copy);
          goto out;
        }
      if (strncmp (cfg_getstr (s, "server"), "https://", 8) != 0 && strncmp (cfg_getstr (s, "server"), "unix:///", 8) != 0)
        {
          sb_error (err, 0, "%s:%d: context %s: server: %s is not https://HOST:PORT or unix:///PATH", path,
                    context_line (path, f->ctx[i].name, "server"),
                    f->ctx[i].name, sb_conf_show (cfg_getstr (s, "server")));
          free (copy);
          goto out;
        }
      f->ctx[i].server = strdup (cfg_getstr (s, "server"));
      f->ctx[i].ca = resolve (dir, cfg_getstr (s, "ca"));
      f->ctx[i].cert = resolve (dir, cfg_getstr (s, "cert"));
      f->ctx[i].key = resolve (dir, cfg_getstr (s, "key"));
    }
  free (copy);
  if (f->current[0])
    {
      bool found = false;
      for (int i = 0; i < f->n && !found; i++)
        found = strcmp (f->ctx[i].name, f->current) == 0;
      if (!found)
        {
          sb_error (err, 0, "%s: current-context %s names no context of the file", path, sb_conf_show (f->current));
          goto out;
        }
    }
  else if (f->n == 1)
    {
      free (f->current);
      f->current = strdup (f->ctx[0].name);
    }
  ret = 0;
out:
  cfg_free (cfg);
  free (parse_error);
  parse_error = NULL;
  pthread_mutex_unlock (&sb_conf_lock);
  if (ret < 0)
    sbc_config_file_free (f);
  return ret;
}

char *
sbc_config_default_path (void)
{
  const char *env = getenv ("SANDBOXCTL_CONFIG"), *xdg = getenv ("XDG_CONFIG_HOME"), *home = getenv ("HOME");
  char *out = NULL;

  if (sbc_globals.config)
    return strdup (sbc_globals.config);
  if (env && env[0])
    return strdup (env);
  if (xdg && xdg[0])
    return asprintf (&out, "%s/sandboxctl/config", xdg) < 0 ? NULL : out;
  return asprintf (&out, "%s/.config/sandboxctl/config", home && home[0] ? home : "/root") < 0 ? NULL : out;
}

static char *
env (const char *name)
{
  const char *v = getenv (name);
  return v && v[0] ? strdup (v) : NULL;
}

static void
set (char **field, char *value)
{
  if (value)
    {
      free (*field);
      *field = value;
    }
}

int
sbc_settings_load (struct sbc_settings *s, sb_error_t *err)
{
  struct sbc_config_file f = { 0 };
  char *path = sbc_config_default_path ();
  const char *want = sbc_globals.context ? sbc_globals.context : getenv ("SANDBOXCTL_CONTEXT");
  bool explicit_file = sbc_globals.config || (getenv ("SANDBOXCTL_CONFIG") && getenv ("SANDBOXCTL_CONFIG")[0]);
  char *server = sbc_globals.server ? strdup (sbc_globals.server) : env ("SANDBOXCTL_SERVER");

  memset (s, 0, sizeof (*s));
  if (path == NULL)
    return sb_error (err, ENOMEM, "allocate");
  if (access (path, F_OK) == 0 || explicit_file)
    {
      if (sbc_config_file_load (&f, path, err) < 0)
        {
          free (path);
          free (server);
          return -1;
        }
      s->config_path = strdup (path);
      if (want && want[0])
        {
          int i;
          for (i = 0; i < f.n && strcmp (f.ctx[i].name, want) != 0; i++)
            ;
          if (i == f.n)
            {
              sb_error (err, 0, "no context %s in %s (see %s context ls)", want, path, PROG);
              goto fail;
            }
          free (f.current);
          f.current = strdup (want);
        }
      for (int i = 0; i < f.n; i++)
        if (strcmp (f.ctx[i].name, f.current) == 0)
          {
            s->context = strdup (f.ctx[i].name);
            s->server = f.ctx[i].server ? strdup (f.ctx[i].server) : NULL;
            s->ca = f.ctx[i].ca ? strdup (f.ctx[i].ca) : NULL;
            s->cert = f.ctx[i].cert ? strdup (f.ctx[i].cert) : NULL;
            s->key = f.ctx[i].key ? strdup (f.ctx[i].key) : NULL;
            if (asprintf (&s->origin, "context %s of %s", s->context, path) < 0)
              s->origin = NULL;
          }
    }
  else if (want && want[0])
    {
      sb_error (err, 0, "no context %s: there is no configuration %s", want, path);
      goto fail;
    }
  if (server)
    {
      set (&s->server, server);
      free (s->origin);
      s->origin = strdup (sbc_globals.server ? "--server" : "SANDBOXCTL_SERVER");
      server = NULL;
    }
  set (&s->ca, env ("SANDBOXCTL_CA"));
  set (&s->cert, env ("SANDBOXCTL_CERT"));
  set (&s->key, env ("SANDBOXCTL_KEY"));
  if (s->server == NULL)
    {
      if (geteuid () != 0)
        {
          sb_error (err, 0, "no server to talk to: there is no configuration %s. Use the bundle your provider "
                    "gave you (%s --config DIR/config ...), or import it (%s context import DIR/config)",
                    path, PROG, PROG);
          goto fail;
        }
      /* Root on the daemon's host: its local socket. */
      s->server = strdup ("unix://" LOCAL_SOCKET);
      s->origin = strdup ("root's default: the local socket");
    }
  if (s->context == NULL)
    s->context = strdup ("");
  if (s->origin == NULL)
    s->origin = strdup ("?");
  sbc_config_file_free (&f);
  free (path);
  return 0;
fail:
  sbc_config_file_free (&f);
  sbc_settings_free (s);
  free (server);
  free (path);
  return -1;
}

void
sbc_settings_free (struct sbc_settings *s)
{
  free (s->config_path);
  free (s->context);
  free (s->server);
  free (s->ca);
  free (s->cert);
  free (s->key);
  free (s->origin);
  memset (s, 0, sizeof (*s));
}

/* ---- writing ------------------------------------------------------------------------- */

static void
write_context (FILE *f, const struct sbc_context *c)
{
  fprintf (f, "context %s {\n    server = \"%s\"\n", c->name, c->server);
  if (c->ca)
    fprintf (f, "    ca = \"%s\"\n", c->ca);
  if (c->cert)
    fprintf (f, "    cert = \"%s\"\n", c->cert);
  if (c->key)
    fprintf (f, "    key = \"%s\"\n", c->key);
  fprintf (f, "}\n");
}

static int
mkdir_parents (const char *path)
{
  char buf[4096], *p;

  snprintf (buf, sizeof (buf), "%s", path);
  p = strrchr (buf, '/');
  if (p == NULL || p == buf)
    return 0;
  *p = '\0';
  for (p = buf + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        mkdir (buf, 0755);
        *p = '/';
      }
  if (mkdir (buf, 0700) < 0 && errno != EEXIST)
    return -1;
  return 0;
}

/* Writes text to path through a temporary file and a rename. */
int
sbc_write_file_atomic (const char *path, const char *text, mode_t mode, sb_error_t *err)
{
  char *tmp = NULL;
  FILE *f;
  int fd;

  if (mkdir_parents (path) < 0)
    return sb_error (err, errno, "create the directory of %s", path);
  if (asprintf (&tmp, "%s.tmp%d", path, (int) getpid ()) < 0)
    return sb_error (err, ENOMEM, "allocate");
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0 || (f = fdopen (fd, "w")) == NULL)
    {
      sb_error (err, errno, "write %s", tmp);
      if (fd >= 0)
        close (fd);
      free (tmp);
      return -1;
    }
  fchmod (fd, mode);
  if (fputs (text, f) < 0 || fflush (f) != 0 || fsync (fd) < 0)
    {
      sb_error (err, errno, "write %s", tmp);
      fclose (f);
      unlink (tmp);
      free (tmp);
      return -1;
    }
  fclose (f);
  if (rename (tmp, path) < 0)
    {
      sb_error (err, errno, "rename %s to %s", tmp, path);
      unlink (tmp);
      free (tmp);
      return -1;
    }
  free (tmp);
  return 0;
}

int
sbc_config_write (const char *path, const struct sbc_context *ctx, sb_error_t *err)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&text, &len);
  int ret;

  if (m == NULL)
    return sb_error (err, errno, "allocate");
  fprintf (m, "# sandboxctl configuration: see sandboxctl(1), CONFIGURATION.\n"
              "# Paths are relative to this file's directory.\n"
              "current-context = \"%s\"\n\n", ctx->name);
  write_context (m, ctx);
  fclose (m);
  ret = sbc_write_file_atomic (path, text, 0600, err);
  free (text);
  return ret;
}

/* The file with one more context (absolute paths), or with the current
   context changed (ctx NULL). */
int
sbc_config_update (const char *path, const char *current, const struct sbc_context *add, sb_error_t *err)
{
  char *text = NULL, *line = NULL, *out = NULL;
  size_t cap = 0, len = 0;
  FILE *in = fopen (path, "re"), *m;
  bool replaced = false;
  int ret;

  m = open_memstream (&out, &len);
  if (m == NULL)
    {
      if (in)
        fclose (in);
      return sb_error (err, errno, "allocate");
    }
  if (in == NULL && errno != ENOENT)
    {
      fclose (m);
      free (out);
      return sb_error (err, errno, "read %s", path);
    }
  if (in == NULL)
    fprintf (m, "# sandboxctl configuration: see sandboxctl(1), CONFIGURATION.\n");
  while (in && getline (&line, &cap, in) > 0)
    {
      const char *p = line + strspn (line, " \t");
      if (current && strncmp (p, "current-context", 15) == 0 && strchr (" \t=", p[15]))
        {
          if (!replaced)
            fprintf (m, "current-context = \"%s\"\n", current);
          replaced = true;
          continue;
        }
      fputs (line, m);
    }
  if (current && !replaced)
    fprintf (m, "current-context = \"%s\"\n", current);
  if (add)
    {
      fputc ('\n', m);
      write_context (m, add);
    }
  free (line);
  if (in)
    fclose (in);
  fclose (m);
  ret = sbc_write_file_atomic (path, out, 0600, err);
  free (out);
  free (text);
  return ret;
}
