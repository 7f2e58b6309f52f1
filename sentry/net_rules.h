/* The tenant's network rules (sentry/net_rules.c): which sockets may be
   made, what an address names and whether it may be reached, which control
   messages and passed descriptors a send may carry. */
#ifndef SB_NET_RULES_H
#define SB_NET_RULES_H

#include "sentry.h"
#include <stdint.h>
#include <sys/socket.h>

/* An internet destination as the kernel will reach it. */
struct sb_net_dest
{
  int family;          /* AF_INET or AF_INET6 */
  uint8_t addr[16];
  uint16_t port;
  uint32_t scope;
};

/* 0 if socket()'s family and type arguments are ones the kernel takes at
   all; otherwise its -errno (not a refusal: the kernel's own answer). */
int sb_net_socket_args (int domain, int type);
/* 0 if the app may create this socket; otherwise -errno, audited. */
int sb_net_socket_allowed (struct sb_call *c, int domain, int type, int proto);
/* Judges the address of a bind (for_bind), connect or send on the socket
   of c->args[0], by that socket's domain and type, and rewrites *ss and
   *len into the canonical address the kernel must be given. *len == 0 on
   return: the kernel would ignore the address, pass none. Returns 0 or
   -errno (refusals by the tenant's rules are audited). */
int sb_net_judge_address (struct sb_call *c, struct sockaddr_storage *ss, socklen_t *len,
                          bool for_bind);
/* A control message other than SCM_RIGHTS: 0 if allowed, else -errno (audited). */
int sb_net_check_cmsg (struct sb_call *c, int level, int type);
/* A descriptor (the Sentry's copy) passed with SCM_RIGHTS: 0 or -errno (audited). */
int sb_net_check_passed_fd (struct sb_call *c, int fd);

#endif
