/* The strict value parsers shared by the policy files and the command line,
   and the three decisions the Sentry asks of a loaded policy.

   The parsers return 0 on success or a negative errno:
     -EINVAL  the text is not of the expected form,
     -ERANGE  it is, but the value is out of range (sizes above 2^63-1,
              CPUs outside 0.01..1024, a CIDR prefix too long, port 0 or
              above 65535),
     -EDOM    a CIDR with host bits set, a port range whose low end is above
              its high end.
   Nothing is accepted loosely: no spaces, signs, hexadecimal or octal
   forms, and no leading zeros in ports and prefixes. */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

int
sb_parse_size (const char *s, uint64_t *out)
{
  uint64_t v = 0;
  bool overflow = false;
  unsigned shift;
  const char *q = s;

  if (s == NULL || !is_digit (*s))
    return -EINVAL;
  for (; is_digit (*q); q++)
    {
      unsigned d = (unsigned) (*q - '0');
      if (v > (UINT64_MAX - d) / 10)
        overflow = true;
      else
        v = v * 10 + d;
    }
  switch (*q)
    {
    case '\0': shift = 0; break;
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: return -EINVAL;
    }
  if (shift != 0 && q[1] != '\0')
    return -EINVAL;
  /* At most INT64_MAX, so that every size also fits the signed fields
     (swap) and libconfuse's long. */
  if (overflow || v > ((uint64_t) INT64_MAX >> shift))
    return -ERANGE;
  *out = v << shift;
  return 0;
}

int
sb_parse_cpus (const char *s, uint32_t *millis)
{
  uint64_t whole = 0, frac = 0;
  int ndigits = 0, nfrac = 0;
  const char *q = s;

  if (s == NULL || !is_digit (*s))
    return -EINVAL;
  for (; is_digit (*q); q++, ndigits++)
    if (ndigits < 12)
      whole = whole * 10 + (uint64_t) (*q - '0');
  if (*q == '.')
    {
      q++;
      if (!is_digit (*q))
        return -EINVAL;
      for (; is_digit (*q); q++, nfrac++)
        if (nfrac < 3)
          frac = frac * 10 + (uint64_t) (*q - '0');
      if (nfrac > 3)
        return -EINVAL;    /* finer than a thousandth of a CPU */
      for (int i = nfrac; i < 3; i++)
        frac *= 10;
    }
  if (*q != '\0')
    return -EINVAL;
  if (ndigits > 7 || whole * 1000 + frac < 10 || whole * 1000 + frac > 1024000)
    return -ERANGE;
  *millis = (uint32_t) (whole * 1000 + frac);
  return 0;
}

/* A decimal number without sign or leading zeros, at most maxdigits long. */
static int
parse_plain_uint (const char *s, size_t len, unsigned maxdigits, unsigned long *out)
{
  unsigned long v = 0;

  if (len == 0 || len > maxdigits || (s[0] == '0' && len > 1))
    return -EINVAL;
  for (size_t i = 0; i < len; i++)
    {
      if (!is_digit (s[i]))
        return -EINVAL;
      v = v * 10 + (unsigned long) (s[i] - '0');
    }
  *out = v;
  return 0;
}

int
sb_parse_cidr (const char *s, int *family, uint8_t addr[16], int *prefix)
{
  char buf[INET6_ADDRSTRLEN + 1];
  const char *slash;
  unsigned long plen;
  uint8_t a[16] = { 0 };
  int fam, max, rc;
  size_t alen;

  if (s == NULL || (slash = strchr (s, '/')) == NULL)
    return -EINVAL;
  alen = (size_t) (slash - s);
  if (alen == 0 || alen >= sizeof (buf))
    return -EINVAL;
  memcpy (buf, s, alen);
  buf[alen] = '\0';
  if (strchr (buf, ':') != NULL)
    {
      fam = AF_INET6;
      max = 128;
    }
  else
    {
      fam = AF_INET;
      max = 32;
    }
  if (inet_pton (fam, buf, a) != 1)
    return -EINVAL;
  rc = parse_plain_uint (slash + 1, strlen (slash + 1), 3, &plen);
  if (rc < 0)
    return rc;
  if (plen > (unsigned long) max)
    return -ERANGE;
  for (int bit = (int) plen; bit < max; bit++)
    if (a[bit / 8] & (0x80 >> (bit % 8)))
      return -EDOM;
  *family = fam;
  memcpy (addr, a, 16);
  *prefix = (int) plen;
  return 0;
}

