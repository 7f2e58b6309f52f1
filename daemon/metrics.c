/* /metrics, in Prometheus's text format: containers by tenant and state,
   API requests by verb and status, mediated and refused system calls by
   tenant and name (sampled from the monitors every 15 seconds), the time a
   container takes to start, tenant policy reloads. */
#include "sandboxd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sbd_counter
{
  char verb[48];
  int status;
  uint64_t n;
  struct sbd_counter *next;
};

static const double buckets[] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKETS (sizeof (buckets) / sizeof (buckets[0]))

void
sbd_metrics_request (const char *verb, int status)
{
  struct sbd_counter *c;

  if (status == 0)
    return; /* answered later */
  for (c = sbd->metrics.requests; c; c = c->next)
    if (c->status == status && strcmp (c->verb, verb) == 0)
      break;
  if (c == NULL)
    {
      c = calloc (1, sizeof (*c));
      if (c == NULL)
        return;
      snprintf (c->verb, sizeof (c->verb), "%s", verb);
      c->status = status;
      c->next = sbd->metrics.requests;
      sbd->metrics.requests = c;
    }
  c->n++;
}

void
sbd_metrics_start_latency (double seconds)
{
  size_t i;

  for (i = 0; i < NBUCKETS && seconds > buckets[i]; i++)
    ;
  sbd->metrics.start_latency_buckets[i]++;
  sbd->metrics.start_latency_sum += seconds;
}

/* Prometheus label values: backslash, quote and newline escaped. */
static void
label (FILE *f, const char *v)
{
  for (; *v; v++)
    {
      if (*v == '\\' || *v == '"')
        fputc ('\\', f);
      if (*v == '\n')
        fputs ("\\n", f);
      else
        fputc (*v, f);
    }
}

/* Counts of sandboxes that ended, kept so that the totals never go down
   when a container restarts or is removed: {tenant: {call: [mediated, denied]}}. */
static json_t *retired;

static void
add_counts (json_t *into, const char *tenant, json_t *by_syscall)
{
  const char *name;
  json_t *v, *t = json_object_get (into, tenant);

  if (t == NULL)
    json_object_set_new (into, tenant, t = json_object ());
  json_object_foreach (by_syscall, name, v)
    {
      json_t *old = json_object_get (t, name);
      json_int_t m = json_integer_value (json_array_get (v, 0)) + json_integer_value (json_array_get (old, 0));
      json_int_t dn = json_integer_value (json_array_get (v, 1)) + json_integer_value (json_array_get (old, 1));
      json_object_set_new (t, name, json_pack ("[I, I]", m, dn));
    }
}

void
sbd_metrics_retire (struct sbd_container *c)
{
  if (c->syscalls == NULL)
    return;
  if (retired == NULL)
    retired = json_object ();
  add_counts (retired, c->tenant, c->syscalls);
  json_decref (c->syscalls);
  c->syscalls = NULL;
}

static void
syscall_counts (FILE *f, int which)
{
  /* Per tenant and call: the ended sandboxes' counts and the running
     ones' last samples. */
  json_t *sum = retired ? json_deep_copy (retired) : json_object ();

  for (struct sbd_container *c = sbd->containers; c; c = c->next)
    if (c->syscalls)
      add_counts (sum, c->tenant, c->syscalls);
  {
    const char *tenant, *name;
    json_t *t, *v;
    json_object_foreach (sum, tenant, t)
      json_object_foreach (t, name, v)
        {
          if (json_integer_value (json_array_get (v, (size_t) which)) == 0)
            continue;
          fprintf (f, "sandboxd_syscalls_%s_total{tenant=\"", which ? "denied" : "mediated");
          label (f, tenant);
          fprintf (f, "\",syscall=\"%s\"} %lld\n", name,
                   (long long) json_integer_value (json_array_get (v, (size_t) which)));
        }
  }
  json_decref (sum);
}

