/* probe_rawnet: raw and packet sockets must not be creatable (any failure
   counts as refused: without the socket there is nothing to misuse), and a
   netlink route socket, if the sandbox gives one, must not get a link
   change acknowledged.

   The change request sets IFF_UP on the loopback interface, which is up on
   any normal host already, so a success changes nothing there (and only
   brings up lo in a fresh network namespace). */
#include "probe.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

static void
try_socket (const char *what, int domain, int type, int protocol)
{
  int fd = socket (domain, type | SOCK_CLOEXEC, protocol);
  if (fd >= 0)
    {
      probe_report (false, what, "socket created");
      close (fd);
    }
  else
    probe_refused (what, true, errno);
}

static void
try_netlink (void)
{
  const char *what = "netlink NETLINK_ROUTE RTM_NEWLINK (set lo up)";
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    {
      probe_report (true, what, "socket: errno %s", probe_errname (errno));
      return;
    }

  struct timeval tv = { .tv_sec = 2 };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  unsigned idx = if_nametoindex ("lo");
  if (idx == 0)
    idx = 1;

  struct
  {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
  } req;
  memset (&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH (sizeof (struct ifinfomsg));
  req.nh.nlmsg_type = RTM_NEWLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.nh.nlmsg_seq = 1;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ifi.ifi_index = (int) idx;
  req.ifi.ifi_flags = IFF_UP;
  req.ifi.ifi_change = IFF_UP;

  struct sockaddr_nl kernel;
  memset (&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (sendto (fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *) &kernel,
              sizeof kernel) < 0)
    {
      probe_report (true, what, "sendto: errno %s", probe_errname (errno));
      close (fd);
      return;
    }

  /* Wait for the acknowledgement of our request. */
  union
  {
    struct nlmsghdr nh;
    char buf[8192];
  } resp;
  for (int tries = 0; tries < 16; tries++)
    {
      ssize_t n = recv (fd, &resp, sizeof resp, 0);
      if (n < 0)
        {
          int err = errno;
          if (err == EINTR)
            continue;
          probe_report (true, what, "no acknowledgement: errno %s",
                        probe_errname (err));
          close (fd);
          return;
        }
      unsigned int len = (unsigned int) n;
      for (struct nlmsghdr *nh = &resp.nh; NLMSG_OK (nh, len);
           nh = NLMSG_NEXT (nh, len))
        {
          if (nh->nlmsg_seq != req.nh.nlmsg_seq
              || nh->nlmsg_type != NLMSG_ERROR)
            continue;
          const struct nlmsgerr *e = NLMSG_DATA (nh);
          if (e->error == 0)
            probe_report (false, what, "acknowledged with 0");
          else
            probe_report (true, what, "acknowledged with errno %s",
                          probe_errname (-e->error));
          close (fd);
          return;
        }
    }
  probe_report (true, what, "no acknowledgement");
  close (fd);
}

int
main (void)
{
  probe_init ();
  try_socket ("socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)", AF_PACKET, SOCK_RAW,
              htons (ETH_P_ALL));
  try_socket ("socket(AF_PACKET, SOCK_DGRAM, ETH_P_ALL)", AF_PACKET,
              SOCK_DGRAM, htons (ETH_P_ALL));
  try_socket ("socket(AF_INET, SOCK_PACKET, ETH_P_ALL)", AF_INET, SOCK_PACKET,
              htons (ETH_P_ALL));
  try_socket ("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", AF_INET, SOCK_RAW,
              IPPROTO_ICMP);
  try_socket ("socket(AF_INET, SOCK_RAW, IPPROTO_RAW)", AF_INET, SOCK_RAW,
              IPPROTO_RAW);
  try_socket ("socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)", AF_INET6,
              SOCK_RAW, IPPROTO_ICMPV6);
  try_netlink ();
  return probe_status ();
}
