/* The argument allowlists of the host-checked calls (SB_SYS_HOST_CHECKED):
   which values of a register argument let the call run on the host kernel.
   Every list is an allowlist: a value that is not here reaches the Sentry,
   which refuses it (or, for ioctl, decides by the descriptor's type) and
   audits it. Why each value is here, and what was refused, is in
   docs/SURFACE.md; the kernel's history is the reason these calls have
   lists at all (tty line disciplines, TIOCSPGRP, MAP_GROWSDOWN, PI futexes,
   KSM, TCP_ULP, netfilter and packet options, notification pipes, waitid
   pointers).

   Values the kernel reads as an int are compared on their low 32 bits only
   (ioctl's request is an unsigned int, levels and option names are ints),
   so garbage in the high bits cannot make an allowed value look refused,
   nor a refused one allowed. */
#include "filter_args.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOW32 0xffffffffull

/* The termios2 requests (glibc's <termios.h> cannot be mixed with the
   kernel's struct termios2 of <asm/termbits.h>; 44 is its size). */
#define SB_TCGETS2 _IOR ('T', 0x2A, char[44])
#define SB_TCSETS2 _IOW ('T', 0x2B, char[44])
#define SB_TCSETSW2 _IOW ('T', 0x2C, char[44])
#define SB_TCSETSF2 _IOW ('T', 0x2D, char[44])
#define ARRAY_LEN(a) (sizeof (a) / sizeof ((a)[0]))

/* Terminal requests a shell, a pty and a line editor need, and the
   interface queries getaddrinfo, if_nameindex and Java make. Not here:
   TIOCSTI and TIOCLINUX (typing into a terminal), TIOCSETD (line
   disciplines: n_hdlc, n_gsm and others had use-after-frees), TIOCSPGRP
   (the Sentry lets it run on a pty slave or /dev/tty only: on the master
   side it raced, CVE-2020-29661), and every device-specific request. */
const uint32_t sb_ioctl_allowed[] = {
  TCGETS, TCSETS, TCSETSW, TCSETSF, SB_TCGETS2, SB_TCSETS2, SB_TCSETSW2, SB_TCSETSF2,
  TCGETA, TCSETA, TCSETAW, TCSETAF,
  TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCGSID, TIOCSCTTY, TIOCNOTTY,
  TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER, TIOCOUTQ, TCFLSH, TCXONC, TCSBRK, TCSBRKP,
  FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC,
  SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFADDR,
  SIOCGIFNETMASK, SIOCGIFBRDADDR, SIOCGIFDSTADDR, SIOCGIFMTU, SIOCGIFHWADDR,
  SIOCATMARK,
};
const size_t sb_n_ioctl_allowed = ARRAY_LEN (sb_ioctl_allowed);

/* Socket options that may be set. Options that choose where packets go or
   which host socket receives them are not here (SO_BINDTODEVICE, SO_MARK,
   IP_TRANSPARENT, IP_FREEBIND, IP_OPTIONS source routes, IPV6_PKTINFO's
   sticky source, IPV6_NEXTHOP, IPV6_RTHDR, TCP_FASTOPEN_CONNECT), nor
   options with a long kernel history (TCP_ULP, the ip/ip6/arp/eb tables
   options, PACKET_*, IPV6_ADDRFORM, UDP_ENCAP, SO_ATTACH_BPF (bpf() is
   denied anyway), TCP_MD5SIG, TCP_REPAIR). Classic BPF on one's own socket
   (SO_ATTACH_FILTER: libpcap, DHCP clients, SO_ATTACH_REUSEPORT_CBPF) and
   the choice of a congestion control the host allows unprivileged users
   (TCP_CONGESTION; the others need CAP_NET_ADMIN over the host's network
   namespace, which the app never has) are programs' ordinary business.
   See docs/SURFACE.md. */
