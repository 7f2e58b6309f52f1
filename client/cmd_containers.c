/* ps, inspect, stop, kill, rm, wait, info: the verbs that ask sandboxd
   one thing per container. Filters apply here, on the list sandboxd
   gives: every key ps documents works whatever the daemon filters. */
#include "client.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_JSON = 1000, OPT_FORMAT, OPT_NO_TRUNC };

/* One request per reference (/v1/containers/REF + suffix + query);
   prints what docker prints (the reference). */
static int
each (int argc, char **argv, int first, const char *verb, const char *method, const char *suffix, const char *query)
{
  cleanup_error sb_error_t err = NULL;
  struct sbc *c = sbc_open (&err);
  int rc = SB_EXIT_OK;

  if (c == NULL)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  for (int i = first; i < argc; i++)
    {
      struct sbc_reply r;
      char path[700];
      snprintf (path, sizeof (path), "/v1/containers/%s%s%s", sbc_escape (argv[i]), suffix, query);
      if (sbc_request (c, method, path, NULL, &r, &err) < 0)
        {
          sbc_error_print (&err);
          sbc_close (c);
          return SB_EXIT_FAIL;
        }
      if (r.status >= 300 && r.status != 304)
        {
          if (r.status == 404)
            sbc_container_error (c, argv[i], &r, &err);
          else
            sbc_reply_error (&r, argv[i], &err);
          fprintf (stderr, "%s %s: %s\n", PROG, verb, err->msg);
          sb_error_free (&err);
          rc = SB_EXIT_FAIL;
        }
      else
        printf ("%s\n", argv[i]);
      sbc_reply_clear (&r);
    }
  sbc_close (c);
  return rc;
}

