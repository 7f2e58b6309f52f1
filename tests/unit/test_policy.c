/* Tenant policies: the strict parsers, a full file, the merge of a tenant
   file over a base file, and the decisions. */
#include "policy.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sb_policy *
new_policy (void)
{
  struct sb_policy *p = malloc (sizeof (*p));
  ck_assert_ptr_nonnull (p);
  sb_policy_defaults (p);
  return p;
}

/* Loads text, which must be valid. */
static struct sb_policy *
load_ok (const char *text)
{
  struct sb_policy *p = new_policy ();
  sb_error_t err = NULL;
  int rc = sb_policy_load_buffer (p, "t.conf", text, &err);
  ck_assert_msg (rc == 0, "unexpected error: %s", err ? err->msg : "(none)");
  return p;
}

/* Loads text, which must fail with exactly `expected`. */
static void
load_fails (const char *text, const char *expected)
{
  struct sb_policy *p = new_policy ();
  sb_error_t err = NULL;
  int rc = sb_policy_load_buffer (p, "t.conf", text, &err);
  ck_assert_int_lt (rc, 0);
  ck_assert_ptr_nonnull (err);
  ck_assert_str_eq (err->msg, expected);
  sb_error_free (&err);
  free (p);
}

/* --- sizes ---------------------------------------------------------------- */

START_TEST (test_size_good)
{
  uint64_t v;
  ck_assert_int_eq (sb_parse_size ("512M", &v), 0);
  ck_assert_uint_eq (v, 512ULL << 20);
  ck_assert_int_eq (sb_parse_size ("2G", &v), 0);
  ck_assert_uint_eq (v, 2ULL << 30);
  ck_assert_int_eq (sb_parse_size ("1024", &v), 0);
  ck_assert_uint_eq (v, 1024);
  ck_assert_int_eq (sb_parse_size ("64K", &v), 0);
  ck_assert_uint_eq (v, 65536);
  ck_assert_int_eq (sb_parse_size ("16T", &v), 0);
  ck_assert_uint_eq (v, 16ULL << 40);
  ck_assert_int_eq (sb_parse_size ("0", &v), 0);
  ck_assert_uint_eq (v, 0);
  ck_assert_int_eq (sb_parse_size ("9223372036854775807", &v), 0);
  ck_assert_uint_eq (v, (uint64_t) INT64_MAX);
}
END_TEST

START_TEST (test_size_bad)
{
  static const char *const invalid[] = {
    "", "12Q", "-1", "-1G", "+1", "1.5G", "12 M", " 12M", "12M ", "M", "1MB", "0x10",
    "1m", "1e3", "1GG", "K1",
  };
  uint64_t v = 42;
  for (size_t i = 0; i < sizeof (invalid) / sizeof (invalid[0]); i++)
    ck_assert_msg (sb_parse_size (invalid[i], &v) == -EINVAL, "accepted \"%s\"", invalid[i]);
  ck_assert_int_eq (sb_parse_size ("99999999999T", &v), -ERANGE);
  ck_assert_int_eq (sb_parse_size ("9223372036854775808", &v), -ERANGE);
  ck_assert_int_eq (sb_parse_size ("99999999999999999999999", &v), -ERANGE);
  ck_assert_int_eq (sb_parse_size ("8388608T", &v), -ERANGE);
  ck_assert_int_eq (sb_parse_size (NULL, &v), -EINVAL);
  ck_assert_uint_eq (v, 42);   /* untouched on error */
}
END_TEST

/* --- cpus ----------------------------------------------------------------- */

START_TEST (test_cpus)
{
  uint32_t m;
  ck_assert_int_eq (sb_parse_cpus ("0.5", &m), 0);
  ck_assert_uint_eq (m, 500);
  ck_assert_int_eq (sb_parse_cpus ("2", &m), 0);
  ck_assert_uint_eq (m, 2000);
  ck_assert_int_eq (sb_parse_cpus ("1.25", &m), 0);
  ck_assert_uint_eq (m, 1250);
  ck_assert_int_eq (sb_parse_cpus ("0.01", &m), 0);
  ck_assert_uint_eq (m, 10);
  ck_assert_int_eq (sb_parse_cpus ("0.125", &m), 0);
  ck_assert_uint_eq (m, 125);
  ck_assert_int_eq (sb_parse_cpus ("1024", &m), 0);
  ck_assert_uint_eq (m, 1024000);
  ck_assert_int_eq (sb_parse_cpus ("0", &m), -ERANGE);
  ck_assert_int_eq (sb_parse_cpus ("0.009", &m), -ERANGE);
  ck_assert_int_eq (sb_parse_cpus ("1024.001", &m), -ERANGE);
  ck_assert_int_eq (sb_parse_cpus ("99999999999999", &m), -ERANGE);
  ck_assert_int_eq (sb_parse_cpus ("0.0001", &m), -EINVAL);
  ck_assert_int_eq (sb_parse_cpus (".5", &m), -EINVAL);
  ck_assert_int_eq (sb_parse_cpus ("1.", &m), -EINVAL);
  ck_assert_int_eq (sb_parse_cpus ("-1", &m), -EINVAL);
  ck_assert_int_eq (sb_parse_cpus ("1e3", &m), -EINVAL);
  ck_assert_int_eq (sb_parse_cpus ("", &m), -EINVAL);
  ck_assert_int_eq (sb_parse_cpus ("0,5", &m), -EINVAL);
}
END_TEST

