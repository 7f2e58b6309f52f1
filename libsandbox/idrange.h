/* Which host ids a tenant's containers run as. A policy may name its range
   (id-range); a tenant without one gets a block of the provider's pool
   (id-pool of the base file), recorded so that it keeps the same block on
   every host start (files it left on volumes keep their owners) and no two
   tenants ever get the same one. Containers run without a policy count as
   one more tenant, "-". */
#ifndef SB_IDRANGE_H
#define SB_IDRANGE_H

#include <stdint.h>
#include "creds.h"
#include "error.h"
#include "policy/policy.h"

#define SB_ID_BLOCK 65536u

/* The default record of pool allocations. */
#define SB_IDRANGE_STATE SB_LOCALSTATEDIR "/lib/sandboxd/id-ranges"

/* The tenant's range: the policy's, or its recorded block of the pool, or a
   new block recorded now (in state_file: lines "TENANT FIRST LAST", written
   whole under an exclusive lock: temporary file, fsync, rename). */
int sb_idrange_for (const struct sb_policy *p, const char *state_file, struct sb_idmap *out,
                    sb_error_t *err);

#endif
