/* sandbox-runtime: subcommand dispatch only; the work is in libruntime.
   runc's global options come first (--root, --log, --log-format, --debug,
   --systemd-cgroup), with ours (--config, --tenant, --sandboxd-socket);
   then the command. */
#include "config.h"
#include "runtime.h"
#include "oci.h"

#include <stdio.h>
#include <string.h>

static const struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *help;
} commands[] = {
  { "create", oci_cmd_create, "create a container from an OCI bundle (--bundle, --pid-file, --console-socket)" },
  { "start", oci_cmd_start, "start a created container" },
  { "run", oci_cmd_run, "create and start a container, and wait for it (unless --detach)" },
  { "state", oci_cmd_state, "print a container's state as JSON" },
  { "kill", oci_cmd_kill, "send a signal (name or number; default TERM) to a container" },
  { "delete", oci_cmd_delete, "remove a stopped container (--force: any)" },
  { "exec", oci_cmd_exec, "run a process in a running container (--process, --tty, --detach)" },
  { "ps", oci_cmd_ps, "list a container's processes (--format json: host pids)" },
  { "list", oci_cmd_list, "list containers (--format json, -q)" },
  { "pause", oci_cmd_pause, "freeze a container" },
  { "resume", oci_cmd_resume, "thaw a container" },
  { "update", oci_cmd_update, "change a container's resources within the tenant's policy" },
  { "events", oci_cmd_events, "a container's usage (--stats)" },
  { "features", oci_cmd_features, "what this runtime honours, as JSON" },
  { "spec", oci_cmd_spec, "write an example config.json" },
  { "install", oci_cmd_install, "register in Docker's daemon.json; print containerd's snippet" },
  { NULL, NULL, NULL },
};

static void
usage (FILE *f)
{
  fprintf (f, "usage: sandbox-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\nCommands:\n"
              "  %-9s %s\n", "do", "run a command in a new sandbox and wait for it (see do --help)");
  for (int i = 0; commands[i].name; i++)
    fprintf (f, "  %-9s %s\n", commands[i].name, commands[i].help);
  fprintf (f, "\nGlobal options: --root DIR, --log FILE, --log-format text|json, --debug, --systemd-cgroup,\n"
              "  --config FILE (default %s/sandbox-runtime.conf), --tenant NAME, --sandboxd-socket PATH\n"
              "See sandbox-runtime(1).\n", SB_SYSCONFDIR);
}

int
main (int argc, char **argv)
{
  sb_error_t err = NULL;
  int i;

  if (argc >= 2 && strcmp (argv[1], "do") == 0)
    return sb_runtime_do (argc - 1, argv + 1);
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      usage (stdout);
      return 0;
    }
  if (argc >= 2 && (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-v") == 0
                    || strcmp (argv[1], "version") == 0))
    {
      printf ("sandbox-runtime version %s\nspec: %s\n", PACKAGE_VERSION, OCI_VERSION);
      return 0;
    }
  i = oci_parse_globals (&argc, &argv);
  if (i < 0 || i >= argc)
    {
      usage (stderr);
      return SB_EXIT_USAGE;
    }
  for (int k = 0; commands[k].name; k++)
    if (strcmp (argv[i], commands[k].name) == 0)
      {
        if (oci_load_config (&err) < 0)
          {
            oci_report (argv[i], &err);
            return 1;
          }
        return commands[k].run (argc - i, argv + i);
      }
  fprintf (stderr, "sandbox-runtime: unknown command `%s`\n", argv[i]);
  usage (stderr);
  return SB_EXIT_USAGE;
}
