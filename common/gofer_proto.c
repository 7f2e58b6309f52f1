/* Marshalling of Gofer messages: the one place they are parsed. */
#include "gofer_proto.h"

#include <errno.h>
#include <string.h>

static const char *const op_names[SB_GOFER_OP_MAX] = {
  [SB_GOFER_HELLO] = "hello",       [SB_GOFER_OPEN] = "open",
  [SB_GOFER_STAT] = "stat",         [SB_GOFER_ACCESS] = "access",
  [SB_GOFER_READLINK] = "readlink", [SB_GOFER_MKDIR] = "mkdir",
  [SB_GOFER_MKNOD] = "mknod",       [SB_GOFER_UNLINK] = "unlink",
  [SB_GOFER_RENAME] = "rename",     [SB_GOFER_LINK] = "link",
  [SB_GOFER_SYMLINK] = "symlink",   [SB_GOFER_CHMOD] = "chmod",
  [SB_GOFER_CHOWN] = "chown",       [SB_GOFER_UTIMENS] = "utimens",
  [SB_GOFER_TRUNCATE] = "truncate", [SB_GOFER_STATFS] = "statfs",
  [SB_GOFER_GETXATTR] = "getxattr", [SB_GOFER_SETXATTR] = "setxattr",
  [SB_GOFER_LISTXATTR] = "listxattr", [SB_GOFER_REMOVEXATTR] = "removexattr",
  [SB_GOFER_OPEN_PARENT] = "open_parent", [SB_GOFER_WALK] = "walk",
};

const char *
sb_gofer_op_name (uint32_t op)
{
  if (op < SB_GOFER_OP_MAX && op_names[op])
    return op_names[op];
  return "unknown";
}

ssize_t
sb_gofer_req_build (void *buf, size_t len, const struct sb_gofer_req *hdr,
                    const char *path, const char *path2,
                    const void *data, size_t data_len)
{
  struct sb_gofer_req h = *hdr;
  size_t plen = path ? strlen (path) + 1 : 0;
  size_t p2len = path2 ? strlen (path2) + 1 : 0;
  size_t total = sizeof (h) + plen + p2len + data_len;
  char *p = buf;

  if (plen > SB_GOFER_PATH_MAX || p2len > SB_GOFER_PATH_MAX)
    return -ENAMETOOLONG;
  if (data_len > SB_GOFER_DATA_MAX)
    return -E2BIG;
  if (total > len)
    return -EMSGSIZE;
  h.magic = SB_GOFER_MAGIC;
  h.path_len = plen;
  h.path2_len = p2len;
  h.data_len = data_len;
  memcpy (p, &h, sizeof (h));
  p += sizeof (h);
  if (plen)
    memcpy (p, path, plen);
  p += plen;
  if (p2len)
    memcpy (p, path2, p2len);
  p += p2len;
  if (data_len)
    memcpy (p, data, data_len);
  return total;
}

/* A path field must be non-empty, NUL-terminated exactly at its end, and absolute. */
static int
check_path (const char *p, uint32_t len)
{
  if (len == 0)
    return 0;
  if (len > SB_GOFER_PATH_MAX || p[len - 1] != '\0' || strlen (p) != len - 1)
    return -EPROTO;
  if (p[0] != '/')
    return -EINVAL;
  return 0;
}

int
sb_gofer_req_parse (const void *buf, size_t len, struct sb_gofer_msg *out)
{
  const char *p = buf;
  uint64_t need;
  int ret;

  if (len < sizeof (struct sb_gofer_req))
    return -EPROTO;
  memcpy (&out->hdr, buf, sizeof (out->hdr));
  if (out->hdr.magic != SB_GOFER_MAGIC)
    return -EPROTO;
  if (out->hdr.op == 0 || out->hdr.op >= SB_GOFER_OP_MAX)
    return -EPROTO;
  if (out->hdr.cred.ngroups > SB_CRED_MAX_GROUPS)
    return -EPROTO;
  need = (uint64_t) sizeof (struct sb_gofer_req) + out->hdr.path_len
         + out->hdr.path2_len + out->hdr.data_len;
  if (need != len || out->hdr.data_len > SB_GOFER_DATA_MAX)
    return -EPROTO;
  p += sizeof (struct sb_gofer_req);
  out->path = out->hdr.path_len ? p : NULL;
  if ((ret = check_path (p, out->hdr.path_len)) < 0)
    return ret;
  p += out->hdr.path_len;
  out->path2 = out->hdr.path2_len ? p : NULL;
  if ((ret = check_path (p, out->hdr.path2_len)) < 0)
    return ret;
  p += out->hdr.path2_len;
  out->data = out->hdr.data_len ? p : NULL;
  return 0;
}

int
sb_gofer_resp_check (const void *buf, size_t len)
{
  struct sb_gofer_resp r;

  if (len < sizeof (r))
    return -EPROTO;
  memcpy (&r, buf, sizeof (r));
  if (r.magic != SB_GOFER_MAGIC || (uint64_t) sizeof (r) + r.data_len != len)
    return -EPROTO;
  return 0;
}