const struct sb_sockopt sb_setsockopt_allowed[] = {
  { SOL_SOCKET, SO_REUSEADDR }, { SOL_SOCKET, SO_REUSEPORT }, { SOL_SOCKET, SO_KEEPALIVE },
  { SOL_SOCKET, SO_LINGER }, { SOL_SOCKET, SO_RCVBUF }, { SOL_SOCKET, SO_SNDBUF },
  { SOL_SOCKET, SO_RCVTIMEO_OLD }, { SOL_SOCKET, SO_SNDTIMEO_OLD },
  { SOL_SOCKET, SO_RCVTIMEO_NEW }, { SOL_SOCKET, SO_SNDTIMEO_NEW },
  { SOL_SOCKET, SO_RCVLOWAT }, { SOL_SOCKET, SO_OOBINLINE }, { SOL_SOCKET, SO_BROADCAST },
  { SOL_SOCKET, SO_PASSCRED }, { SOL_SOCKET, SO_TIMESTAMP_OLD }, { SOL_SOCKET, SO_TIMESTAMPNS_OLD },
  { SOL_SOCKET, SO_PRIORITY }, { SOL_SOCKET, SO_ATTACH_FILTER }, { SOL_SOCKET, SO_DETACH_FILTER },
  { SOL_SOCKET, SO_LOCK_FILTER }, { SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF },
  { IPPROTO_TCP, TCP_NODELAY }, { IPPROTO_TCP, TCP_MAXSEG }, { IPPROTO_TCP, TCP_CORK },
  { IPPROTO_TCP, TCP_KEEPIDLE }, { IPPROTO_TCP, TCP_KEEPINTVL }, { IPPROTO_TCP, TCP_KEEPCNT },
  { IPPROTO_TCP, TCP_SYNCNT }, { IPPROTO_TCP, TCP_LINGER2 }, { IPPROTO_TCP, TCP_DEFER_ACCEPT },
  { IPPROTO_TCP, TCP_QUICKACK }, { IPPROTO_TCP, TCP_USER_TIMEOUT }, { IPPROTO_TCP, TCP_NOTSENT_LOWAT },
  { IPPROTO_TCP, TCP_FASTOPEN }, { IPPROTO_TCP, TCP_WINDOW_CLAMP }, { IPPROTO_TCP, TCP_CONGESTION },
  { IPPROTO_IP, IP_TOS }, { IPPROTO_IP, IP_TTL }, { IPPROTO_IP, IP_RECVERR },
  { IPPROTO_IP, IP_MTU_DISCOVER }, { IPPROTO_IP, IP_RECVTOS }, { IPPROTO_IP, IP_RECVTTL },
  { IPPROTO_IP, IP_PKTINFO }, { IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT },
  { IPPROTO_IPV6, IPV6_V6ONLY }, { IPPROTO_IPV6, IPV6_TCLASS }, { IPPROTO_IPV6, IPV6_UNICAST_HOPS },
  { IPPROTO_IPV6, IPV6_RECVERR }, { IPPROTO_IPV6, IPV6_MTU_DISCOVER }, { IPPROTO_IPV6, IPV6_RECVPKTINFO },
  { IPPROTO_IPV6, IPV6_RECVTCLASS }, { IPPROTO_IPV6, IPV6_RECVHOPLIMIT },
  { IPPROTO_UDP, UDP_CORK },
  { SOL_NETLINK, NETLINK_EXT_ACK }, { SOL_NETLINK, NETLINK_GET_STRICT_CHK },
};
const size_t sb_n_setsockopt_allowed = ARRAY_LEN (sb_setsockopt_allowed);

/* Options that may only be read (besides every option that may be set). */
const struct sb_sockopt sb_getsockopt_only[] = {
  { SOL_SOCKET, SO_ERROR }, { SOL_SOCKET, SO_TYPE }, { SOL_SOCKET, SO_DOMAIN },
  { SOL_SOCKET, SO_PROTOCOL }, { SOL_SOCKET, SO_ACCEPTCONN }, { SOL_SOCKET, SO_PEERCRED },
  { SOL_SOCKET, SO_PEERGROUPS }, { SOL_SOCKET, SO_COOKIE }, { SOL_SOCKET, SO_INCOMING_NAPI_ID },
  { SOL_SOCKET, SO_INCOMING_CPU },
  { IPPROTO_TCP, TCP_INFO },
  { IPPROTO_IP, IP_MTU }, { IPPROTO_IPV6, IPV6_MTU },
};
const size_t sb_n_getsockopt_only = ARRAY_LEN (sb_getsockopt_only);

/* madvise advice without MADV_REMOVE (hole punching in shared memory),
   MADV_MERGEABLE/UNMERGEABLE (KSM: a cross-tenant side channel),
   MADV_COLLAPSE, MADV_PAGEOUT and the test-only HWPOISON/SOFT_OFFLINE. */
const uint32_t sb_madvise_allowed[] = {
  MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
  MADV_DONTFORK, MADV_DOFORK, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
  MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, 22 /* MADV_POPULATE_READ */,
  23 /* MADV_POPULATE_WRITE */,
};
const size_t sb_n_madvise_allowed = ARRAY_LEN (sb_madvise_allowed);

/* futex operations without the priority-inheritance family (LOCK_PI,
   UNLOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2: the
   code of CVE-2014-3153 and its successors) and the long-gone FUTEX_FD.
   FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME are masked off first. */
const uint32_t sb_futex_allowed[] = {
  FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP,
  FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET,
};
const size_t sb_n_futex_allowed = ARRAY_LEN (sb_futex_allowed);

