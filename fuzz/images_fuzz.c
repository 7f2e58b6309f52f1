/* libFuzzer target for the image store's import: `make fuzz-images` (as
   root: the store keeps the tarball's owners).

   Each input is imported as a tarball (any of the three formats, any
   compression) into a store in a tmpfs that covers /tmp in a private mount
   namespace, at /tmp/sb-images-fuzz/store; next to it, `victim` holds one
   file and is the working directory (so libFuzzer's corpus and artifacts
   must be given as absolute paths). Beyond what ASan and UBSan catch, it aborts when
   - anything appears next to the store, or in `victim`, or the canary
     changes (a write that escaped, through `..`, an absolute name, a
     symbolic link, a hard link or the working directory);
   - the store's tmp/ is not empty after an import (a refused tarball must
     leave nothing), or a refused import left a layer or a record;
   - a layer holds a device node other than an overlayfs whiteout (0/0), a
     setuid/setgid file, a security.capability or a trusted.* attribute
     other than trusted.overlay.opaque=y on a directory;
   - an error has no message.
   An image that was imported is then removed, which must leave no layer. */
#include "images.h"
#include "image_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <dirent.h>

#define SCRATCH "/tmp/sb-images-fuzz"
#define STORE SCRATCH "/store"
#define VICTIM SCRATCH "/victim"
#define CANARY "canary\n"

static struct sb_images *store;

static void
check (bool ok, const char *what, const char *detail)
{
  if (!ok)
    {
      fprintf (stderr, "images_fuzz: invariant broken: %s%s%s\n", what, detail ? ": " : "",
               detail ? detail : "");
      abort ();
    }
}

static int
count_entries (const char *dir, const char *only)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  int n = 0;

  check (d != NULL, "a directory of the scratch space is there", dir);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      {
        n++;
        if (only)
          check (strstr (only, de->d_name) != NULL, "nothing unexpected appeared", de->d_name);
      }
  closedir (d);
  return n;
}

static int
check_layer_file (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  char names[4096], value[8];
  ssize_t len, i;

  /* With FTW_CHDIR the working directory is the entry's own: its name is
     short, whatever the depth (the full path may be longer than PATH_MAX). */
  path += ftw->base;
  if (type == FTW_SL)
    return 0;
  if (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode))
    check (S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0), "only whiteouts are devices", path);
  if (!S_ISDIR (st->st_mode))
    check ((st->st_mode & (S_ISUID | S_ISGID)) == 0, "no set-id file", path);
  len = llistxattr (path, names, sizeof (names));
  for (i = 0; len > 0 && i < len; i += (ssize_t) strlen (names + i) + 1)
    {
      const char *n = names + i;
      check (strcmp (n, "security.capability") != 0, "no file capability", path);
      if (strncmp (n, "trusted.", 8) == 0)
        {
          check (strcmp (n, "trusted.overlay.opaque") == 0 && S_ISDIR (st->st_mode),
                 "the only trusted attribute is an opaque directory's", path);
          check (lgetxattr (path, n, value, sizeof (value)) == 1 && value[0] == 'y',
                 "trusted.overlay.opaque is y", path);
        }
    }
  return 0;
}

static void
setup (void)
{
  int fd;

  check (geteuid () == 0, "images_fuzz runs as root (the store keeps the tarball's owners)", NULL);
  check (unshare (CLONE_NEWNS) == 0 && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0,
         "a private mount namespace", strerror (errno));
  /* A tmpfs over /tmp of this namespace only: the host's /tmp is untouched. */
  check (mount ("sb-images-fuzz", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=512m,mode=1777") == 0,
         "a tmpfs for the scratch space", strerror (errno));
  check (mkdir (SCRATCH, 0700) == 0, "make the scratch directory", strerror (errno));
  check (mkdir (VICTIM, 0755) == 0, "make the victim directory", strerror (errno));
  fd = open (VICTIM "/canary", O_WRONLY | O_CREAT | O_EXCL, 0644);
  check (fd >= 0 && write (fd, CANARY, strlen (CANARY)) == (ssize_t) strlen (CANARY), "the canary", NULL);
  close (fd);
  check (chdir (VICTIM) == 0, "work in the victim directory", NULL);
  {
    sb_error_t err = NULL;
    check (sb_images_open (&store, STORE, &err) == 0, "open the store", err ? err->msg : NULL);
  }
  sb_images_set_limits (store, 16u << 20, 4000);
}

static void
check_escapes (void)
{
  char buf[64] = "";
  int fd = open (VICTIM "/canary", O_RDONLY);

  check (count_entries (SCRATCH, "store victim") == 2, "only the store and the victim in the scratch space", NULL);
  check (count_entries (VICTIM, "canary") == 1, "only the canary in the victim directory", NULL);
  check (fd >= 0 && read (fd, buf, sizeof (buf) - 1) == (ssize_t) strlen (CANARY) && strcmp (buf, CANARY) == 0,
         "the canary is unchanged", NULL);
  close (fd);
  check (count_entries (STORE "/tmp", NULL) == 0, "the store's tmp/ is empty", NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  sb_error_t err = NULL;
  json_t *rec = NULL;
  int fd, ret;

  if (store == NULL)
    setup ();
  fd = memfd_create ("input", MFD_CLOEXEC);
  check (fd >= 0 && (size == 0 || write (fd, data, size) == (ssize_t) size) && lseek (fd, 0, SEEK_SET) == 0,
         "a memfd of the input", NULL);
  ret = sb_images_import (store, fd, "", "fuzz", &rec, &err);
  close (fd);
  check_escapes ();
  if (ret < 0)
    {
      check (err != NULL && err->msg != NULL && err->msg[0] != '\0', "a failure has a message", NULL);
      sb_error_free (&err);
      check (count_entries (STORE "/layers", NULL) == 0, "a refused import leaves no layer", NULL);
      return 0;
    }
  check (rec != NULL && json_array_size (json_object_get (rec, "layers")) > 0, "an image has layers", NULL);
  json_decref (rec);
  check (nftw (STORE "/layers", check_layer_file, 16, FTW_PHYS | FTW_CHDIR) == 0, "walk the layers",
         strerror (errno));
  check (sb_images_remove (store, "", "fuzz", NULL, NULL, &err) == 0, "remove the image",
         err ? err->msg : NULL);
  check (count_entries (STORE "/layers", NULL) == 0, "removing the image removed its layers", NULL);
  check_escapes ();
  return 0;
}
