#include "creds.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- reading a status text ------------------------------------------------- */

/* The line "FIELD:\t..." of text, or NULL. */
static const char *
field (const char *text, const char *name)
{
  size_t n = strlen (name);
  const char *line = text;

  while (line && *line)
    {
      if (strncmp (line, name, n) == 0 && line[n] == ':')
        return line + n + 1;
      line = strchr (line, '\n');
      if (line)
        line++;
    }
  return NULL;
}

/* Up to max unsigned numbers of one line; returns how many. */
static int
numbers (const char *p, int base, uint64_t *out, int max, bool *more)
{
  int n = 0;

  *more = false;
  while (p && *p && *p != '\n')
    {
      char *end;
      unsigned long long v;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\n' || *p == '\0')
        break;
      errno = 0;
      v = strtoull (p, &end, base);
      if (end == p || errno)
        return -1;
      if (n == max)
        {
          *more = true;
          return n;
        }
      out[n++] = v;
      p = end;
    }
  return n;
}

uint64_t
sb_status_mask (const char *text, const char *name)
{
  uint64_t v;
  bool more;

  return numbers (field (text, name), 16, &v, 1, &more) == 1 ? v : 0;
}

int
sb_parse_task_status (const char *text, struct sb_task_status *out)
{
  uint64_t v[SB_CRED_MAX_GROUPS];
  bool more;
  int n, i;

  memset (out, 0, sizeof (*out));
  if (numbers (field (text, "Uid"), 10, v, 4, &more) != 4)
    return -EINVAL;
  out->cred.uid = (uint32_t) v[0];
  out->cred.euid = (uint32_t) v[1];
  out->cred.suid = (uint32_t) v[2];
  out->cred.fsuid = (uint32_t) v[3];
  if (numbers (field (text, "Gid"), 10, v, 4, &more) != 4)
    return -EINVAL;
  out->cred.gid = (uint32_t) v[0];
  out->cred.egid = (uint32_t) v[1];
  out->cred.sgid = (uint32_t) v[2];
  out->cred.fsgid = (uint32_t) v[3];
  n = numbers (field (text, "Groups"), 10, v, SB_CRED_MAX_GROUPS, &more);
  if (n < 0)
    return -EINVAL;
  if (more)
    return -E2BIG;
  out->cred.ngroups = (uint32_t) n;
  for (i = 0; i < n; i++)
    out->cred.groups[i] = (uint32_t) v[i];
  if (numbers (field (text, "CapEff"), 16, v, 1, &more) != 1)
    return -EINVAL;
  out->cred.cap_eff = v[0];
  if (numbers (field (text, "CapPrm"), 16, v, 1, &more) == 1)
    out->cap_prm = v[0];
  else
    out->cap_prm = out->cred.cap_eff;
  if (numbers (field (text, "Umask"), 8, v, 1, &more) == 1)
    out->umask = (mode_t) (v[0] & 0777);
  else
    out->umask = 022;
  if (numbers (field (text, "Tgid"), 10, v, 1, &more) != 1)
    return -EINVAL;
  out->tgid = (pid_t) v[0];
  /* The innermost (last) of the namespace ids. */
  n = numbers (field (text, "NStgid"), 10, v, 8, &more);
  if (n < 1)
    return -EINVAL;
  out->nspid = (pid_t) v[n - 1];
  n = numbers (field (text, "NSpid"), 10, v, 8, &more);
  if (n < 1)
    return -EINVAL;
  out->nstid = (pid_t) v[n - 1];
  return 0;
}

bool
sb_cred_equal (const struct sb_cred *a, const struct sb_cred *b)
{
  return a->uid == b->uid && a->euid == b->euid && a->suid == b->suid && a->fsuid == b->fsuid
         && a->gid == b->gid && a->egid == b->egid && a->sgid == b->sgid
         && a->fsgid == b->fsgid && a->cap_eff == b->cap_eff && a->ngroups == b->ngroups
         && memcmp (a->groups, b->groups, a->ngroups * sizeof (a->groups[0])) == 0;
}

/* ---- the calling thread ---------------------------------------------------- */

static int
caps_get (uint64_t *eff, uint64_t *perm)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2];

  if (syscall (SYS_capget, &hdr, data) < 0)
    return -errno;
  *eff = data[0].effective | ((uint64_t) data[1].effective << 32);
  *perm = data[0].permitted | ((uint64_t) data[1].permitted << 32);
  return 0;
}

