/* run, create, start, attach: a container's life from the request that
   creates it to its exit status. Without -i and -t, run and start -a
   follow the container's log (it holds everything from the first byte,
   where an attach made after the start could miss the first lines) and
   then ask for its status; with -i or -t they attach. */
#include "client.h"
#include "policy/policy.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum
{
  OPT_RM = 1000, OPT_ENV_FILE, OPT_NAME, OPT_HOSTNAME, OPT_CPUS, OPT_PIDS, OPT_RESTART, OPT_DETACH_KEYS,
  OPT_SIG_PROXY, OPT_NO_STDIN, OPT_CPU_SHARES, OPT_CPUSET_CPUS, OPT_CPUSET_MEMS, OPT_MEMORY_RESERVATION,
};

static const struct option run_opts[] = {
  { "detach", no_argument, NULL, 'd' },          { "rm", no_argument, NULL, OPT_RM },
  { "interactive", no_argument, NULL, 'i' },     { "tty", no_argument, NULL, 't' },
  { "env", required_argument, NULL, 'e' },       { "env-file", required_argument, NULL, OPT_ENV_FILE },
  { "workdir", required_argument, NULL, 'w' },   { "volume", required_argument, NULL, 'v' },
  { "name", required_argument, NULL, OPT_NAME }, { "hostname", required_argument, NULL, OPT_HOSTNAME },
  { "user", required_argument, NULL, 'u' },      { "memory", required_argument, NULL, 'm' },
  { "cpus", required_argument, NULL, OPT_CPUS }, { "pids-limit", required_argument, NULL, OPT_PIDS },
  { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES }, { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
  { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
  { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
  { "restart", required_argument, NULL, OPT_RESTART }, { "label", required_argument, NULL, 'l' },
  { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
  { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
  { "help", no_argument, NULL, 'h' },            { NULL, 0, NULL, 0 },
};

struct run_opts
{
  bool detach, rm, interactive, tty, sig_proxy;
  const char *detach_keys, *name;
  json_t *body;
};

static int
add_env (json_t *env, const char *spec, const char *verb, int code)
{
  if (strchr (spec, '=') == NULL)
    {
      /* NAME alone: ours, if we have it (as docker). */
      const char *v = getenv (spec);
      if (spec[0] == '\0')
        return sbc_usage_error (verb, code, "-e: NAME=VALUE");
      if (v)
        json_array_append_new (env, json_pack ("s++", spec, "=", v));
      return 0;
    }
  if (spec[0] == '=')
    return sbc_usage_error (verb, code, "-e %s: NAME=VALUE", spec);
  json_array_append_new (env, json_string (spec));
  return 0;
}

static int
add_env_file (json_t *env, const char *path, const char *verb, int code)
{
  FILE *f = strcmp (path, "-") == 0 ? stdin : fopen (path, "re");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int lineno = 0, ret = 0;

  if (f == NULL)
    return sbc_usage_error (verb, code, "--env-file %s: %s", path, strerror (errno));
  while ((n = getline (&line, &cap, f)) > 0 && ret == 0)
    {
      char *p = line;
      lineno++;
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
      p += strspn (p, " \t");
      if (*p == '\0' || *p == '#')
        continue;
      if (*p == '=')
        ret = sbc_usage_error (verb, code, "--env-file %s:%d: a line is NAME=VALUE", path, lineno);
      else
        ret = add_env (env, p, verb, code);
    }
  free (line);
  if (f != stdin)
    fclose (f);
  return ret;
}

static int
add_volume (json_t *vols, const char *spec, const char *verb, int code)
{
  char buf[8300], *src, *dst, *mode;
  bool ro = false;

  snprintf (buf, sizeof (buf), "%s", spec);
  src = buf;
  dst = strchr (src, ':');
  if (dst == NULL)
    return sbc_usage_error (verb, code, "-v %s: SOURCE:TARGET[:ro] (host directory, container path)", spec);
  *dst++ = '\0';
  mode = strchr (dst, ':');
  if (mode)
    {
      *mode++ = '\0';
      if (strcmp (mode, "ro") == 0)
        ro = true;
      else if (strcmp (mode, "rw") != 0)
        return sbc_usage_error (verb, code, "-v %s: the mode is ro or rw", spec);
    }
  if (src[0] != '/' || dst[0] != '/')
    return sbc_usage_error (verb, code, "-v %s: the source (a host directory within the policy's volume-roots) and "
                            "the target are absolute paths", spec);
  json_array_append_new (vols, json_pack ("{s:s, s:s, s:b}", "source", src, "target", dst, "read_only", ro));
  return 0;
}

/* Parses run's and create's options into the create request. Returns the
   index of the first positional argument, or -1 (message printed; *rc set). */
static int
parse_create (int argc, char **argv, const char *verb, bool is_run, struct run_opts *o, int *rc)
{
  int code = is_run ? SB_EXIT_DAEMON : SB_EXIT_USAGE, opt;
  json_t *env = json_array (), *vols = json_array (), *labels = json_object (), *limits = json_object ();
  json_t *b = json_object ();
  int first;
  bool dashdash;

  memset (o, 0, sizeof (*o));
  o->sig_proxy = true;
  o->body = b;
  json_object_set_new (b, "env", env);
  json_object_set_new (b, "volumes", vols);
  json_object_set_new (b, "labels", labels);
  json_object_set_new (b, "limits", limits);
  *rc = code;
  while ((opt = sbc_getopt (argc, argv, "+dite:w:v:u:m:l:h", run_opts, verb)) != -1)
    {
      const char *a = sbc_optarg;
      switch (opt)
        {
        case 'h':
          sbc_command_help (sbc_command_find (verb), stdout);
          *rc = SB_EXIT_OK;
          return -1;
        case 'd':
        case OPT_RM:
        case OPT_DETACH_KEYS:
        case OPT_SIG_PROXY:
          if (!is_run)
            {
              sbc_usage_error (verb, code, "%s is run's option", argv[sbc_optind - 1]);
              return -1;
            }
          if (opt == 'd')
            o->detach = true;
          else if (opt == OPT_RM)
            o->rm = true;
          else if (opt == OPT_DETACH_KEYS)
            o->detach_keys = a;
          else
            o->sig_proxy = !(a && (strcmp (a, "false") == 0 || strcmp (a, "0") == 0));
          break;
        case 'i': o->interactive = true; break;
        case 't': o->tty = true; break;
        case 'e':
          if (add_env (env, a, verb, code) != 0)
            return -1;
          break;
        case OPT_ENV_FILE:
          if (add_env_file (env, a, verb, code) != 0)
            return -1;
          break;
        case 'w':
          if (a[0] != '/')
            {
              sbc_usage_error (verb, code, "-w %s: an absolute path", a);
              return -1;
            }
          json_object_set_new (b, "cwd", json_string (a));
          break;
        case 'v':
          if (add_volume (vols, a, verb, code) != 0)
            return -1;
          break;
        case OPT_NAME:
          o->name = a;
          json_object_set_new (b, "name", json_string (a));
          break;
        case OPT_HOSTNAME: json_object_set_new (b, "hostname", json_string (a)); break;
        case 'u': json_object_set_new (b, "user", json_string (a)); break;
        case 'm':
        case OPT_MEMORY_RESERVATION:
          {
            uint64_t bytes;
            if (sb_parse_size (a, &bytes) < 0 || bytes == 0)
              {
                sbc_usage_error (verb, code, "%s %s: a size such as 512M or 1G",
                                 opt == 'm' ? "--memory" : "--memory-reservation", a);
                return -1;
              }
            json_object_set_new (limits, opt == 'm' ? "memory" : "memory_reservation", json_integer ((json_int_t) bytes));
          }
          break;
        case OPT_CPUS:
          {
            uint32_t millis;
            if (sb_parse_cpus (a, &millis) < 0)
              {
                sbc_usage_error (verb, code, "--cpus %s: a number of CPUs such as 0.5 or 2", a);
                return -1;
              }
            json_object_set_new (limits, "cpus", json_string (a));
          }
          break;
        case OPT_PIDS:
        case OPT_CPU_SHARES:
          {
            /* A count within its range: processes, or a relative weight
               (1024 by default). */
            bool pids = opt == OPT_PIDS;
            long lo = pids ? 1 : 2, hi = pids ? 4194304 : 262144;
            char *end;
            long n = strtol (a, &end, 10);
            if (*a == '\0' || *end || n < lo || n > hi)
              {
                sbc_usage_error (verb, code, "%s %s: %s (%ld..%ld)", pids ? "--pids-limit" : "--cpu-shares", a,
                                 pids ? "a number of processes" : "a relative weight, 1024 by default", lo, hi);
                return -1;
              }
            json_object_set_new (limits, pids ? "pids" : "cpu_shares", json_integer (n));
          }
          break;
        case OPT_CPUSET_CPUS:
        case OPT_CPUSET_MEMS:
          /* sandboxd checks the list; the kernel, that the host has them. */
          json_object_set_new (limits, opt == OPT_CPUSET_CPUS ? "cpuset_cpus" : "cpuset_mems", json_string (a));
          break;
        case OPT_RESTART: json_object_set_new (b, "restart", json_string (a)); break;
        case 'l':
          {
            const char *eq = strchr (a, '=');
            char key[256];
            if (a[0] == '=' || (eq ? (size_t) (eq - a) : strlen (a)) >= sizeof (key))
              {
                sbc_usage_error (verb, code, "--label %s: KEY=VALUE", a);
                return -1;
              }
            snprintf (key, sizeof (key), "%.*s", eq ? (int) (eq - a) : (int) strlen (a), a);
            json_object_set_new (labels, key, json_string (eq ? eq + 1 : ""));
          }
          break;
        default:
          return -1;
        }
    }
  first = sbc_optind;
  dashdash = first > 1 && strcmp (argv[first - 1], "--") == 0;
  if (!dashdash && first < argc)
    {
      /* IMAGE COMMAND..., as docker; `host` is the host's root. */
      json_object_set_new (b, "image", json_string (argv[first]));
      first++;
      if (first < argc && strcmp (argv[first], "--") == 0)
        first++;
    }
  else
    json_object_set_new (b, "image", json_string ("host"));
  if (first >= argc)
    {
      sbc_usage_error (verb, code, "expects a command: %s %s [OPTIONS] IMAGE COMMAND [ARG...] (the image `host` is "
                       "the host's root)", PROG, verb);
      return -1;
    }
  {
    json_t *cmd = json_array ();
    for (int i = first; i < argc; i++)
      json_array_append_new (cmd, json_string (argv[i]));
    json_object_set_new (b, "cmd", cmd);
  }
  json_object_set_new (b, "tty", json_boolean (o->tty));
  json_object_set_new (b, "stdin", json_boolean (o->interactive));
  /* sandboxd removes a detached --rm container when it ends. An attached
     one we remove ourselves once we have its exit status: removed by
     sandboxd, its status could be gone before our wait asks for it. */
  if (o->rm && o->detach)
    json_object_set_new (b, "auto_remove", json_true ());
  return first;
}

static int
create_container (struct sbc *c, json_t *body, char *id, size_t idlen, sb_error_t *err)
{
  struct sbc_reply r;

  if (sbc_request (c, "POST", "/v1/containers", body, &r, err) < 0)
    return -1;
  if (r.status != 201)
    {
      if (r.status == 404 && strstr (r.message ? r.message : "", "image"))
        sb_error (err, 0, "%s (see %s images; `host` is the host's root)", r.message, PROG);
      else
        sbc_reply_error (&r, NULL, err);
      sbc_reply_clear (&r);
      return -1;
    }
  snprintf (id, idlen, "%s", json_string_value (json_object_get (r.json, "id")) ?: "");
  sbc_reply_clear (&r);
  return 0;
}

static int
start_container (struct sbc *c, const char *ref, sb_error_t *err)
{
  struct sbc_reply r;
  char path[512];

  snprintf (path, sizeof (path), "/v1/containers/%s/start", sbc_escape (ref));
  if (sbc_request (c, "POST", path, NULL, &r, err) < 0)
    return -1;
  if (r.status >= 300)
    {
      if (r.status == 404)
        sbc_container_error (c, ref, &r, err);
      else if (strcmp (r.code, "start_failed") == 0)
        sb_error (err, 0, "container %s did not start: %s", ref, r.message ? r.message : "no reason given");
      else
        sbc_reply_error (&r, ref, err);
      sbc_reply_clear (&r);
      return -1;
    }
  sbc_reply_clear (&r);
  return 0;
}

/* ---- following a container to its end ------------------------------------------------ */

static volatile sig_atomic_t pending_signal;
static struct sbc *follow_conn;
static const char *follow_ref;

static void
remember_signal (int sig)
{
  pending_signal = sig;
}

static void
forward_pending (void)
{
  int sig = pending_signal;
  char path[512];

  if (sig == 0 || follow_conn == NULL)
    return;
  pending_signal = 0;
  snprintf (path, sizeof (path), "/v1/containers/%s/kill?signal=%d", sbc_escape (follow_ref), sig);
  sbc_call (follow_conn, "POST", path, NULL, NULL, NULL);
}

struct log_out
{
  struct sbc_frames frames;
  bool bad;
};

static bool
log_frame (int type, const char *data, size_t n, void *arg)
{
  (void) arg;
  if (type == 1 || type == 2)
    sbc_write_out (type, data, n);
  return true;
}

static bool
log_data (const char *data, size_t n, void *arg)
{
  struct log_out *l = arg;

  if (!sbc_frames_feed (&l->frames, data, n, log_frame, l))
    {
      l->bad = true;
      return false;
    }
  return true;
}

/* Prints the container's output (from its log) until it ends. */
int
sbc_follow_log (struct sbc *c, const char *ref, const char *query, sb_error_t *err)
{
  struct log_out l = { 0 };
  struct sbc_reply r;
  char path[600];
  int ret;

  snprintf (path, sizeof (path), "/v1/containers/%s/logs?%s", sbc_escape (ref), query);
  ret = sbc_stream_get (c, path, log_data, &l, &r, err);
  sbc_frames_free (&l.frames);
  if (ret < 0)
    {
      sb_error_prefix (err, "following the output of %s", ref);
      return -1;
    }
  if (r.status >= 300)
    {
      if (r.status == 404)
        sbc_container_error (c, ref, &r, err);
      else
        sbc_reply_error (&r, ref, err);
      sbc_reply_clear (&r);
      return -1;
    }
  sbc_reply_clear (&r);
  if (l.bad)
    return sb_error (err, 0, "sandboxd sent a malformed log frame");
  return 0;
}

int
sbc_wait_container (struct sbc *c, const char *ref, sb_error_t *err)
{
  json_t *o = NULL;
  char path[512];
  int code;

  snprintf (path, sizeof (path), "/v1/containers/%s/wait", sbc_escape (ref));
  if (sbc_call (c, "POST", path, NULL, &o, err) < 0)
    return -1;
  code = (int) json_integer_value (json_object_get (o, "exit_code"));
  json_decref (o);
  return code;
}

/* After the start: the output until the end, and the exit status. */
static int
follow_to_end (struct sbc *c, const char *ref, bool interactive, bool tty, bool proxy, const char *keys,
               bool *detached, sb_error_t *err)
{
  struct sigaction sa, old_int, old_term, old_hup, old_quit;
  int code;

  *detached = false;
  if (interactive || tty)
    {
      struct sbc_stream_opts so = { .stdin_ = interactive, .tty = tty, .detach_keys = keys, .container = ref,
                                    .proxy_signals = proxy && !tty };
      struct sbc_reply refused;
      char path[600];

      snprintf (path, sizeof (path), "/v1/containers/%s/attach?stdin=%d&stdout=1&stderr=1", sbc_escape (ref),
                interactive ? 1 : 0);
      code = sbc_stream_run (c, "POST", path, NULL, &so, detached, &refused, err);
      if (code == -2)
        {
          bool ended = refused.status == 409;
          if (!ended)
            sbc_reply_error (&refused, ref, err);
          sbc_reply_clear (&refused);
          if (!ended)
            return -1;
          /* It ended before we could attach: its output is in the log. */
          if (sbc_follow_log (c, ref, "follow=0", err) < 0)
            return -1;
          return sbc_wait_container (c, ref, err);
        }
      if (code == -3)
        return -1;
      return code;
    }
  follow_conn = c;
  follow_ref = ref;
  memset (&sa, 0, sizeof (sa));
  sa.sa_handler = remember_signal;
  if (proxy)
    {
      sigaction (SIGINT, &sa, &old_int);
      sigaction (SIGTERM, &sa, &old_term);
      sigaction (SIGHUP, &sa, &old_hup);
      sigaction (SIGQUIT, &sa, &old_quit);
      sbc_stream_tick = forward_pending;
    }
  code = sbc_follow_log (c, ref, "follow=1", err);
  if (proxy)
    {
      sbc_stream_tick = NULL;
      forward_pending ();
      sigaction (SIGINT, &old_int, NULL);
      sigaction (SIGTERM, &old_term, NULL);
      sigaction (SIGHUP, &old_hup, NULL);
      sigaction (SIGQUIT, &old_quit, NULL);
    }
  follow_conn = NULL;
  if (code < 0)
    return -1;
  return sbc_wait_container (c, ref, err);
}

static void
remove_container (struct sbc *c, const char *ref)
{
  char path[512];
  cleanup_error sb_error_t err = NULL;

  struct sbc_reply r = { 0 };

  /* A sandboxd that removes auto_remove containers itself may be done
     first: a 404 then means what we wanted. */
  snprintf (path, sizeof (path), "/v1/containers/%s?force=1", sbc_escape (ref));
  if (sbc_request (c, "DELETE", path, NULL, &r, &err) < 0
      || (r.status >= 300 && r.status != 404 && sbc_reply_error (&r, ref, &err) < 0))
    fprintf (stderr, "%s: could not remove container %s: %s\n", PROG, ref, err->msg);
  sbc_reply_clear (&r);
}

/* ---- the verbs ----------------------------------------------------------------------- */

int
sbc_cmd_run (int argc, char **argv)
{
  struct run_opts o;
  cleanup_error sb_error_t err = NULL;
  struct sbc *c;
  char id[80];
  int rc, code;
  bool detached;

  if (parse_create (argc, argv, "run", true, &o, &rc) < 0)
    {
      json_decref (o.body);
      return rc;
    }
  c = sbc_open (&err);
  if (c == NULL || create_container (c, o.body, id, sizeof (id), &err) < 0)
    {
      sbc_error_print (&err);
      json_decref (o.body);
      sbc_close (c);
      return SB_EXIT_DAEMON;
    }
  json_decref (o.body);
  if (start_container (c, id, &err) < 0)
    {
      sbc_error_print (&err);
      if (o.rm)
        remove_container (c, id);
      sbc_close (c);
      return SB_EXIT_DAEMON;
    }
  if (o.detach)
    {
      json_t *info = NULL;
      char path[512];
      printf ("%s\n", id);
      fflush (stdout);
      snprintf (path, sizeof (path), "/v1/containers/%s", id);
      if (o.rm && sbc_call (c, "GET", path, NULL, &info, NULL) == 0
          && !json_is_true (json_object_get (json_object_get (info, "config"), "auto_remove")))
        fprintf (stderr, "%s: warning: this sandboxd does not remove containers when they end: remove it with "
                 "`%s rm %.12s` afterwards\n", PROG, PROG, id);
      json_decref (info);
      sbc_close (c);
      return SB_EXIT_OK;
    }
  code = follow_to_end (c, id, o.interactive, o.tty, o.sig_proxy, o.detach_keys, &detached, &err);
  if (detached)
    {
      fprintf (stderr, "\r\n%s: detached from %.12s (it goes on; `%s attach %.12s` to come back)\r\n", PROG, id, PROG,
               id);
      sbc_close (c);
      return SB_EXIT_OK;
    }
  if (code < 0)
    {
      sbc_error_print (&err);
      code = SB_EXIT_DAEMON;
    }
  if (o.rm)
    remove_container (c, id);
  sbc_close (c);
  return code;
}

int
sbc_cmd_create (int argc, char **argv)
{
  struct run_opts o;
  cleanup_error sb_error_t err = NULL;
  struct sbc *c;
  char id[80];
  int rc;

  if (parse_create (argc, argv, "create", false, &o, &rc) < 0)
    {
      json_decref (o.body);
      return rc;
    }
  c = sbc_open (&err);
  if (c == NULL || create_container (c, o.body, id, sizeof (id), &err) < 0)
    {
      sbc_error_print (&err);
      json_decref (o.body);
      sbc_close (c);
      return SB_EXIT_FAIL;
    }
  json_decref (o.body);
  printf ("%s\n", id);
  sbc_close (c);
  return SB_EXIT_OK;
}

/* The container's tty and stdin settings. */
static int
container_config (struct sbc *c, const char *ref, bool *tty, bool *stdin_, char *id, size_t idlen, sb_error_t *err)
{
  struct sbc_reply r;
  char path[512];
  json_t *cfg;

  snprintf (path, sizeof (path), "/v1/containers/%s", sbc_escape (ref));
  if (sbc_request (c, "GET", path, NULL, &r, err) < 0)
    return -1;
  if (r.status != 200)
    {
      sbc_container_error (c, ref, &r, err);
      sbc_reply_clear (&r);
      return -1;
    }
  cfg = json_object_get (r.json, "config");
  *tty = json_is_true (json_object_get (cfg, "tty"));
  *stdin_ = json_is_true (json_object_get (cfg, "stdin"));
  snprintf (id, idlen, "%s", json_string_value (json_object_get (r.json, "id")) ?: ref);
  sbc_reply_clear (&r);
  return 0;
}

int
sbc_cmd_start (int argc, char **argv)
{
  static const struct option opts[] = {
    { "attach", no_argument, NULL, 'a' }, { "interactive", no_argument, NULL, 'i' },
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  bool attach = false, interactive = false, detached;
  const char *keys = NULL;
  struct sbc *c;
  int o, rc = SB_EXIT_OK;

  while ((o = sbc_getopt (argc, argv, "aih", opts, "start")) != -1)
    switch (o)
      {
      case 'a': attach = true; break;
      case 'i': interactive = true; break;
      case OPT_DETACH_KEYS: keys = sbc_optarg; break;
      case 'h': sbc_command_help (sbc_command_find ("start"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind >= argc)
    return sbc_usage_error ("start", 0, "expects at least one CONTAINER");
  if ((attach || interactive) && argc - sbc_optind > 1)
    return sbc_usage_error ("start", 0, "-a and -i take one CONTAINER");
  c = sbc_open (&err);
  if (c == NULL)
    {
      sbc_error_print (&err);
      return attach ? SB_EXIT_DAEMON : SB_EXIT_FAIL;
    }
  if (attach || interactive)
    {
      const char *ref = argv[sbc_optind];
      bool tty, has_stdin;
      char id[80];
      int code;
      if (container_config (c, ref, &tty, &has_stdin, id, sizeof (id), &err) < 0 || start_container (c, ref, &err) < 0)
        {
          sbc_error_print (&err);
          sbc_close (c);
          return SB_EXIT_DAEMON;
        }
      code = follow_to_end (c, id, interactive && has_stdin, tty && interactive, true, keys, &detached, &err);
      if (code < 0)
        {
          sbc_error_print (&err);
          code = SB_EXIT_DAEMON;
        }
      sbc_close (c);
      return code;
    }
  for (int i = sbc_optind; i < argc; i++)
    {
      if (start_container (c, argv[i], &err) < 0)
        {
          sbc_error_print (&err);
          rc = SB_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  sbc_close (c);
  return rc;
}

int
sbc_cmd_attach (int argc, char **argv)
{
  static const struct option opts[] = {
    { "no-stdin", no_argument, NULL, OPT_NO_STDIN }, { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  bool no_stdin = false, proxy = true, tty, has_stdin, detached;
  const char *keys = NULL;
  struct sbc_stream_opts so = { 0 };
  struct sbc_reply refused;
  struct sbc *c;
  char id[80], path[600];
  int o, code;

  while ((o = sbc_getopt (argc, argv, "h", opts, "attach")) != -1)
    switch (o)
      {
      case OPT_NO_STDIN: no_stdin = true; break;
      case OPT_DETACH_KEYS: keys = sbc_optarg; break;
      case OPT_SIG_PROXY: proxy = !(sbc_optarg && strcmp (sbc_optarg, "false") == 0); break;
      case 'h': sbc_command_help (sbc_command_find ("attach"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_DAEMON;
      }
  if (argc - sbc_optind != 1)
    return sbc_usage_error ("attach", SB_EXIT_DAEMON, "expects one CONTAINER");
  c = sbc_open (&err);
  if (c == NULL || container_config (c, argv[sbc_optind], &tty, &has_stdin, id, sizeof (id), &err) < 0)
    {
      sbc_error_print (&err);
      sbc_close (c);
      return SB_EXIT_DAEMON;
    }
  so.stdin_ = has_stdin && !no_stdin;
  so.tty = tty;
  so.detach_keys = keys;
  so.container = id;
  so.proxy_signals = proxy && !tty;
  snprintf (path, sizeof (path), "/v1/containers/%s/attach?stdin=%d&stdout=1&stderr=1", id, so.stdin_ ? 1 : 0);
  code = sbc_stream_run (c, "POST", path, NULL, &so, &detached, &refused, &err);
  if (code == -2)
    {
      sbc_reply_error (&refused, argv[sbc_optind], &err);
      sbc_reply_clear (&refused);
    }
  if (detached)
    fprintf (stderr, "\r\n%s: detached from %s\r\n", PROG, argv[sbc_optind]);
  if (code < 0)
    {
      sbc_error_print (&err);
      code = SB_EXIT_DAEMON;
    }
  sbc_close (c);
  return code;
}
