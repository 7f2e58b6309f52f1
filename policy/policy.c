/* Tenant policies: the libconfuse schema, the value callbacks, and the merge
   of a tenant file over the base file. The text libconfuse reads comes from
   the pre-pass in parse.c (comments, includes, line map); the value parsers
   and the decisions are in decide.c.

   How errors get their line: every value has a parse callback
   (CFG_*_CB) that checks it while libconfuse still stands on its line, and
   reports with cfg_error(); on_cfg_error() turns libconfuse's line (in the
   combined text) back into FILE:LINE. What no callback can see while
   parsing (a section given twice, a volume without a source, a source
   outside the volume-roots of the merged policy) is checked later against
   the lines the callbacks noted, and a hidden option "|open" in every
   section records the line its `{` was on (see cb_open). */
#include "policy.h"

#include "conf.h"
#include "parse.h"
#include "syscall_table.h"

#include <arpa/inet.h>
#include <confuse.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>


struct note
{
  const cfg_t *sec;      /* the section the value was in */
  const char *key;
  int line;              /* in the combined text */
};

struct parse
{
  struct pt_text text;
  cfg_t *cfg;
  char *err;             /* the first error from libconfuse or a callback */
  int err_line;          /* its line in the combined text */
  struct note *notes;
  size_t nnotes, notecap;
  char scratch[4096 + 64];  /* a normalized string handed back to libconfuse */
};

static struct parse *cur;   /* the parse under way (under policy_lock) */

static bool is_top_level_key (const char *name);

/* Where the merged policy's values came from, for the checks after the merge. */
struct origin
{
  char *volume_source[SB_POLICY_MAX_VOLUMES];   /* "FILE:LINE" */
  char *volume_target[SB_POLICY_MAX_VOLUMES];
  char *hostname;
  char *hostname_pattern;
  char *id_range;
};

/* --- messages --------------------------------------------------------------- */

static char *
location (const struct parse *ps, int line)
{
  const char *file;
  int fline;
  char *s;

  pt_locate (&ps->text, line, &file, &fline);
  if (asprintf (&s, "%s:%d", file, fline) < 0)
    abort ();
  return s;
}

__attribute__ ((format (printf, 2, 0))) static void
on_cfg_error (cfg_t *cfg, const char *fmt, va_list ap)
{
  char *msg, *loc;

  if (cur == NULL || cur->err != NULL)
    return;
  msg = sb_conf_translate (cfg, fmt, ap, is_top_level_key);
  loc = location (cur, cfg->line);
  if (asprintf (&cur->err, "%s: %s", loc, msg) < 0)
    abort ();
  cur->err_line = cfg->line;
  free (loc);
  free (msg);
}

/* Reports through cfg_error() at `line` of the combined text (0: where
   libconfuse stands). Returns -1 for the callbacks to return. */
__attribute__ ((format (printf, 3, 4))) static int
fail (cfg_t *cfg, int line, const char *fmt, ...)
{
  va_list ap;
  char *msg = NULL;
  int saved = cfg->line;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (line > 0)
    cfg->line = line;
  cfg_error (cfg, "%s", msg);
  cfg->line = saved;
  free (msg);
  return -1;
}

static void
note (cfg_t *cfg, cfg_opt_t *opt)
{
  if (cur->nnotes == cur->notecap)
    {
      cur->notecap = cur->notecap ? cur->notecap * 2 : 64;
      cur->notes = pt_xrealloc (cur->notes, cur->notecap * sizeof (*cur->notes));
    }
  cur->notes[cur->nnotes].sec = cfg;
  cur->notes[cur->nnotes].key = opt->name;
  cur->notes[cur->nnotes].line = cfg->line;
  cur->nnotes++;
}

/* The line of a section's `{`, kept by cb_open in its first option. */
static int
open_line (const cfg_t *sec)
{
  const char *v;

  if (sec->opts == NULL || sec->opts[0].name == NULL || strcmp (sec->opts[0].name, "|open") != 0)
    return 1;
  v = cfg_opt_getnstr (&sec->opts[0], 0);
  return v ? atoi (v) : 1;
}

/* The line of the last value of `key` in `sec`, or else of the section. */
static int
noted_line (const struct parse *ps, const cfg_t *sec, const char *key)
{
  for (size_t i = ps->nnotes; i-- > 0;)
    if (ps->notes[i].sec == sec && strcmp (ps->notes[i].key, key) == 0)
      return ps->notes[i].line;
  return open_line (sec);
}

/* --- value callbacks ------------------------------------------------------- */

/* Text without control characters, 1..max bytes; spaces only if allowed. */
static int
check_text (cfg_t *cfg, cfg_opt_t *opt, const char *v, size_t max, bool spaces)
{
  size_t len = strlen (v);

  if (len == 0)
    return fail (cfg, 0, "%s: is empty", opt->name);
  if (len > max)
    return fail (cfg, 0, "%s: %s is too long (at most %zu characters)", opt->name, sb_conf_show (v), max);
  for (const unsigned char *q = (const unsigned char *) v; *q; q++)
    {
      if (*q < 0x20 || *q == 0x7f)
        return fail (cfg, 0, "%s: %s contains a control character", opt->name, sb_conf_show (v));
      if (*q == ' ' && !spaces)
        return fail (cfg, 0, "%s: %s contains a space", opt->name, sb_conf_show (v));
    }
  return 0;
}

static int
list_full (cfg_t *cfg, cfg_opt_t *opt, int max)
{
  if (opt->nvalues > (unsigned) max)
    return fail (cfg, 0, "%s: too many entries (at most %d)", opt->name, max);
  return 0;
}

static bool
valid_name (const char *v, bool extra)
{
  size_t len = strlen (v);

  if (len == 0 || len > 63)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      char c = v[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || (i > 0 && (c == '-' || (extra && (c == '_' || c == '.'))));
      if (!ok)
        return false;
    }
  return true;
}

