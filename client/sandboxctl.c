/* sandboxctl: the command-line client for tenants and admins. For now it
   only checks and shows tenant policies (client/policy_cmd.c); see
   man/sandboxctl.1. */
#include "config.h"

#include "client.h"

#include <stdio.h>
#include <string.h>

static void
usage (FILE *out, const char *prog)
{
  fprintf (out,
           "Usage: %s COMMAND [ARGS...]\n"
           "\n"
           "Commands:\n"
           "  policy check [--base FILE] FILE...   validate tenant policy files\n"
           "  policy show [--base FILE] FILE       print the effective policy as JSON\n"
           "\n"
           "Options:\n"
           "  -h, --help      show this help\n"
           "  --version       show the version\n"
           "\n"
           "Exit status: 0 success, 1 a policy is invalid or a command failed,\n"
           "2 bad usage. See sandboxctl(1) and sandbox-policy(5).\n",
           prog);
}

int
main (int argc, char **argv)
{
  const char *prog = "sandboxctl";

  if (argc < 2)
    {
      usage (stderr, prog);
      return SB_EXIT_USAGE;
    }
  if (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "help") == 0)
    {
      usage (stdout, prog);
      return SB_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("%s %s\n", prog, PACKAGE_VERSION);
      return SB_EXIT_OK;
    }
  if (strcmp (argv[1], "policy") == 0)
    return sb_cmd_policy (prog, argc - 1, argv + 1);
  if (argv[1][0] == '-')
    fprintf (stderr, "%s: unknown option '%s' (see %s --help)\n", prog, argv[1], prog);
  else
    fprintf (stderr, "%s: unknown command '%s' (see %s --help)\n", prog, argv[1], prog);
  return SB_EXIT_USAGE;
}
