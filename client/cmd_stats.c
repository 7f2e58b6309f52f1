/* stats: memory, CPU, processes and the Sentry's counts of each container,
   sampled twice for a CPU percentage; refreshed every second unless
   --no-stream. */
#include "client.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OPT_NO_STREAM = 1000, OPT_JSON, OPT_FORMAT };

struct target
{
  char ref[80], id[65], name[130];
  uint64_t limit;
  uint64_t cpu_usec, at_usec;   /* the previous sample */
  bool gone;
};

static uint64_t
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* One sample of t; the row, or NULL (err set) when it cannot be had. */
static json_t *
sample (struct sbc *c, struct target *t, sb_error_t *err)
{
  char path[600], used[32], lim[32], cpu[32], memp[32];
  struct sbc_reply r;
  json_t *row, *s;
  uint64_t mem, cpu_usec, at = now_usec ();
  double pct = 0;

  snprintf (path, sizeof (path), "/v1/containers/%s/stats", sbc_escape (t->id));
  if (sbc_request (c, "GET", path, NULL, &r, err) < 0)
    return NULL;
  if (r.status != 200)
    {
      t->gone = true;
      sbc_container_error (c, t->ref, &r, err);
      sbc_reply_clear (&r);
      return NULL;
    }
  s = r.json;
  mem = (uint64_t) json_integer_value (json_object_get (s, "memory_bytes"));
  cpu_usec = (uint64_t) json_integer_value (json_object_get (s, "cpu_usec"));
  if (t->at_usec && at > t->at_usec && cpu_usec >= t->cpu_usec)
    pct = 100.0 * (double) (cpu_usec - t->cpu_usec) / (double) (at - t->at_usec);
  t->cpu_usec = cpu_usec;
  t->at_usec = at;
  sbc_size (mem, used, sizeof (used));
  if (t->limit)
    {
      sbc_size (t->limit, lim, sizeof (lim));
      snprintf (memp, sizeof (memp), "%.2f%%", 100.0 * (double) mem / (double) t->limit);
    }
  else
    {
      snprintf (lim, sizeof (lim), "unlimited");
      snprintf (memp, sizeof (memp), "-");
    }
  snprintf (cpu, sizeof (cpu), "%.2f%%", pct);
  row = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "ID", t->id, "Name", t->name,
                   "State", json_string_value (json_object_get (s, "state")) ?: "?", "CPUPerc", cpu, "MemUsage", used,
                   "MemLimit", lim, "MemPerc", memp, "PIDs", json_integer_value (json_object_get (s, "pids")),
                   "Mediated", json_integer_value (json_object_get (json_object_get (s, "syscalls"), "mediated")),
                   "Denied", json_integer_value (json_object_get (json_object_get (s, "syscalls"), "denied")),
                   "MemoryBytes", (json_int_t) mem);
  sbc_reply_clear (&r);
  return row;
}

static int
print_rows (json_t *rows, const struct sbc_out *o, bool clear, sb_error_t *err)
{
  size_t i;
  json_t *v;

  if (clear)
    printf ("\033[2J\033[H");
  if (o->json)
    sbc_print_json (rows);
  else if (o->format)
    {
      if (sbc_print_formatted (o, rows, err) < 0)
        return -1;
    }
  else
    {
      static const char *const headers[] = { "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS",
                                             "SYSCALLS MEDIATED / DENIED" };
      struct sbc_table *t = sbc_table_new (7, headers);
      json_array_foreach (rows, i, v)
        {
          char id[13], mem[80], pids[32], calls[64];
          snprintf (id, sizeof (id), "%.12s", json_string_value (json_object_get (v, "ID")));
          snprintf (mem, sizeof (mem), "%s / %s", json_string_value (json_object_get (v, "MemUsage")),
                    json_string_value (json_object_get (v, "MemLimit")));
          snprintf (pids, sizeof (pids), "%lld", (long long) json_integer_value (json_object_get (v, "PIDs")));
          snprintf (calls, sizeof (calls), "%lld / %lld", (long long) json_integer_value (json_object_get (v, "Mediated")),
                    (long long) json_integer_value (json_object_get (v, "Denied")));
          const char *cells[7] = { id, json_string_value (json_object_get (v, "Name")),
                                   json_string_value (json_object_get (v, "CPUPerc")), mem,
                                   json_string_value (json_object_get (v, "MemPerc")), pids, calls };
          sbc_table_add (t, cells);
        }
      sbc_table_print (t, stdout);
      sbc_table_free (t);
    }
  fflush (stdout);
  return 0;
}

