/* sandboxctl: the command-line client for tenants and admins. main() reads
   the global options and picks the verb from the table (commands.c);
   see man/sandboxctl.1. */
#include "config.h"

#include "client.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: %s [--config FILE] [--context NAME] [--server URL] COMMAND [ARGS...]\n"
           "\n"
           "Containers (a tenant's, over sandboxd's API):\n",
           PROG);
  for (const struct sbc_command *c = sbc_commands; c->name; c++)
    {
      if (strcmp (c->name, "images") == 0)
        fprintf (out, "\nImages:\n");
      else if (strcmp (c->name, "admin init") == 0)
        fprintf (out, "\nAdministration (the provider's):\n");
      else if (strcmp (c->name, "context ls") == 0)
        fprintf (out, "\nConfiguration:\n");
      if (strcmp (c->name, "image ls") == 0)
        continue;
      fprintf (out, "  %-15s %s\n", c->name, c->summary);
    }
  fprintf (out,
           "\n"
           "Global options:\n"
           "  --config FILE     the configuration (default ~/.config/sandboxctl/config, or $SANDBOXCTL_CONFIG)\n"
           "  --context NAME    a context of it other than the current one ($SANDBOXCTL_CONTEXT)\n"
           "  -H, --server URL  https://HOST:PORT or unix:///PATH ($SANDBOXCTL_SERVER; with\n"
           "                    $SANDBOXCTL_CA, $SANDBOXCTL_CERT, $SANDBOXCTL_KEY)\n"
           "  -h, --help        this help; `%s help COMMAND` or `%s COMMAND --help` for one\n"
           "  --version         the version\n"
           "\n"
           "As root without a configuration, sandboxctl talks to the local sandboxd's socket.\n"
           "Exit status: 0 done, 1 failed, 2 bad usage; run, exec, start -a, attach and wait exit\n"
           "with the container's status (125, 126, 127 for sandboxctl's or sandboxd's failure, a\n"
           "command that cannot run, a command not found). See sandboxctl(1).\n",
           PROG, PROG);
}

/* "image import" and the like: the verb's table entry for argv (two words
   first), and how many words it took. */
static const struct sbc_command *
find_verb (int argc, char **argv, int *words)
{
  const struct sbc_command *c;
  char two[128];

  if (argc >= 2)
    {
      snprintf (two, sizeof (two), "%s %s", argv[0], argv[1]);
      if ((c = sbc_command_find (two)) != NULL)
        {
          *words = 2;
          return c;
        }
    }
  *words = 1;
  if (strcmp (argv[0], "image") == 0 && argc >= 2 && strcmp (argv[1], "list") == 0)
    {
      *words = 2;
      return sbc_command_find ("image ls");
    }
  if (strcmp (argv[0], "tenant") == 0 && argc >= 2 && strcmp (argv[1], "ls") == 0)
    {
      *words = 2;
      return sbc_command_find ("tenant list");
    }
  if (strcmp (argv[0], "container") == 0 && argc >= 2)
    {
      /* `container ls` and friends, as docker's management commands. */
      *words = 2;
      return sbc_command_find (strcmp (argv[1], "ls") == 0 || strcmp (argv[1], "list") == 0 ? "ps" : argv[1]);
    }
  return sbc_command_find (argv[0]);
}

static int
help (int argc, char **argv)
{
  const struct sbc_command *c;
  int words;

  if (argc < 2)
    {
      usage (stdout);
      return SB_EXIT_OK;
    }
  if (strcmp (argv[1], "policy") == 0)
    {
      sb_policy_usage (stdout, PROG);
      return SB_EXIT_OK;
    }
  c = find_verb (argc - 1, argv + 1, &words);
  if (c == NULL)
    {
      /* A group: its verbs. */
      bool any = false;
      size_t n = strlen (argv[1]);
      for (c = sbc_commands; c->name; c++)
        if (strncmp (c->name, argv[1], n) == 0 && c->name[n] == ' ')
          {
            if (!any)
              printf ("%s %s commands:\n", PROG, argv[1]);
            printf ("  %-15s %s\n", c->name, c->summary);
            any = true;
          }
      if (any)
        return SB_EXIT_OK;
      fprintf (stderr, "%s help: no command %s (see %s --help)\n", PROG, argv[1], PROG);
      return SB_EXIT_USAGE;
    }
  sbc_command_help (c, stdout);
  return SB_EXIT_OK;
}

int
main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' }, { "context", required_argument, NULL, 'x' },
    { "server", required_argument, NULL, 'H' }, { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },      { NULL, 0, NULL, 0 },
  };
  const struct sbc_command *c;
  int o, words;

  signal (SIGPIPE, SIG_IGN);
  /* A shell starts background jobs with SIGINT ignored; a follow (logs -f,
     events, stats) must still end on Ctrl-C or kill -INT, as docker's does.
     The verbs that own a terminal or proxy signals install their own. */
  signal (SIGINT, SIG_DFL);
  opterr = 0;
  while ((o = getopt_long (argc, argv, "+hH:", opts, NULL)) != -1)
    switch (o)
      {
      case 'c': sbc_globals.config = optarg; break;
      case 'x': sbc_globals.context = optarg; break;
      case 'H': sbc_globals.server = optarg; break;
      case 'h': usage (stdout); return SB_EXIT_OK;
      case 'v': printf ("%s %s\n", PROG, PACKAGE_VERSION); return SB_EXIT_OK;
      default:
        fprintf (stderr, "%s: unknown option or missing value: %s (see %s --help)\n", PROG, argv[optind - 1], PROG);
        return SB_EXIT_USAGE;
      }
  argc -= optind;
  argv += optind;
  if (argc < 1)
    {
      usage (stderr);
      return SB_EXIT_USAGE;
    }
  if (strcmp (argv[0], "help") == 0)
    return help (argc, argv);
  if (strcmp (argv[0], "policy") == 0)
    return sb_cmd_policy (PROG, argc, argv);
  c = find_verb (argc, argv, &words);
  if (c == NULL || c->run == NULL)
    {
      bool group = false;
      size_t n = strlen (argv[0]);
      for (const struct sbc_command *k = sbc_commands; k->name && !group; k++)
        group = strncmp (k->name, argv[0], n) == 0 && k->name[n] == ' ';
      if (group)
        fprintf (stderr, "%s %s: expects a command%s%s (see %s help %s)\n", PROG, argv[0], argc > 1 ? ", not " : "",
                 argc > 1 ? argv[1] : "", PROG, argv[0]);
      else
        fprintf (stderr, "%s: unknown command '%s' (see %s --help)\n", PROG, argv[0], PROG);
      return SB_EXIT_USAGE;
    }
  argc -= words - 1;
  argv += words - 1;
  optind = 0;
  return c->run (argc, argv);
}
