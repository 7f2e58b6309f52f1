/* The verbs: one table (name, synopsis, summary, options) that main(),
   `help` and the shell completion read; the option parser and the error
   printing every verb shares. */
#include "client.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#define STREAM_NOTE "Exit status: the container's (or the command's); 125 when sandboxctl or sandboxd failed,\n" \
                    "126 when the command could not be started, 127 when it was not found.\n"

const struct sbc_command sbc_commands[] = {
  { "run", sbc_cmd_run, "[OPTIONS] [IMAGE] -- COMMAND [ARG...]  |  run [OPTIONS] IMAGE COMMAND [ARG...]",
    "create and start a container, and (without -d) wait for it",
    "  -d, --detach             start it and print its id\n"
    "      --rm                 remove it when it ends\n"
    "  -i, --interactive        send our stdin to it\n"
    "  -t, --tty                give it a terminal (raw mode here, resizes passed on)\n"
    "  -e, --env NAME=VALUE     set a variable (or NAME: take ours)\n"
    "      --env-file FILE      variables from a file, one NAME=VALUE a line\n"
    "  -w, --workdir DIR        its working directory\n"
    "  -v, --volume SRC:DST[:ro]  a host directory inside the policy's volume-roots\n"
    "      --name NAME          its name\n"
    "      --hostname NAME      its hostname (within the policy's hostname-pattern)\n"
    "  -u, --user UID[:GID]     the user it runs as\n"
    "  -m, --memory SIZE        a memory limit (at most the policy's), e.g. 256M\n"
    "      --cpus N             a CPU limit (at most the policy's), e.g. 0.5\n"
    "      --pids-limit N       a process limit (at most the policy's)\n"
    "      --cpu-shares N       a CPU weight (1024 by default; more only as the policy's cpus allow)\n"
    "      --cpuset-cpus LIST   the CPUs it may run on, e.g. 0-1,3\n"
    "      --cpuset-mems LIST   the memory nodes it may use\n"
    "      --memory-reservation SIZE  a soft memory limit (at most --memory)\n"
    "      --restart POLICY     no, always, unless-stopped, on-failure[:N]\n"
    "  -l, --label KEY=VALUE    a label (ps --filter label=KEY=VALUE)\n"
    "      --detach-keys KEYS   the detach sequence (default ctrl-p,ctrl-q)\n"
    "      --sig-proxy=false    do not pass SIGINT, SIGTERM... on to it (without -t)\n"
    "IMAGE defaults to `host` (the host's root, read-only). " STREAM_NOTE },
  { "create", sbc_cmd_create, "[OPTIONS] [IMAGE] -- COMMAND [ARG...]", "create a container without starting it",
    "  the options of run, except -d, --rm, --detach-keys and --sig-proxy\n"
    "Prints the new container's id.\n" },
  { "start", sbc_cmd_start, "[-a] [-i] CONTAINER...", "start created or stopped containers",
    "  -a, --attach             wait for it, with its output, and exit with its status\n"
    "  -i, --interactive        send our stdin to it (with -a)\n"
    "      --detach-keys KEYS   the detach sequence (default ctrl-p,ctrl-q)\n" },
  { "attach", sbc_cmd_attach, "[OPTIONS] CONTAINER", "connect to a running container's stdio",
    "      --no-stdin           do not send our stdin\n"
    "      --detach-keys KEYS   the detach sequence (default ctrl-p,ctrl-q)\n"
    "      --sig-proxy=false    do not pass SIGINT, SIGTERM... on to it (without a terminal)\n" STREAM_NOTE },
  { "stop", sbc_cmd_stop, "[-t SECONDS] CONTAINER...", "stop containers (SIGTERM, then SIGKILL)",
    "  -t, --time SECONDS       how long to wait before SIGKILL (default 10)\n" },
  { "kill", sbc_cmd_kill, "[-s SIGNAL] CONTAINER...", "send a signal to containers",
    "  -s, --signal SIGNAL      the signal, by name or number (default KILL)\n" },
  { "rm", sbc_cmd_rm, "[-f] CONTAINER...", "remove containers",
    "  -f, --force              remove running ones too (killed first)\n" },
  { "ps", sbc_cmd_ps, "[OPTIONS]", "list containers",
    "  -a, --all                show ended and created ones too\n"
    "  -q, --quiet              only their ids\n"
    "  -f, --filter KEY=VALUE   name=, id=, label=KEY[=VALUE], status=created|running|exited,\n"
    "                           exited=CODE, image=, tenant= (repeatable: all must match)\n"
    "      --no-trunc           full ids and commands\n"
    "      --json               JSON\n"
    "      --format TEMPLATE    e.g. '{{.ID}} {{.Names}} {{.Status}}'\n"
    "Fields: ID, Names, Image, Command, CreatedAt, RunningFor, Status, State, ExitCode, Labels, Tenant.\n" },
  { "inspect", sbc_cmd_inspect, "[--format TEMPLATE] CONTAINER...", "show containers in detail (JSON)",
    "  -f, --format TEMPLATE    e.g. '{{.State}} {{.Config.Hostname}}'\n" },
  { "logs", sbc_cmd_logs, "[OPTIONS] CONTAINER", "show a container's output",
    "  -f, --follow             keep following until it ends\n"
    "  -n, --tail N             only the last N lines (or all)\n"
    "  -t, --timestamps         each line with its time\n" },
  { "exec", sbc_cmd_exec, "[OPTIONS] CONTAINER COMMAND [ARG...]", "run a command in a running container",
    "  -i, --interactive        send our stdin to it\n"
    "  -t, --tty                give it a terminal\n"
    "  -e, --env NAME=VALUE     set a variable\n"
    "  -w, --workdir DIR        its working directory\n"
    "  -u, --user UID[:GID]     the user it runs as\n"
    "      --detach-keys KEYS   the detach sequence (default ctrl-p,ctrl-q)\n" STREAM_NOTE },
  { "wait", sbc_cmd_wait, "CONTAINER...", "wait for containers to end; print their exit codes",
    "Exits with the last container's status.\n" },
  { "stats", sbc_cmd_stats, "[--no-stream] [-a] [CONTAINER...]", "show resource usage",
    "      --no-stream          print once and exit\n"
    "  -a, --all                all containers, not only running ones\n"
    "      --json               JSON (with --no-stream)\n"
    "      --format TEMPLATE    e.g. '{{.Name}} {{.MemUsage}}'\n"
    "Fields: ID, Name, CPUPerc, MemUsage, MemLimit, MemPerc, PIDs, Mediated, Denied.\n" },
  { "events", sbc_cmd_events, "[--filter KEY=VALUE] [--json]", "follow container events (create, start, die...)",
    "  -f, --filter KEY=VALUE   container=, event=, tenant=\n"
    "      --json               one JSON object per line\n"
    "      --format TEMPLATE    e.g. '{{.Action}} {{.Name}}'\n" },
  { "info", sbc_cmd_info, "[--json]", "show the server, who we are to it, and our policy",
    "      --json               JSON\n" },
  { "images", sbc_cmd_images, "[-q] [--json] [--format TEMPLATE]", "list images",
    "  -q, --quiet              only their ids\n"
    "      --json               JSON\n"
    "      --format TEMPLATE    e.g. '{{.ID}} {{.Names}}'\n" },
  { "image ls", sbc_cmd_images, "[-q] [--json] [--format TEMPLATE]", "list images (as images)", "" },
  { "image import", sbc_cmd_image_import, "FILE|- NAME[:TAG]", "import a root filesystem or image tarball",
    "FILE is a tar archive (a root filesystem, `docker save` or an OCI layout), - for stdin.\n"
    "It is sent in pieces of at most 8 MiB.\n" },
  { "image inspect", sbc_cmd_image_inspect, "IMAGE...", "show images in detail (JSON)", "" },
  { "image rm", sbc_cmd_image_rm, "IMAGE...", "remove images (refused while a container uses one)", "" },
  { "admin init", sbc_cmd_admin_init, "[OPTIONS]", "set up a host: CA, certificates, sandboxd.conf, base policy",
    "      --dir DIR            where (default " SB_SYSCONFDIR "/sandboxd)\n"
    "      --hostname NAME      a name or address clients use to reach sandboxd (repeatable;\n"
    "                           default: this host's name, localhost, 127.0.0.1 and its addresses)\n"
    "      --listen ADDR:PORT   where sandboxd listens (default 0.0.0.0:7443)\n"
    "      --state-dir DIR, --run-dir DIR, --audit-log FILE, --unix-socket PATH\n"
    "                           sandboxd.conf's paths (defaults: sandboxd's)\n"
    "      --days N             validity of the server and admin certificates (default 825)\n"
    "      --force              overwrite what is there\n"
    "The CA key stays in DIR/ca/ (mode 0600); the admin's bundle is DIR/admin/.\n" },
  { "tenant add", sbc_cmd_tenant_add, "NAME [--from EXAMPLE] [--out DIR] [OPTIONS]",
    "onboard a tenant: policy, certificate, bundle",
    "      --from EXAMPLE       a policy to start from: a file, or an example's name\n"
    "                           (free-tier, paid-tier, ci-runner); default: the base policy alone\n"
    "      --set 'KEY = VALUE'  replace (or add) a top-level key of the policy (repeatable)\n"
    "      --subject SUBJECT    the certificate's subject (default CN=NAME,O=sandbox tenants)\n"
    "      --out DIR            where the bundle goes (default ./NAME)\n"
    "      --server URL         the address in the bundle (default: the one admin init chose)\n"
    "      --days N             the certificate's validity (default 365)\n"
    "      --dir DIR            the admin directory (default " SB_SYSCONFDIR "/sandboxd)\n"
    "      --force              replace an existing tenant's policy and bundle\n" },
  { "tenant list", sbc_cmd_tenant_list, "[--json] [--dir DIR]", "list tenants, their containers and certificates",
    "" },
  { "tenant show", sbc_cmd_tenant_show, "NAME [--json] [--dir DIR]", "a tenant's policy, containers and usage", "" },
  { "tenant revoke", sbc_cmd_tenant_revoke, "NAME [--dir DIR]",
    "revoke a tenant's certificates (the CRL is updated and sandboxd reloaded)", "" },
  { "tenant rm", sbc_cmd_tenant_rm, "NAME [--force] [--dir DIR]",
    "remove a tenant: its policy, its certificates (revoked), its containers",
    "      --force              stop and remove its running containers first\n" },
  { "context ls", sbc_cmd_context_ls, "", "list the contexts of the configuration", "" },
  { "context use", sbc_cmd_context_use, "NAME", "make NAME the current context", "" },
  { "context show", sbc_cmd_context_show, "", "show the settings in use and where they come from", "" },
  { "context import", sbc_cmd_context_use, "FILE [--name NAME]",
    "add a bundle's context to the configuration (and make it current)", "" },
  { "policy", NULL, "check|show [--base FILE] FILE...", "validate tenant policy files, show the effective policy",
    "See sandboxctl policy --help.\n" },
  { NULL, NULL, NULL, NULL, NULL },
};

