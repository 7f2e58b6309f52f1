/* logs, events, exec: the verbs whose answer is a stream. */
#include "client.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_JSON = 1000, OPT_FORMAT, OPT_DETACH_KEYS };

int sbc_follow_log (struct sbc *c, const char *ref, const char *query, sb_error_t *err);

int
sbc_cmd_logs (int argc, char **argv)
{
  static const struct option opts[] = {
    { "follow", no_argument, NULL, 'f' },       { "tail", required_argument, NULL, 'n' },
    { "timestamps", no_argument, NULL, 't' },   { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  bool follow = false, ts = false;
  const char *tail = "all";
  char query[128];
  struct sbc *c;
  int o;

  while ((o = sbc_getopt (argc, argv, "fn:th", opts, "logs")) != -1)
    switch (o)
      {
      case 'f': follow = true; break;
      case 'n':
        {
          char *end;
          long n = strtol (sbc_optarg, &end, 10);
          if (strcmp (sbc_optarg, "all") != 0 && (*sbc_optarg == '\0' || *end || n < 0))
            return sbc_usage_error ("logs", 0, "--tail %s: a number of lines, or all", sbc_optarg);
          tail = sbc_optarg;
        }
        break;
      case 't': ts = true; break;
      case 'h': sbc_command_help (sbc_command_find ("logs"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (argc - sbc_optind != 1)
    return sbc_usage_error ("logs", 0, "expects one CONTAINER");
  snprintf (query, sizeof (query), "tail=%s&follow=%d&timestamps=%d", tail, follow, ts);
  c = sbc_open (&err);
  if (c == NULL || sbc_follow_log (c, argv[sbc_optind], query, &err) < 0)
    {
      sbc_error_print (&err);
      sbc_close (c);
      return SB_EXIT_FAIL;
    }
  sbc_close (c);
  return SB_EXIT_OK;
}

/* ---- events ----------------------------------------------------------------------- */

struct events
{
  char *line;
  size_t len;
  char *filters[16];
  int nfilters;
  struct sbc_out out;
  bool bad_format;
};

static bool
event_passes (struct events *e, json_t *ev)
{
  for (int i = 0; i < e->nfilters; i++)
    {
      const char *f = e->filters[i], *v = strchr (f, '=') + 1;
      if (strncmp (f, "container=", 10) == 0)
        {
          const char *id = json_string_value (json_object_get (ev, "id")) ?: "";
          if (strcmp (json_string_value (json_object_get (ev, "name")) ?: "", v) != 0 && strncmp (id, v, strlen (v)) != 0)
            return false;
        }
      else if (strncmp (f, "event=", 6) == 0 || strncmp (f, "action=", 7) == 0)
        {
          if (strcmp (json_string_value (json_object_get (ev, "action")) ?: "", v) != 0)
            return false;
        }
      else if (strncmp (f, "tenant=", 7) == 0 && strcmp (json_string_value (json_object_get (ev, "tenant")) ?: "", v) != 0)
        return false;
    }
  return true;
}

static void
print_event (struct events *e, const char *text, size_t n)
{
  json_t *ev = json_loadb (text, n, 0, NULL);

  if (ev == NULL || !event_passes (e, ev))
    {
      json_decref (ev);
      return;
    }
  if (e->out.json)
    printf ("%.*s\n", (int) n, text);
  else if (e->out.format)
    {
      cleanup_error sb_error_t err = NULL;
      char *line = sbc_template (e->out.format, ev, &err);
      if (line)
        printf ("%s\n", line);
      else
        e->bad_format = true;
      free (line);
    }
  else
    {
      printf ("%s container %s %s (name=%s, tenant=%s", json_string_value (json_object_get (ev, "time")) ?: "",
              json_string_value (json_object_get (ev, "action")) ?: "?", json_string_value (json_object_get (ev, "id")) ?: "",
              json_string_value (json_object_get (ev, "name")) ?: "", json_string_value (json_object_get (ev, "tenant")) ?: "");
      if (json_object_get (ev, "exit_code"))
        printf (", exitCode=%d", (int) json_integer_value (json_object_get (ev, "exit_code")));
      printf (")\n");
    }
  fflush (stdout);
  json_decref (ev);
}

static bool
event_data (const char *data, size_t n, void *arg)
{
  struct events *e = arg;
  char *p = realloc (e->line, e->len + n + 1), *nl;

  if (p == NULL)
    return false;
  e->line = p;
  memcpy (e->line + e->len, data, n);
  e->len += n;
  while ((nl = memchr (e->line, '\n', e->len)) != NULL)
    {
      size_t k = (size_t) (nl - e->line);
      if (k)
        print_event (e, e->line, k);
      memmove (e->line, nl + 1, e->len - k - 1);
      e->len -= k + 1;
    }
  return !e->bad_format;
}

int
sbc_cmd_events (int argc, char **argv)
{
  static const struct option opts[] = {
    { "filter", required_argument, NULL, 'f' }, { "json", no_argument, NULL, OPT_JSON },
    { "format", required_argument, NULL, OPT_FORMAT }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  struct events e = { 0 };
  struct sbc *c;
  int o;

  while ((o = sbc_getopt (argc, argv, "f:h", opts, "events")) != -1)
    switch (o)
      {
      case 'f':
        if (e.nfilters == 16 || (strncmp (sbc_optarg, "container=", 10) != 0 && strncmp (sbc_optarg, "event=", 6) != 0
                                 && strncmp (sbc_optarg, "action=", 7) != 0 && strncmp (sbc_optarg, "tenant=", 7) != 0))
          return sbc_usage_error ("events", 0, "--filter %s: use container=, event= or tenant=", sbc_optarg);
        e.filters[e.nfilters++] = sbc_optarg;
        break;
      case OPT_JSON: e.out.json = true; break;
      case OPT_FORMAT: e.out.format = sbc_optarg; break;
      case 'h': sbc_command_help (sbc_command_find ("events"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind < argc)
    return sbc_usage_error ("events", 0, "takes no arguments");
  if (e.out.format)
    {
      char *check = sbc_template (e.out.format, NULL, &err);
      if (check == NULL)
        {
          sbc_error_print (&err);
          return SB_EXIT_USAGE;
        }
      free (check);
    }
  c = sbc_open (&err);
  if (c == NULL || sbc_stream_get (c, "/v1/events", event_data, &e, NULL, &err) < 0)
    {
      sbc_error_print (&err);
      sbc_close (c);
      free (e.line);
      return SB_EXIT_FAIL;
    }
  sbc_close (c);
  free (e.line);
  fprintf (stderr, "%s events: sandboxd ended the stream\n", PROG);
  return SB_EXIT_FAIL;
}

/* ---- exec --------------------------------------------------------------------------- */

int
sbc_cmd_exec (int argc, char **argv)
{
  static const struct option opts[] = {
    { "interactive", no_argument, NULL, 'i' }, { "tty", no_argument, NULL, 't' },
    { "env", required_argument, NULL, 'e' },   { "workdir", required_argument, NULL, 'w' },
    { "user", required_argument, NULL, 'u' },  { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  struct sbc_stream_opts so = { 0 };
  struct sbc_reply refused;
  json_t *body = json_object (), *env = json_array (), *cmd = json_array ();
  const char *ref;
  struct sbc *c;
  char path[600];
  bool detached;
  int o, code;

  json_object_set_new (body, "env", env);
  json_object_set_new (body, "cmd", cmd);
  while ((o = sbc_getopt (argc, argv, "+ite:w:u:h", opts, "exec")) != -1)
    switch (o)
      {
      case 'i': so.stdin_ = true; break;
      case 't': so.tty = true; break;
      case 'e':
        if (strchr (sbc_optarg, '=') == NULL || sbc_optarg[0] == '=')
          {
            const char *v = getenv (sbc_optarg);
            if (sbc_optarg[0] == '=' || sbc_optarg[0] == '\0')
              {
                json_decref (body);
                return sbc_usage_error ("exec", SB_EXIT_DAEMON, "-e %s: NAME=VALUE", sbc_optarg);
              }
            if (v)
              json_array_append_new (env, json_pack ("s++", sbc_optarg, "=", v));
          }
        else
          json_array_append_new (env, json_string (sbc_optarg));
        break;
      case 'w':
        if (sbc_optarg[0] != '/')
          {
            json_decref (body);
            return sbc_usage_error ("exec", SB_EXIT_DAEMON, "-w %s: an absolute path", sbc_optarg);
          }
        json_object_set_new (body, "cwd", json_string (sbc_optarg));
        break;
      case 'u': json_object_set_new (body, "user", json_string (sbc_optarg)); break;
      case OPT_DETACH_KEYS: so.detach_keys = sbc_optarg; break;
      case 'h':
        json_decref (body);
        sbc_command_help (sbc_command_find ("exec"), stdout);
        return SB_EXIT_OK;
      default:
        json_decref (body);
        return SB_EXIT_DAEMON;
      }
  if (argc - sbc_optind < 2)
    {
      json_decref (body);
      return sbc_usage_error ("exec", SB_EXIT_DAEMON, "expects a CONTAINER and a COMMAND");
    }
  ref = argv[sbc_optind];
  for (int i = sbc_optind + 1; i < argc; i++)
    json_array_append_new (cmd, json_string (argv[i]));
  json_object_set_new (body, "tty", json_boolean (so.tty));
  {
    int rows, cols;
    /* The size from the start: the command may ask before a resize comes. */
    if (so.tty && (sbc_term_size (1, &rows, &cols) || sbc_term_size (0, &rows, &cols)))
      {
        json_object_set_new (body, "h", json_integer (rows));
        json_object_set_new (body, "w", json_integer (cols));
      }
  }
  if (so.tty && !isatty (0) && so.stdin_)
    fprintf (stderr, "%s exec: warning: -t, but the input is not a terminal\n", PROG);
  so.container = ref;
  c = sbc_open (&err);
  if (c == NULL)
    {
      json_decref (body);
      sbc_error_print (&err);
      return SB_EXIT_DAEMON;
    }
  snprintf (path, sizeof (path), "/v1/containers/%s/exec", sbc_escape (ref));
  code = sbc_stream_run (c, "POST", path, body, &so, &detached, &refused, &err);
  json_decref (body);
  if (code == -2)
    {
      if (refused.status == 404)
        sbc_container_error (c, ref, &refused, &err);
      else
        sbc_reply_error (&refused, ref, &err);
      sbc_reply_clear (&refused);
      code = -1;
    }
  sbc_close (c);
  if (detached)
    {
      fprintf (stderr, "\r\n%s: detached from the exec session in %s (it goes on)\r\n", PROG, ref);
      return SB_EXIT_OK;
    }
  if (code == -3)
    {
      sbc_error_print (&err);
      return SB_EXIT_CANNOT_RUN;
    }
  if (code < 0)
    {
      sbc_error_print (&err);
      return SB_EXIT_DAEMON;
    }
  return code;
}
