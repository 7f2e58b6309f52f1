/* The tenant's network rules, applied so that they hold under attack.

   The principle: judge what the kernel will do, never what the app wrote.
   - The socket decides how an address is read: its own domain and type
     (SO_DOMAIN, SO_TYPE of the Sentry's copy of the socket), not the family
     field in the app's sockaddr. The kernel reads AF_UNSPEC as IPv4 in a
     UDP send and in bind, as "disconnect" in connect, and ignores an
     address in a send on a connected stream.
   - The address is normalised to what the kernel will reach before it is
     matched: an unspecified destination (0.0.0.0, ::, ::ffff:0.0.0.0) is
     this host's loopback, and an IPv4-mapped address is the IPv4 host.
   - The Sentry then hands the kernel the address it judged, rewritten in
     the canonical form of that family (never the app's bytes), so no
     difference between our reading and the kernel's can remain, even if
     the app swaps the descriptor between the check and the call.
   - Everything else that can choose where packets go or which host socket
     receives them is refused, or checked by the same rules: the socket
     options and control messages (allowlists in filter_args.c and here),
     MSG_FASTOPEN (judged as a connect), and in host network mode the host's
     abstract Unix names. docs/SURFACE.md has the table.
   Refusals are audited. */
#include "net_rules.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* What the kernel refuses before any family's code looks at a socket():
   flags other than SOCK_CLOEXEC and SOCK_NONBLOCK, or a type beyond the
   last (EINVAL), a family beyond the last (EAFNOSUPPORT). */
int
sb_net_socket_args (int domain, int type)
{
  if (type & ~(0xf | SOCK_CLOEXEC | SOCK_NONBLOCK))
    return -EINVAL;
  if (domain < 0 || domain >= AF_MAX)
    return -EAFNOSUPPORT;
  if ((type & 0xf) > SOCK_PACKET)
    return -EINVAL;
  return 0;
}

int
sb_net_socket_allowed (struct sb_call *c, int domain, int type, int proto)
{
  int base = type & 0xf, ret;

  if ((ret = sb_net_socket_args (domain, type)) < 0)
    return ret;
  switch (domain)
    {
    case AF_UNIX:
      if (base != SOCK_STREAM && base != SOCK_DGRAM && base != SOCK_SEQPACKET)
        return sb_deny (c, ESOCKTNOSUPPORT, "deny-socket-type");
      if (proto != 0)
        return sb_deny (c, EPROTONOSUPPORT, "deny-socket-protocol");
      return 0;
    case AF_INET:
    case AF_INET6:
      /* (A raw socket of no protocol is EPROTONOSUPPORT for everyone,
         before the kernel asks for CAP_NET_RAW.) */
      if (base == SOCK_RAW && proto == 0)
        return -EPROTONOSUPPORT;
      if (base == SOCK_RAW || base == SOCK_PACKET)
        return sb_deny (c, EPERM, "deny-raw-socket");
      /* TCP and UDP only: not SCTP, DCCP, UDP-Lite, MPTCP or ICMP datagram
         sockets, whose code a workload does not need and whose history is
         long. A kernel without them answers EPROTONOSUPPORT or
         ESOCKTNOSUPPORT, which programs expect. */
      if (base == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP))
        return 0;
      if (base == SOCK_DGRAM && (proto == 0 || proto == IPPROTO_UDP))
        return 0;
      if (base == SOCK_STREAM || base == SOCK_DGRAM)
        return sb_deny (c, EPROTONOSUPPORT, "deny-socket-protocol");
      return sb_deny (c, ESOCKTNOSUPPORT, "deny-socket-type");
    case AF_NETLINK:
      /* Route queries (getaddrinfo, if_nameindex); changes need
         CAP_NET_ADMIN, which the app does not have. The other families
         answer what a kernel without them says: libpam takes EPERM from
         NETLINK_AUDIT as fatal, EPROTONOSUPPORT as "no audit". */
      if (base != SOCK_RAW && base != SOCK_DGRAM)
        return sb_deny (c, ESOCKTNOSUPPORT, "deny-socket-type");
      if (proto != NETLINK_ROUTE)
        return sb_deny (c, EPROTONOSUPPORT, "deny-netlink");
      return 0;
    case AF_PACKET:
      return sb_deny (c, EPERM, "deny-packet-socket");
    default:
      return sb_deny (c, EAFNOSUPPORT, "deny-socket-family");
    }
}