const struct sbc_command *
sbc_command_find (const char *name)
{
  for (const struct sbc_command *c = sbc_commands; c->name; c++)
    if (strcmp (c->name, name) == 0)
      return c;
  return NULL;
}

void
sbc_command_help (const struct sbc_command *cmd, FILE *f)
{
  fprintf (f, "Usage: %s %s %s\n\n%c%s.\n", PROG, cmd->name, cmd->synopsis, cmd->summary[0] - 32, cmd->summary + 1);
  if (cmd->help && cmd->help[0])
    fprintf (f, "\n%s", cmd->help);
  fprintf (f, "\nSee sandboxctl(1).\n");
}

int
sbc_usage_error (const char *verb, int code, const char *fmt, ...)
{
  va_list ap;

  fprintf (stderr, "%s %s: ", PROG, verb);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fprintf (stderr, " (see %s %s --help)\n", PROG, verb);
  return code ? code : SB_EXIT_USAGE;
}

void
sbc_error_print (sb_error_t *err)
{
  if (err && *err)
    fprintf (stderr, "%s: %s\n", PROG, (*err)->msg ? (*err)->msg : "failed");
  sb_error_free (err);
}

char *sbc_optarg;
int sbc_optind;

int
sbc_getopt (int argc, char **argv, const char *shortopts, const struct option *longopts, const char *verb)
{
  int o, prev = optind ? optind : 1;

  opterr = 0;
  o = getopt_long (argc, argv, shortopts, longopts, NULL);
  sbc_optarg = optarg;
  sbc_optind = optind;
  if (o == '?' || o == ':')
    {
      const char *given = argv[prev < argc ? prev : argc - 1];
      if (optopt && o == ':')
        fprintf (stderr, "%s %s: -%c needs a value (see %s %s --help)\n", PROG, verb, optopt, PROG, verb);
      else if (optopt && strchr (shortopts, optopt) && strchr (shortopts, optopt)[1] == ':')
        fprintf (stderr, "%s %s: -%c needs a value (see %s %s --help)\n", PROG, verb, optopt, PROG, verb);
      else if (optopt)
        fprintf (stderr, "%s %s: unknown option -%c (see %s %s --help)\n", PROG, verb, optopt, PROG, verb);
      else
        fprintf (stderr, "%s %s: unknown option or missing value: %s (see %s %s --help)\n", PROG, verb, given,
                 PROG, verb);
      return '?';
    }
  return o;
}