int
sb_parse_port_range (const char *s, uint16_t *lo, uint16_t *hi)
{
  const char *dash;
  unsigned long a, b;
  int rc;

  if (s == NULL)
    return -EINVAL;
  dash = strchr (s, '-');
  if (dash == NULL)
    {
      if ((rc = parse_plain_uint (s, strlen (s), 5, &a)) < 0)
        return rc;
      b = a;
    }
  else
    {
      if ((rc = parse_plain_uint (s, (size_t) (dash - s), 5, &a)) < 0
          || (rc = parse_plain_uint (dash + 1, strlen (dash + 1), 5, &b)) < 0)
        return rc;
    }
  if (a < 1 || a > 65535 || b < 1 || b > 65535)
    return -ERANGE;
  if (a > b)
    return -EDOM;
  *lo = (uint16_t) a;
  *hi = (uint16_t) b;
  return 0;
}

/* "LO-HI", inclusive, plain decimal: -EINVAL (form), -EDOM (reversed),
   -ERANGE (below SB_ID_FLOOR, past 4294967294 (uid -1 is no id) or fewer
   than SB_ID_RANGE_MIN ids). */
int
sb_parse_id_range (const char *s, uint32_t *lo, uint32_t *hi)
{
  const char *dash;
  unsigned long a, b;
  int rc;

  if (s == NULL || (dash = strchr (s, '-')) == NULL)
    return -EINVAL;
  if ((rc = parse_plain_uint (s, (size_t) (dash - s), 10, &a)) < 0
      || (rc = parse_plain_uint (dash + 1, strlen (dash + 1), 10, &b)) < 0)
    return rc;
  if (a > b)
    return -EDOM;
  if (a < SB_ID_FLOOR || b > 4294967294ul || b - a + 1 < SB_ID_RANGE_MIN)
    return -ERANGE;
  *lo = (uint32_t) a;
  *hi = (uint32_t) b;
  return 0;
}

static bool
prefix_match (const uint8_t *net, const uint8_t *addr, int prefix)
{
  int whole = prefix / 8, rest = prefix % 8;

  if (memcmp (net, addr, (size_t) whole) != 0)
    return false;
  if (rest == 0)
    return true;
  return ((net[whole] ^ addr[whole]) & (uint8_t) (0xff << (8 - rest))) == 0;
}

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool
sb_policy_egress_allowed (const struct sb_policy *p, int family, const uint8_t *addr,
                          uint16_t port)
{
  uint8_t a[16] = { 0 };

  if (p == NULL || addr == NULL)
    return false;
  if (family == AF_INET)
    memcpy (a, addr, 4);
  else if (family == AF_INET6)
    {
      /* An IPv4-mapped address reaches an IPv4 host: decide it exactly as
         the IPv4 address, against the IPv4 rules only (the parser refuses
         IPv6 rules inside ::ffff:0:0/96, so none is skipped). */
      if (memcmp (addr, v4mapped_prefix, sizeof (v4mapped_prefix)) == 0)
        {
          family = AF_INET;
          memcpy (a, addr + 12, 4);
        }
      else
        memcpy (a, addr, 16);
    }
  else
    return false;

  for (int i = 0; i < p->negress; i++)
    {
      const struct sb_net_rule *r = &p->egress[i];
      if (r->family == family && prefix_match (r->addr, a, r->prefix)
          && port >= r->port_lo && port <= r->port_hi)
        return r->allow;
    }
  return p->egress_default_allow;
}

bool
sb_policy_bind_allowed (const struct sb_policy *p, uint16_t port)
{
  if (p == NULL)
    return false;
  if (port == 0 || p->nbind == 0)
    return true;
  for (int i = 0; i < p->nbind; i++)
    if (port >= p->bind[i].lo && port <= p->bind[i].hi)
      return true;
  return false;
}

bool
sb_policy_hostname_allowed (const struct sb_policy *p, const char *hostname)
{
  size_t len;

  if (p == NULL || hostname == NULL)
    return false;
  len = strlen (hostname);
  /* sethostname(2) takes at most 64 bytes; the policy keeps 63 and a NUL. */
  if (len == 0 || len >= sizeof (p->hostname))
    return false;
  return fnmatch (p->hostname_pattern[0] ? p->hostname_pattern : "*", hostname, 0) == 0;
}