/* The domain and type of the socket the call names (its first argument),
   read from the Sentry's own copy of it. */
static int
socket_kind (struct sb_call *c, int *domain, int *type)
{
  cleanup_close int fd = sb_get_app_fd (c, (int) c->args[0]);
  socklen_t l = sizeof (int);

  if (fd < 0)
    return fd;
  if (getsockopt (fd, SOL_SOCKET, SO_DOMAIN, domain, &l) < 0)
    return -errno;
  l = sizeof (int);
  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, type, &l) < 0)
    return -errno;
  return 0;
}

static int
send_flags (struct sb_call *c)
{
  switch (c->nr)
    {
    case SYS_sendto:
    case SYS_sendmmsg:
      return (int) c->args[3];
    case SYS_sendmsg:
      return (int) c->args[2];
    default:
      return 0;
    }
}

static bool
is_loopback (int family, const uint8_t *addr)
{
  static const uint8_t v6_loopback[16] = { [15] = 1 };

  if (family == AF_INET)
    return addr[0] == 127;
  return memcmp (addr, v6_loopback, 16) == 0;
}

/* A destination the kernel reaches as this host's loopback. */
static void
normalise_destination (struct sb_net_dest *d)
{
  static const uint8_t v6_any[16] = { 0 };

  if (d->family == AF_INET && memcmp (d->addr, v6_any, 4) == 0)
    d->addr[0] = 127, d->addr[3] = 1;
  else if (d->family == AF_INET6 && memcmp (d->addr, v6_any, 16) == 0)
    d->addr[15] = 1;
}

/* The IPv4 host of an IPv4-mapped IPv6 address, as the kernel reaches it. */
static void
unmap_v4 (struct sb_net_dest *d)
{
  static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

  if (d->family == AF_INET6 && memcmp (d->addr, v4mapped, 12) == 0)
    {
      d->family = AF_INET;
      memmove (d->addr, d->addr + 12, 4);
      memset (d->addr + 4, 0, 12);
    }
}

/* Reads an internet address the way a socket of this domain does. */
static int
read_inet (int domain, const struct sockaddr_storage *ss, socklen_t len, int family,
           struct sb_net_dest *d)
{
  memset (d, 0, sizeof (*d));
  if (family == AF_INET || (family == AF_UNSPEC && domain == AF_INET))
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) ss;
      if (len < sizeof (*in))
        return -EINVAL;
      d->family = AF_INET;
      memcpy (d->addr, &in->sin_addr, 4);
      d->port = ntohs (in->sin_port);
      return 0;
    }
  if (family == AF_INET6 && domain == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) ss;
      if (len < 24 /* SIN6_LEN_RFC2133 */)
        return -EINVAL;
      d->family = AF_INET6;
      memcpy (d->addr, &in6->sin6_addr, 16);
      d->port = ntohs (in6->sin6_port);
      d->scope = in6->sin6_scope_id;
      return 0;
    }
  return -EAFNOSUPPORT;
}

/* Writes the judged address back in the canonical form of its family, for
   a socket of this domain (an IPv4 host on an IPv6 socket is v4-mapped). */
