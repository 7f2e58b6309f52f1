/* context ls, use, show, import: the named contexts of the configuration
   file, as `docker context`. */
#include "client.h"
#include "settings.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
no_options (int argc, char **argv, const char *verb)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  int o;

  while ((o = sbc_getopt (argc, argv, "h", opts, verb)) != -1)
    switch (o)
      {
      case 'h': sbc_command_help (sbc_command_find (verb), stdout); return -2;
      default: return SB_EXIT_USAGE;
      }
  return 0;
}

int
sbc_cmd_context_ls (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct sbc_config_file f;
  char *path = sbc_config_default_path ();
  static const char *const headers[] = { "NAME", "SERVER", "CERTIFICATE" };
  struct sbc_table *t;
  int rc = no_options (argc, argv, "context ls");

  if (rc)
    {
      free (path);
      return rc == -2 ? SB_EXIT_OK : rc;
    }
  if (access (path, F_OK) < 0)
    {
      printf ("no configuration (%s)%s\n", path, geteuid () == 0 ? ": root talks to the local sandboxd socket" : "");
      free (path);
      return SB_EXIT_OK;
    }
  if (sbc_config_file_load (&f, path, &err) < 0)
    {
      sbc_error_print (&err);
      free (path);
      return SB_EXIT_FAIL;
    }
  t = sbc_table_new (3, headers);
  for (int i = 0; i < f.n; i++)
    {
      char name[80];
      snprintf (name, sizeof (name), "%s%s", f.ctx[i].name, strcmp (f.ctx[i].name, f.current) == 0 ? " *" : "");
      const char *cells[3] = { name, f.ctx[i].server, f.ctx[i].cert ? f.ctx[i].cert : "" };
      sbc_table_add (t, cells);
    }
  sbc_table_print (t, stdout);
  sbc_table_free (t);
  sbc_config_file_free (&f);
  free (path);
  return SB_EXIT_OK;
}

/* use NAME; import FILE [--name NAME] (argv[0] tells which). */
int
sbc_cmd_context_use (int argc, char **argv)
{
  static const struct option opts[] = { { "name", required_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
                                         { NULL, 0, NULL, 0 } };
  bool import = strcmp (argv[0], "import") == 0;
  const char *verb = import ? "context import" : "context use", *rename_to = NULL;
  cleanup_error sb_error_t err = NULL;
  struct sbc_config_file f = { 0 }, b = { 0 };
  char *path = sbc_config_default_path ();
  int o, rc = SB_EXIT_FAIL;

  while ((o = sbc_getopt (argc, argv, "h", opts, verb)) != -1)
    switch (o)
      {
      case 'n':
        if (!import)
          {
            free (path);
            return sbc_usage_error (verb, 0, "no --name here");
          }
        rename_to = sbc_optarg;
        break;
      case 'h': sbc_command_help (sbc_command_find (verb), stdout); free (path); return SB_EXIT_OK;
      default: free (path); return SB_EXIT_USAGE;
      }
  if (argc - sbc_optind != 1)
    {
      free (path);
      return sbc_usage_error (verb, 0, import ? "expects a bundle's config FILE" : "expects a context NAME");
    }
  if (import)
    {
      struct sbc_context ctx;
      if (sbc_config_file_load (&b, argv[sbc_optind], &err) < 0)
        goto out;
      if (b.n == 0)
        {
          sb_error (&err, 0, "%s has no context", argv[sbc_optind]);
          goto out;
        }
      ctx = (struct sbc_context) { .name = rename_to ? rename_to : b.current[0] ? b.current : b.ctx[0].name,
                                   .server = b.ctx[0].server, .ca = b.ctx[0].ca, .cert = b.ctx[0].cert,
                                   .key = b.ctx[0].key };
      for (int i = 0; i < b.n; i++)
        if (strcmp (b.ctx[i].name, b.current) == 0)
          {
            ctx.server = b.ctx[i].server;
            ctx.ca = b.ctx[i].ca;
            ctx.cert = b.ctx[i].cert;
            ctx.key = b.ctx[i].key;
          }
      if (access (path, F_OK) == 0)
        {
          if (sbc_config_file_load (&f, path, &err) < 0)
            goto out;
          for (int i = 0; i < f.n; i++)
            if (strcmp (f.ctx[i].name, ctx.name) == 0)
              {
                sb_error (&err, 0, "%s already has a context %s (import it --name OTHER)", path, ctx.name);
                goto out;
              }
        }
      if (sbc_config_update (path, ctx.name, &ctx, &err) < 0)
        goto out;
      printf ("context %s added to %s (current)\n", ctx.name, path);
      rc = SB_EXIT_OK;
      goto out;
    }
  if (sbc_config_file_load (&f, path, &err) < 0)
    goto out;
  for (int i = 0; i < f.n; i++)
    if (strcmp (f.ctx[i].name, argv[sbc_optind]) == 0)
      {
        if (sbc_config_update (path, argv[sbc_optind], NULL, &err) < 0)
          goto out;
        printf ("%s\n", argv[sbc_optind]);
        rc = SB_EXIT_OK;
        goto out;
      }
  sb_error (&err, 0, "no context %s in %s (see %s context ls)", argv[sbc_optind], path, PROG);
out:
  if (err)
    sbc_error_print (&err);
  sbc_config_file_free (&f);
  sbc_config_file_free (&b);
  free (path);
  return rc;
}

int
sbc_cmd_context_show (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct sbc_settings s;
  int rc = no_options (argc, argv, "context show");

  if (rc)
    return rc == -2 ? SB_EXIT_OK : rc;
  if (sbc_settings_load (&s, &err) < 0)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  printf ("context:  %s\nserver:   %s\nfrom:     %s\n", s.context[0] ? s.context : "(none)", s.server, s.origin);
  if (strncmp (s.server, "https://", 8) == 0)
    printf ("ca:       %s\ncert:     %s\nkey:      %s\n", s.ca ? s.ca : "(none)", s.cert ? s.cert : "(none)",
            s.key ? s.key : "(none)");
  sbc_settings_free (&s);
  return SB_EXIT_OK;
}