static int
caps_set_effective (uint64_t eff, uint64_t perm)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2] = { 0 };

  eff &= perm;
  data[0].effective = (uint32_t) eff;
  data[1].effective = (uint32_t) (eff >> 32);
  data[0].permitted = (uint32_t) perm;
  data[1].permitted = (uint32_t) (perm >> 32);
  return syscall (SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

int
sb_cred_self (struct sb_cred *out, sb_error_t *err)
{
  uid_t r, e, s;
  gid_t gr, ge, gs;
  gid_t groups[SB_CRED_MAX_GROUPS];
  uint64_t perm;
  int n, ret;

  memset (out, 0, sizeof (*out));
  if (syscall (SYS_getresuid, &r, &e, &s) < 0 || syscall (SYS_getresgid, &gr, &ge, &gs) < 0)
    return sb_error (err, errno, "read the thread's ids");
  out->uid = r;
  out->euid = e;
  out->suid = s;
  out->gid = gr;
  out->egid = ge;
  out->sgid = gs;
  /* setfs*id(-1) changes nothing and answers the current value. */
  out->fsuid = (uint32_t) syscall (SYS_setfsuid, -1);
  out->fsgid = (uint32_t) syscall (SYS_setfsgid, -1);
  n = (int) syscall (SYS_getgroups, SB_CRED_MAX_GROUPS, groups);
  if (n < 0)
    return sb_error (err, errno, "read the thread's groups");
  out->ngroups = (uint32_t) n;
  for (int i = 0; i < n; i++)
    out->groups[i] = groups[i];
  ret = caps_get (&out->cap_eff, &perm);
  if (ret < 0)
    return sb_error (err, -ret, "read the thread's capabilities");
  return 0;
}

/* Ids and groups, in the order that keeps the needed capabilities: the
   caller has raised its effective set first. */
static int
set_ids (const struct sb_cred *c, bool only_fs)
{
  gid_t groups[SB_CRED_MAX_GROUPS];
  uint32_t i;

  if (c->ngroups > SB_CRED_MAX_GROUPS)
    return -E2BIG;
  for (i = 0; i < c->ngroups; i++)
    groups[i] = c->groups[i];
  if (syscall (SYS_setgroups, (size_t) c->ngroups, groups) < 0)
    return -errno;
  if (!only_fs && syscall (SYS_setresgid, c->gid, c->egid, c->sgid) < 0)
    return -errno;
  syscall (SYS_setfsgid, c->fsgid);
  if ((uint32_t) syscall (SYS_setfsgid, -1) != c->fsgid)
    return -EPERM;
  if (!only_fs && syscall (SYS_setresuid, c->uid, c->euid, c->suid) < 0)
    return -errno;
  syscall (SYS_setfsuid, c->fsuid);
  if ((uint32_t) syscall (SYS_setfsuid, -1) != c->fsuid)
    return -EPERM;
  return 0;
}

static int
assume (const struct sb_cred *c, bool only_fs)
{
  uint64_t eff, perm;
  int ret = caps_get (&eff, &perm);

  /* Every permitted capability while the ids change (CAP_SETUID, CAP_SETGID). */
  if (ret == 0 && eff != perm)
    ret = caps_set_effective (perm, perm);
  if (ret == 0)
    ret = set_ids (c, only_fs);
  if (ret == 0)
    ret = caps_set_effective (c->cap_eff, perm);
  return ret;
}

int
sb_cred_assume (const struct sb_cred *c, const struct sb_cred *restore, bool only_fs)
{
  int ret = assume (c, only_fs);

  if (ret < 0 && assume (restore, only_fs) < 0)
    _exit (125);
  return ret;
}

int
sb_cred_fix_securebits (sb_error_t *err)
{
  int bits = (int) prctl (PR_GET_SECUREBITS, 0, 0, 0, 0);

  if (bits < 0)
    return sb_error (err, errno, "read the securebits");
  bits |= SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED;
  if (prctl (PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
    return sb_error (err, errno, "set SECBIT_NO_SETUID_FIXUP");
  return 0;
}

int
sb_userns_enter (int userns_fd, sb_error_t *err)
{
  if (setns (userns_fd, CLONE_NEWUSER) < 0)
    return sb_error (err, errno, "join the tenant's user namespace");
  if (setgroups (0, NULL) < 0 || setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
    return sb_error (err, errno, "become root of the tenant's user namespace");
  return 0;
}
