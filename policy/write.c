/* A policy written back as a policy file: what a container started with,
   kept beside it (sandboxd), read again by its Sentry. Loading what
   sb_policy_write wrote gives the same policy, ids aside (see policy.h). */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* A double-quoted string: the only escapes the format has are \" and \\. */
static void
quoted (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        fputc ('\\', f);
      fputc (*s, f);
    }
  fputc ('"', f);
}

static void
key_string (FILE *f, const char *indent, const char *key, const char *value)
{
  fprintf (f, "%s%s = ", indent, key);
  quoted (f, value);
  fputc ('\n', f);
}

static void
key_list (FILE *f, const char *indent, const char *key, const char *first, size_t elemsize, int n)
{
  fprintf (f, "%s%s = {", indent, key);
  for (int i = 0; i < n; i++)
    {
      if (i)
        fputs (", ", f);
      quoted (f, first + (size_t) i * elemsize);
    }
  fputs ("}\n", f);
}

static void
port_range (char *buf, size_t len, uint16_t lo, uint16_t hi)
{
  if (lo == hi)
    snprintf (buf, len, "%u", lo);
  else
    snprintf (buf, len, "%u-%u", lo, hi);
}

int
sb_policy_write (const struct sb_policy *p, FILE *f)
{
  static const char *const profiles[] = { "default", "strict", "compat" };
  static const char *const audits[] = { "none", "denied", "all" };
  char buf[INET6_ADDRSTRLEN + 16], addr[INET6_ADDRSTRLEN];

  key_string (f, "", "tenant", p->tenant[0] ? p->tenant : "anonymous");
  if (p->certificate_subject[0])
    key_string (f, "", "certificate-subject", p->certificate_subject);
  fputs ("limits {\n", f);
  if (p->memory_bytes)
    fprintf (f, "    memory = %llu\n", (unsigned long long) p->memory_bytes);
  if (p->swap_bytes < 0)
    fputs ("    swap = unlimited\n", f);
  else
    fprintf (f, "    swap = %llu\n", (unsigned long long) p->swap_bytes);
  if (p->cpu_millis)
    fprintf (f, "    cpus = %u.%03u\n", p->cpu_millis / 1000, p->cpu_millis % 1000);
  if (p->pids)
    fprintf (f, "    pids = %u\n", p->pids);
  if (p->open_files)
    fprintf (f, "    open-files = %u\n", p->open_files);
  fprintf (f, "    disk = %llu\n", (unsigned long long) p->disk_bytes);
  if (p->max_containers)
    fprintf (f, "    containers = %u\n", p->max_containers);
  fprintf (f, "    exec-sessions = %u\n", p->max_exec_sessions);
  fprintf (f, "    images = %u\n    image-size = %llu\n", p->max_images, (unsigned long long) p->image_bytes);
  if (p->oom_score_adj_min)
    fprintf (f, "    oom-score-adj-min = %d\n", (int) p->oom_score_adj_min);
  fputs ("}\n", f);

  fprintf (f, "syscalls {\n    profile = %s\n", profiles[p->profile]);
  key_list (f, "    ", "deny", p->denies[0], sizeof (p->denies[0]), p->ndenies);
  fprintf (f, "    errno = %s\n    audit = %s\n}\n", sb_policy_errno_name (p->deny_errno), audits[p->audit]);

  fputs ("filesystem {\n", f);
  key_list (f, "    ", "hidden", p->hidden[0], sizeof (p->hidden[0]), p->nhidden);
  key_list (f, "    ", "read-only", p->read_only[0], sizeof (p->read_only[0]), p->nread_only);
  key_list (f, "    ", "volume-roots", p->volume_roots[0], sizeof (p->volume_roots[0]),
            p->nvolume_roots);
  for (int i = 0; i < p->nvolumes; i++)
    {
      fprintf (f, "    volume %s {\n", p->volumes[i].name);
      key_string (f, "        ", "source", p->volumes[i].source);
      key_string (f, "        ", "target", p->volumes[i].target);
      fprintf (f, "        read-only = %s\n    }\n", p->volumes[i].read_only ? "true" : "false");
    }
  fputs ("}\n", f);

  fprintf (f, "network {\n    mode = %s\n    egress-default = %s\n",
           p->network == SB_NET_HOST ? "host" : "none", p->egress_default_allow ? "allow" : "deny");
  for (int i = 0; i < p->negress; i++)
    {
      const struct sb_net_rule *r = &p->egress[i];
      inet_ntop (r->family, r->addr, addr, sizeof (addr));
      snprintf (buf, sizeof (buf), "%s/%d", addr, r->prefix);
      fprintf (f, "    egress {\n        action = %s\n", r->allow ? "allow" : "deny");
      key_string (f, "        ", "cidr", buf);
      if (r->port_lo != 0 || r->port_hi != 65535)
        {
          port_range (buf, sizeof (buf), r->port_lo ? r->port_lo : 1, r->port_hi);
          key_string (f, "        ", "ports", buf);
        }
      fputs ("    }\n", f);
    }
  fputs ("    bind = {", f);
  for (int i = 0; i < p->nbind; i++)
    {
      port_range (buf, sizeof (buf), p->bind[i].lo, p->bind[i].hi);
      fprintf (f, "%s", i ? ", " : "");
      quoted (f, buf);
    }
  fputs ("}\n}\n", f);

  key_list (f, "", "images", p->images[0], sizeof (p->images[0]), p->nimages);
  key_string (f, "", "hostname-pattern", p->hostname_pattern);
  if (p->hostname[0])
    key_string (f, "", "hostname", p->hostname);
  key_string (f, "", "uname-release", p->uname_release);
  return ferror (f) ? -EIO : 0;
}