int
sbc_cmd_stats (int argc, char **argv)
{
  static const struct option opts[] = {
    { "no-stream", no_argument, NULL, OPT_NO_STREAM }, { "all", no_argument, NULL, 'a' },
    { "json", no_argument, NULL, OPT_JSON },           { "format", required_argument, NULL, OPT_FORMAT },
    { "help", no_argument, NULL, 'h' },                { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  struct sbc_out out = { 0 };
  bool stream = true, all = false;
  struct target *targets = NULL;
  size_t ntargets = 0, i;
  struct sbc *c;
  json_t *list = NULL, *v, *info = NULL;
  uint64_t policy_limit = 0;
  int o, rc = SB_EXIT_OK;

  while ((o = sbc_getopt (argc, argv, "ah", opts, "stats")) != -1)
    switch (o)
      {
      case OPT_NO_STREAM: stream = false; break;
      case 'a': all = true; break;
      case OPT_JSON: out.json = true; break;
      case OPT_FORMAT: out.format = sbc_optarg; break;
      case 'h': sbc_command_help (sbc_command_find ("stats"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (out.json && stream)
    return sbc_usage_error ("stats", 0, "--json goes with --no-stream");
  c = sbc_open (&err);
  if (c == NULL || sbc_call (c, "GET", all ? "/v1/containers?all=1" : "/v1/containers", NULL, &list, &err) < 0)
    {
      sbc_error_print (&err);
      sbc_close (c);
      return SB_EXIT_FAIL;
    }
  if (sbc_call (c, "GET", "/v1/info", NULL, &info, NULL) == 0)
    policy_limit = (uint64_t) json_integer_value (json_object_get (json_object_get (info, "policy"), "memory_bytes"));
  json_decref (info);
  targets = calloc ((size_t) argc + json_array_size (list) + 1, sizeof (*targets));
  if (sbc_optind < argc)
    for (int k = sbc_optind; k < argc; k++)
      {
        struct sbc_reply r;
        char path[600];
        snprintf (path, sizeof (path), "/v1/containers/%s", sbc_escape (argv[k]));
        if (sbc_request (c, "GET", path, NULL, &r, &err) < 0)
          break;
        if (r.status != 200)
          {
            sbc_container_error (c, argv[k], &r, &err);
            sbc_reply_clear (&r);
            break;
          }
        json_array_append (list, r.json);
        snprintf (targets[ntargets].ref, sizeof (targets[0].ref), "%s", argv[k]);
        snprintf (targets[ntargets].id, sizeof (targets[0].id), "%s", json_string_value (json_object_get (r.json, "id")));
        snprintf (targets[ntargets].name, sizeof (targets[0].name), "%s", json_string_value (json_object_get (r.json, "name")));
        targets[ntargets].limit = (uint64_t) json_integer_value (json_object_get (json_object_get (json_object_get (r.json, "config"), "limits"), "memory"));
        ntargets++;
        sbc_reply_clear (&r);
      }
  else
    json_array_foreach (list, i, v)
      {
        char path[600];
        json_t *detail = NULL;
        snprintf (targets[ntargets].id, sizeof (targets[0].id), "%s", json_string_value (json_object_get (v, "id")));
        snprintf (targets[ntargets].ref, sizeof (targets[0].ref), "%.12s", targets[ntargets].id);
        snprintf (targets[ntargets].name, sizeof (targets[0].name), "%s", json_string_value (json_object_get (v, "name")));
        snprintf (path, sizeof (path), "/v1/containers/%s", targets[ntargets].id);
        if (sbc_call (c, "GET", path, NULL, &detail, NULL) == 0)
          targets[ntargets].limit = (uint64_t) json_integer_value (json_object_get (json_object_get (json_object_get (detail, "config"), "limits"), "memory"));
        json_decref (detail);
        ntargets++;
      }
  if (err)
    {
      sbc_error_print (&err);
      rc = SB_EXIT_FAIL;
      goto out;
    }
  for (i = 0; i < ntargets; i++)
    if (targets[i].limit == 0)
      targets[i].limit = policy_limit;
  /* A first sample for the CPU percentage. */
  for (i = 0; i < ntargets; i++)
    json_decref (sample (c, &targets[i], NULL));
  for (;;)
    {
      json_t *rows = json_array ();
      usleep (stream ? 1000000 : 500000);
      for (i = 0; i < ntargets; i++)
        {
          json_t *row;
          if (targets[i].gone)
            continue;
          row = sample (c, &targets[i], &err);
          if (row)
            json_array_append_new (rows, row);
          else if (!targets[i].gone || sbc_optind < argc)
            {
              json_decref (rows);
              sbc_error_print (&err);
              rc = SB_EXIT_FAIL;
              goto out;
            }
          else
            sb_error_free (&err);
        }
      if (print_rows (rows, &out, stream && isatty (1), &err) < 0)
        {
          json_decref (rows);
          sbc_error_print (&err);
          rc = SB_EXIT_USAGE;
          goto out;
        }
      json_decref (rows);
      if (!stream)
        break;
    }
out:
  free (targets);
  json_decref (list);
  sbc_close (c);
  return rc;
}