int
sbc_cmd_stop (int argc, char **argv)
{
  static const struct option opts[] = {
    { "time", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  char query[64] = "timeout=10";
  int o;

  while ((o = sbc_getopt (argc, argv, "t:h", opts, "stop")) != -1)
    switch (o)
      {
      case 't':
        {
          char *end;
          long n = strtol (sbc_optarg, &end, 10);
          if (*sbc_optarg == '\0' || *end || n < 0 || n > 3600)
            return sbc_usage_error ("stop", 0, "-t %s: seconds, 0..3600", sbc_optarg);
          snprintf (query, sizeof (query), "timeout=%ld", n);
        }
        break;
      case 'h': sbc_command_help (sbc_command_find ("stop"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind >= argc)
    return sbc_usage_error ("stop", 0, "expects at least one CONTAINER");
  return each (argc, argv, sbc_optind, "stop", "POST", "/stop?", query);
}

int
sbc_cmd_kill (int argc, char **argv)
{
  static const struct option opts[] = {
    { "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  char query[80] = "signal=KILL";
  int o;

  while ((o = sbc_getopt (argc, argv, "s:h", opts, "kill")) != -1)
    switch (o)
      {
      case 's':
        if (strlen (sbc_optarg) > 16 || sbc_optarg[0] == '\0')
          return sbc_usage_error ("kill", 0, "-s %s: a signal such as TERM, SIGHUP or 9", sbc_optarg);
        snprintf (query, sizeof (query), "signal=%s", sbc_escape (sbc_optarg));
        break;
      case 'h': sbc_command_help (sbc_command_find ("kill"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind >= argc)
    return sbc_usage_error ("kill", 0, "expects at least one CONTAINER");
  return each (argc, argv, sbc_optind, "kill", "POST", "/kill?", query);
}

int
sbc_cmd_rm (int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  bool force = false;
  int o;

  while ((o = sbc_getopt (argc, argv, "fh", opts, "rm")) != -1)
    switch (o)
      {
      case 'f': force = true; break;
      case 'h': sbc_command_help (sbc_command_find ("rm"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind >= argc)
    return sbc_usage_error ("rm", 0, "expects at least one CONTAINER");
  return each (argc, argv, sbc_optind, "rm", "DELETE", "?", force ? "force=1" : "force=0");
}

int
sbc_wait_container (struct sbc *c, const char *ref, sb_error_t *err);

int
sbc_cmd_wait (int argc, char **argv)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_error sb_error_t err = NULL;
  struct sbc *c;
  int o, code = SB_EXIT_OK;

  while ((o = sbc_getopt (argc, argv, "h", opts, "wait")) != -1)
    switch (o)
      {
      case 'h': sbc_command_help (sbc_command_find ("wait"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_DAEMON;
      }
  if (sbc_optind >= argc)
    return sbc_usage_error ("wait", SB_EXIT_DAEMON, "expects at least one CONTAINER");
  c = sbc_open (&err);
  if (c == NULL)
    {
      sbc_error_print (&err);
      return SB_EXIT_DAEMON;
    }
  for (int i = sbc_optind; i < argc; i++)
    {
      struct sbc_reply r;
      char path[600];
      snprintf (path, sizeof (path), "/v1/containers/%s/wait", sbc_escape (argv[i]));
      if (sbc_request (c, "POST", path, NULL, &r, &err) < 0)
        {
          sbc_error_print (&err);
          code = SB_EXIT_DAEMON;
          break;
        }
      if (r.status != 200)
        {
          sbc_container_error (c, argv[i], &r, &err);
          sbc_error_print (&err);
          code = SB_EXIT_DAEMON;
        }
      else
        {
          code = (int) json_integer_value (json_object_get (r.json, "exit_code"));
          printf ("%d\n", code);
          fflush (stdout);
        }
      sbc_reply_clear (&r);
    }
  sbc_close (c);
  return code;
}

/* ---- ps ---------------------------------------------------------------------------- */

static json_t *
row (json_t *ctr, bool no_trunc)
{
  const char *state = json_string_value (json_object_get (ctr, "state")) ?: "?";
  const char *id = json_string_value (json_object_get (ctr, "id")) ?: "";
  char status[128], ago[64], dur[64], short_id[13];
  char *cmd = sbc_command_string (json_object_get (ctr, "cmd"));
  json_t *o;

  if (strcmp (state, "running") == 0 || strcmp (state, "starting") == 0)
    {
      sbc_duration_since (json_string_value (json_object_get (ctr, "started")), dur, sizeof (dur));
      snprintf (status, sizeof (status), "%s %s", strcmp (state, "running") == 0 ? "Up" : "Starting", dur);
    }
  else if (strcmp (state, "exited") == 0)
    {
      sbc_ago (json_string_value (json_object_get (ctr, "finished")), ago, sizeof (ago));
      snprintf (status, sizeof (status), "Exited (%d) %s%s",
                (int) json_integer_value (json_object_get (ctr, "exit_code")), ago,
                json_is_true (json_object_get (ctr, "oom_killed")) ? " (out of memory)" : "");
    }
  else
    snprintf (status, sizeof (status), "Created");
  sbc_ago (json_string_value (json_object_get (ctr, "created")), ago, sizeof (ago));
  snprintf (short_id, sizeof (short_id), "%.12s", id);
  if (!no_trunc && strlen (cmd) > 22)
    strcpy (cmd + 19, "...");
  o = json_pack ("{s:s, s:s, s:O, s:s, s:O, s:s, s:s, s:s, s:O, s:O}", "ID", no_trunc ? id : short_id, "Names",
                 json_string_value (json_object_get (ctr, "name")) ?: "", "Image",
                 json_object_get (ctr, "image") ?: json_string (""), "Command", cmd, "CreatedAt",
                 json_object_get (ctr, "created") ?: json_string (""), "RunningFor", ago, "Status", status, "State",
                 state, "Labels", json_object_get (ctr, "labels") ?: json_object (), "Tenant",
                 json_object_get (ctr, "tenant") ?: json_string (""));
  json_object_set (o, "ExitCode", json_object_get (ctr, "exit_code") ?: json_null ());
  free (cmd);
  return o;
}

/* Does the container pass every filter (KEY=VALUE)? */
static bool
passes (json_t *ctr, char **filters, int nfilters)
{
  for (int i = 0; i < nfilters; i++)
    {
      const char *f = filters[i], *v = strchr (f, '=') + 1;
      size_t klen = (size_t) (v - f - 1);
      const char *field = NULL;
      if (strncmp (f, "name", klen) == 0 && klen == 4)
        {
          if (!strstr (json_string_value (json_object_get (ctr, "name")) ?: "", v))
            return false;
          continue;
        }
      if (strncmp (f, "id", klen) == 0 && klen == 2)
        {
          if (strncmp (json_string_value (json_object_get (ctr, "id")) ?: "", v, strlen (v)) != 0)
            return false;
          continue;
        }
      if (strncmp (f, "label", klen) == 0 && klen == 5)
        {
          const char *eq = strchr (v, '=');
          char key[256];
          const char *have;
          snprintf (key, sizeof (key), "%.*s", eq ? (int) (eq - v) : (int) strlen (v), v);
          have = json_string_value (json_object_get (json_object_get (ctr, "labels"), key));
          if (have == NULL || (eq && strcmp (have, eq + 1) != 0))
            return false;
          continue;
        }
      if (strncmp (f, "exited", klen) == 0 && klen == 6)
        {
          if (!json_is_integer (json_object_get (ctr, "exit_code"))
              || json_integer_value (json_object_get (ctr, "exit_code")) != atoi (v))
            return false;
          continue;
        }
      if (klen == 6 && strncmp (f, "status", 6) == 0)
        field = "state";
      else if ((klen == 5 && strncmp (f, "image", 5) == 0) || (klen == 8 && strncmp (f, "ancestor", 8) == 0))
        field = "image";
      else if (klen == 6 && strncmp (f, "tenant", 6) == 0)
        field = "tenant";
      if (field && strcmp (json_string_value (json_object_get (ctr, field)) ?: "", v) != 0)
        return false;
    }
  return true;
}

static bool
filter_known (const char *f)
{
  static const char *const keys[] = { "name=", "id=", "label=", "status=", "exited=", "image=", "ancestor=",
                                      "tenant=" };
  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    if (strncmp (f, keys[i], strlen (keys[i])) == 0)
      return true;
  return false;
}

int
sbc_cmd_ps (int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },           { "quiet", no_argument, NULL, 'q' },
    { "filter", required_argument, NULL, 'f' },  { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "json", no_argument, NULL, OPT_JSON },     { "format", required_argument, NULL, OPT_FORMAT },
    { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  struct sbc_out out = { 0 };
  char *filters[32];
  int nfilters = 0, o, rc = SB_EXIT_OK;
  bool all = false;
  struct sbc *c;
  json_t *list = NULL, *v, *shown;
  size_t i;

  while ((o = sbc_getopt (argc, argv, "aqf:h", opts, "ps")) != -1)
    switch (o)
      {
      case 'a': all = true; break;
      case 'q': out.quiet = true; break;
      case 'f':
        if (!filter_known (sbc_optarg) || nfilters == 32)
          return sbc_usage_error ("ps", 0, "--filter %s: use name=, id=, label=, status=, exited=, image= or tenant=",
                                  sbc_optarg);
        if (strncmp (sbc_optarg, "status=", 7) == 0 || strncmp (sbc_optarg, "exited=", 7) == 0)
          all = true;
        filters[nfilters++] = sbc_optarg;
        break;
      case OPT_NO_TRUNC: out.no_trunc = true; break;
      case OPT_JSON: out.json = true; break;
      case OPT_FORMAT: out.format = sbc_optarg; break;
      case 'h': sbc_command_help (sbc_command_find ("ps"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind < argc)
    return sbc_usage_error ("ps", 0, "takes no arguments (filter with --filter name=NAME)");
  c = sbc_open (&err);
  if (c == NULL || sbc_call (c, "GET", "/v1/containers?all=1", NULL, &list, &err) < 0)
    {
      sbc_error_print (&err);
      sbc_close (c);
      return SB_EXIT_FAIL;
    }
  sbc_close (c);
  shown = json_array ();
  /* Oldest last, as docker: newest first. */
  for (i = json_array_size (list); i-- > 0;)
    {
      v = json_array_get (list, i);
      if (!all && strcmp (json_string_value (json_object_get (v, "state")) ?: "", "exited") == 0)
        continue;
      if (!passes (v, filters, nfilters))
        continue;
      json_array_append (shown, v);
    }
  {
    /* Newest first by creation time. */
    size_t n = json_array_size (shown);
    for (size_t a = 1; a < n; a++)
      for (size_t b = a; b > 0; b--)
        {
          const char *x = json_string_value (json_object_get (json_array_get (shown, b - 1), "created")) ?: "";
          const char *y = json_string_value (json_object_get (json_array_get (shown, b), "created")) ?: "";
          if (strcmp (x, y) >= 0)
            break;
          json_t *t = json_incref (json_array_get (shown, b - 1));
          json_array_set (shown, b - 1, json_array_get (shown, b));
          json_array_set_new (shown, b, t);
        }
  }
  if (out.quiet)
    json_array_foreach (shown, i, v)
      printf ("%.*s\n", out.no_trunc ? 64 : 12, json_string_value (json_object_get (v, "id")) ?: "");
  else if (out.json)
    sbc_print_json (shown);
  else if (out.format)
    {
      json_t *rows = json_array ();
      json_array_foreach (shown, i, v)
        json_array_append_new (rows, row (v, out.no_trunc));
      if (sbc_print_formatted (&out, rows, &err) < 0)
        {
          sbc_error_print (&err);
          rc = SB_EXIT_USAGE;
        }
      json_decref (rows);
    }
  else
    {
      static const char *const headers[] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES" };
      struct sbc_table *t = sbc_table_new (6, headers);
      json_array_foreach (shown, i, v)
        {
          json_t *r = row (v, out.no_trunc);
          char cmd[600];
          snprintf (cmd, sizeof (cmd), "\"%s\"", json_string_value (json_object_get (r, "Command")));
          const char *cells[6] = { json_string_value (json_object_get (r, "ID")),
                                   json_string_value (json_object_get (r, "Image")), cmd,
                                   json_string_value (json_object_get (r, "RunningFor")),
                                   json_string_value (json_object_get (r, "Status")),
                                   json_string_value (json_object_get (r, "Names")) };
          sbc_table_add (t, cells);
          json_decref (r);
        }
      sbc_table_print (t, stdout);
      sbc_table_free (t);
    }
  json_decref (shown);
  json_decref (list);
  return rc;
}

/* ---- inspect, info ------------------------------------------------------------------- */

int
sbc_cmd_inspect (int argc, char **argv)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  struct sbc_out out = { 0 };
  struct sbc *c;
  json_t *all;
  int o, rc = SB_EXIT_OK;

  while ((o = sbc_getopt (argc, argv, "f:h", opts, "inspect")) != -1)
    switch (o)
      {
      case 'f': out.format = sbc_optarg; break;
      case 'h': sbc_command_help (sbc_command_find ("inspect"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind >= argc)
    return sbc_usage_error ("inspect", 0, "expects at least one CONTAINER");
  c = sbc_open (&err);
  if (c == NULL)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  all = json_array ();
  for (int i = sbc_optind; i < argc; i++)
    {
      struct sbc_reply r;
      char path[600];
      snprintf (path, sizeof (path), "/v1/containers/%s", sbc_escape (argv[i]));
      if (sbc_request (c, "GET", path, NULL, &r, &err) < 0)
        {
          sbc_error_print (&err);
          rc = SB_EXIT_FAIL;
          break;
        }
      if (r.status != 200)
        {
          sbc_container_error (c, argv[i], &r, &err);
          fprintf (stderr, "%s inspect: %s\n", PROG, err->msg);
          sb_error_free (&err);
          rc = SB_EXIT_FAIL;
        }
      else
        json_array_append (all, r.json);
      sbc_reply_clear (&r);
    }
  sbc_close (c);
  if (json_array_size (all) && sbc_print_formatted (&out, all, &err) < 0)
    {
      sbc_error_print (&err);
      rc = SB_EXIT_USAGE;
    }
  json_decref (all);
  return rc;
}

int
sbc_cmd_info (int argc, char **argv)
{
  static const struct option opts[] = {
    { "json", no_argument, NULL, OPT_JSON }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  bool json = false;
  struct sbc *c;
  json_t *o = NULL, *p;
  int opt;

  while ((opt = sbc_getopt (argc, argv, "h", opts, "info")) != -1)
    switch (opt)
      {
      case OPT_JSON: json = true; break;
      case 'h': sbc_command_help (sbc_command_find ("info"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  c = sbc_open (&err);
  if (c == NULL || sbc_call (c, "GET", "/v1/info", NULL, &o, &err) < 0)
    {
      sbc_error_print (&err);
      sbc_close (c);
      return SB_EXIT_FAIL;
    }
  if (json)
    sbc_print_json (o);
  else
    {
      json_t *n = json_object_get (o, "containers");
      char mem[32];
      printf ("Server:      %s (%s)\n", sbc_settings (c)->server, sbc_settings (c)->origin);
      printf ("Version:     %s (API %s)\n", json_string_value (json_object_get (o, "version")) ?: "?",
              json_string_value (json_object_get (o, "api")) ?: "?");
      printf ("Identity:    %s as %s\n", json_string_value (json_object_get (o, "subject")) ?: "?",
              json_string_value (json_object_get (o, "role")) ?: "?");
      if (json_object_get (o, "tenant"))
        printf ("Tenant:      %s\n", json_string_value (json_object_get (o, "tenant")));
      printf ("Containers:  %d running, %d created, %d exited\n",
              (int) json_integer_value (json_object_get (n, "running")),
              (int) json_integer_value (json_object_get (n, "created")),
              (int) json_integer_value (json_object_get (n, "exited")));
      if ((p = json_object_get (o, "policy")) != NULL)
        {
          uint64_t m = (uint64_t) json_integer_value (json_object_get (p, "memory_bytes"));
          int cpu = (int) json_integer_value (json_object_get (p, "cpu_millis"));
          char cpus[32];
          sbc_size (m, mem, sizeof (mem));
          snprintf (cpus, sizeof (cpus), cpu ? "%d.%03d" : "unlimited", cpu / 1000, cpu % 1000);
          printf ("Policy:      memory %s, cpus %s, pids %d, containers %d, network %s, profile %s\n",
                  m ? mem : "unlimited", cpus, (int) json_integer_value (json_object_get (p, "pids")),
                  (int) json_integer_value (json_object_get (p, "max_containers")),
                  json_string_value (json_object_get (p, "network")) ?: "?",
                  json_string_value (json_object_get (p, "profile")) ?: "?");
        }
    }
  json_decref (o);
  sbc_close (c);
  return SB_EXIT_OK;
}
