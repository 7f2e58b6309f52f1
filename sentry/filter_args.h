/* The argument allowlists of the host-checked calls (sentry/filter_args.c). */
#ifndef SB_FILTER_ARGS_H
#define SB_FILTER_ARGS_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

struct sb_sockopt
{
  int level;
  int name;
};

extern const uint32_t sb_ioctl_allowed[];
extern const size_t sb_n_ioctl_allowed;
extern const struct sb_sockopt sb_setsockopt_allowed[];
extern const size_t sb_n_setsockopt_allowed;
extern const struct sb_sockopt sb_getsockopt_only[];
extern const size_t sb_n_getsockopt_only;
extern const uint32_t sb_madvise_allowed[];
extern const size_t sb_n_madvise_allowed;
extern const uint32_t sb_ptrace_allowed[];
extern const size_t sb_n_ptrace_allowed;
extern const uint32_t sb_futex_allowed[];
extern const size_t sb_n_futex_allowed;

/* Adds the ALLOW rules of a host-checked call: only its allowed argument
   values run on the host. Returns 0 or a negative errno (-EINVAL for a
   number that has no list). */
int sb_filter_add_checked (scmp_filter_ctx ctx, int nr);

#endif
