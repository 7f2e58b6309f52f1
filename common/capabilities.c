#include "capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAPBIT(c) (1ull << (c))

const uint64_t sb_caps_docker_default
    = CAPBIT (CAP_CHOWN) | CAPBIT (CAP_DAC_OVERRIDE) | CAPBIT (CAP_FSETID)
      | CAPBIT (CAP_FOWNER) | CAPBIT (CAP_MKNOD) | CAPBIT (CAP_NET_RAW)
      | CAPBIT (CAP_SETGID) | CAPBIT (CAP_SETUID) | CAPBIT (CAP_SETFCAP)
      | CAPBIT (CAP_SETPCAP) | CAPBIT (CAP_NET_BIND_SERVICE) | CAPBIT (CAP_SYS_CHROOT)
      | CAPBIT (CAP_KILL) | CAPBIT (CAP_AUDIT_WRITE);

int
sb_caps_restrict (uint64_t keep, sb_error_t *err)
{
  return sb_caps_restrict_keeping (keep, 0, err);
}

int
sb_caps_restrict_keeping (uint64_t keep, uint64_t extra, sb_error_t *err)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2] = { 0 };
  int cap;

  for (cap = 0; cap <= 63; cap++)
    {
      if (keep & CAPBIT (cap))
        continue;
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        return sb_error (err, errno, "drop capability %d from the bounding set", cap);
    }
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return sb_error (err, errno, "clear ambient capabilities");
  data[0].permitted = data[0].effective = (uint32_t) (keep | extra);
  data[1].permitted = data[1].effective = (uint32_t) ((keep | extra) >> 32);
  if (syscall (SYS_capset, &hdr, data) < 0)
    return sb_error (err, errno, "capset");
  return 0;
}
