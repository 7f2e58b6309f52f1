/* A policy as JSON: what `sandboxctl policy show` prints and sandboxd's
   tenant endpoints answer (key names as in the file, with '_' for '-'). */
#include "policy.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

static json_t *
string_array (const char *first, size_t elemsize, int n)
{
  json_t *a = json_array ();
  for (int i = 0; i < n; i++)
    json_array_append_new (a, json_string (first + (size_t) i * elemsize));
  return a;
}

static json_t *
port_range (uint16_t lo, uint16_t hi)
{
  char buf[16];

  if (lo == hi)
    snprintf (buf, sizeof (buf), "%u", lo);
  else
    snprintf (buf, sizeof (buf), "%u-%u", lo, hi);
  return json_string (buf);
}

const char *
sb_policy_errno_name (int e)
{
  switch (e)
    {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return "?";
    }
}

json_t *
sb_policy_to_json (const struct sb_policy *p)
{
  static const char *const profiles[] = { "default", "strict", "compat" };
  static const char *const audits[] = { "none", "denied", "all" };
  json_t *o = json_object (), *a;

  json_object_set_new (o, "tenant", json_string (p->tenant));
  json_object_set_new (o, "certificate_subject", json_string (p->certificate_subject));
  json_object_set_new (o, "memory_bytes", json_integer ((json_int_t) p->memory_bytes));
  json_object_set_new (o, "swap_bytes", json_integer (p->swap_bytes));
  json_object_set_new (o, "cpu_millis", json_integer (p->cpu_millis));
  json_object_set_new (o, "pids", json_integer (p->pids));
  json_object_set_new (o, "open_files", json_integer (p->open_files));
  json_object_set_new (o, "disk_bytes", json_integer ((json_int_t) p->disk_bytes));
  json_object_set_new (o, "max_containers", json_integer (p->max_containers));
  json_object_set_new (o, "max_exec_sessions", json_integer (p->max_exec_sessions));
  json_object_set_new (o, "max_images", json_integer (p->max_images));
  json_object_set_new (o, "image_bytes", json_integer ((json_int_t) p->image_bytes));

  json_object_set_new (o, "profile", json_string (profiles[p->profile]));
  json_object_set_new (o, "denies", string_array (p->denies[0], sizeof (p->denies[0]),
                                                  p->ndenies));
  json_object_set_new (o, "deny_errno", json_string (sb_policy_errno_name (p->deny_errno)));
  json_object_set_new (o, "audit", json_string (audits[p->audit]));

  json_object_set_new (o, "hidden", string_array (p->hidden[0], sizeof (p->hidden[0]),
                                                  p->nhidden));
  json_object_set_new (o, "read_only", string_array (p->read_only[0], sizeof (p->read_only[0]),
                                                     p->nread_only));
  json_object_set_new (o, "volume_roots",
                       string_array (p->volume_roots[0], sizeof (p->volume_roots[0]),
                                     p->nvolume_roots));
  a = json_array ();
  for (int i = 0; i < p->nvolumes; i++)
    json_array_append_new (a, json_pack ("{s:s, s:s, s:s, s:b}",
                                         "name", p->volumes[i].name,
                                         "source", p->volumes[i].source,
                                         "target", p->volumes[i].target,
                                         "read_only", p->volumes[i].read_only));
  json_object_set_new (o, "volumes", a);

  json_object_set_new (o, "network", json_string (p->network == SB_NET_HOST ? "host" : "none"));
  a = json_array ();
  for (int i = 0; i < p->negress; i++)
    {
      const struct sb_net_rule *r = &p->egress[i];
      char addr[INET6_ADDRSTRLEN], cidr[INET6_ADDRSTRLEN + 8];
      json_t *rule;
      inet_ntop (r->family, r->addr, addr, sizeof (addr));
      snprintf (cidr, sizeof (cidr), "%s/%d", addr, r->prefix);
      rule = json_pack ("{s:s, s:s}", "action", r->allow ? "allow" : "deny", "cidr", cidr);
      json_object_set_new (rule, "ports", port_range (r->port_lo, r->port_hi));
      json_array_append_new (a, rule);
    }
  json_object_set_new (o, "egress", a);
  json_object_set_new (o, "egress_default",
                       json_string (p->egress_default_allow ? "allow" : "deny"));
  a = json_array ();
  for (int i = 0; i < p->nbind; i++)
    json_array_append_new (a, port_range (p->bind[i].lo, p->bind[i].hi));
  json_object_set_new (o, "bind", a);

  json_object_set_new (o, "images", string_array (p->images[0], sizeof (p->images[0]),
                                                  p->nimages));
  json_object_set_new (o, "hostname_pattern", json_string (p->hostname_pattern));
  json_object_set_new (o, "hostname", json_string (p->hostname));
  json_object_set_new (o, "uname_release", json_string (p->uname_release));
  if (p->id_lo != 0)
    json_object_set_new (o, "id_range", json_pack ("{s:I, s:I}", "first", (json_int_t) p->id_lo,
                                                   "last", (json_int_t) p->id_hi));
  else
    json_object_set_new (o, "id_range", json_null ());
  json_object_set_new (o, "id_pool", json_pack ("{s:I, s:I}", "first", (json_int_t) p->pool_lo,
                                                "last", (json_int_t) p->pool_hi));
  return o;
}