static void
write_inet (int domain, const struct sb_net_dest *d, struct sockaddr_storage *ss, socklen_t *len)
{
  memset (ss, 0, sizeof (*ss));
  if (domain == AF_INET)
    {
      struct sockaddr_in *in = (struct sockaddr_in *) ss;
      in->sin_family = AF_INET;
      memcpy (&in->sin_addr, d->addr, 4);
      in->sin_port = htons (d->port);
      *len = sizeof (*in);
      return;
    }
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;
  in6->sin6_family = AF_INET6;
  if (d->family == AF_INET)
    {
      in6->sin6_addr.s6_addr[10] = 0xff;
      in6->sin6_addr.s6_addr[11] = 0xff;
      memcpy (&in6->sin6_addr.s6_addr[12], d->addr, 4);
    }
  else
    {
      memcpy (&in6->sin6_addr, d->addr, 16);
      in6->sin6_scope_id = d->scope;
    }
  in6->sin6_port = htons (d->port);
  *len = sizeof (*in6);
}

static int
judge_inet (struct sb_call *c, int domain, int type, struct sockaddr_storage *ss, socklen_t *len,
            bool for_bind)
{
  const struct sb_policy *p = c->s->policy;
  int family = ss->ss_family, ret;
  struct sb_net_dest d;

  if (for_bind)
    {
      /* inet_bind takes AF_UNSPEC as AF_INET only with INADDR_ANY. */
      if (domain == AF_INET6 && family != AF_INET6)
        return -EAFNOSUPPORT;
      if ((ret = read_inet (domain, ss, *len, family, &d)) < 0)
        return ret;
      if (family == AF_UNSPEC && (d.addr[0] | d.addr[1] | d.addr[2] | d.addr[3]) != 0)
        return -EAFNOSUPPORT;
      if (!sb_policy_bind_allowed (p, d.port))
        return sb_deny (c, EACCES, "deny-bind");
      write_inet (domain, &d, ss, len);
      return 0;
    }
  if (c->nr == SYS_connect && family == AF_UNSPEC)
    {
      /* "Disconnect": names no destination. */
      memset (ss, 0, sizeof (*ss));
      *len = sizeof (sa_family_t);
      return 0;
    }
  if (c->nr != SYS_connect)
    {
      /* A stream ignores the address of a send unless MSG_FASTOPEN makes
         the send a connect; a UDP/IPv6 send reads AF_UNSPEC as "none". */
      bool fastopen = (send_flags (c) & MSG_FASTOPEN) != 0;
      if ((type == SOCK_STREAM && !fastopen) || (domain == AF_INET6 && family == AF_UNSPEC))
        {
          *len = 0;
          return 0;
        }
      if (type == SOCK_STREAM && family == AF_UNSPEC)
        return -EINVAL;
    }
  if ((ret = read_inet (domain, ss, *len, family, &d)) < 0)
    return ret;
  unmap_v4 (&d);
  normalise_destination (&d);
  if (!(p->network == SB_NET_NONE && is_loopback (d.family, d.addr))
      && !sb_policy_egress_allowed (p, d.family, d.addr, d.port))
    return sb_deny (c, EACCES, "deny-egress");
  write_inet (domain, &d, ss, len);
  return 0;
}

/* Unix addresses: in host network mode the abstract namespace is the
   host's (its daemons listen there, and a peer would see the Sentry, root
   on the host), so explicit abstract names are refused; autobind (an
   address of the family alone) picks a random unused name and is allowed.
   Path names are resolved in the root by the Gofer (sys_net.c).

   A send's address is read as the socket's type dictates: a stream never
   uses it (the kernel answers EISCONN, or EOPNOTSUPP when unconnected,
   before it looks at it), so it is neither judged nor resolved, and the
   kernel gets a placeholder of the same length to answer that; a seqpacket
   socket ignores it (it must be connected), so it is dropped. */
