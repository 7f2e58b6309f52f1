/* Capability sets, applied with the raw capset interface. */
#ifndef SB_CAPABILITIES_H
#define SB_CAPABILITIES_H

#include <stdint.h>
#include "error.h"

/* Docker's default set: what the app keeps. */
extern const uint64_t sb_caps_docker_default;

/* Limit the bounding set to keep, then set permitted = effective = keep
   (inheritable and ambient cleared). */
int sb_caps_restrict (uint64_t keep, sb_error_t *err);
/* The same, with extra also in the permitted and effective sets (never in
   the bounding set): what the caller needs a while longer. */
int sb_caps_restrict_keeping (uint64_t keep, uint64_t extra, sb_error_t *err);

#endif