char *
sbd_metrics_text (struct sbd *d)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);
  uint64_t cumulative = 0;

  if (f == NULL)
    return strdup ("");
  fputs ("# HELP sandboxd_containers Containers by tenant and state.\n# TYPE sandboxd_containers gauge\n", f);
  for (int i = 0; i < d->ntenants; i++)
    {
      int n[4] = { 0 };
      if (!d->tenants[i].policy)
        continue;
      for (struct sbd_container *c = d->containers; c; c = c->next)
        if (strcmp (c->tenant, d->tenants[i].name) == 0)
          n[c->state]++;
      for (int s = 0; s < 4; s++)
        {
          fputs ("sandboxd_containers{tenant=\"", f);
          label (f, d->tenants[i].name);
          fprintf (f, "\",state=\"%s\"} %d\n", sbd_state_name ((enum sbd_state) s), n[s]);
        }
    }
  fputs ("# HELP sandboxd_api_requests_total API requests by verb and status.\n"
         "# TYPE sandboxd_api_requests_total counter\n", f);
  for (struct sbd_counter *c = d->metrics.requests; c; c = c->next)
    fprintf (f, "sandboxd_api_requests_total{verb=\"%s\",code=\"%d\"} %llu\n", c->verb, c->status,
             (unsigned long long) c->n);
  fputs ("# HELP sandboxd_syscalls_mediated_total System calls the Sentries served, by tenant and name.\n"
         "# TYPE sandboxd_syscalls_mediated_total counter\n", f);
  syscall_counts (f, 0);
  fputs ("# HELP sandboxd_syscalls_denied_total System calls the Sentries refused, by tenant and name.\n"
         "# TYPE sandboxd_syscalls_denied_total counter\n", f);
  syscall_counts (f, 1);
  fputs ("# HELP sandboxd_container_start_seconds Time from start to a running sandbox.\n"
         "# TYPE sandboxd_container_start_seconds histogram\n", f);
  for (size_t i = 0; i <= NBUCKETS; i++)
    {
      cumulative += d->metrics.start_latency_buckets[i];
      if (i < NBUCKETS)
        fprintf (f, "sandboxd_container_start_seconds_bucket{le=\"%g\"} %llu\n", buckets[i],
                 (unsigned long long) cumulative);
      else
        fprintf (f, "sandboxd_container_start_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long) cumulative);
    }
  fprintf (f, "sandboxd_container_start_seconds_sum %g\nsandboxd_container_start_seconds_count %llu\n",
           d->metrics.start_latency_sum, (unsigned long long) cumulative);
  fprintf (f, "# HELP sandboxd_container_start_failures_total Starts that did not give a running sandbox.\n"
              "# TYPE sandboxd_container_start_failures_total counter\nsandboxd_container_start_failures_total %llu\n",
           (unsigned long long) d->metrics.start_failures);
  fprintf (f, "# HELP sandboxd_policy_reloads_total Tenant policy reloads, and those with a file that did not load.\n"
              "# TYPE sandboxd_policy_reloads_total counter\n"
              "sandboxd_policy_reloads_total{result=\"ok\"} %llu\n"
              "sandboxd_policy_reloads_total{result=\"failed\"} %llu\n",
           (unsigned long long) (d->metrics.reloads - d->metrics.reload_failures),
           (unsigned long long) d->metrics.reload_failures);
  fclose (f);
  return text;
}

/* The monitors' counts, sampled. */
static void
sample_done (json_t *answer, void *arg)
{
  char *id = arg;
  struct sbd_container *c = sbd_container_by_id (sbd, id);

  if (c && answer && json_object_get (answer, "by_syscall"))
    {
      json_decref (c->syscalls);
      c->syscalls = json_incref (json_object_get (answer, "by_syscall"));
    }
  free (id);
}

void
sbd_metrics_sample (void)
{
  for (struct sbd_container *c = sbd->containers; c; c = c->next)
    if (c->state == SBD_RUNNING)
      {
        char *id = strdup (c->id);
        if (id && sbd_monitor_request (c, json_pack ("{s:s}", "op", "stats"), sample_done, id) < 0)
          free (id);
      }
}
