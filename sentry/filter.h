/* The app's seccomp filter, compiled from the syscall table. */
#ifndef SB_FILTER_H
#define SB_FILTER_H

#include <stdbool.h>
#include "error.h"
#include "syscall_table.h"

/* What a tenant's policy changes in the filter. */
struct sb_filter_options
{
  int profile;                              /* enum sb_syscall_profile */
  bool deny[SB_SYSCALL_NR_MAX];             /* extra denies: notify, the Sentry refuses */
};

/* Loads the filter on the calling thread (no_new_privs must be set) and
   returns the new user-notification listener fd. */
int sb_app_filter_load (const struct sb_filter_options *o, sb_error_t *err);
/* True if the profile sends this host-class number to the Sentry anyway. */
bool sb_filter_strict_call (int nr);
/* True if the profile lets this denied number run on the host. */
bool sb_filter_compat_call (int nr);

#endif