/* ptrace requests (compat only) that act on a trace the caller already
   holds, or make its parent its tracer (PTRACE_TRACEME). PTRACE_ATTACH and
   PTRACE_SEIZE, which pick a tracee by pid, reach the Sentry (sys_ptrace.c);
   PTRACE_SECCOMP_GET_FILTER (it needs CAP_SYS_ADMIN anyway) and requests
   this list does not know are refused. */
const uint32_t sb_ptrace_allowed[] = {
  0 /* TRACEME */, 1 /* PEEKTEXT */, 2 /* PEEKDATA */, 3 /* PEEKUSER */, 4 /* POKETEXT */,
  5 /* POKEDATA */, 6 /* POKEUSER */, 7 /* CONT */, 8 /* KILL */, 9 /* SINGLESTEP */,
  12 /* GETREGS */, 13 /* SETREGS */, 14 /* GETFPREGS */, 15 /* SETFPREGS */, 17 /* DETACH */,
  18 /* GETFPXREGS */, 19 /* SETFPXREGS */, 24 /* SYSCALL */, 25 /* GET_THREAD_AREA */,
  26 /* SET_THREAD_AREA */, 30 /* ARCH_PRCTL */, 31 /* SYSEMU */, 32 /* SYSEMU_SINGLESTEP */,
  33 /* SINGLEBLOCK */, 0x4200 /* SETOPTIONS */, 0x4201 /* GETEVENTMSG */, 0x4202 /* GETSIGINFO */,
  0x4203 /* SETSIGINFO */, 0x4204 /* GETREGSET */, 0x4205 /* SETREGSET */, 0x4207 /* INTERRUPT */,
  0x4208 /* LISTEN */, 0x4209 /* PEEKSIGINFO */, 0x420a /* GETSIGMASK */, 0x420b /* SETSIGMASK */,
  0x420e /* GET_SYSCALL_INFO */,
};
const size_t sb_n_ptrace_allowed = ARRAY_LEN (sb_ptrace_allowed);

/* The highest user-space address on x86-64 with 4-level page tables plus
   one: waitid's pointers must lie below it (CVE-2017-5123 wrote through a
   kernel address waitid never checked). 5-level paging widens user space,
   but no ordinary program places a waitid buffer above 128 TiB. */
#define USER_ADDR_END (1ull << 47)

/* ALLOW nr when arg, masked, is one of the values. */
static int
allow_values (scmp_filter_ctx ctx, int nr, unsigned arg, uint64_t mask, const uint32_t *v, size_t n)
{
  size_t i;
  int ret;

  for (i = 0; i < n; i++)
    if ((ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 1,
                                 SCMP_CMP (arg, SCMP_CMP_MASKED_EQ, mask, (uint64_t) v[i])))
        < 0)
      return ret;
  return 0;
}

/* socket(): the kinds a workload makes, whatever SOCK_CLOEXEC and
   SOCK_NONBLOCK say; sys_socket (net_rules.c) makes the same ones in the
   Sentry, and decides the rest (route netlink sockets; refusals,
   audited). The socket is the same kernel object either way, in the same
   network namespace, owned by the caller; made here it costs no round
   trip and no descriptor handed over (SECCOMP_IOCTL_NOTIF_ADDFD, the
   slowest answer the Sentry gives). */
static int
allow_sockets (scmp_filter_ctx ctx, int nr)
{
  static const struct
  {
    int domain, type, proto;
  } kinds[] = {
    { AF_UNIX, SOCK_STREAM, 0 },    { AF_UNIX, SOCK_DGRAM, 0 },          { AF_UNIX, SOCK_SEQPACKET, 0 },
    { AF_INET, SOCK_STREAM, 0 },    { AF_INET, SOCK_STREAM, IPPROTO_TCP }, { AF_INET, SOCK_DGRAM, 0 },
    { AF_INET, SOCK_DGRAM, IPPROTO_UDP }, { AF_INET6, SOCK_STREAM, 0 }, { AF_INET6, SOCK_STREAM, IPPROTO_TCP },
    { AF_INET6, SOCK_DGRAM, 0 },    { AF_INET6, SOCK_DGRAM, IPPROTO_UDP },
  };
  const uint64_t type_mask = LOW32 & ~(uint64_t) (SOCK_CLOEXEC | SOCK_NONBLOCK);
  size_t i;
  int ret;

  for (i = 0; i < ARRAY_LEN (kinds); i++)
    if ((ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 3,
                                 SCMP_A0 (SCMP_CMP_MASKED_EQ, LOW32, (uint64_t) kinds[i].domain),
                                 SCMP_A1 (SCMP_CMP_MASKED_EQ, type_mask, (uint64_t) kinds[i].type),
                                 SCMP_A2 (SCMP_CMP_MASKED_EQ, LOW32, (uint64_t) kinds[i].proto)))
        < 0)
      return ret;
  return 0;
}