static int
judge_unix (struct sb_call *c, int type, struct sockaddr_storage *ss, socklen_t *len, bool for_bind)
{
  const struct sockaddr_un *sun = (const struct sockaddr_un *) ss;
  size_t path0 = offsetof (struct sockaddr_un, sun_path);

  if (!for_bind && c->nr != SYS_connect && *len > 0)
    {
      if (type == SOCK_STREAM)
        {
          memset (ss, 0, sizeof (*ss));
          ss->ss_family = AF_UNIX;
          *len = sizeof (sa_family_t);
          return 0;
        }
      if (type == SOCK_SEQPACKET)
        {
          *len = 0;
          return 0;
        }
    }
  if (ss->ss_family == AF_UNSPEC && c->nr == SYS_connect)
    return 0; /* a datagram socket's disconnect */
  if (ss->ss_family != AF_UNIX || *len > sizeof (struct sockaddr_un))
    return -EINVAL;
  if (*len == path0)
    return for_bind ? 0 : -EINVAL;
  if (sun->sun_path[0] == '\0' && c->s->cfg.network_host)
    return sb_deny (c, EACCES, "deny-abstract-unix");
  return 0;
}

int
sb_net_judge_address (struct sb_call *c, struct sockaddr_storage *ss, socklen_t *len, bool for_bind)
{
  int domain, type, ret;

  if ((ret = socket_kind (c, &domain, &type)) < 0)
    return ret;
  switch (domain)
    {
    case AF_INET:
    case AF_INET6:
      return judge_inet (c, domain, type, ss, len, for_bind);
    case AF_UNIX:
      return judge_unix (c, type, ss, len, for_bind);
    case AF_NETLINK:
      /* The kernel checks nl_family and refuses sends to other ports
         without CAP_NET_ADMIN. */
      return 0;
    default:
      return -EAFNOSUPPORT;
    }
}

/* Control messages a send may carry besides SCM_RIGHTS and a Unix
   socket's SCM_CREDENTIALS (sys_net.c): the traffic class and hop limit of
   this packet. Not IP_PKTINFO or IPV6_PKTINFO (they pick the source
   address and the outgoing interface), IP_RETOPTS (source routes),
   IPV6_NEXTHOP, IPV6_RTHDR, IPV6_HOPOPTS, IPV6_DSTOPTS, UDP_SEGMENT,
   SCM_CREDENTIALS on other sockets (a netlink message's would be judged
   against the Sentry's pid). */
int
sb_net_check_cmsg (struct sb_call *c, int level, int type)
{
  if ((level == IPPROTO_IP && (type == IP_TOS || type == IP_TTL))
      || (level == IPPROTO_IPV6 && (type == IPV6_TCLASS || type == IPV6_HOPLIMIT)))
    return 0;
  return sb_deny (c, level == SOL_SOCKET && type == SCM_CREDENTIALS ? EPERM : EINVAL, "deny-cmsg");
}

/* A descriptor passed with SCM_RIGHTS must not be a Unix socket (in-flight
   Unix sockets are what the garbage collector raced on: CVE-2021-0920,
   CVE-2023-4622 and more) or an io_uring (the same collector, and io_uring
   itself is denied). The Sentry's copy fd is checked. */
int
sb_net_check_passed_fd (struct sb_call *c, int fd)
{
  char link[64], target[64];
  struct stat st;
  ssize_t n;

  if (fstat (fd, &st) < 0)
    return -errno;
  if (S_ISSOCK (st.st_mode))
    {
      int domain = -1;
      socklen_t l = sizeof (domain);
      if (getsockopt (fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0 || domain == AF_UNIX)
        return sb_deny (c, EPERM, "deny-pass-unix-socket");
      return 0;
    }
  snprintf (link, sizeof (link), "self/fd/%d", fd);
  n = readlinkat (c->s->procfd, link, target, sizeof (target) - 1);
  if (n > 0)
    {
      target[n] = '\0';
      if (strcmp (target, "anon_inode:[io_uring]") == 0)
        return sb_deny (c, EPERM, "deny-pass-io-uring");
    }
  return 0;
}
