/* libFuzzer target for the policy loader: `make fuzz-policy`.

   Each input is parsed as a tenant file held in memory (so `include` is
   refused and nothing outside the input is read), then the value parsers
   get the raw input too. Beyond what ASan and UBSan catch, it aborts when
   an invariant of a loaded policy does not hold, or when an error is not
   of the form "fuzz.conf:LINE: ...". */
#include "policy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void
check (bool ok, const char *what)
{
  if (!ok)
    {
      fprintf (stderr, "policy_fuzz: invariant broken: %s\n", what);
      abort ();
    }
}

static void
check_path (const char *path)
{
  size_t n = strlen (path);

  check (path[0] == '/', "a path is absolute");
  check (strstr (path, "//") == NULL, "a path has no //");
  check (strstr (path, "/../") == NULL && strstr (path, "/./") == NULL
         && !(n >= 3 && strcmp (path + n - 3, "/..") == 0)
         && !(n >= 2 && strcmp (path + n - 2, "/.") == 0), "a path has no . or ..");
  check (n == 1 || path[n - 1] != '/', "a path has no final /");
}

static void
check_policy (const struct sb_policy *p, const uint8_t *data, size_t size)
{
  uint8_t addr[16] = { 0 };

  check (p->tenant[0] != '\0', "a tenant file names its tenant");
  check (sb_policy_hostname_allowed (p, p->hostname), "the hostname matches the pattern");
  check (p->ndenies >= 0 && p->ndenies <= SB_POLICY_MAX_DENIES, "denies in range");
  check (p->nhidden >= 0 && p->nhidden <= SB_POLICY_MAX_PATHS, "hidden in range");
  check (p->nvolumes >= 0 && p->nvolumes <= SB_POLICY_MAX_VOLUMES, "volumes in range");
  check (p->negress >= 0 && p->negress <= SB_POLICY_MAX_RULES, "egress in range");
  check (p->nbind >= 0 && p->nbind <= SB_POLICY_MAX_RULES, "bind in range");
  check (p->cpu_millis == 0 || (p->cpu_millis >= 10 && p->cpu_millis <= 1024000), "cpus");
  for (int i = 0; i < p->nhidden; i++)
    check_path (p->hidden[i]);
  for (int i = 0; i < p->nread_only; i++)
    check_path (p->read_only[i]);
  for (int i = 0; i < p->nvolumes; i++)
    {
      check_path (p->volumes[i].source);
      check_path (p->volumes[i].target);
    }
  for (int i = 0; i < p->nbind; i++)
    check (p->bind[i].lo >= 1 && p->bind[i].lo <= p->bind[i].hi, "bind range");
  for (int i = 0; i < p->negress; i++)
    check (p->egress[i].port_lo <= p->egress[i].port_hi, "egress ports");

  memcpy (addr, data, size < sizeof (addr) ? size : sizeof (addr));
  (void) sb_policy_egress_allowed (p, AF_INET, addr, (uint16_t) size);
  (void) sb_policy_egress_allowed (p, AF_INET6, addr, (uint16_t) size);
  addr[10] = addr[11] = 0xff;
  memset (addr, 0, 10);
  (void) sb_policy_egress_allowed (p, AF_INET6, addr, 443);
  check (sb_policy_bind_allowed (p, 0), "port 0 may always be bound");
  (void) sb_policy_bind_allowed (p, (uint16_t) (size * 7919));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct sb_policy *p;
  sb_error_t err = NULL;
  char *text;
  uint64_t u64;
  uint32_t u32;
  uint16_t lo, hi;
  uint8_t addr[16];
  int family, prefix;

  if (p == NULL && (p = malloc (sizeof (*p))) == NULL)
    abort ();
  text = malloc (size + 1);
  if (text == NULL)
    abort ();
  memcpy (text, data, size);
  text[size] = '\0';

  if (sb_policy_load_buffer (p, "fuzz.conf", text, &err) == 0)
    check_policy (p, data, size);
  else
    {
      check (err != NULL && err->msg != NULL, "a failure has a message");
      check (strncmp (err->msg, "fuzz.conf:", 10) == 0, "errors name the file");
      sb_error_free (&err);
    }

  (void) sb_parse_size (text, &u64);
  if (sb_parse_cpus (text, &u32) == 0)
    check (u32 >= 10 && u32 <= 1024000, "sb_parse_cpus range");
  if (sb_parse_cidr (text, &family, addr, &prefix) == 0)
    check (prefix >= 0 && prefix <= (family == AF_INET ? 32 : 128), "sb_parse_cidr prefix");
  if (sb_parse_port_range (text, &lo, &hi) == 0)
    check (lo >= 1 && lo <= hi, "sb_parse_port_range");
  free (text);
  return 0;
}