/* ALLOW nr when none of the bits of mask is set in arg. */
static int
allow_without_bits (scmp_filter_ctx ctx, int nr, unsigned arg, uint64_t mask)
{
  return seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_CMP (arg, SCMP_CMP_MASKED_EQ, mask, 0));
}

static int
allow_sockopts (scmp_filter_ctx ctx, int nr, const struct sb_sockopt *o, size_t n)
{
  size_t i;
  int ret;

  for (i = 0; i < n; i++)
    if ((ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 2,
                                 SCMP_A1 (SCMP_CMP_MASKED_EQ, LOW32, (uint64_t) (uint32_t) o[i].level),
                                 SCMP_A2 (SCMP_CMP_MASKED_EQ, LOW32, (uint64_t) (uint32_t) o[i].name)))
        < 0)
      return ret;
  return 0;
}

int
sb_filter_add_checked (scmp_filter_ctx ctx, int nr)
{
  /* PER_LINUX (0) and PER_LINUX32 (8), alone or with ADDR_NO_RANDOMIZE
     (0x40000: setarch -R, gdb), READ_IMPLIES_EXEC (0x400000) or UNAME26
     (0x20000); and the query. */
  static const uint32_t personalities[] = {
    0x0, 0x8, 0x20000, 0x20008, 0x40000, 0x40008, 0x400000, 0x400008, 0x440000, 0x440008,
    0xffffffff,
  };
  const uint64_t ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
                            | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
  const uint32_t futex_cmd_mask = ~(uint32_t) (FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const uint64_t prot_grows = PROT_GROWSDOWN | PROT_GROWSUP;
  int ret;

  switch (nr)
    {
    case SYS_clone:
      return allow_without_bits (ctx, nr, 0, ns_flags);
    case SYS_ptrace: /* compat only (denied in default and strict) */
      return allow_values (ctx, nr, 0, LOW32, sb_ptrace_allowed, sb_n_ptrace_allowed);
    case SYS_lseek:
      /* SEEK_END, SEEK_DATA and SEEK_HOLE reach the Sentry, which answers
         for its synthetic /proc files as their seq_file or /proc/sys file
         would, and lets every other descriptor continue (synthetic.c). */
      return allow_values (ctx, nr, 2, LOW32, (const uint32_t[]){ SEEK_SET, SEEK_CUR }, 2);
    case SYS_socketpair:
      return allow_values (ctx, nr, 0, LOW32, (const uint32_t[]){ AF_UNIX }, 1);
    case SYS_socket:
      return allow_sockets (ctx, nr);
    case SYS_ioctl:
      return allow_values (ctx, nr, 1, LOW32, sb_ioctl_allowed, sb_n_ioctl_allowed);
    case SYS_personality:
      return allow_values (ctx, nr, 0, LOW32, personalities, ARRAY_LEN (personalities));
    case SYS_mmap:
      /* StackRot (CVE-2023-3269) and its kin grow a MAP_GROWSDOWN mapping. */
      return allow_without_bits (ctx, nr, 3, MAP_GROWSDOWN);
    case SYS_mprotect:
    case SYS_pkey_mprotect: /* compat only (denied in default and strict) */
      return allow_without_bits (ctx, nr, 2, prot_grows);
    case SYS_madvise:
      return allow_values (ctx, nr, 2, LOW32, sb_madvise_allowed, sb_n_madvise_allowed);
    case SYS_futex:
      return allow_values (ctx, nr, 1, futex_cmd_mask, sb_futex_allowed, sb_n_futex_allowed);
    case SYS_pipe2:
      /* O_NOTIFICATION_PIPE (= O_EXCL) makes a watch-queue pipe; only the
         flags of an ordinary pipe are allowed. */
      return allow_without_bits (ctx, nr, 1, LOW32 & ~(uint64_t) (O_CLOEXEC | O_NONBLOCK | O_DIRECT));
    case SYS_waitid:
      return seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 2, SCMP_A2 (SCMP_CMP_LT, USER_ADDR_END),
                               SCMP_A4 (SCMP_CMP_LT, USER_ADDR_END));
    case SYS_setsockopt:
      return allow_sockopts (ctx, nr, sb_setsockopt_allowed, sb_n_setsockopt_allowed);
    case SYS_getsockopt:
      if ((ret = allow_sockopts (ctx, nr, sb_setsockopt_allowed, sb_n_setsockopt_allowed)) < 0)
        return ret;
      return allow_sockopts (ctx, nr, sb_getsockopt_only, sb_n_getsockopt_only);
    default:
      /* A host-checked call without a list would be a hollow check. */
      return -EINVAL;
    }
}
