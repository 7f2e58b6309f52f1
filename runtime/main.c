/* sandbox-runtime: subcommand dispatch only; the work is in libruntime. */
#include "config.h"
#include "runtime.h"

#include <stdio.h>
#include <string.h>

static void
usage (FILE *f)
{
  fprintf (f,
           "usage: sandbox-runtime COMMAND [OPTIONS]\n"
           "\n"
           "Commands:\n"
           "  do [OPTIONS] -- CMD [ARG...]   run a command in a new sandbox and wait for it\n"
           "\n"
           "Run `sandbox-runtime do --help` for the options of `do`.\n");
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return SB_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-v") == 0)
    {
      printf ("sandbox-runtime version %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (strcmp (argv[1], "do") == 0)
    return sb_runtime_do (argc - 1, argv + 1);
  fprintf (stderr, "sandbox-runtime: unknown command `%s`\n", argv[1]);
  usage (stderr);
  return SB_EXIT_USAGE;
}