/* --- CIDR ----------------------------------------------------------------- */

START_TEST (test_cidr_v4)
{
  int fam, prefix;
  uint8_t a[16];
  static const uint8_t net[4] = { 10, 1, 2, 0 };

  ck_assert_int_eq (sb_parse_cidr ("10.1.2.0/24", &fam, a, &prefix), 0);
  ck_assert_int_eq (fam, AF_INET);
  ck_assert_int_eq (prefix, 24);
  ck_assert_mem_eq (a, net, 4);
  ck_assert_int_eq (sb_parse_cidr ("0.0.0.0/0", &fam, a, &prefix), 0);
  ck_assert_int_eq (prefix, 0);
  ck_assert_int_eq (sb_parse_cidr ("10.0.5.10/32", &fam, a, &prefix), 0);
  ck_assert_int_eq (prefix, 32);
  ck_assert_int_eq (a[3], 10);

  ck_assert_int_eq (sb_parse_cidr ("10.1.2.3/24", &fam, a, &prefix), -EDOM);   /* host bits */
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.1/0", &fam, a, &prefix), -EDOM);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0/33", &fam, a, &prefix), -ERANGE);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0/999", &fam, a, &prefix), -ERANGE);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0/", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0/-1", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0/08", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0/8", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.256/32", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("/8", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr (" 10.0.0.0/8", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0/8 ", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("10.0.0.0/8/8", &fam, a, &prefix), -EINVAL);
}
END_TEST

START_TEST (test_cidr_v6)
{
  int fam, prefix;
  uint8_t a[16], expect[16];

  ck_assert_int_eq (sb_parse_cidr ("fd00::/64", &fam, a, &prefix), 0);
  ck_assert_int_eq (fam, AF_INET6);
  ck_assert_int_eq (prefix, 64);
  inet_pton (AF_INET6, "fd00::", expect);
  ck_assert_mem_eq (a, expect, 16);
  ck_assert_int_eq (sb_parse_cidr ("::/0", &fam, a, &prefix), 0);
  ck_assert_int_eq (sb_parse_cidr ("2001:db8::1/128", &fam, a, &prefix), 0);
  ck_assert_int_eq (prefix, 128);
  ck_assert_int_eq (sb_parse_cidr ("2001:db8::/33", &fam, a, &prefix), 0);

  ck_assert_int_eq (sb_parse_cidr ("fd00::1/64", &fam, a, &prefix), -EDOM);
  ck_assert_int_eq (sb_parse_cidr ("2001:db8:8000::/32", &fam, a, &prefix), -EDOM);
  ck_assert_int_eq (sb_parse_cidr ("fd00::/129", &fam, a, &prefix), -ERANGE);
  ck_assert_int_eq (sb_parse_cidr ("fd00::", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("fd00:::/64", &fam, a, &prefix), -EINVAL);
  ck_assert_int_eq (sb_parse_cidr ("fd00::g/64", &fam, a, &prefix), -EINVAL);
}
END_TEST

/* --- ports ---------------------------------------------------------------- */

START_TEST (test_port_ranges)
{
  uint16_t lo, hi;
  static const char *const invalid[] = {
    "", "80-", "-80", "a", "080", "1-2-3", " 80", "80 ", "8000 - 8080", "0x50", "+80",
  };

  ck_assert_int_eq (sb_parse_port_range ("80", &lo, &hi), 0);
  ck_assert_uint_eq (lo, 80);
  ck_assert_uint_eq (hi, 80);
  ck_assert_int_eq (sb_parse_port_range ("8000-8080", &lo, &hi), 0);
  ck_assert_uint_eq (lo, 8000);
  ck_assert_uint_eq (hi, 8080);
  ck_assert_int_eq (sb_parse_port_range ("1-65535", &lo, &hi), 0);
  ck_assert_uint_eq (lo, 1);
  ck_assert_uint_eq (hi, 65535);
  ck_assert_int_eq (sb_parse_port_range ("443-443", &lo, &hi), 0);

  ck_assert_int_eq (sb_parse_port_range ("0", &lo, &hi), -ERANGE);
  ck_assert_int_eq (sb_parse_port_range ("0-80", &lo, &hi), -ERANGE);
  ck_assert_int_eq (sb_parse_port_range ("70000", &lo, &hi), -ERANGE);
  ck_assert_int_eq (sb_parse_port_range ("65536", &lo, &hi), -ERANGE);
  ck_assert_int_eq (sb_parse_port_range ("8080-8000", &lo, &hi), -EDOM);
  for (size_t i = 0; i < sizeof (invalid) / sizeof (invalid[0]); i++)
    ck_assert_msg (sb_parse_port_range (invalid[i], &lo, &hi) == -EINVAL, "accepted \"%s\"",
                   invalid[i]);
}
END_TEST

/* --- a full file ----------------------------------------------------------- */

static const char full_file[] =
  "# a tenant file with every key\n"
  "tenant = \"acme\"\n"
  "certificate-subject = \"CN=acme,O=Example Hosting\"\n"
  "limits {\n"
  "    memory = 512M          # a comment\n"
  "    swap = unlimited\n"
  "    cpus = 0.5\n"
  "    pids = 256\n"
  "    open-files = 4096\n"
  "    disk = 2G\n"
  "    containers = 10\n"
  "    exec-sessions = 4\n"
  "}\n"
  "syscalls {\n"
  "    profile = strict\n"
  "    deny = {\"personality\",   # comments inside a list\n"
  "            \"mincore\"}\n"
  "    errno = EACCES\n"
  "    audit = all\n"
  "}\n"
  "filesystem {\n"
  "    hidden = {\"/etc/shadow\", \"//root/\", \"/home/./x\"}\n"
  "    read-only = {\"/etc\"}\n"
  "    volume-roots = {\"/srv/tenants/acme\"}\n"
  "    volume data {\n"
  "        source = \"/srv/tenants/acme/data\"\n"
  "        target = \"/data\"\n"
  "        read-only = true\n"
  "    }\n"
  "    volume logs {\n"
  "        source = \"/srv/tenants/acme/logs/\"\n"
  "        target = \"/var/log/app\"\n"
  "    }\n"
  "}\n"
  "network {\n"
  "    mode = host\n"
  "    egress-default = deny\n"
  "    egress {\n"
  "        action = allow\n"
  "        cidr = \"10.1.2.0/24\"\n"
  "        ports = \"5432\"\n"
  "    }\n"
  "    egress {\n"
  "        action = allow\n"
  "        cidr = \"2001:db8::/32\"\n"
  "    }\n"
  "    bind = {\"8000-8080\", \"9090\"}\n"
  "}\n"
  "images = {\"python:3.*\", \"redis\"}\n"
  "hostname = \"acme-web\"\n"
  "hostname-pattern = \"acme-*\"\n"
  "uname-release = \"5.15.0\"\n";

START_TEST (test_full_file)
{
  struct sb_policy *p = load_ok (full_file);
  uint8_t a[16];

  ck_assert_str_eq (p->tenant, "acme");
  ck_assert_str_eq (p->certificate_subject, "CN=acme,O=Example Hosting");
  ck_assert_uint_eq (p->memory_bytes, 512ULL << 20);
  ck_assert_int_eq (p->swap_bytes, -1);
  ck_assert_uint_eq (p->cpu_millis, 500);
  ck_assert_uint_eq (p->pids, 256);
  ck_assert_uint_eq (p->open_files, 4096);
  ck_assert_uint_eq (p->disk_bytes, 2ULL << 30);
  ck_assert_uint_eq (p->max_containers, 10);
  ck_assert_uint_eq (p->max_exec_sessions, 4);

  ck_assert_int_eq (p->profile, SB_PROFILE_STRICT);
  ck_assert_int_eq (p->ndenies, 2);
  ck_assert_str_eq (p->denies[0], "personality");
  ck_assert_str_eq (p->denies[1], "mincore");
  ck_assert_int_eq (p->deny_errno, EACCES);
  ck_assert_int_eq (p->audit, SB_AUDIT_ALL);

  ck_assert_int_eq (p->nhidden, 3);
  ck_assert_str_eq (p->hidden[0], "/etc/shadow");
  ck_assert_str_eq (p->hidden[1], "/root");          /* normalized */
  ck_assert_str_eq (p->hidden[2], "/home/x");
  ck_assert_int_eq (p->nread_only, 1);
  ck_assert_str_eq (p->read_only[0], "/etc");
  ck_assert_int_eq (p->nvolume_roots, 1);
  ck_assert_int_eq (p->nvolumes, 2);
  ck_assert_str_eq (p->volumes[0].name, "data");
  ck_assert_str_eq (p->volumes[0].source, "/srv/tenants/acme/data");
  ck_assert_str_eq (p->volumes[0].target, "/data");
  ck_assert (p->volumes[0].read_only);
  ck_assert_str_eq (p->volumes[1].name, "logs");
  ck_assert_str_eq (p->volumes[1].source, "/srv/tenants/acme/logs");
  ck_assert (!p->volumes[1].read_only);

  ck_assert_int_eq (p->network, SB_NET_HOST);
  ck_assert (!p->egress_default_allow);
  ck_assert_int_eq (p->negress, 2);
  ck_assert (p->egress[0].allow);
  ck_assert_int_eq (p->egress[0].family, AF_INET);
  ck_assert_int_eq (p->egress[0].prefix, 24);
  inet_pton (AF_INET, "10.1.2.0", a);
  ck_assert_mem_eq (p->egress[0].addr, a, 4);
  ck_assert_uint_eq (p->egress[0].port_lo, 5432);
  ck_assert_uint_eq (p->egress[0].port_hi, 5432);
  ck_assert_int_eq (p->egress[1].family, AF_INET6);
  ck_assert_uint_eq (p->egress[1].port_lo, 0);       /* no ports: all */
  ck_assert_uint_eq (p->egress[1].port_hi, 65535);
  ck_assert_int_eq (p->nbind, 2);
  ck_assert_uint_eq (p->bind[0].lo, 8000);
  ck_assert_uint_eq (p->bind[0].hi, 8080);
  ck_assert_uint_eq (p->bind[1].lo, 9090);

  ck_assert_int_eq (p->nimages, 2);
  ck_assert_str_eq (p->images[0], "python:3.*");
  ck_assert_str_eq (p->hostname, "acme-web");
  ck_assert_str_eq (p->hostname_pattern, "acme-*");
  ck_assert_str_eq (p->uname_release, "5.15.0");
  free (p);
}
END_TEST

START_TEST (test_defaults)
{
  struct sb_policy *p = new_policy ();

  ck_assert_uint_eq (p->memory_bytes, 0);
  ck_assert_int_eq (p->swap_bytes, 0);
  ck_assert_uint_eq (p->open_files, 0);
  ck_assert_uint_eq (p->disk_bytes, 1ULL << 30);
  ck_assert_int_eq (p->profile, SB_PROFILE_DEFAULT);
  ck_assert_int_eq (p->deny_errno, EPERM);
  ck_assert_int_eq (p->audit, SB_AUDIT_DENIED);
  ck_assert_int_eq (p->network, SB_NET_NONE);
  ck_assert (p->egress_default_allow);
  ck_assert_str_eq (p->hostname_pattern, "*");
  ck_assert_str_eq (p->uname_release, "6.1.0");
  free (p);

  /* A file that only names its tenant: the defaults, and hostname = tenant. */
  p = load_ok ("tenant = \"solo\"\n");
  ck_assert_str_eq (p->tenant, "solo");
  ck_assert_str_eq (p->hostname, "solo");
  ck_assert_uint_eq (p->open_files, 0);
  ck_assert_int_eq (p->audit, SB_AUDIT_DENIED);
  ck_assert_int_eq (p->nhidden, 0);
  free (p);
}
END_TEST

START_TEST (test_errors)
{
  /* The format: FILE:LINE: KEY: what is wrong, lines counted through comments. */
  load_fails ("# one\n# two\ntenant = \"acme\" # three\nlimits {\n  memory = 12Q\n}\n",
              "t.conf:5: memory: \"12Q\" is not a size (use K, M, G)");
  load_fails ("tenant = \"acme\"\nlimits {\n  memory = 0\n}\n",
              "t.conf:3: memory: must be greater than 0");
  load_fails ("tenant = \"acme\"\nbogus = 1\n", "t.conf:2: bogus: unknown key");
  load_fails ("tenant = \"acme\"\nlimits {}\nlimits {}\n",
              "t.conf:3: limits: section given twice (first at line 2)");
  load_fails ("limits { pids = 10 }\n",
              "t.conf:1: tenant: is required in a tenant file (tenant = \"NAME\")");
  load_fails ("tenant = \"acme\"\ninclude \"/etc/passwd\"\n",
              "t.conf:2: include: not allowed in a policy held in memory");
  load_fails ("tenant = \"acme\"\nsyscalls {\n  deny = {\"read\",\n    \"nosuchcall\"}\n}\n",
              "t.conf:4: deny: unknown system call \"nosuchcall\"");
  load_fails ("tenant = \"acme\"\nnetwork {\n  egress {\n    cidr = \"0.0.0.0/0\"\n  }\n}\n",
              "t.conf:3: egress: action is required (allow or deny)");
  load_fails ("tenant = \"acme\"\nfilesystem {\n  volume v {\n    source = \"/srv/v\"\n"
              "    target = \"/v\"\n  }\n}\n",
              "t.conf:4: source: \"/srv/v\" is not inside the volume-roots (none are set)");
  load_fails ("tenant = \"acme\"\nhostname-pattern = \"web-*\"\n",
              "t.conf:2: hostname-pattern: \"web-*\" does not match the hostname \"acme\" "
              "(the tenant name: set hostname)");
}
END_TEST

START_TEST (test_error_keeps_policy)
{
  struct sb_policy *p = load_ok ("tenant = \"first\"\nlimits { pids = 7 }\n");
  sb_error_t err = NULL;

  ck_assert_int_lt (sb_policy_load_buffer (p, "t.conf", "tenant = \"second\"\nlimits { pids = 0 }\n",
                                           &err), 0);
  sb_error_free (&err);
  ck_assert_str_eq (p->tenant, "first");
  ck_assert_uint_eq (p->pids, 7);
  ck_assert_int_lt (sb_policy_load (p, NULL, "/nonexistent/x.conf", &err), 0);
  ck_assert_str_eq (err->msg, "/nonexistent/x.conf: cannot read: No such file or directory");
  sb_error_free (&err);
  free (p);
}
END_TEST

/* --- merging a tenant file over a base file ---------------------------------- */

/* Made by main() before the tests fork, removed after them. */
static char tmpdir[64];

static char *
write_file (const char *name, const char *text)
{
  char *path;
  FILE *f;

  ck_assert_int_ge (asprintf (&path, "%s/%s", tmpdir, name), 0);
  f = fopen (path, "w");
  ck_assert_ptr_nonnull (f);
  fputs (text, f);
  fclose (f);
  return path;
}

static const char base_file[] =
  "# the provider's base\n"
  "limits {\n"
  "    memory = 1G\n"
  "    pids = 128\n"
  "    cpus = 1\n"
  "}\n"
  "syscalls {\n"
  "    deny = {\"mincore\"}\n"
  "    audit = all\n"
  "}\n"
  "filesystem {\n"
  "    hidden = {\"/root\", \"/home\"}\n"
  "    read-only = {\"/etc\"}\n"
  "    volume-roots = {\"/srv/tenants\"}\n"
  "    volume shared {\n"
  "        source = \"/srv/tenants/shared\"\n"
  "        target = \"/shared\"\n"
  "    }\n"
  "}\n"
  "network {\n"
  "    mode = host\n"
  "    egress { action = deny cidr = \"169.254.0.0/16\" }\n"
  "    bind = {\"8000-8999\"}\n"
  "}\n"
  "images = {\"debian:*\"}\n"
  "uname-release = \"5.10.0\"\n";

START_TEST (test_merge)
{
  char *base = write_file ("base.conf", base_file);
  char *tenant = write_file ("t1.conf",
                             "tenant = \"t1\"\n"
                             "limits { memory = 2G }\n"              /* only memory */
                             "filesystem { hidden = {\"/secret\"} }\n" /* replaces */
                             "network { bind = {} }\n"               /* empty: replaces */
                             "images = {\"redis\"}\n");
  struct sb_policy *p = new_policy ();
  sb_error_t err = NULL;

  ck_assert_msg (sb_policy_load (p, base, tenant, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_str_eq (p->tenant, "t1");
  ck_assert_uint_eq (p->memory_bytes, 2ULL << 30);   /* overridden */
  ck_assert_uint_eq (p->pids, 128);                  /* from the base */
  ck_assert_uint_eq (p->cpu_millis, 1000);
  ck_assert_int_eq (p->audit, SB_AUDIT_ALL);
  ck_assert_int_eq (p->ndenies, 1);
  ck_assert_str_eq (p->denies[0], "mincore");
  ck_assert_int_eq (p->nhidden, 1);                  /* the list was replaced */
  ck_assert_str_eq (p->hidden[0], "/secret");
  ck_assert_int_eq (p->nread_only, 1);               /* untouched */
  ck_assert_int_eq (p->nvolumes, 1);
  ck_assert_str_eq (p->volumes[0].name, "shared");
  ck_assert_int_eq (p->network, SB_NET_HOST);
  ck_assert_int_eq (p->negress, 1);
  ck_assert_int_eq (p->nbind, 0);
  ck_assert_int_eq (p->nimages, 1);
  ck_assert_str_eq (p->images[0], "redis");
  ck_assert_str_eq (p->uname_release, "5.10.0");
  ck_assert_str_eq (p->hostname, "t1");
  free (tenant);
  free (base);
  free (p);
}
END_TEST

START_TEST (test_merge_append_and_sections)
{
  char *base = write_file ("base.conf", base_file);
  char *tenant = write_file ("t2.conf",
                             "tenant = \"t2\"\n"
                             "syscalls { deny += {\"personality\", \"mincore\"} }\n"
                             "filesystem {\n"
                             "  read-only += {\"/usr\"}\n"
                             "  volume own { source = \"/srv/tenants/t2\" target = \"/own\" }\n"
                             "}\n"
                             "network {\n"
                             "  egress { action = allow cidr = \"10.0.0.0/8\" ports = \"443\" }\n"
                             "}\n"
                             "images += {\"redis\"}\n"
                             "images += {\"nginx\"}\n");
  struct sb_policy *p = new_policy ();
  sb_error_t err = NULL;

  ck_assert_msg (sb_policy_load (p, base, tenant, &err) == 0, "%s", err ? err->msg : "");
  /* += appends to the base's list, without duplicates */
  ck_assert_int_eq (p->ndenies, 2);
  ck_assert_str_eq (p->denies[0], "mincore");
  ck_assert_str_eq (p->denies[1], "personality");
  ck_assert_int_eq (p->nread_only, 2);
  ck_assert_str_eq (p->read_only[1], "/usr");
  ck_assert_int_eq (p->nimages, 3);
  ck_assert_str_eq (p->images[2], "nginx");
  /* multi-sections given in the tenant file replace the base's */
  ck_assert_int_eq (p->nvolumes, 1);
  ck_assert_str_eq (p->volumes[0].name, "own");
  ck_assert_int_eq (p->negress, 1);
  ck_assert (p->egress[0].allow);
  ck_assert_uint_eq (p->egress[0].port_lo, 443);
  ck_assert_int_eq (p->nhidden, 2);                  /* untouched */
  free (tenant);
  free (base);
  free (p);

  /* `=` after `+=` in the same file replaces after all */
  base = write_file ("base.conf", base_file);
  tenant = write_file ("t3.conf", "tenant = \"t3\"\nimages += {\"a\"}\nimages = {\"b\"}\n");
  p = new_policy ();
  ck_assert_msg (sb_policy_load (p, base, tenant, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_int_eq (p->nimages, 1);
  ck_assert_str_eq (p->images[0], "b");
  free (tenant);
  free (base);
  free (p);
}
END_TEST

START_TEST (test_merge_checks_and_include)
{
  char *base = write_file ("base.conf", base_file);
  char *common = write_file ("common.conf", "# shared\nlimits {\n  pids = 99\n}\n");
  char *tenant = write_file ("t4.conf",
                             "tenant = \"t4\"\n"
                             "include \"common.conf\"\n"
                             "filesystem { volume-roots = {\"/data\"} }\n");
  struct sb_policy *p = new_policy ();
  sb_error_t err = NULL;
  char *expected;

  /* include, relative to the including file */
  ck_assert_int_lt (sb_policy_load (p, base, tenant, &err), 0);
  /* the base's volume is outside the tenant's volume-roots: checked after the merge,
     reported at the base's line */
  ck_assert_int_ge (asprintf (&expected, "%s:16: source: \"/srv/tenants/shared\" is not inside "
                              "the volume-roots (/data)", base), 0);
  ck_assert_str_eq (err->msg, expected);
  sb_error_free (&err);
  free (expected);
  free (tenant);

  tenant = write_file ("t4.conf", "tenant = \"t4\"\ninclude \"common.conf\"\n");
  ck_assert_msg (sb_policy_load (p, base, tenant, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_uint_eq (p->pids, 99);
  free (tenant);

  /* an error in an included file names that file and its line */
  free (common);
  common = write_file ("common.conf", "# shared\nlimits {\n  pids = 0\n}\n");
  tenant = write_file ("t4.conf", "tenant = \"t4\"\ninclude \"common.conf\"\n");
  ck_assert_int_lt (sb_policy_load (p, base, tenant, &err), 0);
  ck_assert_int_ge (asprintf (&expected, "%s:3: pids: \"0\" is out of range (1..4194304)",
                              common), 0);
  ck_assert_str_eq (err->msg, expected);
  sb_error_free (&err);
  free (expected);
  free (tenant);
  free (common);
  free (base);
  free (p);
}
END_TEST

/* --- decisions ------------------------------------------------------------------ */

static bool
egress (const struct sb_policy *p, const char *addr, uint16_t port)
{
  uint8_t a[16];
  if (strchr (addr, ':'))
    {
      ck_assert_int_eq (inet_pton (AF_INET6, addr, a), 1);
      return sb_policy_egress_allowed (p, AF_INET6, a, port);
    }
  ck_assert_int_eq (inet_pton (AF_INET, addr, a), 1);
  return sb_policy_egress_allowed (p, AF_INET, a, port);
}

START_TEST (test_egress)
{
  struct sb_policy *p = load_ok (
    "tenant = \"acme\"\n"
    "network {\n"
    "  mode = host\n"
    "  egress-default = deny\n"
    "  egress { action = allow cidr = \"10.0.5.10/32\" ports = \"5432\" }\n"
    "  egress { action = deny cidr = \"10.0.0.0/8\" }\n"
    "  egress { action = allow cidr = \"10.0.0.0/8\" ports = \"80\" }\n"   /* never reached */
    "  egress { action = allow cidr = \"2001:db8::/32\" ports = \"443-444\" }\n"
    "  egress { action = allow cidr = \"8.8.0.0/16\" }\n"
    "}\n");
  uint8_t a[16] = { 0 };

  ck_assert (egress (p, "10.0.5.10", 5432));      /* first rule */
  ck_assert (!egress (p, "10.0.5.10", 5433));     /* second rule */
  ck_assert (!egress (p, "10.9.9.9", 80));        /* second rule: first match wins */
  ck_assert (egress (p, "8.8.8.8", 53));
  ck_assert (!egress (p, "1.1.1.1", 53));         /* default */
  ck_assert (egress (p, "2001:db8::1", 443));
  ck_assert (egress (p, "2001:db8:ffff::1", 444));
  ck_assert (!egress (p, "2001:db8::1", 80));
  ck_assert (!egress (p, "2001:db9::1", 443));
  /* IPv4-mapped IPv6 destinations are decided by the IPv4 rules */
  ck_assert (egress (p, "::ffff:10.0.5.10", 5432));
  ck_assert (!egress (p, "::ffff:10.0.5.10", 5433));
  ck_assert (!egress (p, "::ffff:10.1.1.1", 80));
  ck_assert (egress (p, "::ffff:8.8.4.4", 53));
  ck_assert (!egress (p, "::ffff:1.1.1.1", 53));
  ck_assert (!egress (p, "::10.0.5.10", 5432));   /* IPv4-compatible is not mapped */
  ck_assert (!sb_policy_egress_allowed (p, AF_UNIX, a, 80));
  ck_assert (!sb_policy_egress_allowed (p, AF_INET, NULL, 80));
  free (p);

  p = load_ok ("tenant = \"acme\"\nnetwork {\n"
               "  egress { action = deny cidr = \"169.254.169.254/32\" }\n"
               "  egress { action = deny cidr = \"::/0\" ports = \"25\" }\n}\n");
  ck_assert (egress (p, "1.2.3.4", 443));          /* default allow */
  ck_assert (!egress (p, "169.254.169.254", 80));
  ck_assert (!egress (p, "::ffff:169.254.169.254", 80));
  ck_assert (!egress (p, "2001:db8::1", 25));
  ck_assert (egress (p, "::ffff:1.2.3.4", 25));    /* mapped: not an IPv6 rule's business */
  ck_assert (egress (p, "1.2.3.4", 0));
  free (p);
}
END_TEST

START_TEST (test_bind)
{
  struct sb_policy *p = load_ok ("tenant = \"acme\"\n");

  ck_assert (sb_policy_bind_allowed (p, 0));
  ck_assert (sb_policy_bind_allowed (p, 22));     /* empty list: any port */
  ck_assert (sb_policy_bind_allowed (p, 65535));
  free (p);

  p = load_ok ("tenant = \"acme\"\nnetwork { bind = {\"8000-8080\", \"9090\"} }\n");
  ck_assert (sb_policy_bind_allowed (p, 0));      /* always */
  ck_assert (sb_policy_bind_allowed (p, 8000));
  ck_assert (sb_policy_bind_allowed (p, 8080));
  ck_assert (sb_policy_bind_allowed (p, 9090));
  ck_assert (!sb_policy_bind_allowed (p, 7999));
  ck_assert (!sb_policy_bind_allowed (p, 8081));
  ck_assert (!sb_policy_bind_allowed (p, 9091));
  ck_assert (!sb_policy_bind_allowed (p, 22));
  free (p);
}
END_TEST

START_TEST (test_hostname)
{
  struct sb_policy *p = load_ok ("tenant = \"acme\"\nhostname = \"acme-1\"\n"
                                 "hostname-pattern = \"acme-*\"\n");
  char longname[80];

  ck_assert (sb_policy_hostname_allowed (p, "acme-1"));
  ck_assert (sb_policy_hostname_allowed (p, "acme-web.internal"));
  ck_assert (!sb_policy_hostname_allowed (p, "acme"));
  ck_assert (!sb_policy_hostname_allowed (p, "web-acme-1"));
  ck_assert (!sb_policy_hostname_allowed (p, ""));
  ck_assert (!sb_policy_hostname_allowed (p, NULL));
  memset (longname, 'a', sizeof (longname));
  memcpy (longname, "acme-", 5);
  longname[64] = '\0';
  ck_assert (!sb_policy_hostname_allowed (p, longname));   /* 64 characters */
  longname[63] = '\0';
  ck_assert (sb_policy_hostname_allowed (p, longname));
  free (p);

  p = load_ok ("tenant = \"acme\"\n");
  ck_assert (sb_policy_hostname_allowed (p, "anything"));   /* default "*" */
  free (p);

  p = load_ok ("tenant = \"acme\"\nhostname-pattern = \"[a-c]*-[0-9]\"\nhostname = \"b-1\"\n");
  ck_assert (sb_policy_hostname_allowed (p, "c-9"));
  ck_assert (!sb_policy_hostname_allowed (p, "d-9"));
  free (p);
}
END_TEST

/* --- writing a policy back -------------------------------------------------- */

/* Each good file and example: loaded, written, loaded again: the same. */
START_TEST (test_write_round_trip)
{
  static const char *const files[] = {
    "tests/policy/good/full.conf", "tests/policy/good/comments.conf", "tests/policy/good/crlf.conf",
    "policy/examples/ci-runner.conf", "policy/examples/free-tier.conf",
    "policy/examples/paid-tier.conf",
  };
  for (size_t i = 0; i < sizeof (files) / sizeof (files[0]); i++)
    {
      struct sb_policy *a = new_policy (), *b = new_policy ();
      sb_error_t err = NULL;
      char path[4096], out[4200];
      FILE *f;

      snprintf (path, sizeof (path), "%s/%s", SB_TOP_SRCDIR, files[i]);
      ck_assert_msg (sb_policy_load (a, NULL, path, &err) == 0, "%s: %s", files[i], err ? err->msg : "");
      a->id_lo = a->id_hi = 0; /* not written: passed to the Sentry apart */
      snprintf (out, sizeof (out), "%s/written.conf", tmpdir);
      f = fopen (out, "w");
      ck_assert_ptr_nonnull (f);
      ck_assert_int_eq (sb_policy_write (a, f), 0);
      fclose (f);
      ck_assert_msg (sb_policy_load (b, NULL, out, &err) == 0, "%s written back: %s", files[i],
                     err ? err->msg : "");
      if (a->tenant[0] == '\0')
        snprintf (a->tenant, sizeof (a->tenant), "anonymous");
      ck_assert_msg (memcmp (a, b, sizeof (*a)) == 0, "%s: written back, it loads differently", files[i]);
      free (a);
      free (b);
    }
}
END_TEST

static Suite *
policy_suite (void)
{
  Suite *s = suite_create ("policy");
  TCase *tc;

  tc = tcase_create ("parsers");
  tcase_add_test (tc, test_size_good);
  tcase_add_test (tc, test_size_bad);
  tcase_add_test (tc, test_cpus);
  tcase_add_test (tc, test_cidr_v4);
  tcase_add_test (tc, test_cidr_v6);
  tcase_add_test (tc, test_port_ranges);
  suite_add_tcase (s, tc);

  tc = tcase_create ("files");
  tcase_add_test (tc, test_full_file);
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_error_keeps_policy);
  tcase_add_test (tc, test_merge);
  tcase_add_test (tc, test_merge_append_and_sections);
  tcase_add_test (tc, test_merge_checks_and_include);
  tcase_add_test (tc, test_write_round_trip);
  suite_add_tcase (s, tc);

  tc = tcase_create ("decisions");
  tcase_add_test (tc, test_egress);
  tcase_add_test (tc, test_bind);
  tcase_add_test (tc, test_hostname);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (policy_suite ());
  int failed;

  snprintf (tmpdir, sizeof (tmpdir), "/tmp/test_policy.XXXXXX");
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("test_policy: mkdtemp");
      return 1;
    }
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  {
    char cmd[128];
    snprintf (cmd, sizeof (cmd), "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      fprintf (stderr, "test_policy: could not remove %s\n", tmpdir);
  }
  return failed == 0 ? 0 : 1;
}