static int
cb_tenant (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  note (cfg, opt);
  if (!valid_name (v, false))
    return fail (cfg, 0, "%s: %s is not a valid tenant name "
                 "([a-z0-9][a-z0-9-]*, at most 63 characters)", opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

static int
cb_text (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  bool subject = strcmp (opt->name, "certificate-subject") == 0;
  bool image = strcmp (opt->name, "images") == 0;

  note (cfg, opt);
  if (image && list_full (cfg, opt, SB_POLICY_MAX_IMAGES) < 0)
    return -1;
  if (check_text (cfg, opt, v, subject ? 511 : 255, subject) < 0)
    return -1;
  *(const char **) result = v;
  return 0;
}

static int
cb_hostname (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  size_t len = strlen (v);
  bool ok = len >= 1 && len <= 63;

  note (cfg, opt);
  for (size_t i = 0; ok && i < len; i++)
    {
      char c = v[i];
      bool edge = i == 0 || i == len - 1 || v[i - 1] == '.' || v[i + 1] == '.';
      if (c == '.')
        ok = i > 0 && i < len - 1 && v[i - 1] != '.';
      else if (c == '-')
        ok = !edge;
      else
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
  if (!ok)
    return fail (cfg, 0, "%s: %s is not a valid hostname (letters, digits, '-' and '.', "
                 "at most 63 characters)", opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

static int
cb_release (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  size_t len = strlen (v);
  bool ok = len >= 1 && len <= 64;

  note (cfg, opt);
  for (size_t i = 0; ok && i < len; i++)
    ok = v[i] > ' ' && v[i] < 0x7f;
  if (!ok)
    return fail (cfg, 0, "%s: %s is not a valid release (1 to 64 printable characters, "
                 "no spaces)", opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

static const struct
{
  const char *key;
  uint64_t min, max;
  const char *range;       /* for the message; NULL: only the minimum matters */
} size_limits[] = {
  { "memory", 1, INT64_MAX, NULL },
  { "swap", 0, INT64_MAX, NULL },
  { "disk", 1ULL << 20, 16ULL << 40, "1M..16T" },
  { "image-size", 1ULL << 20, 4ULL << 30, "1M..4G" },
};

static int
cb_size (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  uint64_t n = 0;
  bool swap = strcmp (opt->name, "swap") == 0;
  size_t k;
  int rc;

  note (cfg, opt);
  if (swap && strcmp (v, "unlimited") == 0)
    {
      *(long *) result = -1;
      return 0;
    }
  rc = sb_parse_size (v, &n);
  if (rc == -ERANGE)
    return fail (cfg, 0, "%s: %s is too large", opt->name, sb_conf_show (v));
  if (rc < 0 && strchr (v, '.') != NULL)
    return fail (cfg, 0, "%s: %s is not a size (no decimals: use a smaller unit, "
                 "as in 1536M for 1.5G)", opt->name, sb_conf_show (v));
  if (rc < 0 && v[0] == '-')
    return fail (cfg, 0, "%s: %s is not a size (sizes are not negative%s)", opt->name,
                 sb_conf_show (v), swap ? "; use \"unlimited\"" : "");
  if (rc < 0)
    return fail (cfg, 0, "%s: %s is not a size (use K, M, G)", opt->name, sb_conf_show (v));
  for (k = 0; k < sizeof (size_limits) / sizeof (size_limits[0]); k++)
    if (strcmp (size_limits[k].key, opt->name) == 0)
      break;
  if (k < sizeof (size_limits) / sizeof (size_limits[0])
      && (n < size_limits[k].min || n > size_limits[k].max))
    {
      if (size_limits[k].range != NULL)
        return fail (cfg, 0, "%s: %s is out of range (%s)", opt->name, sb_conf_show (v),
                     size_limits[k].range);
      return fail (cfg, 0, "%s: must be greater than 0", opt->name);
    }
  *(long *) result = (long) n;
  return 0;
}

static int
cb_cpus (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  uint32_t millis;
  const char *dot = strchr (v, '.');
  int rc;

  note (cfg, opt);
  rc = sb_parse_cpus (v, &millis);
  if (rc == -ERANGE)
    return fail (cfg, 0, "%s: %s is out of range (0.01..1024)", opt->name, sb_conf_show (v));
  if (rc < 0 && dot != NULL && dot > v && strspn (v, "0123456789") == (size_t) (dot - v)
      && strspn (dot + 1, "0123456789") > 3 && dot[1 + strspn (dot + 1, "0123456789")] == '\0')
    return fail (cfg, 0, "%s: %s has more than 3 decimals", opt->name, sb_conf_show (v));
  if (rc < 0)
    return fail (cfg, 0, "%s: %s is not a number of CPUs (such as 0.5 or 2)", opt->name,
                 sb_conf_show (v));
  *(long *) result = (long) millis;
  return 0;
}

static const struct
{
  const char *key;
  long min, max;
} uint_limits[] = {
  { "pids", 1, 4194304 },
  { "open-files", 16, 1048576 },
  { "containers", 1, 10000 },
  { "exec-sessions", 0, 10000 },
  { "images", 0, 10000 },
};

static int
cb_uint (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  size_t len = strlen (v), k;
  long n = 0;

  note (cfg, opt);
  if (len == 0 || len > 10 || strspn (v, "0123456789") != len || (v[0] == '0' && len > 1))
    return fail (cfg, 0, "%s: %s is not a whole number", opt->name, sb_conf_show (v));
  for (size_t i = 0; i < len; i++)
    n = n * 10 + (v[i] - '0');
  for (k = 0; k < sizeof (uint_limits) / sizeof (uint_limits[0]); k++)
    if (strcmp (uint_limits[k].key, opt->name) == 0)
      break;
  if (k == sizeof (uint_limits) / sizeof (uint_limits[0]))
    abort ();
  if (n < uint_limits[k].min || n > uint_limits[k].max)
    return fail (cfg, 0, "%s: %s is out of range (%ld..%ld)", opt->name, sb_conf_show (v),
                 uint_limits[k].min, uint_limits[k].max);
  *(long *) result = n;
  return 0;
}

/* limits/oom-score-adj-min: -999..0. Never -1000, which would exempt the
   app from the OOM killer altogether. */
static int
cb_oom_floor (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  size_t len = strlen (v), digits = v[0] == '-' ? len - 1 : len;
  long n;

  note (cfg, opt);
  if (digits == 0 || digits > 7 || strspn (v + (len - digits), "0123456789") != digits)
    return fail (cfg, 0, "%s: %s is not a whole number", opt->name, sb_conf_show (v));
  n = strtol (v, NULL, 10);
  if (n < -999 || n > 0)
    return fail (cfg, 0, "%s: %s is out of range (-999..0)", opt->name, sb_conf_show (v));
  *(long *) result = n;
  return 0;
}

struct enum_value
{
  const char *name;
  long value;
};

static const struct enum_value profiles[] = {
  { "default", SB_PROFILE_DEFAULT }, { "strict", SB_PROFILE_STRICT },
  { "compat", SB_PROFILE_COMPAT }, { NULL, 0 },
};
static const struct enum_value audits[] = {
  { "none", SB_AUDIT_NONE }, { "denied", SB_AUDIT_DENIED }, { "all", SB_AUDIT_ALL }, { NULL, 0 },
};
static const struct enum_value errnos[] = {
  { "EPERM", EPERM }, { "EACCES", EACCES }, { "ENOSYS", ENOSYS }, { "EINVAL", EINVAL },
  { "ENOENT", ENOENT }, { "EOPNOTSUPP", EOPNOTSUPP }, { NULL, 0 },
};
static const struct enum_value modes[] = {
  { "none", SB_NET_NONE }, { "host", SB_NET_HOST }, { NULL, 0 },
};
static const struct enum_value allow_deny[] = {
  { "allow", 1 }, { "deny", 0 }, { NULL, 0 },
};

static const struct
{
  const char *key;
  const struct enum_value *values;
} enums[] = {
  { "profile", profiles }, { "audit", audits }, { "errno", errnos }, { "mode", modes },
  { "egress-default", allow_deny }, { "action", allow_deny },
};

static int
cb_enum (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  const struct enum_value *values = NULL;
  char names[200];
  size_t o = 0;

  note (cfg, opt);
  for (size_t k = 0; k < sizeof (enums) / sizeof (enums[0]); k++)
    if (strcmp (enums[k].key, opt->name) == 0)
      values = enums[k].values;
  if (values == NULL)
    abort ();
  for (int i = 0; values[i].name; i++)
    {
      if (strcmp (values[i].name, v) == 0)
        {
          *(long *) result = values[i].value;
          return 0;
        }
      o += (size_t) snprintf (names + o, sizeof (names) - o, "%s%s", i ? ", " : "",
                              values[i].name);
    }
  return fail (cfg, 0, "%s: %s is not one of %s", opt->name, sb_conf_show (v), names);
}

static int
cb_bool (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  note (cfg, opt);
  if (strcmp (v, "true") == 0)
    *(int *) result = 1;
  else if (strcmp (v, "false") == 0)
    *(int *) result = 0;
  else
    return fail (cfg, 0, "%s: %s is not a boolean (use true or false)", opt->name, sb_conf_show (v));
  return 0;
}

static int
cb_syscall (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  note (cfg, opt);
  if (list_full (cfg, opt, SB_POLICY_MAX_DENIES) < 0)
    return -1;
  if (strlen (v) >= sizeof (((struct sb_policy *) 0)->denies[0]) || sb_syscall_by_name (v) < 0)
    return fail (cfg, 0, "%s: unknown system call %s", opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

/* An absolute path without "..": "//" and "/." collapse, a final "/" goes. */
static const char *
normalize_path (const char *in, char *out, size_t size)
{
  size_t o = 0;
  const char *p = in;

  if (in[0] != '/')
    return "is not an absolute path";
  while (*p)
    {
      const char *start;
      size_t len;
      while (*p == '/')
        p++;
      start = p;
      while (*p && *p != '/')
        p++;
      len = (size_t) (p - start);
      if (len == 0 || (len == 1 && start[0] == '.'))
        continue;
      if (len == 2 && start[0] == '.' && start[1] == '.')
        return "contains \"..\"";
      if (o + 1 + len + 1 > size)
        return "is too long";
      out[o++] = '/';
      memcpy (out + o, start, len);
      o += len;
    }
  if (o == 0)
    out[o++] = '/';
  out[o] = '\0';
  return NULL;
}

static bool
path_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  if (strcmp (dir, "/") == 0)
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool
sb_policy_in_volume_roots (const struct sb_policy *p, const char *path)
{
  for (int k = 0; k < p->nvolume_roots; k++)
    if (path_under (path, p->volume_roots[k]))
      return true;
  return false;
}

static int
cb_path (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  const char *why;
  char *out = cur->scratch;

  note (cfg, opt);
  if ((opt->flags & CFGF_LIST) && list_full (cfg, opt, SB_POLICY_MAX_PATHS) < 0)
    return -1;
  if (check_text (cfg, opt, v, 4095, true) < 0)
    return -1;
  why = normalize_path (v, out, 4096);
  if (why != NULL)
    return fail (cfg, 0, "%s: %s %s", opt->name, sb_conf_show (v), why);
  if (strcmp (opt->name, "hidden") == 0 && strcmp (out, "/") == 0)
    return fail (cfg, 0, "%s: \"/\" cannot be hidden", opt->name);
  if (strcmp (opt->name, "target") == 0)
    {
      /* /proc and /sys are the kernel's views, masked; /dev is the
         sandbox's own, but a file or directory below it may be bound
         over what it has there (the kubelet's /dev/termination-log). */
      static const char *const kernel[] = { "/proc", "/sys" };
      if (strcmp (out, "/") == 0 || strcmp (out, "/dev") == 0)
        return fail (cfg, 0, "%s: %s cannot be a volume target", opt->name, sb_conf_show (v));
      for (size_t k = 0; k < sizeof (kernel) / sizeof (kernel[0]); k++)
        if (path_under (out, kernel[k]))
          return fail (cfg, 0, "%s: %s is under %s", opt->name, sb_conf_show (v), kernel[k]);
    }
  *(const char **) result = out;
  return 0;
}

static int
cb_cidr (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  uint8_t addr[16];
  int family, prefix, rc;

  note (cfg, opt);
  rc = sb_parse_cidr (v, &family, addr, &prefix);
  if (rc == -ERANGE)
    return fail (cfg, 0, "%s: %s has a prefix out of range (0..%d)", opt->name, sb_conf_show (v),
                 strchr (v, ':') ? 128 : 32);
  if (rc == -EDOM)
    {
      /* Name the network the rule probably meant. */
      char buf[INET6_ADDRSTRLEN + 8], net[INET6_ADDRSTRLEN];
      const char *slash = strchr (v, '/');
      uint8_t a[16] = { 0 };
      int fam = strchr (v, ':') ? AF_INET6 : AF_INET;
      int p = atoi (slash + 1);
      snprintf (buf, sizeof (buf), "%.*s", (int) (slash - v), v);
      if (inet_pton (fam, buf, a) == 1)
        {
          for (int bit = p; bit < (fam == AF_INET ? 32 : 128); bit++)
            a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
          inet_ntop (fam, a, net, sizeof (net));
          return fail (cfg, 0, "%s: %s has host bits set (the network is %s/%d)", opt->name,
                       sb_conf_show (v), net, p);
        }
    }
  if (rc < 0)
    return fail (cfg, 0, "%s: %s is not a CIDR (address/prefix, such as 10.1.2.0/24 or "
                 "fd00::/64)", opt->name, sb_conf_show (v));
  if (family == AF_INET6 && prefix >= 96 && memcmp (addr, mapped, sizeof (mapped)) == 0)
    return fail (cfg, 0, "%s: %s is an IPv4-mapped range: write it as IPv4 (a.b.c.d/%d)",
                 opt->name, sb_conf_show (v), prefix - 96);
  *(const char **) result = v;
  return 0;
}

static int
cb_id_range (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  uint32_t lo, hi;
  int rc;

  note (cfg, opt);
  rc = sb_parse_id_range (v, &lo, &hi);
  if (rc == -EDOM)
    return fail (cfg, 0, "%s: %s is reversed (write first-last)", opt->name, sb_conf_show (v));
  if (rc == -ERANGE)
    return fail (cfg, 0, "%s: %s is out of range (ids %u..4294967294, at least %u of them)",
                 opt->name, sb_conf_show (v), SB_ID_FLOOR, SB_ID_RANGE_MIN);
  if (rc < 0)
    return fail (cfg, 0, "%s: %s is not an id range (first-last, such as 200000-265535)",
                 opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

static int
cb_ports (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  uint16_t lo, hi;
  int rc;

  note (cfg, opt);
  if ((opt->flags & CFGF_LIST) && list_full (cfg, opt, SB_POLICY_MAX_RULES) < 0)
    return -1;
  rc = sb_parse_port_range (v, &lo, &hi);
  if (rc == -ERANGE)
    return fail (cfg, 0, "%s: %s is out of range (ports are 1..65535)", opt->name, sb_conf_show (v));
  if (rc == -EDOM)
    return fail (cfg, 0, "%s: %s is reversed (write low-high)", opt->name, sb_conf_show (v));
  if (rc < 0)
    return fail (cfg, 0, "%s: %s is not a port or port range (such as 443 or 8000-8080)",
                 opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

/* The hidden first option of every section: libconfuse sets its default
   (by parsing "x" with this callback) when it creates the section, at the
   `{`; the value kept is that line. It must not fail: libconfuse aborts
   on a default it cannot parse. Users cannot name it: the pre-pass
   refuses keys with a '|'. */
static int
cb_open (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  (void) opt;
  (void) v;
  snprintf (cur->scratch, sizeof (cur->scratch), "%d", cfg->line);
  *(const char **) result = cur->scratch;
  return 0;
}


static bool
given (cfg_t *sec, const char *key)
{
  cfg_opt_t *o = cfg_getopt (sec, key);
  return o != NULL && (o->flags & CFGF_MODIFIED);
}

/* Called by libconfuse on the parent section after each section closes. */
static int
sec_valid (cfg_t *cfg, cfg_opt_t *opt)
{
  unsigned n = cfg_opt_size (opt);
  cfg_t *sec = cfg_opt_getnsec (opt, n - 1);
  int line = open_line (sec);

  if (strcmp (opt->name, "volume") == 0)
    {
      const char *title = cfg_title (sec);
      if (!valid_name (title, true))
        return fail (cfg, line, "volume: %s is not a valid volume name "
                     "([a-z0-9][a-z0-9_.-]*, at most 63 characters)", sb_conf_show (title));
      if (n > SB_POLICY_MAX_VOLUMES)
        return fail (cfg, line, "volume: too many volumes (at most %d)", SB_POLICY_MAX_VOLUMES);
      if (!given (sec, "source"))
        return fail (cfg, line, "volume %s: source is required", title);
      if (!given (sec, "target"))
        return fail (cfg, line, "volume %s: target is required", title);
      return 0;
    }
  if (strcmp (opt->name, "egress") == 0)
    {
      if (n > SB_POLICY_MAX_RULES)
        return fail (cfg, line, "egress: too many rules (at most %d)", SB_POLICY_MAX_RULES);
      if (!given (sec, "action"))
        return fail (cfg, line, "egress: action is required (allow or deny)");
      if (!given (sec, "cidr"))
        return fail (cfg, line, "egress: cidr is required");
      return 0;
    }
  /* limits, syscalls, filesystem, network: CFGF_MULTI only so that a
     second one is seen (libconfuse would merge it silently). */
  if (n > 1)
    {
      const char *ffile, *hfile;
      int fline, hline;
      pt_locate (&cur->text, open_line (cfg_opt_getnsec (opt, 0)), &ffile, &fline);
      pt_locate (&cur->text, line, &hfile, &hline);
      if (strcmp (ffile, hfile) == 0)
        return fail (cfg, line, "%s: section given twice (first at line %d)", opt->name, fline);
      return fail (cfg, line, "%s: section given twice (first at %s:%d)", opt->name, ffile,
                   fline);
    }
  return 0;
}

/* --- the schema -------------------------------------------------------------- */

#define OPEN_OPT { .name = "|open", .type = CFGT_STR, .def = { .parsed = (char *) "x" }, \
                   .parsecb = cb_open }
#define SECTION(n, sub, fl) { .name = n, .type = CFGT_SEC, .flags = CFGF_MULTI | (fl), \
                              .subopts = sub, .validcb = sec_valid }

static cfg_opt_t limits_opts[] = {
  OPEN_OPT,
  CFG_INT_CB ("memory", 0, CFGF_NONE, cb_size),
  CFG_INT_CB ("swap", 0, CFGF_NONE, cb_size),
  CFG_INT_CB ("cpus", 0, CFGF_NONE, cb_cpus),
  CFG_INT_CB ("pids", 0, CFGF_NONE, cb_uint),
  CFG_INT_CB ("open-files", 0, CFGF_NONE, cb_uint),
  CFG_INT_CB ("disk", 0, CFGF_NONE, cb_size),
  CFG_INT_CB ("containers", 0, CFGF_NONE, cb_uint),
  CFG_INT_CB ("exec-sessions", 0, CFGF_NONE, cb_uint),
  CFG_INT_CB ("images", 0, CFGF_NONE, cb_uint),
  CFG_INT_CB ("image-size", 0, CFGF_NONE, cb_size),
  CFG_INT_CB ("oom-score-adj-min", 0, CFGF_NONE, cb_oom_floor),
  CFG_END ()
};

static cfg_opt_t syscalls_opts[] = {
  OPEN_OPT,
  CFG_INT_CB ("profile", 0, CFGF_NONE, cb_enum),
  CFG_STR_LIST_CB ("deny", 0, CFGF_NONE, cb_syscall),
  CFG_INT_CB ("errno", 0, CFGF_NONE, cb_enum),
  CFG_INT_CB ("audit", 0, CFGF_NONE, cb_enum),
  CFG_END ()
};

static cfg_opt_t volume_opts[] = {
  OPEN_OPT,
  CFG_STR_CB ("source", 0, CFGF_NONE, cb_path),
  CFG_STR_CB ("target", 0, CFGF_NONE, cb_path),
  CFG_BOOL_CB ("read-only", cfg_false, CFGF_NONE, cb_bool),
  CFG_END ()
};

static cfg_opt_t filesystem_opts[] = {
  OPEN_OPT,
  CFG_STR_LIST_CB ("hidden", 0, CFGF_NONE, cb_path),
  CFG_STR_LIST_CB ("read-only", 0, CFGF_NONE, cb_path),
  CFG_STR_LIST_CB ("volume-roots", 0, CFGF_NONE, cb_path),
  SECTION ("volume", volume_opts, CFGF_TITLE | CFGF_NO_TITLE_DUPES),
  CFG_END ()
};

static cfg_opt_t egress_opts[] = {
  OPEN_OPT,
  CFG_INT_CB ("action", 0, CFGF_NONE, cb_enum),
  CFG_STR_CB ("cidr", 0, CFGF_NONE, cb_cidr),
  CFG_STR_CB ("ports", 0, CFGF_NONE, cb_ports),
  CFG_END ()
};

static cfg_opt_t network_opts[] = {
  OPEN_OPT,
  CFG_INT_CB ("mode", 0, CFGF_NONE, cb_enum),
  CFG_INT_CB ("egress-default", 0, CFGF_NONE, cb_enum),
  SECTION ("egress", egress_opts, 0),
  CFG_STR_LIST_CB ("bind", 0, CFGF_NONE, cb_ports),
  CFG_END ()
};

static cfg_opt_t root_opts[] = {
  CFG_STR_CB ("tenant", 0, CFGF_NONE, cb_tenant),
  CFG_STR_CB ("certificate-subject", 0, CFGF_NONE, cb_text),
  SECTION ("limits", limits_opts, 0),
  SECTION ("syscalls", syscalls_opts, 0),
  SECTION ("filesystem", filesystem_opts, 0),
  SECTION ("network", network_opts, 0),
  CFG_STR_LIST_CB ("images", 0, CFGF_NONE, cb_text),
  CFG_STR_CB ("hostname", 0, CFGF_NONE, cb_hostname),
  CFG_STR_CB ("hostname-pattern", 0, CFGF_NONE, cb_text),
  CFG_STR_CB ("uname-release", 0, CFGF_NONE, cb_release),
  CFG_STR_CB ("id-range", 0, CFGF_NONE, cb_id_range),
  CFG_STR_CB ("id-pool", 0, CFGF_NONE, cb_id_range),
  CFG_END ()
};

static bool
is_top_level_key (const char *name)
{
  for (const cfg_opt_t *o = root_opts; o->name != NULL; o++)
    if (strcmp (o->name, name) == 0)
      return true;
  return false;
}

/* --- the merge ---------------------------------------------------------------- */

__attribute__ ((format (printf, 5, 6))) static int
merge_fail (const struct parse *ps, const cfg_t *sec, const char *key, sb_error_t *err,
            const char *fmt, ...)
{
  va_list ap;
  char *msg = NULL, *loc = location (ps, noted_line (ps, sec, key));
  int rc;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  rc = sb_error (err, 0, "%s: %s: %s", loc, key, msg);
  free (msg);
  free (loc);
  return rc;
}

static void
copy (char *dst, size_t size, const char *src)
{
  snprintf (dst, size, "%s", src);
}

/* A list replaces the one before it, unless the file only used `+=` on it:
   then its values are added to the base file's (duplicates dropped). */
static int
merge_strings (const struct parse *ps, cfg_t *sec, const char *path, const char *key,
               char *array, size_t elemsize, int *count, int max, sb_error_t *err)
{
  unsigned n;

  if (!given (sec, key))
    return 0;
  if (!pt_appends (&ps->text, path))
    *count = 0;
  n = cfg_size (sec, key);
  for (unsigned i = 0; i < n; i++)
    {
      const char *v = cfg_getnstr (sec, key, i);
      bool dup = false;
      for (int k = 0; k < *count && !dup; k++)
        dup = strcmp (array + (size_t) k * elemsize, v) == 0;
      if (dup)
        continue;
      if (*count >= max)
        return merge_fail (ps, sec, key, err, "too many entries with the base file's "
                           "(at most %d)", max);
      copy (array + (size_t) (*count)++ * elemsize, elemsize, v);
    }
  return 0;
}

static int
merge_bind (const struct parse *ps, cfg_t *net, struct sb_policy *p, sb_error_t *err)
{
  unsigned n;

  if (!given (net, "bind"))
    return 0;
  if (!pt_appends (&ps->text, "network/bind"))
    p->nbind = 0;
  n = cfg_size (net, "bind");
  for (unsigned i = 0; i < n; i++)
    {
      struct sb_port_range r;
      bool dup = false;
      if (sb_parse_port_range (cfg_getnstr (net, "bind", i), &r.lo, &r.hi) < 0)
        abort ();   /* cb_ports checked it */
      for (int k = 0; k < p->nbind && !dup; k++)
        dup = p->bind[k].lo == r.lo && p->bind[k].hi == r.hi;
      if (dup)
        continue;
      if (p->nbind >= SB_POLICY_MAX_RULES)
        return merge_fail (ps, net, "bind", err, "too many entries with the base file's "
                           "(at most %d)", SB_POLICY_MAX_RULES);
      p->bind[p->nbind++] = r;
    }
  return 0;
}

static void
set_origin (char **slot, const struct parse *ps, int line)
{
  free (*slot);
  *slot = location (ps, line);
}

static cfg_t *
section (cfg_t *root, const char *name)
{
  return cfg_size (root, name) > 0 ? cfg_getnsec (root, name, 0) : NULL;
}

static int
merge (const struct parse *ps, struct sb_policy *p, struct origin *o, sb_error_t *err)
{
  cfg_t *root = ps->cfg, *s;

  if (given (root, "tenant"))
    copy (p->tenant, sizeof (p->tenant), cfg_getstr (root, "tenant"));
  if (given (root, "certificate-subject"))
    copy (p->certificate_subject, sizeof (p->certificate_subject),
          cfg_getstr (root, "certificate-subject"));
  if (merge_strings (ps, root, "images", "images", &p->images[0][0], sizeof (p->images[0]),
                     &p->nimages, SB_POLICY_MAX_IMAGES, err) < 0)
    return -1;
  if (given (root, "hostname"))
    {
      copy (p->hostname, sizeof (p->hostname), cfg_getstr (root, "hostname"));
      set_origin (&o->hostname, ps, noted_line (ps, root, "hostname"));
    }
  if (given (root, "hostname-pattern"))
    {
      copy (p->hostname_pattern, sizeof (p->hostname_pattern),
            cfg_getstr (root, "hostname-pattern"));
      set_origin (&o->hostname_pattern, ps, noted_line (ps, root, "hostname-pattern"));
    }
  if (given (root, "uname-release"))
    copy (p->uname_release, sizeof (p->uname_release), cfg_getstr (root, "uname-release"));
  if (given (root, "id-range"))
    {
      if (sb_parse_id_range (cfg_getstr (root, "id-range"), &p->id_lo, &p->id_hi) < 0)
        abort ();   /* cb_id_range checked it */
      set_origin (&o->id_range, ps, noted_line (ps, root, "id-range"));
    }
  if (given (root, "id-pool")
      && sb_parse_id_range (cfg_getstr (root, "id-pool"), &p->pool_lo, &p->pool_hi) < 0)
    abort ();

  if ((s = section (root, "limits")) != NULL)
    {
      if (given (s, "memory"))
        p->memory_bytes = (uint64_t) cfg_getint (s, "memory");
      if (given (s, "swap"))
        p->swap_bytes = cfg_getint (s, "swap");
      if (given (s, "cpus"))
        p->cpu_millis = (uint32_t) cfg_getint (s, "cpus");
      if (given (s, "pids"))
        p->pids = (uint32_t) cfg_getint (s, "pids");
      if (given (s, "open-files"))
        p->open_files = (uint32_t) cfg_getint (s, "open-files");
      if (given (s, "disk"))
        p->disk_bytes = (uint64_t) cfg_getint (s, "disk");
      if (given (s, "containers"))
        p->max_containers = (uint32_t) cfg_getint (s, "containers");
      if (given (s, "exec-sessions"))
        p->max_exec_sessions = (uint32_t) cfg_getint (s, "exec-sessions");
      if (given (s, "images"))
        p->max_images = (uint32_t) cfg_getint (s, "images");
      if (given (s, "image-size"))
        p->image_bytes = (uint64_t) cfg_getint (s, "image-size");
      if (given (s, "oom-score-adj-min"))
        p->oom_score_adj_min = (int32_t) cfg_getint (s, "oom-score-adj-min");
    }

  if ((s = section (root, "syscalls")) != NULL)
    {
      if (given (s, "profile"))
        p->profile = (enum sb_syscall_profile) cfg_getint (s, "profile");
      if (merge_strings (ps, s, "syscalls/deny", "deny", &p->denies[0][0], sizeof (p->denies[0]),
                         &p->ndenies, SB_POLICY_MAX_DENIES, err) < 0)
        return -1;
      if (given (s, "errno"))
        p->deny_errno = (int) cfg_getint (s, "errno");
      if (given (s, "audit"))
        p->audit = (enum sb_audit_level) cfg_getint (s, "audit");
    }

  if ((s = section (root, "filesystem")) != NULL)
    {
      unsigned n = cfg_size (s, "volume");
      if (merge_strings (ps, s, "filesystem/hidden", "hidden", &p->hidden[0][0],
                         sizeof (p->hidden[0]), &p->nhidden, SB_POLICY_MAX_PATHS, err) < 0
          || merge_strings (ps, s, "filesystem/read-only", "read-only", &p->read_only[0][0],
                            sizeof (p->read_only[0]), &p->nread_only, SB_POLICY_MAX_PATHS,
                            err) < 0
          || merge_strings (ps, s, "filesystem/volume-roots", "volume-roots",
                            &p->volume_roots[0][0], sizeof (p->volume_roots[0]),
                            &p->nvolume_roots, SB_POLICY_MAX_PATHS, err) < 0)
        return -1;
      if (n > 0)
        p->nvolumes = 0;   /* the file's volumes replace the base file's */
      for (unsigned i = 0; i < n && i < SB_POLICY_MAX_VOLUMES; i++)
        {
          cfg_t *v = cfg_getnsec (s, "volume", i);
          struct sb_volume *vol = &p->volumes[p->nvolumes];
          copy (vol->name, sizeof (vol->name), cfg_title (v));
          copy (vol->source, sizeof (vol->source), cfg_getstr (v, "source"));
          copy (vol->target, sizeof (vol->target), cfg_getstr (v, "target"));
          vol->read_only = cfg_getbool (v, "read-only");
          set_origin (&o->volume_source[p->nvolumes], ps, noted_line (ps, v, "source"));
          set_origin (&o->volume_target[p->nvolumes], ps, noted_line (ps, v, "target"));
          p->nvolumes++;
        }
    }

  if ((s = section (root, "network")) != NULL)
    {
      unsigned n = cfg_size (s, "egress");
      if (given (s, "mode"))
        p->network = (enum sb_network_mode) cfg_getint (s, "mode");
      if (given (s, "egress-default"))
        p->egress_default_allow = cfg_getint (s, "egress-default") != 0;
      if (n > 0)
        p->negress = 0;    /* the file's rules replace the base file's */
      for (unsigned i = 0; i < n && i < SB_POLICY_MAX_RULES; i++)
        {
          cfg_t *e = cfg_getnsec (s, "egress", i);
          struct sb_net_rule *r = &p->egress[p->negress++];
          memset (r, 0, sizeof (*r));
          r->allow = cfg_getint (e, "action") != 0;
          if (sb_parse_cidr (cfg_getstr (e, "cidr"), &r->family, r->addr, &r->prefix) < 0)
            abort ();   /* cb_cidr checked it */
          r->port_lo = 0;
          r->port_hi = 65535;
          if (given (e, "ports")
              && sb_parse_port_range (cfg_getstr (e, "ports"), &r->port_lo, &r->port_hi) < 0)
            abort ();
        }
      if (merge_bind (ps, s, p, err) < 0)
        return -1;
    }
  return 0;
}

/* Parses one file (or buffer) and merges it into p. */
static int
load_one (struct sb_policy *p, struct origin *o, const char *name, const char *text,
          bool tenant_file, sb_error_t *err)
{
  struct parse *ps;
  FILE *fp = NULL;
  int rc = -1;

  ps = calloc (1, sizeof (*ps));
  if (ps == NULL)
    abort ();
  pthread_mutex_lock (&sb_conf_lock);
  cur = ps;
  if (pt_load (&ps->text, name, text, text == NULL) < 0 && ps->text.err_outline == 0)
    {
      rc = sb_error (err, 0, "%s", ps->text.err);
      goto out;
    }
  ps->cfg = cfg_init (root_opts, CFGF_NONE);
  if (ps->cfg == NULL)
    abort ();
  cfg_set_error_function (ps->cfg, on_cfg_error);
  free (ps->cfg->filename);
  ps->cfg->filename = pt_xstrdup (name);
  if (ps->text.len > 0)
    {
      fp = fmemopen (ps->text.buf, ps->text.len, "r");
      if (fp == NULL)
        {
          rc = sb_error (err, errno, "%s: cannot parse", name);
          goto out;
        }
      if (cfg_parse_fp (ps->cfg, fp) != CFG_SUCCESS && ps->err == NULL)
        ps->err = location (ps, ps->cfg->line);   /* no message: should not happen */
    }
  /* The first error in the file: libconfuse's if it is before the
     pre-pass's (whose line libconfuse never saw). */
  if (ps->err != NULL && (ps->text.err == NULL || (size_t) ps->err_line < ps->text.err_outline))
    {
      rc = sb_error (err, 0, "%s", ps->err);
      goto out;
    }
  if (ps->text.err != NULL)
    {
      rc = sb_error (err, 0, "%s", ps->text.err);
      goto out;
    }
  if (tenant_file && !given (ps->cfg, "tenant"))
    {
      rc = sb_error (err, 0, "%s:1: tenant: is required in a tenant file (tenant = \"NAME\")",
                     name);
      goto out;
    }
  if (tenant_file && given (ps->cfg, "id-pool"))
    {
      char *loc = location (ps, noted_line (ps, ps->cfg, "id-pool"));
      rc = sb_error (err, 0, "%s: id-pool: belongs in the base file (the provider's pool), "
                     "not in a tenant file", loc);
      free (loc);
      goto out;
    }
  rc = merge (ps, p, o, err);
out:
  if (fp != NULL)
    fclose (fp);
  if (ps->cfg != NULL)
    cfg_free (ps->cfg);   /* also resets libconfuse's lexer */
  cur = NULL;
  pthread_mutex_unlock (&sb_conf_lock);
  pt_free (&ps->text);
  free (ps->err);
  free (ps->notes);
  free (ps);
  return rc;
}

/* Checks that need the merged policy (base and tenant file together). */
static int
finish (struct sb_policy *p, const struct origin *o, sb_error_t *err)
{
  if (p->hostname[0] == '\0')
    copy (p->hostname, sizeof (p->hostname), p->tenant);
  if (p->hostname[0] != '\0' && fnmatch (p->hostname_pattern, p->hostname, 0) != 0)
    {
      if (o->hostname != NULL)
        return sb_error (err, 0, "%s: hostname: %s does not match hostname-pattern %s",
                         o->hostname, sb_conf_show (p->hostname), sb_conf_show (p->hostname_pattern));
      return sb_error (err, 0, "%s: hostname-pattern: %s does not match the hostname %s "
                       "(the tenant name: set hostname)",
                       o->hostname_pattern ? o->hostname_pattern : "?",
                       sb_conf_show (p->hostname_pattern), sb_conf_show (p->hostname));
    }
  if (p->id_lo != 0 && p->id_lo <= p->pool_hi && p->pool_lo <= p->id_hi)
    return sb_error (err, 0, "%s: id-range: %u-%u overlaps the id-pool %u-%u (the pool is "
                     "for tenants without a range of their own)",
                     o->id_range ? o->id_range : "?", p->id_lo, p->id_hi, p->pool_lo, p->pool_hi);
  for (int i = 0; i < p->nvolumes; i++)
    {
      const struct sb_volume *v = &p->volumes[i];
      char roots[512];
      size_t n = 0;

      if (!sb_policy_in_volume_roots (p, v->source))
        {
          roots[0] = '\0';
          for (int k = 0; k < p->nvolume_roots && n < sizeof (roots); k++)
            n += (size_t) snprintf (roots + n, sizeof (roots) - n, "%s%s", k ? ", " : "",
                                    p->volume_roots[k]);
          return sb_error (err, 0, "%s: source: %s is not inside the volume-roots (%s)",
                           o->volume_source[i], sb_conf_show (v->source),
                           p->nvolume_roots ? roots : "none are set");
        }
      for (int k = 0; k < i; k++)
        if (strcmp (p->volumes[k].target, v->target) == 0)
          return sb_error (err, 0, "%s: target: %s is also the target of volume %s",
                           o->volume_target[i], sb_conf_show (v->target), sb_conf_show (p->volumes[k].name));
    }
  return 0;
}

static void
origin_free (struct origin *o)
{
  for (int i = 0; i < SB_POLICY_MAX_VOLUMES; i++)
    {
      free (o->volume_source[i]);
      free (o->volume_target[i]);
    }
  free (o->hostname);
  free (o->hostname_pattern);
  free (o->id_range);
}

/* --- the API ------------------------------------------------------------------ */

/* struct sb_policy is about 1 MiB, mostly path arrays a policy leaves empty.
   Filled with memset and memcpy, every page of it becomes resident and
   private to each process that holds one (the runtime, the Sentry and the
   monitor of every sandbox, and their forked copies): a megabyte per
   sandbox. Pages that are zeros are given back to the kernel (its private
   anonymous memory reads as zeros again afterwards, so nothing changes for
   the program); only pages wholly inside the struct, so no neighbour of a
   heap allocation is touched. On this kernel even reading an untouched
   page allocates it, hence memset first and release after, rather than
   compare and skip. */
static void
release_zero_pages (void *obj, size_t size)
{
  long pagesize = sysconf (_SC_PAGESIZE);
  uintptr_t page = pagesize > 0 ? (uintptr_t) pagesize : 4096u;
  uintptr_t at = ((uintptr_t) obj + page - 1) & ~(page - 1);
  uintptr_t end = ((uintptr_t) obj + size) & ~(page - 1);
  uintptr_t run = 0; /* start of a run of zero pages, or 0 */

  for (; at <= end; at += page)
    {
      const unsigned char *b = (const unsigned char *) at;
      bool zero = at < end && b[0] == 0 && memcmp (b, b + 1, page - 1) == 0;
      if (zero && run == 0)
        run = at;
      else if (!zero && run != 0)
        {
          /* Best effort: a locked page stays as it is, which is still correct. */
          (void) madvise ((void *) run, at - run, MADV_DONTNEED);
          run = 0;
        }
    }
}

/* The defaults, on memory known to be zeros: fields only. */
static void
set_defaults (struct sb_policy *p)
{
  p->swap_bytes = 0;
  p->open_files = 0; /* the starter's own limit (sentry/app_init.c) */
  p->disk_bytes = 1ULL << 30;
  p->image_bytes = 1ULL << 30;
  p->profile = SB_PROFILE_DEFAULT;
  p->deny_errno = EPERM;
  p->audit = SB_AUDIT_DENIED;
  p->network = SB_NET_NONE;
  p->egress_default_allow = true;
  copy (p->hostname_pattern, sizeof (p->hostname_pattern), "*");
  copy (p->uname_release, sizeof (p->uname_release), "6.1.0");
  p->pool_lo = SB_ID_POOL_DEFAULT_LO;
  p->pool_hi = SB_ID_POOL_DEFAULT_HI;
}

void
sb_policy_defaults (struct sb_policy *p)
{
  memset (p, 0, sizeof (*p));
  set_defaults (p);
  release_zero_pages (p, sizeof (*p));
}

struct sb_policy *
sb_policy_new (void)
{
  /* Anonymous pages of its own: zeros that are not there until written. */
  struct sb_policy *p = mmap (NULL, sizeof (*p), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  if (p == MAP_FAILED)
    return NULL;
  set_defaults (p);
  return p;
}

void
sb_policy_free (struct sb_policy *p)
{
  if (p != NULL)
    munmap (p, sizeof (*p));
}

/* Parses into tmp, a policy with the defaults. */
static int
load_into (struct sb_policy *tmp, const char *base, const char *tenant, const char *name,
           const char *text, sb_error_t *err)
{
  struct origin o;
  int rc = 0;

  memset (&o, 0, sizeof (o));
  if (base != NULL)
    rc = load_one (tmp, &o, base, NULL, false, err);
  if (rc == 0 && tenant != NULL)
    rc = load_one (tmp, &o, tenant, NULL, true, err);
  if (rc == 0 && text != NULL)
    rc = load_one (tmp, &o, name, text, true, err);
  if (rc == 0)
    rc = finish (tmp, &o, err);
  origin_free (&o);
  return rc < 0 ? rc : 0;
}

static int
load (struct sb_policy *p, const char *base, const char *tenant, const char *name,
      const char *text, sb_error_t *err)
{
  struct sb_policy *tmp;
  int rc;

  if (p == NULL)
    return sb_error (err, EINVAL, "no policy to load into");
  tmp = sb_policy_new ();
  if (tmp == NULL)
    return sb_error (err, ENOMEM, "loading a policy");
  rc = load_into (tmp, base, tenant, name, text, err);
  if (rc == 0)
    {
      memcpy (p, tmp, sizeof (*p));
      release_zero_pages (p, sizeof (*p));
    }
  sb_policy_free (tmp);
  return rc;
}

int
sb_policy_load_new (struct sb_policy **out, const char *base, const char *tenant, sb_error_t *err)
{
  struct sb_policy *p;

  if (base == NULL && tenant == NULL)
    return sb_error (err, EINVAL, "no policy file given");
  p = sb_policy_new ();
  if (p == NULL)
    return sb_error (err, ENOMEM, "loading a policy");
  if (load_into (p, base, tenant, NULL, NULL, err) < 0)
    {
      sb_policy_free (p);
      return -1;
    }
  *out = p;
  return 0;
}

int
sb_policy_load (struct sb_policy *p, const char *base, const char *tenant, sb_error_t *err)
{
  if (base == NULL && tenant == NULL)
    return sb_error (err, EINVAL, "no policy file given");
  return load (p, base, tenant, NULL, NULL, err);
}

int
sb_policy_load_buffer (struct sb_policy *p, const char *name, const char *text,
                       sb_error_t *err)
{
  if (text == NULL)
    return sb_error (err, EINVAL, "no policy text given");
  return load (p, NULL, NULL, name ? name : "[buffer]", text, err);
}
